"""The app-team contract: models, versions, the schema snapshot and its compatibility, and the real outputs."""

from __future__ import annotations

import copy
import json
import re
import warnings
from pathlib import Path

import pytest

from landing_zone import contract, wire

ROOT = Path(__file__).resolve().parents[2]


def sample_outputs(version: str = contract.CONTRACT_VERSION) -> dict:
    arn = "arn:aws:ecs:ap-south-1:123456789012:cluster/prod-apps"
    return {
        "contract_version": version,
        "organization": {"name": "acme", "home_region": "ap-south-1", "dr_region": "ap-south-2"},
        "accounts": {
            "prod-apps": {
                "name": "prod-apps", "id": "123456789012", "environment": "prod", "ou": "Prod", "role": "workload",
                "segment": "prod", "deployment_role_arn": "arn:aws:iam::123456789012:role/deploy",
                "regions": {"ap-south-1": {
                    "vpc": {"id": "vpc-1", "cidr": "10.1.0.0/16", "subnet_ids": {"private": ["subnet-1", "subnet-2"]}},
                    "kms_key_arns": {"data": "arn:aws:kms:ap-south-1:123456789012:key/1"},
                    "workloads": {"ecs": {"cluster_arn": arn, "cluster_name": "prod-apps", "service_names": ["web"]}},
                }},
            },
        },
        "network": {"transit_gateways": {"ap-south-1": {"id": "tgw-1", "route_table_ids": {"prod": "tgw-rtb-1"}}}},
        "kubeconfigs": {"prod-data": {"ap-south-1": wire.secret("apiVersion: v1")}},
    }


# --- parsing and versions ---------------------------------------------------------------------------------------


def test_parse_gives_typed_outputs_and_unwraps_secrets():
    c = contract.parse(sample_outputs())
    apps = c.account("prod-apps")
    assert apps.region("ap-south-1").vpc.subnet_ids["private"] == ["subnet-1", "subnet-2"]
    assert apps.region("ap-south-1").workloads.ecs.service_names == ["web"]
    assert c.kubeconfigs["prod-data"]["ap-south-1"].get_secret_value() == "apiVersion: v1"
    assert "apiVersion" not in repr(c)  # the kubeconfig never shows in logs


def test_unknown_account_and_region_name_what_exists():
    c = contract.parse(sample_outputs())
    with pytest.raises(contract.ContractError, match=r"no account 'payments' \(the landing zone has: prod-apps\)"):
        c.account("payments")
    with pytest.raises(contract.ContractError, match=r"accounts.prod-apps.regions: no region 'eu-west-1' \(.*ap-south-1"):
        c.account("prod-apps").region("eu-west-1")


def test_invalid_outputs_name_the_field():
    outputs = sample_outputs()
    del outputs["accounts"]["prod-apps"]["regions"]["ap-south-1"]["vpc"]["cidr"]
    outputs["accounts"]["prod-apps"]["id"] = "12345"
    with pytest.raises(contract.ContractError) as e:
        contract.parse(outputs)
    assert "accounts.prod-apps.regions.ap-south-1.vpc.cidr: Field required" in str(e.value)
    assert "accounts.prod-apps.id: String should match pattern" in str(e.value)


@pytest.mark.parametrize(("version", "message"), [
    ("2.0", r"publishes contract 2.0, this reader supports 1.x: upgrade the landing-zone package"),
    ("0.9", r"publishes contract 0.9, older than the 1.x this reader supports: update the landing-zone stack"),
    ("one", r"'one' is not MAJOR.MINOR"),
    (None, r"None is not MAJOR.MINOR; is the referenced stack a landing zone"),
])
def test_other_major_versions_are_refused_saying_which_side_to_upgrade(version, message):
    with pytest.raises(contract.ContractVersionError, match=message):
        contract.parse(sample_outputs(version))


def test_newer_minor_is_readable_with_a_warning_and_unknown_fields_ignored():
    outputs = sample_outputs("1.7")
    outputs["accounts"]["prod-apps"]["regions"]["ap-south-1"]["vpc"]["ipv6_cidr"] = "2001:db8::/56"  # a 1.7 field
    seen: list[str] = []
    c = contract.parse(outputs, warn=seen.append)
    assert c.account("prod-apps").region("ap-south-1").vpc.cidr == "10.1.0.0/16"
    assert len(seen) == 1 and f"newer than {contract.CONTRACT_VERSION}: readable" in seen[0]
    with pytest.warns(contract.ContractVersionWarning):
        contract.parse(outputs)


