"""Findings to people: EventBridge rules in the security account (home region) route Security Hub findings by
severity to the security topic and to the service desk's integration point (security.findings).

One stream: Security Hub receives GuardDuty's findings (and Inspector's, Access Analyzer's, Config's) in every
account and region, and the finding aggregator brings them to the home region, where the administrator's default
bus emits "Security Hub Findings - Imported". Routing that stream alone sends each finding once; a second rule on
GuardDuty's own events would page twice for the same finding.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.base import AccountComponent
from components.security.service import json_document
from landing_zone.models import SEVERITY_ORDER, Findings


def severities_at_or_above(label: str) -> list[str]:
    return list(SEVERITY_ORDER[:SEVERITY_ORDER.index(label) + 1])


def findings_pattern(label: str) -> dict:
    """New, active findings of severity `label` or worse (a finding updated later is imported again: only NEW)."""
    return {"source": ["aws.securityhub"], "detail-type": ["Security Hub Findings - Imported"],
            "detail": {"findings": {"Severity": {"Label": severities_at_or_above(label)},
                                    "Workflow": {"Status": ["NEW"]}, "RecordState": ["ACTIVE"]}}}


def route_findings(owner: AccountComponent, config: Findings, topic: aws.sns.Topic,
                   partition: pulumi.Input[str]) -> list[aws.cloudwatch.EventRule]:
    """The rules (their ARNs go into the topic's policy) and their targets."""
    to_topic = aws.cloudwatch.EventRule(
        owner.child_name("findings-to-topic"), name="landing-zone-findings-to-security-topic",
        description=f"Security Hub findings {config.topic_severity} and above to the security topic",
        event_pattern=json_document(findings_pattern(config.topic_severity)), opts=owner.child_opts())
    aws.cloudwatch.EventTarget(owner.child_name("findings-to-topic-target"), rule=to_topic.name, arn=topic.arn,
                               opts=owner.child_opts())
    if config.ticketing_target is None:
        return [to_topic]
    to_desk = aws.cloudwatch.EventRule(
        owner.child_name("findings-to-ticketing"), name="landing-zone-findings-to-ticketing",
        description=f"Security Hub findings {config.ticketing_severity} and above to the service desk",
        event_pattern=json_document(findings_pattern(config.ticketing_severity)), opts=owner.child_opts())
    role_arn = _bus_role(owner, config.ticketing_target).arn if ":event-bus/" in config.ticketing_target else None
    aws.cloudwatch.EventTarget(owner.child_name("findings-to-ticketing-target"), rule=to_desk.name,
                               arn=config.ticketing_target, role_arn=role_arn, opts=owner.child_opts())
    return [to_topic, to_desk]


def _bus_role(owner: AccountComponent, bus_arn: str) -> aws.iam.Role:
    """EventBridge delivers to another account's bus with a role it assumes (PutEvents on that bus only)."""
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": owner.account.account_id}}}]}
    role = aws.iam.Role(owner.child_name("findings-ticketing-role"), assume_role_policy=json_document(trust),
                        description="EventBridge puts findings on the service desk's bus", opts=owner.child_opts())
    aws.iam.RolePolicy(owner.child_name("findings-ticketing-policy"), role=role.id, policy=json_document({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "events:PutEvents", "Resource": bus_arn}]}),
        opts=owner.child_opts())
    return role
