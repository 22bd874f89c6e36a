"""The log archive, in the log-archive account: the KMS key CloudTrail, Config and VPC flow logs write with, the log
bucket (object lock, versioning, KMS, lifecycle, TLS-only policy) and its access-log bucket in the home region, and in
each region with a load balancer an SSE-S3 ELB access-log bucket (ELB supports no KMS destination and writes only
within its region) with, outside the home region, a same-region access-log bucket.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountArgs
from components.context import LogArchive, elb_logs_prefix
from components.security.service import (
    AccountSecurityService,
    account_root,
    arn,
    json_document,
    key_admin_statement,
    service_key_statement,
)
from components.storage import AccessLogs, HardenedBucket, ObjectLock, expiry_rule, server_access_logs_statement
from landing_zone.log_delivery import elb_writer
from landing_zone.scp_documents import LOG_KEY_ALIAS

# Key prefix VPC flow logs are delivered under (components/network/vpc.py writes `<log bucket ARN>/vpc-flow-logs/`);
# the log bucket policy lets log delivery write nowhere else.
FLOW_LOGS_PREFIX = "vpc-flow-logs"
GUARDDUTY_PREFIX = "guardduty"  # GuardDuty's findings export, from every region's administrator detector


@dataclass(frozen=True)
class ElbWriter:
    """An account whose load balancers write their access logs into the log archive."""

    name: str
    account_id: pulumi.Input[str]
    nlb: bool  # NLB (TLS listener) logs go through the CloudWatch Logs delivery service


@dataclass(frozen=True, kw_only=True)
class LogArchiveArgs(AccountArgs):
    """account: the log-archive account; region: the home region."""

    partition: pulumi.Input[str]
    management_account_id: pulumi.Input[str]  # owns the organization trail
    security_account_id: pulumi.Input[str]  # reads the logs
    source_account_ids: tuple[pulumi.Input[str], ...]  # every account whose Config and flow logs write here
    trail_arn: pulumi.Input[str]
    bucket_prefix: str  # every bucket's name starts with it: the protect-logs-and-backups SCP protects them
    elb_bucket_prefix: str
    object_lock: ObjectLock
    archive_retention_days: int  # log and ELB log buckets
    access_log_retention_days: int  # server access log buckets
    elb_regions: tuple[str, ...] = ()
    elb_writers: tuple[ElbWriter, ...] = ()
    guardduty_export: bool = False  # the security account's detectors (every region) export findings here


class LogArchiveStorage(AccountSecurityService[LogArchiveArgs]):
    """Results: `handle` (the LogArchive handle log writers get), `bucket_policy` (what AWS Config's delivery channels
    wait for), `bucket`, `key`."""

    TOKEN = "security:LogArchiveStorage"

    def __init__(self, name: str, args: LogArchiveArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        self.key = self._key()
        # the protect-logs-and-backups SCP finds the key by this alias: it must not go away with a config change
        aws.kms.Alias(self.child_name("log-key-alias"), name=LOG_KEY_ALIAS, target_key_id=self.key.key_id,
                      opts=self.child_opts(protect=True))
        self._access_buckets: dict[str, HardenedBucket] = {}
        self._bucket_arns: list[pulumi.Output[str]] = []
        access = self._access_log_bucket(self.region)
        logs = self._bucket("log-bucket", pulumi.Output.concat(args.bucket_prefix, self.account.account_id, "-", self.region),
                            kms_key_arn=self.key.arn, object_lock=args.object_lock,
                            expire_days=args.archive_retention_days, statements=self._log_bucket_statements,
                            access_logs=AccessLogs(access.writable_name, "log-bucket/"))  # fmt: skip
        self.bucket, self.bucket_policy = logs.bucket, logs.policy
        elb_buckets = {region: self._elb_log_bucket(region) for region in args.elb_regions}
        self.handle = LogArchive(bucket_name=logs.name, bucket_arn=logs.arn, kms_key_arn=self.key.arn,
                                 elb_logs_bucket_by_region=elb_buckets, bucket_arns=tuple(self._bucket_arns),
                                 ready=(logs.policy, self.key))
        self.register_outputs({"bucketName": logs.name, "kmsKeyArn": self.key.arn})

    def _key(self) -> aws.kms.Key:
        a, p = self.args, self.args.partition
        ids = list(a.source_account_ids)
        return aws.kms.Key(
            self.child_name("log-key"),
            description="Log archive: CloudTrail, Config, VPC flow logs",
            enable_key_rotation=True, deletion_window_in_days=30,
            policy=json_document({"Version": "2012-10-17", "Statement": [
                key_admin_statement(p, self.account.account_id),
                {"Sid": "SecurityReads", "Effect": "Allow", "Principal": {"AWS": account_root(p, a.security_account_id)},
                 "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"},
                service_key_statement("CloudTrailEncrypts", "cloudtrail.amazonaws.com", {
                    "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": pulumi.Output.concat(
                        "arn:", p, ":cloudtrail:*:", a.management_account_id, ":trail/*")},
                    "StringEquals": {"aws:SourceArn": a.trail_arn}}),
                service_key_statement("ConfigEncrypts", "config.amazonaws.com", {"StringEquals": {"aws:SourceAccount": ids}}),
                service_key_statement("FlowLogsEncrypt", "delivery.logs.amazonaws.com",
                                      {"StringEquals": {"aws:SourceAccount": ids}}),
                *self._guardduty_key_statements(),
            ]}),
            opts=self.child_opts(protect=True),
        )  # fmt: skip

    def _access_log_bucket(self, region: str) -> HardenedBucket:
        """The log-archive account's S3 server access log target in a region. S3 delivers server access logs only
        to a bucket in the source bucket's account and region, encrypted with SSE-S3 (not SSE-KMS) and without an
        Object Lock default retention, so each region with log buckets gets one of these."""
        if region in self._access_buckets:
            return self._access_buckets[region]
        account_id = self.account.account_id
        access = self._bucket("log-access-bucket",
                              pulumi.Output.concat(self.args.bucket_prefix, "access-", account_id, "-", region),
                              kms_key_arn=None, expire_days=self.args.access_log_retention_days, region=region,
                              statements=lambda bucket_arn: [server_access_logs_statement(bucket_arn, account_id)])
        self._access_buckets[region] = access
        return access

    def _elb_log_bucket(self, region: str) -> pulumi.Output[str]:
        """Where the region's load balancers write access logs: ALB access logs support only SSE-S3 destination
        buckets in the load balancer's region (the bucket may belong to another account), so not the KMS log bucket."""
        bucket = self._bucket("elb-logs-bucket",
                              pulumi.Output.concat(self.args.elb_bucket_prefix, self.account.account_id, "-", region),
                              kms_key_arn=None, expire_days=self.args.archive_retention_days, region=region,
                              statements=lambda bucket_arn: self._elb_bucket_statements(bucket_arn, region),
                              access_logs=AccessLogs(self._access_log_bucket(region).writable_name, "elb-logs-bucket/"))
        # ELB tests its write access when access logging is turned on: whoever uses the name waits for the policy
        return bucket.writable_name

    def _elb_bucket_statements(self, bucket_arn, region: str) -> list[dict]:
        """Each edge account's load balancers write only under their own prefix and account id."""
        writers, partition = self.args.elb_writers, self.args.partition
        principal = elb_writer(region)
        if "AWS" in principal:
            principal = {"AWS": account_root(partition, principal["AWS"])}
        objects = [pulumi.Output.concat(bucket_arn, "/", elb_logs_prefix(w.name, region), "/AWSLogs/", w.account_id, "/*")
                   for w in writers]
        statements = [
            {"Sid": "ApplicationLoadBalancerLogsWrite", "Effect": "Allow", "Principal": principal,
             "Action": "s3:PutObject", "Resource": objects},
        ]  # fmt: skip
        nlb_writers = [w for w in writers if w.nlb]
        if nlb_writers:  # NLB (TLS listener) access logs go through the CloudWatch Logs delivery service
            ids = [w.account_id for w in nlb_writers]
            source = {"StringEquals": {"aws:SourceAccount": ids},
                      "ArnLike": {"aws:SourceArn": [arn(partition, "logs", region, i, "*") for i in ids]}}
            statements += [
                {"Sid": "NetworkLoadBalancerLogsAclCheck", "Effect": "Allow",
                 "Principal": {"Service": "delivery.logs.amazonaws.com"}, "Action": "s3:GetBucketAcl", "Resource": bucket_arn,
                 "Condition": source},
                {"Sid": "NetworkLoadBalancerLogsWrite", "Effect": "Allow",
                 "Principal": {"Service": "delivery.logs.amazonaws.com"}, "Action": "s3:PutObject",
                 "Resource": [pulumi.Output.concat(bucket_arn, "/", elb_logs_prefix(w.name, region), "/AWSLogs/",
                                                   w.account_id, "/*") for w in nlb_writers],
                 "Condition": {**source, "StringEquals": {**source["StringEquals"],
                                                          "s3:x-amz-acl": "bucket-owner-full-control"}}},
            ]  # fmt: skip
        return statements

    def _log_bucket_statements(self, bucket_arn) -> list[dict]:
        a = self.args
        ids = list(a.source_account_ids)
        owner_full_control = {"s3:x-amz-acl": "bucket-owner-full-control"}
        return [
            {"Sid": "ServicesReadAcl", "Effect": "Allow",
             "Principal": {"Service": ["cloudtrail.amazonaws.com", "config.amazonaws.com", "delivery.logs.amazonaws.com"]},
             "Action": ["s3:GetBucketAcl", "s3:ListBucket"], "Resource": bucket_arn},
            {"Sid": "CloudTrailWrites", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": pulumi.Output.concat(bucket_arn, "/cloudtrail/AWSLogs/*"),
             "Condition": {"StringEquals": {**owner_full_control, "aws:SourceArn": a.trail_arn}}},
            {"Sid": "ConfigWrites", "Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": pulumi.Output.concat(bucket_arn, "/config/AWSLogs/*"),
             "Condition": {"StringEquals": {**owner_full_control, "aws:SourceAccount": ids}}},
            # Log delivery writes only under the flow-log prefix (never the CloudTrail or Config prefixes), for the
            # organization's accounts, from their own log-delivery sources (VPC flow logs user guide, "Permissions
            # for flow logs to Amazon S3": aws:SourceAccount and aws:SourceArn against confused deputies).
            {"Sid": "FlowLogsWrite", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": pulumi.Output.concat(bucket_arn, f"/{FLOW_LOGS_PREFIX}/AWSLogs/*"),
             "Condition": {"StringEquals": {**owner_full_control, "aws:SourceAccount": ids},
                           "ArnLike": {"aws:SourceArn": [arn(a.partition, "logs", "*", i, "*") for i in ids]}}},
            *self._guardduty_bucket_statements(bucket_arn),
        ]  # fmt: skip

    def _guardduty_source(self) -> dict:
        """GuardDuty's export writes as the service for the security account's detectors (GuardDuty user guide,
        "Exporting findings": aws:SourceAccount and aws:SourceArn against confused deputies)."""
        a = self.args
        return {"StringEquals": {"aws:SourceAccount": a.security_account_id},
                "ArnLike": {"aws:SourceArn": arn(a.partition, "guardduty", "*", a.security_account_id, "detector/*")}}

    def _guardduty_key_statements(self) -> list[dict]:
        if not self.args.guardduty_export:
            return []
        return [{"Sid": "GuardDutyEncrypts", "Effect": "Allow", "Principal": {"Service": "guardduty.amazonaws.com"},
                 "Action": "kms:GenerateDataKey", "Resource": "*", "Condition": self._guardduty_source()}]

    def _guardduty_bucket_statements(self, bucket_arn) -> list[dict]:
        if not self.args.guardduty_export:
            return []
        return [
            {"Sid": "GuardDutyBucketLocation", "Effect": "Allow", "Principal": {"Service": "guardduty.amazonaws.com"},
             "Action": "s3:GetBucketLocation", "Resource": bucket_arn, "Condition": self._guardduty_source()},
            {"Sid": "GuardDutyWrites", "Effect": "Allow", "Principal": {"Service": "guardduty.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": pulumi.Output.concat(bucket_arn, f"/{GUARDDUTY_PREFIX}/*"),
             "Condition": self._guardduty_source()},
        ]  # fmt: skip

    def _bucket(self, purpose: str, bucket_name, *, kms_key_arn, expire_days: int, statements,
                object_lock: ObjectLock | None = None, region: str | None = None,
                access_logs: AccessLogs | None = None) -> HardenedBucket:
        """A protected log-archive bucket (home region unless told otherwise): to Glacier after 90 days at most,
        expired after `expire_days`; kms_key_arn None makes it an SSE-S3 log-delivery target."""
        rule = expiry_rule("archive-then-expire", expire_days, noncurrent_days=30, abort_multipart_days=7,
                           archive_after_days=min(90, max(expire_days - 1, 1)) if expire_days > 1 else None)
        bucket = HardenedBucket(self.account, region or self.region, purpose, bucket_name=bucket_name,
                                kms_key_arn=kms_key_arn, object_lock=object_lock, lifecycle_rules=[rule],
                                policy_statements=statements, access_logs=access_logs, protect=True, opts=self.child)
        self._bucket_arns.append(bucket.arn)
        return bucket
