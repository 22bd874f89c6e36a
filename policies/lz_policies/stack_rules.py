"""Stack rules X-01..X-17 (CONTROLS.md §2): properties of the resource graph, not of one resource.

References between resources (a flow log's VPC, an association's route table...) are resolved by
`reachability.Graph`: by id / ARN / bucket name when the value is known, else by the engine's property
dependencies (exact, and available during preview when ids are not), else by explicit dependencies. A value that
decides the outcome and is unknown during preview makes the rule report an ADVISORY "cannot verify during
preview" (framework.cannot_verify) after reporting whatever it could decide; it never crashes.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from . import iam, routing
from .facts import DEFAULT_INTENT
from .graph import Graph, Res
from .iam import resources as statement_resources
from .iam import statements
from .rules import ADVISORY, CaseResource, Param, StackCase, StackRule
from .types import (
    ACCOUNT_PAB,
    ALARM,
    API_STAGE,
    ASG,
    ASSOCIATION,
    BACKUP_PLAN,
    BACKUP_SELECTION,
    BUCKET_LOGGING,
    BUCKET_PAB,
    BUCKET_SSE,
    BUCKETS,
    CLIENT_VPN_ASSOCIATION,
    CONFIG_RECORDER,
    EBS_DEFAULT_ENCRYPTION,
    EBS_VOLUME,
    ECR_LIFECYCLE,
    ECR_REPOSITORY,
    ECS_SERVICE,
    EFS,
    EKS_CLUSTER,
    EKS_COMPONENT,
    EKS_NODE_GROUP,
    FLOW_LOG,
    GUARDDUTY,
    GUARDDUTY_ADMIN,
    GUARDDUTY_ORG,
    IGW,
    INSPECTOR,
    INSPECTOR_ADMIN,
    INSPECTOR_ORG,
    INSTANCE,
    KMS_ALIAS,
    KMS_KEY,
    KMS_KEY_POLICY,
    KMS_REPLICA_KEY,
    LOAD_BALANCERS,
    LOG_GROUP,
    METRIC_FILTER,
    NAT,
    OBJECT_LOCK_CONFIGS,
    ORG_ACCOUNT,
    ORG_DELEGATED_ADMIN,
    ORG_POLICY,
    ORG_POLICY_ATTACHMENT,
    ORG_UNIT,
    ORGANIZATION,
    PROPAGATION,
    PROVIDER,
    QUERY_LOG,
    RDS_CLUSTER,
    REST_API,
    ROUTE,
    ROUTE_TABLE,
    ROUTE_TABLE_ASSOCIATION,
    SECURITY_HUB,
    SECURITY_HUB_ADMIN,
    SECURITY_HUB_AGGREGATOR,
    SECURITY_HUB_ORG,
    SG,
    SG_RULE,
    SNS_TOPIC,
    SUBNET,
    TGW,
    TGW_ROUTE,
    TGW_ROUTE_TABLE,
    TRAIL,
    VOLUME_ATTACHMENT,
    VPC,
    VPC_ATTACHMENT,
    VPC_EGRESS,
    VPC_ENDPOINT,
    VPC_ENDPOINT_POLICY,
    VPC_INGRESS,
    WEB_ACL,
    WEB_ACL_ASSOCIATION,
    WEB_ACL_LOGGING,
    ZONE,
)
from .values import UNKNOWN, as_list, cannot_verify, dig, is_unknown

PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
# Database / broker ports that make a group data-tier, the TLS ones included (Cassandra CQL 9142 and internode 7001;
# Kafka SASL_SSL 9094, KRaft controller 9093, replication 9095) so a TLS-only group is still recognised.
DATA_PORTS = [3306, 6379, 9042, 27017, 9092, 9200, 9142, 9094, 9093, 9095, 7001]
# Ports on which these stores speak in clear by design (the pack sees ports, not listener settings: MongoDB or
# Elasticsearch without TLS cannot be told from the group). port (as a string: a policy-config object key) -> what.
PLAINTEXT_PORTS = {
    "9092": "Kafka PLAINTEXT listener (TLS: 9094 SASL_SSL)",
    "7000": "Cassandra internode storage/gossip in clear (TLS: 7001)",
    "9042": "Cassandra CQL in clear (TLS: 9142)",
    "7199": "Cassandra JMX (keep it bound to localhost; nodetool through Session Manager)",
}


# --------------------------------------------------------------------------- shared helpers
class _Unknowns(list):
    """Values that decide a rule but are unknown during preview; raised as one advisory at the end."""

    def check(self, res: Res, prop: str, value: Any = None) -> bool:
        """True (and recorded) when res.prop is unknown."""
        value = res.get(prop) if value is None else value
        if is_unknown(value):
            self.append(f"{_short(res.type)} {res.name}.{prop}")
            return True
        return False

    def raise_if_any(self) -> None:
        if self:
            raise cannot_verify(list(dict.fromkeys(self)))


def _short(type_: str) -> str:
    parts = type_.split(":")
    return parts[1] if len(parts) == 3 else type_


def _label(res: Res) -> str:
    return f"{_short(res.type)} {res.name}"


def _list(value: Any) -> list:
    if value is None or is_unknown(value):
        return []
    return list(value) if isinstance(value, list) else [value]


def _true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _covered_by(graph: Graph, linkers: Iterable[Res], prop: str, types: tuple[str, ...],
                unknowns: _Unknowns) -> tuple[set[str], bool]:
    """URNs of `types` that some linker's `prop` points at; flag when a linker's target cannot be told."""
    covered: set[str] = set()
    undecided = False
    for linker in linkers:
        targets = graph.resolve(linker, prop, types)
        if targets:
            covered.update(t.urn for t in targets)
        elif unknowns.check(linker, prop):
            undecided = True
    return covered, undecided


def _case(type_: str, name: str, props: Mapping[str, Any] | None = None, refs: Mapping[str, Any] | None = None,
          env: str | None = "core", **kwargs: Any) -> CaseResource:
    """A stack-case resource; refs: prop -> name (or names) of the referenced Res, value unknown as in preview."""
    props = dict(props or {})
    deps = {}
    for prop, names in (refs or {}).items():
        names = (names,) if isinstance(names, str) else tuple(names)
        props.setdefault(prop, UNKNOWN)
        deps[prop] = names
    return CaseResource(type=type_, name=name, props=props, env=env, property_deps=deps, **kwargs)


# --------------------------------------------------------------------------- X-01 flow logs
def vpc_has_all_traffic_flow_log(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), _Unknowns()
    logs = [f for f in g.of_type(FLOW_LOG) if f.get("trafficType") == "ALL"]
    covered, undecided = _covered_by(g, logs, "vpcId", (VPC,), unknowns)
    undecided_logs = [f for f in g.of_type(FLOW_LOG) if unknowns.check(f, "trafficType")]
    maybe, _ = _covered_by(g, undecided_logs, "vpcId", (VPC,), unknowns)
    for vpc in g.of_type(VPC):
        if vpc.urn not in covered | maybe and not undecided:
            yield vpc.urn, (f"VPC {vpc.name} has no ec2/flowLog with trafficType=ALL: add aws.ec2.FlowLog("
                            "vpc_id=<vpc>.id, traffic_type='ALL') delivering to the log archive")
    unknowns.raise_if_any()


# --------------------------------------------------------------------------- X-02 / X-03 WAF
def _internet_facing_lb(lb: Res, unknowns: _Unknowns) -> bool:
    if unknowns.check(lb, "internal") or unknowns.check(lb, "loadBalancerType"):
        return False
    return not _true(lb.get("internal")) and lb.get("loadBalancerType", "application") in (None, "application")


def _public_stage(g: Graph, stage: Res) -> bool:
    for api in g.resolve(stage, "restApi", (REST_API,)):
        types = _list((api.get("endpointConfiguration") or {}).get("types")
                      if isinstance(api.get("endpointConfiguration"), Mapping) else None)
        if "PRIVATE" in types:
            return False
    return True


def public_endpoints_have_waf(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), _Unknowns()
    protected, undecided = _covered_by(g, g.of_type(WEB_ACL_ASSOCIATION), "resourceArn", LOAD_BALANCERS + (API_STAGE,),
                                       unknowns)
    exposed = [lb for lb in g.of_type(*LOAD_BALANCERS) if _internet_facing_lb(lb, unknowns)]
    exposed += [s for s in g.of_type(API_STAGE) if _public_stage(g, s)]
    for res in exposed:
        if res.urn not in protected and not undecided:
            yield res.urn, (f"{_label(res)} is reachable from the internet but no wafv2/webAclAssociation "
                            "protects it: associate a regional web ACL (aws.wafv2.WebAclAssociation)")
    unknowns.raise_if_any()


def _rule_count(acl: Res, unknowns: _Unknowns) -> int | None:
    if unknowns.check(acl, "rules") or unknowns.check(acl, "ruleJson"):
        return None
    count = len(_list(acl.get("rules")))
    rule_json = acl.get("ruleJson")
    if isinstance(rule_json, str) and rule_json.strip():
        try:
            count += len(_list(json.loads(rule_json)))
        except ValueError:
            pass
    return count


def web_acl_has_logging_and_rules(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), _Unknowns()
    logged, undecided = _covered_by(g, g.of_type(WEB_ACL_LOGGING), "resourceArn", (WEB_ACL,), unknowns)
    for acl in g.of_type(WEB_ACL):
        if _rule_count(acl, unknowns) == 0:
            yield acl.urn, (f"web ACL {acl.name} has no rules, so it only applies its default action: add "
                            "managed rule groups (e.g. AWSManagedRulesCommonRuleSet)")
        if acl.urn not in logged and not undecided:
            yield acl.urn, (f"web ACL {acl.name} has no wafv2/webAclLoggingConfiguration: log it to a "
                            "'aws-waf-logs-' log group, Firehose or bucket")
    unknowns.raise_if_any()


# --------------------------------------------------------------------------- X-04 data-tier security groups
@dataclass(frozen=True)
class _Ingress:
    from_port: int
    to_port: int
    all_ports: bool
    source_groups: bool
    cidrs: tuple[str, ...]
    where: str
    urn: str

    def covers(self, port: int) -> bool:
        return self.all_ports or self.from_port <= port <= self.to_port

    def ports_text(self) -> str:
        if self.all_ports:
            return "all ports"
        return f"port {self.from_port}" if self.from_port == self.to_port else f"ports {self.from_port}-{self.to_port}"


def _names_group(key: str, value: Any) -> bool:
    """Does this field name a source security group? (an unknown id during preview still names one)"""
    if key == "self":
        return _true(value)
    return is_unknown(value) or bool(_list(value))


def _ingress(entry: Mapping[str, Any], where: str, urn: str, *, protocol_key: str, group_keys: tuple[str, ...],
             cidr_keys: tuple[str, ...]) -> _Ingress:
    protocol = str(entry.get(protocol_key, "-1")).lower()
    from_port, to_port = entry.get("fromPort"), entry.get("toPort")
    from_port = 0 if from_port is None or is_unknown(from_port) else int(from_port)
    to_port = 65535 if to_port is None or is_unknown(to_port) else int(to_port)
    all_ports = protocol in ("-1", "all") or (from_port <= 0 and to_port >= 65535)
    groups = any(_names_group(k, entry.get(k)) for k in group_keys)
    cidrs = tuple(str(c) for k in cidr_keys for c in _list(entry.get(k)))
    return _Ingress(from_port, to_port, all_ports, groups, cidrs, where, urn)


def _ingress_by_group(g: Graph, unknowns: _Unknowns) -> dict[str, list[_Ingress]]:
    """Every ingress permission of every security group: inline, ec2/securityGroupRule, vpc ingress rules."""
    by_group: dict[str, list[_Ingress]] = {sg.urn: [] for sg in g.of_type(SG)}
    inline = dict(protocol_key="protocol", group_keys=("securityGroups", "self"),
                  cidr_keys=("cidrBlocks", "ipv6CidrBlocks", "prefixListIds"))
    for sg in g.of_type(SG):
        if unknowns.check(sg, "ingress"):
            continue
        for i, entry in enumerate(_list(sg.get("ingress"))):
            by_group[sg.urn].append(_ingress(entry, f"ingress[{i}]", sg.urn, **inline))
    for rule in g.of_type(SG_RULE):
        if rule.get("type") != "ingress":
            continue
        permission = _ingress(rule.props, f"securityGroupRule {rule.name}", rule.urn, protocol_key="protocol",
                              group_keys=("sourceSecurityGroupId", "self"),
                              cidr_keys=("cidrBlocks", "ipv6CidrBlocks", "prefixListIds"))
        for sg in g.resolve(rule, "securityGroupId", (SG,)):
            by_group[sg.urn].append(permission)
    for rule in g.of_type(VPC_INGRESS):
        permission = _ingress(rule.props, f"securityGroupIngressRule {rule.name}", rule.urn,
                              protocol_key="ipProtocol", group_keys=("referencedSecurityGroupId",),
                              cidr_keys=("cidrIpv4", "cidrIpv6", "prefixListId"))
        for sg in g.resolve(rule, "securityGroupId", (SG,)):
            by_group[sg.urn].append(permission)
    return by_group


def _is_data_tier(sg: Res, permissions: list[_Ingress], cfg: Mapping[str, Any]) -> bool:
    if sg.tags.get(cfg["tierKey"]) in cfg["dataTiers"]:
        return True
    # by port: only explicit port ranges count (an all-ports rule does not make a group a database group)
    return any(not p.all_ports and p.covers(port) for p in permissions for port in cfg["dataPorts"])


def _within(cidr: str, allowed: list[str]) -> bool:
    try:
        network = ipaddress.ip_network(cidr, strict=False)
        return any(network.version == a.version and network.subnet_of(a)  # type: ignore[arg-type]
                   for a in (ipaddress.ip_network(x, strict=False) for x in allowed))
    except ValueError:
        return False


def _admin_exception(p: _Ingress, cfg: Mapping[str, Any], admin_cidrs: list[str]) -> bool:
    """SSH/RDP from the admin (Client VPN) range is the one non-SG ingress a data host may have."""
    admin_only = not p.all_ports and all(port in cfg["adminPorts"] for port in range(p.from_port, p.to_port + 1))
    return admin_only and not p.source_groups and bool(p.cidrs) and all(_within(c, admin_cidrs) for c in p.cidrs)


def _admin_cidrs(stack: Any, g: Graph) -> list[str]:
    """The policy config's adminCidrs when it sets them; else the planned Client VPN's associated subnets (it
    source-NATs its clients to its interfaces there, as components/network does); else the stack-config default."""
    if "adminCidrs" in stack.given:
        return list(stack.cfg["adminCidrs"])
    return _client_vpn_subnet_cidrs(g) or list(stack.cfg["adminCidrs"])


def _client_vpn_subnet_cidrs(g: Graph) -> list[str]:
    """CIDRs of the subnets the plan's Client VPN endpoints are associated with; [] when the plan cannot tell."""
    cidrs: list[str] = []
    for association in g.of_type(CLIENT_VPN_ASSOCIATION):
        subnets = g.resolve(association, "subnetId", (SUBNET,))
        found = [s.get("cidrBlock") for s in subnets]
        if not found or not all(isinstance(c, str) and not is_unknown(c) for c in found):
            return []
        cidrs.extend(c for c in found if c not in cidrs)
    return cidrs


