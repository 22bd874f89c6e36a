"""The Transit Gateway routing of the landing zone, derived from the config's reachability intent (pure, no pulumi).

Nothing here is hand-listed: which attachment is associated with which segment table, which attachments propagate
into which table, the static routes (static VPNs, the peer region over TGW peering) and the blackholes all follow
from `network.reachability` (symmetric; every segment also reaches itself), the accounts' segments and VPCs, and the
hybrid config. The components in components/network/ only turn this plan into resources, so the plan can be read,
tested and reasoned about without Pulumi (and `lz diagram` shows the same Direct Connect prefixes the hub announces).

Attachment keys: ``vpc:<account>`` (a spoke VPC of that account in the hub's region), ``vpn:<name>`` (site-to-site
VPN), ``dx:<name>`` (Direct Connect gateway association), ``peering`` (the TGW peering to the other region).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from landing_zone.models import LandingZoneConfig
from landing_zone.segments import HYBRID, Intent

PEERING = "peering"
PEERING_TABLE = "transit"  # the table that routes what arrives over the TGW peering (segment tag `transit`)
# Address blocks an organization's private ranges normally come from; NACLs allow "internal" traffic per block of
# what their segment may reach, so appending accounts never changes a NACL (see segment_blocks).
PRIVATE_BLOCKS = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")


@dataclass(frozen=True)
class VpcSite:
    account: str
    region: str
    cidr: str
    segment: str

    @property
    def key(self) -> str:
        return f"vpc:{self.account}"


@dataclass
class TablePlan:
    """One TGW route table: what is associated with it and which routes it holds."""

    segment: str
    associate: list[str] = field(default_factory=list)  # attachment keys
    propagate: list[str] = field(default_factory=list)  # attachment keys
    static: dict[str, str] = field(default_factory=dict)  # destination CIDR -> attachment key
    blackhole: list[str] = field(default_factory=list)  # destination CIDRs


@dataclass
class RegionPlan:
    region: str
    tables: dict[str, TablePlan]  # segment (or PEERING_TABLE) -> plan
    segment_of: dict[str, str]  # attachment key -> segment

    def only(self, keys: set[str], blackholes: bool) -> RegionPlan:
        """The part of the plan one stack writes: the entries of the attachments `keys` (and the blackholes, which
        belong to the hub's own stack). In split mode an account stack routes only its own attachments."""
        tables = {seg: TablePlan(seg, [k for k in t.associate if k in keys], [k for k in t.propagate if k in keys],
                                 {cidr: k for cidr, k in t.static.items() if k in keys},
                                 list(t.blackhole) if blackholes else [])
                  for seg, t in self.tables.items()}
        return RegionPlan(self.region, tables, {k: s for k, s in self.segment_of.items() if k in keys})

    @property
    def empty(self) -> bool:
        return not any(t.associate or t.propagate or t.static or t.blackhole for t in self.tables.values())


def vpc_sites(cfg: LandingZoneConfig) -> list[VpcSite]:
    """Every account x region with a VPC, in config order (the network account's own VPCs included)."""
    return [VpcSite(a.name, region, vpc.cidr, a.network_segment) for a in cfg.accounts for region, vpc in a.vpcs.items()]


def vpn_region(cfg: LandingZoneConfig, gateway) -> str:
    return gateway.region or cfg.organization.home_region


def hybrid_regions(cfg: LandingZoneConfig) -> set[str]:
    """Regions whose hub terminates on-premises connectivity (VPN or Direct Connect)."""
    regions = {vpn_region(cfg, gw) for gw in cfg.network.vpn}
    if cfg.network.direct_connect:
        regions.add(cfg.organization.home_region)
    return regions


def peered(cfg: LandingZoneConfig) -> bool:
    return bool(cfg.organization.dr_region and cfg.network.dr_peering)


def on_premises_ranges(cfg: LandingZoneConfig) -> list[str]:
    """On-premises destinations: the declared ranges plus every static VPN route (de-duplicated, config order)."""
    ranges = list(cfg.network.on_premises_cidrs)
    for gw in cfg.network.vpn:
        ranges += [c for c in gw.static_routes if c not in ranges]
    return list(dict.fromkeys(ranges))


def direct_connect_prefixes(cfg: LandingZoneConfig) -> list[str]:
    """Allowed prefixes of the DX gateway association: explicit, else the home VPC CIDRs of the DX accounts."""
    dx = cfg.network.direct_connect
    if dx is None:
        return []
    if dx.allowed_prefixes:
        return list(dx.allowed_prefixes)
    home = cfg.organization.home_region
    return [cfg.account(name).vpcs[home].cidr for name in dx.accounts if home in cfg.account(name).vpcs]


def region_plan(cfg: LandingZoneConfig, region: str) -> RegionPlan:
    """Associations, propagations, static and blackhole routes of the hub in `region`."""
    intent = Intent(cfg.network.reachability)
    sites = vpc_sites(cfg)
    local = [s for s in sites if s.region == region]
    remote = [s for s in sites if s.region != region] if peered(cfg) else []
    segment_of = {s.key: s.segment for s in local}
    bgp: list[str] = []  # hybrid attachments whose prefixes arrive by BGP (propagated)
    static_vpn: dict[str, str] = {}  # on-premises CIDR -> static VPN attachment key (first VPN wins)
    for gw in cfg.network.vpn:
        if vpn_region(cfg, gw) != region:
            continue
        segment_of[f"vpn:{gw.name}"] = HYBRID
        if gw.bgp_asn is None:
            for cidr in gw.static_routes:
                static_vpn.setdefault(cidr, f"vpn:{gw.name}")
        else:
            bgp.append(f"vpn:{gw.name}")
    dx = cfg.network.direct_connect
    if dx and region == cfg.organization.home_region:
        segment_of[f"dx:{dx.name}"] = HYBRID
        bgp.append(f"dx:{dx.name}")
    on_prem_here = region in hybrid_regions(cfg)
    tables: dict[str, TablePlan] = {}
    for segment in cfg.network.segments:
        table = TablePlan(segment)
        table.associate = [k for k, s in segment_of.items() if s == segment]
        # Propagation only inside a segment (and from BGP-speaking hybrid attachments): a table never learns another
        # segment's VPCs by propagation, so no table mixes prod and non-prod links; the other segments it may
        # reach get explicit static routes to their attachments.
        table.propagate = [s.key for s in local if s.segment == segment]
        if intent.reaches(segment, HYBRID):
            table.propagate += bgp
        for site in local:
            if site.segment != segment and intent.reaches(segment, site.segment):
                table.static[site.cidr] = site.key
        if intent.reaches(segment, HYBRID):
            if on_prem_here:
                table.static.update(static_vpn)
            elif remote and hybrid_regions(cfg):
                table.static.update({c: PEERING for c in on_premises_ranges(cfg)})
        else:
            # Defense in depth: even if an on-premises route were propagated here by mistake, the static blackhole
            # of the same prefix wins (and on-premises prefixes never leak into this segment through the peer).
            table.blackhole = [c for c in on_premises_ranges(cfg) if c not in table.static]
        for site in remote:
            if intent.reaches(segment, site.segment):
                table.static[site.cidr] = PEERING
        tables[segment] = table
    if peered(cfg):
        segment_of[PEERING] = PEERING_TABLE
        # What arrives over the peering was already restricted by the sending segment's table (it only routes the
        # peer-region CIDRs its intent allows): here it only needs a way to every local attachment.
        transit = TablePlan(PEERING_TABLE, associate=[PEERING], propagate=list(bgp))
        transit.static = {s.cidr: s.key for s in local}
        transit.static.update(static_vpn)
        tables[PEERING_TABLE] = transit
    return RegionPlan(region, tables, segment_of)


@dataclass(frozen=True)
class AttachmentTables:
    """The route tables (by segment) one attachment is wired into: what its owner's network role may touch."""

    associate: tuple[str, ...]
    propagate: tuple[str, ...]
    route: tuple[str, ...]  # tables with a static route toward it

    @property
    def all(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*self.associate, *self.propagate, *self.route]))


