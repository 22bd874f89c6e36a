"""The real pack, started as the engine starts it, driven over the Analyzer gRPC protocol by landing_zone.check."""

import json
from pathlib import Path

import pytest

from landing_zone import check
from landing_zone.check_result import exit_code

PACK = Path(__file__).resolve().parents[2] / "policies"
PROVIDER_URN = "urn:pulumi:test::landing-zone::pulumi:providers:aws::workload-eu-west-1"
KEY = "arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000001"


def _resource(type_: str, name: str, inputs: dict) -> dict:
    return {"urn": f"urn:pulumi:test::landing-zone::{type_}::{name}", "type": type_, "name": name, "custom": True,
            "parent": "", "provider": f"{PROVIDER_URN}::provider-id", "dependencies": [],
            "property_dependencies": {}, "protect": False, "inputs": inputs, "id": f"{name}-id", "outputs": inputs}


def plan(ssh_cidr: str = "10.0.0.0/8", retention: int = 400) -> dict:
    provider = {"urn": PROVIDER_URN, "type": "pulumi:providers:aws", "name": "workload-eu-west-1", "custom": True,
                "parent": "", "provider": "", "dependencies": [], "property_dependencies": {}, "protect": False,
                "inputs": {"region": "eu-west-1",
                           "defaultTags": json.dumps({"tags": {"environment": "prod", "account": "workload"}})},
                "id": "provider-id", "outputs": {}}
    group = _resource("aws:ec2/securityGroup:SecurityGroup", "workload-eu-west-1-app", {
        "description": "app", "vpcId": "vpc-1",
        "ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": [ssh_cidr], "description": "ssh"}]})
    logs = _resource("aws:cloudwatch/logGroup:LogGroup", "workload-eu-west-1-app-logs",
                     {"retentionInDays": retention, "kmsKeyId": KEY})
    return {"project": "landing-zone", "stack": "test", "resources": [provider, group, logs], "outputs": {}}


@pytest.fixture(scope="module")
def pack():
    with check.PolicyPackProcess(PACK, check.pack_environment(plan(), "test", PACK)) as started:
        yield started


def _by_policy(result, prefix: str):
    return [v for v in result.violations if v.policy.startswith(prefix)]


def test_the_pack_exposes_every_rule_over_grpc(pack):
    result = check.run_check(plan(), PACK, None, "test", pack=pack)
    names = {p.name for p in result.policies}
    assert {"net-01-admin-ports-closed-to-internet", "log-13-log-retention", "gov-02-account-baseline"} <= names
    assert len(names) >= 72  # 70 single-resource rules (+ relaxed twins) before the stack rules


def test_planted_violations_are_found_and_named(pack):
    result = check.run_check(plan(ssh_cidr="0.0.0.0/0", retention=30), PACK, None, "test", pack=pack)
    net = _by_policy(result, "net-01")
    assert net and net[0].enforcement == "mandatory" and net[0].name == "workload-eu-west-1-app"
    assert "cidrBlocks" in net[0].message or "VPN" in net[0].message
    assert _by_policy(result, "log-13") and _by_policy(result, "log-13")[0].name == "workload-eu-west-1-app-logs"
    assert exit_code(result) == 1


def test_compliant_resources_raise_nothing_from_their_rules(pack):
    result = check.run_check(plan(), PACK, None, "test", pack=pack)
    assert not _by_policy(result, "net-0") and not _by_policy(result, "log-13")


def test_policy_config_overrides_threshold_and_level(pack):
    raised = check.run_check(plan(retention=400), PACK, {"log-13-log-retention": {"retentionDays": 731}}, "test",
                             pack=pack)
    assert [v.enforcement for v in _by_policy(raised, "log-13")] == ["mandatory"]
    relaxed = check.run_check(plan(ssh_cidr="0.0.0.0/0"), PACK,
                              {"net-01-admin-ports-closed-to-internet": "advisory"}, "test", pack=pack)
    assert {v.enforcement for v in _by_policy(relaxed, "net-01")} == {"advisory"}
    disabled = check.run_check(plan(ssh_cidr="0.0.0.0/0"), PACK,
                               {"net-01-admin-ports-closed-to-internet": "disabled"}, "test", pack=pack)
    assert not _by_policy(disabled, "net-01")
