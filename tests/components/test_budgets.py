"""Budgets: a monthly AWS Budget per account with actual and forecast alerts to an encrypted topic the services may
publish to, and Cost Anomaly Detection in the management account (components/budgets.py)."""

from __future__ import annotations

import json

import pytest
from core_harness import account_of, config, of_type, region_of
from stack_plans import full_plan as stack_plan  # the whole program, as `lz plan` plans it

STACKS = ["dev", "prod"]
BUDGET = "aws:budgets/budget:Budget"


def _by_account(plan, type_):
    found = {}
    for r in of_type(plan, type_):
        assert account_of(plan, r) not in found, f"two {type_} in {account_of(plan, r)}"
        found[account_of(plan, r)] = r
    return found


@pytest.mark.parametrize("stack", STACKS)
def test_every_account_has_its_monthly_budget_with_actual_and_forecast_alerts(stack):
    cfg, plan = config(stack), stack_plan(stack)
    budgets = _by_account(plan, BUDGET)
    topics = {account_of(plan, t): t for t in of_type(plan, "aws:sns/topic:Topic")
              if t["inputs"]["name"] == "landing-zone-budget-alerts"}
    names = ["management", *(a.name for a in cfg.accounts)]
    assert sorted(budgets) == sorted(names)
    for name, budget in budgets.items():
        inputs = budget["inputs"]
        assert float(inputs["limitAmount"]) == cfg.cost.budget_of(name)
        assert (inputs["budgetType"], inputs["timeUnit"], inputs["limitUnit"]) == ("COST", "MONTHLY", "USD")
        alerts = {n["notificationType"]: n for n in inputs["notifications"]}
        assert alerts["ACTUAL"]["threshold"] == cfg.cost.budget_actual_percent
        assert alerts["FORECASTED"]["threshold"] == cfg.cost.budget_forecast_percent
        topic = topics[name]  # the alert topic of the SAME account, in its home region
        assert region_of(plan, topic) == cfg.organization.home_region
        for alert in alerts.values():
            assert alert["subscriberSnsTopicArns"] == [topic["outputs"]["arn"]]


@pytest.mark.parametrize("stack", STACKS)
def test_alert_topic_admits_only_the_cost_services_of_its_own_account_and_its_key_lets_them_encrypt(stack):
    cfg, plan = config(stack), stack_plan(stack)
    ids = {"management": cfg.organization.management_account_id} | {
        a["name"].removeprefix("account-"): a["id"] for a in of_type(plan, "aws:organizations/account:Account")}
    keys = {k["outputs"]["arn"]: k for k in of_type(plan, "aws:kms/key:Key")}
    policies = {p["inputs"]["arn"]: p for p in of_type(plan, "aws:sns/topicPolicy:TopicPolicy")}
    for topic in (t for t in of_type(plan, "aws:sns/topic:Topic") if t["inputs"]["name"] == "landing-zone-budget-alerts"):
        account = account_of(plan, topic)
        services = ["budgets.amazonaws.com"] + (["costalerts.amazonaws.com"] if account == "management" else [])
        statements = {s["Sid"]: s for s in json.loads(policies[topic["outputs"]["arn"]]["inputs"]["policy"])["Statement"]}
        publish = statements["CostAlertsPublish"]
        assert publish["Principal"] == {"Service": services} and publish["Action"] == "sns:Publish"
        # only this account's budgets may publish (another account's budget could otherwise spam or mask alerts)
        assert publish["Condition"]["StringEquals"]["aws:SourceAccount"] == ids[account]
        assert statements["DenyInsecureTransport"]["Effect"] == "Deny"
        key = keys[topic["inputs"]["kmsMasterKeyId"]]
        assert key["inputs"]["enableKeyRotation"] is True and account_of(plan, key) == account
        use = next(s for s in json.loads(key["inputs"]["policy"])["Statement"] if s["Sid"] == "CostAlertsEncrypt")
        assert use["Principal"] == {"Service": services}
        assert set(use["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
        subscriptions = [s for s in of_type(plan, "aws:sns/topicSubscription:TopicSubscription")
                         if s["inputs"]["topic"] == topic["outputs"]["arn"]]
        assert [s["inputs"]["protocol"] for s in subscriptions] == ["email"]


@pytest.mark.parametrize("stack", STACKS)
def test_a_budget_waits_for_its_topic_policy_and_key(stack):
    plan = stack_plan(stack)
    index = {r["urn"]: r for r in plan["resources"]}
    for budget in of_type(plan, BUDGET):
        waits = {index[u]["type"] for u in budget["dependencies"] if u in index}
        assert {"aws:sns/topicPolicy:TopicPolicy", "aws:kms/key:Key"} <= waits, budget["name"]


@pytest.mark.parametrize("stack", STACKS)
def test_cost_anomaly_detection_for_the_organization_alerts_the_management_topic(stack):
    cfg, plan = config(stack), stack_plan(stack)
    [monitor] = of_type(plan, "aws:costexplorer/anomalyMonitor:AnomalyMonitor")
    [subscription] = of_type(plan, "aws:costexplorer/anomalySubscription:AnomalySubscription")
    assert account_of(plan, monitor) == account_of(plan, subscription) == "management"
    assert (monitor["inputs"]["monitorType"], monitor["inputs"]["monitorDimension"]) == ("DIMENSIONAL", "SERVICE")
    inputs = subscription["inputs"]
    assert inputs["frequency"] == "IMMEDIATE" and inputs["monitorArnLists"] == [monitor["outputs"]["arn"]]
    [topic] = [t for t in of_type(plan, "aws:sns/topic:Topic")
               if t["inputs"]["name"] == "landing-zone-budget-alerts" and account_of(plan, t) == "management"]
    assert inputs["subscribers"] == [{"type": "SNS", "address": topic["outputs"]["arn"]}]
    threshold = inputs["thresholdExpression"]["dimension"]
    assert threshold["key"] == "ANOMALY_TOTAL_IMPACT_ABSOLUTE"
    assert float(threshold["values"][0]) == cfg.cost.anomaly_threshold_usd
