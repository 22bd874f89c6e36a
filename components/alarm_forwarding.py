"""Forwarding alarm state changes to the security account's default event bus (the security alarm path).

An alarm can notify only a topic in its own account and region, so alarms outside the security account reach the
security team as EventBridge "CloudWatch Alarm State Change" events: a rule in the alarm's account and region sends
them, through a role EventBridge assumes, to the security account's bus (cross-account and cross-Region bus targets),
where SecurityBaseline publishes them to the alarm topic. Used for the CIS alarms (management account) and the DNS
Firewall block alarms (network account, every region with VPCs).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.context import AccountContext


@dataclass(frozen=True)
class AlarmBus:
    """The security account's default bus and what a forwarding target must wait for (its bus policy)."""

    arn: pulumi.Input[str]
    ready: list[pulumi.Resource] = field(default_factory=list)


def alarm_state_changes(prefixes: list[str]) -> dict:
    """The event pattern of alarm state changes whose alarm name starts with one of `prefixes`."""
    return {"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"],
            "detail": {"alarmName": [{"prefix": p} for p in prefixes]}}


def forward_alarms(account: AccountContext, region: str, bus: AlarmBus, *, prefixes: list[str], rule_name: str,
                   description: str, parent: pulumi.Resource) -> aws.cloudwatch.EventTarget:
    """The rule (and its role) in `account`/`region` that forwards the state changes of its alarms to `bus`."""
    def opts(**kwargs) -> pulumi.ResourceOptions:
        return account.opts(region, parent=parent, **kwargs)

    role = aws.iam.Role(account.resource_name(region, "alarm-forwarder"), description=description,
                        assume_role_policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [{
                            "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole",
                            "Condition": {"StringEquals": {"aws:SourceAccount": account.account_id}}}]}),
                        opts=opts())  # fmt: skip
    aws.iam.RolePolicy(account.resource_name(region, "alarm-forwarder-policy"), role=role.id, policy=pulumi.Output.json_dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "events:PutEvents", "Resource": bus.arn}]}),
        opts=opts())  # fmt: skip
    forward = aws.cloudwatch.EventRule(account.resource_name(region, "alarms-forward-rule"), name=rule_name,
                                       event_pattern=pulumi.Output.json_dumps(alarm_state_changes(prefixes)), opts=opts())
    # the bus accepts the events only once its policy names this account
    return aws.cloudwatch.EventTarget(account.resource_name(region, "alarms-to-security"), rule=forward.name,
                                      arn=bus.arn, role_arn=role.arn, opts=opts(depends_on=list(bus.ready)))
