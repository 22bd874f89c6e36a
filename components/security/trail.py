"""The organization trail, in the management account's home region (only the management account or a delegated
admin can own one): its CloudWatch log group, the role CloudTrail delivers to it with, and the KMS key that encrypts
the log group and the CIS alarms' local topic.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountArgs
from components.context import LogArchive
from components.security.service import (
    AccountSecurityService,
    arn,
    assume_role_policy,
    json_document,
    key_admin_statement,
    service_key_statement,
)


def trail_arn(partition: pulumi.Input[str], region: str, management_account_id: pulumi.Input[str],
              trail_name: str) -> pulumi.Output[str]:
    """Known before the trail exists: the log archive's key and bucket policies name it."""
    return arn(partition, "cloudtrail", region, management_account_id, f"trail/{trail_name}")


@dataclass(frozen=True, kw_only=True)
class OrganizationTrailArgs(AccountArgs):
    """account: the management account; region: the home region."""

    partition: pulumi.Input[str]
    trail_name: str
    log_archive: LogArchive  # where the trail delivers; `ready` is what CreateTrail checks
    log_retention_days: int
    org_ready: tuple[pulumi.Resource, ...] = ()  # the organization and its trusted access for CloudTrail


class OrganizationTrail(AccountSecurityService[OrganizationTrailArgs]):
    """Results: `trail`, `arn`, `log_group` (what the CIS metric filters read), `key` (the management account's
    security key, also for the alarms' topic)."""

    TOKEN = "security:OrganizationTrail"

    def __init__(self, name: str, args: OrganizationTrailArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        self.arn = trail_arn(args.partition, self.region, self.account.account_id, args.trail_name)
        self.key = self._key()
        self.log_group = aws.cloudwatch.LogGroup(
            self.child_name("trail-log-group"), name=f"/landing-zone/{args.trail_name}",
            retention_in_days=args.log_retention_days, kms_key_id=self.key.arn, opts=self.child_opts())
        role = aws.iam.Role(
            self.child_name("trail-logs-role"), description="CloudTrail delivers the organization trail to CloudWatch Logs",
            assume_role_policy=assume_role_policy("cloudtrail.amazonaws.com", {"StringEquals": {"aws:SourceArn": self.arn}}),
            opts=self.child_opts())
        logs_policy = aws.iam.RolePolicy(self.child_name("trail-logs-policy"), role=role.id, policy=json_document({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": pulumi.Output.concat(self.log_group.arn, ":log-stream:*")}]}),
            opts=self.child_opts())  # fmt: skip
        log_archive = args.log_archive
        self.trail = aws.cloudtrail.Trail(
            self.child_name("organization-trail"), name=args.trail_name,
            is_organization_trail=True, is_multi_region_trail=True, include_global_service_events=True,
            enable_log_file_validation=True, enable_logging=True,
            s3_bucket_name=log_archive.bucket_name, s3_key_prefix="cloudtrail", kms_key_id=log_archive.kms_key_arn,
            cloud_watch_logs_group_arn=pulumi.Output.concat(self.log_group.arn, ":*"), cloud_watch_logs_role_arn=role.arn,
            advanced_event_selectors=self._event_selectors(),
            # CreateTrail checks at creation: the bucket policy and key policy let CloudTrail write, trusted access for
            # cloudtrail.amazonaws.com (organization trail), and that CloudTrail can assume the logs role and write
            # the log group (the role's policy, not only the role)
            opts=self.child_opts(protect=True, depends_on=[*log_archive.ready, logs_policy, *args.org_ready]),
        )  # fmt: skip
        self.register_outputs({"trailArn": self.trail.arn})

    def _key(self) -> aws.kms.Key:
        account_id, region, p = self.account.account_id, self.region, self.args.partition
        return aws.kms.Key(
            self.child_name("security-key"), description="Organization trail log group and alarm topic",
            enable_key_rotation=True, deletion_window_in_days=30,
            policy=json_document({"Version": "2012-10-17", "Statement": [
                key_admin_statement(p, account_id),
                service_key_statement("LogsEncrypt", f"logs.{region}.amazonaws.com", {"ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": arn(p, "logs", region, account_id, "log-group:*")}}),
                service_key_statement("AlarmsPublish", "cloudwatch.amazonaws.com",
                                      {"StringEquals": {"aws:SourceAccount": account_id}}),
            ]}),
            opts=self.child_opts(protect=True))  # fmt: skip

    def _event_selectors(self) -> list[dict]:
        """Management events, and S3 object read and write data events (CIS 3.10-3.11) of every bucket but the log
        archive's own: CloudTrail's, Config's and log delivery's writes into them (and their server access logs)
        would each be a data event delivered into them again, a feedback loop billed per event. Each bucket is
        excluded by its exact ARN followed by "/" (object ARNs are `<bucket ARN>/<key>`): a name prefix would also
        exempt `acme-log-archive-x`, a bucket any account can create to stage data unrecorded (LOG-04)."""
        log_archive = self.args.log_archive
        buckets = log_archive.bucket_arns or (log_archive.bucket_arn,)
        return [
            {"name": "Management events", "field_selectors": [{"field": "eventCategory", "equals": ["Management"]}]},
            {"name": "S3 object events outside the log archive", "field_selectors": [
                {"field": "eventCategory", "equals": ["Data"]},
                {"field": "resources.type", "equals": ["AWS::S3::Object"]},
                {"field": "resources.ARN", "not_starts_withs": [pulumi.Output.concat(b, "/") for b in buckets]},
            ]},
        ]  # fmt: skip
