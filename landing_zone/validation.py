"""Checks that span fields: uniqueness, references, CIDR overlaps, subnet fit, AWS limits.

Each check yields ``"path: message"`` lines and all of them run, so one pass reports every problem.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Iterator

from landing_zone.models import BUILTIN_PERMISSION_SETS, LandingZoneConfig
from landing_zone.scp_documents import check_scp_sizes
from landing_zone.subnets import SubnetPlanError, plan_subnets

SCP_LIMIT_PER_TARGET = 5  # AWS quota, FullAWSAccess included
CORE_ROLES = ("log-archive", "security", "network")
# RFC 1918, carrier-grade NAT, loopback, link-local: never a customer gateway's public address
NON_PUBLIC_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16")


def cross_check(cfg: LandingZoneConfig) -> list[str]:
    checks = (
        _unique_accounts, _core_roles, _organizational_units, _regions, _vpcs, _cidr_overlaps, _network,
        _workloads, _dns, _identity, _scp_limits, check_scp_sizes,
    )  # fmt: skip
    return [error for check in checks for error in check(cfg)]


def _duplicates(values: list) -> set:
    return {v for v, n in Counter(values).items() if n > 1}


def _unique_accounts(cfg: LandingZoneConfig) -> Iterator[str]:
    for field in ("name", "email", "account_id"):
        values = [getattr(a, field) for a in cfg.accounts]
        dupes = _duplicates([v for v in values if v is not None])
        for i, v in enumerate(values):
            if v in dupes:
                first = values.index(v)
                if first != i:
                    yield f"accounts[{i}].{field}: {v} is already used by accounts[{first}]"
    mgmt = cfg.organization.management_account_id
    for i, a in enumerate(cfg.accounts):
        if a.account_id == mgmt:
            yield f"accounts[{i}].account_id: {mgmt} is the management account (organization.management_account_id)"


def _core_roles(cfg: LandingZoneConfig) -> Iterator[str]:
    counts = Counter(a.role for a in cfg.accounts)
    for role in CORE_ROLES:
        if counts[role] != 1:
            names = [a.name for a in cfg.accounts if a.role == role]
            yield f"accounts: exactly one account needs role {role}, found {counts[role]} {names or ''}".rstrip()
    for i, a in enumerate(cfg.accounts):
        if a.role in CORE_ROLES and a.environment != "core":
            yield f"accounts[{i}].environment: the {a.role} account must be environment core, not {a.environment}"


def _organizational_units(cfg: LandingZoneConfig) -> Iterator[str]:
    names = [ou.name for ou in cfg.organizational_units]
    for i, ou in enumerate(cfg.organizational_units):
        if ou.name in _duplicates(names) and names.index(ou.name) != i:
            yield f"organizational_units[{i}].name: {ou.name} is defined twice"
        if ou.parent is not None and ou.parent not in names:
            yield f"organizational_units[{i}].parent: {ou.parent} is not an organizational unit (known: {', '.join(names)})"
    parents = {ou.name: ou.parent for ou in cfg.organizational_units}
    for i, ou in enumerate(cfg.organizational_units):
        seen, node = set(), ou.name
        while node is not None and node not in seen:
            seen.add(node)
            node = parents.get(node)
        if node is not None:
            yield f"organizational_units[{i}].parent: {ou.name} is its own ancestor (a cycle)"
    for i, a in enumerate(cfg.accounts):
        if a.ou not in names:
            yield f"accounts[{i}].ou: {a.ou} is not an organizational unit (known: {', '.join(names)})"


def _regions(cfg: LandingZoneConfig) -> Iterator[str]:
    org = cfg.organization
    allowed = set(org.allowed_regions)
    if org.home_region not in allowed:
        yield f"organization.home_region: {org.home_region} is not in organization.allowed_regions"
    if org.dr_region and org.dr_region not in allowed:
        yield f"organization.dr_region: {org.dr_region} is not in organization.allowed_regions"
    if org.dr_region == org.home_region:
        yield f"organization.dr_region: {org.dr_region} is the home region; pick another region or leave it out"
    for i, a in enumerate(cfg.accounts):
        for region in a.vpcs:
            if region not in cfg.regions:
                yield f"accounts[{i}].vpcs.{region}: VPCs go in the home or DR region ({', '.join(cfg.regions)})"
    for i, gw in enumerate(cfg.network.vpn):
        if gw.region and gw.region not in cfg.regions:
            yield f"network.vpn[{i}].region: {gw.region} is not the home or DR region"


def _vpcs(cfg: LandingZoneConfig) -> Iterator[str]:
    for i, a in enumerate(cfg.accounts):
        for region, vpc in a.vpcs.items():
            path = f"accounts[{i}].vpcs.{region}"
            prefix = ipaddress.IPv4Network(vpc.cidr).prefixlen
            if not 16 <= prefix <= 24:
                yield f"{path}.cidr: {vpc.cidr} is a /{prefix}; a VPC must be /16 to /24"
                continue
            if a.environment == "prod" and vpc.azs < 2:
                yield f"{path}.azs: prod VPCs need at least 2 AZs, got {vpc.azs}"
            try:
                plan_subnets(vpc.cidr, vpc.azs, vpc.tiers.model_dump())
            except SubnetPlanError as e:
                yield f"{path}.tiers: {e}"


def _ranges(cfg: LandingZoneConfig) -> list[tuple[ipaddress.IPv4Network, str]]:
    ranges = [
        (ipaddress.IPv4Network(vpc.cidr), f"accounts[{i}].vpcs.{region}.cidr")
        for i, a in enumerate(cfg.accounts)
        for region, vpc in a.vpcs.items()
    ]
    ranges += [(ipaddress.IPv4Network(c), f"network.on_premises_cidrs[{i}]") for i, c in enumerate(cfg.network.on_premises_cidrs)]
    if cfg.network.client_vpn:
        ranges.append((ipaddress.IPv4Network(cfg.network.client_vpn.cidr), "network.client_vpn.cidr"))
    return ranges


def _cidr_overlaps(cfg: LandingZoneConfig) -> Iterator[str]:
    """Sweep the ranges in address order: O(n log n), so 1000s of VPCs stay fast."""
    ranges = sorted(_ranges(cfg), key=lambda r: (int(r[0].network_address), -r[0].prefixlen))
    open_: list[tuple[ipaddress.IPv4Network, str]] = []
    for net, path in ranges:
        start = int(net.network_address)
        open_ = [(o, p) for o, p in open_ if int(o.broadcast_address) >= start]
        for other, other_path in open_:
            if other_path.startswith("network.") and path.startswith("network."):
                continue  # on-premises ranges may nest each other
            first, second = sorted([(path, net), (other_path, other)], key=lambda x: _path_order(x[0]))
            yield f"{second[0]}: {second[1]} overlaps {first[0]} {first[1]}"
        open_.append((net, path))


def _path_order(path: str) -> tuple:
    # report against the earlier field, so the newly added account is the one named first
    return (not path.startswith("accounts"), [int(p) if p.isdigit() else p for p in path.replace("[", ".").replace("]", "").split(".")])


def _network(cfg: LandingZoneConfig) -> Iterator[str]:
    net = cfg.network
    asn = net.transit_gateway_asn
    if not (64512 <= asn <= 65534 or 4200000000 <= asn <= 4294967294):
        yield f"network.transit_gateway_asn: {asn} is not a private ASN (64512-65534 or 4200000000-4294967294)"
    segments = set(net.segments)
    for seg in _duplicates(net.segments):
        yield f"network.segments: {seg} is listed twice"
    for src, targets in net.reachability.items():
        if src not in segments:
            yield f"network.reachability.{src}: unknown segment (segments: {', '.join(net.segments)})"
        for dst in targets:
            if dst not in segments:
                yield f"network.reachability.{src}: {dst} is not a segment (segments: {', '.join(net.segments)})"
            elif src in segments and src not in net.reachability.get(dst, []) and src != dst:
                yield f"network.reachability.{dst}: must list {src}, because {src} reaches {dst} (reachability is symmetric)"
    for i, a in enumerate(cfg.accounts):
        if a.network_segment not in segments:
            yield f"accounts[{i}].segment: {a.network_segment} is not a segment (segments: {', '.join(net.segments)})"
    if net.client_vpn:
        cvpn = net.client_vpn
        prefix = ipaddress.IPv4Network(cvpn.cidr).prefixlen
        if not 12 <= prefix <= 22:
            yield f"network.client_vpn.cidr: {cvpn.cidr} is a /{prefix}; Client VPN needs /12 to /22"
        for seg in cvpn.authorized_segments:
            if seg not in segments:
                yield f"network.client_vpn.authorized_segments: {seg} is not a segment"
        if cvpn.authentication == "saml" and not cvpn.saml_provider_arn:
            yield "network.client_vpn.saml_provider_arn: required when authentication is saml"
        if cvpn.authentication == "certificate" and not cvpn.client_root_certificate_arn:
            yield "network.client_vpn.client_root_certificate_arn: required when authentication is certificate"
        network_accounts = [a for a in cfg.accounts if a.role == "network"]
        if network_accounts and cfg.organization.home_region not in network_accounts[0].vpcs:
            yield f"network.client_vpn: the network account needs a VPC in {cfg.organization.home_region} to host the Client VPN"
    names = {a.name for a in cfg.accounts}
    if net.direct_connect:
        for name in net.direct_connect.accounts:
            if name not in names:
                yield f"network.direct_connect.accounts: {name} is not an account"
    for i, gw in enumerate(net.vpn):
        try:
            ip = ipaddress.IPv4Address(gw.ip_address)
        except ValueError:
            yield f"network.vpn[{i}].ip_address: {gw.ip_address!r} is not an IPv4 address"
            continue
        if any(ip in ipaddress.IPv4Network(r) for r in NON_PUBLIC_RANGES):
            yield f"network.vpn[{i}].ip_address: {ip} is private; a customer gateway needs its public IP"
        if gw.bgp_asn is None and not gw.static_routes:
            yield f"network.vpn[{i}]: static routing (no bgp_asn) needs static_routes"
        if gw.tunnel_preshared_keys and len(gw.tunnel_preshared_keys) != 2:
            yield f"network.vpn[{i}].tunnel_preshared_keys: give both tunnels' keys (2), got {len(gw.tunnel_preshared_keys)}"


def _workloads(cfg: LandingZoneConfig) -> Iterator[str]:
    home = cfg.organization.home_region
    for i, a in enumerate(cfg.accounts):
        w = a.workloads
        path = f"accounts[{i}].workloads"
        if w.needs_vpc() and home not in a.vpcs:
            yield f"{path}: workloads run in a VPC; add accounts[{i}].vpcs.{home}"
        if a.role != "workload" and w != type(w)():
            yield f"{path}: only workload accounts run workloads ({a.name} is the {a.role} account)"
        if w.ecs and w.eks:
            yield f"{path}: choose ecs or eks for an account, not both"
        if w.edge and not (w.ecs or w.eks):
            yield f"{path}.edge: a load balancer needs ecs or eks behind it"
        if (w.aurora or w.redis) and not (w.ecs or w.eks):
            yield f"{path}: aurora and redis admit only application security groups; add ecs or eks"
        if w.aurora and w.aurora.dr_replica and not cfg.organization.dr_region:
            yield f"{path}.aurora.dr_replica: needs organization.dr_region"
        if w.aurora and w.aurora.dr_replica and w.aurora.instance_class.startswith("db.t"):
            yield (f"{path}.aurora.instance_class: {w.aurora.instance_class} is burstable; an Aurora global database "
                   "(dr_replica) needs a memory-optimized class such as db.r6g.large")
        if w.aurora and a.environment == "prod" and w.aurora.backup_retention_days < 15:
            yield f"{path}.aurora.backup_retention_days: prod keeps at least 15 days, got {w.aurora.backup_retention_days}"
        if w.ecs:
            for j, svc in enumerate(w.ecs.services):
                if not svc.min_count <= svc.desired_count <= svc.max_count:
                    yield f"{path}.ecs.services[{j}]: need min_count <= desired_count <= max_count, got {svc.min_count}/{svc.desired_count}/{svc.max_count}"
            for dup in _duplicates([s.name for s in w.ecs.services]):
                yield f"{path}.ecs.services: service name {dup} is used twice"
        if w.eks:
            for j, ng in enumerate(w.eks.node_groups):
                if not ng.min_size <= ng.desired_size <= ng.max_size:
                    yield f"{path}.eks.node_groups[{j}]: need min_size <= desired_size <= max_size, got {ng.min_size}/{ng.desired_size}/{ng.max_size}"
        for dup in _duplicates([q.name for q in w.queues]):
            yield f"{path}.queues: queue name {dup} is used twice"
        for dup in _duplicates([h.role for h in w.data_hosts]):
            yield f"{path}.data_hosts: role {dup} is listed twice"


def _in_domain(name: str, domain: str) -> bool:
    name, domain = name.lower().rstrip("."), domain.lower().rstrip(".")
    return name == domain or name.endswith("." + domain)


def _dns(cfg: LandingZoneConfig) -> Iterator[str]:
    """The edges' records go into a public zone that already exists in an account this stack does not create
    (nothing can be looked up or written in an account before it exists)."""
    dns = cfg.network.dns
    if dns is not None and dns.account != "management":
        owner = next((a for a in cfg.accounts if a.name == dns.account), None)
        if owner is None:
            yield f"network.dns.account: {dns.account} is not an account (use management or an adopted account)"
        elif owner.account_id is None:
            yield (f"network.dns.account: {dns.account} is created by this stack, so its zone cannot exist yet; "
                   "name the management account or an adopted account (one with account_id)")
    domains: dict[str, int] = {}
    for i, a in enumerate(cfg.accounts):
        edge, path = a.workloads.edge, f"accounts[{i}].workloads.edge"
        if edge is None:
            continue
        if dns is None:
            yield (f"{path}: {edge.domain_name} needs the public zone its records go into; set "
                   "network.dns {zone_name, zone_id, account}")
            continue
        if edge.zone_name is not None and edge.zone_name.lower().rstrip(".") != dns.zone_name.lower().rstrip("."):
            yield (f"{path}.zone_name: {edge.zone_name} is not network.dns.zone_name {dns.zone_name}; the records go "
                   "into that zone (leave zone_name out)")
        if not _in_domain(edge.domain_name, dns.zone_name):
            yield f"{path}.domain_name: {edge.domain_name} is not inside network.dns.zone_name {dns.zone_name}"
        name = edge.domain_name.lower().rstrip(".")
        if name in domains:
            yield f"{path}.domain_name: {edge.domain_name} is already the domain of accounts[{domains[name]}]"
        domains.setdefault(name, i)


def _identity(cfg: LandingZoneConfig) -> Iterator[str]:
    defined = [p.name for p in cfg.identity.permission_sets]
    for i, name in enumerate(defined):
        if name in BUILTIN_PERMISSION_SETS or (name in _duplicates(defined) and defined.index(name) != i):
            yield f"identity.permission_sets[{i}].name: {name} is already defined"
    known = set(BUILTIN_PERMISSION_SETS) | set(defined)
    accounts = {a.name for a in cfg.accounts}
    ous = {ou.name for ou in cfg.organizational_units}
    for i, asg in enumerate(cfg.identity.assignments):
        path = f"identity.assignments[{i}]"
        if asg.permission_set not in known:
            yield f"{path}.permission_set: {asg.permission_set} is not a permission set (known: {', '.join(sorted(known))})"
        if not asg.accounts and not asg.ous:
            yield f"{path}: name at least one of accounts or ous"
        for name in asg.accounts:
            if name not in accounts:
                yield f"{path}.accounts: {name} is not an account"
        for name in asg.ous:
            if name not in ous:
                yield f"{path}.ous: {name} is not an organizational unit"


def _scp_limits(cfg: LandingZoneConfig) -> Iterator[str]:
    targets = [("organization.scps", cfg.organization.scps)]
    targets += [(f"organizational_units[{i}].scps", ou.scps) for i, ou in enumerate(cfg.organizational_units)]
    for path, scps in targets:
        if len(scps) + 1 > SCP_LIMIT_PER_TARGET:
            yield f"{path}: {len(scps)} SCPs plus FullAWSAccess exceed AWS's limit of {SCP_LIMIT_PER_TARGET} per target"
        for dup in _duplicates(scps):
            yield f"{path}: {dup} is attached twice"