def data_tier_ingress_only_from_security_groups(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns, cfg = stack.graph(), _Unknowns(), stack.cfg
    admin_cidrs = _admin_cidrs(stack, g)
    for sg_urn, permissions in _ingress_by_group(g, unknowns).items():
        sg = g.by_urn[sg_urn]
        if not _is_data_tier(sg, permissions, cfg):
            continue
        for p in permissions:
            if p.cidrs and not _admin_exception(p, cfg, admin_cidrs):
                yield p.urn, (f"data-tier security group {sg.name} allows {p.ports_text()} from "
                              f"{', '.join(p.cidrs)} ({p.where}): allow the database ports only with "
                              "source_security_group_id / referenced_security_group_id of the app-tier group "
                              f"(SSH only from the admin ranges {', '.join(admin_cidrs)})")
            elif not p.cidrs and not p.source_groups:
                yield p.urn, (f"data-tier security group {sg.name} has an ingress rule without a source security "
                              f"group ({p.where}): name the app-tier group as its source")
            yield from _plaintext_ports(sg, p, cfg)
    unknowns.raise_if_any()


def _plaintext_ports(sg: Res, p: _Ingress, cfg: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Whatever the source (even the app tier or the group itself), a clear-text listener port stays closed: a
    plaintext listener beside the TLS one is what clients and members fall back to."""
    for port, what in sorted(cfg["plaintextPorts"].items()):
        if str(port).isdigit() and p.covers(int(port)):
            yield p.urn, (f"data-tier security group {sg.name} opens port {port}, the {what}, with {p.ports_text()} "
                          f"({p.where}): open only the TLS listener ports and configure the software TLS-only")


# --------------------------------------------------------------------------- X-05 TGW route tables
def tgw_route_tables_separate_prod_and_nonprod(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, cfg = stack.graph(), stack.cfg
    unknowns = _Unknowns()
    for tgw in g.of_type(TGW):
        for prop in ("defaultRouteTableAssociation", "defaultRouteTablePropagation"):
            if unknowns.check(tgw, prop):
                continue
            if tgw.get(prop) != "disable":
                yield tgw.urn, (f"transit gateway {tgw.name} has {prop}={tgw.get(prop) or 'enable (default)'}: set "
                                f"it to 'disable' so no attachment lands in a shared default route table")
    links, unresolved = routing.table_links(g)
    by_table: dict[str, list[routing.Link]] = {}
    for link in links:
        by_table.setdefault(link.table_urn, []).append(link)
    prod, nonprod = set(cfg["prodSegments"]), set(cfg["nonprodSegments"])
    for table_urn, table_links in by_table.items():
        prod_links = [lk for lk in table_links if lk.attachment_segment in prod]
        nonprod_links = [lk for lk in table_links if lk.attachment_segment in nonprod]
        if prod_links and nonprod_links:
            a, b = prod_links[0], nonprod_links[0]
            yield table_urn, (f"tgw route table {a.table} mixes prod and non-prod attachments: {a.kind} of "
                              f"{a.attachment} ({a.attachment_segment}) and {b.kind} of {b.attachment} "
                              f"({b.attachment_segment}); give each segment its own route table")
    if unresolved:
        raise cannot_verify(unresolved)
    unknowns.raise_if_any()


# --------------------------------------------------------------------------- X-06 KMS keys of logs
def _key_refs(g: Graph, res: Res, prop: str) -> list[Res]:
    """KMS keys a property names (directly, by ARN, or through an alias)."""
    keys = g.resolve(res, prop, (KMS_KEY, KMS_REPLICA_KEY))
    for alias in g.resolve(res, prop, (KMS_ALIAS,)):
        keys += [k for k in g.resolve(alias, "targetKeyId", (KMS_KEY, KMS_REPLICA_KEY)) if k not in keys]
    return keys


def _trail_buckets(g: Graph) -> list[Res]:
    return [b for t in g.of_type(TRAIL) for b in g.resolve(t, "s3BucketName", BUCKETS)]


def _log_bucket_keys(g: Graph) -> list[tuple[Res, str]]:
    log_buckets = {b.urn for b in _trail_buckets(g)}
    for logging in g.of_type(*BUCKET_LOGGING):
        log_buckets.update(b.urn for b in g.resolve(logging, "targetBucket", BUCKETS))
    used: list[tuple[Res, str]] = []
    for sse in g.of_type(*BUCKET_SSE):
        if any(b.urn in log_buckets for b in g.resolve(sse, "bucket", BUCKETS)):
            used += [(k, f"log bucket encryption {sse.name}") for k in _key_refs(g, sse, "rules")]
    return used


def _log_keys(g: Graph) -> list[tuple[Res, str]]:
    used = _log_bucket_keys(g)
    used += [(k, f"trail {t.name}") for t in g.of_type(TRAIL) for k in _key_refs(g, t, "kmsKeyId")]
    used += [(k, f"log group {lg.name}") for lg in g.of_type(LOG_GROUP) for k in _key_refs(g, lg, "kmsKeyId")]
    return used


def log_keys_rotate_and_have_policy(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), _Unknowns()
    policies, _ = _covered_by(g, g.of_type(KMS_KEY_POLICY), "keyId", (KMS_KEY, KMS_REPLICA_KEY), unknowns)
    seen: set[str] = set()
    for key, user in _log_keys(g):
        if key.urn in seen:
            continue
        seen.add(key.urn)
        if key.type == KMS_KEY and not unknowns.check(key, "enableKeyRotation") and not _true(
                key.get("enableKeyRotation")):
            yield key.urn, (f"KMS key {key.name} (used by {user}) has no automatic rotation: set "
                            "enable_key_rotation=True")
        if not unknowns.check(key, "policy") and not key.get("policy") and key.urn not in policies:
            yield key.urn, (f"KMS key {key.name} (used by {user}) relies on the default key policy: give it an "
                            "explicit policy naming who may use and administer it")
    unknowns.raise_if_any()


# --------------------------------------------------------------------------- X-07 backup coverage
BACKED_UP_TYPES = (EBS_VOLUME, RDS_CLUSTER, EFS)


def _selection_tag_match(selection: Res, res: Res) -> bool:
    tags = res.tags
    for condition in _list(selection.get("selectionTags")):
        if isinstance(condition, Mapping) and tags.get(condition.get("key")) == condition.get("value"):
            return True
    conditions = selection.get("conditions")
    for group in _list(conditions):
        for entry in _list(group.get("stringEquals") if isinstance(group, Mapping) else None):
            key = str(entry.get("key", "")).removeprefix("aws:ResourceTag/")
            if tags.get(key) == entry.get("value"):
                return True
    return False


def _selected(g: Graph, selection: Res, unknowns: _Unknowns) -> set[str] | None:
    """URNs a selection covers; None means 'every resource' (resources ['*'])."""
    resources = selection.get("resources")
    if "*" in _list(resources) or any(str(a).endswith(":*") for a in _list(resources)):
        return None
    chosen = {r.urn for r in g.resolve(selection, "resources", BACKED_UP_TYPES)}
    chosen |= {r.urn for r in g.of_type(*BACKED_UP_TYPES) if _selection_tag_match(selection, r)}
    if not chosen:
        unknowns.check(selection, "resources")
    return chosen


def _plan_retention_problems(plan: Res, minimum: int, unknowns: _Unknowns) -> list[str]:
    problems = []
    if unknowns.check(plan, "rules"):
        return problems
    for i, rule in enumerate(_list(plan.get("rules"))):
        lifecycle = rule.get("lifecycle") if isinstance(rule, Mapping) else None
        days = lifecycle.get("deleteAfter") if isinstance(lifecycle, Mapping) else None
        if days is not None and not is_unknown(days) and int(days) < minimum:
            problems.append(f"rules[{i}].lifecycle.deleteAfter={days}")
    return problems


def backups_cover_data_with_retention(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns, minimum = stack.graph(), _Unknowns(), int(stack.cfg["minRetentionDays"])
    covered: set[str] = set()
    everything = False
    for selection in g.of_type(BACKUP_SELECTION):
        chosen = _selected(g, selection, unknowns)
        everything = everything or chosen is None
        covered |= chosen or set()
    for plan in g.of_type(BACKUP_PLAN):
        for problem in _plan_retention_problems(plan, minimum, unknowns):
            yield plan.urn, (f"backup plan {plan.name} keeps recovery points less than {minimum} days "
                             f"({problem}): set lifecycle.delete_after >= {minimum}")
    for res in g.of_type(*BACKED_UP_TYPES):
        if not everything and res.urn not in covered and not unknowns:
            yield res.urn, (f"{_label(res)} is in no backup/selection: add it to a selection of a backup plan "
                            f"(by ARN or by a tag the selection matches)")
    unknowns.raise_if_any()


# --------------------------------------------------------------------------- X-08 attached volumes encrypted
def _default_encryption_scopes(g: Graph) -> set[tuple[str | None, str | None]]:
    return {(g.account(e), g.region(e)) for e in g.of_type(EBS_DEFAULT_ENCRYPTION)
            if e.get("enabled") is None or _true(e.get("enabled"))}


def attached_volumes_encrypted(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), _Unknowns()
    by_default = _default_encryption_scopes(g)
    for attachment in g.of_type(VOLUME_ATTACHMENT):
        for volume in g.resolve(attachment, "volumeId", (EBS_VOLUME,)):
            if unknowns.check(volume, "encrypted") or _true(volume.get("encrypted")):
                continue
            if (g.account(volume), g.region(volume)) in by_default:
                continue
            yield volume.urn, (f"EBS volume {volume.name} is attached by {attachment.name} but not encrypted: set "
                               "encrypted=True with a KMS key (or enable EBS encryption by default in the account)")
    unknowns.raise_if_any()


# --------------------------------------------------------------------------- X-09 / X-11 buckets
PAB_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def _full_block(res: Res, unknowns: _Unknowns) -> bool:
    return all(not unknowns.check(res, flag) and _true(res.get(flag)) for flag in PAB_FLAGS)


def _blocked_buckets(g: Graph, unknowns: _Unknowns) -> tuple[set[str], set[str | None]]:
    blocks = [b for b in g.of_type(BUCKET_PAB) if _full_block(b, unknowns)]
    buckets, _ = _covered_by(g, blocks, "bucket", BUCKETS, unknowns)
    accounts = {g.account(a) for a in g.of_type(ACCOUNT_PAB) if _full_block(a, unknowns)}
    return buckets, accounts


def _public_access_blocked(g: Graph, bucket: Res, blocked: tuple[set[str], set[str | None]]) -> bool:
    buckets, accounts = blocked
    return bucket.urn in buckets or (g.account(bucket) is not None and g.account(bucket) in accounts)


def trail_bucket_blocked_and_logged(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), _Unknowns()
    blocked = _blocked_buckets(g, unknowns)
    logged, _ = _covered_by(g, g.of_type(*BUCKET_LOGGING), "bucket", BUCKETS, unknowns)
    for bucket in {b.urn: b for b in _trail_buckets(g)}.values():
        if not _public_access_blocked(g, bucket, blocked) and not unknowns:
            yield bucket.urn, (f"CloudTrail bucket {bucket.name} has no public access block with all four flags: "
                               "add aws.s3.BucketPublicAccessBlock with every flag True")
        if bucket.urn not in logged and not bucket.get("logging") and not bucket.get("loggings"):
            yield bucket.urn, (f"CloudTrail bucket {bucket.name} has no server access logging: add "
                               "aws.s3.BucketLogging to a separate access-log bucket")
    unknowns.raise_if_any()


def every_bucket_blocks_public_access(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), _Unknowns()
    blocked = _blocked_buckets(g, unknowns)
    for bucket in g.of_type(*BUCKETS):
        if not _public_access_blocked(g, bucket, blocked) and not unknowns:
            yield bucket.urn, (f"bucket {bucket.name} has no s3/bucketPublicAccessBlock with all four flags (and its "
                               "account no account-level block): add aws.s3.BucketPublicAccessBlock")
    unknowns.raise_if_any()


def every_account_blocks_public_access(stack: Any) -> Iterator[tuple[str | None, str]]:
    """The account-level block also stops public buckets and access points created outside the stack (console,
    another tool); a bucket-level block covers only its own bucket."""
    g, unknowns = stack.graph(), _Unknowns()
    blocked = {g.account(a) for a in g.of_type(ACCOUNT_PAB) if _full_block(a, unknowns)}
    accounts = {g.account(r) for r in g.resources if r.type != PROVIDER and r.provider_urn} - {None}
    named = {_own_tag(a, "account"): a for a in g.of_type(ORG_ACCOUNT)}
    for account in sorted(accounts - blocked):
        if unknowns:
            break
        where = named.get(account)
        yield (where.urn if where else None), (
            f"account {account} has resources in this stack but no s3/accountPublicAccessBlock with all four flags: "
            "add aws.s3.AccountPublicAccessBlock through the account's provider, every flag True")
    unknowns.raise_if_any()


def _own_tag(res: Res, key: str) -> str | None:
    value = res.tags.get(key)
    return value if isinstance(value, str) and not is_unknown(value) else None


# --------------------------------------------------------------------------- X-10 CIS 4.x alarms
# Each CIS 4.x metric filter, identified by the words its pattern must contain (event names and markers).
CIS_FILTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "4.1": ("unauthorized API calls", ("UnauthorizedOperation", "AccessDenied")),
    "4.2": ("console sign-in without MFA", ("ConsoleLogin", "MFAUsed")),
    "4.3": ("root account usage", ("Root",)),
    "4.4": ("IAM policy changes", (
        "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy",
        "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion",
        "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy",
        "DetachGroupPolicy")),
    "4.5": ("CloudTrail configuration changes", ("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging",
                                                 "StopLogging")),
    "4.6": ("console authentication failures", ("ConsoleLogin", "Failed")),
    "4.7": ("disabling or scheduled deletion of CMKs", ("DisableKey", "ScheduleKeyDeletion")),
    "4.8": ("S3 bucket policy changes", (
        "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
        "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication")),
    "4.9": ("AWS Config configuration changes", ("StopConfigurationRecorder", "DeleteDeliveryChannel",
                                                 "PutDeliveryChannel", "PutConfigurationRecorder")),
    "4.10": ("security group changes", (
        "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
        "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup")),
    "4.11": ("NACL changes", ("CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl",
                              "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation")),
    "4.12": ("network gateway changes", ("CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway",
                                         "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway")),
    "4.13": ("route table changes", ("CreateRoute", "CreateRouteTable", "ReplaceRoute",
                                     "ReplaceRouteTableAssociation", "DeleteRouteTable", "DeleteRoute",
                                     "DisassociateRouteTable")),
    "4.14": ("VPC changes", ("CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection",
                             "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection",
                             "RejectVpcPeeringConnection")),
    "4.15": ("AWS Organizations changes", ("organizations", "CreateAccount", "AttachPolicy",
                                           "DetachPolicy", "MoveAccount", "LeaveOrganization")),
}
_WORD = re.compile(r"[A-Za-z0-9_]+")  # dots split: $.additionalEventData.MFAUsed yields MFAUsed


def _pattern_controls(pattern: str) -> set[str]:
    words = set(_WORD.findall(pattern))
    return {cid for cid, (_, required) in CIS_FILTERS.items() if all(w in words for w in required)}


def _alarmed_metrics(g: Graph) -> set[tuple[Any, Any]]:
    """(metricName, namespace) of alarms that notify an SNS topic."""
    metrics = set()
    for alarm in g.of_type(ALARM):
        actions = _list(alarm.get("alarmActions"))
        notifies = g.resolve(alarm, "alarmActions", (SNS_TOPIC,)) or any(
            isinstance(a, str) and a.startswith("arn:aws:sns:") for a in actions)
        if notifies and alarm.get("actionsEnabled") is not False:
            metrics.add((alarm.get("metricName"), alarm.get("namespace")))
    return metrics


def _controls_of(g: Graph, log_group: Res, unknowns: _Unknowns) -> set[str]:
    alarmed = _alarmed_metrics(g)
    controls: set[str] = set()
    for metric_filter in g.of_type(METRIC_FILTER):
        if log_group not in g.resolve(metric_filter, "logGroupName", (LOG_GROUP,)):
            continue
        if unknowns.check(metric_filter, "pattern"):
            continue
        transformation = metric_filter.get("metricTransformation") or {}
        metric = (transformation.get("name"), transformation.get("namespace"))
        if metric in alarmed:
            controls |= _pattern_controls(str(metric_filter.get("pattern") or ""))
    return controls


def org_trail_has_cis_alarms(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns, required = stack.graph(), _Unknowns(), list(stack.cfg["requiredControls"])
    for trail in g.of_type(TRAIL):
        if unknowns.check(trail, "isOrganizationTrail") or not _true(trail.get("isOrganizationTrail")):
            continue
        groups = g.resolve(trail, "cloudWatchLogsGroupArn", (LOG_GROUP,))
        if not groups:
            if not unknowns.check(trail, "cloudWatchLogsGroupArn"):
                yield trail.urn, (f"organization trail {trail.name} does not deliver to CloudWatch Logs: set "
                                  "cloud_watch_logs_group_arn so the CIS 4.x metric filters can watch it")
            continue
        found = _controls_of(g, groups[0], unknowns)
        for cid in required:
            if cid not in found and not unknowns:
                title = CIS_FILTERS[cid][0] if cid in CIS_FILTERS else cid
                yield groups[0].urn, (f"log group {groups[0].name} of trail {trail.name} lacks CIS {cid} ({title}): "
                                      "add a cloudwatch LogMetricFilter with the CIS pattern and a MetricAlarm on "
                                      "its metric whose alarm_actions notify an SNS topic")
    unknowns.raise_if_any()


# --------------------------------------------------------------------------- X-12 subnet routes
def _indexed(g: Graph, key: str, build: Any) -> Any:
    """An index derived from the graph, built once per graph (so once per AnalyzeStack) and shared by the rules."""
    memo = getattr(g, "memo", None)
    if memo is None:
        return build(g)
    if key not in memo:
        memo[key] = build(g)
    return memo[key]


def _referrers(g: Graph, linker_type: str, prop: str, target_types: tuple[str, ...]) -> dict[int, list[Res]]:
    """id(target) -> the resources of `linker_type` whose `prop` resolves to it, in graph order."""
    found: dict[int, list[Res]] = {}
    for linker in g.of_type(linker_type):
        for target in g.resolve(linker, prop, target_types):
            found.setdefault(id(target), []).append(linker)
    return found


def _standalone_routes(g: Graph) -> dict[int, list[Res]]:
    return _indexed(g, "x12-routes-by-table", lambda g: _referrers(g, ROUTE, "routeTableId", (ROUTE_TABLE,)))


def _route_entries(g: Graph, table: Res) -> list[tuple[str, Res, Mapping[str, Any]]]:
    """(where, resource holding the route, route fields) for inline and standalone routes of a table."""
    entries = [(f"routes[{i}]", table, r) for i, r in enumerate(_list(table.get("routes"))) if isinstance(r, Mapping)]
    for route in _standalone_routes(g).get(id(table), ()):
        entries.append((f"route {route.name}", route, route.props))
    return entries


def _route_target(g: Graph, holder: Res, fields: Mapping[str, Any]) -> str | None:
    if fields.get("natGatewayId") is not None:
        return "nat"
    gateway = fields.get("gatewayId")
    if gateway is not None:
        if holder.type == ROUTE and g.resolve(holder, "gatewayId", (IGW,)):
            return "igw"
        return "igw" if isinstance(gateway, str) and gateway.startswith("igw-") or is_unknown(gateway) else "other"
    if fields.get("transitGatewayId") is not None:
        return "tgw"
    return None


def _tables_of(g: Graph, subnet: Res) -> list[Res]:
    associations = _indexed(g, "x12-associations-by-subnet",
                            lambda g: _referrers(g, ROUTE_TABLE_ASSOCIATION, "subnetId", (SUBNET,)))
    return [t for a in associations.get(id(subnet), ()) for t in g.resolve(a, "routeTableId", (ROUTE_TABLE,))]


def _default_route_targets(g: Graph, subnet: Res) -> tuple[set[str], set[str]]:
    default, anywhere = set(), set()
    for table in _tables_of(g, subnet):
        for _, holder, fields in _route_entries(g, table):
            target = _route_target(g, holder, fields)
            if target:
                anywhere.add(target)
                if fields.get("cidrBlock", fields.get("destinationCidrBlock")) == "0.0.0.0/0":
                    default.add(target)
    return default, anywhere


def subnet_tiers_route_correctly(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, cfg = stack.graph(), stack.cfg
    for subnet in g.of_type(SUBNET):
        tier = subnet.tags.get(cfg["tierKey"])
        if tier not in cfg["privateTiers"] and tier not in cfg["dataTiers"]:
            continue
        default, anywhere = _default_route_targets(g, subnet)
        if tier in cfg["privateTiers"] and not default & set(cfg["privateEgressVia"]):
            yield subnet.urn, (f"private subnet {subnet.name} has no 0.0.0.0/0 route to a NAT gateway: associate "
                               "it with a route table whose default route targets the AZ's NAT gateway")
        if tier in cfg["dataTiers"] and anywhere & {"igw", "nat"}:
            yield subnet.urn, (f"data subnet {subnet.name} has a route to an internet or NAT gateway: data tiers "
                               "route only inside the VPC and to the transit gateway")


# --------------------------------------------------------------------------- X-13 security groups in use
SG_HOLDER_EXCLUDED = (SG, SG_RULE, VPC_INGRESS, VPC_EGRESS)


def _strings_in(value: Any, found: set[str]) -> set[str]:
    """Every string in value: dict values and list items, recursively (not keys); a group is used when its id
    is one of them."""
    if isinstance(value, str):
        found.add(value)
    elif isinstance(value, Mapping):
        for item in value.values():
            _strings_in(item, found)
    elif isinstance(value, list):
        for item in value:
            _strings_in(item, found)
    return found


def security_groups_are_attached(stack: Any) -> Iterator[tuple[str | None, str]]:
    g = stack.graph()
    holders = [r for r in g.resources if r.type not in SG_HOLDER_EXCLUDED and r.type != PROVIDER]
    # What the holders reference, gathered once (not once per group): property-dependency URNs, and strings.
    referenced = {urn for h in holders for urns in h.property_dependencies.values() for urn in urns}
    mentioned: set[str] | None = None
    for sg in g.of_type(SG):
        if sg.urn in referenced:
            continue
        if sg.id and mentioned is None:
            mentioned = set()
            for h in holders:
                _strings_in(h.props, mentioned)
        if not (sg.id and sg.id in mentioned):
            yield sg.urn, (f"security group {sg.name} is attached to nothing: use it (instance, ENI, load balancer, "
                           "endpoint, cluster...) or delete it")


# --------------------------------------------------------------------------- X-14 endpoints for compute VPCs
COMPUTE_SUBNET_PROPS = {INSTANCE: ("subnetId",), EKS_CLUSTER: ("vpcConfig",), ECS_SERVICE: ("networkConfiguration",),
                        ASG: ("vpcZoneIdentifiers",), EKS_NODE_GROUP: ("subnetIds",),
                        EKS_COMPONENT: ("vpcId", "privateSubnetIds", "publicSubnetIds", "subnetIds")}


def _compute_vpcs(g: Graph) -> dict[str, str]:
    """VPC URN -> a compute resource running in it."""
    found: dict[str, str] = {}
    for res in g.of_type(*COMPUTE_SUBNET_PROPS):
        for prop in COMPUTE_SUBNET_PROPS[res.type]:
            vpcs = g.resolve(res, prop, (VPC,))
            for subnet in g.resolve(res, prop, (SUBNET,)):
                vpcs += g.resolve(subnet, "vpcId", (VPC,))
            for vpc in vpcs:
                found.setdefault(vpc.urn, _label(res))
    return found


def compute_vpcs_have_private_endpoints(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns, required = stack.graph(), _Unknowns(), list(stack.cfg["requiredEndpoints"])
    services: dict[str, set[str]] = {}
    for endpoint in g.of_type(VPC_ENDPOINT):
        if unknowns.check(endpoint, "serviceName"):
            continue
        name = str(endpoint.get("serviceName") or "")
        for vpc in g.resolve(endpoint, "vpcId", (VPC,)):
            services.setdefault(vpc.urn, set()).update(s for s in required if name.endswith("." + s))
    for vpc_urn, user in _compute_vpcs(g).items():
        missing = [s for s in required if s not in services.get(vpc_urn, set())]
        if missing and not unknowns:
            yield vpc_urn, (f"VPC {g.by_urn[vpc_urn].name} runs {user} but has no interface endpoint for "
                            f"{', '.join(missing)}: add aws.ec2.VpcEndpoint (Interface, private DNS) for each")
    unknowns.raise_if_any()


POLICY_ENDPOINT_TYPES = ("Gateway", "Interface")  # GatewayLoadBalancer, Resource, ServiceNetwork take no policy
# Conditions with which an endpoint statement open to every principal still stays inside the organization: the
# caller's (IAM-11's caller keys) or the resource's organization / account.
ENDPOINT_LIMITING_KEYS = ("aws:resourceorgid", "aws:resourceorgpaths", "aws:resourceaccount")


def endpoints_have_policies(stack: Any) -> Iterator[tuple[str | None, str]]:
    """Without a policy (or with AWS's default one, what the endpoint reports after creation) an endpoint lets any
    principal reach any resource of the service: a data subnet writes to any bucket of any account through the S3
    gateway endpoint."""
    g, unknowns = stack.graph(), _Unknowns()
    exempt = {str(x) for x in stack.cfg["policyUnsupportedServices"]}
    separate: dict[str, list[Res]] = {}
    for policy in g.of_type(VPC_ENDPOINT_POLICY):
        for endpoint in g.resolve(policy, "vpcEndpointId", (VPC_ENDPOINT,)):
            separate.setdefault(endpoint.urn, []).append(policy)
    for endpoint in g.of_type(VPC_ENDPOINT):
        if unknowns.check(endpoint, "serviceName") or unknowns.check(endpoint, "vpcEndpointType"):
            continue
        kind, service = endpoint.get("vpcEndpointType") or "Gateway", _endpoint_service(endpoint.get("serviceName"))
        if kind not in POLICY_ENDPOINT_TYPES or service is None or service in exempt:
            continue
        verdict = _endpoint_policy_verdict([endpoint, *separate.get(endpoint.urn, [])], unknowns)
        if verdict is not None:
            yield endpoint.urn, (f"VPC endpoint {endpoint.name} ({service}, {kind}) {verdict}: AWS's default endpoint "
                                 "policy lets every principal reach every resource of the service; set `policy` "
                                 "allowing only aws:PrincipalOrgID (and, for S3/DynamoDB gateways, aws:ResourceOrgID) "
                                 "of the organization")
    unknowns.raise_if_any()


def _endpoint_service(name: Any) -> str | None:
    """'com.amazonaws.eu-west-1.ecr.api' -> 'ecr.api'; None for PrivateLink services of other owners."""
    match = re.match(r"^com\.amazonaws\.[a-z0-9-]+\.(?P<service>.+)$", str(name or ""))
    return match["service"] if match and not match["service"].startswith("vpce-svc-") else None


def _endpoint_policy_verdict(carriers: list[Res], unknowns: _Unknowns) -> str | None:
    """None when one of the endpoint's policies (inline, or an ec2/vpcEndpointPolicy) limits it, else why not."""
    found = False
    for carrier in carriers:
        document = carrier.get("policy")
        if is_unknown(document):
            unknowns.check(carrier, "policy")
            return None
        if not document:
            continue
        found = True
        if statements(document) and not any(_open_to_all(st) for st in statements(document)):
            return None
    return "has only a policy that allows everyone everything" if found else "has no endpoint policy"


def _open_to_all(statement: Mapping[str, Any]) -> bool:
    """An Allow to every principal on every resource with no condition limiting the caller or the resource."""
    if not iam.allows_everyone(statement) or iam.limits_callers(statement):
        return False
    return "*" in statement_resources(statement) and not any(iam.pins(statement, k) for k in ENDPOINT_LIMITING_KEYS)


# --------------------------------------------------------------------------- X-15 security services everywhere
SERVICES = {
    "GuardDuty detector": (GUARDDUTY, GUARDDUTY_ORG, (GUARDDUTY_ADMIN,), "guardduty.amazonaws.com"),
    "AWS Config recorder": (CONFIG_RECORDER, None, (), "config.amazonaws.com"),
    "Security Hub": (SECURITY_HUB, SECURITY_HUB_ORG, (SECURITY_HUB_ADMIN,), "securityhub.amazonaws.com"),
    "Inspector enabler": (INSPECTOR, INSPECTOR_ORG, (INSPECTOR_ADMIN,), "inspector2.amazonaws.com"),
}


def _scopes(g: Graph) -> dict[tuple[str, str], str]:
    """(account, region) -> the URN of a resource seen there (providers with an `account` tag)."""
    seen: dict[tuple[str, str], str] = {}
    for res in g.resources:
        account, region = g.account(res), g.region(res)
        if res.type != PROVIDER and account and region:
            seen.setdefault((account, region), res.urn)
    return seen


def _org_auto_enabled(g: Graph, org_type: str | None) -> set[str]:
    """Regions where an organization configuration auto-enables the service for every member."""
    regions = set()
    for conf in g.of_type(org_type) if org_type else []:
        auto = conf.get("autoEnableOrganizationMembers") == "ALL" or _true(conf.get("autoEnable")) or (
            isinstance(conf.get("autoEnable"), Mapping) and any(_true(v) for v in conf.get("autoEnable").values()))
        central = (conf.get("organizationConfiguration") or {}).get("configurationType") == "CENTRAL" if isinstance(
            conf.get("organizationConfiguration"), Mapping) else False
        if auto or central:
            regions.add(g.region(conf))
        if central:
            regions |= _linked_regions(g)
    return regions


def _linked_regions(g: Graph) -> set[str | None]:
    """Regions a Security Hub finding aggregator links: central configuration applies there too."""
    regions: set[str | None] = set()
    for aggregator in g.of_type(SECURITY_HUB_AGGREGATOR):
        mode = aggregator.get("linkingMode")
        if mode == "SPECIFIED_REGIONS":
            regions |= {str(r) for r in _list(aggregator.get("specifiedRegions"))}
        elif mode in ("ALL_REGIONS", "ALL_REGIONS_EXCEPT_SPECIFIED"):
            excluded = set(_list(aggregator.get("specifiedRegions"))) if mode.endswith("SPECIFIED") else set()
            regions |= {region for (_, region) in _scopes(g) if region not in excluded}
    return regions


def _has_delegated_admin(g: Graph, admin_types: tuple[str, ...], principal: str) -> bool:
    if g.of_type(*admin_types):
        return True
    return any(d.get("servicePrincipal") == principal for d in g.of_type(ORG_DELEGATED_ADMIN))


def security_services_everywhere(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, cfg = stack.graph(), stack.cfg
    scopes = _scopes(g)
    if not scopes:
        return
    for service, (type_, org_type, admin_types, principal) in SERVICES.items():
        enabled = {(g.account(r), g.region(r)) for r in g.of_type(type_)}
        auto_regions = _org_auto_enabled(g, org_type) if cfg["acceptOrgAutoEnable"] else set()
        for (account, region), urn in sorted(scopes.items()):
            if (account, region) not in enabled and region not in auto_regions:
                yield urn, (f"account {account} in {region} has resources ({g.by_urn[urn].name}) but no {service}: "
                            "enable it there "
                            "(or auto-enable it for the organization from the delegated admin)")
        if cfg["requireDelegatedAdmin"] and not _has_delegated_admin(g, admin_types, principal):
            yield None, (f"{service}: no delegated administrator in the stack: delegate {principal} to the "
                         "security account")


# --------------------------------------------------------------------------- X-16 query logs, ECR lifecycle
def zones_logged_and_repositories_expire(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), _Unknowns()
    logged, undecided_zone = _covered_by(g, g.of_type(QUERY_LOG), "zoneId", (ZONE,), unknowns)
    for zone in g.of_type(ZONE):
        if unknowns.check(zone, "vpcs") or _list(zone.get("vpcs")):
            continue  # private zone
        if zone.urn not in logged and not undecided_zone:
            yield zone.urn, (f"public hosted zone {zone.name} has no route53/queryLog: add aws.route53.QueryLog "
                             "to a us-east-1 log group")
    expiring, undecided_repo = _covered_by(g, g.of_type(ECR_LIFECYCLE), "repository", (ECR_REPOSITORY,), unknowns)
    for repo in g.of_type(ECR_REPOSITORY):
        if repo.urn not in expiring and not undecided_repo:
            yield repo.urn, (f"ECR repository {repo.name} has no ecr/lifecyclePolicy: add one that expires "
                             "untagged and old images")
    unknowns.raise_if_any()


# --------------------------------------------------------------------------- X-17 reachability
def segment_reachability_matches_intent(stack: Any) -> Iterator[tuple[str | None, str]]:
    g = stack.graph()
    intent = stack.cfg["intent"]
    try:
        routing.normalize_intent(intent)
    except ValueError as err:
        yield None, f"policy config is invalid: {err}"
        return
    computed = routing.compute(g)
    for difference in routing.compare(computed, intent):
        yield (difference.urns[0] if difference.urns else None), difference.explanation
    if computed.unresolved:
        raise cannot_verify(computed.unresolved)


# =========================================================================== test cases (graphs)
def _vpc(name: str = "prod-vpc", cidr: str = "10.1.0.0/16", env: str = "prod") -> CaseResource:
    return _case(VPC, name, {"cidrBlock": cidr}, env=env)


X01_CASES = (
    StackCase((_vpc(),), violates=True, note="VPC without a flow log"),
    StackCase((_vpc(), _case(FLOW_LOG, "fl", {"trafficType": "REJECT"}, {"vpcId": "prod-vpc"})), violates=True,
              note="flow log of rejected traffic only"),
    StackCase((_vpc(), _case(FLOW_LOG, "fl", {"trafficType": "ALL"}, {"vpcId": "prod-vpc"})), violates=False),
    StackCase((_vpc(), _case(FLOW_LOG, "fl", {"trafficType": UNKNOWN}, {"vpcId": "prod-vpc"})), violates=False,
              unknown=True),
)

_ALB = _case(LOAD_BALANCERS[0], "web-alb", {"loadBalancerType": "application", "internal": False}, env="prod")
_ACL = _case(WEB_ACL, "web-acl", {"scope": "REGIONAL", "rules": [{"name": "common", "priority": 1}]})
X02_CASES = (
    StackCase((_ALB,), violates=True, note="public ALB without WAF"),
    StackCase((_case(API_STAGE, "v1", {"stageName": "v1"}, {"restApi": "api"}),
               _case(REST_API, "api", {"endpointConfiguration": {"types": ["REGIONAL"]}})), violates=True,
              note="public API stage without WAF"),
    StackCase((_ALB, _ACL, _case(WEB_ACL_ASSOCIATION, "waf", {}, {"resourceArn": "web-alb", "webAclArn": "web-acl"})),
              violates=False),
    StackCase((_case(LOAD_BALANCERS[0], "internal-alb", {"internal": True}),
               _case(API_STAGE, "v1", {"stageName": "v1"}, {"restApi": "api"}),
               _case(REST_API, "api", {"endpointConfiguration": {"types": ["PRIVATE"]}})), violates=False,
              note="internal ALB and private API need no WAF"),
)

_ACL_LOGGING = _case(WEB_ACL_LOGGING, "acl-logs", {"logDestinationConfigs": ["arn:aws:logs:x"]},
                     {"resourceArn": "web-acl"})
X03_CASES = (
    StackCase((_ACL,), violates=True, note="web ACL without logging"),
    StackCase((_case(WEB_ACL, "web-acl", {"rules": []}), _ACL_LOGGING), violates=True, note="no rules"),
    StackCase((_ACL, _ACL_LOGGING), violates=False),
    StackCase((_case(WEB_ACL, "web-acl", {"ruleJson": json.dumps([{"Name": "r"}])}), _ACL_LOGGING), violates=False),
)

_APP_SG = _case(SG, "app-sg", {"ingress": []})
_CLIENT_VPN_IN_SUBNET = (
    _case(SUBNET, "network-private-a", {"cidrBlock": "10.0.8.0/24"}, env="core"),
    _case(CLIENT_VPN_ASSOCIATION, "client-vpn-assoc-0", {}, {"subnetId": "network-private-a"}, env="core"),
)


def _ssh_from(cidr: str) -> CaseResource:
    return _case(SG, "db-sg", {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": [cidr]}],
                               "tags": {"tier": "data"}})


X04_CASES = (
    StackCase((_case(SG, "db-sg", {"ingress": [{"protocol": "tcp", "fromPort": 3306, "toPort": 3306,
                                                "cidrBlocks": ["10.1.0.0/16"]}]}),), violates=True,
              note="MySQL open to a CIDR"),
    StackCase((_case(SG, "cache-sg", {"tags": {"tier": "data"}}),
               _case(VPC_INGRESS, "cache-from-vpc", {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443,
                                                     "cidrIpv4": "10.0.0.0/8"}, {"securityGroupId": "cache-sg"})),
              violates=True, note="tagged data tier, standalone CIDR rule"),
    StackCase((_case(SG, "db-sg", {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22,
                                                "cidrBlocks": ["172.16.0.0/22"]}], "tags": {"tier": "data"}}),),
              violates=True, config={"adminCidrs": ["10.255.0.0/16"]}, note="SSH from outside the admin range"),
    StackCase((*_CLIENT_VPN_IN_SUBNET, _ssh_from("10.0.0.0/16")), violates=True,
              note="SSH from the whole network VPC, the plan's Client VPN sits in 10.0.8.0/24"),
    StackCase((*_CLIENT_VPN_IN_SUBNET, _ssh_from("10.0.8.0/24")), violates=False,
              note="SSH from the Client VPN's associated subnet (as planned)"),
    StackCase((_APP_SG, _case(SG, "db-sg", {"ingress": [
        {"protocol": "tcp", "fromPort": 3306, "toPort": 3306, "securityGroups": [UNKNOWN]},
        {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["172.16.0.0/22"]}]},
        {"ingress": "app-sg"})), violates=False, note="MySQL from the app SG, SSH from the Client VPN"),
    StackCase((_APP_SG, _case(SG, "kafka-sg"),
               _case(SG_RULE, "kafka-in", {"type": "ingress", "protocol": "tcp", "fromPort": 9094, "toPort": 9094},
                     {"securityGroupId": "kafka-sg", "sourceSecurityGroupId": "app-sg"})), violates=False,
              note="Kafka SASL_SSL from the app SG"),
    StackCase((_APP_SG, _case(SG, "kafka-sg"),
               _case(SG_RULE, "kafka-in", {"type": "ingress", "protocol": "tcp", "fromPort": 9092, "toPort": 9092},
                     {"securityGroupId": "kafka-sg", "sourceSecurityGroupId": "app-sg"})), violates=True,
              note="Kafka PLAINTEXT 9092, even from the app SG"),
    StackCase((_APP_SG, _case(SG, "cassandra-sg", {"ingress": [
        {"protocol": "tcp", "fromPort": 9142, "toPort": 9142, "securityGroups": [UNKNOWN]},
        {"protocol": "tcp", "fromPort": 7000, "toPort": 7001, "self": True}]}, {"ingress": "app-sg"})),
        violates=True, note="Cassandra gossip in clear (7000) between members"),
    StackCase((_APP_SG, _case(SG, "cassandra-sg", {"ingress": [
        {"protocol": "tcp", "fromPort": 9142, "toPort": 9142, "securityGroups": [UNKNOWN]},
        {"protocol": "tcp", "fromPort": 7001, "toPort": 7001, "self": True}]}, {"ingress": "app-sg"})),
        violates=False, note="Cassandra TLS ports only"),
)

_TGW = _case(TGW, "tgw", {"defaultRouteTableAssociation": "disable", "defaultRouteTablePropagation": "disable"})
_PROD_VPC, _NONPROD_VPC = _vpc("prod-vpc", "10.1.0.0/16"), _vpc("nonprod-vpc", "10.2.0.0/16", "nonprod")


def _att(name: str, vpc: str, env: str) -> CaseResource:
    return _case(VPC_ATTACHMENT, name, {"subnetIds": []}, {"vpcId": vpc, "transitGatewayId": "tgw"}, env=env)


def _rt(segment: str) -> CaseResource:
    return _case(TGW_ROUTE_TABLE, f"{segment}-rt", {"tags": {"segment": segment}}, {"transitGatewayId": "tgw"})


def _link(kind: str, attachment: str, segment: str) -> CaseResource:
    type_ = ASSOCIATION if kind == "assoc" else PROPAGATION
    return _case(type_, f"{attachment}-{kind}-{segment}", {},
                 {"transitGatewayAttachmentId": attachment, "transitGatewayRouteTableId": f"{segment}-rt"})


_TWO_SEGMENTS = (_TGW, _PROD_VPC, _NONPROD_VPC, _att("prod-att", "prod-vpc", "prod"),
                 _att("nonprod-att", "nonprod-vpc", "nonprod"), _rt("prod"), _rt("nonprod"),
                 _link("assoc", "prod-att", "prod"), _link("assoc", "nonprod-att", "nonprod"))
X05_CASES = (
    StackCase(_TWO_SEGMENTS + (_link("prop", "prod-att", "nonprod"),), violates=True,
              note="prod attachment propagates into the nonprod table"),
    StackCase((_case(TGW, "tgw", {"defaultRouteTableAssociation": "enable"}),), violates=True,
              note="default route table association enabled"),
    StackCase(_TWO_SEGMENTS + (_link("prop", "prod-att", "prod"),), violates=False),
)

_TRAIL_BUCKET = _case(BUCKETS[0], "trail-bucket", {"bucket": "org-trail-logs"})
_TRAIL = _case(TRAIL, "org-trail", {"isOrganizationTrail": True}, {"s3BucketName": "trail-bucket"})
_KEYED_TRAIL = _case(TRAIL, "org-trail", {"isOrganizationTrail": True}, {"s3BucketName": "trail-bucket",
                                                                          "kmsKeyId": "key"})


def _key(rotation: Any = True, policy: Any = '{"Statement": []}') -> CaseResource:
    return _case(KMS_KEY, "key", {"enableKeyRotation": rotation, "policy": policy})


X06_CASES = (
    StackCase((_key(rotation=False), _TRAIL_BUCKET, _KEYED_TRAIL), violates=True, note="trail key without rotation"),
    StackCase((_key(policy=None), _case(LOG_GROUP, "lg", {}, {"kmsKeyId": "key"})), violates=True,
              note="log group key with the default policy"),
    StackCase((_key(policy=None), _case(KMS_KEY_POLICY, "key-policy", {"policy": "{}"}, {"keyId": "key"}),
               _TRAIL_BUCKET, _KEYED_TRAIL), violates=False, note="policy given by kms/keyPolicy"),
    StackCase((_key(rotation=UNKNOWN), _TRAIL_BUCKET, _KEYED_TRAIL), violates=False, unknown=True),
)

_PLAN = _case(BACKUP_PLAN, "daily", {"rules": [{"ruleName": "daily", "lifecycle": {"deleteAfter": 15}}]})
X07_CASES = (
    StackCase((_case(RDS_CLUSTER, "aurora", {"engine": "aurora-mysql"}), _PLAN), violates=True,
              note="cluster in no selection"),
    StackCase((_case(EFS, "files", {"tags": {"backup": "daily"}}),
               _case(BACKUP_PLAN, "daily", {"rules": [{"ruleName": "d", "lifecycle": {"deleteAfter": 7}}]}),
               _case(BACKUP_SELECTION, "sel", {"selectionTags": [{"type": "STRINGEQUALS", "key": "backup",
                                                                  "value": "daily"}]}, {"planId": "daily"})),
              violates=True, note="retention 7 days"),
    StackCase((_case(RDS_CLUSTER, "aurora"), _case(EBS_VOLUME, "data-vol", {"tags": {"backup": "daily"}}), _PLAN,
               _case(BACKUP_SELECTION, "sel", {"selectionTags": [{"type": "STRINGEQUALS", "key": "backup",
                                                                  "value": "daily"}]},
                     {"planId": "daily", "resources": "aurora"})), violates=False,
              note="one by ARN, one by tag"),
)

X08_CASES = (
    StackCase((_case(EBS_VOLUME, "vol", {"encrypted": False}),
               _case(VOLUME_ATTACHMENT, "vol-att", {"deviceName": "/dev/sdf"}, {"volumeId": "vol"})), violates=True),
    StackCase((_case(EBS_VOLUME, "vol", {"encrypted": True}),
               _case(VOLUME_ATTACHMENT, "vol-att", {"deviceName": "/dev/sdf"}, {"volumeId": "vol"})), violates=False),
    StackCase((_case(EBS_VOLUME, "vol", {}), _case(EBS_DEFAULT_ENCRYPTION, "ebs-default", {"enabled": True}),
               _case(VOLUME_ATTACHMENT, "vol-att", {"deviceName": "/dev/sdf"}, {"volumeId": "vol"})), violates=False,
              note="EBS encryption by default in the same account and region"),
)

_FULL_BLOCK = {flag: True for flag in PAB_FLAGS}
_TRAIL_BLOCK = _case(BUCKET_PAB, "trail-bucket-pab", _FULL_BLOCK, {"bucket": "trail-bucket"})
_TRAIL_LOGGING = _case(BUCKET_LOGGING[0], "trail-bucket-logging", {"targetPrefix": "trail/"},
                       {"bucket": "trail-bucket", "targetBucket": "access-logs"})
_ACCESS_LOGS = _case(BUCKETS[0], "access-logs", {"bucket": "access-logs"})
X09_CASES = (
    StackCase((_TRAIL_BUCKET, _TRAIL, _TRAIL_BLOCK), violates=True, note="no access logging"),
    StackCase((_TRAIL_BUCKET, _TRAIL, _TRAIL_LOGGING, _ACCESS_LOGS,
               _case(BUCKET_PAB, "trail-bucket-pab", {**_FULL_BLOCK, "blockPublicPolicy": False},
                     {"bucket": "trail-bucket"})), violates=True, note="partial public access block"),
    StackCase((_TRAIL_BUCKET, _TRAIL, _TRAIL_BLOCK, _TRAIL_LOGGING, _ACCESS_LOGS), violates=False),
)

_CORE_ACCOUNT_PAB = _case(ACCOUNT_PAB, "core-account-pab", _FULL_BLOCK)
X11_CASES = (
    StackCase((_case(BUCKETS[0], "data"),), violates=True),
    StackCase((_case(BUCKETS[0], "data"), _case(BUCKET_PAB, "data-pab", _FULL_BLOCK, {"bucket": "data"})),
              violates=True, note="the bucket is blocked, its account has no account-level block"),
    StackCase((_case(VPC, "vpc", {"cidrBlock": "10.0.0.0/16"}, env="prod"), _CORE_ACCOUNT_PAB), violates=True,
              note="an account without buckets still needs the account-level block"),
    StackCase((_case(VPC, "vpc", {"cidrBlock": "10.0.0.0/16"}), _case(ACCOUNT_PAB, "core-account-pab", {
        **_FULL_BLOCK, "restrictPublicBuckets": False})), violates=True, note="a flag off"),
    StackCase((_case(BUCKETS[0], "data"), _case(BUCKET_PAB, "data-pab", _FULL_BLOCK, {"bucket": "data"}),
               _CORE_ACCOUNT_PAB), violates=False),
    StackCase((_case(BUCKETS[0], "data", env="prod"), _case(ACCOUNT_PAB, "account-pab", _FULL_BLOCK, env="prod")),
              violates=False, note="account-level block in the bucket's account"),
)


def _cis_filter_resources(skip: str | None = None) -> tuple[CaseResource, ...]:
    resources: list[CaseResource] = [
        _case(LOG_GROUP, "trail-lg", {"retentionInDays": 365}),
        _case(TRAIL, "org-trail", {"isOrganizationTrail": True}, {"cloudWatchLogsGroupArn": "trail-lg"}),
        _case(SNS_TOPIC, "alarms", {}),
    ]
    for cid, (_, words) in CIS_FILTERS.items():
        if cid == skip:
            continue
        metric = f"cis-{cid.replace('.', '-')}"
        pattern = "{ " + " || ".join(f"($.eventName = {w})" for w in words) + " }"
        resources.append(_case(METRIC_FILTER, f"{metric}-filter", {
            "pattern": pattern, "metricTransformation": {"name": metric, "namespace": "CIS", "value": "1"}},
            {"logGroupName": "trail-lg"}))
        resources.append(_case(ALARM, f"{metric}-alarm", {"metricName": metric, "namespace": "CIS"},
                               {"alarmActions": "alarms"}))
    return tuple(resources)


X10_CASES = (
    StackCase(_cis_filter_resources(skip="4.10"), violates=True, note="security group changes not watched"),
    StackCase((_case(TRAIL, "org-trail", {"isOrganizationTrail": True}),), violates=True,
              note="org trail not delivered to CloudWatch Logs"),
    StackCase(_cis_filter_resources(), violates=False),
    StackCase(_cis_filter_resources(skip="4.10"), violates=False,
              config={"requiredControls": [c for c in CIS_FILTERS if c != "4.10"]}, note="4.10 waived by config"),
)


def _subnet(name: str, tier: str) -> CaseResource:
    return _case(SUBNET, name, {"cidrBlock": "10.1.0.0/24", "tags": {"tier": tier}}, {"vpcId": "prod-vpc"})


def _table(name: str, routes: list[dict], subnet: str) -> tuple[CaseResource, CaseResource]:
    return (_case(ROUTE_TABLE, name, {"routes": routes}, {"vpcId": "prod-vpc"}),
            _case(ROUTE_TABLE_ASSOCIATION, f"{name}-{subnet}", {}, {"subnetId": subnet, "routeTableId": name}))


X12_CASES = (
    StackCase((_vpc(), _subnet("app-a", "private"), *_table("app-rt", [
        {"cidrBlock": "10.0.0.0/8", "transitGatewayId": "tgw-1"}], "app-a")), violates=True,
        note="private subnet without a default route to NAT"),
    StackCase((_vpc(), _subnet("data-a", "data"), *_table("data-rt", [
        {"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-1"}], "data-a")), violates=True,
        note="data subnet with a NAT route"),
    StackCase((_vpc(), _subnet("app-a", "private"), _subnet("data-a", "data"), _case(NAT, "nat-a", {}),
               *_table("app-rt", [], "app-a"), *_table("data-rt", [
                   {"cidrBlock": "10.0.0.0/8", "transitGatewayId": "tgw-1"}], "data-a"),
               _case(ROUTE, "app-default", {"destinationCidrBlock": "0.0.0.0/0"},
                     {"routeTableId": "app-rt", "natGatewayId": "nat-a"})), violates=False),
)

X13_CASES = (
    StackCase((_case(SG, "orphan-sg"),), violates=True),
    StackCase((_case(SG, "web-sg"), _case(INSTANCE, "web", {"instanceType": "t3.micro"},
                                          {"vpcSecurityGroupIds": "web-sg"})), violates=False),
)


_ORG_ONLY_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg1"}}}]})
_FULL_ACCESS_POLICY = json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]})


