"""Data protection and backup (CONTROLS.md §1, DAT-01..DAT-08). Environment-aware: prod needs deletion protection,
multi-AZ failover and longer retention; sandbox relaxes deletion protection to advisory and retention thresholds.
"""

from __future__ import annotations

from collections.abc import Iterator

from .framework import Case, Param, ResourceRule, Subject, as_list, dig, truthy

RDS_CLUSTER = "aws:rds/cluster:Cluster"
REDIS = "aws:elasticache/replicationGroup:ReplicationGroup"
BUCKET = "aws:s3/bucket:Bucket"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ACCOUNT_PUBLIC_ACCESS_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
BUCKET_ACL = "aws:s3/bucketAcl:BucketAcl"
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
BLOCK_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
SANDBOX = frozenset({"sandbox"})


# DAT-01 ---------------------------------------------------------------------------------------------------------
def rds_deletion_protection(r: Subject) -> Iterator[str]:
    if not truthy(r.get("deletionProtection", default=False)):
        yield "deletionProtection is not true; set deletionProtection=true"
    if not truthy(r.get("copyTagsToSnapshot", default=False)):
        yield "copyTagsToSnapshot is not true; set copyTagsToSnapshot=true so snapshots keep ownership tags"


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


# DAT-04 ---------------------------------------------------------------------------------------------------------
def versioning_enabled(r: Subject) -> Iterator[str]:
    if r.type != VERSIONING:
        return
    status = r.get("versioningConfiguration", "status", default="Disabled")
    if status != "Enabled":
        yield f"versioningConfiguration.status={status}; set status=\"Enabled\""


def log_and_backup_buckets_locked(r: Subject) -> Iterator[str]:
    if r.type != BUCKET:
        return
    purpose = r.tags().get(r.cfg["purposeTagKey"])
    if purpose in list(r.cfg["logDeliveryPurposes"]):
        return  # S3 server access log destinations may not have an Object Lock default retention: no lock demanded
    if purpose in list(r.cfg["protectedPurposes"]) and not truthy(r.get("objectLockEnabled", default=False)):
        yield (f"{purpose} bucket without Object Lock; set objectLockEnabled=true (with versioning) so logs and "
               "backups cannot be deleted or overwritten")


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


# DAT-07 ---------------------------------------------------------------------------------------------------------
def rotation_interval(r: Subject) -> Iterator[str]:
    days = r.get("rotationRules", "automaticallyAfterDays")
    maximum = int(r.cfg["maxRotationDays"])
    if days is None and not r.get("rotationRules", "scheduleExpression"):
        yield f"no rotation interval; set rotationRules.automaticallyAfterDays<={maximum}"
    elif days is not None and int(days) > maximum:
        yield f"rotationRules.automaticallyAfterDays={days} is over {maximum}; rotate at least every {maximum} days"


# DAT-08 ---------------------------------------------------------------------------------------------------------
def lb_deletion_protection(r: Subject) -> Iterator[str]:
    if not truthy(r.get("enableDeletionProtection", default=False)):
        yield "enableDeletionProtection is not true; set enableDeletionProtection=true"


GOOD_CLUSTER = {"engine": "aurora-mysql", "deletionProtection": True, "copyTagsToSnapshot": True,
                "backupRetentionPeriod": 15}
GOOD_REDIS = {"description": "c", "snapshotRetentionLimit": 7, "automaticFailoverEnabled": True,
              "multiAzEnabled": True, "numCacheClusters": 2}