def test_same_or_older_minor_reads_silently():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert contract.parse(sample_outputs("1.0")).contract_version == "1.0"
    assert contract.check_version("1.0", supported="1.3") is None


# --- the schema and its compatibility -----------------------------------------------------------------------------


def live() -> dict:
    return json.loads(contract.schema_json())


def test_schema_json_is_a_json_schema_carrying_the_version():
    schema = live()
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["x-contract-version"] == contract.CONTRACT_VERSION
    assert {"contract_version", "accounts", "network", "logging", "kubeconfigs"} <= set(schema["properties"])
    assert schema["$defs"]["Eks"]["required"] == ["cluster_name", "endpoint", "oidc_provider_arn"]


def test_checked_in_snapshot_is_current():
    snapshot = (ROOT / "contract" / "schema.json").read_text()
    assert snapshot == contract.schema_json(), (
        "contract/schema.json is stale: run `lz contract --schema > contract/schema.json` "
        "(and bump CONTRACT_VERSION: minor for added optional fields, major for anything else)")


def test_current_version_is_released_and_live_schema_breaks_no_release_of_its_major():
    released = contract.released_schemas(ROOT)
    assert contract.CONTRACT_VERSION in released, "add contract/released/<version>.json when bumping the version"
    assert contract.compatibility_errors(released, live()) == []


def _vpc(schema: dict) -> dict:
    return schema["$defs"]["Vpc"]


def test_removing_a_field_is_caught():
    schema = live()
    del _vpc(schema)["properties"]["cidr"]
    _vpc(schema)["required"].remove("cidr")
    errors = contract.compatibility_errors({"1.0": live()}, schema)
    assert errors == ["breaks contract 1.0 without a major bump: $.accounts.*.regions.*.vpc.cidr: removed"]


def test_renaming_a_field_is_caught_and_hinted():
    schema = live()
    _vpc(schema)["properties"]["cidr_block"] = _vpc(schema)["properties"].pop("cidr")
    assert contract.breaking_changes(live(), schema) == ["$.accounts.*.regions.*.vpc.cidr: removed (renamed to cidr_block?)"]


def test_type_change_and_loosened_requirement_are_caught():
    schema = live()
    schema["$defs"]["Aurora"]["properties"]["port"] = {"type": "string"}
    schema["$defs"]["Eks"]["required"].remove("endpoint")
    changes = contract.breaking_changes(live(), schema)
    assert "$.accounts.*.regions.*.workloads.eks.endpoint: was required, now optional (readers of the old version rely on it)" in changes
    assert "$.accounts.*.regions.*.workloads.aurora.port: type changed from integer to string" in changes


def test_adding_an_optional_field_stays_compatible_but_a_required_one_does_not():
    schema = live()
    _vpc(schema)["properties"]["ipv6_cidr"] = {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}
    assert contract.compatibility_errors({"1.0": live()}, schema) == []
    _vpc(schema)["required"].append("ipv6_cidr")
    assert contract.breaking_changes(live(), schema) == [
        "$.accounts.*.regions.*.vpc.ipv6_cidr: new required field (stacks of the old version lack it; give it a default)"]


def test_a_major_bump_allows_breaking_changes():
    schema = live()
    del _vpc(schema)["properties"]["cidr"]
    schema["x-contract-version"] = "2.0"
    assert contract.compatibility_errors({"1.0": live()}, schema) == []


def test_a_real_model_change_is_caught(monkeypatch):
    """Not only hand-edited dicts: a field dropped from the pydantic model shows up as removed."""
    from pydantic import create_model

    fields = {n: (f.annotation, f) for n, f in contract.Redis.model_fields.items() if n != "port"}
    smaller = create_model("Redis", __base__=contract.Model, **fields)
    monkeypatch.setitem(contract.Workloads.model_fields, "redis", copy.copy(contract.Workloads.model_fields["redis"]))
    contract.Workloads.model_fields["redis"].annotation = smaller | None
    contract.Workloads.model_rebuild(force=True)
    contract.Region.model_rebuild(force=True)
    contract.Account.model_rebuild(force=True)
    contract.Contract.model_rebuild(force=True)
    try:
        changes = contract.breaking_changes(contract.released_schemas(ROOT)["1.0"], live())
    finally:
        monkeypatch.undo()
        for model in (contract.Workloads, contract.Region, contract.Account, contract.Contract):
            model.model_rebuild(force=True)
    assert changes == ["$.accounts.*.regions.*.workloads.redis.port: removed"]
    assert contract.breaking_changes(contract.released_schemas(ROOT)["1.0"], live()) == []


