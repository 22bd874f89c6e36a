"""The per-account baseline, in every account and region: EBS encryption by default with a customer-managed key,
IMDSv2 as the instance metadata default and an account Access Analyzer per region; once per account (these
settings are global): the S3 account public access block, the IAM password policy, the security contact, and in
member accounts the pull-request preview's read-only role (components/preview_role.py).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.context import AccountContext
from components.lookups import lookup
from components.preview_role import member_preview_role
from landing_zone.models import Organization, Security

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


class AccountBaseline(pulumi.ComponentResource):
    """Baseline of one account. Results: `ebs_keys` (region -> Key), `preview_role` (member accounts, or None).
    `org`: the organization, for the member accounts' preview role (None: no preview role)."""

    def __init__(self, name: str, account: AccountContext, security: Security, home_region: str,
                 opts: pulumi.ResourceOptions | None = None, org: Organization | None = None):
        super().__init__("landing-zone:baseline:AccountBaseline", name, None, opts)
        self.account = account
        partition = lookup(aws.get_partition_output, account=account, region=home_region, parent=self).partition
        self._account_wide(account, security, home_region)
        self.preview_role = member_preview_role(account, org, home_region, partition, self) if org else None
        self.ebs_keys = {region: self._regional(account, region, partition, security) for region in account.regions}
        self.register_outputs({"ebsKeyArns": {r: k.arn for r, k in self.ebs_keys.items()}})

    def _account_wide(self, account: AccountContext, security: Security, home: str) -> None:
        opts = account.opts(home, parent=self)
        aws.s3.AccountPublicAccessBlock(account.resource_name(home, "s3-account-public-access-block"),
                                        block_public_acls=True, block_public_policy=True, ignore_public_acls=True,
                                        restrict_public_buckets=True, opts=opts)
        aws.iam.AccountPasswordPolicy(account.resource_name(home, "password-policy"), **PASSWORD_POLICY, opts=opts)
        self._support_role(account, home, opts)
        contact = security.security_contact
        aws.account.AlternativeContact(account.resource_name(home, "security-contact"), alternate_contact_type="SECURITY",
                                       name=contact.name, email_address=contact.email, phone_number=contact.phone,
                                       title=contact.title, opts=opts)

    def _support_role(self, account: AccountContext, home: str, opts: pulumi.ResourceOptions) -> None:
        """CIS 1.17: a role to manage incidents with AWS Support, assumable by the account's own (MFA) principals."""
        partition = lookup(aws.get_partition_output, account=account, region=home, parent=self).partition
        role = aws.iam.Role(account.resource_name(home, "support-role"), name="landing-zone-support",
                            description="Open and manage AWS Support cases (CIS 1.17)",
                            assume_role_policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [{
                                "Effect": "Allow", "Action": "sts:AssumeRole",
                                "Principal": {"AWS": pulumi.Output.concat("arn:", partition, ":iam::", account.account_id, ":root")},
                                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}),
                            opts=opts)  # fmt: skip
        aws.iam.RolePolicyAttachment(account.resource_name(home, "support-role-policy"), role=role.name,
                                     policy_arn=pulumi.Output.concat("arn:", partition, ":iam::aws:policy/AWSSupportAccess"),
                                     opts=opts)

    def _regional(self, account: AccountContext, region: str, partition, security: Security) -> aws.kms.Key:
        opts = account.opts(region, parent=self)
        key = aws.kms.Key(account.resource_name(region, "ebs-key"), description="EBS encryption by default",
                          enable_key_rotation=True, deletion_window_in_days=30,
                          policy=ebs_key_policy(partition, account.account_id, region),
                          # every encrypted volume and snapshot of the account depends on it: never deleted by an update
                          opts=account.opts(region, parent=self, protect=True))
        aws.kms.Alias(account.resource_name(region, "ebs-key-alias"), name="alias/landing-zone/ebs", target_key_id=key.key_id,
                      opts=opts)
        default_key = aws.ebs.DefaultKmsKey(account.resource_name(region, "ebs-default-key"), key_arn=key.arn, opts=opts)
        aws.ebs.EncryptionByDefault(account.resource_name(region, "ebs-encryption-by-default"), enabled=True,
                                    opts=account.opts(region, parent=self, depends_on=[default_key]))
        aws.ec2.InstanceMetadataDefaults(account.resource_name(region, "imds-defaults"), http_tokens="required",
                                         http_put_response_hop_limit=1, http_endpoint="enabled", opts=opts)
        if security.access_analyzer:
            aws.accessanalyzer.Analyzer(account.resource_name(region, "access-analyzer"), analyzer_name="landing-zone-account",
                                        type="ACCOUNT", opts=opts)
        return key
