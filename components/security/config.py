"""AWS Config: a recorder and delivery channel in every account x region (management included), delivering to the
log archive; the organization aggregator and the organization's managed Config rules in the security account (the
delegated administrator).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.context import AccountContext, LogArchive
from components.security.service import SecurityService, assume_role_policy

# Org Config rules (AWS managed): (name, identifier, parameters, global resources -> home region only)
CONFIG_RULES = (
    ("encrypted-volumes", "ENCRYPTED_VOLUMES", None, False),
    ("ebs-encryption-by-default", "EC2_EBS_ENCRYPTION_BY_DEFAULT", None, False),
    ("ec2-imdsv2-check", "EC2_IMDSV2_CHECK", None, False),
    ("rds-storage-encrypted", "RDS_STORAGE_ENCRYPTED", None, False),
    ("rds-instance-public-access-check", "RDS_INSTANCE_PUBLIC_ACCESS_CHECK", None, False),
    ("s3-bucket-ssl-requests-only", "S3_BUCKET_SSL_REQUESTS_ONLY", None, False),
    ("s3-bucket-public-read-prohibited", "S3_BUCKET_PUBLIC_READ_PROHIBITED", None, False),
    ("restricted-ssh", "INCOMING_SSH_DISABLED", None, False),
    ("vpc-flow-logs-enabled", "VPC_FLOW_LOGS_ENABLED", None, False),
    ("cw-loggroup-retention-period-check", "CW_LOGGROUP_RETENTION_PERIOD_CHECK", "retention", False),
    ("guardduty-enabled-centralized", "GUARDDUTY_ENABLED_CENTRALIZED", None, False),
    ("securityhub-enabled", "SECURITYHUB_ENABLED", None, False),
    ("iam-password-policy", "IAM_PASSWORD_POLICY", None, True),
    ("root-account-mfa-enabled", "ROOT_ACCOUNT_MFA_ENABLED", None, True),
    ("iam-root-access-key-check", "IAM_ROOT_ACCESS_KEY_CHECK", None, True),
    ("multi-region-cloudtrail-enabled", "MULTI_REGION_CLOUD_TRAIL_ENABLED", None, True),
    ("s3-account-level-public-access-blocks", "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC", None, True),
)  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class AwsConfigArgs:
    partition: pulumi.Input[str]
    recorded_accounts: tuple[AccountContext, ...]  # every account that records (management first)
    administrator: AccountContext  # the security account: aggregator and organization rules
    home_region: str  # IAM roles, the aggregator and the rules on global resources
    regions: tuple[str, ...]
    log_archive: LogArchive
    delivery_ready: tuple[pulumi.Resource, ...]  # the log bucket's policy: PutDeliveryChannel checks it
    log_retention_days: int  # the minimum the log-group retention rule asks for
    org_ready: tuple[pulumi.Resource, ...] = ()  # the organization, its trusted access and delegated admins


class AwsConfig(SecurityService[AwsConfigArgs]):
    """Results: `recorders` ((account, region) -> Recorder), `aggregator`."""

    TOKEN = "security:AwsConfig"

    def __init__(self, name: str, args: AwsConfigArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        self.recorders: dict[tuple[str, str], aws.cfg.Recorder] = {}
        for account in args.recorded_accounts:
            role = aws.iam.Role(
                account.resource_name(args.home_region, "config-recorder-role"), name="landing-zone-config-recorder",
                assume_role_policy=assume_role_policy("config.amazonaws.com",
                                                      {"StringEquals": {"aws:SourceAccount": account.account_id}}),
                opts=self.opts_in(account, args.home_region))  # fmt: skip
            attachment = aws.iam.RolePolicyAttachment(
                account.resource_name(args.home_region, "config-recorder-policy"), role=role.name,
                policy_arn=pulumi.Output.concat("arn:", args.partition, ":iam::aws:policy/service-role/AWS_ConfigRole"),
                opts=self.opts_in(account, args.home_region))
            for region in args.regions:
                self.recorders[(account.name, region)] = self._recorder(account, region, role, attachment)
        self.aggregator = self._aggregator()
        self._rules()
        self.register_outputs({})

    def _recorder(self, account: AccountContext, region: str, role: aws.iam.Role, attachment) -> aws.cfg.Recorder:
        log_archive = self.args.log_archive
        recorder = aws.cfg.Recorder(
            account.resource_name(region, "config-recorder"), name="landing-zone", role_arn=role.arn,
            recording_group={"all_supported": True, "include_global_resource_types": True},
            opts=self.opts_in(account, region, depends_on=[attachment]))
        channel = aws.cfg.DeliveryChannel(
            account.resource_name(region, "config-delivery"), name="landing-zone",
            s3_bucket_name=log_archive.bucket_name, s3_key_prefix="config", s3_kms_key_arn=log_archive.kms_key_arn,
            snapshot_delivery_properties={"delivery_frequency": "TwentyFour_Hours"},
            opts=self.opts_in(account, region, depends_on=[recorder, *self.args.delivery_ready]))  # fmt: skip
        aws.cfg.RecorderStatus(account.resource_name(region, "config-recorder-status"), name=recorder.name, is_enabled=True,
                               opts=self.opts_in(account, region, depends_on=[channel]))
        return recorder

    def _aggregator(self) -> aws.cfg.ConfigurationAggregator:
        sec, home = self.args.administrator, self.args.home_region
        role = aws.iam.Role(
            sec.resource_name(home, "config-aggregator-role"), description="Config reads the organization's accounts",
            assume_role_policy=assume_role_policy("config.amazonaws.com",
                                                  {"StringEquals": {"aws:SourceAccount": sec.account_id}}),
            opts=self.opts_in(sec, home))  # fmt: skip
        attachment = aws.iam.RolePolicyAttachment(
            sec.resource_name(home, "config-aggregator-policy"), role=role.name,
            policy_arn=pulumi.Output.concat("arn:", self.args.partition,
                                            ":iam::aws:policy/service-role/AWSConfigRoleForOrganizations"),
            opts=self.opts_in(sec, home))
        return aws.cfg.ConfigurationAggregator(
            sec.resource_name(home, "config-aggregator"), name="landing-zone-organization",
            organization_aggregation_source={"all_regions": True, "role_arn": role.arn},
            opts=self.opts_in(sec, home, depends_on=[attachment, *self.args.org_ready]))

    def _rules(self) -> None:
        sec, home = self.args.administrator, self.args.home_region
        params = {"retention": f'{{"MinRetentionTime": "{self.args.log_retention_days}"}}'}
        for region in self.args.regions:
            ready = [r for (_, rgn), r in self.recorders.items() if rgn == region] + list(self.args.org_ready)
            for name, identifier, param, global_only in CONFIG_RULES:
                if global_only and region != home:
                    continue  # global resources are evaluated once, in the home region
                aws.cfg.OrganizationManagedRule(
                    sec.resource_name(region, f"config-rule-{name}"), name=f"lz-{name}", rule_identifier=identifier,
                    input_parameters=params.get(param) if param else None,
                    opts=self.opts_in(sec, region, depends_on=ready))