# --- the real outputs: dev and prod plans -----------------------------------------------------------------------

import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

from plans import STACKS, plan_of  # noqa: E402

from landing_zone.config import load_stack  # noqa: E402
from landing_zone.wire import is_secret  # noqa: E402

RESOURCE_STAR_ACTIONS = {"ecr:GetAuthorizationToken", "ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"}


@pytest.fixture(scope="module", params=STACKS)
def stack(request) -> str:
    return request.param


def test_outputs_validate_against_the_contract_and_match_the_config(stack):
    cfg, outputs = load_stack(stack, ROOT), plan_of(stack)["outputs"]
    c = contract.parse(outputs)
    assert c.contract_version == contract.CONTRACT_VERSION
    assert sorted(c.accounts) == sorted(a.name for a in cfg.accounts)
    for account in cfg.accounts:
        out = c.account(account.name)
        assert (out.environment, out.ou, out.segment) == (account.environment, account.ou, account.network_segment)
        for region, vpc in account.vpcs.items():
            got = out.region(region).vpc
            assert got.cidr == vpc.cidr and got.id.startswith("vpc-") and got.tgw_attachment_id
            assert len(got.subnet_ids["private"]) == vpc.azs
        wl, home = account.workloads, out.regions.get(cfg.organization.home_region)
        if wl.ecs:
            assert home.workloads.ecs.service_names == [s.name for s in wl.ecs.services]
            assert set(home.workloads.ecr_repository_urls) == {s.name for s in wl.ecs.services}
        if wl.eks:
            # (the account part comes from the pulumi-eks mock, which does not know the account: shape only)
            assert re.match(rf"arn:aws:iam::\d{{12}}:oidc-provider/oidc.eks.{cfg.organization.home_region}.",
                            home.workloads.eks.oidc_provider_arn)
            assert c.kubeconfigs[account.name][cfg.organization.home_region].get_secret_value()
        if wl.aurora:
            assert home.workloads.aurora.master_secret_arn.startswith(f"arn:aws:secretsmanager:{cfg.organization.home_region}:{out.id}:")
        if wl.edge:
            assert ":listener/app/" in home.workloads.alb.https_listener_arn
        assert set(home.workloads.queue_urls if home else {}) == {q.name for q in wl.queues}
        repositories = [r.repo for r in wl.deployment.repositories] if wl.deployment else []
        assert sorted(out.deployment_role_arns) == sorted(repositories)  # one role per repository
        assert out.deployment_role_arn == (out.deployment_role_arns[repositories[0]] if len(repositories) == 1 else None)
    for region in cfg.regions:
        assert set(cfg.network.segments) <= set(c.network.transit_gateways[region].route_table_ids)
    assert (c.network.client_vpn_endpoint_id is not None) == (cfg.network.client_vpn is not None)
    assert c.logging.trail_arn and c.logging.bucket_name


def test_only_the_kubeconfigs_are_secret(stack):
    """Reading a subnet id must never make the app team's own outputs secret."""
    outputs = plan_of(stack)["outputs"]
    assert [k for k, v in outputs.items() if is_secret(v) or "apiVersion" in json.dumps(v)] == ["kubeconfigs"]


def _deploy_resources(plan: dict, account_id: str, slug: str) -> dict[str, dict]:
    """The OIDC provider of the account and the role + policy of one repository (by its name)."""
    found = {}
    for r in plan["resources"]:
        arn = str(r["outputs"].get("arn", ""))
        if r["type"] == "aws:iam/openIdConnectProvider:OpenIdConnectProvider" and f":{account_id}:" in arn:
            found["OpenIdConnectProvider"] = r
        if r["type"] == "aws:iam/role:Role" and r["name"].endswith(f"-deploy-{slug}-role") and f":{account_id}:" in arn:
            found["Role"] = r
        if r["type"] == "aws:iam/rolePolicy:RolePolicy" and r["name"].endswith(f"-deploy-{slug}-policy") \
                and r["inputs"].get("role") == f"landing-zone-deploy-{slug}" and f":{account_id}:" in r["inputs"]["policy"]:
            found["RolePolicy"] = r
    return found


