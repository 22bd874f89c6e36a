"""Address sets of TGW routes: known prefixes plus a flag for dynamic (BGP-learned or unknown) ones."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..values import is_unknown

Net = ipaddress.IPv4Network | ipaddress.IPv6Network
_EVERYTHING = (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))


@dataclass(frozen=True)
class AddrSet:
    """Known networks plus a flag for dynamic (BGP-learned or unresolved) prefixes."""

    nets: tuple[Net, ...] = ()
    dynamic: bool = False

    def __bool__(self) -> bool:
        return bool(self.nets) or self.dynamic

    def intersect(self, other: AddrSet) -> AddrSet:
        if other is ALL_ADDRESSES or self is ALL_ADDRESSES:  # the common first hop: nothing to compute
            return self if other is ALL_ADDRESSES else other
        nets: list[Net] = []
        for a in self.nets:
            for b in other.nets:
                if a.version != b.version:
                    continue
                if a.subnet_of(b):  # type: ignore[arg-type]
                    nets.append(a)
                elif b.subnet_of(a):  # type: ignore[arg-type]
                    nets.append(b)
        return AddrSet(collapse(nets), self.dynamic and other.dynamic)


ALL_ADDRESSES = AddrSet(_EVERYTHING, dynamic=True)


def collapse(nets: Iterable[Net]) -> tuple[Net, ...]:
    v4 = [n for n in nets if n.version == 4]
    v6 = [n for n in nets if n.version == 6]
    return tuple(ipaddress.collapse_addresses(v4)) + tuple(ipaddress.collapse_addresses(v6))


def subtract(base: Net, others: Iterable[Net]) -> list[Net]:
    """base minus the union of others (all prefixes are either nested or disjoint)."""
    pieces = [base]
    for other in others:
        next_pieces: list[Net] = []
        for piece in pieces:
            if piece.version != other.version:
                next_pieces.append(piece)
            elif piece.subnet_of(other):  # type: ignore[arg-type]
                continue
            elif other.subnet_of(piece):  # type: ignore[arg-type]
                next_pieces.extend(piece.address_exclude(other))  # type: ignore[arg-type]
            else:
                next_pieces.append(piece)
        pieces = next_pieces
        if not pieces:
            break
    return pieces


def parse_cidr(value: Any) -> Net | None:
    if not isinstance(value, str) or is_unknown(value):
        return None
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None
