"""Pack-wide properties: catalogue coverage, docs in sync, config overrides, environments, unknowns."""

import json
import re
from pathlib import Path

import pytest
from harness import analyze, run_case, servicer, violations
from lz_policies import all_policies, all_rules
from lz_policies.docs import README, render, rules_table
from lz_policies.framework import UNKNOWN, Case, ResourceRule, environment_of

CONTROLS = Path("/work/shared/CONTROLS.md")
SECTION_1_FAMILIES = ("NET", "EAR", "EIT", "LOG", "IAM", "CTR", "DAT", "GOV")
RULES = {rule.id: rule for rule in all_rules()}


def section_1_ids() -> list[str]:
    if CONTROLS.exists():
        section = CONTROLS.read_text().split("## 2.")[0]
        return sorted(set(re.findall(r"^\| ((?:NET|EAR|EIT|LOG|IAM|CTR|DAT|GOV)-\d\d) \|", section, re.M)))
    counts = {"NET": 10, "EAR": 13, "EIT": 6, "LOG": 15, "IAM": 8, "CTR": 8, "DAT": 8, "GOV": 2}
    return sorted(f"{family}-{n:02d}" for family, count in counts.items() for n in range(1, count + 1))


def test_all_70_single_resource_rules_of_the_catalogue_exist():
    wanted = section_1_ids()
    assert len(wanted) == 70
    assert sorted(i for i in RULES if i.split("-")[0] in SECTION_1_FAMILIES) == wanted


def test_every_rule_is_documented_with_references_and_policy_objects_build():
    for rule in RULES.values():
        assert rule.refs and rule.description and rule.title, rule.id
        assert [p.name for p in rule.policies()] == rule.policy_names
    names = [p.name for p in all_policies()]
    assert len(names) == len(set(names))


def test_readme_table_is_generated_from_the_registry():
    text = README.read_text()
    assert render(text, rules_table()) == text, "run `python -m lz_policies.docs` in policies/"
    for rule_id in RULES:
        assert f"| {rule_id} |" in text


def test_a_rule_without_cases_is_caught_by_the_coverage_test():
    from test_rule_cases import test_rule_has_violating_and_compliant_case

    bare = ResourceRule(id="ZZZ-01", name="zzz-01-x", title="t", description="d", refs="r",
                        types=("aws:ec2/vpc:Vpc",), checks=(lambda r: iter(()),))
    with pytest.raises(AssertionError, match="no violating case"):
        test_rule_has_violating_and_compliant_case(bare)


def test_threshold_override_turns_a_compliant_case_into_a_violation():
    rule = RULES["LOG-13"]
    case = Case({"name": "app", "retentionInDays": 400}, violates=False)
    assert not violations(run_case(rule, case))
    assert violations(run_case(rule, case, {"retentionDays": 731}))
    backup = RULES["DAT-02"]
    cluster = Case({"engine": "aurora-mysql", "deletionProtection": True, "backupRetentionPeriod": 15}, violates=False)
    assert not violations(run_case(backup, cluster))
    assert violations(run_case(backup, cluster, {"backupRetentionDays": 30}))


def test_enforcement_level_override_and_disable():
    rule = RULES["NET-01"]
    props = {"description": "sg", "ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22,
                                               "cidrBlocks": ["0.0.0.0/0"], "description": "ssh"}]}
    default = analyze(servicer(rule.policies()), "aws:ec2/securityGroup:SecurityGroup", props)
    assert {d.level for d in default} == {"mandatory"}
    advisory = analyze(servicer(rule.policies(), {rule.name: "advisory"}), "aws:ec2/securityGroup:SecurityGroup", props)
    assert advisory and {d.level for d in advisory} == {"advisory"}
    assert not analyze(servicer(rule.policies(), {rule.name: "disabled"}), "aws:ec2/securityGroup:SecurityGroup", props)


def test_sandbox_relaxes_deletion_protection_to_advisory():
    rule = RULES["DAT-08"]
    lb = {"loadBalancerType": "application"}
    prod = analyze(servicer(rule.policies()), "aws:lb/loadBalancer:LoadBalancer", lb, env="prod")
    sandbox = analyze(servicer(rule.policies()), "aws:lb/loadBalancer:LoadBalancer", lb, env="sandbox")
    assert [(d.policy, d.level) for d in prod] == [(rule.name, "mandatory")]
    assert [(d.policy, d.level) for d in sandbox] == [(rule.relaxed_name, "advisory")]


def test_environment_comes_from_provider_default_tags_in_either_encoding_then_own_tags():
    tags = {"tags": {"environment": "sandbox", "account": "play"}}
    assert environment_of({}, {"defaultTags": json.dumps(tags)}) == "sandbox"
    assert environment_of({}, {"defaultTags": tags}) == "sandbox"
    assert environment_of({"tags": {"environment": "nonprod"}}, {}) == "nonprod"
    assert environment_of({"tags": {"Name": "prod-db"}}, {}) is None  # never guessed from names


@pytest.mark.parametrize(("rule_id", "type_", "props"), [
    ("NET-10", "aws:rds/clusterInstance:ClusterInstance", {"publiclyAccessible": UNKNOWN}),
    ("CTR-04", "aws:ecs/taskDefinition:TaskDefinition", {"family": "f", "containerDefinitions": UNKNOWN}),
    ("EAR-03", "aws:rds/cluster:Cluster", {"storageEncrypted": True, "kmsKeyId": UNKNOWN}),
    ("IAM-01", "aws:iam/policy:Policy", {"policy": UNKNOWN}),
    ("GOV-01", "aws:ec2/vpc:Vpc", {"tags": UNKNOWN}),
])
def test_unknown_values_give_an_advisory_not_a_crash(rule_id, type_, props):
    rule = RULES[rule_id]
    diagnostics = analyze(servicer(rule.policies()), type_, props, env=None)
    assert diagnostics, "an unknown value must never pass silently"
    assert all(d.level == "advisory" and "cannot verify during preview" in d.message for d in diagnostics)


def test_unknown_in_one_check_still_reports_the_other_checks():
    rule = RULES["CTR-05"]
    containers = json.dumps([{"name": "app", "environment": [{"name": "API_TOKEN", "value": "x"}]}])
    diagnostics = analyze(servicer(rule.policies()), "aws:ecs/taskDefinition:TaskDefinition",
                          {"containerDefinitions": containers, "taskRoleArn": UNKNOWN, "executionRoleArn": "arn:x"})
    assert any(d.level == "mandatory" and "API_TOKEN" in d.message for d in diagnostics)
    assert any(d.level == "advisory" and "taskRoleArn" in d.message for d in diagnostics)
