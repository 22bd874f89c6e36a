"""COST-01 on the real plan: the sample stacks pass; a workload account's budget taken out fails `lz check`."""

from __future__ import annotations

import copy

from plans import ROOT, plan_of

from landing_zone import check
from landing_zone.check_result import exit_code
from landing_zone.policy_config import load_policy_config

BUDGET = "aws:budgets/budget:Budget"


def test_removing_a_workload_accounts_budget_fails_lz_check_naming_the_account():
    plan = copy.deepcopy(plan_of("dev"))
    budget = next(r for r in plan["resources"] if r["type"] == BUDGET and r["name"].startswith("sandbox-"))
    plan["resources"].remove(budget)
    result = check.run_check(plan, ROOT / "policies", load_policy_config(ROOT / "policy-config.json"), "dev",
                             root=ROOT)
    assert exit_code(result) == 1
    assert [v.policy for v in result.mandatory] == ["cost-01-workload-account-budget"]
    assert "workload account sandbox has no AWS Budget" in result.mandatory[0].message


def test_every_workload_account_of_the_sample_stacks_has_a_budget():
    for stack in ("dev", "prod"):
        plan = plan_of(stack)
        budgeted = {r["name"].split("-ap-south-1-")[0] for r in plan["resources"] if r["type"] == BUDGET}
        assert {"prod-apps", "prod-data", "nonprod-apps", "nonprod-data", "sandbox"} <= budgeted, stack
