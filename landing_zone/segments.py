"""Network segments: their defaults and the reachability intent between them (pure, stdlib only).

The one place for both: the config models take their defaults from here, the routing plan, `lz diagram` and
`lz reach` read the intent through `Intent`, and the policy pack gets the same facts generated from this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

HYBRID = "hybrid"  # the segment of on-premises connectivity (site-to-site VPN, Direct Connect)
DEFAULT_SEGMENTS = ["prod", "nonprod", "sandbox", "shared", HYBRID]
# Who may talk to whom (symmetric; every segment also reaches itself): prod and nonprod never meet, the sandbox
# reaches only shared services, on-premises (hybrid) reaches prod and nonprod.
DEFAULT_REACHABILITY = {
    "prod": ["shared", HYBRID],
    "nonprod": ["shared", HYBRID],
    "sandbox": ["shared"],
    "shared": ["prod", "nonprod", "sandbox"],
    HYBRID: ["prod", "nonprod"],
}
SEGMENT_OF_ENVIRONMENT = {"prod": "prod", "nonprod": "nonprod", "sandbox": "sandbox", "core": "shared"}


class Intent:
    """The symmetric reachability relation of `network.reachability`: a pair listed either way reaches both ways,
    and every segment reaches itself."""

    def __init__(self, reachability: Mapping[str, Iterable[str]]):
        self.pairs = frozenset(frozenset((a, b)) for a, peers in reachability.items() for b in peers)

    def reaches(self, a: str, b: str) -> bool:
        return a == b or frozenset((a, b)) in self.pairs

    def distinct_pairs(self) -> list[tuple[str, str]]:
        """The allowed pairs of two different segments, each once as (a, b) with a < b, sorted."""
        return sorted(tuple(sorted(pair)) for pair in self.pairs if len(pair) == 2)

    def matrix(self, segments: Iterable[str]) -> dict[tuple[str, str], bool]:
        """{(a, b): allowed} over `segments` (both orders, the diagonal included)."""
        segments = list(segments)
        return {(a, b): self.reaches(a, b) for a in segments for b in segments}