def _endpoint(service: str, policy: Any = _ORG_ONLY_POLICY, kind: str = "Interface") -> CaseResource:
    props = {"serviceName": f"com.amazonaws.eu-west-1.{service}", "vpcEndpointType": kind}
    return _case(VPC_ENDPOINT, f"ep-{service}", props | ({"policy": policy} if policy is not None else {}),
                 {"vpcId": "prod-vpc"})


_COMPUTE = (_vpc(), _case(SUBNET, "app-a", {"cidrBlock": "10.1.0.0/24"}, {"vpcId": "prod-vpc"}),
            _case(EKS_CLUSTER, "cluster", {"vpcConfig": {"subnetIds": [UNKNOWN]}}, {"vpcConfig": "app-a"}))
X14_CASES = (
    StackCase(_COMPUTE + (_endpoint("ecr.api"),), violates=True, note="ecr.dkr and ssm missing"),
    StackCase(_COMPUTE + tuple(_endpoint(s) for s in ("ecr.api", "ecr.dkr", "ssm")), violates=False),
    StackCase((_vpc(),), violates=False, note="VPC without compute"),
    StackCase((_vpc(), _endpoint("s3", policy=None, kind="Gateway")), violates=True,
              note="gateway endpoint without a policy"),
    StackCase((_vpc(), _endpoint("s3", policy=_FULL_ACCESS_POLICY, kind="Gateway")), violates=True,
              note="AWS's default full-access policy (what the endpoint reports after creation)"),
    StackCase((_vpc(), _endpoint("kms", policy=None)), violates=True, note="interface endpoint without a policy"),
    StackCase((_vpc(), _endpoint("ssmmessages", policy=None), _endpoint("ec2messages", policy=None)),
              violates=False, note="services without custom endpoint policies"),
    StackCase((_vpc(), _endpoint("dynamodb", policy=None, kind="Gateway"),
               _case(VPC_ENDPOINT_POLICY, "ddb-policy", {"policy": _ORG_ONLY_POLICY}, {"vpcEndpointId": "ep-dynamodb"})),
              violates=False, note="policy as a separate ec2/vpcEndpointPolicy"),
    StackCase((_vpc(), _endpoint("s3", policy=UNKNOWN, kind="Gateway")), violates=False, unknown=True),
)


