"""The pack on an app team's stack (examples/app-team): none of the landing zone's resources, its own project and
config. Organization-wide rules say "not a landing-zone stack" instead of failing; the resource rules still judge."""

import json
from pathlib import Path

import pytest

from landing_zone import check
from landing_zone.check_result import exit_code

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "policies"
EXAMPLE = ROOT / "examples" / "app-team"
PROVIDER = "urn:pulumi:prod::app-team::pulumi:providers:aws::workload"
KEY = "arn:aws:kms:ap-south-1:111111111111:key/00000000-0000-0000-0000-000000000001"


def _resource(type_: str, name: str, inputs: dict) -> dict:
    return {"urn": f"urn:pulumi:prod::app-team::{type_}::{name}", "type": type_, "name": name, "custom": True,
            "parent": "", "provider": f"{PROVIDER}::provider-id", "dependencies": [], "property_dependencies": {},
            "protect": False, "inputs": inputs, "id": f"{name}-id", "outputs": inputs}


def app_plan(password: str | None = None) -> dict:
    """The example's resources as `lz plan` records them (its provider names the account, tags no environment)."""
    provider = {"urn": PROVIDER, "type": "pulumi:providers:aws", "name": "workload", "custom": True, "parent": "",
                "provider": "", "dependencies": [], "property_dependencies": {}, "protect": False, "id": "provider-id",
                "inputs": {"region": "ap-south-1", "allowedAccountIds": json.dumps(["111111111111"]),
                           "defaultTags": json.dumps({"tags": {"team": "los", "service": "los-reports"}})},
                "outputs": {}}
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                                "Principal": {"Service": "ecs-tasks.amazonaws.com"}}]})
    environment = [{"name": "LOG_LEVEL", "value": "info"}] + (
        [{"name": "DB_PASSWORD", "value": password}] if password else [])
    containers = json.dumps([{"name": "app", "image": "111111111111.dkr.ecr.ap-south-1.amazonaws.com/los-api:1.0.0",
                              "environment": environment, "readonlyRootFilesystem": True, "user": "1000",
                              "logConfiguration": {"logDriver": "awslogs"}}])
    resources = [
        provider,
        _resource("aws:cloudwatch/logGroup:LogGroup", "los-reports-logs", {"retentionInDays": 365, "kmsKeyId": KEY}),
        _resource("aws:iam/role:Role", "los-reports-task", {"assumeRolePolicy": trust}),
        _resource("aws:ecs/taskDefinition:TaskDefinition", "los-reports", {"family": "los-reports",
                                                                           "containerDefinitions": containers}),
        _resource("aws:ecs/service:Service", "los-reports", {"cluster": "arn:aws:ecs:ap-south-1:111111111111:cluster/c",
                                                             "launchType": "FARGATE", "networkConfiguration": {
                                                                 "subnets": ["subnet-1"], "assignPublicIp": False}}),
    ]
    return {"project": "app-team", "stack": "prod", "resources": resources, "outputs": {}}


@pytest.fixture(scope="module")
def pack():
    with check.PolicyPackProcess(PACK, check.pack_environment(app_plan(), "prod", EXAMPLE)) as started:
        yield started


def test_organization_wide_rules_skip_an_app_stack_with_a_clear_note(pack):
    result = check.run_check(app_plan(), PACK, None, "prod", pack=pack)
    skipped = {name: reason for name, reason in result.not_applicable if "not a landing-zone stack" in reason}
    assert {"x-15-security-services-everywhere", "gov-02-account-baseline", "x-11-buckets-block-public-access"} <= \
        set(skipped), result.not_applicable
    assert all("project app-team" in reason for reason in skipped.values())
    assert not [v for v in result.violations if v.policy in skipped]


def test_resource_rules_still_judge_an_app_stack(pack):
    clean = check.run_check(app_plan(), PACK, None, "prod", pack=pack)
    assert not [v for v in clean.violations if v.policy.startswith("sec-01")]
    planted = check.run_check(app_plan(password="Sup3r-s3cret-pw"), PACK, None, "prod", pack=pack)
    found = [v for v in planted.violations if v.policy.startswith("sec-01")]
    assert found and found[0].name == "los-reports" and "DB_PASSWORD" in found[0].message
    assert exit_code(planted) == 1
