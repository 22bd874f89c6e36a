"""The routing model: attachments, route tables, routes, and the computed reachability with its evidence."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..facts import ENVIRONMENT_SEGMENT, SEGMENT_ORDER
from ..types import (
    CONNECT_ATTACHMENT,
    DX_ASSOCIATION,
    DX_GATEWAY,
    PEERING_ACCEPTER,
    PEERING_ATTACHMENT,
    VPC_ATTACHMENT,
    VPC_ATTACHMENT_ACCEPTER,
    VPN_CONNECTION,
)
from .addresses import AddrSet, Net

ATTACHMENT_TYPES = (VPC_ATTACHMENT, VPN_CONNECTION, DX_ASSOCIATION, CONNECT_ATTACHMENT, PEERING_ATTACHMENT)
ACCEPTER_TYPES = (VPC_ATTACHMENT_ACCEPTER, PEERING_ACCEPTER)
# Anything a `transitGatewayAttachmentId` may point at (a DX gateway stands for its TGW association,
# because the DX attachment id is only readable through a data source whose dependency is the gateway).
ATTACHMENT_REFERENCE_TYPES = ATTACHMENT_TYPES + ACCEPTER_TYPES + (DX_GATEWAY,)
UNASSIGNED = "unassigned"
__all__ = ["ENVIRONMENT_SEGMENT", "SEGMENT_ORDER"]


@dataclass
class Attachment:
    key: str  # URN of the canonical resource
    name: str
    kind: str  # vpc | vpn | dx | connect | peering
    segment: str
    prefixes: AddrSet
    tgws: frozenset[str] = frozenset()

    def label(self) -> str:
        kind = {"vpn": "VPN ", "dx": "Direct Connect ", "connect": "Connect ", "peering": "peering "}
        return f"{self.name} {kind.get(self.kind, '')}attachment"


@dataclass(frozen=True)
class Table:
    urn: str
    name: str
    segment: str | None
    tgw: str | None


@dataclass(frozen=True)
class Route:
    table: str  # table URN
    prefix: Net | None  # None: dynamic / unknown prefix
    target: str | None  # attachment key; None for a blackhole
    static: bool
    blackhole: bool
    source_urn: str  # the propagation or route resource
    description: str


@dataclass(frozen=True)
class Hop:
    table: str  # table name
    table_urn: str
    route: str  # human description of the winning route
    route_urn: str

    def describe(self) -> str:
        return f"tgw route table {self.table}: {self.route}"


@dataclass(frozen=True)
class Path:
    source: str  # attachment name
    target: str
    source_segment: str
    target_segment: str
    hops: tuple[Hop, ...]

    def describe(self) -> str:
        via = " then ".join(h.describe() for h in self.hops)
        return f"{self.source_segment} -> {self.target_segment} reachable via {via}"

    @property
    def urns(self) -> tuple[str, ...]:
        return tuple(u for h in self.hops for u in (h.route_urn, h.table_urn) if u)


@dataclass
class Reachability:
    segments: tuple[str, ...]
    paths: dict[tuple[str, str], tuple[Path, ...]]  # directed attachment-level evidence per segment pair
    matrix: dict[tuple[str, str], bool]  # True: the pair exchanges traffic (both directions)
    one_way: set[tuple[str, str]]  # (a, b): a sends to b, nothing comes back
    attachments: dict[str, str]  # attachment name -> segment
    tables: dict[str, str | None]  # table name -> segment tag
    unresolved: list[str] = field(default_factory=list)  # references that could not be resolved: result partial
    notes: list[str] = field(default_factory=list)  # caveats (assumptions made), the result stands
    dns_routes: list[DnsRoute] = field(default_factory=list)  # DNS-only static routes, kept out of the matrix

    def can_send(self, a: str, b: str) -> bool:
        return bool(self.paths.get((a, b)))

    def evidence(self, a: str, b: str) -> str:
        paths = self.paths.get((a, b), ())
        return paths[0].describe() if paths else f"{a} -> {b}: no route"


@dataclass(frozen=True)
class DnsRoute:
    """A static TGW route that carries DNS only: its destination is exactly a Route 53 Resolver endpoint's subnet or
    an on-premises resolver (/32) that a forwarding rule targets. Such routes are DNS paths, not segment
    reachability: nothing but the resolvers' addresses is routed (`lz reach` lists them apart)."""

    table: str
    table_segment: str | None
    destination: str
    kind: str  # endpoint-subnet | resolver-host
    attachment: str
    attachment_segment: str
    urn: str

    def describe(self) -> str:
        what = "resolver endpoint subnet" if self.kind == "endpoint-subnet" else "on-premises resolver"
        return (f"{self.table_segment or self.table} table: {what} {self.destination} -> {self.attachment} "
                f"({self.attachment_segment})")


@dataclass(frozen=True)
class Link:
    """An association or propagation between a TGW route table and an attachment."""

    table: str
    table_urn: str
    table_segment: str | None
    attachment: str
    attachment_segment: str
    kind: str  # association | propagation
    urn: str  # the association / propagation resource
