"""The reachability intent (segment -> segments it may reach, symmetric) and how computed reachability differs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..facts import DEFAULT_INTENT
from .model import Reachability


@dataclass(frozen=True)
class Difference:
    source: str
    target: str
    kind: str  # unexpected | missing | one-way
    explanation: str
    urns: tuple[str, ...] = ()


def normalize_intent(intent: Mapping[str, Any] | None) -> set[frozenset[str]]:
    """Symmetric set of allowed segment pairs. Raises ValueError naming the bad field."""
    if intent is None:
        intent = DEFAULT_INTENT
    if not isinstance(intent, Mapping):
        raise ValueError("reachability intent: expected a mapping segment -> list of segments")
    pairs: set[frozenset[str]] = set()
    for segment, peers in intent.items():
        if not isinstance(segment, str) or not segment:
            raise ValueError(f"reachability intent: segment name {segment!r} must be a non-empty string")
        if isinstance(peers, str) or not isinstance(peers, Iterable):
            raise ValueError(f"reachability intent.{segment}: expected a list of segment names, got {peers!r}")
        for index, peer in enumerate(peers):
            if not isinstance(peer, str) or not peer:
                raise ValueError(f"reachability intent.{segment}[{index}]: expected a segment name, got {peer!r}")
            if peer != segment:
                pairs.add(frozenset((segment, peer)))
    return pairs


def intent_matrix(intent: Mapping[str, Any] | None, segments: Iterable[str]) -> dict[tuple[str, str], bool]:
    """{(a, b): allowed} for the given segments; every segment reaches itself."""
    allowed = normalize_intent(intent)
    segs = list(segments)
    return {(a, b): a == b or frozenset((a, b)) in allowed for a in segs for b in segs}


def compare(computed: Reachability, intent: Mapping[str, Any] | None = None) -> list[Difference]:
    """Differences between computed reachability and intent, over the segments present in the plan.

    Intra-segment traffic is allowed but not required (a segment with one attachment has no peer). A pair
    differs when it exchanges traffic but may not ('unexpected'), should but cannot ('missing'), or only
    one direction exists ('one-way', always a difference: either a leak or a broken return path).
    """
    allowed = normalize_intent(intent)
    differences: list[Difference] = []
    segments = computed.segments
    for i, a in enumerate(segments):
        for b in segments[i + 1:]:
            difference = _compare_pair(computed, a, b, frozenset((a, b)) in allowed)
            if difference is not None:
                differences.append(difference)
    return differences


def _compare_pair(computed: Reachability, a: str, b: str, wanted: bool) -> Difference | None:
    forward, back = computed.can_send(a, b), computed.can_send(b, a)
    urns = tuple(u for pair in ((a, b), (b, a)) for p in computed.paths.get(pair, ())[:1] for u in p.urns)
    intent_text = "the intent allows it" if wanted else "the intent forbids it"
    if forward and back and not wanted:
        text = (f"{a} <-> {b} exchange traffic but {intent_text}: {computed.evidence(a, b)}; "
                f"{computed.evidence(b, a)}")
        return Difference(a, b, "unexpected", text, urns)
    if forward != back:
        src, dst = (a, b) if forward else (b, a)
        text = (f"{src} -> {dst} is one-way (no return path {dst} -> {src}) and {intent_text}: "
                f"{computed.evidence(src, dst)}")
        return Difference(src, dst, "one-way", text, urns)
    if not forward and wanted:
        text = (f"{a} <-> {b} should exchange traffic (intent) but neither direction has a route: "
                f"associate each attachment with its segment's table and propagate or route the other's "
                f"prefixes into it")
        return Difference(a, b, "missing", text, urns)
    return None