def _deployments(cfg):
    for account in (a for a in cfg.accounts if a.workloads.deployment):
        for repository in account.workloads.deployment.repositories:
            yield account, repository, repository.repo.rsplit("/", 1)[-1]


def test_each_repository_has_a_role_trusting_only_its_subjects_and_deploying_only_its_services(stack):
    cfg, plan = load_stack(stack, ROOT), plan_of(stack)
    c = contract.parse(plan["outputs"])
    for account, repository, slug in _deployments(cfg):
        out = c.account(account.name)
        found = _deploy_resources(plan, out.id, slug)
        role, oidc, policy = found["Role"], found["OpenIdConnectProvider"], found["RolePolicy"]
        assert oidc["inputs"]["url"] == "https://token.actions.githubusercontent.com"
        assert oidc["inputs"]["clientIdLists"] == ["sts.amazonaws.com"]
        assert role["outputs"]["arn"] == out.deployment_role_arns[repository.repo]
        [trust] = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"]
        assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
        assert trust["Principal"] == {"Federated": oidc["outputs"]["arn"]}
        subs = ([f"repo:{repository.repo}:environment:{repository.environment}"] if repository.environment
                else sorted(f"repo:{repository.repo}:ref:refs/heads/{b}" for b in repository.branches))
        assert trust["Condition"] == {"StringEquals": {  # exact subjects: no StringLike, no wildcard
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": subs}}
        if account.environment == "prod":  # behind the GitHub environment's reviewers
            assert subs == [f"repo:{repository.repo}:environment:prod"]
        statements = json.loads(policy["inputs"]["policy"])["Statement"]
        for s in statements:
            assert s["Effect"] == "Allow"
            assert not any(a == "*" or a.endswith(":*") for a in s["Action"]), s
            if s["Resource"] == "*":
                assert set(s["Action"]) <= RESOURCE_STAR_ACTIONS, s
        by_sid = {s["Sid"]: s for s in statements}
        home = out.region(cfg.organization.home_region)
        assert by_sid["ReadContract"]["Resource"] == [f"arn:aws:ssm:{cfg.organization.home_region}:{out.id}:parameter/landing-zone/*"]
        if repository.services:
            cluster = home.workloads.ecs.cluster_name
            assert by_sid["EcsCluster"]["Resource"] == [home.workloads.ecs.cluster_arn]
            assert by_sid["EcsServices"]["Resource"] == [
                f"arn:aws:ecs:{cfg.organization.home_region}:{out.id}:service/{cluster}/{svc}" for svc in sorted(repository.services)]
            assert by_sid["EcrPush"]["Resource"] == sorted(
                f"arn:aws:ecr:{cfg.organization.home_region}:{out.id}:repository/{svc}" for svc in repository.services)
            assert by_sid["PassServiceRolesToEcs"]["Condition"] == {
                "StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
            # registering a task definition passes both roles of each of ITS services, never another repository's
            service_roles = {r["outputs"]["arn"] for r in plan["resources"] if r["type"] == "aws:iam/role:Role"
                             and re.fullmatch(rf"{account.name}-{cfg.organization.home_region}-ecs-({'|'.join(repository.services)})-(task|execution)-role",
                                              r["name"])}
            assert len(service_roles) == 2 * len(repository.services)
            assert by_sid["PassServiceRolesToEcs"]["Resource"] == sorted(service_roles)
        else:
            assert not {"EcsServices", "EcrPush", "PassServiceRolesToEcs"} & set(by_sid)
        if account.workloads.eks:
            assert by_sid["EksDescribe"]["Resource"] == [
                f"arn:aws:eks:{cfg.organization.home_region}:{out.id}:cluster/{home.workloads.eks.cluster_name}"]


def test_deployment_roles_edit_only_their_repositories_namespaces_in_the_eks_cluster(stack):
    """An EKS access entry lets a pipeline deploy into the cluster, with the edit policy on its namespaces only."""
    cfg, plan = load_stack(stack, ROOT), plan_of(stack)
    c = contract.parse(plan["outputs"])
    entries = {r["inputs"]["principalArn"]: r for r in plan["resources"]
               if r["type"] == "aws:eks/accessEntry:AccessEntry" and re.search(r"-deploy-.+-eks-access$", r["name"])}
    edits = {r["inputs"]["principalArn"]: r for r in plan["resources"]
             if r["type"] == "aws:eks/accessPolicyAssociation:AccessPolicyAssociation" and re.search(r"-deploy-.+-eks-edit$", r["name"])}
    expected = [(a, r) for a, r, _ in _deployments(cfg) if a.workloads.eks]
    assert len(entries) == len(edits) == len(expected)
    for account, repository in expected:
        out = c.account(account.name)
        role_arn = out.deployment_role_arns[repository.repo]
        cluster_name = out.region(cfg.organization.home_region).workloads.eks.cluster_name
        entry = entries[role_arn]["inputs"]
        assert entry["clusterName"] == cluster_name and entry["type"] == "STANDARD"
        (cluster,) = [r for r in plan["resources"] if r["type"] == "eks:index:Cluster" and r["inputs"]["name"] == cluster_name]
        assert cluster["urn"] in entries[role_arn]["dependencies"]  # created once the cluster exists
        edit = edits[role_arn]["inputs"]
        assert edit["clusterName"] == cluster_name
        assert edit["policyArn"] == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"
        assert edit["accessScope"] == {"type": "namespace",
                                       "namespaces": repository.namespaces or [repository.repo.rsplit("/", 1)[-1]]}


def test_each_deployable_account_publishes_its_contract_in_parameter_store(stack):
    plan = plan_of(stack)
    c = contract.parse(plan["outputs"])
    params = {json.loads(r["inputs"]["insecureValue"])["account"]["name"]: r for r in plan["resources"]
              if r["type"] == "aws:ssm/parameter:Parameter" and r["inputs"].get("name") == "/landing-zone/contract"}
    assert sorted(params) == sorted(n for n, a in c.accounts.items() if a.deployment_role_arns)
    for name, r in params.items():
        doc = json.loads(r["inputs"]["insecureValue"])
        assert doc["contract_version"] == contract.CONTRACT_VERSION
        assert contract.Account.model_validate(doc["account"]) == c.account(name)
        assert r["inputs"]["type"] == "String" and "value" not in r["inputs"]  # nothing secret, readable as is


def test_the_app_team_example_passes_against_the_prod_plan(tmp_path):
    """examples/app-team is its own project; run its tests as its pipeline would, on this prod plan."""
    from landing_zone.plan_file import write_plan

    plan_file = write_plan(plan_of("prod"), tmp_path / "prod.json")
    example = ROOT / "examples" / "app-team"
    command = [sys.executable, "-m", "pytest", "-o", "addopts=", "-p", "no:cacheprovider", "tests"]
    result = subprocess.run(command, cwd=example,
                            env={**os.environ, "LZ_PLAN": str(plan_file)}, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert re.search(r"\b\d+ passed\b", result.stdout) and "skipped" not in result.stdout, result.stdout[-2000:]


def test_the_app_team_readme_points_lz_plan_at_the_plan_lz_plan_writes():
    """Its README runs the tests from examples/app-team: LZ_PLAN, relative to there, is the root's out/prod/plan.json."""
    from landing_zone.graph_plan import plan_path

    example = ROOT / "examples" / "app-team"
    given = re.findall(r"^LZ_PLAN=(\S+) ", (example / "README.md").read_text(), re.M)
    assert given
    for path in given:
        assert (example / path).resolve() == plan_path(ROOT / "out", "prod").resolve(), path


def test_the_app_team_tests_stop_naming_a_missing_lz_plan():
    example = ROOT / "examples" / "app-team"
    command = [sys.executable, "-m", "pytest", "-o", "addopts=", "-p", "no:cacheprovider", "tests"]
    result = subprocess.run(command, cwd=example, env={**os.environ, "LZ_PLAN": "out/prod.json"},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert "LZ_PLAN=out/prod.json: no such file" in result.stdout + result.stderr
    assert "LZ_PLAN=../../out/prod/plan.json" in result.stdout + result.stderr
