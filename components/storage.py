"""One way to build an S3 bucket in the landing zone: `HardenedBucket`.

Every bucket gets the same baseline (EAR-06, DAT-04 and the S3 rules of the policy pack): all four public access
blocks, BucketOwnerEnforced (ACLs off), versioning, default encryption, lifecycle rules and a bucket policy that
denies plain HTTP. What differs between buckets is a parameter:
- `kms_key_arn`: SSE-KMS with a bucket key. None makes the bucket a log-delivery target (S3 server access logs, ELB
  access logs): those services can only write SSE-S3 buckets, so it gets AES256 and the `purpose=access-logs` tag
  the policy pack uses to tell such targets from buckets that forgot their CMK.
- `object_lock`: a default retention (needs versioning; log-delivery targets may not have one).
- `policy_statements`: statements added after the TLS-only one, built from the bucket's ARN.
- `access_logs`: where the bucket's own server access logs go (`log_to` adds it later when the target's policy
  must name this bucket first).

Logical names: the bucket is `f"{account}-{region}-{purpose}"`, each companion resource appends its kind
(`-public-access-block`, `-ownership`, `-versioning`, `-encryption`, `-object-lock`, `-lifecycle`, `-policy`,
`-logging`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.context import AccountContext

TLS_ONLY_SID = "DenyInsecureTransport"
ACCESS_LOGS_TAGS = {"purpose": "access-logs"}  # SSE-S3 by necessity: the policy pack exempts these from SSE-KMS


@dataclass(frozen=True)
class ObjectLock:
    """Default retention of every new object version (GOVERNANCE: an authorised admin can still lift it)."""

    mode: str
    days: int


@dataclass(frozen=True)
class AccessLogs:
    """Target of a bucket's S3 server access logs: a bucket of the same account and region, SSE-S3."""

    target_bucket: pulumi.Input[str]
    prefix: str


def expiry_rule(rule_id: str, expire_days: int, *, noncurrent_days: int, abort_multipart_days: int,
                archive_after_days: int | None = None) -> dict:
    """A whole-bucket lifecycle rule: optionally to Glacier, then expire current and noncurrent versions."""
    rule: dict = {"id": rule_id, "status": "Enabled", "filter": {},
                  "expiration": {"days": expire_days},
                  "noncurrent_version_expiration": {"noncurrent_days": noncurrent_days},
                  "abort_incomplete_multipart_upload": {"days_after_initiation": abort_multipart_days}}
    if archive_after_days is not None:
        rule["transitions"] = [{"days": archive_after_days, "storage_class": "GLACIER"}]
    return rule


def tls_only_statement(bucket_arn: pulumi.Input[str]) -> dict:
    return {"Sid": TLS_ONLY_SID, "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [bucket_arn, pulumi.Output.concat(bucket_arn, "/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}  # fmt: skip


