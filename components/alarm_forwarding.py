"""Forwarding alarm state changes to the security account's default event bus (the security alarm path).

An alarm can notify only a topic in its own account and region, so alarms outside the security account reach the
security team as EventBridge "CloudWatch Alarm State Change" events: a rule in the alarm's account and region sends
them, through a role EventBridge assumes, to the security account's bus (cross-account and cross-Region bus targets),
where the security alarm topic (components/security/alarms.py) receives them. Used for the CIS alarms (management
account) and the DNS Firewall block alarms (network account, every region with VPCs).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountComponent


@dataclass(frozen=True)
class AlarmBus:
    """The security account's default bus and what a forwarding target must wait for (its bus policy)."""

    arn: pulumi.Input[str]
    ready: tuple[pulumi.Resource, ...] = ()


@dataclass(frozen=True)
class AlarmSender:
    """An account whose alarms named `prefix`... the security bus accepts; `sid` names its bus policy statement."""

    sid: str
    account_id: pulumi.Input[str]
    prefix: str


def alarm_state_changes(prefixes: list[str]) -> dict:
    """The event pattern of alarm state changes whose alarm name starts with one of `prefixes`."""
    return {"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"],
            "detail": {"alarmName": [{"prefix": p} for p in prefixes]}}


def forward_alarms(owner: AccountComponent, bus: AlarmBus, *, prefixes: list[str], rule_name: str,
                   description: str) -> aws.cloudwatch.EventTarget:
    """The rule (and its role) in `owner`'s account and region that forwards its alarms' state changes to `bus`;
    children of `owner`, named and placed by it (with its aliases, if it has any)."""
    account_id = owner.account.account_id
    role = aws.iam.Role(owner.child_name("alarm-forwarder"), description=description,
                        assume_role_policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [{
                            "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole",
                            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}}}]}),
                        opts=owner.child_opts())  # fmt: skip
    aws.iam.RolePolicy(owner.child_name("alarm-forwarder-policy"), role=role.id, policy=pulumi.Output.json_dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "events:PutEvents", "Resource": bus.arn}]}),
        opts=owner.child_opts())  # fmt: skip
    forward = aws.cloudwatch.EventRule(owner.child_name("alarms-forward-rule"), name=rule_name,
                                       event_pattern=pulumi.Output.json_dumps(alarm_state_changes(prefixes)),
                                       opts=owner.child_opts())
    # the bus accepts the events only once its policy names this account
    return aws.cloudwatch.EventTarget(owner.child_name("alarms-to-security"), rule=forward.name, arn=bus.arn,
                                      role_arn=role.arn, opts=owner.child_opts(depends_on=list(bus.ready)))
