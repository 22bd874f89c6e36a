"""Stack rules of logging and monitoring: log keys (X-06), CIS 4.x alarms (X-10), DNS query logs and ECR lifecycle (X-16)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .graph import Graph, Res
from .rules import CaseResource, Param, StackCase, StackRule
from .stack_helpers import TRAIL_BUCKET_CASE, Unknowns, case_resource, covered_by, is_true, items_of, trail_buckets
from .types import (
    ALARM,
    BUCKET_LOGGING,
    BUCKET_SSE,
    BUCKETS,
    ECR_LIFECYCLE,
    ECR_REPOSITORY,
    KMS_ALIAS,
    KMS_KEY,
    KMS_KEY_POLICY,
    KMS_REPLICA_KEY,
    LOG_GROUP,
    METRIC_FILTER,
    QUERY_LOG,
    SNS_TOPIC,
    TRAIL,
    ZONE,
)
from .values import UNKNOWN


# --------------------------------------------------------------------------- X-06 KMS keys of logs
def _key_refs(g: Graph, res: Res, prop: str) -> list[Res]:
    """KMS keys a property names (directly, by ARN, or through an alias)."""
    keys = g.resolve(res, prop, (KMS_KEY, KMS_REPLICA_KEY))
    for alias in g.resolve(res, prop, (KMS_ALIAS,)):
        keys += [k for k in g.resolve(alias, "targetKeyId", (KMS_KEY, KMS_REPLICA_KEY)) if k not in keys]
    return keys


def _log_bucket_keys(g: Graph) -> list[tuple[Res, str]]:
    log_buckets = {b.urn for b in trail_buckets(g)}
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
    g, unknowns = stack.graph(), Unknowns()
    policies, _ = covered_by(g, g.of_type(KMS_KEY_POLICY), "keyId", (KMS_KEY, KMS_REPLICA_KEY), unknowns)
    seen: set[str] = set()
    for key, user in _log_keys(g):
        if key.urn in seen:
            continue
        seen.add(key.urn)
        if key.type == KMS_KEY and not unknowns.check(key, "enableKeyRotation") and not is_true(
                key.get("enableKeyRotation")):
            yield key.urn, (f"KMS key {key.name} (used by {user}) has no automatic rotation: set "
                            "enable_key_rotation=True")
        if not unknowns.check(key, "policy") and not key.get("policy") and key.urn not in policies:
            yield key.urn, (f"KMS key {key.name} (used by {user}) relies on the default key policy: give it an "
                            "explicit policy naming who may use and administer it")
    unknowns.raise_if_any()


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
        actions = items_of(alarm.get("alarmActions"))
        notifies = g.resolve(alarm, "alarmActions", (SNS_TOPIC,)) or any(
            isinstance(a, str) and a.startswith("arn:aws:sns:") for a in actions)
        if notifies and alarm.get("actionsEnabled") is not False:
            metrics.add((alarm.get("metricName"), alarm.get("namespace")))
    return metrics


def _controls_of(g: Graph, log_group: Res, unknowns: Unknowns) -> set[str]:
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
    g, unknowns, required = stack.graph(), Unknowns(), list(stack.cfg["requiredControls"])
    for trail in g.of_type(TRAIL):
        if unknowns.check(trail, "isOrganizationTrail") or not is_true(trail.get("isOrganizationTrail")):
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


# --------------------------------------------------------------------------- X-16 query logs, ECR lifecycle
def zones_logged_and_repositories_expire(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), Unknowns()
    logged, undecided_zone = covered_by(g, g.of_type(QUERY_LOG), "zoneId", (ZONE,), unknowns)
    for zone in g.of_type(ZONE):
        if unknowns.check(zone, "vpcs") or items_of(zone.get("vpcs")):
            continue  # private zone
        if zone.urn not in logged and not undecided_zone:
            yield zone.urn, (f"public hosted zone {zone.name} has no route53/queryLog: add aws.route53.QueryLog "
                             "to a us-east-1 log group")
    expiring, undecided_repo = covered_by(g, g.of_type(ECR_LIFECYCLE), "repository", (ECR_REPOSITORY,), unknowns)
    for repo in g.of_type(ECR_REPOSITORY):
        if repo.urn not in expiring and not undecided_repo:
            yield repo.urn, (f"ECR repository {repo.name} has no ecr/lifecyclePolicy: add one that expires "
                             "untagged and old images")
    unknowns.raise_if_any()

_KEYED_TRAIL = case_resource(TRAIL, "org-trail", {"isOrganizationTrail": True}, {"s3BucketName": "trail-bucket",
                                                                          "kmsKeyId": "key"})


def _key(rotation: Any = True, policy: Any = '{"Statement": []}') -> CaseResource:
    return case_resource(KMS_KEY, "key", {"enableKeyRotation": rotation, "policy": policy})


X06_CASES = (
    StackCase((_key(rotation=False), TRAIL_BUCKET_CASE, _KEYED_TRAIL), violates=True, note="trail key without rotation"),
    StackCase((_key(policy=None), case_resource(LOG_GROUP, "lg", {}, {"kmsKeyId": "key"})), violates=True,
              note="log group key with the default policy"),
    StackCase((_key(policy=None), case_resource(KMS_KEY_POLICY, "key-policy", {"policy": "{}"}, {"keyId": "key"}),
               TRAIL_BUCKET_CASE, _KEYED_TRAIL), violates=False, note="policy given by kms/keyPolicy"),
    StackCase((_key(rotation=UNKNOWN), TRAIL_BUCKET_CASE, _KEYED_TRAIL), violates=False, unknown=True),
)


def _cis_filter_resources(skip: str | None = None) -> tuple[CaseResource, ...]:
    resources: list[CaseResource] = [
        case_resource(LOG_GROUP, "trail-lg", {"retentionInDays": 365}),
        case_resource(TRAIL, "org-trail", {"isOrganizationTrail": True}, {"cloudWatchLogsGroupArn": "trail-lg"}),
        case_resource(SNS_TOPIC, "alarms", {}),
    ]
    for cid, (_, words) in CIS_FILTERS.items():
        if cid == skip:
            continue
        metric = f"cis-{cid.replace('.', '-')}"
        pattern = "{ " + " || ".join(f"($.eventName = {w})" for w in words) + " }"
        resources.append(case_resource(METRIC_FILTER, f"{metric}-filter", {
            "pattern": pattern, "metricTransformation": {"name": metric, "namespace": "CIS", "value": "1"}},
            {"logGroupName": "trail-lg"}))
        resources.append(case_resource(ALARM, f"{metric}-alarm", {"metricName": metric, "namespace": "CIS"},
                               {"alarmActions": "alarms"}))
    return tuple(resources)


X10_CASES = (
    StackCase(_cis_filter_resources(skip="4.10"), violates=True, note="security group changes not watched"),
    StackCase((case_resource(TRAIL, "org-trail", {"isOrganizationTrail": True}),), violates=True,
              note="org trail not delivered to CloudWatch Logs"),
    StackCase(_cis_filter_resources(), violates=False),
    StackCase(_cis_filter_resources(skip="4.10"), violates=False,
              config={"requiredControls": [c for c in CIS_FILTERS if c != "4.10"]}, note="4.10 waived by config"),
)

X16_CASES = (
    StackCase((case_resource(ZONE, "example-com", {"name": "example.com"}),), violates=True, note="public zone, no query log"),
    StackCase((case_resource(ECR_REPOSITORY, "app"),), violates=True, note="repository without lifecycle policy"),
    StackCase((case_resource(ZONE, "example-com", {"name": "example.com"}),
               case_resource(QUERY_LOG, "example-com-ql", {}, {"zoneId": "example-com"}),
               case_resource(ZONE, "internal", {"name": "corp.internal", "vpcs": [{"vpcId": "vpc-1"}]}),
               case_resource(ECR_REPOSITORY, "app"), case_resource(ECR_LIFECYCLE, "app-lc", {"policy": "{}"}, {"repository": "app"})),
              violates=False),
)


RULES = [
    StackRule(
        id="X-06", name="x-06-log-keys-rotated-with-policy",
        title="KMS keys of the log bucket, CloudTrail and log groups rotate and have a policy",
        description="Every kms/key that encrypts the CloudTrail / access-log buckets, a trail or a log group has "
                    "enableKeyRotation=true and an explicit key policy (policy input or kms/keyPolicy).",
        refs="CIS 3.8 (v1.5) / 3.6 (v3.0); CKV_AWS_7, CKV2_AWS_64 (per key only)",
        checks=(log_keys_rotate_and_have_policy,), cases=X06_CASES),
    StackRule(
        id="X-10", name="x-10-org-trail-cis-alarms", title="The organization trail has the CIS 4.x alarms",
        description="The log group of the organization trail has, for each CIS 4.1-4.15 event class, a metric filter "
                    "whose pattern names the CIS events and an alarm on its metric that notifies an SNS topic.",
        refs="CIS 4.1-4.15 (v1.5) / 4.x (v3.0); SH CloudWatch.1-14; CKV_AWS_319 (actionsEnabled only)",
        checks=(org_trail_has_cis_alarms,), cases=X10_CASES,
        params={"requiredControls": Param("array", list(CIS_FILTERS), "CIS 4.x controls that must be alarmed",
                                          items="string")}),
    StackRule(
        id="X-16", name="x-16-query-logs-and-ecr-lifecycle",
        title="Public zones log queries; ECR repositories expire images",
        description="Every public route53/zone has a route53/queryLog and every ecr/repository an ecr/lifecyclePolicy.",
        refs="SH Route53.2, ECR.3; CKV2_AWS_39",
        checks=(zones_logged_and_repositories_expire,), cases=X16_CASES),
]
