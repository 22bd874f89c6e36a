"""The Client VPN's planning (pure, no pulumi): which subnets it associates with, where its users' traffic comes from
inside AWS, which ranges each identity-provider group may reach and which routes the clients get.

components/network (the endpoint, the VPCs' admin security groups) and components/workloads (EKS's API access) build
from these; the policy pack's admin-source rule checks the same ranges.
"""

from __future__ import annotations

from landing_zone.models import ClientVpnAuthorization, LandingZoneConfig
from landing_zone.routing import enclosing_block, segment_cidrs
from landing_zone.subnets import by_tier, plan_subnets

CLIENT_VPN_MAX_ASSOCIATIONS = 2  # two AZs keep the VPN up through an AZ outage; each association is billed hourly


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


def authorization_ranges(cfg: LandingZoneConfig, rule: ClientVpnAuthorization) -> list[str]:
    """The ranges one group may reach: its segments' ranges, then its extra CIDRs (de-duplicated, config order)."""
    return list(dict.fromkeys([c for seg in rule.segments for c in segment_cidrs(cfg, seg)] + list(rule.cidrs)))


def client_vpn_routes(cfg: LandingZoneConfig, authorized: list[str]) -> list[str]:
    """Routes pushed to clients: the private block around each authorized range (few routes, stable as accounts are
    appended); what a client may actually reach is decided per range by the authorization rules."""
    return list(dict.fromkeys(enclosing_block(cidr) for cidr in authorized))