def _everywhere(account_tags: dict[str, str], skip: str | None = None, region: str | None = None) -> list[CaseResource]:
    props = {"region": region} if region else {}
    types = {"guardduty": GUARDDUTY, "config": CONFIG_RECORDER, "hub": SECURITY_HUB, "inspector": INSPECTOR}
    return [_case(t, f"{account_tags['account']}-{key}{'-' + region if region else ''}", dict(props),
                  provider_tags=account_tags) for key, t in types.items() if key != skip]


_PROD_TAGS = {"environment": "prod", "account": "prod-apps"}
_ADMINS = (_case(GUARDDUTY_ADMIN, "gd-admin", {"adminAccountId": "111111111111"}, provider_tags=_PROD_TAGS),
           _case(SECURITY_HUB_ADMIN, "sh-admin", {"adminAccountId": "111111111111"}, provider_tags=_PROD_TAGS),
           _case(INSPECTOR_ADMIN, "insp-admin", {"accountId": "111111111111"}, provider_tags=_PROD_TAGS),
           _case(ORG_DELEGATED_ADMIN, "config-admin", {"servicePrincipal": "config.amazonaws.com",
                                                        "accountId": "111111111111"}, provider_tags=_PROD_TAGS))
X15_CASES = (
    StackCase((*_everywhere(_PROD_TAGS, skip="guardduty"), *_ADMINS), violates=True, note="no GuardDuty in prod-apps"),
    StackCase((*_everywhere(_PROD_TAGS), *_everywhere(_PROD_TAGS, skip="inspector", region="eu-central-1"),
               *_ADMINS), violates=True, note="second region without Inspector"),
    StackCase(tuple(_everywhere(_PROD_TAGS)), violates=True, note="no delegated admins"),
    StackCase((*_everywhere(_PROD_TAGS), *_ADMINS), violates=False),
    StackCase((*_everywhere(_PROD_TAGS, skip="guardduty"), *_ADMINS,
               _case(GUARDDUTY_ORG, "gd-org", {"autoEnableOrganizationMembers": "ALL"}, provider_tags=_PROD_TAGS)),
              violates=False, note="GuardDuty auto-enabled for the organization in the region"),
    StackCase((*_everywhere(_PROD_TAGS), *_everywhere(_PROD_TAGS, skip="hub", region="eu-central-1"), *_ADMINS,
               _case(SECURITY_HUB_ORG, "sh-org", {"organizationConfiguration": {"configurationType": "CENTRAL"}},
                     provider_tags=_PROD_TAGS),
               _case(SECURITY_HUB_AGGREGATOR, "sh-aggregator", {"linkingMode": "SPECIFIED_REGIONS",
                                                                "specifiedRegions": ["eu-central-1"]},
                     provider_tags=_PROD_TAGS)),
              violates=False, note="Security Hub central configuration reaches the linked region"),
)