def attachment_tables(plan: RegionPlan, key: str) -> AttachmentTables:
    """Where the plan wires the attachment `key` (e.g. `vpc:<account>`)."""
    tables = plan.tables.values()
    return AttachmentTables(
        associate=tuple(t.segment for t in tables if key in t.associate),
        propagate=tuple(t.segment for t in tables if key in t.propagate),
        route=tuple(t.segment for t in tables if key in t.static.values()))


def vpc_destinations(cfg: LandingZoneConfig, site: VpcSite) -> list[str]:
    """CIDRs a spoke VPC sends to the TGW: the organization's private blocks, when its segment reaches anything.

    Summarized on purpose (AWS's multi-VPC guidance, LZA's default): the segment route tables on the TGW decide who
    reaches whom (and `lz reach` / X-17 prove it), so a spoke needs only a constant handful of routes. Per-VPC
    routes would grow with every account (O(n^2) in all, past the 50-routes-per-table quota at ~50 accounts) and
    would change existing route tables whenever an account is appended.
    """
    intent = Intent(cfg.network.reachability)
    reaches_out = any(intent.reaches(site.segment, other) for other in cfg.network.segments if other != site.segment)
    same_segment_peers = any(o != site and o.segment == site.segment for o in vpc_sites(cfg))
    return internal_blocks(cfg) if reaches_out or same_segment_peers else []


