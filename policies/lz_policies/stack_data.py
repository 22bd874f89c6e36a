"""Stack rules of data protection: backups (X-07), attached volumes encrypted (X-08), buckets block public access and the trail bucket is logged (X-09, X-11)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .graph import Graph, Res
from .rules import Param, StackCase, StackRule
from .stack_helpers import (
    TRAIL_BUCKET_CASE,
    TRAIL_CASE,
    Unknowns,
    account_urn,
    case_resource,
    covered_by,
    is_true,
    items_of,
    label,
    trail_buckets,
)
from .types import (
    ACCOUNT_PAB,
    BACKUP_PLAN,
    BACKUP_SELECTION,
    BUCKET,
    BUCKET_LOGGING,
    BUCKET_PAB,
    BUCKETS,
    EBS_DEFAULT_ENCRYPTION,
    EBS_VOLUME,
    EFS,
    PROVIDER,
    RDS_CLUSTER,
    REDIS_GROUP,
    VERSIONING,
    VOLUME_ATTACHMENT,
    VPC,
)
from .values import dig, is_unknown, truthy

# --------------------------------------------------------------------------- X-07 backup coverage
BACKED_UP_TYPES = (EBS_VOLUME, RDS_CLUSTER, EFS)


def _selection_tag_match(selection: Res, res: Res) -> bool:
    tags = res.tags
    for condition in items_of(selection.get("selectionTags")):
        if isinstance(condition, Mapping) and tags.get(condition.get("key")) == condition.get("value"):
            return True
    conditions = selection.get("conditions")
    for group in items_of(conditions):
        for entry in items_of(group.get("stringEquals") if isinstance(group, Mapping) else None):
            key = str(entry.get("key", "")).removeprefix("aws:ResourceTag/")
            if tags.get(key) == entry.get("value"):
                return True
    return False


def _selected(g: Graph, selection: Res, unknowns: Unknowns) -> set[str] | None:
    """URNs a selection covers; None means 'every resource' (resources ['*'])."""
    resources = selection.get("resources")
    if "*" in items_of(resources) or any(str(a).endswith(":*") for a in items_of(resources)):
        return None
    chosen = {r.urn for r in g.resolve(selection, "resources", BACKED_UP_TYPES)}
    chosen |= {r.urn for r in g.of_type(*BACKED_UP_TYPES) if _selection_tag_match(selection, r)}
    if not chosen:
        unknowns.check(selection, "resources")
    return chosen


def _plan_retention_problems(plan: Res, minimum: int, unknowns: Unknowns) -> list[str]:
    problems = []
    if unknowns.check(plan, "rules"):
        return problems
    for i, rule in enumerate(items_of(plan.get("rules"))):
        lifecycle = rule.get("lifecycle") if isinstance(rule, Mapping) else None
        days = lifecycle.get("deleteAfter") if isinstance(lifecycle, Mapping) else None
        if days is not None and not is_unknown(days) and int(days) < minimum:
            problems.append(f"rules[{i}].lifecycle.deleteAfter={days}")
    return problems


def backups_cover_data_with_retention(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns, minimum = stack.graph(), Unknowns(), int(stack.cfg["minRetentionDays"])
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
            yield res.urn, (f"{label(res)} is in no backup/selection: add it to a selection of a backup plan "
                            f"(by ARN or by a tag the selection matches)")
    yield from _snapshot_retention(g, minimum, unknowns)
    yield from _selected_buckets_versioned(g, unknowns)
    unknowns.raise_if_any()


def _snapshot_retention(g: Graph, minimum: int, unknowns: Unknowns) -> Iterator[tuple[str | None, str]]:
    """Stores that keep their own snapshots (ElastiCache) rather than AWS Backup's are held to the same floor."""
    for group in g.of_type(REDIS_GROUP):
        if unknowns.check(group, "snapshotRetentionLimit"):
            continue
        days = int(group.get("snapshotRetentionLimit") or 0)
        if days < minimum:
            yield group.urn, (f"replication group {group.name} keeps snapshots {days} days, under the backup floor of "
                              f"{minimum}: set snapshotRetentionLimit >= {minimum} (redis.snapshot_retention_days)")


