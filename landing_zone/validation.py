"""Checks that span fields: uniqueness, references, CIDR overlaps, subnet fit, AWS limits.

Each check yields ``"path: message"`` lines and all of them run, so one pass reports every problem.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

from landing_zone.baseline_controls import config_refusals
from landing_zone.dns import resolver_checks
from landing_zone.lifecycle import lifecycle_checks
from landing_zone.models import BUILTIN_PERMISSION_SETS, STANDBY_STRATEGIES, LandingZoneConfig
from landing_zone.ports import admin_port_errors
from landing_zone.scp_documents import check_scp_sizes
from landing_zone.subnets import SubnetPlanError, plan_subnets

SCP_LIMIT_PER_TARGET = 5  # AWS quota, FullAWSAccess included
CORE_ROLES = ("log-archive", "security", "network")
# RFC 1918, carrier-grade NAT, loopback, link-local: never a customer gateway's public address
NON_PUBLIC_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16")


def cross_check(cfg: LandingZoneConfig) -> list[str]:
    checks = (
        _unique_accounts, _core_roles, _organizational_units, _regions, _vpcs, _cidr_overlaps, _network,
        _workloads, _disaster_recovery, _dns, resolver_checks, _identity, _scp_limits, check_scp_sizes, _cost_budgets,
        config_refusals, lifecycle_checks,
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
    org = cfg.organization
    if org.preview_role_name == org.access_role_name:  # the pull request's code would run as the access role
        yield (f"organization.preview_role_name: {org.preview_role_name} is the access role; name the read-only "
               "preview role differently (default landing-zone-preview)")


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
        yield from _client_vpn(cfg)
    yield from admin_port_errors(cfg)
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


# --- Client VPN: credentials in the network account and home region, authorization per group ----------------------

ACM_ARN = re.compile(r"arn:aws[a-z-]*:acm:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):certificate/.+")
SAML_ARN = re.compile(r"arn:aws[a-z-]*:iam::(?P<account>\d{12}):saml-provider/[\w+=,.@-]+")
ALL_USERS = "*"
PROJECT_ROOT = Path(__file__).resolve().parents[1]  # where Pulumi.yaml and the stack files live


def project_path(name: str) -> Path:
    """A file the config names, relative to the project root (the program and `lz` may run from elsewhere)."""
    return PROJECT_ROOT / name
# Segments holding prod or core ranges: no "all users" authorization reaches them (NET-11)
PROTECTED_SEGMENTS = ("prod", "shared")


def _client_vpn(cfg: LandingZoneConfig) -> Iterator[str]:
    cvpn, path = cfg.network.client_vpn, "network.client_vpn"
    assert cvpn is not None
    prefix = ipaddress.IPv4Network(cvpn.cidr).prefixlen
    if not 12 <= prefix <= 22:
        yield f"{path}.cidr: {cvpn.cidr} is a /{prefix}; Client VPN needs /12 to /22"
    network = next((a for a in cfg.accounts if a.role == "network"), None)
    home = cfg.organization.home_region
    if network is not None and home not in network.vpcs:
        yield f"{path}: the network account needs a VPC in {home} to host the Client VPN"
    yield from _client_vpn_credentials(cvpn, path, network.account_id if network else None, home)
    yield from _client_vpn_authorization(cfg, cvpn, path)


def _client_vpn_credentials(cvpn, path: str, network_id: str | None, home: str) -> Iterator[str]:
    """AWS accepts only a server certificate (ACM) and SAML provider (IAM) of the endpoint's own account and region."""
    if (cvpn.server_certificate is None) == (cvpn.server_certificate_arn is None):
        yield f"{path}: give exactly one of server_certificate (imported by the program) or server_certificate_arn (adopted)"
    if cvpn.server_certificate is not None:
        yield from _pem_file(cvpn.server_certificate.certificate_file, f"{path}.server_certificate.certificate_file")
        if cvpn.server_certificate.chain_file:
            yield from _pem_file(cvpn.server_certificate.chain_file, f"{path}.server_certificate.chain_file")
    if cvpn.authentication == "saml":
        if (cvpn.saml_metadata_file is None) == (cvpn.saml_provider_arn is None):
            yield f"{path}: saml authentication needs exactly one of saml_metadata_file (created by the program) or saml_provider_arn (adopted)"
        if cvpn.saml_metadata_file is not None:
            yield from _saml_metadata(cvpn.saml_metadata_file, f"{path}.saml_metadata_file")
    elif cvpn.saml_metadata_file or cvpn.saml_provider_arn:
        yield f"{path}: saml_metadata_file and saml_provider_arn need authentication: saml"
    adopted = {"server_certificate_arn": (cvpn.server_certificate_arn, ACM_ARN),
               "client_root_certificate_arn": (cvpn.client_root_certificate_arn, ACM_ARN),
               "saml_provider_arn": (cvpn.saml_provider_arn, SAML_ARN)}
    for field, (arn, pattern) in adopted.items():
        if arn is None:
            continue
        match = pattern.fullmatch(arn)
        if match is None:
            yield f"{path}.{field}: {arn!r} is not an {'ACM certificate' if pattern is ACM_ARN else 'IAM SAML provider'} ARN"
        elif network_id is None:
            yield (f"{path}.{field}: an adopted credential needs an adopted network account (its accounts[].account_id); "
                   "a network account this stack creates holds nothing yet: use server_certificate / saml_metadata_file")
        elif match["account"] != network_id:
            yield f"{path}.{field}: {arn} is in account {match['account']}, not the network account {network_id}"
        elif "region" in pattern.groupindex and match["region"] != home:
            yield f"{path}.{field}: {arn} is in {match['region']}; the Client VPN runs in the home region {home}"


