"""In a member stack of a split organization, a whole-organization rule does not apply (`lz check --all` judges it on
the merged plan); everywhere else it judges as always. The pack learns the stack's part from its config, which the
engine passes at start (PULUMI_CONFIG) and in ConfigureStack."""

import json

import pytest
from harness import analyze_stack, servicer
from lz_policies import all_policies, all_rules
from lz_policies.stack_config import split_part
from pulumi.runtime import proto

COST = next(r for r in all_rules() if r.id == "COST-01")
VIOLATING = next(c for c in COST.cases if c.violates)
WHOLE = [r.id for r in all_rules() if r.whole_organization]


def _configure(service, config: dict) -> None:
    service.ConfigureStack(proto.AnalyzerStackConfigureRequest(
        stack="prod.sandbox", project="landing-zone", config={k: json.dumps(v) for k, v in config.items()}), None)


def _response(service, resources):
    request = proto.AnalyzeStackRequest()
    for r in resources:
        message = request.resources.add()
        message.type, message.urn, message.name = r.type, r.urn, r.name
    return service.AnalyzeStack(request, None)


@pytest.fixture
def service(monkeypatch):
    monkeypatch.setenv("PULUMI_CONFIG", "{}")  # ConfigureStack writes both: restored after the test
    monkeypatch.setenv("PULUMI_STACK", "test")
    return servicer(all_policies())


def test_a_whole_organization_rule_judges_a_single_stack(service):
    _configure(service, {"landing-zone:organization": {"name": "acme"}})
    assert [d for d in analyze_stack(service, VIOLATING.resources) if d.policy == COST.name]


def test_in_a_member_stack_it_does_not_apply_and_says_where_it_is_judged(service):
    _configure(service, {"landing-zone:stack": {"part": "account", "account": "sandbox"}})
    assert not [d for d in analyze_stack(service, VIOLATING.resources) if d.policy == COST.name]
    reasons = {n.policy_name: n.reason for n in _response(service, VIOLATING.resources).not_applicable}
    assert "lz check --stack <stack> --all" in reasons[COST.name]


def test_other_stack_rules_still_judge_a_member_stack(service):
    _configure(service, {"landing-zone:stack": {"part": "network"}})
    judged = [r for r in all_rules() if r.kind == "stack" and not r.whole_organization and r.cases]
    rule = judged[0]
    case = next(c for c in rule.cases if c.violates)
    assert [d for d in analyze_stack(service, case.resources) if d.policy == rule.name]


def test_the_rules_that_need_the_whole_organization_are_the_coverage_and_reachability_rules():
    assert sorted(WHOLE) == ["COST-01", "EAR-02", "EAR-06", "GOV-02", "REQ-01", "REQ-02", "REQ-03", "X-05", "X-11",
                             "X-15", "X-17"]


@pytest.mark.parametrize("raw, part", [
    (None, None), ("{}", None), (json.dumps({"landing-zone:stack": '{"part": "network"}'}), "network"),
    (json.dumps({"landing-zone:stack": "organization"}), "organization"),
])
def test_split_part_reads_the_engine_config(raw, part):
    assert split_part(raw or "") == part
