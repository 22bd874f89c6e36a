"""Pack-wide properties: catalogue coverage, docs in sync, config overrides, environments, unknowns."""

import json
import re
from pathlib import Path

import pytest
from harness import analyze, run_case, servicer, violations
from lz_policies import all_policies, all_rules
from lz_policies.docs import README, render, rules_table
from lz_policies.rules import Case, ResourceRule
from lz_policies.tags import environment_of
from lz_policies.values import UNKNOWN

REPO = Path(__file__).resolve().parents[2]
# The catalogue lives in shared/ BESIDE the repository (CI clones the repo next to it); the fallback is the
# workspace's absolute path, then the counts it had when this test was last updated.
CONTROLS_CANDIDATES = (REPO.parent / "shared" / "CONTROLS.md", Path("/work/shared/CONTROLS.md"))
SECTION_1_FAMILIES = ("NET", "EAR", "EIT", "LOG", "IAM", "CTR", "DAT", "GOV")
RULES = {rule.id: rule for rule in all_rules()}


def controls_text(candidates: tuple[Path, ...] = CONTROLS_CANDIDATES) -> str | None:
    found = next((path for path in candidates if path.exists()), None)
    return found.read_text() if found else None


def catalogue_ids(text: str | None = None) -> tuple[list[str], list[str]]:
    """(section 1 single-resource ids, section 2 stack ids) of the catalogue."""
    text = controls_text() if text is None else text
    if text is not None:
        section_1, _, section_2 = text.partition("## 2.")
        single = re.findall(r"^\| ((?:NET|EAR|EIT|LOG|IAM|CTR|DAT|GOV)-\d\d) \|", section_1, re.M)
        stack = re.findall(r"^\| (X-\d\d) \|", section_2.split("## 3.")[0], re.M)
        return sorted(set(single)), sorted(set(stack))
    counts = {"NET": 11, "EAR": 13, "EIT": 6, "LOG": 15, "IAM": 11, "CTR": 8, "DAT": 8, "GOV": 2}
    single = [f"{family}-{n:02d}" for family, count in counts.items() for n in range(1, count + 1)]
    return sorted(single), [f"X-{n:02d}" for n in range(1, 19)]


def test_every_single_resource_rule_of_the_catalogue_exists():
    wanted, _ = catalogue_ids()
    assert len(wanted) >= 74  # the catalogue of issue 12 (NET-11, IAM-09..IAM-11 added)
    assert sorted(i for i in RULES if i.split("-")[0] in SECTION_1_FAMILIES) == wanted


def test_every_stack_rule_of_the_catalogue_exists():
    _, wanted = catalogue_ids()
    assert "X-18" in wanted
    assert set(wanted) <= set(RULES)


def test_catalogue_is_read_beside_the_repository_first(tmp_path):
    assert CONTROLS_CANDIDATES[0] == REPO.parent / "shared" / "CONTROLS.md"
    beside = tmp_path / "shared" / "CONTROLS.md"
    beside.parent.mkdir()
    beside.write_text("| NET-01 | x |\n## 2. Stack\n| X-01 | y |\n## 3. SCPs\n| X-99 | z |\n")
    text = controls_text((beside, tmp_path / "absent.md"))
    assert catalogue_ids(text) == (["NET-01"], ["X-01"])
    assert controls_text((tmp_path / "absent.md",)) is None


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