def _pem_file(name: str, path: str) -> Iterator[str]:
    file = project_path(name)
    if not file.is_file():
        yield f"{path}: {name} not found (paths are relative to the project root)"
    elif "-----BEGIN CERTIFICATE-----" not in file.read_text(errors="replace"):
        yield f"{path}: {name} is not a PEM certificate (no -----BEGIN CERTIFICATE----- block)"


def _saml_metadata(name: str, path: str) -> Iterator[str]:
    file = project_path(name)
    if not file.is_file():
        yield f"{path}: {name} not found (paths are relative to the project root)"
        return
    try:
        root = ElementTree.fromstring(file.read_bytes())  # no external entities are resolved
    except ElementTree.ParseError as e:
        yield f"{path}: {name} is not XML ({e})"
        return
    if not root.tag.endswith("}EntityDescriptor"):
        yield f"{path}: {name} is not SAML 2.0 metadata (root element {root.tag}, expected md:EntityDescriptor)"


def _client_vpn_authorization(cfg: LandingZoneConfig, cvpn, path: str) -> Iterator[str]:
    segments = set(cfg.network.segments)
    groups = [rule.group for rule in cvpn.authorization]
    for i, rule in enumerate(cvpn.authorization):
        where = f"{path}.authorization[{i}]"
        if rule.group in _duplicates(groups) and groups.index(rule.group) != i:
            yield f"{where}.group: {rule.group} is listed twice"
        if not rule.segments and not rule.cidrs:
            yield f"{where}: name the segments or cidrs group {rule.group} may reach"
        for seg in rule.segments:
            if seg not in segments:
                yield f"{where}.segments: {seg} is not a segment (segments: {', '.join(cfg.network.segments)})"
        if cvpn.authentication == "certificate" and rule.group != ALL_USERS:
            yield f"{where}.group: certificate authentication sends no groups; use \"*\" (all users) or saml"
        if rule.group == ALL_USERS:
            for seg in rule.segments:
                if seg in PROTECTED_SEGMENTS:
                    yield f"{where}.segments: \"*\" (every user) may not reach {seg}; authorize an identity-provider group"
            protected = [ipaddress.IPv4Network(v.cidr) for a in cfg.accounts for v in a.vpcs.values()
                         if a.network_segment in PROTECTED_SEGMENTS]
            for cidr in rule.cidrs:
                if any(ipaddress.IPv4Network(cidr).overlaps(p) for p in protected):
                    yield f"{where}.cidrs: \"*\" (every user) may not reach {cidr}, a prod or core range"


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
            yield from _tracing(a, f"{path}.ecs.tracing")
        if w.eks:
            for j, ng in enumerate(w.eks.node_groups):
                if not ng.min_size <= ng.desired_size <= ng.max_size:
                    yield f"{path}.eks.node_groups[{j}]: need min_size <= desired_size <= max_size, got {ng.min_size}/{ng.desired_size}/{ng.max_size}"
        for dup in _duplicates([q.name for q in w.queues]):
            yield f"{path}.queues: queue name {dup} is used twice"
        for dup in _duplicates([h.role for h in w.data_hosts]):
            yield f"{path}.data_hosts: role {dup} is listed twice"
        if w.deployment:
            yield from _deployment(a, f"{path}.deployment")


