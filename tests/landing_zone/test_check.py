"""The offline check drives a real pack process over the Analyzer gRPC protocol, as the engine does."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from landing_zone import check, plan, wire
from landing_zone.check_result import REDACTED, CheckError, exit_code, redact, secret_values
from landing_zone.plan_index import index_by_urn
from landing_zone.reports import render

REPO_ROOT = Path(__file__).resolve().parents[2]
GRAPH = REPO_ROOT / "tests" / "fixtures" / "programs" / "graph" / "__main__.py"
PACK = REPO_ROOT / "tests" / "fixtures" / "pack"
SECRET = "hunter2-correct-horse-battery"
FORMATS = ("text", "json", "sarif", "junit")


def graph_plan(cidr: str = "10.9.0.0/16", preview: bool = False, parameter_type: str = "SecureString") -> dict:
    config = plan.encode_config({"aws:region": "ap-south-1", "network": {"cidr": cidr}, "db_password": SECRET,
                                 "parameter_type": parameter_type})
    return plan.build_plan(plan.run_program(GRAPH, "test", config, ["landing-zone:db_password"], preview=preview))


@pytest.fixture(scope="module")
def pack():
    """One started pack for the module (starting it costs about a second)."""
    with check.PolicyPackProcess(PACK, check.PackEnvironment(project="landing-zone", stack="test", dry_run=False)) as p:
        yield p


def test_planted_violation_is_found_through_grpc_and_fails(pack):
    result = check.run_check(graph_plan(cidr="192.168.0.0/16"), PACK, None, "test", pack=pack)
    assert exit_code(result) == 1
    [violation] = result.mandatory
    assert violation.policy == "vpc-cidr-allowed" and violation.severity == "high"
    assert violation.name == "workload-ap-south-1-box-vpc" and violation.type == "aws:ec2/vpc:Vpc"
    assert violation.urn.endswith("::workload-ap-south-1-box-vpc") and violation.account == "workload"
    assert "192.168.0.0/16" in violation.message and "Fix:" in violation.message


def test_compliant_plan_passes(pack):
    result = check.run_check(graph_plan(), PACK, None, "test", pack=pack)
    assert result.violations == [] and exit_code(result) == 0
    assert result.resources_checked == len(graph_plan()["resources"])
    assert {p.name for p in result.policies} == {"vpc-cidr-allowed", "subnet-in-known-vpc", "parameters-are-secure"}


def test_policy_config_merges_schema_defaults_all_and_per_policy(pack):
    planned = graph_plan(cidr="192.168.0.0/16")
    allowed = check.run_check(planned, PACK, {"vpc-cidr-allowed": {"allowedPrefix": "192.168."}}, "test", pack=pack)
    assert exit_code(allowed) == 0
    advisory = check.run_check(planned, PACK, {"all": "advisory"}, "test", pack=pack)
    assert exit_code(advisory) == 0 and [v.enforcement for v in advisory.violations] == ["advisory"]
    disabled = check.run_check(planned, PACK, {"vpc-cidr-allowed": "disabled"}, "test", pack=pack)
    assert disabled.violations == []
    assert 'skipped message="disabled by policy config"' in render(disabled, "junit")
    with pytest.raises(CheckError, match="unknown policies: vpc-cidr"):
        check.run_check(planned, PACK, {"vpc-cidr": "disabled"}, "test", pack=pack)
    with pytest.raises(CheckError, match="allowedPrefix: expected string"):
        check.run_check(planned, PACK, {"vpc-cidr-allowed": {"allowedPrefix": 10}}, "test", pack=pack)


def test_stack_policy_sees_outputs_and_secrets_never_reach_a_report(pack):
    result = check.run_check(graph_plan(parameter_type="String"), PACK, None, "test", pack=pack)
    [violation] = result.violations
    assert violation.policy == "parameters-are-secure" and violation.name == "workload-ap-south-1-db-password"
    assert REDACTED in violation.message  # the careless policy echoed the value: it was redacted
    for fmt in FORMATS:
        rendered = render(result, fmt)
        assert SECRET not in rendered, fmt
        assert "workload-ap-south-1-db-password" in rendered, fmt


def test_analyze_request_carries_options_and_the_providers_inputs():
    planned = graph_plan()
    index = index_by_urn(planned)
    subnet = next(r for r in planned["resources"] if r["type"] == "aws:ec2/subnet:Subnet")
    request = check.analyze_request(index, subnet)
    assert request.options.protect is True and request.options.parent == subnet["parent"]
    assert request.provider.name == "workload-ap-south-1" and request.provider.type == "pulumi:providers:aws"
    assert json.loads(request.provider.properties["defaultTags"])["tags"]["account"] == "workload"
    stack_entry = check.stack_resource(index, subnet)
    assert list(stack_entry.propertyDependencies["vpcId"].urns) == subnet["property_dependencies"]["vpcId"]
    assert list(stack_entry.dependencies) == subnet["dependencies"]


def test_preview_unknowns_give_an_advisory_not_a_crash():
    result = check.run_check(graph_plan(preview=True), PACK, None, "test")
    assert result.preview is True and exit_code(result) == 0
    unknown = [v for v in result.violations if v.preview_unknown]
    assert [v.policy for v in unknown] == ["subnet-in-known-vpc"] and unknown[0].enforcement == "advisory"
    text = render(result, "text")
    assert "could not run because values are unknown" in text and "subnet-in-known-vpc: 1 resource(s)" in text
    assert json.loads(render(result, "json"))["summary"]["unknown_during_preview"] == 1


def test_reports_are_valid_sarif_and_junit(pack):
    result = check.run_check(graph_plan(cidr="192.168.0.0/16"), PACK, None, "test", pack=pack)
    sarif = json.loads(render(result, "sarif"))
    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [p.name for p in result.policies]
    [finding] = run["results"]
    assert finding["ruleId"] == "vpc-cidr-allowed" and finding["level"] == "error"
    assert finding["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == result.mandatory[0].urn
    junit = ET.fromstring(render(result, "junit"))
    cases = {c.get("name"): c for c in junit.iter("testcase")}
    assert set(cases) == {p.name for p in result.policies}
    assert cases["vpc-cidr-allowed"].find("failure") is not None
    assert cases["subnet-in-known-vpc"].find("failure") is None
    doc = json.loads(render(result, "json"))
    assert set(doc["violations"][0]) >= {"policy", "enforcement", "severity", "urn", "name", "type", "message"}
    assert doc["summary"]["mandatory"] == 1 and doc["summary"]["passed"] is False


def test_a_pack_that_fails_to_start_is_reported_with_its_own_error(tmp_path):
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (tmp_path / "__main__.py").write_text("raise RuntimeError('pack exploded: missing rule module')\n")
    with pytest.raises(CheckError, match="failed to start(.|\n)*pack exploded: missing rule module"):
        check.run_check(graph_plan(), tmp_path, None, "test")


def test_the_real_pack_runs_end_to_end():
    real = REPO_ROOT / "policies"
    if not (real / "PulumiPolicy.yaml").exists():
        pytest.skip("policies/ not written yet")
    result = check.run_check(graph_plan(), real, None, "test")
    assert result.policies and result.resources_checked > 0
    assert exit_code(result) in (0, 1)


def test_a_structured_secret_redacts_its_values_not_its_vocabulary():
    """A kubeconfig is a secret, but its `kind: Config` is not: reports must not turn every "Config" into [secret]."""
    token = "k8s-aws-v1.abcdefghijklmnop"
    kubeconfig = {"kind": "Config", "apiVersion": "v1", "users": [{"user": {"token": token}}]}
    planned = {"resources": [{"inputs": {}, "outputs": {"kubeconfig": {wire.SIG_KEY: wire.SECRET_SIG,
                                                                         "value": kubeconfig}},
                              "type": "eks:index:Cluster", "urn": "urn:x"}],
               "outputs": {"password": {wire.SIG_KEY: wire.SECRET_SIG, "value": "hunter2"}}}
    secrets = secret_values(planned)
    assert token in secrets and "hunter2" in secrets
    message = redact(f"Config recorder; token {token}; password hunter2", secrets)
    assert message == "Config recorder; token [secret]; password [secret]"


def test_a_config_too_large_for_the_environment_reaches_the_pack_through_configure_stack():
    """Linux refuses an environment string over 128 KiB; a 1,000-account config is larger. The pack still sees the
    stack's config: here its split part, which makes a whole-organization rule not apply."""
    real = REPO_ROOT / "policies"
    big = {"landing-zone:stack": json.dumps({"part": "network"}), "landing-zone:padding": "x" * 200_000}
    env = check.PackEnvironment(project="landing-zone", stack="acme.network", dry_run=False,
                                config=tuple(sorted(big.items())))
    with check.PolicyPackProcess(real, env) as started:
        result = check.check_with(started, graph_plan(), None, "acme.network")
    assert any(name == "cost-01-workload-account-budget" and "whole organization" in reason
               for name, reason in result.not_applicable)