def _selected_buckets_versioned(g: Graph, unknowns: Unknowns) -> Iterator[tuple[str | None, str]]:
    """AWS Backup for S3 refuses (and cannot restore) a bucket without versioning: a selected bucket must have it."""
    enabled = [v for v in g.of_type(VERSIONING)
               if dig(v.get("versioningConfiguration"), "status", default=None) == "Enabled"]
    versioned, _ = covered_by(g, enabled, "bucket", BUCKETS, unknowns)
    for selection in g.of_type(BACKUP_SELECTION):
        for bucket in g.resolve(selection, "resources", BUCKETS):
            if bucket.urn not in versioned and not truthy(dig(bucket.get("versioning"), "enabled", default=False)):
                yield bucket.urn, (f"bucket {bucket.name} is in backup selection {selection.name} without versioning "
                                   "enabled: AWS Backup for S3 requires it; add aws.s3.BucketVersioning status Enabled")


# --------------------------------------------------------------------------- X-08 attached volumes encrypted
def _default_encryption_scopes(g: Graph) -> set[tuple[str | None, str | None]]:
    return {(g.account(e), g.region(e)) for e in g.of_type(EBS_DEFAULT_ENCRYPTION)
            if e.get("enabled") is None or is_true(e.get("enabled"))}


def attached_volumes_encrypted(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), Unknowns()
    by_default = _default_encryption_scopes(g)
    for attachment in g.of_type(VOLUME_ATTACHMENT):
        for volume in g.resolve(attachment, "volumeId", (EBS_VOLUME,)):
            if unknowns.check(volume, "encrypted") or is_true(volume.get("encrypted")):
                continue
            if (g.account(volume), g.region(volume)) in by_default:
                continue
            yield volume.urn, (f"EBS volume {volume.name} is attached by {attachment.name} but not encrypted: set "
                               "encrypted=True with a KMS key (or enable EBS encryption by default in the account)")
    unknowns.raise_if_any()


# --------------------------------------------------------------------------- X-09 / X-11 buckets
PAB_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def _full_block(res: Res, unknowns: Unknowns) -> bool:
    return all(not unknowns.check(res, flag) and is_true(res.get(flag)) for flag in PAB_FLAGS)


def _blocked_buckets(g: Graph, unknowns: Unknowns) -> tuple[set[str], set[str | None]]:
    blocks = [b for b in g.of_type(BUCKET_PAB) if _full_block(b, unknowns)]
    buckets, _ = covered_by(g, blocks, "bucket", BUCKETS, unknowns)
    accounts = {g.account(a) for a in g.of_type(ACCOUNT_PAB) if _full_block(a, unknowns)}
    return buckets, accounts


def _public_access_blocked(g: Graph, bucket: Res, blocked: tuple[set[str], set[str | None]]) -> bool:
    buckets, accounts = blocked
    return bucket.urn in buckets or (g.account(bucket) is not None and g.account(bucket) in accounts)


def trail_bucket_blocked_and_logged(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), Unknowns()
    blocked = _blocked_buckets(g, unknowns)
    logged, _ = covered_by(g, g.of_type(*BUCKET_LOGGING), "bucket", BUCKETS, unknowns)
    for bucket in {b.urn: b for b in trail_buckets(g)}.values():
        if not _public_access_blocked(g, bucket, blocked) and not unknowns:
            yield bucket.urn, (f"CloudTrail bucket {bucket.name} has no public access block with all four flags: "
                               "add aws.s3.BucketPublicAccessBlock with every flag True")
        if bucket.urn not in logged and not bucket.get("logging") and not bucket.get("loggings"):
            yield bucket.urn, (f"CloudTrail bucket {bucket.name} has no server access logging: add "
                               "aws.s3.BucketLogging to a separate access-log bucket")
    unknowns.raise_if_any()


def every_bucket_blocks_public_access(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), Unknowns()
    blocked = _blocked_buckets(g, unknowns)
    for bucket in g.of_type(*BUCKETS):
        if not _public_access_blocked(g, bucket, blocked) and not unknowns:
            yield bucket.urn, (f"bucket {bucket.name} has no s3/bucketPublicAccessBlock with all four flags (and its "
                               "account no account-level block): add aws.s3.BucketPublicAccessBlock")
    unknowns.raise_if_any()


