"""The per-account baseline, in every account and region: EBS encryption by default with a customer-managed key,
IMDSv2 as the instance metadata default and an account Access Analyzer per region; once per account (these
settings are global): the S3 account public access block, the IAM password policy, the security contact, and in
member accounts the pull-request preview's read-only role (components/preview_role.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountArgs, AccountComponent
from components.lookups import lookup
from components.preview_role import member_preview_role
from components.session_manager import session_preferences
from landing_zone.models import Contact, SessionManager
from landing_zone.models import Organization as OrganizationConfig

# CIS 1.8-1.9: long passwords, never reused. IAM users are the exception here (Identity Center is the way in).
PASSWORD_POLICY = dict(
    minimum_password_length=14, password_reuse_prevention=24, max_password_age=90, require_lowercase_characters=True,
    require_uppercase_characters=True, require_numbers=True, require_symbols=True, allow_users_to_change_password=True,
)  # fmt: skip


def ebs_key_policy(partition: pulumi.Input[str], account_id: pulumi.Input[str], region: str) -> pulumi.Output[str]:
    """The account administers the key; anyone in the account may use it only through EC2 in this region (as the
    aws/ebs key does), which also covers the Auto Scaling service-linked role that launches encrypted volumes."""
    root = pulumi.Output.concat("arn:", partition, ":iam::", account_id, ":root")
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "UseThroughEc2", "Effect": "Allow", "Principal": {"AWS": "*"},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant"],
         "Resource": "*",
         "Condition": {"StringEquals": {"kms:CallerAccount": account_id, "kms:ViaService": f"ec2.{region}.amazonaws.com"}}},
    ]})  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class AccountBaselineArgs(AccountArgs):
    """region: the home region (the account-wide settings: IAM and S3 are global); the regional baseline goes to
    every region of the account's providers."""

    security_contact: Contact
    access_analyzer: bool  # an account analyzer per region
    organization: OrganizationConfig | None = None  # for the member accounts' preview role (None: no preview role)
    imds_defaults: bool = True  # False when the organization's EC2 declarative policy sets them (managedBy: policy)
    session_manager: SessionManager | None = None  # session preferences with encrypted logging, every region
    log_retention_days: int = 365


class AccountBaseline(AccountComponent[AccountBaselineArgs]):
    """Baseline of one account. Results: `ebs_keys` (region -> Key), `preview_role` (member accounts, or None)."""

    TOKEN = "baseline:AccountBaseline"

    def __init__(self, name: str, args: AccountBaselineArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        partition = lookup(aws.get_partition_output, account=self.account, region=self.region, parent=self).partition
        self._account_wide(partition)
        org = args.organization
        self.preview_role = member_preview_role(self.account, org, self.region, partition, self) if org else None
        self.ebs_keys = {region: self._regional(region, partition) for region in self.account.regions}
        self.register_outputs({"ebsKeyArns": {r: k.arn for r, k in self.ebs_keys.items()}})

    def _account_wide(self, partition: pulumi.Output[str]) -> None:
        opts = self.child_opts()
        aws.s3.AccountPublicAccessBlock(self.child_name("s3-account-public-access-block"),
                                        block_public_acls=True, block_public_policy=True, ignore_public_acls=True,
                                        restrict_public_buckets=True, opts=opts)
        aws.iam.AccountPasswordPolicy(self.child_name("password-policy"), **PASSWORD_POLICY, opts=opts)
        self._support_role(partition, opts)
        contact = self.args.security_contact
        aws.account.AlternativeContact(self.child_name("security-contact"), alternate_contact_type="SECURITY",
                                       name=contact.name, email_address=contact.email, phone_number=contact.phone,
                                       title=contact.title, opts=opts)

    def _support_role(self, partition: pulumi.Output[str], opts: pulumi.ResourceOptions) -> None:
        """CIS 1.17: a role to manage incidents with AWS Support, assumable by the account's own (MFA) principals."""
        role = aws.iam.Role(self.child_name("support-role"), name="landing-zone-support",
                            description="Open and manage AWS Support cases (CIS 1.17)",
                            assume_role_policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [{
                                "Effect": "Allow", "Action": "sts:AssumeRole",
                                "Principal": {"AWS": pulumi.Output.concat("arn:", partition, ":iam::", self.account.account_id, ":root")},
                                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}),
                            opts=opts)  # fmt: skip
        aws.iam.RolePolicyAttachment(self.child_name("support-role-policy"), role=role.name,
                                     policy_arn=pulumi.Output.concat("arn:", partition, ":iam::aws:policy/AWSSupportAccess"),
                                     opts=opts)

    def _regional(self, region: str, partition: pulumi.Output[str]) -> aws.kms.Key:
        opts = self.child_opts(region)
        key = aws.kms.Key(self.child_name("ebs-key", region), description="EBS encryption by default",
                          enable_key_rotation=True, deletion_window_in_days=30,
                          policy=ebs_key_policy(partition, self.account.account_id, region),
                          # every encrypted volume and snapshot of the account depends on it: never deleted by an update
                          opts=self.child_opts(region, protect=True))
        aws.kms.Alias(self.child_name("ebs-key-alias", region), name="alias/landing-zone/ebs", target_key_id=key.key_id,
                      opts=opts)
        default_key = aws.ebs.DefaultKmsKey(self.child_name("ebs-default-key", region), key_arn=key.arn, opts=opts)
        aws.ebs.EncryptionByDefault(self.child_name("ebs-encryption-by-default", region), enabled=True,
                                    opts=self.child_opts(region, depends_on=[default_key]))
        if self.args.imds_defaults:
            aws.ec2.InstanceMetadataDefaults(self.child_name("imds-defaults", region), http_tokens="required",
                                             http_put_response_hop_limit=1, http_endpoint="enabled", opts=opts)
        if self.args.access_analyzer:
            aws.accessanalyzer.Analyzer(self.child_name("access-analyzer", region),
                                        analyzer_name="landing-zone-account", type="ACCOUNT", opts=opts)
        if self.args.session_manager is not None:
            session_preferences(self, region, self.args.session_manager, partition, self.args.log_retention_days)
        return key
