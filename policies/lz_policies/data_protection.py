"""Data protection and backup (CONTROLS.md §1, DAT-01..DAT-08). Environment-aware: prod needs deletion protection,
multi-AZ failover and longer retention; sandbox relaxes deletion protection to advisory and retention thresholds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from .encryption_at_rest import log_delivery_targets
from .graph import Graph, Res
from .rules import Case, CaseResource, Param, ResourceRule, StackCase, StackRule
from .types import (
    ACCOUNT_PAB,
    BUCKET,
    BUCKET_ACL,
    BUCKET_PAB,
    BUCKETS,
    DELIVERY_CHANNEL,
    FIREHOSE,
    FLOW_LOG,
    GUARDDUTY_EXPORT,
    LOAD_BALANCERS,
    OWNERSHIP,
    QUERY_LOG_CONFIG,
    RDS_CLUSTER,
    REDIS_GROUP,
    REPLICATION,
    ROTATION,
    S3_BUCKET_LOGGING,
    SECRET,
    TRAIL,
    VERSIONING,
    WEB_ACL_LOGGING,
)
from .values import UNKNOWN, as_list, cannot_verify, dig, is_unknown, truthy
from .views import Stack, Subject

BLOCK_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
SANDBOX = frozenset({"sandbox"})


# DAT-01 ---------------------------------------------------------------------------------------------------------
def rds_deletion_protection(r: Subject) -> Iterator[str]:
    if not truthy(r.get("deletionProtection", default=False)):
        yield "deletionProtection is not true; set deletionProtection=true"
    if not truthy(r.get("copyTagsToSnapshot", default=False)):
        yield "copyTagsToSnapshot is not true; set copyTagsToSnapshot=true so snapshots keep ownership tags"


def rds_iam_authentication(r: Subject) -> Iterator[str]:
    """IAM database authentication is a setting of each cluster: a global database's secondary (or any replica
    cluster) does not inherit it from the primary, and after a failover the promoted secondary is the database."""
    if truthy(r.get("iamDatabaseAuthenticationEnabled", default=False)):
        return
    secondary = r.get("globalClusterIdentifier") or r.get("replicationSourceIdentifier")
    role = " (a global-database / replica cluster: it does not inherit the primary's setting)" if secondary else ""
    yield (f"iamDatabaseAuthenticationEnabled is not true{role}; set iam_database_authentication_enabled=True so "
           "database users authenticate with short-lived IAM tokens")


# DAT-02 ---------------------------------------------------------------------------------------------------------
def rds_backup_retention(r: Subject) -> Iterator[str]:
    minimum = int(r.cfg["sandboxBackupRetentionDays"] if r.env == "sandbox" else r.cfg["backupRetentionDays"])
    days = int(r.get("backupRetentionPeriod", default=1))
    if days < minimum:
        yield (f"backupRetentionPeriod={days} days is under {minimum} ({r.strict_env}); set "
               f"backupRetentionPeriod>={minimum}")


# DAT-03 ---------------------------------------------------------------------------------------------------------
def redis_snapshots(r: Subject) -> Iterator[str]:
    if int(r.get("snapshotRetentionLimit", default=0)) <= 0:
        yield "snapshotRetentionLimit=0 disables backups; set snapshotRetentionLimit to at least 1 (days)"


def redis_failover_in_prod(r: Subject) -> Iterator[str]:
    if r.strict_env not in list(r.cfg["multiAzEnvironments"]):
        return
    if not truthy(r.get("automaticFailoverEnabled", default=False)) or not truthy(r.get("multiAzEnabled", default=False)):
        yield (f"{r.strict_env} replication group without automatic multi-AZ failover; set "
               "automaticFailoverEnabled=true, multiAzEnabled=true and at least 2 cache clusters")


# DAT-04 (stack) -------------------------------------------------------------------------------------------------
# A bucket's role comes from the graph: what writes logs or copies into it. A tag the bucket sets on itself may add
# protection (`protectedPurposes`) but never remove it: otherwise any bucket could exempt itself from Object Lock.
# Log writers and the property naming their bucket: (type, property, how the value names the bucket).
LOG_WRITERS = (
    (TRAIL, "s3BucketName", "name", "CloudTrail destination"),
    (DELIVERY_CHANNEL, "s3BucketName", "name", "AWS Config delivery destination"),
    (FLOW_LOG, "logDestination", "arn", "VPC flow-log destination"),
    (WEB_ACL_LOGGING, "logDestinationConfigs", "arn", "WAF log destination"),
    (QUERY_LOG_CONFIG, "destinationArn", "arn", "Route 53 Resolver query-log destination"),
    (GUARDDUTY_EXPORT, "destinationArn", "arn", "GuardDuty findings export destination"),
)


def versioning_and_object_lock(s: Stack) -> Iterator[tuple[str | None, str]]:
    g = s.graph()
    for versioning in g.of_type(VERSIONING):
        status = dig(versioning.get("versioningConfiguration"), "status", default="Disabled")
        if not is_unknown(status) and status != "Enabled":
            yield versioning.urn, f"{versioning.name} versioningConfiguration.status={status}; set status=\"Enabled\""
    roles, unknown = protected_buckets(g, s.cfg)
    access_log_targets, _ = log_delivery_targets(g)
    for bucket in g.of_type(*BUCKETS):
        reasons = roles.get(bucket.urn)
        if not reasons or _object_lock_enabled(bucket):
            continue
        if is_unknown(bucket.get("objectLockEnabled")):
            unknown.append(f"{bucket.name}.objectLockEnabled")
            continue
        conflict = access_log_targets.get(bucket.urn)
        fix = (f"; it is also the {conflict}, and S3 does not deliver server access logs into a bucket with an "
               "Object Lock default retention: give the access logs their own bucket") if conflict else ""
        yield bucket.urn, (f"{bucket.name} is the {', '.join(reasons)} without Object Lock; set "
                           f"objectLockEnabled=true (with versioning) so logs and backups cannot be deleted or "
                           f"overwritten{fix}")
    if unknown:
        raise cannot_verify(unknown)


def _object_lock_enabled(bucket: Res) -> bool:
    inline = bucket.get("objectLockConfiguration")
    return truthy(bucket.get("objectLockEnabled", False)) or dig(inline, "objectLockEnabled") == "Enabled"


def protected_buckets(g: Graph, cfg: Mapping[str, Any]) -> tuple[dict[str, list[str]], list[str]]:
    """Buckets that need Object Lock, by URN with the roles that make them so, and the undecidable references."""
    roles: dict[str, list[str]] = {}
    unknown: list[str] = []

    def mark(buckets: list[Res], role: str) -> None:
        for bucket in buckets:
            roles.setdefault(bucket.urn, [])
            if role not in roles[bucket.urn]:
                roles[bucket.urn].append(role)

    for type_, prop, kind, role in LOG_WRITERS:
        for writer in g.of_type(type_):
            if type_ == FLOW_LOG and str(writer.get("logDestinationType", "cloud-watch-logs")) != "s3":
                continue
            found = _buckets_named(g, writer, prop, kind)
            if found is None:
                unknown.append(f"{writer.name}.{prop}")
            mark(found or [], f"{role} of {writer.name}")
    for stream in g.of_type(FIREHOSE):
        arn = dig(stream.get("extendedS3Configuration"), "bucketArn")
        mark(_by_arn(g, arn) if isinstance(arn, str) and not is_unknown(arn) else [], f"Firehose log "
             f"destination of {stream.name}")
    for bucket in g.of_type(*BUCKETS):
        purpose = bucket.tags.get(cfg["purposeTagKey"])
        if purpose in list(cfg["protectedPurposes"]):
            mark([bucket], f"{purpose} bucket (its {cfg['purposeTagKey']} tag)")
    _mark_replica_targets(g, roles, mark)
    return roles, unknown


def _mark_replica_targets(g: Graph, roles: dict[str, list[str]], mark) -> None:
    """A replication destination of a protected bucket holds its copy: it needs the same protection."""
    for replication in g.of_type(REPLICATION):
        sources = g.resolve(replication, "bucket", BUCKETS)
        if not any(source.urn in roles for source in sources):
            continue
        for rule in as_list(replication.get("rules")):
            arn = dig(rule, "destination", "bucket")
            if isinstance(arn, str) and not is_unknown(arn):
                mark(_by_arn(g, arn), f"replica (copy target) of {sources[0].name}")


def _buckets_named(g: Graph, res: Res, prop: str, kind: str) -> list[Res] | None:
    """Buckets `res.prop` names (a name, or S3 ARNs with an optional prefix); None when it cannot be told."""
    values = res.get(prop)
    found: list[Res] = []
    for value in as_list(values):
        if is_unknown(value):
            break
        if isinstance(value, str):
            found += g.by_id(value) if kind == "name" else _by_arn(g, value)
    else:
        return [b for b in found if b.type in BUCKETS]
    if res.property_dependencies.get(prop):  # preview: the engine's property dependencies say what it names
        return [b for b in (g.by_urn.get(u) for u in res.property_dependencies[prop]) if b and b.type in BUCKETS]
    return g.resolve(res, prop, BUCKETS) or None


def _by_arn(g: Graph, arn: str) -> list[Res]:
    match = re.match(r"^arn:[^:]+:s3:::([^/]+)", arn)
    return [b for b in g.by_id(match[1]) if b.type in BUCKETS] if match else []


# DAT-05 ---------------------------------------------------------------------------------------------------------
def public_access_fully_blocked(r: Subject) -> Iterator[str]:
    off = [flag for flag in BLOCK_FLAGS if not truthy(r.get(flag, default=False))]
    if off:
        yield f"{', '.join(off)} not true; set all four public access block flags to true"


# DAT-06 ---------------------------------------------------------------------------------------------------------
def acls_disabled(r: Subject) -> Iterator[str]:
    if r.type == BUCKET_ACL:
        yield "a bucket ACL is managed; disable ACLs (BucketOwnershipControls objectOwnership=BucketOwnerEnforced)"
        return
    ownership = [dig(rule, "objectOwnership") for rule in as_list(r.get("rule"))] or [r.get("rule", "objectOwnership")]
    if "BucketOwnerEnforced" not in ownership:
        yield f"objectOwnership={ownership[0]}; set rule.objectOwnership=\"BucketOwnerEnforced\" to disable ACLs"


# DAT-07 (stack) -------------------------------------------------------------------------------------------------
# Every Secrets Manager secret rotates: a secretsmanager/secretRotation names it, is enabled and rotates at least every
# `maxRotationDays`. (RDS-managed master passwords, manageMasterUserPassword, rotate themselves and are no
# secretsmanager/secret resources of the stack.)
def secrets_rotate(s: Stack) -> Iterator[tuple[str | None, str]]:
    g = s.graph()
    rotations: dict[str, list[Res]] = {}
    unknown: list[str] = []
    for rotation in g.of_type(ROTATION):
        secrets = g.resolve(rotation, "secretId", (SECRET,))
        if not secrets and is_unknown(rotation.get("secretId")):
            unknown.append(f"{rotation.name}.secretId")
        for secret in secrets:
            rotations.setdefault(secret.urn, []).append(rotation)
    for secret in g.of_type(SECRET):
        found = rotations.get(secret.urn)
        if not found:
            yield secret.urn, (f"secret {secret.name} has no secretsmanager.SecretRotation; add one with "
                               f"rotationRules.automaticallyAfterDays<={int(s.cfg['maxRotationDays'])} (or use a "
                               "managed rotation such as RDS manageMasterUserPassword)")
        for rotation in found or []:
            for problem in _rotation_problems(rotation, int(s.cfg["maxRotationDays"])):
                yield rotation.urn, f"{rotation.name} (secret {secret.name}): {problem}"
    if unknown:
        raise cannot_verify(unknown)


def _rotation_problems(rotation: Res, maximum: int) -> Iterator[str]:
    enabled = rotation.get("rotationEnabled")
    if enabled is not None and not is_unknown(enabled) and not truthy(enabled):
        yield "rotationEnabled=false; enable rotation"
    rules = rotation.get("rotationRules")
    days = dig(rules, "automaticallyAfterDays")
    schedule = dig(rules, "scheduleExpression")
    if days is None and not schedule:
        yield f"no rotation interval; set rotationRules.automaticallyAfterDays<={maximum}"
    elif days is not None and not is_unknown(days) and int(days) > maximum:
        yield f"rotationRules.automaticallyAfterDays={days} is over {maximum}; rotate at least every {maximum} days"
    elif isinstance(schedule, str) and (interval := _schedule_days(schedule)) and interval > maximum:
        yield f"rotationRules.scheduleExpression={schedule} is over {maximum} days; rotate at least every {maximum} days"


def _schedule_days(schedule: str) -> int | None:
    """Days between rotations of a rate() expression (cron expressions are at most monthly-ish: not judged)."""
    match = re.fullmatch(r"\s*rate\((\d+)\s+(day|days|hour|hours)\)\s*", schedule)
    if not match:
        return None
    value = int(match[1])
    return value if match[2].startswith("day") else max(1, value // 24)


# DAT-08 ---------------------------------------------------------------------------------------------------------
def lb_deletion_protection(r: Subject) -> Iterator[str]:
    if not truthy(r.get("enableDeletionProtection", default=False)):
        yield "enableDeletionProtection is not true; set enableDeletionProtection=true"


GOOD_CLUSTER = {"engine": "aurora-mysql", "deletionProtection": True, "copyTagsToSnapshot": True,
                "backupRetentionPeriod": 15, "iamDatabaseAuthenticationEnabled": True}
GOOD_REDIS = {"description": "c", "snapshotRetentionLimit": 7, "automaticFailoverEnabled": True,
              "multiAzEnabled": True, "numCacheClusters": 2}

def _bucket(name: str, lock: Any = False, **props) -> CaseResource:
    return CaseResource(BUCKET, name, {"bucket": name, "objectLockEnabled": lock, **props})


_TRAIL_TO = CaseResource(TRAIL, "org-trail", {"name": "org-trail", "s3BucketName": "logs"})
DAT04_CASES = (
    StackCase((CaseResource(VERSIONING, "v", {"bucket": "b", "versioningConfiguration": {"status": "Suspended"}}),),
              violates=True),
    StackCase((_bucket("logs"), _TRAIL_TO), violates=True, note="trail destination without Object Lock"),
    StackCase((_bucket("logs", tags={"purpose": "access-logs"}), _TRAIL_TO), violates=True,
              note="a tag the bucket sets on itself does not exempt it"),
    StackCase((_bucket("flow"), CaseResource(FLOW_LOG, "fl", {"logDestinationType": "s3",
                                                     "logDestination": "arn:aws:s3:::flow/vpc-flow-logs/"})),
              violates=True, note="flow-log destination by ARN with a prefix"),
    StackCase((_bucket("logs", lock=True), _bucket("copy"), _TRAIL_TO,
               CaseResource(REPLICATION, "repl", {"bucket": "logs", "rules": [{"destination": {"bucket": "arn:aws:s3:::copy"}}]})),
              violates=True, note="the replica of a trail bucket"),
    StackCase((_bucket("backups", tags={"purpose": "backup"}),), violates=True, note="a tag may add protection"),
    StackCase((CaseResource(BUCKET, "pending", {"bucket": UNKNOWN}), CaseResource(DELIVERY_CHANNEL, "cfg", {"s3BucketName": UNKNOWN})),
              violates=False, unknown=True, note="preview: a bucket name nothing resolves"),
    StackCase((CaseResource(BUCKET, "pending", {"bucket": UNKNOWN}), CaseResource(DELIVERY_CHANNEL, "cfg", {"s3BucketName": UNKNOWN},
                                                                property_deps={"s3BucketName": ("pending",)})),
              violates=True, note="preview: the property dependency names the destination"),
    StackCase((CaseResource(VERSIONING, "v", {"bucket": "b", "versioningConfiguration": {"status": "Enabled"}}),
               _bucket("logs", lock=True), _TRAIL_TO), violates=False),
    StackCase((_bucket("access"), CaseResource(S3_BUCKET_LOGGING, "al", {"bucket": "logs",
                                                                                   "targetBucket": "access"})),
              violates=False, note="S3 server access log target: no Object Lock demanded"),
    StackCase((_bucket("assets", tags={"purpose": "static"}),), violates=False),
)

_SECRET = CaseResource(SECRET, "db", {"name": "app/db", "arn": "arn:aws:secretsmanager:eu-west-1:111111111111:secret:app/db"})


def _rotation(**rules) -> CaseResource:
    return CaseResource(ROTATION, "db-rotation", {"secretId": _SECRET.props["arn"], "rotationLambdaArn": "arn:lambda",
                                         "rotationRules": rules})


DAT07_CASES = (
    StackCase((_SECRET,), violates=True, note="no rotation"),
    StackCase((_SECRET, _rotation(automaticallyAfterDays=180)), violates=True),
    StackCase((_SECRET, _rotation(scheduleExpression="rate(120 days)")), violates=True),
    StackCase((_SECRET, CaseResource(ROTATION, "off", {"secretId": _SECRET.props["arn"], "rotationEnabled": False,
                                              "rotationRules": {"automaticallyAfterDays": 30}})), violates=True),
    StackCase((_SECRET, _rotation(automaticallyAfterDays=30)), violates=False),
    StackCase((_SECRET, _rotation(scheduleExpression="rate(30 days)")), violates=False),
    StackCase((CaseResource(SECRET, "s", {"name": "s"}), CaseResource(ROTATION, "r", {"secretId": UNKNOWN, "rotationRules": {
        "automaticallyAfterDays": 30}}, property_deps={"secretId": ("s",)})), violates=False,
        note="preview: the secret's ARN is unknown, the property dependency names it"),
)

RULES = [
    ResourceRule(
        id="DAT-01", name="dat-01-rds-deletion-protection",
        title="Aurora clusters are deletion-protected, copy tags to snapshots and use IAM authentication",
        description="deletionProtection=true, copyTagsToSnapshot=true and iamDatabaseAuthenticationEnabled=true on "
                    "every cluster, global-database secondaries and replica clusters included (each cluster has its "
                    "own setting) (advisory only in sandbox).",
        refs="SH RDS.7, RDS.16, RDS.12; CKV_AWS_139, CKV_AWS_313, CKV_AWS_162",
        types=(RDS_CLUSTER,), checks=(rds_deletion_protection, rds_iam_authentication), relaxed_in=SANDBOX,
        cases=(
            Case({k: v for k, v in GOOD_CLUSTER.items() if k != "iamDatabaseAuthenticationEnabled"}
                 | {"globalClusterIdentifier": "app-global"}, violates=True,
                 note="a global-database secondary without IAM authentication"),
            Case(GOOD_CLUSTER | {"deletionProtection": False}, violates=True),
            Case(GOOD_CLUSTER | {"copyTagsToSnapshot": False}, env="nonprod", violates=True),
            Case(GOOD_CLUSTER | {"deletionProtection": False}, env=None, violates=True,
                 note="no environment tag: strictest"),
            Case(GOOD_CLUSTER, violates=False),
        ),
    ),
    ResourceRule(
        id="DAT-02", name="dat-02-rds-backup-retention",
        title="Aurora keeps automated backups long enough",
        description="backupRetentionPeriod at least `backupRetentionDays` (sandbox: `sandboxBackupRetentionDays`).",
        refs="SH RDS.11 (instances); CKV_AWS_133 (instances)",
        types=(RDS_CLUSTER,), checks=(rds_backup_retention,),
        params={"backupRetentionDays": Param("integer", 15, "minimum backup retention (days)"),
                "sandboxBackupRetentionDays": Param("integer", 1, "minimum backup retention in sandbox (days)")},
        cases=(
            Case(GOOD_CLUSTER | {"backupRetentionPeriod": 7}, violates=True),
            Case({"engine": "aurora-mysql"}, violates=True, note="AWS default is 1 day"),
            Case(GOOD_CLUSTER, violates=False),
            Case(GOOD_CLUSTER | {"backupRetentionPeriod": 1}, env="sandbox", violates=False),
            Case(GOOD_CLUSTER, config={"backupRetentionDays": 35}, violates=True, note="threshold raised"),
        ),
    ),
    ResourceRule(
        id="DAT-03", name="dat-03-redis-snapshots-failover",
        title="ElastiCache keeps snapshots; prod fails over automatically",
        description="snapshotRetentionLimit above 0; in `multiAzEnvironments` (prod, core) "
                    "automaticFailoverEnabled and multiAzEnabled are true.",
        refs="SH ElastiCache.1, ElastiCache.3; CKV2_AWS_50",
        types=(REDIS_GROUP,), checks=(redis_snapshots, redis_failover_in_prod),
        params={"multiAzEnvironments": Param("array", ["prod", "core"], "environments that need multi-AZ failover",
                                             items="string")},
        cases=(
            Case(GOOD_REDIS | {"snapshotRetentionLimit": 0}, violates=True),
            Case(GOOD_REDIS | {"automaticFailoverEnabled": False}, violates=True),
            Case(GOOD_REDIS, violates=False),
            Case(GOOD_REDIS | {"automaticFailoverEnabled": False, "multiAzEnabled": False}, env="nonprod",
                 violates=False),
        ),
    ),
    StackRule(
        id="DAT-04", name="dat-04-s3-versioning-object-lock",
        title="Bucket versioning is on; log and backup destinations use Object Lock",
        description="BucketVersioning status Enabled. A bucket needs objectLockEnabled=true when the GRAPH makes it a "
                    "log or backup destination: the s3BucketName of a CloudTrail trail or a Config delivery channel, "
                    "the S3 logDestination of a VPC flow log, a WAF logging configuration, Route 53 Resolver query "
                    "logging or GuardDuty export, a Firehose stream's bucket, or the replication destination of such "
                    "a bucket (its copy). A `purposeTagKey` tag in `protectedPurposes` (e.g. backup) adds protection "
                    "but a tag never removes it, and no tag exempts a bucket. S3 server access log targets (the "
                    "targetBucket of a BucketLogging) are not asked for Object Lock unless another role makes them "
                    "a destination: S3 does not deliver server access logs to a bucket with an Object Lock default "
                    "retention (docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html). "
                    "(MFA delete needs the root user and is not required.)",
        refs="CIS 2.1.3 (v1.5) / 2.1.2 (v3.0); SH S3.14, S3.15, S3.20; CKV_AWS_21, CKV_AWS_143",
        checks=(versioning_and_object_lock,),
        params={"purposeTagKey": Param("string", "purpose", "tag key naming a bucket's purpose"),
                "protectedPurposes": Param("array", ["logs", "log-archive", "cloudtrail", "backup"],
                                           "purposes that ADD an Object Lock requirement (never remove one)",
                                           items="string")},
        cases=DAT04_CASES,
    ),
    ResourceRule(
        id="DAT-05", name="dat-05-s3-public-access-block",
        title="S3 public access blocks set all four flags",
        description="blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets are all true "
                    "on bucket and account public access blocks.",
        refs="CIS 2.1.5 (v1.5) / 2.1.4 (v3.0); SH S3.8 (S3.1 account); CKV_AWS_53-56",
        types=(BUCKET_PAB, ACCOUNT_PAB), checks=(public_access_fully_blocked,),
        cases=(
            Case({"bucket": "b", "blockPublicAcls": True}, violates=True),
            Case({"blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True},
                 type=ACCOUNT_PAB, violates=True),
            Case({"bucket": "b", **{f: True for f in BLOCK_FLAGS}}, violates=False),
        ),
    ),
    ResourceRule(
        id="DAT-06", name="dat-06-s3-acls-disabled",
        title="S3 ACLs are disabled",
        description="Ownership controls set objectOwnership BucketOwnerEnforced and no BucketAcl is managed. "
                    "(Lifecycle and access logging presence per bucket are stack-level.)",
        refs="SH S3.12; CKV2_AWS_65",
        types=(OWNERSHIP, BUCKET_ACL), checks=(acls_disabled,),
        cases=(
            Case({"bucket": "b", "rule": {"objectOwnership": "ObjectWriter"}}, violates=True),
            Case({"bucket": "b", "acl": "private"}, type=BUCKET_ACL, violates=True),
            Case({"bucket": "b", "rule": {"objectOwnership": "BucketOwnerEnforced"}}, violates=False),
        ),
    ),
    StackRule(
        id="DAT-07", name="dat-07-secrets-rotate",
        title="Every secret rotates at least every 90 days",
        description="Every secretsmanager/secret is the secretId of an enabled secretsmanager/secretRotation whose "
                    "rotationRules.automaticallyAfterDays (or rate() scheduleExpression) is at most `maxRotationDays`. "
                    "Secrets RDS manages (manageMasterUserPassword) rotate themselves and are not secret resources.",
        refs="SH SecretsManager.1, SecretsManager.4; CKV2_AWS_57, CKV_AWS_304",
        checks=(secrets_rotate,),
        params={"maxRotationDays": Param("integer", 90, "maximum days between rotations")},
        cases=DAT07_CASES,
    ),
    ResourceRule(
        id="DAT-08", name="dat-08-lb-deletion-protection",
        title="Load balancers are deletion-protected",
        description="enableDeletionProtection=true on ALBs and NLBs (advisory only in sandbox).",
        refs="SH ELB.6; CKV_AWS_150",
        types=LOAD_BALANCERS, checks=(lb_deletion_protection,), relaxed_in=SANDBOX,
        cases=(
            Case({"loadBalancerType": "application"}, violates=True),
            Case({"loadBalancerType": "application"}, env="sandbox", violates=True, note="advisory in sandbox"),
            Case({"loadBalancerType": "application", "enableDeletionProtection": True}, violates=False),
        ),
    ),
]
