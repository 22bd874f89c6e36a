"""Transit Gateway networking: hubs per region, spoke VPCs, hybrid connectivity, DR peering, segment routing, and
hybrid DNS (Route 53 Resolver, private zones, DNS Firewall and query logging: dns.py, dns_zones.py).

`build_network` composes them in order from the config and the account handles; __main__.py calls it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi

from components.alarm_forwarding import AlarmBus
from components.context import AccountContext, LogArchive, VpcHandle
from components.network.dns import (
    HybridDns,
    ResolverArgs,
    ResolverEndpoints,
    ResolverRegion,
    ResolverShared,
    SpokeDns,
)
from components.network.dns_zones import PrivateZones, PrivateZonesArgs
from components.network.hub import HubHandle, NetworkHub, NetworkHubArgs
from components.network.hybrid import (
    ClientVpnEndpoint,
    ClientVpnEndpointArgs,
    HybridConnectivity,
    HybridConnectivityArgs,
)
from components.network.peering import HubPeering, HubPeeringArgs
from components.network.routing import SegmentRouting, SegmentRoutingArgs
from components.network.vpc import SpokeVpc, SpokeVpcArgs
from landing_zone.client_vpn import authorization_ranges, client_vpn_routes, client_vpn_source_cidrs
from landing_zone.dns import dns_routes, resolver_subnets, vpc_regions
from landing_zone.models import LandingZoneConfig
from landing_zone.routing import (
    PEERING,
    PEERING_TABLE,
    VpcSite,
    direct_connect_prefixes,
    dr_transit_gateway_asn,
    peered,
    region_plan,
    segment_blocks,
    vpc_destinations,
    vpn_region,
)

__all__ = ["Network", "NetworkScope", "NetworkUpstream", "build_network", "hub_segments"]


@dataclass
class Network:
    hubs: dict[str, NetworkHub]
    spokes: dict[tuple[str, str], SpokeVpc]
    vpcs: dict[tuple[str, str], VpcHandle]
    hybrid: dict[str, HybridConnectivity]
    routing: dict[str, SegmentRouting]
    peering: HubPeering | None = None
    client_vpn: ClientVpnEndpoint | None = None
    outputs: dict = field(default_factory=dict)
    dns: HybridDns | None = None


@dataclass(frozen=True)
class NetworkUpstream:
    """The hubs' side as another stack built it (split mode: the network stack's outputs, components/stacks/)."""

    hubs: dict[str, HubHandle]  # region -> hub
    resolvers: dict[str, ResolverShared] = field(default_factory=dict)  # region -> what its VPCs associate with
    zone_ids: dict[str, pulumi.Input[str]] = field(default_factory=dict)  # environment -> private zone id


@dataclass(frozen=True)
class NetworkScope:
    """What one stack builds of the network. Single mode: everything. Split mode: the network stack builds the hubs'
    side and the network account's VPCs; an account stack builds its own VPCs with their hub-side routing and DNS
    associations, against the hubs of `upstream`."""

    accounts: frozenset[str] | None = None  # whose VPCs (None: every account's)
    upstream: NetworkUpstream | None = None  # None: this stack builds the hubs' side

    @property
    def hubs(self) -> bool:
        return self.upstream is None

    def builds_vpcs_of(self, account: str) -> bool:
        return self.accounts is None or account in self.accounts


EVERYTHING = NetworkScope()


def organization_id_of(organization_arn: pulumi.Input[str]) -> pulumi.Output[str]:
    """o-xxxxxxxxxx from the organization's ARN (arn:aws:organizations::<management>:organization/o-xxxxxxxxxx)."""
    return pulumi.Output.from_input(organization_arn).apply(lambda arn: arn.rsplit("/", 1)[-1])


