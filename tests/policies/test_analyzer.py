"""analyzer.PackAnalyzer answers exactly as pulumi-policy's stock servicer, while decoding each request once."""

import pytest
from harness import analyze, analyze_stack, servicer
from lz_policies import all_policies, all_rules, analyzer
from lz_policies.tags import provider_default_tags
from lz_policies.values import SECRET_SIG, SIG_KEY
from lz_policies.views import StackView
from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy
from pulumi_policy.policy import _PolicyAnalyzerServicer as Stock

RULES = all_rules()
def _has_secret(value) -> bool:
    if isinstance(value, dict):
        return value.get(SIG_KEY) == SECRET_SIG or any(_has_secret(v) for v in value.values())
    return isinstance(value, list) and any(_has_secret(v) for v in value)


# A case with a Pulumi secret differs on purpose (test_only_the_pack_analyzer_tells_secrets_apart).
RESOURCE_CASES = [(rule, case) for rule in RULES if rule.kind == "resource" for case in rule.cases
                  if not _has_secret(case.props)]
SECRET_CASES = [(rule, case) for rule in RULES if rule.kind == "resource" for case in rule.cases
                if _has_secret(case.props)]
STACK_CASES = [(rule, case) for rule in RULES if rule.kind == "stack" for case in rule.cases]


def test_the_pinned_pulumi_policy_is_compatible_so_the_pack_serves_with_pack_analyzer():
    assert analyzer.compatible()
    assert analyzer.servicer_class() is analyzer.PackAnalyzer


def _resource_diagnostics(cls, config=None):
    service = servicer(all_policies(), config, cls)
    return [analyze(service, case.type or rule.types[0], case.props, env=case.env, provider_tags=case.provider_tags)
            for rule, case in RESOURCE_CASES]


def _stack_diagnostics(cls, config=None):
    service = servicer(all_policies(), config, cls)
    return [analyze_stack(service, case.resources) for _, case in STACK_CASES]


def test_every_resource_case_gets_the_same_diagnostics_as_from_the_stock_servicer():
    fast = _resource_diagnostics(analyzer.PackAnalyzer)
    assert fast == _resource_diagnostics(Stock)
    assert sum(map(len, fast)) > 50  # the cases do produce violations and preview advisories


def test_only_the_pack_analyzer_tells_secrets_apart():
    """pulumi-policy's stock servicer unwraps the engine's secret envelopes before policies see them; PackAnalyzer
    marks their values (values.SecretText) first, so SEC-01 skips them. Under the stock fallback (an unsupported
    pulumi-policy) SEC-01 reports a secret as plain text: a false alarm, never a miss."""
    assert SECRET_CASES
    for rule, case in SECRET_CASES:
        found = {cls: analyze(servicer(rule.policies(), None, cls), case.type or rule.types[0], case.props, env=case.env)
                 for cls in (analyzer.PackAnalyzer, Stock)}
        assert not found[analyzer.PackAnalyzer]
        assert [d.policy for d in found[Stock]] == [rule.name]


def test_every_stack_case_gets_the_same_diagnostics_as_from_the_stock_servicer():
    fast = _stack_diagnostics(analyzer.PackAnalyzer)
    assert fast == _stack_diagnostics(Stock)
    assert sum(map(len, fast)) > 20


def test_configured_levels_and_thresholds_apply_the_same_way():
    config = {"net-01-admin-ports-closed-to-internet": "disabled", "log-13-log-retention": {"retentionDays": 3000},
              "x-01-vpc-flow-logs-all-traffic": "advisory"}
    assert _resource_diagnostics(analyzer.PackAnalyzer, config) == _resource_diagnostics(Stock, config)
    stack = _stack_diagnostics(analyzer.PackAnalyzer, config)
    assert stack == _stack_diagnostics(Stock, config)
    x01 = [d for case in stack for d in case if d.policy == "x-01-vpc-flow-logs-all-traffic"]
    assert x01 and all(d.level == "advisory" for d in x01)  # the configured level did apply


def test_the_harness_refuses_a_policy_name_that_does_not_exist():
    with pytest.raises(ValueError, match="x-01-vpc-flow-logs"):
        servicer(all_policies(), {"x-01-vpc-flow-logs": "advisory"})


def test_a_policy_that_declares_no_types_still_sees_every_resource():
    seen = []
    untyped = ResourceValidationPolicy(name="untyped", description="d",
                                       validate=lambda args, report: seen.append(args.resource_type))
    service = servicer([*all_policies()[:3], untyped])
    analyze(service, "aws:ec2/vpc:Vpc", {"cidrBlock": "10.0.0.0/16"})
    analyze(service, "aws:sqs/queue:Queue", {})
    assert seen == ["aws:ec2/vpc:Vpc", "aws:sqs/queue:Queue"]


def test_typed_policies_run_only_for_their_types():
    calls = []
    typed = analyzer.TypedResourcePolicy(types=["aws:sqs/queue:Queue"], name="typed", description="d",
                                         validate=lambda args, report: calls.append(args.resource_type))
    service = servicer([typed])
    analyze(service, "aws:ec2/vpc:Vpc", {})
    analyze(service, "aws:sqs/queue:Queue", {})
    assert calls == ["aws:sqs/queue:Queue"]


def test_all_stack_policies_of_one_request_share_one_stack_view(monkeypatch):
    builds = []
    original = StackView.build.__func__
    monkeypatch.setattr(StackView, "build", classmethod(lambda cls, source: builds.append(1) or original(cls, source)))
    stack_policies = [p for p in all_policies() if isinstance(p, StackValidationPolicy)]
    assert len(stack_policies) > 10
    _, case = STACK_CASES[0]
    analyze_stack(servicer(stack_policies), case.resources)
    assert len(builds) == 1
    analyze_stack(servicer(stack_policies, cls=Stock), case.resources)
    assert len(builds) == 1 + len(stack_policies)  # the stock servicer hands each policy a new list


@pytest.mark.parametrize("raw", ['{"tags": {"environment": "prod", "account": "a"}}', "not json"])
def test_cached_provider_default_tags_are_fresh_dicts(raw):
    first = provider_default_tags({"defaultTags": raw})
    first["environment"] = "changed"
    assert provider_default_tags({"defaultTags": raw}).get("environment") in (None, "prod")
