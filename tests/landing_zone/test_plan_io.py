"""What the plan records beyond resources (providers maps, remote components, invokes), and the plan file as input:
a published JSON Schema, checked on every read, bad input answered with exit 2 and where it is wrong."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pytest
from plans import ROOT, STACKS, plan_of
from typer.testing import CliRunner

from landing_zone import diagram, reach, wire
from landing_zone.cli import app
from landing_zone.mocks import MANAGEMENT_ACCOUNT_ID
from landing_zone.plan_file import MAX_PLAN_ERRORS, PlanFileError, plan_errors, plan_schema_json, read_plan
from landing_zone.plan_index import account_of, index_by_urn, provider_urn

WORKLOAD_ACCOUNT = "123456789012"
EKS = "eks:index:Cluster"


def _workload_provider() -> aws.Provider:
    return aws.Provider(
        "workload-ap-south-1", region="ap-south-1",
        assume_roles=[aws.ProviderAssumeRoleArgs(role_arn=f"arn:aws:iam::{WORKLOAD_ACCOUNT}:role/OrganizationAccountAccessRole")],
        default_tags=aws.ProviderDefaultTagsArgs(tags={"account": "workload"}))


def eks_program(with_providers: bool):
    def program() -> None:
        workload = _workload_provider()
        opts = pulumi.ResourceOptions(providers={"aws": workload}) if with_providers else None
        cluster = eks.Cluster("workload-ap-south-1-eks", name="workload-eks", opts=opts)
        pulumi.export("clusterName", cluster.eks_cluster.name)  # hydrates the resource reference, as a program would
        pulumi.export("coreClusterArn", cluster.core.cluster.arn)
        aws.ssm.get_parameter_output(name=pulumi.Output.secret("/workload/secret-name"),
                                     opts=pulumi.InvokeOutputOptions(provider=workload))
    return program


# --- remote components: the provider their children get -----------------------------------------------------------


def test_a_remote_component_records_its_providers_map_and_lands_in_that_account(record):
    rec = record(eks_program(with_providers=True))
    cluster, workload = rec.one(EKS), rec.named("workload-ap-south-1")
    ref = f"{workload['urn']}::{workload['id']}"
    assert cluster["providers"] == {"aws": ref}  # as the engine receives it
    assert cluster["provider"] == ref  # what its aws children get
    assert rec.account_of(cluster) == "workload"
    outputs = cluster["outputs"]
    issuer = outputs["oidcIssuer"]
    assert issuer.startswith("oidc.eks.ap-south-1.amazonaws.com/id/") and len(issuer.rsplit("/", 1)[1]) == 32
    assert outputs["oidcProviderUrl"] == f"https://{issuer}"
    assert outputs["oidcProviderArn"] == f"arn:aws:iam::{WORKLOAD_ACCOUNT}:oidc-provider/{issuer}"
    # `eksCluster` and `core.cluster` are references to the aws:eks/cluster:Cluster child, named as given
    ref_out = outputs["eksCluster"]
    assert ref_out[wire.SIG_KEY] == wire.RESOURCE_SIG and ref_out["id"] == "workload-eks"
    assert ref_out["urn"] == "urn:pulumi:test::landing-zone::eks:index:Cluster$aws:eks/cluster:Cluster::workload-ap-south-1-eks-eksCluster"
    assert outputs["core"]["cluster"] == ref_out and outputs["awsProvider"]["urn"] == workload["urn"]
    assert rec.outputs["clusterName"] == "workload-eks"
    assert rec.outputs["coreClusterArn"] == f"arn:aws:eks:ap-south-1:{WORKLOAD_ACCOUNT}:cluster/workload-eks"


def test_without_providers_the_remote_component_lands_in_the_management_account(record):
    rec = record(eks_program(with_providers=False))
    cluster = rec.one(EKS)
    assert cluster["providers"] == {}
    assert cluster["provider"].split("::")[-2] == "default_7_51_1"  # the engine's default aws provider
    assert rec.account_of(cluster) == "management"
    assert cluster["outputs"]["oidcProviderArn"].startswith(f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:oidc-provider/")


def _provider_account(index: dict, ref: str) -> str:
    inputs = index[provider_urn(ref)]["inputs"]
    return json.loads(inputs["assumeRoles"])[0]["roleArn"].split(":")[4]


@pytest.mark.parametrize("stack", STACKS)
def test_every_eks_cluster_of_the_stacks_lands_in_its_member_account(stack):
    """Fails when components/workloads/eks.py stops passing `providers=` to eks.Cluster: the cluster, its OIDC
    provider and every IRSA trust would be in the management account."""
    the_plan = plan_of(stack)
    index = index_by_urn(the_plan)
    clusters = [r for r in the_plan["resources"] if r["type"] == EKS]
    assert clusters
    for cluster in clusters:
        account = account_of(index, cluster)
        assert account != "management", f"{cluster['name']} would be created in the management account"
        assert cluster["name"].startswith(f"{account}-")
        assert cluster["providers"].get("aws") == cluster["provider"]
        account_id = _provider_account(index, cluster["provider"])
        arn = cluster["outputs"]["oidcProviderArn"]
        assert arn.startswith(f"arn:aws:iam::{account_id}:oidc-provider/oidc.eks."), arn
        trusts = [r for r in the_plan["resources"] if r["type"] == "aws:iam/role:Role" and arn in
                  json.dumps(r["inputs"].get("assumeRolePolicy"))]
        assert trusts and all(account_of(index, r) == account for r in trusts)  # IRSA roles trust their cluster


# --- invokes ------------------------------------------------------------------------------------------------------


def test_invokes_are_recorded_with_token_args_and_provider_and_secrets_stay_secret(record):
    rec = record(eks_program(with_providers=True))
    workload = rec.named("workload-ap-south-1")
    [lookup] = [i for i in rec.plan["invokes"] if i["token"] == "aws:ssm/getParameter:getParameter"]
    assert set(lookup) == {"token", "args", "provider"}
    assert lookup["provider"] == f"{workload['urn']}::{workload['id']}"
    assert lookup["args"]["name"] == wire.secret("/workload/secret-name")
    assert "pulumi:pulumi:getResource" not in {i["token"] for i in rec.plan["invokes"]}  # engine-internal


def test_an_invoke_through_the_default_provider_has_provider_null(record):
    rec = record(lambda: aws.get_caller_identity())
    [call] = rec.plan["invokes"]
    assert call == {"token": "aws:index/getCallerIdentity:getCallerIdentity", "args": {}, "provider": None}


def test_invokes_are_sorted(record):
    def program() -> None:
        workload = _workload_provider()
        for name in ("b", "a"):
            aws.ssm.get_parameter(name=f"/{name}", opts=pulumi.InvokeOptions(provider=workload))
        aws.get_partition()

    invokes = record(program).plan["invokes"]
    keys = [(i["token"], i["provider"] or "", json.dumps(i["args"], sort_keys=True)) for i in invokes]
    assert keys == sorted(keys) and len(invokes) == 3


# --- the plan schema ----------------------------------------------------------------------------------------------


def test_checked_in_schema_is_what_lz_plan_schema_prints():
    printed = CliRunner().invoke(app, ["plan", "--schema"])
    assert printed.exit_code == 0
    assert printed.output == plan_schema_json()
    assert (ROOT / "landing_zone" / "plan.schema.json").read_text() == printed.output, (
        "landing_zone/plan.schema.json is stale: run `lz plan --schema > landing_zone/plan.schema.json`")


@pytest.mark.parametrize("stack", STACKS)
def test_the_stacks_plans_are_valid_plans(stack):
    assert plan_errors(plan_of(stack), stack) == []


def _dev() -> dict:
    return copy.deepcopy(plan_of("dev"))


def _without(key: str, index: int = 3):
    def edit() -> dict:
        p = _dev()
        del p["resources"][index][key]
        return p
    return edit


def _resources_not_a_list() -> dict:
    p = _dev()
    p["resources"] = {"a": 1}
    return p


def _bad_invoke_provider() -> dict:
    p = _dev()
    p["invokes"][0]["provider"] = "aws"
    return p


# (file content, the `<json path>: <what>` expected on stderr)
BAD_PLANS = {
    "top-level-list": (lambda: [], "$: expected object, got an array"),
    "resources-not-a-list": (_resources_not_a_list, "$.resources: expected array, got an object"),
    "resource-without-type": (_without("type"), "$.resources[3].type: missing (required)"),
    "resource-without-urn": (_without("urn", 7), "$.resources[7].urn: missing (required)"),
    "another-stacks-plan": (lambda: {**_dev(), "stack": "prod"},
                            "$.stack: this is a plan of stack 'prod', not of --stack 'dev'"),
    "invoke-provider-not-a-ref": (_bad_invoke_provider, "$.invokes[0].provider: expected a string matching"),
}


def _write(tmp_path: Path, content) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def _cli(command: str, path: Path):
    args = [command, "--stack", "dev", "--plan", str(path), "--root", str(ROOT)]
    return CliRunner().invoke(app, args)


COMMANDS = ("check", "reach", "diagram")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", sorted(BAD_PLANS))
def test_a_file_that_is_not_a_plan_of_the_stack_exits_2_saying_where(command, case, tmp_path):
    make, expected = BAD_PLANS[case]
    path = _write(tmp_path, make())
    result = _cli(command, path)
    assert result.exit_code == 2, result.output
    assert f"error: {path}: {expected}" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("command", COMMANDS)
def test_invalid_json_and_a_missing_file_exit_2(command, tmp_path):
    broken = _write(tmp_path, '{"project": "landing-zone",\n  "stack": }')
    result = _cli(command, broken)
    assert result.exit_code == 2 and f"error: {broken}: line 2 column 12: not JSON: Expecting value" in result.output
    missing = tmp_path / "nowhere.json"
    result = _cli(command, missing)
    assert result.exit_code == 2 and f"error: {missing}: cannot read the plan: No such file or directory" in result.output


def test_reach_and_diagram_read_plans_through_the_one_validating_reader(tmp_path, capsys):
    path = _write(tmp_path, [])
    assert reach.main("dev", ROOT, path) == reach.INVALID
    assert diagram.main("dev", ROOT, "mermaid", None, path) == 2
    err = capsys.readouterr().err
    assert err.count(f"{path}: $: expected object, got an array") == 2


def test_many_problems_are_capped(tmp_path):
    p = _dev()
    for r in p["resources"][:30]:
        del r["name"]
    with pytest.raises(PlanFileError) as err:
        read_plan(_write(tmp_path, p), "dev")
    assert len(err.value.errors) == MAX_PLAN_ERRORS + 1
    assert err.value.errors[-1].endswith("... and 10 more problem(s)")


def test_lz_plan_without_stack_or_schema_is_bad_input():
    result = CliRunner().invoke(app, ["plan"])
    assert result.exit_code == 2 and "error: --stack is required (or --schema)" in result.output
