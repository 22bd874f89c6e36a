"""Stack rules REQ-01 to REQ-03: every baseline control required, isolated segments kept apart, a prod log archive
kept a year.

Each rule first applies the predicate `lz validate` applies (landing_zone/baseline_controls.py, handed over as data
in facts.json "baseline") to the stack config the engine passes (PULUMI_CONFIG), so a switched-off control names the
config key to change; then it judges the plan itself, so a control dropped any other way fails too. They need the
whole organization (split mode: the merged plan), and judge only a landing-zone stack: one with landing-zone config
or components. An app team's stack has neither and is not judged.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any

from . import routing
from .facts import BASELINE, ENVIRONMENT_SEGMENT
from .graph import Graph
from .rules import CaseResource, Param, StackCase, StackRule
from .sdk import NotApplicableError
from .stack_config import STACK_NAMESPACE, decoded, parse_config_env
from .stack_helpers import case_resource, indexed, is_true, items_of
from .stack_transit import REACH_BASE, REACHABILITY_MEMO, link
from .types import (
    ANALYZER,
    BUCKETS,
    CONFIG_RECORDER,
    DELIVERY_CHANNEL,
    GUARDDUTY_ORG,
    HUB_POLICY,
    HUB_STANDARD,
    INSPECTOR,
    INSPECTOR_ORG,
    PROVIDER,
    RECORDER_STATUS,
    SECURITY_HUB,
    TRAIL,
    VPC,
)
from .values import UNKNOWN, is_set, is_unknown

LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
LIFECYCLE_V2 = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
VPC_PEERING = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection"
MESSAGES: Mapping[str, str] = BASELINE["messages"]
FLOOR: int = BASELINE["logArchiveRetentionFloorDays"]
ISOLATED = [tuple(pair) for pair in BASELINE["isolatedSegments"]]


# --------------------------------------------------------------------------- the stack config, as the validator reads it
def landing_zone_config(stack: Any) -> dict[str, Any]:
    """The stack's landing-zone config ({key: decoded value}); NotApplicableError for a stack that is no landing zone."""
    raw = parse_config_env(os.environ.get("PULUMI_CONFIG"))
    prefix = f"{STACK_NAMESPACE}:"
    config = {key[len(prefix):]: decoded(value) for key, value in raw.items() if key.startswith(prefix)}
    if not config and not any(r.type.startswith(prefix) for r in stack.resources):
        raise NotApplicableError("not a landing-zone stack (no landing-zone config and none of its components): "
                                 "the organization's baseline is judged on the landing zone's own stacks")
    return config


