"""The deployment roles' pure parts and their config: one role per repository, with only that repository's services.
(The roles, their access entries and policies as planned for dev and prod: tests/landing_zone/test_contract.py.)"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from components.deployment import (
    DEFAULT_NAMESPACE,
    ISSUERS,
    DeploymentTargets,
    eks_namespace,
    eks_namespaces,
    permissions_policy,
    subjects,
    trust_policy,
)
from landing_zone.cli import app
from landing_zone.config import stack_config
from landing_zone.models import PipelineRepository

ROOT = Path(__file__).resolve().parents[2]
PROD = {"config": stack_config("prod", ROOT)}


@pytest.mark.parametrize(("repository", "namespace"), [
    ("example-org/payments", "payments"),
    ("example-org/Data-Platform", "data-platform"),
    ("example-group/team/ledger", "ledger"),
    ("example-org/my_service", DEFAULT_NAMESPACE),  # not a DNS-1123 label
])
def test_a_repository_deploys_to_its_namespace_or_the_default(repository, namespace):
    assert eks_namespace(repository) == namespace


def test_configured_namespaces_replace_the_default():
    assert eks_namespaces(PipelineRepository(repo="example-org/los", branches=["main"])) == ["los"]
    assert eks_namespaces(PipelineRepository(repo="example-org/los", namespaces=["web", "api"], branches=["x"])) == ["api", "web"]


@pytest.mark.parametrize(("provider", "repository", "expected"), [
    ("github", {"repo": "example-org/los", "environment": "prod"}, ["repo:example-org/los:environment:prod"]),
    ("github", {"repo": "example-org/los", "branches": ["main", "develop"]},
     ["repo:example-org/los:ref:refs/heads/develop", "repo:example-org/los:ref:refs/heads/main"]),
    ("gitlab", {"repo": "example-group/team/ledger", "branches": ["main"]},
     ["project_path:example-group/team/ledger:ref_type:branch:ref:main"]),
])
def test_a_role_trusts_exactly_its_repositorys_subjects(provider, repository, expected):
    trusted = subjects(provider, PipelineRepository(**repository))
    assert trusted == expected
    issuer = ISSUERS[provider]
    (statement,) = json.loads(trust_policy(issuer, "arn:aws:iam::111111111111:oidc-provider/x", trusted))["Statement"]
    assert statement["Condition"] == {"StringEquals": {f"{issuer.host}:aud": issuer.audience, f"{issuer.host}:sub": expected}}


def test_a_repository_gets_only_its_own_services_images_and_roles():
    targets = DeploymentTargets(
        ecr_repository_arns={"los-api": "ecr/los", "lms-api": "ecr/lms"}, ecs_cluster_arn="cluster", ecs_cluster_name="c",
        pass_role_arns={"los-api": ["los-task", "los-exec"], "lms-api": ["lms-task", "lms-exec"]})
    own = targets.owned_by(PipelineRepository(repo="example-org/los", services=["los-api"], environment="prod"))
    assert own.ecr_repository_arns == {"los-api": "ecr/los"} and own.pass_role_arns == {"los-api": ["los-task", "los-exec"]}
    none = targets.owned_by(PipelineRepository(repo="example-org/docs", environment="prod"))
    assert none.ecr_repository_arns == {} and none.pass_role_arns == {} and none.ecs_cluster_arn is None


def test_ecs_rights_name_each_owned_service_and_pass_role_goes_only_to_ecs_tasks():
    roles = ["arn:aws:iam::111111111111:role/api-task", "arn:aws:iam::111111111111:role/api-execution"]
    policy = json.loads(permissions_policy(
        partition="aws", region="ap-south-1", account_id="111111111111", repository_arns=[],
        ecs_cluster_arn="arn:aws:ecs:ap-south-1:111111111111:cluster/c", ecs_cluster_name="c", pass_role_arns=roles,
        eks_cluster_name=None, services=["api"]))
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["EcsServices"]["Resource"] == ["arn:aws:ecs:ap-south-1:111111111111:service/c/api"]  # not service/c/*
    assert by_sid["PassServiceRolesToEcs"]["Resource"] == sorted(roles)
    assert by_sid["PassServiceRolesToEcs"]["Condition"] == {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}


def validate(tmp_path: Path, change) -> tuple[int, str]:
    doc = copy.deepcopy(PROD)
    accounts = {a["name"]: a for a in doc["config"]["landing-zone:accounts"]}
    change(accounts)
    (tmp_path / "Pulumi.prod.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    result = CliRunner().invoke(app, ["validate", "--stack", "prod", "--root", str(tmp_path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def repos(accounts, name):
    return accounts[name]["workloads"]["deployment"]["repositories"]


@pytest.mark.parametrize(("change", "message"), [
    (lambda a: repos(a, "prod-apps")[0].update(environment=None, branches=["main"]),
     "repositories[0].environment: prod deploys run behind a GitHub environment's approval"),
    (lambda a: repos(a, "prod-apps")[1].update(services=["los-api"]),
     "service los-api has two owners"),
    (lambda a: repos(a, "prod-apps").pop(), "repositories: service web (ecs.services[2]) has no owner"),
    (lambda a: repos(a, "nonprod-apps")[1].update(services=[]), "repositories: service lms-api (ecs.services[1]) has no owner"),
    (lambda a: repos(a, "prod-apps")[0].update(services=["billing"]),
     "repositories[0].services: billing is not a service of accounts.prod-apps.workloads.ecs"),
    (lambda a: repos(a, "nonprod-apps")[0].update(environment="dev"),
     "set environment (a GitHub environment) or branches, exactly one"),
    (lambda a: repos(a, "prod-apps")[0].update(repo="example-org/*"), "repositories[0].repo: String should match"),
    (lambda a: repos(a, "nonprod-apps").append({"repo": "other-org/los", "branches": ["main"]}),
     "two repositories are named los"),
    (lambda a: a["prod-apps"]["workloads"]["deployment"].update(subjects=["repo:example-org/los:ref:refs/heads/main"]),
     "subjects"),
])
def test_a_bad_deployment_config_names_the_field_and_exits_2(tmp_path, change, message):
    code, output = validate(tmp_path, change)
    assert code == 2 and message in " ".join(output.split()), output
    assert "Traceback" not in output


def test_the_sample_deployment_config_is_valid(tmp_path):
    assert validate(tmp_path, lambda a: None)[0] == 0
