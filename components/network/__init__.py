"""Transit Gateway networking: hubs per region, spoke VPCs, hybrid connectivity, DR peering, segment routing.

`build_network` composes them in order from the config and the account handles; __main__.py calls it once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi

from components.alarm_forwarding import AlarmBus
from components.context import AccountContext, LogArchive, VpcHandle
from components.network.dns import HybridDns, build_dns
from components.network.hub import HubHandle, NetworkHub
from components.network.hybrid import CLIENT_VPN_MAX_ASSOCIATIONS, ClientVpnEndpoint, HybridConnectivity
from components.network.peering import HubPeering
from components.network.routing import SegmentRouting
from components.network.routing_plan import PEERING, peered, region_plan
from components.network.vpc import SpokeArgs, SpokeVpc
from landing_zone.models import LandingZoneConfig
from landing_zone.subnets import by_tier, plan_subnets

__all__ = ["Network", "build_network", "client_vpn_source_cidrs"]


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


def client_vpn_source_cidrs(cfg: LandingZoneConfig) -> list[str]:
    """Where Client VPN traffic comes from inside AWS.

    The Client VPN source-NATs its clients to the addresses of its network interfaces in the associated subnets
    (the network account's home private subnets), so hosts see those addresses, never the client range: SSH/RDP is
    allowed from exactly these subnets.
    """
    cvpn = cfg.network.client_vpn
    if cvpn is None:
        return []
    network = cfg.account_with_role("network")
    vpc = network.vpcs[cfg.organization.home_region]
    private = by_tier(plan_subnets(vpc.cidr, vpc.azs, vpc.tiers.model_dump()))["private"]
    return private[:CLIENT_VPN_MAX_ASSOCIATIONS]


def organization_id_of(organization_arn: pulumi.Input[str]) -> pulumi.Output[str]:
    """o-xxxxxxxxxx from the organization's ARN (arn:aws:organizations::<management>:organization/o-xxxxxxxxxx)."""
    return pulumi.Output.from_input(organization_arn).apply(lambda arn: arn.rsplit("/", 1)[-1])


def build_network(cfg: LandingZoneConfig, accounts: dict[str, AccountContext], log_archive: LogArchive,
                  organization_arn: pulumi.Input[str], depends_on: list[pulumi.Resource] | None = None,
                  alarm_bus: AlarmBus | None = None) -> Network:
    """depends_on: what must exist before the hubs share their TGW (RAM sharing enabled in the organization);
    alarm_bus: where the DNS Firewall block alarms are forwarded (the security account's bus)."""
    network = accounts[cfg.account_with_role("network").name]
    home, dr = cfg.organization.home_region, cfg.organization.dr_region
    hubs = {region: NetworkHub(f"hub-{region}", cfg=cfg, network=network, region=region,
                               organization_arn=organization_arn, sharing_enabled=depends_on or [],
                               opts=pulumi.ResourceOptions(depends_on=depends_on or []))
            for region in cfg.regions}
    handles: dict[str, HubHandle] = {r: h.handle for r, h in hubs.items()}
    admin_cidrs = client_vpn_source_cidrs(cfg)
    organization_id = organization_id_of(organization_arn)
    spokes: dict[tuple[str, str], SpokeVpc] = {}
    for account in cfg.accounts:  # config order: the network account's VPCs come with it
        for region, vpc in account.vpcs.items():
            spokes[(account.name, region)] = SpokeVpc(
                f"{account.name}-{region}",
                SpokeArgs(cfg=cfg, account=accounts[account.name], region=region, vpc=vpc, hub=handles[region],
                          log_archive=log_archive, admin_cidrs=admin_cidrs, organization_id=organization_id,
                          admin_access=bool(account.workloads.data_hosts) and region == home,  # only hosts use it
                          internet_facing=bool(account.workloads.edge) and region == home))
    hybrid = {region: HybridConnectivity(f"hybrid-{region}", cfg=cfg, hub=handles[region]) for region in cfg.regions}
    peering = HubPeering(f"peering-{home}-{dr}", home=handles[home], dr=handles[dr]) if peered(cfg) and dr else None
    routing: dict[str, SegmentRouting] = {}
    attachment_ids: dict[str, dict[str, pulumi.Input[str]]] = {}
    for region in cfg.regions:
        ids: dict[str, pulumi.Input[str]] = {
            f"vpc:{acct}": spoke.accepted for (acct, r), spoke in spokes.items() if r == region}
        ids.update(hybrid[region].attachment_ids)
        if peering is not None:
            ids[PEERING] = peering.home_attachment_id if region == home else peering.dr_attachment_id
        attachment_ids[region] = ids
        routing[region] = SegmentRouting(f"routing-{region}", hub=handles[region], plan=region_plan(cfg, region),
                                         attachment_ids=ids)
    client_vpn = None
    if cfg.network.client_vpn:
        host = spokes[(network.name, home)]
        client_vpn = ClientVpnEndpoint(
            f"client-vpn-{home}", cfg=cfg, hub=handles[home], vpc_id=host.vpc.id, vpc_cidr=host.site.cidr,
            subnet_ids=[s.id for s in host.subnets["private"]])
    dns = build_dns(cfg, accounts, handles, spokes, attachment_ids, alarm_bus, organization_arn, depends_on or [])
    vpcs = {key: spoke.handle for key, spoke in spokes.items()}
    outputs = {
        "transitGatewayIds": {r: h.transit_gateway.id for r, h in hubs.items()},
        "vpcIds": {f"{a}/{r}": h.vpc_id for (a, r), h in vpcs.items()},
    }
    if client_vpn is not None:
        outputs["clientVpnEndpointId"] = client_vpn.endpoint.id
    return Network(hubs, spokes, vpcs, hybrid, routing, peering, client_vpn, outputs, dns)