X16_CASES = (
    StackCase((_case(ZONE, "example-com", {"name": "example.com"}),), violates=True, note="public zone, no query log"),
    StackCase((_case(ECR_REPOSITORY, "app"),), violates=True, note="repository without lifecycle policy"),
    StackCase((_case(ZONE, "example-com", {"name": "example.com"}),
               _case(QUERY_LOG, "example-com-ql", {}, {"zoneId": "example-com"}),
               _case(ZONE, "internal", {"name": "corp.internal", "vpcs": [{"vpcId": "vpc-1"}]}),
               _case(ECR_REPOSITORY, "app"), _case(ECR_LIFECYCLE, "app-lc", {"policy": "{}"}, {"repository": "app"})),
              violates=False),
)

_REACH_BASE = (_TGW, _PROD_VPC, _NONPROD_VPC, _vpc("shared-vpc", "10.0.0.0/16", "core"),
               _att("prod-att", "prod-vpc", "prod"), _att("nonprod-att", "nonprod-vpc", "nonprod"),
               _att("shared-att", "shared-vpc", "core"), _rt("prod"), _rt("nonprod"), _rt("shared"),
               _link("assoc", "prod-att", "prod"), _link("assoc", "nonprod-att", "nonprod"),
               _link("assoc", "shared-att", "shared"), _link("prop", "shared-att", "prod"),
               _link("prop", "shared-att", "nonprod"), _link("prop", "prod-att", "shared"),
               _link("prop", "nonprod-att", "shared"))
