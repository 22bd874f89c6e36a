"""Cost governance (issue 16; not in CONTROLS.md, hence its own family id COST-xx).

COST-01: every workload account the stack deploys to (providers' `environment` tag prod, nonprod or sandbox) has an
AWS Budget in the account with at least one notification that reaches someone (an SNS topic or an e-mail address).
A budget nobody hears guards nothing; an account without one can run up a bill for a month before anyone looks.
"""

from __future__ import annotations

from collections.abc import Iterator

from .rules import CaseResource, StackCase, StackRule
from .types import (
    BUDGET,
    VPC,
)
from .values import as_list, plain
from .views import Stack

WORKLOAD_ENVIRONMENTS = ("prod", "nonprod", "sandbox")


def _heard(budget) -> bool:
    """A notification with a subscriber (unknown subscribers during preview count: they are computed ARNs)."""
    for notification in as_list(plain(budget.get("notifications", default=[]))):
        if not isinstance(notification, dict):
            continue
        if notification.get("subscriberSnsTopicArns") or notification.get("subscriberEmailAddresses"):
            return True
    return False


def workload_account_budget(s: Stack) -> Iterator[tuple[str | None, str]]:
    workload_accounts = sorted({r.account for r in s.resources
                                if r.type.startswith("aws:") and r.account and r.env in WORKLOAD_ENVIRONMENTS})
    budgets: dict[str, list] = {}
    for budget in s.of_type(BUDGET):
        if budget.account:
            budgets.setdefault(budget.account, []).append(budget)
    for account in workload_accounts:
        found = budgets.get(account, [])
        if not found:
            yield None, (f"workload account {account} has no AWS Budget; give it one (landing-zone:cost budgets or "
                         "default_budget_usd) with actual and forecast alerts")
        elif not any(_heard(b) for b in found):
            yield found[0].urn, (f"the budget of workload account {account} notifies nobody; add a notification "
                                 "with an SNS topic or e-mail subscriber")


_VPC = CaseResource(VPC, "app-vpc", {"cidrBlock": "10.0.0.0/16"}, env="prod")
_ALERT = {"notificationType": "FORECASTED", "comparisonOperator": "GREATER_THAN", "threshold": 100,
          "thresholdType": "PERCENTAGE", "subscriberSnsTopicArns": ["arn:aws:sns:eu-west-1:111111111111:alerts"]}
_BUDGET = CaseResource(BUDGET, "app-budget", {"budgetType": "COST", "limitAmount": "100.00", "limitUnit": "USD",
                                     "timeUnit": "MONTHLY", "notifications": [_ALERT]}, env="prod")
_SILENT = CaseResource(BUDGET, "app-budget", {"budgetType": "COST", "limitAmount": "100.00", "limitUnit": "USD",
                                     "timeUnit": "MONTHLY"}, env="prod")
_OTHER_ACCOUNT = CaseResource(BUDGET, "other-budget", dict(_BUDGET.props), env="prod",
                     provider_tags={"environment": "prod", "account": "other-account"})
_CORE = CaseResource(VPC, "network-vpc", {"cidrBlock": "10.1.0.0/16"}, env="core")

RULES = [
    StackRule(
        id="COST-01", name="cost-01-workload-account-budget",
        whole_organization=True,
        title="Every workload account has an AWS Budget that notifies someone",
        description="For every account with resources whose provider's `environment` tag is prod, nonprod or "
                    "sandbox: an aws.budgets.Budget created through that account's provider, with at least one "
                    "notification that has an SNS topic or e-mail subscriber. Core accounts are not required to.",
        refs="AWS Well-Architected COST02-BP05 (implement cost controls), COST01-BP06 (monitor cost proactively)",
        checks=(workload_account_budget,),
        cases=(
            StackCase((_VPC, _BUDGET), violates=False),
            StackCase((_CORE,), violates=False, note="a core account needs no budget"),
            StackCase((_VPC,), violates=True, note="workload account without a budget"),
            StackCase((_VPC, _SILENT), violates=True, note="a budget without notifications"),
            StackCase((_VPC, _OTHER_ACCOUNT), violates=True, note="the budget is another account's"),
        ),
    ),
]