def server_access_logs_statement(bucket_arn: pulumi.Input[str], source_account: pulumi.Input[str],
                                 source_arn: pulumi.Input[str] | None = None) -> dict:
    """Lets S3 deliver server access logs into this bucket, for buckets of one account (and one bucket if given)."""
    condition: dict = {"StringEquals": {"aws:SourceAccount": source_account}}
    if source_arn is not None:
        condition["ArnLike"] = {"aws:SourceArn": source_arn}
    return {"Sid": "S3ServerAccessLogs", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject", "Resource": pulumi.Output.concat(bucket_arn, "/*"), "Condition": condition}


class HardenedBucket(pulumi.ComponentResource):
    """A private, versioned, encrypted, TLS-only bucket in one account and region (see the module docstring).

    Attributes: bucket (aws.s3.Bucket), arn, name, policy (aws.s3.BucketPolicy), and `writable_name`: the bucket's
    name once its policy exists — what a log-delivery service should be pointed at, since it tests write access
    when logging is switched on.
    """

    def __init__(self, account: AccountContext, region: str, purpose: str, *,
                 kms_key_arn: pulumi.Input[str] | None, lifecycle_rules: Sequence[dict],
                 bucket_name: pulumi.Input[str] | None = None, object_lock: ObjectLock | None = None,
                 policy_statements: Callable[[pulumi.Output[str]], list[dict]] | None = None,
                 access_logs: AccessLogs | None = None, protect: bool = False,
                 opts: pulumi.ResourceOptions | None = None):
        name = account.resource_name(region, purpose)
        super().__init__("landing-zone:storage:HardenedBucket", name, None, opts)
        self._account, self._region, self._purpose = account, region, purpose
        log_target = kms_key_arn is None  # S3 and ELB log delivery only write SSE-S3 buckets
        self.bucket = aws.s3.Bucket(name, bucket=bucket_name, object_lock_enabled=object_lock is not None,
                                    force_destroy=False, tags=dict(ACCESS_LOGS_TAGS) if log_target else None,
                                    opts=self._opts(protect=protect))
        self.arn, self.name = self.bucket.arn, self.bucket.bucket
        aws.s3.BucketPublicAccessBlock(self._rn("public-access-block"), bucket=self.bucket.id, block_public_acls=True,
                                       block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True,
                                       opts=self._opts())
        aws.s3.BucketOwnershipControls(self._rn("ownership"), bucket=self.bucket.id,
                                       rule={"object_ownership": "BucketOwnerEnforced"}, opts=self._opts())
        self.versioning = versioning = aws.s3.BucketVersioning(
            self._rn("versioning"), bucket=self.bucket.id, versioning_configuration={"status": "Enabled"},
            opts=self._opts())
        sse = {"sse_algorithm": "AES256"} if log_target else {"sse_algorithm": "aws:kms", "kms_master_key_id": kms_key_arn}
        aws.s3.BucketServerSideEncryptionConfiguration(
            self._rn("encryption"), bucket=self.bucket.id,
            rules=[{"apply_server_side_encryption_by_default": sse, "bucket_key_enabled": not log_target}],
            opts=self._opts())
        if object_lock is not None:
            if log_target:
                raise ValueError(f"{name}: a log-delivery target (no KMS key) may not have an Object Lock retention")
            aws.s3.BucketObjectLockConfiguration(
                self._rn("object-lock"), bucket=self.bucket.id,
                rule={"default_retention": {"mode": object_lock.mode, "days": object_lock.days}},
                opts=self._opts(depends_on=[versioning]))
        aws.s3.BucketLifecycleConfiguration(self._rn("lifecycle"), bucket=self.bucket.id, rules=list(lifecycle_rules),
                                            opts=self._opts(depends_on=[versioning]))
        extra = policy_statements(self.arn) if policy_statements else []
        self.policy = aws.s3.BucketPolicy(
            self._rn("policy"), bucket=self.bucket.id,
            policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [tls_only_statement(self.arn), *extra]}),
            opts=self._opts())
        self.writable_name: pulumi.Output[str] = pulumi.Output.all(self.bucket.bucket, self.policy.id).apply(
            lambda values: values[0])
        if access_logs is not None:
            self.log_to(access_logs)
        self.register_outputs({"name": self.name, "arn": self.arn})

    def log_to(self, access_logs: AccessLogs) -> aws.s3.BucketLogging:
        """Deliver this bucket's server access logs to `access_logs.target_bucket`."""
        return aws.s3.BucketLogging(self._rn("logging"), bucket=self.bucket.id, target_bucket=access_logs.target_bucket,
                                    target_prefix=access_logs.prefix, opts=self._opts())

    def _rn(self, kind: str) -> str:
        return self._account.resource_name(self._region, f"{self._purpose}-{kind}")

    def _opts(self, **kwargs) -> pulumi.ResourceOptions:
        return self._account.opts(self._region, parent=self, **kwargs)