_NONPROD_TO_PROD = _case(TGW_ROUTE, "nonprod-to-prod", {"destinationCidrBlock": "10.1.0.0/16"},
                         {"transitGatewayRouteTableId": "nonprod-rt", "transitGatewayAttachmentId": "prod-att"})
X17_CASES = (
    StackCase(_REACH_BASE + (_link("prop", "prod-att", "nonprod"), _link("prop", "nonprod-att", "prod")),
              violates=True, note="prod and nonprod propagate into each other's tables"),
    StackCase(_REACH_BASE + (_NONPROD_TO_PROD,), violates=True, note="one-way static route nonprod -> prod"),
    StackCase(_REACH_BASE, violates=False),
    StackCase(_REACH_BASE + (_link("prop", "prod-att", "nonprod"), _link("prop", "nonprod-att", "prod")),
              violates=False, config={"intent": {**DEFAULT_INTENT, "prod": ["shared", "hybrid", "nonprod"]}},
              note="intent allows prod <-> nonprod"),
    StackCase(_REACH_BASE + (_case(ASSOCIATION, "dangling", {"transitGatewayAttachmentId": UNKNOWN,
                                                                   "transitGatewayRouteTableId": UNKNOWN}),),
              violates=False, unknown=True, note="association whose references cannot be resolved"),
)


# --------------------------------------------------------------------------- X-18
# A principal an SCP exempts (Deny ... unless aws:PrincipalArn is X) can switch the guardrails off; so X itself must
# be protected by an SCP that denies changing it (trust policy, policies, deletion), attached where the exemption
# applies, or an account administrator rewrites X's trust policy, assumes it and acts unguarded.
ROLE_PROTECTION_ACTIONS = [
    "iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePolicy",
    "iam:DeleteRolePolicy", "iam:DeleteRole",
]
# IAM itself refuses changes to these roles by account principals (service-linked roles; Identity Center's
# AWSReservedSSO_ roles: "UnmodifiableEntity ... this role is only modifiable by AWS").
AWS_PROTECTED_ROLE_PATHS = (":role/aws-service-role/", ":role/aws-reserved/sso.amazonaws.com/")
ROOT = "root"


def scp_exemptions_protected(stack: Any) -> Iterator[tuple[str | None, str]]:
    g = stack.graph()
    unknown: list[str] = []
    scps = [p for p in g.of_type(ORG_POLICY) if p.get("type", "SERVICE_CONTROL_POLICY") == "SERVICE_CONTROL_POLICY"]
    attached = _scp_targets(g, scps, unknown)
    parents = _parents(g)
    required = list(stack.cfg["protectActions"])
    for scp in scps:
        content = scp.get("content")
        if is_unknown(content):
            unknown.append(f"{scp.name}.content")
            continue
        for principal, sids in _exemptions(content).items():
            missing = _unprotected(principal, attached.get(scp.urn, set()), scps, attached, parents, required)
            if missing:
                yield scp.urn, _exemption_message(scp, sids, principal, missing, g)
    if unknown:
        raise cannot_verify(unknown)


def _exemptions(content: Any) -> dict[str, list[str]]:
    """Exempted principal -> Sids (or indexes) of the statements exempting it (AWS-protected roles left out)."""
    found: dict[str, list[str]] = {}
    for i, statement in enumerate(_scp_statements(content)):
        for principal in iam.deny_exemptions(statement):
            if not any(path in principal.lower() for path in AWS_PROTECTED_ROLE_PATHS):
                found.setdefault(principal, []).append(str(statement.get("Sid") or i))
    return found


def _scp_statements(content: Any) -> list[dict]:
    return statements(content)


def _exemption_message(scp: Res, sids: list[str], principal: str, missing: dict[str, list[str]],
                       g: Graph) -> str:
    where = f"{scp.name} (statements {', '.join(sids)})"
    gaps = "; ".join(f"{_target_name(t, g)}: {', '.join(actions)}" for t, actions in missing.items())
    return (f"{where} exempts {principal}, but no SCP attached where the exemption applies denies changes to it "
            f"({gaps}); add a Deny of {', '.join(ROLE_PROTECTION_ACTIONS)} on Resource {principal}, exempting only "
            "that principal and the pipeline role, attached to the root (or every OU the exemption applies to)")


def _target_name(target: str, g: Graph) -> str:
    res = g.by_urn.get(target)
    return res.name if res is not None else target


def _unprotected(principal: str, targets: set[str], scps: list[Res], attached: dict[str, set[str]],
                 parents: dict[str, str], required: list[str]) -> dict[str, list[str]]:
    """Target -> actions on `principal` that no SCP effective at that target denies."""
    missing: dict[str, list[str]] = {}
    for target in sorted(targets):
        lineage = _lineage(target, parents)
        effective = [p for p in scps if attached.get(p.urn, set()) & lineage]
        gaps = [a for a in required if not any(_denies(p, a, principal) for p in effective)]
        if gaps:
            missing[target] = gaps
    return missing


def _denies(scp: Res, action: str, principal: str) -> bool:
    content = scp.get("content")
    if is_unknown(content):
        return False
    return any(_protects(statement, action, principal) for statement in _scp_statements(content))


def _protects(statement: Mapping, action: str, principal: str) -> bool:
    """A Deny of `action` on the principal's ARN whose only conditions are principal exemptions."""
    if statement.get("Effect") != "Deny" or not iam.covers_action(statement, action):
        return False
    if not iam.covers_resource(statement, principal):
        return False
    conditions = list(iam.condition_entries(statement))
    return all(key == "aws:principalarn" and op.split(":", 1)[-1].removesuffix("ifexists") in iam.NEGATED_OPERATORS
               for op, key, _ in conditions)


def _scp_targets(g: Graph, scps: list[Res], unknown: list[str]) -> dict[str, set[str]]:
    """SCP urn -> targets it is attached to (ROOT, or the URN of an OU / account, else the raw id)."""
    wanted = {p.urn for p in scps}
    attached: dict[str, set[str]] = {}
    for attachment in g.of_type(ORG_POLICY_ATTACHMENT):
        policies = [p for p in g.resolve(attachment, "policyId", (ORG_POLICY,)) if p.urn in wanted]
        target = _target(g, attachment, "targetId")
        if target is None:
            unknown.append(f"{attachment.name}.targetId")
            continue
        for policy in policies:
            attached.setdefault(policy.urn, set()).add(target)
    return attached


def _target(g: Graph, res: Res, prop: str) -> str | None:
    value = res.get(prop)
    if isinstance(value, str) and value.startswith("r-") and not is_unknown(value):
        return ROOT
    found = g.resolve(res, prop, (ORGANIZATION, ORG_UNIT, ORG_ACCOUNT))
    if found:
        return ROOT if found[0].type == ORGANIZATION else found[0].urn
    return value if isinstance(value, str) and value and not is_unknown(value) else None


def _parents(g: Graph) -> dict[str, str]:
    parents: dict[str, str] = {}
    for res in g.of_type(ORG_UNIT, ORG_ACCOUNT):
        parent = _target(g, res, "parentId")
        if parent is not None:
            parents[res.urn] = parent
    return parents


def _lineage(target: str, parents: dict[str, str]) -> set[str]:
    """The target, its OUs up to the root, and the root (every SCP of the root applies everywhere)."""
    lineage = {target, ROOT}
    while target in parents and parents[target] not in lineage:
        target = parents[target]
        lineage.add(target)
    return lineage


# X-18, second check: the organization's preventive baseline at the root (CONTROLS §3, the plan-visible part).
# Every action of `rootDenies` is denied by an SCP attached to the root, by a statement on Resource "*" whose only
# conditions are principal exemptions (those are protected by the first check) or, for RAM sharing, the "allows
# external principals" flag. s3:BypassGovernanceRetention is denied, with no exemption at all, by an SCP effective in
# every account holding a GOVERNANCE-mode Object Lock default (that lock holds only if nobody may bypass it). An RCP
# attached to the root denies plain-HTTP calls and callers outside the organization (aws:PrincipalOrgID).
ROOT_DENIES = [
    "organizations:LeaveOrganization", "iam:CreateUser", "iam:CreateAccessKey",
    "cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors",
    "config:StopConfigurationRecorder", "config:DeleteConfigurationRecorder", "config:DeleteDeliveryChannel",
    "guardduty:DeleteDetector", "guardduty:UpdateDetector", "guardduty:DisassociateFromAdministratorAccount",
    "securityhub:DisableSecurityHub", "securityhub:BatchDisableStandards",
    "s3:PutAccountPublicAccessBlock", "ram:CreateResourceShare", "ram:UpdateResourceShare",
]
# Actions a deny may limit to one condition without losing its point: RAM shares are fine inside the organization.
CONDITIONAL_DENIES = {
    "ram:createresourceshare": "ram:requestedallowsexternalprincipals",
    "ram:updateresourceshare": "ram:requestedallowsexternalprincipals",
}
BYPASS_GOVERNANCE = "s3:BypassGovernanceRetention"
RCP_TLS_ACTIONS = ["s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:*"]
RCP_PERIMETER_ACTIONS = ["s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:AssumeRole"]


