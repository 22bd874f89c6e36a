"""The app team's service lands where the landing-zone contract says, and fails clearly when the contract does not fit."""

from __future__ import annotations

import copy
import json

import pytest
from conftest import run_example

from landing_zone import contract


@pytest.fixture(scope="module")
def app(landing_zone_outputs):
    return run_example(landing_zone_outputs)


@pytest.fixture(scope="module")
def apps(landing_zone_outputs) -> contract.Account:
    return contract.parse(landing_zone_outputs).account("prod-apps")


def one(plan: dict, type_token: str) -> dict:
    found = [r for r in plan["resources"] if r["type"] == type_token]
    assert len(found) == 1, [r["name"] for r in found]
    return found[0]


def test_reads_the_configured_landing_zone_stack(app):
    _, mocks = app
    assert mocks.references == ["org/landing-zone/prod"]


def test_service_runs_in_the_accounts_cluster_private_subnets_and_app_security_group(app, apps):
    plan, _ = app
    region = apps.region("ap-south-1")
    service = one(plan, "aws:ecs/service:Service")["inputs"]
    assert service["cluster"] == region.workloads.ecs.cluster_arn
    network = service["networkConfiguration"]
    assert network["subnets"] == region.vpc.subnet_ids["private"]
    assert network["securityGroups"] == [region.workloads.app_security_group_id]
    assert network["assignPublicIp"] is False


def test_behind_the_accounts_https_listener_in_its_vpc(app, apps):
    plan, _ = app
    region = apps.region("ap-south-1")
    rule = one(plan, "aws:lb/listenerRule:ListenerRule")["inputs"]
    assert rule["listenerArn"] == region.workloads.alb.https_listener_arn
    assert rule["conditions"][0]["pathPattern"]["values"] == ["/reports/*"]
    assert one(plan, "aws:lb/targetGroup:TargetGroup")["inputs"]["vpcId"] == region.vpc.id


def test_image_from_the_accounts_ecr_and_logs_under_its_cmk(app, apps):
    plan, _ = app
    region = apps.region("ap-south-1")
    task = one(plan, "aws:ecs/taskDefinition:TaskDefinition")["inputs"]
    [container] = json.loads(task["containerDefinitions"])
    assert container["image"] == region.workloads.ecr_repository_urls["los-api"] + ":1.0.0"
    assert container["readonlyRootFilesystem"] is True and container["user"] != "root"
    assert task["taskRoleArn"] != task["executionRoleArn"]
    log_group = one(plan, "aws:cloudwatch/logGroup:LogGroup")["inputs"]
    assert log_group["kmsKeyId"] == region.kms_key_arns["logs"]
    policy = json.loads(one(plan, "aws:iam/rolePolicy:RolePolicy")["inputs"]["policy"])
    pull = next(s for s in policy["Statement"] if s["Sid"] == "EcrPull")
    assert pull["Resource"] == f"arn:aws:ecr:ap-south-1:{apps.id}:repository/los-api"


def test_everything_lives_in_the_workload_account(app, apps):
    plan, _ = app
    provider = one(plan, "pulumi:providers:aws")
    assert json.loads(provider["inputs"]["allowedAccountIds"]) == [apps.id]
    for r in plan["resources"]:
        if r["custom"] and r["type"].startswith("aws:"):
            assert r["provider"].startswith(provider["urn"]), r["name"]  # and that provider refuses other accounts


def test_exports_the_url_and_the_deployment_role(app, apps):
    plan, _ = app
    assert plan["outputs"]["url"] == f"https://{apps.region('ap-south-1').workloads.alb.domain_name}/reports/"
    # its own pipeline's role, never another repository's (each role deploys only its repository's services)
    assert plan["outputs"]["deploymentRoleArn"] == apps.deployment_role_arns["example-org/los"]
    assert plan["outputs"]["deploymentRoleArn"].endswith(":role/landing-zone-deploy-los")


def test_the_kubeconfig_stays_out_of_the_apps_outputs(app):
    plan, mocks = app
    assert "kubeconfigs" in mocks.secret_names
    assert "apiVersion" not in json.dumps(plan["outputs"])


# --- a contract that does not fit: a clear error, not a half-built service --------------------------------------


def failure(run_app, outputs, config=None) -> str:
    with pytest.raises(Exception) as e:
        run_app(outputs, config)
    return str(e.value)


def test_a_newer_major_contract_is_refused(run_app, landing_zone_outputs):
    outputs = {**landing_zone_outputs, "contract_version": "2.0"}
    assert "publishes contract 2.0, this reader supports 1.x: upgrade the landing-zone package" in failure(run_app, outputs)


def test_an_unknown_account_names_the_known_ones(run_app, landing_zone_outputs):
    message = failure(run_app, landing_zone_outputs, {"account": "payments"})
    assert "no account 'payments' (the landing zone has: " in message and "prod-apps" in message


def test_an_unknown_repository_names_the_known_ones(run_app, landing_zone_outputs):
    assert "no ECR repository 'billing' (it has: " in failure(run_app, landing_zone_outputs, {"repository": "billing"})


def test_an_account_without_ecs_says_what_is_missing(run_app, landing_zone_outputs):
    outputs = copy.deepcopy(landing_zone_outputs)
    outputs["accounts"]["prod-apps"]["regions"]["ap-south-1"]["workloads"].pop("ecs")
    assert "accounts.prod-apps.regions.ap-south-1: no ecs to deploy onto" in failure(run_app, outputs)
