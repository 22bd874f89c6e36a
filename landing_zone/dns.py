"""Hybrid DNS planning (pure, no pulumi import): where the resolver endpoints go, which Transit Gateway routes carry
DNS between them and the on-premises resolvers, and the config checks of `network.resolver`.

The segment intent normally keeps on-premises (hybrid) and the network account's VPC (shared) apart. DNS needs
exactly two narrow paths through that wall, and nothing else: the on-premises resolvers (each a /32) to the resolver
endpoints' own subnets, both ways. `dns_routes` plans them as static routes of those prefixes only; the pack's
reachability (and `lz reach`) reports them as DNS paths, so the segment matrix stays the intent's.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator

from landing_zone.models import LandingZoneConfig
from landing_zone.routing import PEERING
from landing_zone.segments import HYBRID
from landing_zone.subnets import DNS_TIER, TIERS, SubnetPlanError, plan_subnets

RESOLVER_AZS = 2  # a resolver endpoint needs two IP addresses in different AZs; each is billed hourly
DNS_PORT = 53
# Query logs go to a CloudWatch log group of the network account in each region (the metric filter on DNS Firewall
# blocks needs them there, and a configuration logs only VPCs of its own region): docs/dns.md
RESOLVER_QUERY_LOG_GROUP = "/landing-zone/route53-resolver-query-logs"
DNS_ALARM_PREFIX = "lz-dns-"  # alarms of this prefix in the network account reach the security alarm topic


def resolver_regions(cfg: LandingZoneConfig) -> list[str]:
    """Regions with resolver endpoints: every region where the network account has a VPC (home first)."""
    if cfg.network.resolver is None:
        return []
    network = cfg.account_with_role("network")
    return [r for r in cfg.regions if r in network.vpcs]


def vpc_regions(cfg: LandingZoneConfig) -> list[str]:
    """Regions with any VPC: each gets a query logging configuration and a DNS Firewall rule group."""
    if cfg.network.resolver is None:
        return []
    return [r for r in cfg.regions if any(r in a.vpcs for a in cfg.accounts)]


def resolver_subnets(cfg: LandingZoneConfig, region: str) -> list[str]:
    """The resolver endpoints' subnets (one per AZ, two AZs) in the network account's VPC of `region`."""
    vpc = cfg.account_with_role("network").vpcs[region]
    planned = plan_subnets(vpc.cidr, vpc.azs, vpc.tiers.model_dump(), tiers=(*TIERS, DNS_TIER))
    return [s.cidr for s in planned if s.tier == DNS_TIER][:RESOLVER_AZS]


def resolver_hosts(cfg: LandingZoneConfig) -> list[str]:
    """The on-premises resolvers as /32 prefixes (security groups, NACLs and routes use them)."""
    return host_prefixes(cfg.network.resolver.on_premises_resolvers) if cfg.network.resolver else []


def host_prefixes(ips: Iterable[str]) -> list[str]:
    return [f"{ip}/32" for ip in ips]


def _hybrid_key(cfg: LandingZoneConfig, region: str, ip: str) -> str | None:
    """The hybrid attachment (landing_zone.routing key) of `region` that leads to the on-premises resolver `ip`: the static VPN
    whose routes hold it, else the first BGP VPN of the region, else the Direct Connect gateway (home region)."""
    address = ipaddress.IPv4Address(ip)
    vpns = [gw for gw in cfg.network.vpn if (gw.region or cfg.organization.home_region) == region]
    for gw in vpns:
        if gw.bgp_asn is None and any(address in ipaddress.IPv4Network(c) for c in gw.static_routes):
            return f"vpn:{gw.name}"
    bgp = [gw for gw in vpns if gw.bgp_asn is not None]
    if bgp:
        return f"vpn:{bgp[0].name}"
    dx = cfg.network.direct_connect
    if dx and region == cfg.organization.home_region:
        return f"dx:{dx.name}"
    return None


def dns_routes(cfg: LandingZoneConfig, region: str) -> dict[str, dict[str, str]]:
    """Static TGW routes of the hub in `region` that carry DNS only: table (segment) -> destination -> attachment key.

    - the network VPC's table (its segment) sends each on-premises resolver (/32) to the hybrid attachment, or over
      the peering when on-premises connectivity ends in the other region;
    - the hybrid table sends each region's resolver subnets to the network VPC (local) or over the peering.
    The peering's own `transit` table already reaches every local VPC and the hybrid attachments.
    """
    if cfg.network.resolver is None:
        return {}
    network = cfg.account_with_role("network")
    segment = network.network_segment
    here = {key for ip in cfg.network.resolver.on_premises_resolvers if (key := _hybrid_key(cfg, region, ip))}
    tables: dict[str, dict[str, str]] = {}
    if region in resolver_regions(cfg):
        tables[segment] = {
            f"{ip}/32": _hybrid_key(cfg, region, ip) or PEERING for ip in cfg.network.resolver.on_premises_resolvers}
    if here:
        tables[HYBRID] = {cidr: f"vpc:{network.name}" if r == region else PEERING
                          for r in resolver_regions(cfg) for cidr in resolver_subnets(cfg, r)}
    return tables


# --- config checks -------------------------------------------------------------------------------------------------


def resolver_checks(cfg: LandingZoneConfig) -> Iterator[str]:
    """`network.resolver`: resolvers on-premises and reachable, domains unique, zones unique and apart from the
    forwarded domains, the endpoints' subnets fit the network VPCs, every VPC's region has endpoints."""
    res = cfg.network.resolver
    if res is None or not any(a.role == "network" for a in cfg.accounts):
        return  # a missing network account is reported by the core-role check
    path = "network.resolver"
    on_prem = [ipaddress.IPv4Network(c) for c in cfg.network.on_premises_cidrs]
    for i, ip in enumerate(res.on_premises_resolvers):
        if not any(ipaddress.IPv4Address(ip) in net for net in on_prem):
            yield (f"{path}.on_premises_resolvers[{i}]: {ip} is not inside network.on_premises_cidrs "
                   f"({', '.join(cfg.network.on_premises_cidrs) or 'none'})")
    yield from _unique(f"{path}.on_premises_resolvers", res.on_premises_resolvers)
    yield from _unique(f"{path}.forward_domains", res.forward_domains)
    yield from _unique(f"{path}.private_zones", list(res.private_zones.values()))
    for region in vpc_regions(cfg):
        if region not in res.firewall_managed_lists:
            yield (f"{path}.firewall_managed_lists: no managed domain lists for {region}, where VPCs need DNS "
                   f"Firewall (aws route53resolver list-firewall-domain-lists --region {region})")
    for region in res.firewall_managed_lists:
        if region not in vpc_regions(cfg):
            yield f"{path}.firewall_managed_lists.{region}: no VPC in {region}"
    for env, zone in res.private_zones.items():
        clash = next((d for d in res.forward_domains if _within(zone, d) or _within(d, zone)), None)
        if clash:
            yield (f"{path}.private_zones.{env}: {zone} overlaps forward_domains {clash}; a forwarding rule would "
                   "send its queries on-premises")
        if not any(a.environment == env and a.vpcs for a in cfg.accounts):
            yield f"{path}.private_zones.{env}: no account of environment {env} has a VPC to associate {zone} with"
    if not cfg.network.vpn and not cfg.network.direct_connect:
        yield f"{path}: hybrid DNS needs on-premises connectivity (network.vpn or network.direct_connect)"
    network = cfg.account_with_role("network")
    for region in cfg.regions:
        if region not in network.vpcs and any(region in a.vpcs for a in cfg.accounts):
            yield (f"{path}: accounts' VPCs in {region} need resolver endpoints there; give the network account "
                   f"({network.name}) a VPC in {region}")
    for region in resolver_regions(cfg):
        try:
            resolver_subnets(cfg, region)
        except SubnetPlanError as e:
            yield f"accounts[{cfg.accounts.index(network)}].vpcs.{region}.tiers: no room for the resolver subnets: {e}"


def _unique(path: str, values: list[str]) -> Iterator[str]:
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            yield f"{path}[{i}]: {value} is listed twice"
        seen.add(value)


def _within(name: str, domain: str) -> bool:
    return name == domain or name.endswith("." + domain)