def build_network(cfg: LandingZoneConfig, accounts: dict[str, AccountContext], log_archive: LogArchive,
                  organization_arn: pulumi.Input[str], sharing_enabled: Sequence[pulumi.Resource] = (),
                  alarm_bus: AlarmBus | None = None, scope: NetworkScope = EVERYTHING) -> Network:
    """sharing_enabled: what must exist before the hubs (and the resolvers) share with the organization (RAM sharing
    enabled in it); alarm_bus: where the DNS Firewall block alarms are forwarded (the security account's bus);
    scope: which part this stack builds (split mode)."""
    network = accounts[cfg.account_with_role("network").name]
    home, dr = cfg.organization.home_region, cfg.organization.dr_region
    hubs = {region: NetworkHub(f"hub-{region}", hub_args(cfg, network, region, organization_arn, sharing_enabled),
                               pulumi.ResourceOptions(depends_on=list(sharing_enabled)))
            for region in cfg.regions} if scope.hubs else {}
    handles: dict[str, HubHandle] = {r: h.handle for r, h in hubs.items()} if scope.hubs else scope.upstream.hubs
    admin_cidrs = tuple(client_vpn_source_cidrs(cfg))
    organization_id = organization_id_of(organization_arn)
    spokes: dict[tuple[str, str], SpokeVpc] = {}
    for account in cfg.accounts:  # config order: the network account's VPCs come with it
        if not scope.builds_vpcs_of(account.name):
            continue
        for region, vpc in account.vpcs.items():
            site = VpcSite(account.name, region, vpc.cidr, account.network_segment)
            spokes[(account.name, region)] = SpokeVpc(
                f"{account.name}-{region}",
                SpokeVpcArgs(account=accounts[account.name], region=region, vpc=vpc, hub=handles[region],
                             log_archive=log_archive, tgw_destinations=tuple(vpc_destinations(cfg, site)),
                             reachable_blocks=tuple(segment_blocks(cfg, site.segment)), admin_cidrs=admin_cidrs,
                             admin_ports=cfg.network.admin_ports, organization_id=organization_id,
                             admin_access=bool(account.workloads.data_hosts) and region == home,  # only hosts use it
                             internet_facing=bool(account.workloads.edge) and region == home))
    hybrid = {region: HybridConnectivity(f"hybrid-{region}", hybrid_args(cfg, handles[region]))
              for region in cfg.regions} if scope.hubs else {}
    peering = HubPeering(f"peering-{home}-{dr}", HubPeeringArgs(hub=handles[home], dr=handles[dr])) \
        if scope.hubs and peered(cfg) and dr else None
    routing: dict[str, SegmentRouting] = {}
    attachment_ids: dict[str, dict[str, pulumi.Input[str]]] = {}
    for region in cfg.regions:
        ids: dict[str, pulumi.Input[str]] = {
            f"vpc:{acct}": spoke.accepted for (acct, r), spoke in spokes.items() if r == region}
        if region in hybrid:
            ids.update(hybrid[region].attachment_ids)
        if peering is not None:
            ids[PEERING] = peering.home_attachment_id if region == home else peering.dr_attachment_id
        attachment_ids[region] = ids
        plan = region_plan(cfg, region)
        if scope != EVERYTHING:  # this stack's part: its attachments' entries (and the hub's blackholes)
            plan = plan.only(set(ids), blackholes=scope.hubs)
        if scope.hubs or not plan.empty:
            routing[region] = SegmentRouting(f"routing-{region}", SegmentRoutingArgs(
                hub=handles[region], plan=plan, attachment_ids=ids))
    client_vpn = None
    if cfg.network.client_vpn and scope.hubs:
        host = spokes[(network.name, home)]
        client_vpn = ClientVpnEndpoint(f"client-vpn-{home}", client_vpn_args(
            cfg, handles[home], host.vpc.id, host.args.vpc.cidr, [s.id for s in host.subnets["private"]]))
    dns = build_dns(cfg, accounts, handles, spokes, attachment_ids, alarm_bus, organization_arn, sharing_enabled,
                    scope.upstream)
    vpcs = {key: spoke.handle for key, spoke in spokes.items()}
    outputs = {
        "transitGatewayIds": {r: h.transit_gateway_id for r, h in handles.items()},
        "vpcIds": {f"{a}/{r}": h.vpc_id for (a, r), h in vpcs.items()},
    }
    if client_vpn is not None:
        outputs["clientVpnEndpointId"] = client_vpn.endpoint.id
    return Network(hubs, spokes, vpcs, hybrid, routing, peering, client_vpn, outputs, dns)


def hub_args(cfg: LandingZoneConfig, network: AccountContext, region: str, organization_arn: pulumi.Input[str],
             sharing_enabled: Sequence[pulumi.Resource]) -> NetworkHubArgs:
    """The hub of `region`: the home TGW has the configured ASN; a table per segment, plus the peering's."""
    home = region == cfg.organization.home_region
    segments = hub_segments(cfg)
    return NetworkHubArgs(
        account=network, region=region, organization_name=cfg.organization.name,
        amazon_side_asn=cfg.network.transit_gateway_asn if home else dr_transit_gateway_asn(cfg),
        route_table_segments=tuple(segments), organization_arn=organization_arn,
        sharing_enabled=tuple(sharing_enabled))


