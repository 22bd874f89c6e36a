"""Every declared case of every rule, run through the real pulumi_policy policy objects."""

import pytest
from harness import run_case, violations
from lz_policies import all_rules

RULES = all_rules()
CASES = [
    pytest.param(rule, case, id=f"{rule.id}-{i}-{'violates' if case.violates else 'ok'}{'-unknown' if case.unknown else ''}")
    for rule in RULES
    for i, case in enumerate(rule.cases)
]


@pytest.mark.parametrize(("rule", "case"), CASES)
def test_case(rule, case):
    diagnostics = run_case(rule, case)
    found = violations(diagnostics)
    if case.unknown:
        assert any(d.is_cannot_verify and d.level == "advisory" for d in diagnostics), diagnostics
    if case.violates:
        assert found, f"{rule.id} should flag {case.note or case}"
        assert all(d.policy in rule.policy_names for d in found)
        assert all(rule.id in d.message for d in found), found
    else:
        assert not found, f"{rule.id} should accept {case.note or case}: {[d.message for d in found]}"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_has_violating_and_compliant_case(rule):
    known = [c for c in rule.cases if not c.unknown]
    assert any(c.violates for c in known), f"{rule.id} has no violating case"
    assert any(not c.violates for c in known), f"{rule.id} has no compliant case"