def every_account_blocks_public_access(stack: Any) -> Iterator[tuple[str | None, str]]:
    """The account-level block also stops public buckets and access points created outside the stack (console,
    another tool); a bucket-level block covers only its own bucket."""
    g, unknowns = stack.graph(), Unknowns()
    blocked = {g.account(a) for a in g.of_type(ACCOUNT_PAB) if _full_block(a, unknowns)}
    accounts = {g.account(r) for r in g.resources if r.type != PROVIDER and r.provider_urn} - {None}
    for account in sorted(accounts - blocked):
        if unknowns:
            break
        yield account_urn(g, account), (
            f"account {account} has resources in this stack but no s3/accountPublicAccessBlock with all four flags: "
            "add aws.s3.AccountPublicAccessBlock through the account's provider, every flag True")
    unknowns.raise_if_any()

_PLAN = case_resource(BACKUP_PLAN, "daily", {"rules": [{"ruleName": "daily", "lifecycle": {"deleteAfter": 15}}]})
X07_CASES = (
    StackCase((case_resource(RDS_CLUSTER, "aurora", {"engine": "aurora-mysql"}), _PLAN), violates=True,
              note="cluster in no selection"),
    StackCase((case_resource(EFS, "files", {"tags": {"backup": "daily"}}),
               case_resource(BACKUP_PLAN, "daily", {"rules": [{"ruleName": "d", "lifecycle": {"deleteAfter": 7}}]}),
               case_resource(BACKUP_SELECTION, "sel", {"selectionTags": [{"type": "STRINGEQUALS", "key": "backup",
                                                                  "value": "daily"}]}, {"planId": "daily"})),
              violates=True, note="retention 7 days"),
    StackCase((case_resource(RDS_CLUSTER, "aurora"), case_resource(EBS_VOLUME, "data-vol", {"tags": {"backup": "daily"}}), _PLAN,
               case_resource(BACKUP_SELECTION, "sel", {"selectionTags": [{"type": "STRINGEQUALS", "key": "backup",
                                                                  "value": "daily"}]},
                     {"planId": "daily", "resources": "aurora"})), violates=False,
              note="one by ARN, one by tag"),
    StackCase((case_resource(REDIS_GROUP, "cache", {"snapshotRetentionLimit": 7}),), violates=True,
              note="Redis snapshots kept 7 days"),
    StackCase((case_resource(BUCKET, "dumps"), _PLAN,
               case_resource(BACKUP_SELECTION, "sel", {}, {"planId": "daily", "resources": "dumps"})),
              violates=True, note="S3 bucket backed up without versioning"),
    StackCase((case_resource(REDIS_GROUP, "cache", {"snapshotRetentionLimit": 15}), case_resource(BUCKET, "dumps"),
               case_resource(VERSIONING, "dumps-versioning", {"versioningConfiguration": {"status": "Enabled"}},
                             {"bucket": "dumps"}), _PLAN,
               case_resource(BACKUP_SELECTION, "sel", {}, {"planId": "daily", "resources": "dumps"})),
              violates=False, note="Redis at the floor, versioned bucket in a selection"),
)

X08_CASES = (
    StackCase((case_resource(EBS_VOLUME, "vol", {"encrypted": False}),
               case_resource(VOLUME_ATTACHMENT, "vol-att", {"deviceName": "/dev/sdf"}, {"volumeId": "vol"})), violates=True),
    StackCase((case_resource(EBS_VOLUME, "vol", {"encrypted": True}),
               case_resource(VOLUME_ATTACHMENT, "vol-att", {"deviceName": "/dev/sdf"}, {"volumeId": "vol"})), violates=False),
    StackCase((case_resource(EBS_VOLUME, "vol", {}), case_resource(EBS_DEFAULT_ENCRYPTION, "ebs-default", {"enabled": True}),
               case_resource(VOLUME_ATTACHMENT, "vol-att", {"deviceName": "/dev/sdf"}, {"volumeId": "vol"})), violates=False,
              note="EBS encryption by default in the same account and region"),
)