RULES = [
    ResourceRule(
        id="DAT-01", name="dat-01-rds-deletion-protection",
        title="Aurora clusters are deletion-protected and copy tags to snapshots",
        description="deletionProtection=true and copyTagsToSnapshot=true (advisory only in sandbox).",
        refs="SH RDS.7, RDS.16; CKV_AWS_139, CKV_AWS_313",
        types=(RDS_CLUSTER,), checks=(rds_deletion_protection,), relaxed_in=SANDBOX,
        cases=(
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
        types=(REDIS,), checks=(redis_snapshots, redis_failover_in_prod),
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
    ResourceRule(
        id="DAT-04", name="dat-04-s3-versioning-object-lock",
        title="Bucket versioning is on; log and backup buckets use Object Lock",
        description="BucketVersioning status Enabled; buckets whose `purposeTagKey` tag is in `protectedPurposes` "
                    "are created with objectLockEnabled=true. Log-delivery targets (tag value in `logDeliveryPurposes`, "
                    "e.g. S3 server access log buckets) are exempt even when listed as protected: S3 does not deliver "
                    "server access logs to a destination with an Object Lock default retention "
                    "(docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html); they stay "
                    "versioned and SSE-S3 encrypted (EAR-06). (MFA delete needs the root user and is not required.)",
        refs="CIS 2.1.3 (v1.5) / 2.1.2 (v3.0); SH S3.14, S3.15, S3.20; CKV_AWS_21, CKV_AWS_143",
        types=(VERSIONING, BUCKET), checks=(versioning_enabled, log_and_backup_buckets_locked),
        params={"purposeTagKey": Param("string", "purpose", "tag key naming a bucket's purpose"),
                "protectedPurposes": Param("array", ["logs", "log-archive", "cloudtrail", "backup"],
                                           "purposes that need Object Lock", items="string"),
                "logDeliveryPurposes": Param("array", ["access-logs"], "purposes of buckets that receive S3 server "
                                             "access logs (never asked for Object Lock)", items="string")},
        cases=(
            Case({"bucket": "b", "versioningConfiguration": {"status": "Suspended"}}, violates=True),
            Case({"bucket": "logs", "tags": {"purpose": "log-archive"}}, type=BUCKET, violates=True),
            Case({"bucket": "b", "versioningConfiguration": {"status": "Enabled"}}, violates=False),
            Case({"bucket": "logs", "objectLockEnabled": True, "tags": {"purpose": "log-archive"}}, type=BUCKET,
                 violates=False),
            Case({"bucket": "assets", "tags": {"purpose": "static"}}, type=BUCKET, violates=False),
            Case({"bucket": "access", "tags": {"purpose": "access-logs"}}, type=BUCKET, violates=False,
                 config={"protectedPurposes": ["logs", "access-logs"]}, note="log-delivery target: never locked"),
            Case({"bucket": "access", "tags": {"purpose": "access-logs"}}, type=BUCKET, violates=True,
                 config={"protectedPurposes": ["access-logs"], "logDeliveryPurposes": []},
                 note="without the exemption the same bucket would need Object Lock"),
        ),
    ),
    ResourceRule(
        id="DAT-05", name="dat-05-s3-public-access-block",
        title="S3 public access blocks set all four flags",
        description="blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets are all true "
                    "on bucket and account public access blocks.",
        refs="CIS 2.1.5 (v1.5) / 2.1.4 (v3.0); SH S3.8 (S3.1 account); CKV_AWS_53-56",
        types=(PUBLIC_ACCESS_BLOCK, ACCOUNT_PUBLIC_ACCESS_BLOCK), checks=(public_access_fully_blocked,),
        cases=(
            Case({"bucket": "b", "blockPublicAcls": True}, violates=True),
            Case({"blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True},
                 type=ACCOUNT_PUBLIC_ACCESS_BLOCK, violates=True),
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
    ResourceRule(
        id="DAT-07", name="dat-07-secret-rotation-interval",
        title="Secrets rotate at least every 90 days",
        description="secretsmanager.SecretRotation rotationRules.automaticallyAfterDays at most `maxRotationDays` "
                    "(or a schedule expression). (Secrets without any rotation are stack-level.)",
        refs="SH SecretsManager.1, SecretsManager.4; CKV2_AWS_57, CKV_AWS_304",
        types=(ROTATION,), checks=(rotation_interval,),
        params={"maxRotationDays": Param("integer", 90, "maximum days between rotations")},
        cases=(
            Case({"secretId": "s", "rotationRules": {"automaticallyAfterDays": 180}}, violates=True),
            Case({"secretId": "s", "rotationRules": {"automaticallyAfterDays": 30}}, violates=False),
            Case({"secretId": "s", "rotationRules": {"scheduleExpression": "rate(30 days)"}}, violates=False),
        ),
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
