"""Building the routing model from the graph: attachments and their segments, tables, links, routes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..graph import Graph, Res
from ..types import (
    ASSOCIATION,
    CONNECT_ATTACHMENT,
    DX_ASSOCIATION,
    DX_GATEWAY,
    PEERING_ATTACHMENT,
    PROPAGATION,
    RESOLVER_ENDPOINT,
    RESOLVER_RULE,
    SUBNET,
    TGW,
    TGW_ROUTE,
    TGW_ROUTE_TABLE,
    VPC,
    VPC_ATTACHMENT,
    VPC_ATTACHMENT_ACCEPTER,
    VPC_CIDR_ASSOCIATION,
    VPN_CONNECTION,
)
from ..values import is_unknown
from .addresses import AddrSet, Net, collapse, parse_cidr
from .model import (
    ACCEPTER_TYPES,
    ATTACHMENT_REFERENCE_TYPES,
    ATTACHMENT_TYPES,
    ENVIRONMENT_SEGMENT,
    UNASSIGNED,
    Attachment,
    DnsRoute,
    Link,
    Route,
    Table,
)


class Builder:
    def __init__(self, graph: Graph):
        self.g = graph
        self.notes: list[str] = []
        self.unresolved: list[str] = []
        self.attachments: dict[str, Attachment] = {}
        self.tables: dict[str, Table] = {}
        self.assoc: dict[str, list[str]] = {}  # attachment key -> table urns
        self.routes: dict[str, list[Route]] = {}  # table urn -> routes
        self.links: list[Link] = []  # associations and propagations, for table-sharing checks
        self._accepter_segment_index: dict[int, str] | None = None
        self._extra_cidr_index: dict[int, list[Res]] | None = None
        self.dns_routes: list[DnsRoute] = []
        self._dns_prefixes: dict[Net, str] | None = None

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def unresolvable(self, message: str) -> None:
        if message not in self.unresolved:
            self.unresolved.append(message)

    # -- attachments -----------------------------------------------------------------------------------
    def build_attachments(self) -> None:
        for res in self.g.of_type(*ATTACHMENT_TYPES):
            kind = self._kind(res)
            if kind is None:
                continue
            self.attachments[res.urn] = Attachment(
                res.urn, res.name, kind, self._segment(res, kind), self._prefixes(res, kind), self._tgws(res)
            )
        for accepter in self.g.of_type(*ACCEPTER_TYPES):
            if self._accepted(accepter):
                continue
            kind = "vpc" if accepter.type == VPC_ATTACHMENT_ACCEPTER else "peering"
            segment = self._tag_segment(accepter) or (UNASSIGNED if kind == "vpc" else "transit")
            prefixes = self._prefixes(accepter, kind)
            self.attachments[accepter.urn] = Attachment(accepter.urn, accepter.name, kind, segment, prefixes)

    def _kind(self, res: Res) -> str | None:
        if res.type == VPN_CONNECTION:
            on_tgw = res.get("transitGatewayId") is not None or "transitGatewayId" in res.property_dependencies
            return "vpn" if on_tgw else None  # a VPN on a virtual private gateway is not on the TGW
        if res.type == DX_ASSOCIATION:
            value = res.get("associatedGatewayId")
            targets_tgw = self.g.resolve(res, "associatedGatewayId", (TGW,)) or (
                isinstance(value, str) and value.startswith("tgw-")
            )
            return "dx" if targets_tgw else None
        return {VPC_ATTACHMENT: "vpc", CONNECT_ATTACHMENT: "connect", PEERING_ATTACHMENT: "peering"}[res.type]

    def _accepted(self, accepter: Res) -> list[Res]:
        return self.g.resolve(accepter, "transitGatewayAttachmentId", (VPC_ATTACHMENT, PEERING_ATTACHMENT))

    def _tag_segment(self, res: Res) -> str | None:
        value = res.tags.get("segment")
        return value if isinstance(value, str) and value and not is_unknown(value) else None

    def _segment(self, res: Res, kind: str) -> str:
        tagged = self._tag_segment(res)
        if tagged:
            return tagged
        if id(res) in self._accepter_segments():
            return self._accepter_segments()[id(res)]
        if kind in ("vpn", "dx"):
            return "hybrid"
        if kind == "peering":
            return "transit"
        environment = self.g.environment(res)
        if environment in ENVIRONMENT_SEGMENT:
            return ENVIRONMENT_SEGMENT[environment]
        self.note(f"attachment {res.name}: no `segment` tag and no known environment; segment unassigned")
        return UNASSIGNED

    def _accepter_segments(self) -> dict[int, str]:
        """id(attachment) -> the `segment` tag of the first tagged accepter (graph order) that accepts it."""
        if self._accepter_segment_index is None:
            index: dict[int, str] = {}
            for accepter in self.g.of_type(*ACCEPTER_TYPES):
                segment = self._tag_segment(accepter)
                if segment:
                    for accepted in self._accepted(accepter):
                        index.setdefault(id(accepted), segment)
            self._accepter_segment_index = index
        return self._accepter_segment_index

    def _extra_cidrs(self) -> dict[int, list[Res]]:
        """id(VPC) -> its vpcIpv4CidrBlockAssociations, in graph order."""
        if self._extra_cidr_index is None:
            index: dict[int, list[Res]] = {}
            for extra in self.g.of_type(VPC_CIDR_ASSOCIATION):
                for vpc in self.g.resolve(extra, "vpcId", (VPC,)):
                    index.setdefault(id(vpc), []).append(extra)
            self._extra_cidr_index = index
        return self._extra_cidr_index

    def _prefixes(self, res: Res, kind: str) -> AddrSet:
        if kind != "vpc":
            return AddrSet((), dynamic=kind in ("vpn", "dx", "connect"))
        vpcs = self.g.resolve(res, "vpcId", (VPC,))
        if not vpcs:
            self.note(f"attachment {res.name}: its VPC is not in the plan; its CIDRs are treated as dynamic")
            return AddrSet((), dynamic=True)
        nets: list[Net] = []
        for vpc in vpcs:
            nets.extend(n for n in (parse_cidr(vpc.get("cidrBlock")), parse_cidr(vpc.get("ipv6CidrBlock"))) if n)
            for extra in self._extra_cidrs().get(id(vpc), ()):
                net = parse_cidr(extra.get("cidrBlock"))
                if net:
                    nets.append(net)
        dynamic = not nets
        if dynamic:
            self.note(f"attachment {res.name}: VPC CIDR unknown; treated as dynamic")
        return AddrSet(collapse(nets), dynamic)

    def _tgws(self, res: Res) -> frozenset[str]:
        keys = set()
        for prop in ("transitGatewayId", "peerTransitGatewayId", "associatedGatewayId"):
            for tgw in self.g.resolve(res, prop, (TGW,)):
                keys.add(tgw.urn)
        return frozenset(keys)

    def attachment_for(self, res: Res, prop: str = "transitGatewayAttachmentId") -> Attachment | None:
        """The attachment a reference property designates, accepters and DX gateways folded in."""
        for target in self.g.resolve(res, prop, ATTACHMENT_REFERENCE_TYPES):
            if target.urn in self.attachments:
                return self.attachments[target.urn]
            if target.type in ACCEPTER_TYPES:
                for accepted in self._accepted(target):
                    if accepted.urn in self.attachments:
                        return self.attachments[accepted.urn]
            if target.type == DX_GATEWAY:
                for association in self.g.of_type(DX_ASSOCIATION):
                    dx = self.g.resolve(association, "dxGatewayId", (DX_GATEWAY,))
                    if target in dx and association.urn in self.attachments:
                        return self.attachments[association.urn]
        return None

    # -- tables, associations, propagations, routes -------------------------------------------------
    def build_tables(self) -> None:
        for res in self.g.of_type(TGW_ROUTE_TABLE):
            tgws = self.g.resolve(res, "transitGatewayId", (TGW,))
            raw_tgw = res.get("transitGatewayId")
            tgw = tgws[0].urn if tgws else (raw_tgw if isinstance(raw_tgw, str) and not is_unknown(raw_tgw) else None)
            self.tables[res.urn] = Table(res.urn, res.name, self._tag_segment(res), tgw)
            self.routes[res.urn] = []
        for tgw in self.g.of_type(TGW):
            for prop in ("defaultRouteTableAssociation", "defaultRouteTablePropagation"):
                if tgw.get(prop) != "disable":
                    self.note(f"transit gateway {tgw.name}: {prop} is not 'disable'; attachments may also use "
                              "the default route table, which this computation does not see")

    def _table_for(self, res: Res) -> Table | None:
        tables = self.g.resolve(res, "transitGatewayRouteTableId", (TGW_ROUTE_TABLE,))
        return self.tables.get(tables[0].urn) if tables else None

    def build_links(self) -> None:
        for res in self.g.of_type(ASSOCIATION):
            table, attachment = self._table_for(res), self.attachment_for(res)
            if table is None or attachment is None:
                self.unresolvable(f"association {res.name}: cannot resolve its {_missing(table)}")
                continue
            self.assoc.setdefault(attachment.key, []).append(table.urn)
            self.links.append(Link(table.name, table.urn, table.segment, attachment.name, attachment.segment,
                                   "association", res.urn))
        for res in self.g.of_type(PROPAGATION):
            table, attachment = self._table_for(res), self.attachment_for(res)
            if table is None or attachment is None:
                self.unresolvable(f"propagation {res.name}: cannot resolve its {_missing(table)}")
                continue
            self._add_propagated(table, attachment, res)
            self.links.append(Link(table.name, table.urn, table.segment, attachment.name, attachment.segment,
                                   "propagation", res.urn))
        for res in self.g.of_type(TGW_ROUTE):
            self._add_static(res)

    def _add_propagated(self, table: Table, attachment: Attachment, res: Res) -> None:
        description = f"propagation of {attachment.label()}"
        routes = self.routes[table.urn]
        for net in attachment.prefixes.nets:
            routes.append(Route(table.urn, net, attachment.key, False, False, res.urn, f"{description} ({net})"))
        if attachment.prefixes.dynamic:
            routes.append(Route(table.urn, None, attachment.key, False, False, res.urn, description))

    def _add_static(self, res: Res) -> None:
        table = self._table_for(res)
        if table is None:
            self.unresolvable(f"route {res.name}: cannot resolve its route table")
            return
        prefix = parse_cidr(res.get("destinationCidrBlock"))
        if prefix is None:
            self.note(f"route {res.name}: destination unknown; treated as dynamic")
        if res.get("blackhole") is True:
            self.routes[table.urn].append(
                Route(table.urn, prefix, None, True, True, res.urn, f"blackhole route {prefix}"))
            return
        attachment = self.attachment_for(res)
        if attachment is None:
            self.unresolvable(f"route {res.name}: cannot resolve its target attachment")
            return
        if prefix is not None and prefix in self._dns_only():
            self.dns_routes.append(DnsRoute(table.name, table.segment, str(prefix), self._dns_only()[prefix],
                                            attachment.name, attachment.segment, res.urn))
            return
        self.routes[table.urn].append(Route(
            table.urn, prefix, attachment.key, True, False, res.urn,
            f"static route {prefix or '(unknown prefix)'} to {attachment.label()}"))

    def _dns_only(self) -> dict[Net, str]:
        """Prefixes that only DNS uses: resolver endpoints' subnets and forwarding rules' target hosts (/32)."""
        if self._dns_prefixes is None:
            found: dict[Net, str] = {}
            for endpoint in self.g.of_type(RESOLVER_ENDPOINT):
                for subnet in self.g.resolve(endpoint, "ipAddresses", (SUBNET,)):
                    net = parse_cidr(subnet.get("cidrBlock"))
                    if net is not None:
                        found[net] = "endpoint-subnet"
            for rule in self.g.of_type(RESOLVER_RULE):
                for target in rule.get("targetIps") or []:
                    ip = target.get("ip") if isinstance(target, dict) else None
                    net = parse_cidr(f"{ip}/32") if isinstance(ip, str) and not is_unknown(ip) else None
                    if net is not None:
                        found[net] = "resolver-host"
            self._dns_prefixes = found
        return self._dns_prefixes


def _missing(table: Table | None) -> str:
    return "route table" if table is None else "attachment"


def built(resources: Iterable[Any]) -> Builder:
    graph = resources if isinstance(resources, Graph) else Graph(resources)
    builder = Builder(graph)
    builder.build_attachments()
    builder.build_tables()
    builder.build_links()
    return builder


def table_links(resources: Iterable[Any]) -> tuple[list[Link], list[str]]:
    """Every resolved association and propagation, plus the references that could not be resolved."""
    builder = built(resources)
    return builder.links, builder.unresolved