def hub_segments(cfg: LandingZoneConfig) -> list[str]:
    """The route tables of every hub: one per segment, plus the peering's with DR peering."""
    return list(cfg.network.segments) + ([PEERING_TABLE] if cfg.organization.dr_region and cfg.network.dr_peering else [])


def hybrid_args(cfg: LandingZoneConfig, hub: HubHandle) -> HybridConnectivityArgs:
    """The VPNs that terminate on the hub and, on the home hub, the Direct Connect gateway."""
    dx = cfg.network.direct_connect if hub.region == cfg.organization.home_region else None
    return HybridConnectivityArgs(
        hub=hub, vpn=tuple(gw for gw in cfg.network.vpn if vpn_region(cfg, gw) == hub.region), direct_connect=dx,
        direct_connect_prefixes=tuple(direct_connect_prefixes(cfg)) if dx else (),
        organization_name=cfg.organization.name, log_retention_days=cfg.security.log_retention_days)


def client_vpn_args(cfg: LandingZoneConfig, hub: HubHandle, vpc_id: pulumi.Input[str], vpc_cidr: str,
                    subnet_ids: list[pulumi.Input[str]]) -> ClientVpnEndpointArgs:
    cvpn = cfg.network.client_vpn
    assert cvpn is not None
    ranges = {rule.group: tuple(authorization_ranges(cfg, rule)) for rule in cvpn.authorization}
    authorized = list(dict.fromkeys(c for group_ranges in ranges.values() for c in group_ranges))
    return ClientVpnEndpointArgs(
        hub=hub, client_vpn=cvpn, authorized_ranges=ranges, routes=tuple(client_vpn_routes(cfg, authorized)),
        vpc_id=vpc_id, vpc_cidr=vpc_cidr, subnet_ids=tuple(subnet_ids), organization_name=cfg.organization.name,
        log_retention_days=cfg.security.log_retention_days)


def build_dns(cfg: LandingZoneConfig, accounts: dict[str, AccountContext], hubs: dict[str, HubHandle],
              spokes: dict[tuple[str, str], SpokeVpc], attachment_ids: dict[str, dict[str, pulumi.Input[str]]],
              alarm_bus: AlarmBus | None, organization_arn: pulumi.Input[str],
              sharing_enabled: Sequence[pulumi.Resource], upstream: NetworkUpstream | None = None) -> HybridDns | None:
    """The resolver of every region with VPCs and the private zones (network.resolver; None without it). With
    `upstream` (an account stack), only this stack's VPCs' associations with what the network stack shares."""
    resolver = cfg.network.resolver
    if resolver is None:
        return None
    network = accounts[cfg.account_with_role("network").name]
    vpcs = tuple(SpokeDns(accounts[acct], spoke.handle) for (acct, _), spoke in spokes.items())
    regions: dict[str, ResolverRegion] = {}
    for region in vpc_regions(cfg):
        local = tuple(v for v in vpcs if v.vpc.region == region)
        if upstream is not None and not local:
            continue
        host = spokes.get((network.name, region)) if upstream is None else None
        endpoints = ResolverEndpoints(
            vpc=host.handle, attached=(host.attachment,), subnet_cidrs=tuple(resolver_subnets(cfg, region)),
            forward_domains=tuple(resolver.forward_domains)) if host else None
        regions[region] = ResolverRegion(f"resolver-{region}", ResolverArgs(
            account=network, region=region, organization_name=cfg.organization.name, hub=hubs[region],
            on_premises_resolvers=tuple(resolver.on_premises_resolvers), endpoints=endpoints,
            firewall_lists=dict(resolver.firewall_managed_lists[region]),
            log_retention_days=cfg.security.log_retention_days, tgw_routes=dns_routes(cfg, region),
            attachment_ids=attachment_ids[region], vpcs=local, alarm_bus=alarm_bus, organization_arn=organization_arn,
            sharing_enabled=tuple(sharing_enabled), shared=upstream.resolvers[region] if upstream else None))
    zones = None
    home = cfg.organization.home_region
    if resolver.private_zones and (upstream is None or vpcs):
        zones = PrivateZones("private-zones", PrivateZonesArgs(
            account=network, region=home, organization_name=cfg.organization.name, zones=dict(resolver.private_zones),
            first_vpc=spokes[(network.name, home)].handle if upstream is None else None, vpcs=vpcs,
            zone_ids=upstream.zone_ids if upstream else None))
    return HybridDns(regions, zones)