def _tracing(a, path: str) -> Iterator[str]:
    """The X-Ray daemon's image comes from the public ECR gallery, which no VPC endpoint serves: a NAT must reach it."""
    if not a.workloads.ecs.tracing.enabled:
        return
    for region, vpc in sorted(a.vpcs.items()):
        if vpc.nat == "none":
            yield (f"{path}.enabled: the X-Ray daemon image is pulled from public.ecr.aws, which the private subnets "
                   f"reach only through a NAT; accounts.{a.name}.vpcs.{region}.nat is none")


def _deployment(a, path: str) -> Iterator[str]:
    """One role per repository, each with only its own services; prod roles pinned to a GitHub environment."""
    d, w = a.workloads.deployment, a.workloads
    services = {s.name for s in w.ecs.services} if w.ecs else set()
    for j, r in enumerate(d.repositories):
        rp = f"{path}.repositories[{j}]"
        if bool(r.environment) == bool(r.branches):
            yield f"{rp}: set environment (a GitHub environment) or branches, exactly one"
        if a.environment == "prod" and not r.environment:
            yield f"{rp}.environment: prod deploys run behind a GitHub environment's approval; set environment: prod"
        if r.environment and d.provider != "github":
            yield f"{rp}.environment: {d.provider} tokens carry no environment in their subject; use branches (non-prod)"
        for svc in sorted(set(r.services) - services):
            yield f"{rp}.services: {svc} is not a service of accounts.{a.name}.workloads.ecs"
        if r.namespaces and not w.eks:
            yield f"{rp}.namespaces: the account has no eks"
    for dup in _duplicates([r.repo.rsplit("/", 1)[-1].lower() for r in d.repositories]):
        yield f"{path}.repositories: two repositories are named {dup} (the role is named after it)"
    for dup in _duplicates([s for r in d.repositories for s in r.services]):
        yield f"{path}.repositories: service {dup} has two owners; each service is deployed by one repository"
    # With app pipelines in the account, a service no repository owns is one nobody can ship: no role may push its
    # image or roll it. (Accounts without `deployment` ship through the stack's image_tag only.)
    owned = {s for r in d.repositories for s in r.services}
    for j, svc in enumerate(w.ecs.services if w.ecs else []):
        if svc.name not in owned:
            yield (f"{path}.repositories: service {svc.name} (ecs.services[{j}]) has no owner; add it to the services "
                   "of the repository that deploys it (no pipeline role can push its image or roll it)")


def _disaster_recovery(cfg: LandingZoneConfig) -> Iterator[str]:
    """A DR target needs the DR region and what its strategy builds there; a config that turns off what the strategy
    implies (workloads.aurora.dr_replica, workloads.backup.copy_to_dr) is refused rather than silently weaker."""
    dr_region = cfg.organization.dr_region
    for i, a in enumerate(cfg.accounts):
        dr, w, path = a.dr, a.workloads, f"accounts[{i}]"
        if dr is None:
            continue
        if a.role != "workload":
            yield f"{path}.dr: only workload accounts have a DR target ({a.name} is the {a.role} account)"
        if not dr_region:
            yield f"{path}.dr: needs organization.dr_region (where the account recovers)"
        standby = dr.strategy in STANDBY_STRATEGIES
        if standby and dr_region and dr_region not in a.vpcs:
            yield f"{path}.vpcs.{dr_region}: dr.strategy {dr.strategy} keeps infrastructure in the DR region; add a VPC there"
        if (w.aurora or w.data_hosts) and not w.backup:
            yield f"{path}.workloads.backup: dr needs AWS Backup copies of the data stores in the DR region; add backup: {{}}"
        if w.backup and w.backup.copy_to_dr is False:
            yield f"{path}.workloads.backup.copy_to_dr: dr.strategy {dr.strategy} restores from the DR copies; remove copy_to_dr: false"
        if standby and w.aurora and not w.aurora.dr_replica:
            yield (f"{path}.workloads.aurora.dr_replica: dr.strategy {dr.strategy} replicates Aurora to the DR region "
                   "(global database); remove dr_replica: false or choose backup-restore")
        if standby and w.aurora and a.environment != "prod":
            yield (f"{path}.dr.strategy: {dr.strategy} needs the Aurora global database, which is built in prod accounts "
                   f"only ({a.name} is {a.environment}); choose backup-restore")
        if "redis" in dr.rebuilt_empty and not w.redis:
            yield f"{path}.dr.rebuilt_empty: redis is listed but the account has no workloads.redis"
        if standby and w.redis and "redis" not in dr.rebuilt_empty:
            problem = global_datastore_node_problem(w.redis.node_type)
            if problem:
                yield (f"{path}.workloads.redis.node_type: {w.redis.node_type} {problem}; dr.strategy {dr.strategy} "
                       "replicates Redis through an ElastiCache global datastore (families "
                       f"{', '.join(GLOBAL_DATASTORE_FAMILIES)}, size large and above): choose e.g. cache.r6g.large, "
                       "or list redis in dr.rebuilt_empty if it is a cache the apps refill")


