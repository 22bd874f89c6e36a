"""Stack rules X-01..X-18 through the real pulumi_policy StackValidationPolicy objects (AnalyzeStack requests)."""

from __future__ import annotations

import pytest
from harness import analyze_stack, run_case, servicer, violations
from lz_policies import all_rules, stack_logging
from lz_policies import types as t
from lz_policies.rules import StackCase, StackRule
from lz_policies.stack_helpers import case_resource
from lz_policies.stack_transit import X05_CASES, X17_CASES
from lz_policies.values import UNKNOWN

RULES = [rule for rule in all_rules() if isinstance(rule, StackRule) and rule.id.startswith("X-")]
BY_ID = {rule.id: rule for rule in RULES}
CASES = [pytest.param(rule, case, id=f"{rule.id}-{i}-{'violates' if case.violates else 'ok'}")
         for rule in RULES for i, case in enumerate(rule.cases)]


def test_every_catalogue_stack_rule_is_declared():
    # X-19 is CONTROLS' target for what X-18 checks today; X-20..X-22 are issue 22's (stack_guardrails.py),
    # X-23..X-25 issue 25's (secrets, findings, sessions)
    assert sorted(BY_ID, key=lambda i: int(i[2:])) == [f"X-{n:02d}" for n in (*range(1, 19), *range(20, 26))]
    assert all(rule.kind == "stack" and rule.refs and rule.description for rule in RULES)


@pytest.mark.parametrize(("rule", "case"), CASES)
def test_case(rule, case: StackCase):
    diagnostics = run_case(rule, case)
    found = violations(diagnostics)
    if case.unknown:
        assert any(d.is_cannot_verify and d.level == "advisory" for d in diagnostics), diagnostics
    if case.violates:
        assert found, f"{rule.id} should flag: {case.note}"
        assert all(f"{rule.id} " in d.message and d.level == rule.level.value for d in found), found
    else:
        assert not found, f"{rule.id} should accept {case.note}: {[d.message for d in found]}"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_violations_name_the_offending_resource(rule):
    """A violation carries the offending resource's URN and names it in the message (stack-wide ones excepted)."""
    for case in (c for c in rule.cases if c.violates):
        names = {r.urn: r.name for r in case.resources}
        for d in violations(run_case(rule, case)):
            if d.urn:
                assert d.urn in names, d
            assert any(name in d.message for name in names.values()) or not d.urn, d.message


def test_x17_explains_the_leak_and_points_at_the_route():
    (case,) = [c for c in X17_CASES if c.note.startswith("one-way")]
    (found,) = violations(run_case(BY_ID["X-17"], case))
    assert "nonprod -> prod is one-way" in found.message
    assert "via tgw route table nonprod-rt: static route 10.1.0.0/16 to prod-att attachment" in found.message
    assert found.urn.endswith("::nonprod-to-prod")


def test_x17_intent_comes_from_policy_config():
    leaky = next(c for c in X17_CASES if c.violates and "each other" in c.note)
    allowed = {"intent": {"prod": ["nonprod", "shared"], "nonprod": ["shared"], "shared": []}}
    assert violations(run_case(BY_ID["X-17"], leaky))
    assert not violations(run_case(BY_ID["X-17"], leaky, config_override=allowed))
    broken = violations(run_case(BY_ID["X-17"], leaky, config_override={"intent": {"prod": "nonprod"}}))
    assert broken and "intent.prod: expected a list" in broken[0].message


def test_x05_names_table_and_both_attachments():
    found = violations(run_case(BY_ID["X-05"], X05_CASES[0]))
    assert len(found) == 1
    assert "tgw route table nonprod-rt mixes prod and non-prod attachments" in found[0].message
    assert "prod-att (prod)" in found[0].message and "nonprod-att (nonprod)" in found[0].message


def test_x04_admin_ranges_are_configurable():
    rule = BY_ID["X-04"]
    ssh_case = next(c for c in rule.cases if "SSH from outside" in c.note)
    assert not violations(run_case(rule, StackCase(ssh_case.resources, violates=False)))  # default: private ranges


def test_x07_retention_threshold_is_configurable():
    rule = BY_ID["X-07"]
    compliant = next(c for c in rule.cases if not c.violates)
    found = violations(run_case(rule, compliant, config_override={"minRetentionDays": 30}))
    assert found and "deleteAfter=15" in found[0].message


def test_x15_names_account_and_region():
    rule = BY_ID["X-15"]
    case = next(c for c in rule.cases if "second region" in c.note)
    (found,) = violations(run_case(rule, case))
    assert "account prod-apps in eu-central-1 has resources (prod-apps-guardduty-eu-central-1) but no Inspector enabler" in found.message


def test_unknown_reference_is_advisory_not_a_crash():
    """A flow log whose VPC cannot be told during preview: advisory, and no VPC is wrongly flagged."""
    resources = (case_resource(t.VPC, "vpc", {"cidrBlock": "10.0.0.0/16"}),
                 case_resource(t.FLOW_LOG, "fl", {"trafficType": "ALL", "vpcId": UNKNOWN}))
    diagnostics = analyze_stack(servicer(BY_ID["X-01"].policies()), resources)
    assert not violations(diagnostics)
    assert any(d.is_cannot_verify and d.level == "advisory" for d in diagnostics)


def test_whole_family_on_an_empty_stack_is_silent():
    policies = [p for rule in RULES for p in rule.policies()]
    assert analyze_stack(servicer(policies), ()) == []


def test_cis_patterns_are_recognised_by_their_event_names():
    mfa = ('{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
           '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }')
    assert stack_logging._pattern_controls(mfa) == {"4.2"}
    failures = '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }'
    assert stack_logging._pattern_controls(failures) == {"4.6"}
    root = '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }'
    assert stack_logging._pattern_controls(root) == {"4.3"}
    partial_sg = "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = CreateSecurityGroup) }"
    assert stack_logging._pattern_controls(partial_sg) == set()
