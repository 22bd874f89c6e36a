"""Transit Gateway networking: hubs per region, spoke VPCs, hybrid connectivity, DR peering, segment routing.

`build_network` composes them in order from the config and the account handles; __main__.py calls it once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi

from components.context import AccountContext, LogArchive, VpcHandle
from components.network.hub import HubHandle, NetworkHub
from components.network.hybrid import ClientVpnEndpoint, HybridConnectivity
from components.network.peering import HubPeering
from components.network.routing import SegmentRouting
from components.network.vpc import SpokeArgs, SpokeVpc
from landing_zone.client_vpn import client_vpn_source_cidrs
from landing_zone.models import LandingZoneConfig
from landing_zone.routing import PEERING, peered, region_plan

__all__ = ["Network", "build_network"]


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


def organization_id_of(organization_arn: pulumi.Input[str]) -> pulumi.Output[str]:
    """o-xxxxxxxxxx from the organization's ARN (arn:aws:organizations::<management>:organization/o-xxxxxxxxxx)."""
    return pulumi.Output.from_input(organization_arn).apply(lambda arn: arn.rsplit("/", 1)[-1])


def build_network(cfg: LandingZoneConfig, accounts: dict[str, AccountContext], log_archive: LogArchive,
                  organization_arn: pulumi.Input[str], depends_on: list[pulumi.Resource] | None = None) -> Network:
    """depends_on: what must exist before the hubs share their TGW (RAM sharing enabled in the organization)."""
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
    for region in cfg.regions:
        ids: dict[str, pulumi.Input[str]] = {
            f"vpc:{acct}": spoke.accepted for (acct, r), spoke in spokes.items() if r == region}
        ids.update(hybrid[region].attachment_ids)
        if peering is not None:
            ids[PEERING] = peering.home_attachment_id if region == home else peering.dr_attachment_id
        routing[region] = SegmentRouting(f"routing-{region}", hub=handles[region], plan=region_plan(cfg, region),
                                         attachment_ids=ids)
    client_vpn = None
    if cfg.network.client_vpn:
        host = spokes[(network.name, home)]
        client_vpn = ClientVpnEndpoint(
            f"client-vpn-{home}", cfg=cfg, hub=handles[home], vpc_id=host.vpc.id, vpc_cidr=host.site.cidr,
            subnet_ids=[s.id for s in host.subnets["private"]])
    vpcs = {key: spoke.handle for key, spoke in spokes.items()}
    outputs = {
        "transitGatewayIds": {r: h.transit_gateway.id for r, h in hubs.items()},
        "vpcIds": {f"{a}/{r}": h.vpc_id for (a, r), h in vpcs.items()},
    }
    if client_vpn is not None:
        outputs["clientVpnEndpointId"] = client_vpn.endpoint.id
    return Network(hubs, spokes, vpcs, hybrid, routing, peering, client_vpn, outputs)