def _section(config: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = config.get(name)
    return value if isinstance(value, Mapping) else {}


def _environments(config: Mapping[str, Any], g: Graph) -> set[str]:
    accounts = config.get("accounts")
    found = {a.get("environment") for a in accounts if isinstance(a, Mapping)} if isinstance(accounts, list) else set()
    return found | {g.environment(r) for r in g.resources if r.type == PROVIDER}


def config_refusals(config: Mapping[str, Any], exceptions: Any) -> list[tuple[str, str]]:
    """(kind, message) of everything the config switches off or joins: landing_zone.baseline_controls.refusals over
    the raw config (missing keys are the models' defaults, all on)."""
    security = _section(config, "security")
    found = [("control", MESSAGES["control"].format(key=key, **entry))
             for key, entry in BASELINE["requiredControls"].items() if security.get(key) is False]
    if security.get("security_hub") is not False and security.get("security_hub_standards") == []:
        found.append(("standards", MESSAGES["standards"]))
    accounts = config.get("accounts") if isinstance(config.get("accounts"), list) else []
    prod = any(isinstance(a, Mapping) and a.get("environment") == BASELINE["prodEnvironment"] for a in accounts)
    for key, what in BASELINE["retentions"].items():
        days = security.get(key)
        if prod and isinstance(days, int) and not isinstance(days, bool) and days < FLOOR:
            found.append(("retention", MESSAGES["retention"].format(key=key, what=what, days=days, floor=FLOOR)))
    reachability = _section(_section(config, "network"), "reachability")
    seen = excepted_pairs(exceptions)
    for segment, peers in reachability.items():
        for peer in peers if isinstance(peers, list) else ():
            pair = isolated_pair(segment, peer)
            if pair and frozenset(pair) not in seen:
                seen.add(frozenset(pair))
                found.append(("isolation", MESSAGES["isolation"].format(
                    segment=segment, peer=peer, a=pair[0], b=pair[1], policy=BASELINE["isolationPolicy"],
                    fields=", ".join(BASELINE["exceptionFields"]))))
    return found


def isolated_pair(a: Any, b: Any) -> tuple[str, str] | None:
    return next((pair for pair in ISOLATED if {a, b} == set(pair)), None)


def excepted_pairs(exceptions: Any) -> set[frozenset[str]]:
    """Pairs with a complete reviewed exception (segments, reason, reviewer, reviewed all given)."""
    pairs = set()
    for entry in exceptions if isinstance(exceptions, list) else ():
        if isinstance(entry, Mapping) and all(entry.get(f) for f in BASELINE["exceptionFields"]):
            segments = entry["segments"]
            if isinstance(segments, list) and len(segments) == 2 and isolated_pair(*segments):
                pairs.add(frozenset(segments))
    return pairs


def _from_config(stack: Any, *kinds: str) -> Iterator[tuple[None, str]]:
    for kind, message in config_refusals(landing_zone_config(stack), stack.cfg.get("exceptions")):
        if kind in kinds:
            yield None, message


# --------------------------------------------------------------------------- REQ-01 baseline controls required
def baseline_switched_on(stack: Any) -> Iterator[tuple[None, str]]:
    yield from _from_config(stack, "control", "standards")


def _switched_off(stack: Any, key: str) -> bool:
    return _section(landing_zone_config(stack), "security").get(key) is False  # reported by baseline_switched_on


def _scope(stack: Any, g: Graph) -> tuple[list[str], list[str]]:
    """(accounts, regions) the baseline must cover: the config's accounts and every account the plan has resources
    in; organization.allowed_regions, else every region the plan uses."""
    config = landing_zone_config(stack)
    accounts = config.get("accounts") if isinstance(config.get("accounts"), list) else []
    names = {a.get("name") for a in accounts if isinstance(a, Mapping) and isinstance(a.get("name"), str)}
    names |= {g.account(r) for r in g.resources if r.type != PROVIDER} - {None}
    regions = _section(config, "organization").get("allowed_regions")
    if not (isinstance(regions, list) and regions):
        regions = {g.region(r) for r in g.resources if r.type != PROVIDER} - {None}
    return sorted(names), sorted(regions)


def organization_trail(stack: Any) -> Iterator[tuple[str | None, str]]:
    if _switched_off(stack, "cloudtrail"):
        return
    wanted = {"isOrganizationTrail": "organization trail", "isMultiRegionTrail": "multi-region",
              "enableLogFileValidation": "log file validation"}
    gaps = {}
    for trail in stack.graph().of_type(TRAIL):
        missing = [text for prop, text in wanted.items() if not _true_or_unknown(trail.get(prop))]
        missing += ["logging on"] if trail.get("enableLogging") is False else []
        missing += ["a KMS key (kmsKeyId)"] if not is_set(trail.get("kmsKeyId")) else []
        if not missing:
            return
        gaps[trail.urn] = f"trail {trail.name} lacks {', '.join(missing)}"
    detail = "; ".join(gaps.values()) if gaps else "the plan has no trail"
    yield (next(iter(gaps), None), f"no organization trail that is multi-region, logging, validating its log files "
                                   f"and KMS-encrypted ({detail}): keep security.cloudtrail: true and the "
                                   "OrganizationTrail component (CIS 3.1, 3.2, 3.5/3.7)")


def _true_or_unknown(value: Any) -> bool:
    return is_true(value) or is_unknown(value)  # during preview a computed flag is not a gap


def config_recorders_everywhere(stack: Any) -> Iterator[tuple[str | None, str]]:
    if _switched_off(stack, "config"):
        return
    g = stack.graph()
    accounts, regions = _scope(stack, g)
    parts = {"a recorder": CONFIG_RECORDER, "a delivery channel": DELIVERY_CHANNEL}
    present = {text: {(g.account(r), g.region(r)) for r in g.of_type(type_)} for text, type_ in parts.items()}
    present["a recorder status with isEnabled"] = {(g.account(r), g.region(r)) for r in g.of_type(RECORDER_STATUS)
                                                   if _true_or_unknown(r.get("isEnabled"))}
    for account in accounts:
        gaps = [f"{region} lacks {', '.join(t for t, where in present.items() if (account, region) not in where)}"
                for region in regions if any((account, region) not in where for where in present.values())]
        if gaps:
            yield None, (f"account {account} does not record and deliver AWS Config everywhere ({'; '.join(gaps)}): "
                         "every account x allowed region needs a recorder, a delivery channel and a running recorder "
                         "(keep security.config: true; CIS 3.5)")


def _regions_without(stack: Any, covered: set[str | None]) -> list[str]:
    return [region for region in _scope(stack, stack.graph())[1] if region not in covered]


def guardduty_organization_wide(stack: Any) -> Iterator[tuple[None, str]]:
    if _switched_off(stack, "guardduty"):
        return
    g = stack.graph()
    # ALL: existing members too (NEW, or the deprecated autoEnable, covers only accounts that join later)
    covered = {g.region(c) for c in g.of_type(GUARDDUTY_ORG) if c.get("autoEnableOrganizationMembers") == "ALL"}
    missing = _regions_without(stack, covered)
    if missing:
        yield None, (f"GuardDuty is not auto-enabled for every member account in {', '.join(missing)}: the delegated "
                     "administrator needs an organization configuration with autoEnableOrganizationMembers: ALL "
                     "there (keep security.guardduty: true; SH GuardDuty.1)")


def _standards(g: Graph) -> list[Any]:
    policies = [p for p in g.of_type(HUB_POLICY)
                if (p.get("configurationPolicy") or {}).get("serviceEnabled") is not False
                and items_of((p.get("configurationPolicy") or {}).get("enabledStandardArns"))]
    return g.of_type(HUB_STANDARD) + policies


def security_hub_with_standards(stack: Any) -> Iterator[tuple[None, str]]:
    if _switched_off(stack, "security_hub"):
        return
    g = stack.graph()
    if not g.of_type(SECURITY_HUB):
        yield None, "the plan enables Security Hub in no account (keep security.security_hub: true; CIS 4.16)"
    elif not _standards(g):
        yield None, ("Security Hub subscribes no standard: no standards subscription and no configuration policy "
                     "enabling one (list one in security.security_hub_standards; CIS 4.16)")


def inspector_enabled(stack: Any) -> Iterator[tuple[None, str]]:
    if _switched_off(stack, "inspector"):
        return
    g = stack.graph()
    covered = {g.region(e) for e in g.of_type(INSPECTOR) if {"EC2", "ECR"} <= set(items_of(e.get("resourceTypes")))}
    covered &= {g.region(c) for c in g.of_type(INSPECTOR_ORG)
                if all(is_true((c.get("autoEnable") or {}).get(k)) for k in ("ec2", "ecr"))}
    missing = _regions_without(stack, covered)
    if missing:
        yield None, (f"Inspector does not scan EC2 and ECR organization-wide in {', '.join(missing)}: it needs an "
                     "enabler and an organization configuration auto-enabling ec2 and ecr there (keep "
                     "security.inspector: true; SH Inspector.1, Inspector.2)")


def organization_access_analyzer(stack: Any) -> Iterator[tuple[None, str]]:
    if _switched_off(stack, "access_analyzer"):
        return
    g = stack.graph()
    covered = {g.region(a) for a in g.of_type(ANALYZER) if a.get("type") in ("ORGANIZATION", "ORGANIZATION_UNUSED_ACCESS")}
    missing = _regions_without(stack, covered)
    if missing:
        yield None, (f"no IAM Access Analyzer with the organization as zone of trust in {', '.join(missing)} "
                     "(keep security.access_analyzer: true; CIS 1.20)")


# --------------------------------------------------------------------------- REQ-02 isolated segments stay apart
def isolated_segments_in_config(stack: Any) -> Iterator[tuple[None, str]]:
    yield from _from_config(stack, "isolation")


def isolated_segments_in_plan(stack: Any) -> Iterator[tuple[str | None, str]]:
    """Paths the plan builds between isolated segments (TGW routes and peering, VPC peering), unless the config's
    reachability already named the pair (reported with its key) or a reviewed exception covers it."""
    g, config = stack.graph(), landing_zone_config(stack)
    reachability = _section(_section(config, "network"), "reachability")
    named = {frozenset((s, p)) for s, peers in reachability.items() for p in (peers if isinstance(peers, list) else ())}
    allowed = named | excepted_pairs(stack.cfg.get("exceptions"))
    computed = indexed(g, REACHABILITY_MEMO, routing.compute)
    for a, b in ISOLATED:
        if frozenset((a, b)) in allowed:
            continue
        for src, dst in ((a, b), (b, a)):
            if computed.can_send(src, dst):
                path = computed.paths.get((src, dst), ())
                yield (path[0].urns[0] if path and path[0].urns else None), (
                    f"{src} -> {dst}: {computed.evidence(src, dst)}; the {a} and {b} segments stay isolated: remove "
                    f"the route, or record a reviewed exception ({BASELINE['isolationPolicy']}.exceptions)")
                break
    yield from _peered_segments(g, allowed)


def _peered_segments(g: Graph, allowed: set[frozenset[str]]) -> Iterator[tuple[str, str]]:
    for peering in g.of_type(VPC_PEERING):
        ends = [v for prop in ("vpcId", "peerVpcId") for v in g.resolve(peering, prop, (VPC,))[:1]]
        segments = [ENVIRONMENT_SEGMENT.get(g.environment(v) or "") for v in ends]
        pair = isolated_pair(*segments) if len(segments) == 2 else None
        if pair and frozenset(pair) not in allowed:
            yield peering.urn, (f"VPC peering {peering.name} joins {ends[0].name} ({segments[0]}) and {ends[1].name} "
                                f"({segments[1]}): the {pair[0]} and {pair[1]} segments stay isolated")


# --------------------------------------------------------------------------- REQ-03 log archive retention floor
def log_archive_retention(stack: Any) -> Iterator[tuple[str | None, str]]:
    config = landing_zone_config(stack)
    yield from _from_config(stack, "retention")
    g = stack.graph()
    if BASELINE["prodEnvironment"] not in _environments(config, g):
        return
    # By known name, or by the bucket resource the value comes from: during preview names are unknown, and an unknown
    # name must not match every lifecycle of the plan.
    deliveries = g.of_type(TRAIL, DELIVERY_CHANNEL)
    log_names = {n for r in deliveries if not is_unknown(n := r.get("s3BucketName"))}
    log_buckets = {b.urn for r in deliveries for b in g.resolve(r, "s3BucketName", BUCKETS)}
    for lifecycle in g.of_type(LIFECYCLE, LIFECYCLE_V2):
        name = lifecycle.get("bucket")
        if not ((not is_unknown(name) and name in log_names)
                or log_buckets & {b.urn for b in g.resolve(lifecycle, "bucket", BUCKETS)}):
            continue
        for rule in items_of(lifecycle.get("rules")):
            days = (rule.get("expiration") or {}).get("days") if isinstance(rule, Mapping) else None
            if rule.get("status") != "Disabled" and isinstance(days, int | float) and days < FLOOR:
                yield lifecycle.urn, (
                    f"the log archive bucket {lifecycle.get('bucket')} expires logs after {days:g} days (rule "
                    f"{rule.get('id')}): a prod organization keeps them at least {FLOOR} days; set "
                    f"security.log_archive_retention_days: {FLOOR} or more")


# --------------------------------------------------------------------------- cases
def _config(**security: Any) -> dict[str, str]:
    """A stack config as the engine sends it (full keys, values JSON-encoded)."""
    import json

    accounts = [{"name": "prod-apps", "environment": "prod"}, {"name": "security", "environment": "core"}]
    network = {"reachability": security.pop("reachability")} if "reachability" in security else {}
    return {f"{STACK_NAMESPACE}:accounts": json.dumps(accounts), f"{STACK_NAMESPACE}:network": json.dumps(network),
            f"{STACK_NAMESPACE}:organization": json.dumps({"allowed_regions": ["eu-west-1"]}),
            f"{STACK_NAMESPACE}:security": json.dumps({"alarm_email": "sec@example.com", **security})}


_PROD = {"environment": "prod", "account": "prod-apps"}
_SECURITY = {"environment": "core", "account": "security"}


def _in(account: Mapping[str, str], type_: str, name: str, props: Mapping[str, Any]) -> CaseResource:
    return case_resource(type_, f"{account['account']}-{name}", dict(props), provider_tags=account)


_TRAIL = {"isOrganizationTrail": True, "isMultiRegionTrail": True, "kmsKeyId": "k", "enableLogFileValidation": True,
          "s3BucketName": "logs"}


def _baseline(*, skip: str = "", trail: Mapping[str, Any] | None = None) -> tuple[CaseResource, ...]:
    per_account = [_in(a, t, n, p) for a in (_PROD, _SECURITY) for t, n, p in (
        (CONFIG_RECORDER, "recorder", {"name": "lz"}), (DELIVERY_CHANNEL, "channel", {"s3BucketName": "logs"}),
        (RECORDER_STATUS, "recorder-status", {"isEnabled": True}))]
    central = {
        "trail": (TRAIL, "trail", trail or _TRAIL),
        "guardduty": (GUARDDUTY_ORG, "gd-org", {"autoEnableOrganizationMembers": "ALL"}),
        "hub": (SECURITY_HUB, "hub", {}),
        "standards": (HUB_POLICY, "hub-policy", {"configurationPolicy": {"serviceEnabled": True,
                                                                          "enabledStandardArns": ["arn:fsbp"]}}),
        "inspector": (INSPECTOR, "inspector", {"resourceTypes": ["EC2", "ECR"]}),
        "inspector-org": (INSPECTOR_ORG, "inspector-org", {"autoEnable": {"ec2": True, "ecr": True}}),
        "analyzer": (ANALYZER, "analyzer", {"type": "ORGANIZATION"}),
        "lifecycle": (LIFECYCLE, "logs-lifecycle", {"bucket": "logs", "rules": [{"id": "expire", "status": "Enabled",
                                                                                  "expiration": {"days": 2555}}]}),
    }
    return (*per_account, *(_in(_SECURITY, t, n, p) for key, (t, n, p) in central.items() if key != skip))


REQ01_CASES = (
    StackCase(_baseline(), violates=True, stack_config=_config(cloudtrail=False), note="security.cloudtrail: false"),
    StackCase(_baseline(), violates=True, stack_config=_config(security_hub_standards=[]), note="no standard"),
    StackCase(_baseline(skip="trail"), violates=True, stack_config=_config(), note="trail dropped from the plan"),
    StackCase(_baseline(trail={"isOrganizationTrail": True, "isMultiRegionTrail": True, "enableLogging": False,
                               "enableLogFileValidation": True, "kmsKeyId": "k"}),
              violates=True, stack_config=_config(), note="trail logging off"),
    StackCase(_baseline()[1:], violates=True, stack_config=_config(), note="a recorder missing in prod-apps"),
    StackCase(_baseline(skip="guardduty"), violates=True, stack_config=_config(), note="GuardDuty not org-wide"),
    StackCase((*_baseline(skip="guardduty"), _in(_SECURITY, GUARDDUTY_ORG, "gd-new", {"autoEnableOrganizationMembers": "NEW"})),
              violates=True, stack_config=_config(), note="GuardDuty only for accounts that join later"),
    StackCase(_baseline(skip="standards"), violates=True, stack_config=_config(), note="Security Hub without standard"),
    StackCase(_baseline(skip="inspector-org"), violates=True, stack_config=_config(), note="Inspector not org-wide"),
    StackCase(_baseline(skip="analyzer"), violates=True, stack_config=_config(), note="no organization analyzer"),
    StackCase(_baseline(), violates=False, stack_config=_config()),
    StackCase((case_resource(VPC, "app-vpc", {"cidrBlock": "10.0.0.0/16"}),), violates=False,
              note="an app team's stack: no landing-zone config, none of its components"),
)

_OPEN = {"prod": ["shared", "nonprod"], "nonprod": ["shared", "prod"], "shared": ["prod", "nonprod"]}
_EXCEPTION = {"segments": ["prod", "nonprod"], "reason": "data migration", "reviewer": "secops@example.com",
              "reviewed": "2026-11-30"}
_PEERED = (case_resource(VPC, "prod-vpc", {"cidrBlock": "10.1.0.0/16"}, provider_tags=_PROD),
           case_resource(VPC, "nonprod-vpc", {"cidrBlock": "10.2.0.0/16"},
                         provider_tags={"environment": "nonprod", "account": "nonprod-apps"}),
           case_resource(VPC_PEERING, "prod-to-nonprod", {}, {"vpcId": "prod-vpc", "peerVpcId": "nonprod-vpc"},
                         provider_tags=_PROD))
_JOINED_BY_TGW = (*REACH_BASE, link("prop", "prod-att", "nonprod"), link("prop", "nonprod-att", "prod"))
REQ02_CASES = (
    StackCase(_JOINED_BY_TGW, violates=True, stack_config=_config(), note="TGW propagations join prod and nonprod"),
    StackCase(_JOINED_BY_TGW, violates=False, stack_config=_config(), config={"exceptions": [_EXCEPTION]},
              note="TGW path covered by the reviewed exception"),
    StackCase(_baseline(), violates=True, stack_config=_config(reachability=_OPEN), note="prod <-> nonprod in config"),
    StackCase(_baseline(), violates=True, stack_config=_config(reachability=_OPEN),
              config={"exceptions": [{**_EXCEPTION, "reviewer": ""}]}, note="exception without reviewer"),
    StackCase(_PEERED, violates=True, stack_config=_config(), note="VPC peering prod <-> nonprod"),
    StackCase(_baseline(), violates=False, stack_config=_config(reachability=_OPEN),
              config={"exceptions": [_EXCEPTION]}, note="reviewed exception"),
    StackCase(_PEERED, violates=False, stack_config=_config(), config={"exceptions": [_EXCEPTION]},
              note="peering covered by the reviewed exception"),
    StackCase(_baseline(), violates=False, stack_config=_config()),
)

_SHORT = {"bucket": "logs", "rules": [{"id": "expire", "status": "Enabled", "expiration": {"days": 30}}]}
REQ03_CASES = (
    StackCase(_baseline(), violates=True, stack_config=_config(log_archive_retention_days=30), note="config 30 days"),
    StackCase((*_baseline(skip="lifecycle"), _in(_SECURITY, LIFECYCLE, "short", _SHORT)), violates=True,
              stack_config=_config(), note="the trail bucket expires after 30 days"),
    StackCase(_baseline(), violates=True, stack_config=_config(log_retention_days=30), note="log groups 30 days"),
    StackCase(_baseline(), violates=False, stack_config=_config(log_archive_retention_days=400)),
    StackCase((*_baseline(skip="lifecycle", trail={**_TRAIL, "s3BucketName": UNKNOWN}),
               _in(_PROD, LIFECYCLE, "backup-lifecycle", {**_SHORT, "bucket": UNKNOWN})), violates=False,
              stack_config=_config(), note="preview: an unknown bucket name is not the log archive's"),
)

_EXCEPTIONS = Param("array", [], "reviewed exceptions: {segments: [a, b], reason, reviewer, reviewed (date)}",
                    items="object")
RULES = [
    StackRule(
        id="REQ-01", name="req-01-baseline-controls-required", whole_organization=True,
        title="Every baseline control is on: organization trail, Config, GuardDuty, Security Hub, Inspector, "
              "Access Analyzer",
        description="The stack config switches none of security.cloudtrail, config, guardduty, security_hub, "
                    "inspector, access_analyzer off (nor empties security_hub_standards), and the plan has: a "
                    "multi-region organization trail, logging, validating log files, KMS-encrypted; a Config "
                    "recorder, delivery channel and running recorder in every account x allowed region; GuardDuty "
                    "auto-enabled for all members, Inspector (EC2, ECR) organization-wide and an organization Access "
                    "Analyzer in every allowed region; Security Hub with at least one standard. The same predicate "
                    "as `lz validate` (landing_zone/baseline_controls.py).",
        refs="CIS 3.1, 3.2, 3.5, 1.20, 4.16; SH CloudTrail.1, Config.1, GuardDuty.1, Inspector.1",
        checks=(baseline_switched_on, organization_trail, config_recorders_everywhere, guardduty_organization_wide,
                security_hub_with_standards, inspector_enabled, organization_access_analyzer),
        cases=REQ01_CASES),
    StackRule(
        id="REQ-02", name=BASELINE["isolationPolicy"], whole_organization=True,
        title="Prod, non-prod and sandbox segments are never joined without a reviewed exception",
        description="No pair of isolated segments (prod/nonprod, prod/sandbox, nonprod/sandbox) is joined by "
                    "landing-zone:network.reachability, by the plan's TGW routes (computed as X-17 does) or by VPC "
                    "peering, unless `exceptions` lists the pair with its reason, reviewer and review date.",
        refs="customer stories (prod and non-prod isolated); AWS SRA network segmentation",
        checks=(isolated_segments_in_config, isolated_segments_in_plan), cases=REQ02_CASES,
        params={"exceptions": _EXCEPTIONS}),
    StackRule(
        id="REQ-03", name="req-03-log-archive-kept-a-year",
        whole_organization=True,
        title="A prod organization keeps its log archive at least 365 days",
        description="In an organization with a prod account, security.log_archive_retention_days and "
                    "security.log_retention_days are at least 365 "
                    "and no lifecycle rule of the trail's or Config's delivery bucket expires objects sooner.",
        refs="PCI DSS 4.0 10.5.1 (a year of audit logs); CIS 3.x (the trail's and Config's log archive)",
        checks=(log_archive_retention,), cases=REQ03_CASES),
]