def organization_baseline_at_root(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, cfg = stack.graph(), stack.cfg
    organizations = g.of_type(ORGANIZATION)
    if not organizations:
        return  # the stack does not manage the organization
    org, unknown = organizations[0], []
    policies = g.of_type(ORG_POLICY)
    attached = _scp_targets(g, policies, unknown)
    scps = [p for p in policies if p.get("type", "SERVICE_CONTROL_POLICY") == "SERVICE_CONTROL_POLICY"]
    rcps = [p for p in policies if p.get("type") == "RESOURCE_CONTROL_POLICY"]
    at_root = _statements_of([p for p in scps if ROOT in attached.get(p.urn, set())], unknown)
    missing = [a for a in cfg["rootDenies"] if not any(_baseline_deny(st, a) for st in at_root)]
    if missing and not unknown:
        yield org.urn, (f"no SCP attached to the root denies {', '.join(missing)} (on Resource \"*\", with no "
                        "condition but principal exemptions): add the denies to an SCP attached to the root, so no "
                        "account can leave, create IAM users, switch off CloudTrail/Config/GuardDuty/Security Hub, "
                        "lift the account public access block or share resources outside the organization")
    yield from _governance_bypass(g, scps, attached, unknown)
    yield from _rcp_perimeter(org, [p for p in rcps if ROOT in attached.get(p.urn, set())], cfg, unknown)
    if unknown:
        raise cannot_verify(unknown)


def _statements_of(policies: list[Res], unknown: list[str]) -> list[dict]:
    found: list[dict] = []
    for policy in policies:
        content = policy.get("content")
        if is_unknown(content):
            unknown.append(f"{policy.name}.content")
        else:
            found += _scp_statements(content)
    return found


def _baseline_deny(statement: Mapping, action: str, strict: bool = False) -> bool:
    """A Deny of `action` on every resource; conditions only principal exemptions (none when strict) or the one
    condition CONDITIONAL_DENIES allows for the action."""
    if statement.get("Effect") != "Deny" or not iam.covers_action(statement, action):
        return False
    if not iam.covers_resource(statement, "*"):
        return False
    for operator, key, values in iam.condition_entries(statement):
        base = operator.split(":", 1)[-1].removesuffix("ifexists")
        if not strict and key == "aws:principalarn" and base in iam.NEGATED_OPERATORS:
            continue
        if key == CONDITIONAL_DENIES.get(action.lower()) and base == "bool" and values == ["true"]:
            continue
        return False
    return True


def _governance_bypass(g: Graph, scps: list[Res], attached: dict[str, set[str]],
                       unknown: list[str]) -> Iterator[tuple[str, str]]:
    parents = _parents(g)
    accounts = {_own_tag(a, "account"): a.urn for a in g.of_type(ORG_ACCOUNT)}
    for lock in g.of_type(*OBJECT_LOCK_CONFIGS):
        mode = dig(lock.get("rule"), "defaultRetention", "mode")
        target = accounts.get(g.account(lock))
        if is_unknown(mode) or mode != "GOVERNANCE" or target is None:
            continue  # SCPs never apply to the management account (no organizations/account of its own)
        lineage = _lineage(target, parents)
        effective = _statements_of([p for p in scps if attached.get(p.urn, set()) & lineage], unknown)
        if not any(_baseline_deny(st, BYPASS_GOVERNANCE, strict=True) for st in effective) and not unknown:
            yield lock.urn, (f"{lock.name} sets a GOVERNANCE-mode Object Lock default in account {g.account(lock)}, "
                             f"but no SCP effective there denies {BYPASS_GOVERNANCE} without exemption: anyone with "
                             "that permission deletes the locked objects; deny it in an SCP attached to the root (or "
                             "use COMPLIANCE mode)")


def _rcp_perimeter(org: Res, rcps: list[Res], cfg: Mapping[str, Any],
                   unknown: list[str]) -> Iterator[tuple[str, str]]:
    found = _statements_of(rcps, unknown)
    if unknown:
        return
    if not any(_tls_only(st, cfg["rcpTlsActions"]) for st in found):
        yield org.urn, (f"no RCP attached to the root denies {', '.join(cfg['rcpTlsActions'])} to Principal \"*\" "
                        "when aws:SecureTransport is false: add the TLS-only statement to a root RCP (enable the "
                        "RESOURCE_CONTROL_POLICY type on the organization)")
    outside = [a for a in cfg["rcpPerimeterActions"] if not any(_org_perimeter(st, a) for st in found)]
    if outside:
        yield org.urn, (f"no RCP attached to the root denies {', '.join(outside)} to principals outside the "
                        "organization (Deny, Principal \"*\", StringNotEqualsIfExists aws:PrincipalOrgID, AWS "
                        "services exempted with aws:PrincipalIsAWSService): add the organization perimeter statement")


def _denies_everyone(statement: Mapping) -> bool:
    return statement.get("Effect") == "Deny" and "*" in iam.principal_values(statement)


def _tls_only(statement: Mapping, wanted: list[str]) -> bool:
    if not _denies_everyone(statement) or not iam.covers_resource(statement, "*"):
        return False
    if not all(iam.covers_action(statement, a) for a in wanted):
        return False
    conditions = list(iam.condition_entries(statement))
    return bool(conditions) and all(key == "aws:securetransport" and op.removesuffix("ifexists") == "bool"
                                    and values == ["false"] for op, key, values in conditions)


def _org_perimeter(statement: Mapping, action: str) -> bool:
    """Deny `action` to everyone whose aws:PrincipalOrgID is not the organization's; other conditions may only
    exempt (negated or IfExists), never narrow the statement, and a NotResource may only carve out named resources."""
    if not _denies_everyone(statement) or not iam.covers_action(statement, action):
        return False
    not_resource = [str(r) for r in as_list(statement.get("NotResource"))]
    if not (iam.covers_resource(statement, "*") or (not_resource and "*" not in not_resource)):
        return False
    pinned = False
    for operator, key, values in iam.condition_entries(statement):
        base, exempting = operator.split(":", 1)[-1].removesuffix("ifexists"), operator.endswith("ifexists")
        if key == "aws:principalorgid" and base in iam.NEGATED_OPERATORS:
            pinned = pinned or any(v.strip() not in ("", "*") for v in values)
        elif base not in iam.NEGATED_OPERATORS and not exempting:
            return False
    return pinned


_OAAR = "arn:*:iam::*:role/OrganizationAccountAccessRole"
_PIPELINE = "arn:*:iam::*:role/landing-zone-pipeline"


def _scp(name: str, *statements: Mapping) -> CaseResource:
    return _case(ORG_POLICY, name, {"type": "SERVICE_CONTROL_POLICY", "content": json.dumps({
        "Version": "2012-10-17", "Statement": list(statements)})}, env="core")


def _attach(name: str, policy: str, target: str = "r-exam", target_ref: str | None = None) -> CaseResource:
    refs = {"policyId": policy} | ({"targetId": target_ref} if target_ref else {})
    props = {} if target_ref else {"targetId": target}
    return _case(ORG_POLICY_ATTACHMENT, name, props, refs, env="core")


_EXEMPTING = _scp("guardrails", {"Sid": "ProtectCloudTrail", "Effect": "Deny", "Action": "cloudtrail:StopLogging",
                                 "Resource": "*", "Condition": {"ArnNotLike": {"aws:PrincipalArn": _OAAR}}})


def _protecting(*resources: str) -> CaseResource:
    return _scp("protect-exempt-roles", {
        "Sid": "Zz", "Effect": "Deny", "Action": ROLE_PROTECTION_ACTIONS, "Resource": list(resources),
        "Condition": {"ArnNotLike": {"aws:PrincipalArn": [_OAAR, _PIPELINE]}}})


def _rcp(name: str, *statements: Mapping) -> CaseResource:
    return _case(ORG_POLICY, name, {"type": "RESOURCE_CONTROL_POLICY", "content": json.dumps({
        "Version": "2012-10-17", "Statement": list(statements)})}, env="core")


_TLS_STATEMENT = {"Sid": "EnforceSecureTransport", "Effect": "Deny", "Principal": "*", "Action": RCP_TLS_ACTIONS,
                  "Resource": "*", "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}
_PERIMETER_STATEMENT = {"Sid": "EnforceOrgIdentities", "Effect": "Deny", "Principal": "*",
                        "Action": ["s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:AssumeRole"], "Resource": "*",
                        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-exampleorg1"},
                                      "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}
_BASELINE_DENIES = [a for a in ROOT_DENIES if not a.startswith("ram:")]


def _baseline(denies: list[str] | None = None, tls: Mapping | None = _TLS_STATEMENT,
              perimeter: Mapping | None = _PERIMETER_STATEMENT) -> tuple[CaseResource, ...]:
    """An SCP with the baseline denies and an RCP with the TLS and perimeter statements, both attached to the root."""
    baseline = _scp("baseline", {"Sid": "Baseline", "Effect": "Deny", "Action": _BASELINE_DENIES if denies is None
                                 else denies, "Resource": "*"},
                    {"Sid": "NoExternalShares", "Effect": "Deny", "Action": ["ram:CreateResourceShare",
                                                                             "ram:UpdateResourceShare"],
                     "Resource": "*", "Condition": {"Bool": {"ram:RequestedAllowsExternalPrincipals": "true"}}},
                    {"Sid": "NoBypass", "Effect": "Deny", "Action": BYPASS_GOVERNANCE, "Resource": "*"})
    rcp = _rcp("perimeter", *[st for st in (tls, perimeter) if st is not None])
    return baseline, _attach("baseline-root", "baseline"), rcp, _attach("perimeter-root", "perimeter")


_BASELINE = _baseline()
_MEMBER = _case(ORG_ACCOUNT, "member", {"name": "member", "tags": {"account": "prod-account"}},
                {"parentId": "workloads"}, env="core")
_GOVERNANCE_LOCK = _case(OBJECT_LOCK_CONFIGS[0], "backups-lock", {"bucket": "backups", "rule": {
    "defaultRetention": {"mode": "GOVERNANCE", "days": 15}}}, env="prod")


_PROTECTING = _protecting("arn:aws:iam::*:role/Organization*", "arn:aws:iam::*:role/landing-zone-pipeline")
_OU = _case(ORG_UNIT, "workloads", {"name": "Workloads"}, {"parentId": "org"}, env="core")
_ORG = _case(ORGANIZATION, "org", {"featureSet": "ALL"}, env="core")
X18_CASES = (
    StackCase((*_BASELINE, _ORG, _EXEMPTING, _attach("guardrails-root", "guardrails")), violates=True,
              note="exempted role unprotected"),
    StackCase((*_BASELINE, _ORG, _OU, _EXEMPTING, _PROTECTING, _attach("guardrails-root", "guardrails"),
               _attach("protect-ou", "protect-exempt-roles", target_ref="workloads")), violates=True,
              note="protection attached to one OU, exemption applies at the root"),
    StackCase((*_BASELINE, _ORG, _EXEMPTING, _attach("guardrails-root", "guardrails"), _scp("partial", {
        "Effect": "Deny", "Action": ["iam:DeleteRole", "iam:AttachRolePolicy"], "Resource": "*"}),
        _attach("partial-root", "partial")), violates=True, note="trust policy changes still allowed"),
    StackCase((*_BASELINE, _ORG, _EXEMPTING, _attach("guardrails-root", "guardrails"), _scp("conditional", {
        "Effect": "Deny", "Action": "iam:*", "Resource": "*",
        "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}), _attach("conditional-root", "conditional")),
        violates=True, note="a protection that only applies under another condition"),
    StackCase((*_BASELINE, _ORG, _EXEMPTING, _protecting("arn:aws:iam::*:role/OrganizationAccountAccessRole"),
               _attach("guardrails-root", "guardrails"), _attach("protect-root", "protect-exempt-roles")),
              violates=True, note="the pipeline role the protection exempts is itself unprotected"),
    StackCase((*_BASELINE, _ORG, _EXEMPTING, _PROTECTING, _attach("guardrails-root", "guardrails"),
               _attach("protect-root", "protect-exempt-roles")), violates=False),
    StackCase((*_BASELINE, _ORG, _OU, _EXEMPTING, _PROTECTING, _attach("guardrails-ou", "guardrails", target_ref="workloads"),
               _attach("protect-root", "protect-exempt-roles", target_ref="org")), violates=False,
              note="order and Sid do not matter; a root attachment protects every OU"),
    StackCase((*_BASELINE, _ORG, _scp("sso", {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {
        "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*"}}}),
        _attach("sso-root", "sso")), violates=False, note="roles only AWS can modify"),
    StackCase((*_baseline(denies=[a for a in _BASELINE_DENIES if a != "iam:CreateUser"]), _ORG), violates=True,
              note="baseline: iam:CreateUser not denied at the root"),
    StackCase((*_baseline()[:1], _attach("baseline-ou", "baseline", target_ref="workloads"), *_baseline()[2:], _ORG,
               _OU), violates=True, note="baseline SCP attached to an OU only"),
    StackCase((*_baseline(tls=None), _ORG), violates=True, note="no TLS-only RCP statement"),
    StackCase((*_baseline(perimeter=dict(_PERIMETER_STATEMENT, Action=["s3:*"])), _ORG), violates=True,
              note="perimeter covers S3 only"),
    StackCase((*_baseline(perimeter=dict(_PERIMETER_STATEMENT, Condition={
        "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-exampleorg1"},
        "StringEquals": {"aws:RequestedRegion": "eu-west-1"}})), _ORG), violates=True,
        note="perimeter narrowed to one region"),
    StackCase((_scp("baseline", {"Effect": "Deny", "Action": ROOT_DENIES, "Resource": "*"}),
               _attach("baseline-root", "baseline"), *_BASELINE[2:], _ORG, _OU, _MEMBER, _GOVERNANCE_LOCK),
              violates=True, note="GOVERNANCE lock in a member account, bypass not denied"),
    StackCase((*_BASELINE, _ORG, _OU, _MEMBER, _GOVERNANCE_LOCK), violates=False,
              note="baseline at the root, RAM denied only for external shares, bypass denied"),
    StackCase((_scp("baseline", {"Effect": "Deny", "Action": ROOT_DENIES, "Resource": "*"}),
               _attach("baseline-root", "baseline"), *_BASELINE[2:], _ORG, _OU, _MEMBER, _GOVERNANCE_LOCK,
               _scp("no-bypass", {"Effect": "Deny", "Action": BYPASS_GOVERNANCE, "Resource": "*"}),
               _attach("no-bypass-ou", "no-bypass", target_ref="workloads")), violates=False,
              note="bypass denied at the account's OU"),
    StackCase((*_BASELINE[:2], _case(ORG_POLICY, "perimeter", {"type": "RESOURCE_CONTROL_POLICY", "content": UNKNOWN},
                                     env="core"), _BASELINE[3], _ORG), violates=False, unknown=True,
              note="preview: the RCP names the new organization's id"),
    StackCase((_scp("baseline", {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}),),
              violates=False, note="a stack that does not manage the organization"),
)


# =========================================================================== rules
TIER_PARAMS = {
    "tierKey": Param("string", "tier", "tag key naming a subnet's / security group's tier"),
    "dataTiers": Param("array", ["data"], "tier tag values of data tiers", items="string"),
}

RULES = [
    StackRule(
        id="X-01", name="x-01-vpc-flow-logs-all-traffic", title="Every VPC has a flow log of all traffic",
        description="Each ec2/vpc must be the target of an ec2/flowLog with trafficType=ALL, so accepted and rejected "
                    "traffic can be investigated.",
        refs="CIS 3.9 (v1.5) / 3.7 (v3.0); SH EC2.6; CKV2_AWS_11",
        checks=(vpc_has_all_traffic_flow_log,), cases=X01_CASES),
    StackRule(
        id="X-02", name="x-02-public-endpoints-have-waf", title="Internet-facing ALBs and public API stages have WAF",
        description="Every internet-facing application load balancer and every public (non-PRIVATE) REST API stage "
                    "is the resourceArn of a wafv2/webAclAssociation.",
        refs="SH ELB.16, APIGateway.4; CKV2_AWS_28, CKV2_AWS_29",
        checks=(public_endpoints_have_waf,), cases=X02_CASES),
    StackRule(
        id="X-03", name="x-03-web-acl-logged-with-rules", title="Every web ACL logs and has rules",
        description="A wafv2/webAcl needs a wafv2/webAclLoggingConfiguration and at least one rule (rules or "
                    "ruleJson); an ACL without rules only applies its default action.",
        refs="SH WAF.11, WAF.10; CKV2_AWS_31, CKV_AWS_175",
        checks=(web_acl_has_logging_and_rules,), cases=X03_CASES),
    StackRule(
        id="X-04", name="x-04-data-tier-ingress-from-app-sgs",
        title="Data-tier security groups admit only security-group sources",
        description="Security groups of the data tier (tag tier=data, or ingress on a database port: MySQL, Redis, "
                    "Cassandra, MongoDB, Kafka, Elasticsearch, TLS ports included) allow ingress only by source "
                    "security group (the app tier); the one exception is SSH/RDP from the admin (Client VPN) ranges. "
                    "They never open a known clear-text listener port (`plaintextPorts`: Kafka 9092 PLAINTEXT, "
                    "Cassandra 7000 gossip, 9042 clear CQL, 7199 JMX), whatever the source. (Ports only: MongoDB or "
                    "Elasticsearch without TLS cannot be told from the group.)",
        refs="no standard control found",
        checks=(data_tier_ingress_only_from_security_groups,), cases=X04_CASES,
        params={**TIER_PARAMS,
                "dataPorts": Param("array", DATA_PORTS, "ports that make a group data-tier", items="integer"),
                "plaintextPorts": Param("object", PLAINTEXT_PORTS, "port -> clear-text listener a data-tier group "
                                        "never opens (from any source)"),
                "adminCidrs": Param("array", PRIVATE_RANGES, "CIDRs SSH/RDP may come from (unset: the subnets the "
                                    "planned Client VPN is associated with, else this default)",
                                    items="string", stack="adminCidrs"),
                "adminPorts": Param("array", [22, 3389], "administrative ports allowed from adminCidrs",
                                    items="integer")}),
    StackRule(
        id="X-05", name="x-05-tgw-route-tables-separate-environments",
        title="Prod and non-prod TGW attachments never share a route table",
        description="No ec2transitgateway/routeTable has both a prod and a non-prod attachment associated or "
                    "propagated (segment from the attachment's `segment` tag, else its provider's environment), and "
                    "every transit gateway disables default route table association and propagation.",
        refs="none found (SH EC2.23 covers only auto-accept)",
        checks=(tgw_route_tables_separate_prod_and_nonprod,), cases=X05_CASES,
        params={"prodSegments": Param("array", ["prod"], "segments that are production", items="string"),
                "nonprodSegments": Param("array", ["nonprod", "sandbox"], "segments that are not production",
                                         items="string")}),
    StackRule(
        id="X-06", name="x-06-log-keys-rotated-with-policy",
        title="KMS keys of the log bucket, CloudTrail and log groups rotate and have a policy",
        description="Every kms/key that encrypts the CloudTrail / access-log buckets, a trail or a log group has "
                    "enableKeyRotation=true and an explicit key policy (policy input or kms/keyPolicy).",
        refs="CIS 3.8 (v1.5) / 3.6 (v3.0); CKV_AWS_7, CKV2_AWS_64 (per key only)",
        checks=(log_keys_rotate_and_have_policy,), cases=X06_CASES),
    StackRule(
        id="X-07", name="x-07-data-in-backup-plan", title="Data stores are backed up long enough",
        description="EBS data volumes, RDS clusters and EFS file systems are in a backup/selection (by ARN, by tag, "
                    "or a '*' selection), and every backup plan rule keeps recovery points at least the configured "
                    "number of days.",
        refs="SH EC2.28, RDS.26; CKV2_AWS_9, CKV2_AWS_8; Config backup-plan-min-frequency-and-min-retention-check",
        checks=(backups_cover_data_with_retention,), cases=X07_CASES,
        params={"minRetentionDays": Param("integer", 15, "minimum lifecycle.deleteAfter of backup plan rules")}),
    StackRule(
        id="X-08", name="x-08-attached-volumes-encrypted", title="Attached EBS volumes are encrypted",
        description="Every ebs/volume attached by an ec2/volumeAttachment is encrypted (or EBS encryption by default "
                    "is enabled in its account and region).",
        refs="CKV2_AWS_2",
        checks=(attached_volumes_encrypted,), cases=X08_CASES),
    StackRule(
        id="X-09", name="x-09-trail-bucket-blocked-and-logged",
        title="The CloudTrail bucket blocks public access and logs access",
        description="The bucket a trail delivers to has a public access block with all four flags (or an account-"
                    "level block) and server access logging.",
        refs="CIS 3.3, 3.6 (v1.5) / 3.4 (v3.0); SH CloudTrail.6, CloudTrail.7",
        checks=(trail_bucket_blocked_and_logged,), cases=X09_CASES),
    StackRule(
        id="X-10", name="x-10-org-trail-cis-alarms", title="The organization trail has the CIS 4.x alarms",
        description="The log group of the organization trail has, for each CIS 4.1-4.15 event class, a metric filter "
                    "whose pattern names the CIS events and an alarm on its metric that notifies an SNS topic.",
        refs="CIS 4.1-4.15 (v1.5) / 4.x (v3.0); SH CloudWatch.1-14; CKV_AWS_319 (actionsEnabled only)",
        checks=(org_trail_has_cis_alarms,), cases=X10_CASES,
        params={"requiredControls": Param("array", list(CIS_FILTERS), "CIS 4.x controls that must be alarmed",
                                          items="string")}),
    StackRule(
        id="X-11", name="x-11-buckets-block-public-access",
        title="Every bucket and every account has a public access block",
        description="Each S3 bucket has an s3/bucketPublicAccessBlock with all four flags, or its account has an "
                    "s3/accountPublicAccessBlock with all four; and every account with resources in the stack (its "
                    "provider's `account` default tag) has an s3/accountPublicAccessBlock with all four flags, which "
                    "also covers buckets created outside the stack.",
        refs="CKV2_AWS_6; SH S3.1, S3.8",
        checks=(every_bucket_blocks_public_access, every_account_blocks_public_access), cases=X11_CASES),
    StackRule(
        id="X-12", name="x-12-subnet-tiers-route-correctly",
        title="Private subnets egress by NAT; data subnets never reach the internet",
        description="Subnets tagged as private route 0.0.0.0/0 to a NAT gateway; subnets tagged as data have no route "
                    "to an internet or NAT gateway.",
        refs="CKV2_AWS_35 (NAT part)",
        checks=(subnet_tiers_route_correctly,), cases=X12_CASES,
        params={**TIER_PARAMS,
                "privateTiers": Param("array", ["private", "app"], "tier tag values of private subnets",
                                      items="string"),
                "privateEgressVia": Param("array", ["nat"], "accepted default-route targets of private subnets "
                                          "(nat, tgw for centralized egress)", items="string")}),
    StackRule(
        id="X-13", name="x-13-security-groups-attached", title="Every security group is attached to something",
        description="An ec2/securityGroup no resource uses is dead configuration that hides intent; advisory, "
                    "because a group may be prepared for a workload that arrives later.",
        refs="CKV2_AWS_5",
        checks=(security_groups_are_attached,), cases=X13_CASES, level=ADVISORY),
    StackRule(
        id="X-14", name="x-14-compute-vpcs-have-endpoints",
        title="VPCs running ECS, EKS or EC2 have ECR and SSM endpoints; endpoints have organization policies",
        description="A VPC with instances, Auto Scaling groups, EKS clusters or node groups, or ECS services has "
                    "interface endpoints for ecr.api, ecr.dkr and ssm, so images and management traffic stay private. "
                    "Every Gateway or Interface endpoint of an AWS service (but `policyUnsupportedServices`) has a "
                    "policy (inline or ec2/vpcEndpointPolicy) that is not open to everyone: its statements for "
                    "Principal \"*\" name resources or pin the caller's or the resource's organization/account "
                    "(IAM-11 checks each statement). AWS's default policy, which an endpoint created without one "
                    "reports, allows everything and fails.",
        refs="SH EC2.55, EC2.56, EC2.57; AWS whitepaper 'Building a data perimeter on AWS' (VPC endpoint policies)",
        checks=(compute_vpcs_have_private_endpoints, endpoints_have_policies), cases=X14_CASES,
        params={"requiredEndpoints": Param("array", ["ecr.api", "ecr.dkr", "ssm"], "required endpoint services",
                                           items="string"),
                "policyUnsupportedServices": Param("array", ["ssmmessages", "ec2messages"], "endpoint services "
                                                   "that accept only AWS's default policy (no custom policy)",
                                                   items="string")}),
    StackRule(
        id="X-15", name="x-15-security-services-everywhere",
        title="GuardDuty, Config, Security Hub and Inspector in every account and region, with a delegated admin",
        description="For every account x region that has resources (provider default tag `account` and region), a "
                    "GuardDuty detector, a Config recorder, a Security Hub account and an Inspector enabler exist (or "
                    "an organization configuration auto-enables the service in that region); each service has a "
                    "delegated administrator.",
        refs="SH GuardDuty.1, Config.1, SecurityHub; CIS 4.16 (v3.0)",
        checks=(security_services_everywhere,), cases=X15_CASES,
        params={"acceptOrgAutoEnable": Param("boolean", True, "organization auto-enable covers member accounts"),
                "requireDelegatedAdmin": Param("boolean", True, "require a delegated administrator per service")}),
    StackRule(
        id="X-16", name="x-16-query-logs-and-ecr-lifecycle",
        title="Public zones log queries; ECR repositories expire images",
        description="Every public route53/zone has a route53/queryLog and every ecr/repository an ecr/lifecyclePolicy.",
        refs="SH Route53.2, ECR.3; CKV2_AWS_39",
        checks=(zones_logged_and_repositories_expire,), cases=X16_CASES),
    StackRule(
        id="X-17", name="x-17-segment-reachability-matches-intent",
        title="Segment reachability equals the configured intent",
        description="Computed from the TGW route tables (associations, propagations, static and blackhole routes, "
                    "longest prefix first) and peering, the set of segment pairs that exchange traffic equals the "
                    "intent; one-way paths are reported too. The intent defaults to the stack's "
                    "landing-zone:network.reachability, else: prod <-> nonprod never; sandbox reaches only shared; "
                    "on-premises (hybrid) reaches prod and nonprod.",
        refs="none found in any standard or tool",
        checks=(segment_reachability_matches_intent,), cases=X17_CASES,
        params={"intent": Param("object", DEFAULT_INTENT,
                                "segment -> segments it may exchange traffic with (symmetric)", stack="intent")}),
    StackRule(
        id="X-18", name="x-18-scp-exempt-principals-protected",
        title="The organization's guardrails sit at the root, and every principal an SCP exempts is protected",
        description="For each aws:PrincipalArn an SCP Deny statement exempts (ArnNotLike / ArnNotEquals / "
                    "StringNotLike / StringNotEquals, IfExists too), an SCP effective wherever the exempting SCP is "
                    "attached (attached to the root, or to that OU / account or one of its parent OUs) denies "
                    "`protectActions` (trust policy, attached and inline policies, deletion) on a Resource covering "
                    "that principal, with no condition but principal exemptions (which are themselves checked the "
                    "same way, so only the exempted principal and the pipeline may change it). Statement order and "
                    "Sids do not matter. Service-linked and Identity Center (aws-reserved/sso.amazonaws.com) roles "
                    "are protected by IAM itself. (Who may ASSUME the exempted role is its trust policy, outside the "
                    "stack for OrganizationAccountAccessRole.) When the stack manages the organization: an SCP "
                    "attached to the root denies every `rootDenies` action (leaving, IAM users, switching off "
                    "CloudTrail, Config, GuardDuty, Security Hub, the account public access block, RAM shares that "
                    "allow external principals) on Resource \"*\" with no condition but principal exemptions; "
                    "s3:BypassGovernanceRetention is denied without exemption by an SCP effective in every member "
                    "account with a GOVERNANCE-mode Object Lock default; an RCP attached to the root denies "
                    "`rcpTlsActions` without aws:SecureTransport and `rcpPerimeterActions` to principals outside "
                    "aws:PrincipalOrgID (exemptions only by negated or IfExists conditions).",
        refs="Control Tower's role-protection SCPs (aws-controltower-*); CONTROLS X-18",
        checks=(scp_exemptions_protected, organization_baseline_at_root), cases=X18_CASES,
        params={"protectActions": Param("array", ROLE_PROTECTION_ACTIONS, "IAM actions an SCP must deny on every "
                                        "exempted principal", items="string"),
                "rootDenies": Param("array", ROOT_DENIES, "actions an SCP attached to the root must deny",
                                    items="string"),
                "rcpTlsActions": Param("array", RCP_TLS_ACTIONS, "actions a root RCP denies without TLS",
                                       items="string"),
                "rcpPerimeterActions": Param("array", RCP_PERIMETER_ACTIONS, "actions a root RCP denies to "
                                             "principals outside the organization", items="string")}),
]