_FULL_BLOCK = {flag: True for flag in PAB_FLAGS}
_TRAIL_BLOCK = case_resource(BUCKET_PAB, "trail-bucket-pab", _FULL_BLOCK, {"bucket": "trail-bucket"})
_TRAIL_LOGGING = case_resource(BUCKET_LOGGING[0], "trail-bucket-logging", {"targetPrefix": "trail/"},
                       {"bucket": "trail-bucket", "targetBucket": "access-logs"})
_ACCESS_LOGS = case_resource(BUCKETS[0], "access-logs", {"bucket": "access-logs"})
X09_CASES = (
    StackCase((TRAIL_BUCKET_CASE, TRAIL_CASE, _TRAIL_BLOCK), violates=True, note="no access logging"),
    StackCase((TRAIL_BUCKET_CASE, TRAIL_CASE, _TRAIL_LOGGING, _ACCESS_LOGS,
               case_resource(BUCKET_PAB, "trail-bucket-pab", {**_FULL_BLOCK, "blockPublicPolicy": False},
                     {"bucket": "trail-bucket"})), violates=True, note="partial public access block"),
    StackCase((TRAIL_BUCKET_CASE, TRAIL_CASE, _TRAIL_BLOCK, _TRAIL_LOGGING, _ACCESS_LOGS), violates=False),
)

_CORE_ACCOUNT_PAB = case_resource(ACCOUNT_PAB, "core-account-pab", _FULL_BLOCK)
X11_CASES = (
    StackCase((case_resource(BUCKETS[0], "data"),), violates=True),
    StackCase((case_resource(BUCKETS[0], "data"), case_resource(BUCKET_PAB, "data-pab", _FULL_BLOCK, {"bucket": "data"})),
              violates=True, note="the bucket is blocked, its account has no account-level block"),
    StackCase((case_resource(VPC, "vpc", {"cidrBlock": "10.0.0.0/16"}, env="prod"), _CORE_ACCOUNT_PAB), violates=True,
              note="an account without buckets still needs the account-level block"),
    StackCase((case_resource(VPC, "vpc", {"cidrBlock": "10.0.0.0/16"}), case_resource(ACCOUNT_PAB, "core-account-pab", {
        **_FULL_BLOCK, "restrictPublicBuckets": False})), violates=True, note="a flag off"),
    StackCase((case_resource(BUCKETS[0], "data"), case_resource(BUCKET_PAB, "data-pab", _FULL_BLOCK, {"bucket": "data"}),
               _CORE_ACCOUNT_PAB), violates=False),
    StackCase((case_resource(BUCKETS[0], "data", env="prod"), case_resource(ACCOUNT_PAB, "account-pab", _FULL_BLOCK, env="prod")),
              violates=False, note="account-level block in the bucket's account"),
)


RULES = [
    StackRule(
        id="X-07", name="x-07-data-in-backup-plan", title="Data stores are backed up long enough",
        description="EBS data volumes, RDS clusters and EFS file systems are in a backup/selection (by ARN, by tag, "
                    "or a '*' selection), and every backup plan rule keeps recovery points at least the configured "
                    "number of days; ElastiCache replication groups keep snapshots (snapshotRetentionLimit) at least "
                    "as long; an S3 bucket in a backup selection has versioning enabled (AWS Backup for S3 needs it).",
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
        id="X-11", name="x-11-buckets-block-public-access",
        whole_organization=True,
        title="Every bucket and every account has a public access block",
        description="Each S3 bucket has an s3/bucketPublicAccessBlock with all four flags, or its account has an "
                    "s3/accountPublicAccessBlock with all four; and every account with resources in the stack (its "
                    "provider's `account` default tag) has an s3/accountPublicAccessBlock with all four flags, which "
                    "also covers buckets created outside the stack.",
        refs="CKV2_AWS_6; SH S3.1, S3.8",
        checks=(every_bucket_blocks_public_access, every_account_blocks_public_access), cases=X11_CASES),
]