# ElastiCache User Guide, "Global datastores: prerequisites and limitations": these families, size large and above
GLOBAL_DATASTORE_FAMILIES = ("m5", "m6g", "m7g", "r5", "r6g", "r6gd", "r7g", "c7gn")
SMALLER_THAN_LARGE = ("micro", "small", "medium")


def global_datastore_node_problem(node_type: str) -> str | None:
    """Why a node type cannot be in a global datastore (None when it can)."""
    parts = node_type.split(".")
    family, size = (parts[1], parts[2]) if len(parts) == 3 and parts[0] == "cache" else ("", "")
    if family.startswith("t"):
        return "is burstable (t-series), which global datastores do not support"
    if family not in GLOBAL_DATASTORE_FAMILIES:
        return "is not a node family global datastores support"
    if size in SMALLER_THAN_LARGE:
        return "is smaller than large, which global datastores do not support"
    return None


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


def _cost_budgets(cfg: LandingZoneConfig) -> Iterator[str]:
    """A budget for an account that does not exist would never be created: say so rather than drop it."""
    names = {"management", *(a.name for a in cfg.accounts)}
    for name in cfg.cost.budgets:
        if name not in names:
            yield f"cost.budgets.{name}: no such account (known: {', '.join(sorted(names))})"


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
        if asg.permission_set in DATA_READING_SETS and (prod := _prod_accounts_reached(cfg, asg.accounts, asg.ous)):
            yield (f"{path}.permission_set: {asg.permission_set} reads data (S3 objects, SSM parameters, DynamoDB items) "
                   f"in prod accounts {', '.join(prod)}; use ViewOnlyAccess or a custom permission set")


# AWS managed ReadOnlyAccess includes s3:GetObject, ssm:GetParameter*, dynamodb:GetItem...: data, not configuration.
DATA_READING_SETS = ("ReadOnlyAccess",)


def _prod_accounts_reached(cfg: LandingZoneConfig, accounts: list[str], ous: list[str]) -> list[str]:
    parents = {ou.name: ou.parent for ou in cfg.organizational_units}

    def under(ou: str | None) -> bool:
        seen: set[str] = set()
        while ou is not None and ou not in seen:
            if ou in ous:
                return True
            seen.add(ou)
            ou = parents.get(ou)
        return False

    return [a.name for a in cfg.accounts if a.environment == "prod" and (a.name in accounts or under(a.ou))]


def _scp_limits(cfg: LandingZoneConfig) -> Iterator[str]:
    targets = [("organization.scps", cfg.organization.scps)]
    targets += [(f"organizational_units[{i}].scps", ou.scps) for i, ou in enumerate(cfg.organizational_units)]
    for path, scps in targets:
        if len(scps) + 1 > SCP_LIMIT_PER_TARGET:
            yield f"{path}: {len(scps)} SCPs plus FullAWSAccess exceed AWS's limit of {SCP_LIMIT_PER_TARGET} per target"
        for dup in _duplicates(scps):
            yield f"{path}: {dup} is attached twice"