def segment_cidrs(cfg: LandingZoneConfig, segment: str) -> list[str]:
    """The address ranges of a segment: its VPCs in every region (on-premises ranges for hybrid)."""
    if segment == HYBRID:
        return on_premises_ranges(cfg)
    return [s.cidr for s in vpc_sites(cfg) if s.segment == segment]


def enclosing_block(cidr: str) -> str:
    """The private block (PRIVATE_BLOCKS) that holds `cidr`, or the range itself when it is outside them all."""
    net = ipaddress.IPv4Network(cidr)
    return next((b for b in PRIVATE_BLOCKS if net.subnet_of(ipaddress.IPv4Network(b))), cidr)


def _block_order(block: str) -> tuple[int, str]:
    """PRIVATE_BLOCKS first, in their order; ranges outside them after, by text."""
    return (PRIVATE_BLOCKS.index(block) if block in PRIVATE_BLOCKS else len(PRIVATE_BLOCKS), block)


def internal_blocks(cfg: LandingZoneConfig) -> list[str]:
    """The private blocks (PRIVATE_BLOCKS) that hold the organization's ranges, plus any range outside them.

    NACLs allow internal traffic per block: the TGW route tables and security groups do the fine-grained
    segmentation, the NACLs keep the internet out of the private tiers. Per-block rules stay the same when accounts
    are appended (no NACL churn, no 20-rule quota as the organization grows).
    """
    ranges = [s.cidr for s in vpc_sites(cfg)] + on_premises_ranges(cfg)
    if cfg.network.client_vpn:
        ranges.append(cfg.network.client_vpn.cidr)
    blocks = list(dict.fromkeys(enclosing_block(cidr) for cidr in ranges))
    return sorted(blocks, key=_block_order)


def reachable_ranges(cfg: LandingZoneConfig, segment: str) -> list[str]:
    """Every range a VPC of `segment` may exchange traffic with, by the reachability intent: the VPCs of its own and
    of each segment it reaches, and the on-premises ranges when it reaches hybrid. (Client VPN users arrive with the
    addresses of the endpoint's interfaces in the network account's VPC, never from the client pool.)"""
    intent = Intent(cfg.network.reachability)
    ranges = [s.cidr for s in vpc_sites(cfg) if intent.reaches(segment, s.segment)]
    if intent.reaches(segment, HYBRID):
        ranges += on_premises_ranges(cfg)
    return list(dict.fromkeys(ranges))


def segment_blocks(cfg: LandingZoneConfig, segment: str) -> list[str]:
    """The private blocks (enclosing_block) of the ranges `segment` may reach: what its VPCs' NACLs allow inside.

    Per block, like internal_blocks, so appending an account of a reachable segment never changes a NACL; a block
    nothing reachable lives in (e.g. on-premises 192.168/16 for the sandbox) stays closed.
    """
    blocks = list(dict.fromkeys(enclosing_block(cidr) for cidr in reachable_ranges(cfg, segment)))
    return sorted(blocks, key=_block_order)


def dr_transit_gateway_asn(cfg: LandingZoneConfig) -> int:
    """The DR hub's ASN: the next private ASN after the home TGW's that no DX gateway or customer gateway uses."""
    taken = {cfg.network.transit_gateway_asn} | {gw.bgp_asn for gw in cfg.network.vpn if gw.bgp_asn}
    if cfg.network.direct_connect:
        taken.add(cfg.network.direct_connect.amazon_side_asn)
    asn = cfg.network.transit_gateway_asn + 1
    while asn in taken:
        asn += 1
    return asn
