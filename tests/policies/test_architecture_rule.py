"""docs/architecture.md, "How to add a rule", walked through: a rule declared in a family module with its cases is
collected by the pack, runs through the real pulumi_policy objects, refuses a duplicate id and is documented."""

from __future__ import annotations

import lz_policies
import pytest
from harness import run_case, violations
from lz_policies import all_policies, all_rules, governance
from lz_policies.docs import rules_table
from lz_policies.rules import Case, ResourceRule
from lz_policies.types import SQS


def queues_have_a_dead_letter_queue(subject):
    """Step 1: a check over one resource yields one message per finding."""
    if not subject.props.get("redrivePolicy"):
        yield f"queue {subject.name} has no redrive policy: poison messages are retried forever"


NEW_RULE = ResourceRule(  # step 2: id, policy name, enforcement level, a violating and a compliant case beside it
    id="ZZZ-01", name="zzz-01-queue-dead-letter", title="SQS queues have a dead-letter queue",
    description="A walkthrough rule (tests only).", refs="docs/architecture.md",
    checks=(queues_have_a_dead_letter_queue,), types=(SQS,),
    cases=(Case({"name": "orders"}, violates=True, note="no redrive policy"),
           Case({"name": "orders", "redrivePolicy": '{"maxReceiveCount": 5}'}, violates=False)),
)


@pytest.fixture
def added(monkeypatch):
    """Step 3: append the rule to its family module's RULES."""
    monkeypatch.setattr(governance, "RULES", [*governance.RULES, NEW_RULE])
    return NEW_RULE


def test_the_pack_collects_the_new_rule_and_its_policy(added):
    assert added in all_rules()
    assert added.name in {p.name for p in all_policies()}


@pytest.mark.parametrize("index", [0, 1])
def test_its_cases_run_through_the_real_policy_objects(added, index):
    case = added.cases[index]
    found = violations(run_case(added, case))
    assert bool(found) == case.violates
    assert all("ZZZ-01" in d.message for d in found)


def test_a_second_rule_with_the_same_id_is_refused(added, monkeypatch):
    monkeypatch.setattr(governance, "RULES", [*governance.RULES, added])
    with pytest.raises(ValueError, match="duplicate rule id ZZZ-01"):
        lz_policies.all_rules()


def test_the_rules_table_of_policies_readme_lists_it(added):
    assert "zzz-01-queue-dead-letter" in rules_table()
