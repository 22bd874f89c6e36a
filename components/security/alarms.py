"""CIS 4.1-4.15 alarms on the organization trail's log group, and their way to the security team.

An alarm can only notify a topic in its own account and region, so the alarms (management account, home region)
notify a local topic, and their state changes are forwarded by EventBridge to the security account's default bus
(components/alarm_forwarding.py), where a rule publishes them to the alarm topic that carries the e-mail
subscription (security.alarm_email). Other senders use the same path (with hybrid DNS: the network account's DNS
Firewall block alarms).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.alarm_forwarding import AlarmBus, AlarmSender, alarm_state_changes, forward_alarms
from components.base import AccountArgs
from components.security.findings import route_findings
from components.security.service import (
    AccountSecurityService,
    account_root,
    arn,
    json_document,
    key_admin_statement,
    service_key_statement,
)
from landing_zone.models import Findings


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


def default_bus_arn(partition: pulumi.Input[str], region: str, account_id: pulumi.Input[str]) -> pulumi.Output[str]:
    return arn(partition, "events", region, account_id, "event-bus/default")


@dataclass(frozen=True, kw_only=True)
class SecurityAlarmTopicArgs(AccountArgs):
    """account: the security account; region: the home region."""

    partition: pulumi.Input[str]
    senders: tuple[AlarmSender, ...]  # whose alarms are forwarded here: the management account's CIS alarms first
    alarm_email: str
    findings: Findings | None = None  # Security Hub findings routed here (and to the service desk) by severity


def cis_sender(management_account_id: pulumi.Input[str]) -> AlarmSender:
    return AlarmSender("ManagementForwardsAlarms", management_account_id, ALARM_PREFIX)


class SecurityAlarmTopic(AccountSecurityService[SecurityAlarmTopicArgs]):
    """The security account's alarm topic (e-mail subscription) and the default-bus rule that fills it with the
    forwarded alarm state changes. Results: `topic_arn`, `bus` (where the senders forward their alarms)."""

    TOKEN = "security:SecurityAlarmTopic"

    def __init__(self, name: str, args: SecurityAlarmTopicArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        p, account_id, senders = args.partition, self.account.account_id, args.senders
        key = aws.kms.Key(
            self.child_name("alarm-topic-key"), description="Security alarm topic", enable_key_rotation=True,
            deletion_window_in_days=30, policy=json_document({"Version": "2012-10-17", "Statement": [
                key_admin_statement(p, account_id),
                service_key_statement("EventsPublish", "events.amazonaws.com", {"StringEquals": {"aws:SourceAccount": account_id}}),
            ]}), opts=self.child_opts())  # fmt: skip
        topic = aws.sns.Topic(self.child_name("security-alarms"), name="landing-zone-security-alarms",
                              kms_master_key_id=key.arn, opts=self.child_opts())
        aws.sns.TopicSubscription(self.child_name("security-alarms-email"), topic=topic.arn, protocol="email",
                                  endpoint=args.alarm_email, opts=self.child_opts())
        bus_arn = default_bus_arn(p, self.region, account_id)
        bus_policy = aws.cloudwatch.EventBusPolicy(
            self.child_name("event-bus-policy"), event_bus_name="default", policy=json_document({
                "Version": "2012-10-17", "Statement": [{
                    "Sid": s.sid, "Effect": "Allow", "Principal": {"AWS": account_root(p, s.account_id)},
                    "Action": "events:PutEvents", "Resource": bus_arn} for s in senders]}),
            opts=self.child_opts())  # fmt: skip
        self.bus = AlarmBus(arn=bus_arn, ready=(bus_policy,))
        receive = aws.cloudwatch.EventRule(self.child_name("alarms-rule"), name="landing-zone-cis-alarms",
                                           event_pattern=json_document({
                                               **alarm_state_changes([s.prefix for s in senders]),
                                               "account": [s.account_id for s in senders]}),
                                           opts=self.child_opts())  # fmt: skip
        publishers = [receive.arn]
        if args.findings is not None:
            publishers.append(route_findings(self, args.findings, topic, p)[0].arn)
        aws.sns.TopicPolicy(self.child_name("security-alarms-policy"), arn=topic.arn, policy=json_document({
            "Version": "2012-10-17", "Statement": [{
                "Sid": "EventBridgePublishes", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sns:Publish", "Resource": topic.arn, "Condition": {"ArnEquals": {"aws:SourceArn": publishers}}}]}),
            opts=self.child_opts())  # fmt: skip
        aws.cloudwatch.EventTarget(self.child_name("alarms-to-topic"), rule=receive.name, arn=topic.arn,
                                   opts=self.child_opts())
        self.topic_arn = topic.arn
        self.register_outputs({"topicArn": self.topic_arn})


@dataclass(frozen=True, kw_only=True)
class CisAlarmsArgs(AccountArgs):
    """account: the management account (owner of the trail); region: the home region."""

    log_group_name: pulumi.Input[str]  # the organization trail's log group
    key_arn: pulumi.Input[str]  # encrypts the local topic; lets CloudWatch alarms publish
    security_bus: AlarmBus  # where the alarm state changes are forwarded


class CisAlarms(AccountSecurityService[CisAlarmsArgs]):
    """A metric filter and an alarm per CIS control (and EXTRA_ALARMS), notifying a local topic, and the EventBridge
    rule that forwards their state changes to the security account. Results: `alarms` (control or slug -> alarm)."""

    TOKEN = "security:CisAlarms"

    def __init__(self, name: str, args: CisAlarmsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        account_id = self.account.account_id
        local_topic = aws.sns.Topic(self.child_name("cis-alarms"), name="landing-zone-cis-alarms",
                                    kms_master_key_id=args.key_arn, opts=self.child_opts())
        aws.sns.TopicPolicy(self.child_name("cis-alarms-policy"), arn=local_topic.arn, policy=json_document({
            "Version": "2012-10-17", "Statement": [{
                "Sid": "CloudWatchAlarmsPublish", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish", "Resource": local_topic.arn,
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}}}]}),
            opts=self.child_opts())  # fmt: skip
        self.alarms = {alarm.control or alarm.slug: self._alarm(alarm, local_topic) for alarm in CIS_ALARMS + EXTRA_ALARMS}
        forward_alarms(self, args.security_bus, prefixes=[ALARM_PREFIX], rule_name="landing-zone-cis-alarms-forward",
                       description="EventBridge forwards CIS alarms to security")
        self.register_outputs({})

    def _alarm(self, alarm: CisAlarm, topic: aws.sns.Topic) -> aws.cloudwatch.MetricAlarm:
        label = f"cis-{alarm.control.replace('.', '-')}-{alarm.slug}" if alarm.control else alarm.slug
        aws.cloudwatch.LogMetricFilter(
            self.child_name(f"{label}-filter"), name=label, log_group_name=self.args.log_group_name,
            pattern=alarm.pattern,
            metric_transformation={"name": alarm.metric, "namespace": "LandingZone/CIS", "value": "1"},
            opts=self.child_opts())  # fmt: skip
        return aws.cloudwatch.MetricAlarm(
            self.child_name(f"{label}-alarm"), name=f"{ALARM_PREFIX}{label}",
            alarm_description=f"CIS AWS Foundations {alarm.control}: {alarm.slug.replace('-', ' ')}" if alarm.control
            else alarm.slug.replace("-", " "),
            namespace="LandingZone/CIS", metric_name=alarm.metric, statistic="Sum", period=300, evaluation_periods=1,
            threshold=1, comparison_operator="GreaterThanOrEqualToThreshold", treat_missing_data="notBreaching",
            actions_enabled=True, alarm_actions=[topic.arn], opts=self.child_opts())  # fmt: skip
