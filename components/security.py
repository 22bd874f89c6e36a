"""The organization-wide security baseline: log archive, organization trail with CIS alarms, GuardDuty, Security Hub,
AWS Config, Inspector and IAM Access Analyzer, administered from the security account.

Where things live:
- log-archive account (home region): the log bucket (object lock, versioning, KMS, lifecycle, TLS-only policy),
  its access-log bucket, and the KMS key CloudTrail, Config and VPC flow logs write with.
- log-archive account, each region with a load balancer: an SSE-S3 ELB access-log bucket (ELB supports no KMS
  destination and writes only within its region) and, outside the home region, a same-region access-log bucket.
- management account (home region): the organization trail (only the management account or a delegated admin can
  own one), its CloudWatch log group, the CIS 4.1-4.15 metric filters and alarms. An alarm can only notify a topic in
  its own account and region, so the alarms notify a local topic and their state changes are forwarded by
  EventBridge to the security account's default bus, where a rule publishes them to the alarm topic that carries
  the e-mail subscription (security.alarm_email).
- security account: delegated administrator of GuardDuty, Security Hub, Config, Inspector and Access Analyzer in
  every region; the Config aggregator and the organization Config rules.
- every account x region (management included): a Config recorder and delivery channel.
Each service follows its `security.*` flag: a disabled service creates nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.alarm_forwarding import AlarmBus, alarm_state_changes, forward_alarms
from components.context import AccountContext, LogArchive, elb_logs_prefix
from components.lookups import lookup
from components.storage import AccessLogs, HardenedBucket, ObjectLock, expiry_rule, server_access_logs_statement
from landing_zone.dns import DNS_ALARM_PREFIX
from landing_zone.log_delivery import ELB_ACCOUNT_IDS, ELB_LOG_DELIVERY_PRINCIPAL, elb_log_regions, elb_writer  # noqa: F401
from landing_zone.models import LandingZoneConfig
from landing_zone.scp_documents import LOG_KEY_ALIAS, elb_logs_bucket_prefix, log_bucket_prefix

GUARDDUTY_FEATURES: dict[str, list[str]] = {  # feature -> additional configurations enabled with it
    "S3_DATA_EVENTS": [],
    "EKS_AUDIT_LOGS": [],
    "EBS_MALWARE_PROTECTION": [],
    "RDS_LOGIN_EVENTS": [],
    "LAMBDA_NETWORK_LOGS": [],
    "RUNTIME_MONITORING": ["EKS_ADDON_MANAGEMENT", "ECS_FARGATE_AGENT_MANAGEMENT", "EC2_AGENT_MANAGEMENT"],
}
INSPECTOR_RESOURCE_TYPES = ["EC2", "ECR", "LAMBDA"]
# Key prefix VPC flow logs are delivered under (components/network/vpc.py writes `<log bucket ARN>/vpc-flow-logs/`);
# the log bucket policy lets log delivery write nowhere else.
FLOW_LOGS_PREFIX = "vpc-flow-logs"
SECURITY_HUB_STANDARDS = {
    "fsbp": "standards/aws-foundational-security-best-practices/v/1.0.0",
    "cis-3.0": "standards/cis-aws-foundations-benchmark/v/3.0.0",
    "pci-dss": "standards/pci-dss/v/3.2.1",
}


@dataclass(frozen=True)
class CisAlarm:
    control: str  # CIS AWS Foundations v1.5 section 4 control
    slug: str
    metric: str
    pattern: str


def _events(source: str, names: list[str]) -> str:
    return "{ ($.eventSource = " + source + ") && (" + " || ".join(f"($.eventName = {n})" for n in names) + ") }"


def _names(names: list[str]) -> str:
    return "{ " + " || ".join(f"($.eventName = {n})" for n in names) + " }"


CIS_ALARMS = (
    CisAlarm("4.1", "unauthorized-api-calls", "UnauthorizedAPICalls",
             '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && '
             '($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }'),
    CisAlarm("4.2", "console-signin-without-mfa", "ConsoleSigninWithoutMFA",
             '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
             '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }'),
    CisAlarm("4.3", "root-account-usage", "RootAccountUsage",
             '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }'),
    CisAlarm("4.4", "iam-policy-changes", "IAMPolicyChanges", _names([
        "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy",
        "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "SetDefaultPolicyVersion",
        "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy",
        "DetachGroupPolicy"])),
    CisAlarm("4.5", "cloudtrail-changes", "CloudTrailChanges",
             _names(["CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"])),
    CisAlarm("4.6", "console-authentication-failures", "ConsoleAuthenticationFailures",
             '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }'),
    CisAlarm("4.7", "kms-key-disable-or-deletion", "KMSKeyDisableOrDeletion",
             _events("kms.amazonaws.com", ["DisableKey", "ScheduleKeyDeletion"])),
    CisAlarm("4.8", "s3-bucket-policy-changes", "S3BucketPolicyChanges", _events("s3.amazonaws.com", [
        "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
        "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication"])),
    CisAlarm("4.9", "config-changes", "AWSConfigChanges", _events("config.amazonaws.com", [
        "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"])),
    CisAlarm("4.10", "security-group-changes", "SecurityGroupChanges", _names([
        "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
        "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup"])),
    CisAlarm("4.11", "nacl-changes", "NACLChanges", _names([
        "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry",
        "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation"])),
    CisAlarm("4.12", "network-gateway-changes", "NetworkGatewayChanges", _names([
        "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway",
        "DeleteInternetGateway", "DetachInternetGateway"])),
    CisAlarm("4.13", "route-table-changes", "RouteTableChanges", _events("ec2.amazonaws.com", [
        "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable",
        "DeleteRoute", "DisassociateRouteTable"])),
    CisAlarm("4.14", "vpc-changes", "VPCChanges", _names([
        "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection",
        "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc",
        "DisableVpcClassicLink", "EnableVpcClassicLink"])),
    CisAlarm("4.15", "organizations-changes", "OrganizationsChanges", _events("organizations.amazonaws.com", [
        "AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy",
        "DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy",
        "DisablePolicyType", "EnablePolicyType", "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount",
        "RemoveAccountFromOrganization", "UpdatePolicy", "UpdateOrganizationalUnit"])),
)  # fmt: skip
# Not a CIS control, but the seeds ask for alarms on every network change: the Transit Gateway is the hub of it.
EXTRA_ALARMS = (
    CisAlarm("", "transit-gateway-changes", "TransitGatewayChanges", _names([
        "CreateTransitGateway", "DeleteTransitGateway", "ModifyTransitGateway", "CreateTransitGatewayRoute",
        "DeleteTransitGatewayRoute", "ReplaceTransitGatewayRoute", "CreateTransitGatewayRouteTable",
        "DeleteTransitGatewayRouteTable", "CreateTransitGatewayVpcAttachment", "DeleteTransitGatewayVpcAttachment",
        "ModifyTransitGatewayVpcAttachment", "AssociateTransitGatewayRouteTable",
        "DisassociateTransitGatewayRouteTable", "EnableTransitGatewayRouteTablePropagation",
        "DisableTransitGatewayRouteTablePropagation", "AcceptTransitGatewayVpcAttachment"])),
)  # fmt: skip
ALARM_PREFIX = "lz-cis-"

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


def _json(value) -> pulumi.Output[str]:
    return pulumi.Output.json_dumps(value)


def _arn(partition, service: str, region: str, account, resource: str) -> pulumi.Output[str]:
    return pulumi.Output.concat("arn:", partition, ":", service, ":", region, ":", account, ":", resource)


def _root(partition, account) -> pulumi.Output[str]:
    return pulumi.Output.concat("arn:", partition, ":iam::", account, ":root")


def _key_admin_statement(partition, account) -> dict:
    return {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": _root(partition, account)},
            "Action": "kms:*", "Resource": "*"}  # fmt: skip


def _service_key_statement(sid: str, service: str, condition: dict) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Principal": {"Service": service},
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
            "Resource": "*", "Condition": condition}  # fmt: skip


class SecurityBaseline(pulumi.ComponentResource):
    """Everything organization-wide that watches the accounts. Results: `log_archive` (LogArchive handle),
    `trail`, `alarm_topic_arn` (security account), `recorders` ((account, region) -> Recorder), `alarms`."""

    def __init__(self, name: str, cfg: LandingZoneConfig, accounts: dict[str, AccountContext],
                 management: AccountContext, root_id: pulumi.Input[str],
                 depends_on: list[pulumi.Resource] | None = None, opts: pulumi.ResourceOptions | None = None):
        super().__init__("landing-zone:security:SecurityBaseline", name, None, opts)
        self.cfg, self.accounts, self.management = cfg, accounts, management
        self.home = cfg.organization.home_region
        self.org_ready = list(depends_on or [])  # the organization, its trusted access and delegated admins
        self.log_account = accounts[cfg.account_with_role("log-archive").name]
        self.security = accounts[cfg.account_with_role("security").name]
        self.partition = lookup(aws.get_partition_output, account=management, region=self.home, parent=self).partition
        self.all_account_ids = [management.account_id, *(a.account_id for a in accounts.values())]
        self.trail_name = f"{cfg.organization.name}-organization-trail"
        self.trail_arn = _arn(self.partition, "cloudtrail", self.home, management.account_id, f"trail/{self.trail_name}")

        self.log_archive = self._log_archive()
        self.trail = self._organization_trail() if cfg.security.cloudtrail else None
        self.alarm_bus: AlarmBus | None = None  # where other accounts forward alarms (set with the CIS alarms)
        self.alarm_topic_arn = self._alarms() if cfg.security.cloudtrail else None
        self.recorders = self._config() if cfg.security.config else {}
        if cfg.security.guardduty:
            self._guardduty()
        if cfg.security.security_hub:
            self._security_hub(root_id)
        if cfg.security.inspector:
            self._inspector()
        if cfg.security.access_analyzer:
            self._access_analyzer()
        self.register_outputs({
            "logBucketName": self.log_archive.bucket_name,
            "logBucketArn": self.log_archive.bucket_arn,
            "logKmsKeyArn": self.log_archive.kms_key_arn,
            "elbLogsBuckets": self.log_archive.elb_logs_bucket_by_region,
            "trailArn": self.trail.arn if self.trail else None,
            "alarmTopicArn": self.alarm_topic_arn,
        })  # fmt: skip

    def _opts(self, account: AccountContext, region: str, **kwargs) -> pulumi.ResourceOptions:
        return account.opts(region, parent=self, **kwargs)

    # --- log archive -----------------------------------------------------------------------------------------------

    def _log_archive(self) -> LogArchive:
        acct, home, p = self.log_account, self.home, self.partition
        ids = self.all_account_ids
        key = aws.kms.Key(
            acct.resource_name(home, "log-key"),
            description="Log archive: CloudTrail, Config, VPC flow logs",
            enable_key_rotation=True, deletion_window_in_days=30,
            policy=_json({"Version": "2012-10-17", "Statement": [
                _key_admin_statement(p, acct.account_id),
                {"Sid": "SecurityReads", "Effect": "Allow", "Principal": {"AWS": _root(p, self.security.account_id)},
                 "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"},
                _service_key_statement("CloudTrailEncrypts", "cloudtrail.amazonaws.com", {
                    "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": pulumi.Output.concat(
                        "arn:", p, ":cloudtrail:*:", self.management.account_id, ":trail/*")},
                    "StringEquals": {"aws:SourceArn": self.trail_arn}}),
                _service_key_statement("ConfigEncrypts", "config.amazonaws.com", {"StringEquals": {"aws:SourceAccount": ids}}),
                _service_key_statement("FlowLogsEncrypt", "delivery.logs.amazonaws.com",
                                       {"StringEquals": {"aws:SourceAccount": ids}}),
            ]}),
            opts=self._opts(acct, home, protect=True),
        )  # fmt: skip
        # the protect-logs-and-backups SCP finds the key by this alias: it must not go away with a config change
        aws.kms.Alias(acct.resource_name(home, "log-key-alias"), name=LOG_KEY_ALIAS,
                      target_key_id=key.key_id, opts=self._opts(acct, home, protect=True))
        prefix = log_bucket_prefix(self.cfg)  # the protect-logs-and-backups SCP protects every bucket with this prefix
        self._access_buckets: dict[str, HardenedBucket] = {}
        access = self._access_log_bucket(home)
        sec = self.cfg.security
        logs = self._bucket("log-bucket", pulumi.Output.concat(prefix, acct.account_id, "-", home), kms_key_arn=key.arn,
                            object_lock=ObjectLock(sec.object_lock_mode, sec.object_lock_days),
                            expire_days=sec.log_archive_retention_days, statements=self._log_bucket_statements,
                            access_logs=AccessLogs(access.writable_name, "log-bucket/"))
        self.log_bucket_policy = logs.policy
        self.log_bucket, self.log_key = logs.bucket, key
        elb_buckets = {region: self._elb_log_bucket(region) for region in elb_log_regions(self.cfg)}
        return LogArchive(bucket_name=logs.name, bucket_arn=logs.arn, kms_key_arn=key.arn,
                          elb_logs_bucket_by_region=elb_buckets, ready=(logs.policy, key))

    def _access_log_bucket(self, region: str) -> HardenedBucket:
        """The log-archive account's S3 server access log target in a region. S3 delivers server access logs only
        to a bucket in the source bucket's account and region, encrypted with SSE-S3 (not SSE-KMS) and without an
        Object Lock default retention, so each region with log buckets gets one of these."""
        if region in self._access_buckets:
            return self._access_buckets[region]
        acct = self.log_account
        access = self._bucket("log-access-bucket",
                              pulumi.Output.concat(log_bucket_prefix(self.cfg), "access-", acct.account_id, "-", region),
                              kms_key_arn=None, expire_days=self.cfg.security.log_retention_days, region=region,
                              statements=lambda arn: [server_access_logs_statement(arn, acct.account_id)])
        self._access_buckets[region] = access
        return access

    def _elb_writers(self) -> list[AccountContext]:
        return [a for a in self.accounts.values() if a.config.workloads.edge]

    def _elb_log_bucket(self, region: str) -> pulumi.Output[str]:
        """Where the region's load balancers write access logs: ALB access logs support only SSE-S3 destination
        buckets in the load balancer's region (the bucket may belong to another account), so not the KMS log bucket."""
        bucket = self._bucket("elb-logs-bucket",
                              pulumi.Output.concat(elb_logs_bucket_prefix(self.cfg), self.log_account.account_id, "-", region),
                              kms_key_arn=None, expire_days=self.cfg.security.log_archive_retention_days, region=region,
                              statements=lambda arn: self._elb_bucket_statements(arn, region),
                              access_logs=AccessLogs(self._access_log_bucket(region).writable_name, "elb-logs-bucket/"))
        # ELB tests its write access when access logging is turned on: whoever uses the name waits for the policy
        return bucket.writable_name

    def _elb_bucket_statements(self, arn, region: str) -> list[dict]:
        """Each edge account's load balancers write only under their own prefix and account id."""
        writers = self._elb_writers()
        principal = elb_writer(region)
        if "AWS" in principal:
            principal = {"AWS": _root(self.partition, principal["AWS"])}
        objects = [pulumi.Output.concat(arn, "/", elb_logs_prefix(a.name, region), "/AWSLogs/", a.account_id, "/*")
                   for a in writers]
        statements = [
            {"Sid": "ApplicationLoadBalancerLogsWrite", "Effect": "Allow", "Principal": principal,
             "Action": "s3:PutObject", "Resource": objects},
        ]  # fmt: skip
        nlb_writers = [a for a in writers if a.config.workloads.edge.nlb]
        if nlb_writers:  # NLB (TLS listener) access logs go through the CloudWatch Logs delivery service
            ids = [a.account_id for a in nlb_writers]
            source = {"StringEquals": {"aws:SourceAccount": ids},
                      "ArnLike": {"aws:SourceArn": [_arn(self.partition, "logs", region, i, "*") for i in ids]}}
            statements += [
                {"Sid": "NetworkLoadBalancerLogsAclCheck", "Effect": "Allow",
                 "Principal": {"Service": "delivery.logs.amazonaws.com"}, "Action": "s3:GetBucketAcl", "Resource": arn,
                 "Condition": source},
                {"Sid": "NetworkLoadBalancerLogsWrite", "Effect": "Allow",
                 "Principal": {"Service": "delivery.logs.amazonaws.com"}, "Action": "s3:PutObject",
                 "Resource": [pulumi.Output.concat(arn, "/", elb_logs_prefix(a.name, region), "/AWSLogs/", a.account_id, "/*")
                              for a in nlb_writers],
                 "Condition": {**source, "StringEquals": {**source["StringEquals"],
                                                          "s3:x-amz-acl": "bucket-owner-full-control"}}},
            ]  # fmt: skip
        return statements

    def _log_bucket_statements(self, arn) -> list[dict]:
        ids = self.all_account_ids
        owner_full_control = {"s3:x-amz-acl": "bucket-owner-full-control"}
        return [
            {"Sid": "ServicesReadAcl", "Effect": "Allow",
             "Principal": {"Service": ["cloudtrail.amazonaws.com", "config.amazonaws.com", "delivery.logs.amazonaws.com"]},
             "Action": ["s3:GetBucketAcl", "s3:ListBucket"], "Resource": arn},
            {"Sid": "CloudTrailWrites", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": pulumi.Output.concat(arn, "/cloudtrail/AWSLogs/*"),
             "Condition": {"StringEquals": {**owner_full_control, "aws:SourceArn": self.trail_arn}}},
            {"Sid": "ConfigWrites", "Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": pulumi.Output.concat(arn, "/config/AWSLogs/*"),
             "Condition": {"StringEquals": {**owner_full_control, "aws:SourceAccount": ids}}},
            # Log delivery writes only under the flow-log prefix (never the CloudTrail or Config prefixes), for the
            # organization's accounts, from their own log-delivery sources (VPC flow logs user guide, "Permissions
            # for flow logs to Amazon S3": aws:SourceAccount and aws:SourceArn against confused deputies).
            {"Sid": "FlowLogsWrite", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": pulumi.Output.concat(arn, f"/{FLOW_LOGS_PREFIX}/AWSLogs/*"),
             "Condition": {"StringEquals": {**owner_full_control, "aws:SourceAccount": ids},
                           "ArnLike": {"aws:SourceArn": [_arn(self.partition, "logs", "*", i, "*") for i in ids]}}},
        ]  # fmt: skip

    def _bucket(self, purpose: str, bucket_name, *, kms_key_arn, expire_days: int, statements,
                object_lock: ObjectLock | None = None, region: str | None = None,
                access_logs: AccessLogs | None = None) -> HardenedBucket:
        """A protected log-archive bucket (home region unless told otherwise): to Glacier after 90 days at most,
        expired after `expire_days`; kms_key_arn None makes it an SSE-S3 log-delivery target."""
        region = region or self.home
        rule = expiry_rule("archive-then-expire", expire_days, noncurrent_days=30, abort_multipart_days=7,
                           archive_after_days=min(90, max(expire_days - 1, 1)) if expire_days > 1 else None)
        return HardenedBucket(self.log_account, region, purpose, bucket_name=bucket_name, kms_key_arn=kms_key_arn,
                              object_lock=object_lock, lifecycle_rules=[rule], policy_statements=statements,
                              access_logs=access_logs, protect=True, opts=pulumi.ResourceOptions(parent=self))

    # --- organization trail and CIS alarms -------------------------------------------------------------------------

    def _management_key(self) -> aws.kms.Key:
        mgmt, home, p = self.management, self.home, self.partition
        if getattr(self, "_mgmt_key", None) is None:
            self._mgmt_key = aws.kms.Key(
                mgmt.resource_name(home, "security-key"), description="Organization trail log group and alarm topic",
                enable_key_rotation=True, deletion_window_in_days=30,
                policy=_json({"Version": "2012-10-17", "Statement": [
                    _key_admin_statement(p, mgmt.account_id),
                    _service_key_statement("LogsEncrypt", f"logs.{home}.amazonaws.com", {"ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": _arn(p, "logs", home, mgmt.account_id, "log-group:*")}}),
                    _service_key_statement("AlarmsPublish", "cloudwatch.amazonaws.com",
                                           {"StringEquals": {"aws:SourceAccount": mgmt.account_id}}),
                ]}),
                opts=self._opts(mgmt, home, protect=True))  # fmt: skip
        return self._mgmt_key

    def _organization_trail(self) -> aws.cloudtrail.Trail:
        mgmt, home, sec = self.management, self.home, self.cfg.security
        key = self._management_key()
        self.trail_log_group = aws.cloudwatch.LogGroup(
            mgmt.resource_name(home, "trail-log-group"), name=f"/landing-zone/{self.trail_name}",
            retention_in_days=sec.log_retention_days, kms_key_id=key.arn, opts=self._opts(mgmt, home))
        role = aws.iam.Role(
            mgmt.resource_name(home, "trail-logs-role"), description="CloudTrail delivers the organization trail to CloudWatch Logs",
            assume_role_policy=_json({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceArn": self.trail_arn}}}]}),
            opts=self._opts(mgmt, home))  # fmt: skip
        logs_policy = aws.iam.RolePolicy(mgmt.resource_name(home, "trail-logs-policy"), role=role.id, policy=_json({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": pulumi.Output.concat(self.trail_log_group.arn, ":log-stream:*")}]}),
            opts=self._opts(mgmt, home))  # fmt: skip
        return aws.cloudtrail.Trail(
            mgmt.resource_name(home, "organization-trail"), name=self.trail_name,
            is_organization_trail=True, is_multi_region_trail=True, include_global_service_events=True,
            enable_log_file_validation=True, enable_logging=True,
            s3_bucket_name=self.log_archive.bucket_name, s3_key_prefix="cloudtrail", kms_key_id=self.log_archive.kms_key_arn,
            cloud_watch_logs_group_arn=pulumi.Output.concat(self.trail_log_group.arn, ":*"), cloud_watch_logs_role_arn=role.arn,
            advanced_event_selectors=self._trail_event_selectors(),
            # CreateTrail checks at creation: the bucket policy and key policy let CloudTrail write, trusted access for
            # cloudtrail.amazonaws.com (organization trail), and that CloudTrail can assume the logs role and write
            # the log group (the role's policy, not only the role)
            opts=self._opts(mgmt, home, protect=True,
                            depends_on=[self.log_bucket_policy, self.log_key, logs_policy, *self.org_ready]),
        )  # fmt: skip

    def _trail_event_selectors(self) -> list[dict]:
        """Management events, and S3 object read and write data events (CIS 3.10-3.11) of every bucket but the log
        archive's own: CloudTrail's, Config's and log delivery's writes into them (and their server access logs)
        would each be a data event delivered into them again, a feedback loop billed per event."""
        log_buckets = pulumi.Output.concat("arn:", self.partition, ":s3:::", log_bucket_prefix(self.cfg))
        return [
            {"name": "Management events", "field_selectors": [{"field": "eventCategory", "equals": ["Management"]}]},
            {"name": "S3 object events outside the log archive", "field_selectors": [
                {"field": "eventCategory", "equals": ["Data"]},
                {"field": "resources.type", "equals": ["AWS::S3::Object"]},
                {"field": "resources.ARN", "not_starts_withs": [log_buckets]},
            ]},
        ]  # fmt: skip

    def _alarms(self) -> pulumi.Output[str]:
        mgmt, home = self.management, self.home
        local_topic = aws.sns.Topic(mgmt.resource_name(home, "cis-alarms"), name="landing-zone-cis-alarms",
                                    kms_master_key_id=self._management_key().arn, opts=self._opts(mgmt, home))
        aws.sns.TopicPolicy(mgmt.resource_name(home, "cis-alarms-policy"), arn=local_topic.arn, policy=_json({
            "Version": "2012-10-17", "Statement": [{
                "Sid": "CloudWatchAlarmsPublish", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish", "Resource": local_topic.arn,
                "Condition": {"StringEquals": {"aws:SourceAccount": mgmt.account_id}}}]}),
            opts=self._opts(mgmt, home))  # fmt: skip
        self.alarms = {}
        for alarm in CIS_ALARMS + EXTRA_ALARMS:
            label = f"cis-{alarm.control.replace('.', '-')}-{alarm.slug}" if alarm.control else alarm.slug
            aws.cloudwatch.LogMetricFilter(
                mgmt.resource_name(home, f"{label}-filter"), name=label, log_group_name=self.trail_log_group.name,
                pattern=alarm.pattern,
                metric_transformation={"name": alarm.metric, "namespace": "LandingZone/CIS", "value": "1"},
                opts=self._opts(mgmt, home))  # fmt: skip
            self.alarms[alarm.control or alarm.slug] = aws.cloudwatch.MetricAlarm(
                mgmt.resource_name(home, f"{label}-alarm"), name=f"{ALARM_PREFIX}{label}",
                alarm_description=f"CIS AWS Foundations {alarm.control}: {alarm.slug.replace('-', ' ')}" if alarm.control
                else alarm.slug.replace("-", " "),
                namespace="LandingZone/CIS", metric_name=alarm.metric, statistic="Sum", period=300, evaluation_periods=1,
                threshold=1, comparison_operator="GreaterThanOrEqualToThreshold", treat_missing_data="notBreaching",
                actions_enabled=True, alarm_actions=[local_topic.arn], opts=self._opts(mgmt, home))  # fmt: skip
        return self._forward_alarms_to_security()

    def _forward_alarms_to_security(self) -> pulumi.Output[str]:
        mgmt, sec, home, p = self.management, self.security, self.home, self.partition
        # who forwards alarms here: the management account (CIS) and, with hybrid DNS, the network account (DNS
        # Firewall blocks, components/network/dns.py)
        sources = [(mgmt, "ManagementForwardsAlarms", ALARM_PREFIX)]
        if self.cfg.network.resolver:
            network = self.accounts[self.cfg.account_with_role("network").name]
            sources.append((network, "NetworkForwardsDnsAlarms", DNS_ALARM_PREFIX))
        key = aws.kms.Key(
            sec.resource_name(home, "alarm-topic-key"), description="Security alarm topic", enable_key_rotation=True,
            deletion_window_in_days=30, policy=_json({"Version": "2012-10-17", "Statement": [
                _key_admin_statement(p, sec.account_id),
                _service_key_statement("EventsPublish", "events.amazonaws.com", {"StringEquals": {"aws:SourceAccount": sec.account_id}}),
            ]}), opts=self._opts(sec, home))  # fmt: skip
        topic = aws.sns.Topic(sec.resource_name(home, "security-alarms"), name="landing-zone-security-alarms",
                              kms_master_key_id=key.arn, opts=self._opts(sec, home))
        aws.sns.TopicSubscription(sec.resource_name(home, "security-alarms-email"), topic=topic.arn, protocol="email",
                                  endpoint=self.cfg.security.alarm_email, opts=self._opts(sec, home))
        bus = _arn(p, "events", home, sec.account_id, "event-bus/default")
        bus_policy = aws.cloudwatch.EventBusPolicy(sec.resource_name(home, "event-bus-policy"), event_bus_name="default",
                                                   policy=_json({"Version": "2012-10-17", "Statement": [{
                                                       "Sid": sid, "Effect": "Allow",
                                                       "Principal": {"AWS": _root(p, source.account_id)},
                                                       "Action": "events:PutEvents", "Resource": bus}
                                                       for source, sid, _ in sources]}),
                                                   opts=self._opts(sec, home))  # fmt: skip
        self.alarm_bus = AlarmBus(arn=bus, ready=[bus_policy])
        receive = aws.cloudwatch.EventRule(sec.resource_name(home, "alarms-rule"), name="landing-zone-cis-alarms",
                                           event_pattern=_json({**alarm_state_changes([prefix for *_, prefix in sources]),
                                                                "account": [source.account_id for source, *_ in sources]}),
                                           opts=self._opts(sec, home))
        aws.sns.TopicPolicy(sec.resource_name(home, "security-alarms-policy"), arn=topic.arn, policy=_json({
            "Version": "2012-10-17", "Statement": [{
                "Sid": "EventBridgePublishes", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sns:Publish", "Resource": topic.arn, "Condition": {"ArnEquals": {"aws:SourceArn": receive.arn}}}]}),
            opts=self._opts(sec, home))  # fmt: skip
        aws.cloudwatch.EventTarget(sec.resource_name(home, "alarms-to-topic"), rule=receive.name, arn=topic.arn,
                                   opts=self._opts(sec, home))
        forward_alarms(mgmt, home, self.alarm_bus, prefixes=[ALARM_PREFIX], rule_name="landing-zone-cis-alarms-forward",
                       description="EventBridge forwards CIS alarms to security", parent=self)
        return topic.arn

    # --- AWS Config ------------------------------------------------------------------------------------------------

    def _config(self) -> dict[tuple[str, str], aws.cfg.Recorder]:
        recorders: dict[tuple[str, str], aws.cfg.Recorder] = {}
        for account in [self.management, *self.accounts.values()]:
            role = aws.iam.Role(
                account.resource_name(self.home, "config-recorder-role"), name="landing-zone-config-recorder",
                assume_role_policy=_json({"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"}, "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account.account_id}}}]}),
                opts=self._opts(account, self.home))  # fmt: skip
            attachment = aws.iam.RolePolicyAttachment(
                account.resource_name(self.home, "config-recorder-policy"), role=role.name,
                policy_arn=pulumi.Output.concat("arn:", self.partition, ":iam::aws:policy/service-role/AWS_ConfigRole"),
                opts=self._opts(account, self.home))
            for region in self.cfg.regions:
                recorders[(account.name, region)] = self._recorder(account, region, role, attachment)
        self._config_aggregator()
        self._config_rules(recorders)
        return recorders

    def _recorder(self, account: AccountContext, region: str, role: aws.iam.Role, attachment) -> aws.cfg.Recorder:
        recorder = aws.cfg.Recorder(
            account.resource_name(region, "config-recorder"), name="landing-zone", role_arn=role.arn,
            recording_group={"all_supported": True, "include_global_resource_types": True},
            opts=self._opts(account, region, depends_on=[attachment]))
        channel = aws.cfg.DeliveryChannel(
            account.resource_name(region, "config-delivery"), name="landing-zone",
            s3_bucket_name=self.log_archive.bucket_name, s3_key_prefix="config", s3_kms_key_arn=self.log_archive.kms_key_arn,
            snapshot_delivery_properties={"delivery_frequency": "TwentyFour_Hours"},
            opts=self._opts(account, region, depends_on=[recorder, self.log_bucket_policy]))  # fmt: skip
        aws.cfg.RecorderStatus(account.resource_name(region, "config-recorder-status"), name=recorder.name, is_enabled=True,
                               opts=self._opts(account, region, depends_on=[channel]))
        return recorder

    def _config_aggregator(self) -> None:
        sec, home = self.security, self.home
        role = aws.iam.Role(
            sec.resource_name(home, "config-aggregator-role"), description="Config reads the organization's accounts",
            assume_role_policy=_json({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"}, "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": sec.account_id}}}]}),
            opts=self._opts(sec, home))  # fmt: skip
        attachment = aws.iam.RolePolicyAttachment(
            sec.resource_name(home, "config-aggregator-policy"), role=role.name,
            policy_arn=pulumi.Output.concat("arn:", self.partition, ":iam::aws:policy/service-role/AWSConfigRoleForOrganizations"),
            opts=self._opts(sec, home))
        self.aggregator = aws.cfg.ConfigurationAggregator(
            sec.resource_name(home, "config-aggregator"), name="landing-zone-organization",
            organization_aggregation_source={"all_regions": True, "role_arn": role.arn},
            opts=self._opts(sec, home, depends_on=[attachment, *self.org_ready]))

    def _config_rules(self, recorders: dict) -> None:
        sec = self.security
        params = {"retention": f'{{"MinRetentionTime": "{self.cfg.security.log_retention_days}"}}'}
        for region in self.cfg.regions:
            ready = [r for (_, rgn), r in recorders.items() if rgn == region] + self.org_ready
            for name, identifier, param, global_only in CONFIG_RULES:
                if global_only and region != self.home:
                    continue  # global resources are evaluated once, in the home region
                aws.cfg.OrganizationManagedRule(
                    sec.resource_name(region, f"config-rule-{name}"), name=f"lz-{name}", rule_identifier=identifier,
                    input_parameters=params.get(param) if param else None,
                    opts=self._opts(sec, region, depends_on=ready))

    # --- GuardDuty, Security Hub, Inspector, Access Analyzer ----------------------------------------------------------

    def _detector(self, account: AccountContext, region: str) -> aws.guardduty.Detector:
        detector = aws.guardduty.Detector(account.resource_name(region, "guardduty"), enable=True,
                                          finding_publishing_frequency="FIFTEEN_MINUTES", opts=self._opts(account, region))
        for feature, extras in GUARDDUTY_FEATURES.items():
            aws.guardduty.DetectorFeature(
                account.resource_name(region, f"guardduty-{feature.lower().replace('_', '-')}"), detector_id=detector.id,
                name=feature, status="ENABLED",
                additional_configurations=[{"name": x, "status": "ENABLED"} for x in extras] or None,
                opts=self._opts(account, region))  # fmt: skip
        return detector

    def _guardduty(self) -> None:
        mgmt, sec = self.management, self.security
        for region in self.cfg.regions:
            admin_detector = self._detector(sec, region)  # before the delegation, so it is the delegated admin's
            delegation = aws.guardduty.OrganizationAdminAccount(
                mgmt.resource_name(region, "guardduty-admin"), admin_account_id=sec.account_id,
                opts=self._opts(mgmt, region, depends_on=[self._detector(mgmt, region), admin_detector, *self.org_ready]))
            aws.guardduty.OrganizationConfiguration(
                sec.resource_name(region, "guardduty-organization"), detector_id=admin_detector.id,
                auto_enable_organization_members="ALL", opts=self._opts(sec, region, depends_on=[delegation]))
            for feature, extras in GUARDDUTY_FEATURES.items():
                aws.guardduty.OrganizationConfigurationFeature(
                    sec.resource_name(region, f"guardduty-organization-{feature.lower().replace('_', '-')}"),
                    detector_id=admin_detector.id, name=feature, auto_enable="ALL",
                    additional_configurations=[{"name": x, "auto_enable": "ALL"} for x in extras] or None,
                    opts=self._opts(sec, region, depends_on=[delegation]))  # fmt: skip

    def _security_hub(self, root_id: pulumi.Input[str]) -> None:
        """Central configuration: one policy, set in the home region, enables the configured standards everywhere."""
        mgmt, sec, home = self.management, self.security, self.home
        delegations = []
        for region in self.cfg.regions:
            hubs = [aws.securityhub.Account(a.resource_name(region, "securityhub"), enable_default_standards=False,
                                            auto_enable_controls=True, opts=self._opts(a, region)) for a in (mgmt, sec)]
            delegations.append(aws.securityhub.OrganizationAdminAccount(
                mgmt.resource_name(region, "securityhub-admin"), admin_account_id=sec.account_id,
                opts=self._opts(mgmt, region, depends_on=[*hubs, *self.org_ready])))
        others = [r for r in self.cfg.regions if r != home]
        aggregator = aws.securityhub.FindingAggregator(
            sec.resource_name(home, "securityhub-aggregator"),
            linking_mode="SPECIFIED_REGIONS" if others else "ALL_REGIONS", specified_regions=others or None,
            opts=self._opts(sec, home, depends_on=delegations))
        org_config = aws.securityhub.OrganizationConfiguration(
            sec.resource_name(home, "securityhub-organization"), auto_enable=False, auto_enable_standards="NONE",
            organization_configuration={"configuration_type": "CENTRAL"},
            opts=self._opts(sec, home, depends_on=[aggregator]))
        standards = [pulumi.Output.concat("arn:", self.partition, ":securityhub:", home, "::", SECURITY_HUB_STANDARDS[s])
                     for s in self.cfg.security.security_hub_standards]  # fmt: skip
        policy = aws.securityhub.ConfigurationPolicy(
            sec.resource_name(home, "securityhub-policy"), name="landing-zone", description="Standards of the landing zone",
            configuration_policy={"service_enabled": True, "enabled_standard_arns": standards,
                                  "security_controls_configuration": {"disabled_control_identifiers": []}},
            opts=self._opts(sec, home, depends_on=[org_config]))  # fmt: skip
        aws.securityhub.ConfigurationPolicyAssociation(
            sec.resource_name(home, "securityhub-policy-root"), policy_id=policy.id, target_id=root_id,
            opts=self._opts(sec, home))

    def _inspector(self) -> None:
        mgmt, sec = self.management, self.security
        members = [a for a in self.accounts.values() if a.name != sec.name]
        for region in self.cfg.regions:
            delegation = aws.inspector2.DelegatedAdminAccount(
                mgmt.resource_name(region, "inspector-admin"), account_id=sec.account_id,
                opts=self._opts(mgmt, region, depends_on=self.org_ready))
            after = [delegation]
            aws.inspector2.OrganizationConfiguration(
                sec.resource_name(region, "inspector-organization"),
                auto_enable={"ec2": True, "ecr": True, "lambda_": True, "lambda_code": False},
                opts=self._opts(sec, region, depends_on=after))
            associations = [aws.inspector2.MemberAssociation(
                sec.resource_name(region, f"inspector-member-{a.name}"), account_id=a.account_id,
                opts=self._opts(sec, region, depends_on=after)) for a in members]
            aws.inspector2.Enabler(
                sec.resource_name(region, "inspector"), account_ids=[sec.account_id, *(a.account_id for a in members)],
                resource_types=INSPECTOR_RESOURCE_TYPES, opts=self._opts(sec, region, depends_on=after + associations))

    def _access_analyzer(self) -> None:
        sec = self.security
        for region in self.cfg.regions:
            aws.accessanalyzer.Analyzer(sec.resource_name(region, "organization-access-analyzer"),
                                        analyzer_name=f"{self.cfg.organization.name}-organization", type="ORGANIZATION",
                                        opts=self._opts(sec, region, depends_on=self.org_ready))
