"""Budgets that guard the bill (config `landing-zone:cost`): per account a monthly AWS Budget with an actual and a
forecast alert, and Cost Anomaly Detection for the organization in the management account.

Where alerts go: each account with a budget gets its own `landing-zone-budget-alerts` topic in its home region,
subscribed by the security alarm e-mail. Not the workload monitoring topic: that one exists only in accounts with
`workloads.monitoring`, and its key and policy admit CloudWatch alone; core accounts (log-archive, security,
network) need budgets too. The topic is KMS-encrypted with a key of its own, whose policy lets the publishing services
use it: AWS Budgets (budgets.amazonaws.com) and, in the management account, Cost Anomaly Detection
(costalerts.amazonaws.com) publish to an encrypted topic only with kms:GenerateDataKey* and kms:Decrypt on its key.
The topic policy admits the same services, only for this account (aws:SourceAccount), and TLS only.

Budgets and Cost Explorer are global services: the provider calls their us-east-1 endpoint whatever its region, so
the account's home-region provider is the right one. Budgets without actions cost nothing; a budget waits for its
topic policy and key so that no first alert is lost. The anomaly monitor watches spend per AWS service; in the
management account that is the organization's consolidated spend.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountArgs, AccountComponent
from components.context import AccountContext
from landing_zone.models import Cost

BUDGET_SERVICE = "budgets.amazonaws.com"
ANOMALY_SERVICE = "costalerts.amazonaws.com"
TOPIC_NAME = "landing-zone-budget-alerts"
KEY_USE = ["kms:Decrypt", "kms:GenerateDataKey*"]


def _json(value) -> pulumi.Output[str]:
    return pulumi.Output.from_input(value).apply(json.dumps)


@dataclass(frozen=True, kw_only=True)
class BudgetsArgs(AccountArgs):
    """account: the management account (the organization's anomaly detection); region: the home region, where
    every account's alert topic lives."""

    members: tuple[AccountContext, ...]  # the member accounts
    cost: Cost  # budgets per account, alert thresholds
    alarm_email: str  # subscribed to every alert topic


class Budgets(AccountComponent[BudgetsArgs]):
    """Results: `budgets` (account -> Budget), `topic_arns` (account -> alert topic ARN), `anomaly_monitor`."""

    TOKEN = "cost:Budgets"

    def __init__(self, name: str, args: BudgetsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        management = self.account
        self.budgets: dict[str, aws.budgets.Budget] = {}
        self.topic_arns: dict[str, pulumi.Output[str]] = {}
        self.anomaly_monitor: aws.costexplorer.AnomalyMonitor | None = None
        ready: dict[str, list[pulumi.Resource]] = {}
        for account in [management, *args.members]:
            amount = args.cost.budget_of(account.name)
            if amount is None:
                continue
            services = [BUDGET_SERVICE, ANOMALY_SERVICE] if account is management else [BUDGET_SERVICE]
            topic_arn, ready[account.name] = self._topic(account, services)
            self.topic_arns[account.name] = topic_arn
            self.budgets[account.name] = self._budget(account, amount, topic_arn, ready[account.name])
        if management.name in self.topic_arns:
            self.anomaly_monitor = self._anomaly_detection(management, self.topic_arns[management.name],
                                                           ready[management.name])
        self.register_outputs({"budgetAccounts": sorted(self.budgets)})

    def _opts(self, account: AccountContext, **kwargs) -> pulumi.ResourceOptions:
        """A child in `account` (the management account or a member), home region."""
        return account.opts(self.region, parent=self, **kwargs)

    def _topic(self, account: AccountContext, services: list[str]) -> tuple[pulumi.Output[str], list[pulumi.Resource]]:
        """The account's alert topic, encrypted with a key the publishing services may use; (ARN, what to wait for)."""
        rn = lambda purpose: account.resource_name(self.region, purpose)  # noqa: E731
        key = aws.kms.Key(rn("budget-alerts-key"), description="Budget and cost anomaly alert topic",
                          enable_key_rotation=True, deletion_window_in_days=30,
                          policy=_json(self._key_policy(account, services)), opts=self._opts(account))
        topic = aws.sns.Topic(rn("budget-alerts"), name=TOPIC_NAME, kms_master_key_id=key.arn,
                              opts=self._opts(account))
        policy = aws.sns.TopicPolicy(rn("budget-alerts-policy"), arn=topic.arn, policy=_json({
            "Version": "2012-10-17", "Statement": [
                {"Sid": "CostAlertsPublish", "Effect": "Allow", "Principal": {"Service": services},
                 "Action": "sns:Publish", "Resource": topic.arn,
                 "Condition": {"StringEquals": {"aws:SourceAccount": account.account_id}}},
                {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish",
                 "Resource": topic.arn, "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            ]}), opts=self._opts(account))
        aws.sns.TopicSubscription(rn("budget-alerts-email"), topic=topic.arn, protocol="email",
                                  endpoint=self.args.alarm_email, opts=self._opts(account))
        return topic.arn, [key, policy]

    @staticmethod
    def _key_policy(account: AccountContext, services: list[str]) -> dict:
        root = pulumi.Output.concat("arn:aws:iam::", account.account_id, ":root")
        return {"Version": "2012-10-17", "Statement": [
            {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*",
             "Resource": "*"},
            # No aws:SourceAccount here: AWS documents it for the topic policy, not for the KMS calls SNS makes on
            # the publisher's behalf, and a condition the request lacks would drop every alert silently. The key
            # serves this topic only, and the topic policy admits the services for this account only.
            {"Sid": "CostAlertsEncrypt", "Effect": "Allow", "Principal": {"Service": services}, "Action": KEY_USE,
             "Resource": "*"},
        ]}

    def _budget(self, account: AccountContext, amount: float, topic_arn: pulumi.Input[str],
                ready: list[pulumi.Resource]) -> aws.budgets.Budget:
        cost = self.args.cost
        alerts = [("ACTUAL", cost.budget_actual_percent), ("FORECASTED", cost.budget_forecast_percent)]
        return aws.budgets.Budget(
            account.resource_name(self.region, "monthly-budget"), name=f"landing-zone-{account.name}-monthly",
            account_id=account.account_id, budget_type="COST", limit_amount=f"{amount:.2f}", limit_unit="USD",
            time_unit="MONTHLY",
            notifications=[aws.budgets.BudgetNotificationArgs(
                notification_type=kind, comparison_operator="GREATER_THAN", threshold=float(percent),
                threshold_type="PERCENTAGE", subscriber_sns_topic_arns=[topic_arn]) for kind, percent in alerts],
            opts=self._opts(account, depends_on=ready))

    def _anomaly_detection(self, management: AccountContext, topic_arn: pulumi.Input[str],
                           ready: list[pulumi.Resource]) -> aws.costexplorer.AnomalyMonitor:
        monitor = aws.costexplorer.AnomalyMonitor(
            self.child_name("cost-anomaly-monitor"), name="landing-zone-services",
            monitor_type="DIMENSIONAL", monitor_dimension="SERVICE", opts=self._opts(management))
        aws.costexplorer.AnomalySubscription(
            self.child_name("cost-anomaly-alerts"), name="landing-zone-anomalies",
            frequency="IMMEDIATE", monitor_arn_lists=[monitor.arn],
            subscribers=[aws.costexplorer.AnomalySubscriptionSubscriberArgs(type="SNS", address=topic_arn)],
            threshold_expression=aws.costexplorer.AnomalySubscriptionThresholdExpressionArgs(
                dimension=aws.costexplorer.AnomalySubscriptionThresholdExpressionDimensionArgs(
                    key="ANOMALY_TOTAL_IMPACT_ABSOLUTE", match_options=["GREATER_THAN_OR_EQUAL"],
                    values=[f"{self.args.cost.anomaly_threshold_usd:g}"])),
            opts=self._opts(management, depends_on=[monitor, *ready]))
        return monitor
