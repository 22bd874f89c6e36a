"""`lz stacks --github-matrix`: the workflow's matrices of an organization's stacks, one per layer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from landing_zone import pipeline, stacks
from landing_zone.cli import app
from landing_zone.config import load_stack, stack_config

ROOT = Path(__file__).resolve().parents[2]
PROD = load_stack("prod", ROOT)
WORKLOAD_ACCOUNTS = [a.name for a in PROD.accounts if a.role == "workload"]


def split_root(tmp_path: Path, part: object = "organization", name: str = "prod.organization") -> Path:
    """A project root whose stack `name` is the prod organization's config plus its `landing-zone:stack` part."""
    doc = {"config": {**stack_config("prod", ROOT), "landing-zone:stack": part}}
    (tmp_path / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump(doc))
    return tmp_path


def lz_matrix(root: Path, stack: str) -> dict:
    result = CliRunner().invoke(app, ["stacks", "--stack", stack, "--github-matrix", "--root", str(root)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def stacks_of(matrix: dict, layer: int) -> list[str]:
    return [entry["stack"] for entry in matrix[f"layer{layer}"]["include"]]


def test_a_split_organization_deploys_organization_then_network_then_every_workload_account(tmp_path):
    matrix = lz_matrix(split_root(tmp_path), "prod.organization")
    assert stacks_of(matrix, 0) == ["prod.organization"]
    assert stacks_of(matrix, 1) == ["prod.network"]
    assert stacks_of(matrix, 2) == [f"prod.{a}" for a in WORKLOAD_ACCOUNTS]
    assert [matrix[f"has_layer{n}"] for n in range(3)] == [True, True, True]
    assert matrix["stacks"] == 2 + len(WORKLOAD_ACCOUNTS)


def test_each_split_stack_assumes_its_own_deploy_role_under_the_deploy_path(tmp_path):
    matrix = lz_matrix(split_root(tmp_path), "prod.organization")
    entries = [e for n in range(3) for e in matrix[f"layer{n}"]["include"]]
    assert {e["role"] for e in entries} == {f"landing-zone-deploy/landing-zone-deploy-{e['stack']}" for e in entries}
    assert len({e["role"] for e in entries}) == len(entries)
    assert {e["account"] for e in matrix["layer2"]["include"]} == set(WORKLOAD_ACCOUNTS)
    assert {e["part"] for e in matrix["layer2"]["include"]} == {"account"}


def test_any_stack_of_the_organization_gives_the_same_matrix(tmp_path):
    split_root(tmp_path)
    split_root(tmp_path, {"part": "account", "account": WORKLOAD_ACCOUNTS[0]}, f"prod.{WORKLOAD_ACCOUNTS[0]}")
    assert lz_matrix(tmp_path, f"prod.{WORKLOAD_ACCOUNTS[0]}") == lz_matrix(tmp_path, "prod.organization")


def test_single_mode_is_one_stack_in_layer_0_with_its_root_path_role_and_no_other_layer():
    matrix = lz_matrix(ROOT, "prod")
    assert matrix["layer0"] == {"include": [
        {"stack": "prod", "part": "single", "account": "", "role": "landing-zone-deploy-prod"}]}
    assert (matrix["has_layer1"], matrix["has_layer2"]) == (False, False)
    assert matrix["layer1"] == matrix["layer2"] == {"include": []}


@pytest.mark.parametrize(("part", "name", "expected"), [
    ("nowhere", "prod.organization", "landing-zone:stack.part"),
    ("network", "prod.organization", "its name must be <base>.network"),
    ({"part": "account", "account": "network"}, "prod.network", "landing-zone:stack.account: 'network' is the network"),
])
def test_a_stack_whose_part_does_not_fit_exits_2_naming_the_field(tmp_path, part, name, expected):
    result = CliRunner().invoke(app, ["stacks", "--stack", name, "--github-matrix",
                                      "--root", str(split_root(tmp_path, part, name))])
    assert result.exit_code == 2
    assert expected in result.output and "Traceback" not in result.output


def test_the_network_role_name_fits_iam_or_names_the_account():
    assert stacks.network_role_name("prod-apps") == "landing-zone-attach-prod-apps"
    longest = "a" * (stacks.IAM_NAME_MAX - len(stacks.NETWORK_ROLE_PREFIX))
    assert len(stacks.network_role_name(longest)) == stacks.IAM_NAME_MAX
    with pytest.raises(stacks.StackRoleError, match=r"accounts\.name: 'a{45}' .* 65 characters long; IAM allows 64"):
        stacks.network_role_name(longest + "a")


def test_an_account_stack_whose_roles_would_not_fit_iam_is_an_error_of_its_role():
    role = stacks.StackRole(part="account", account="prod-apps")
    assert stacks.check_role(PROD, "prod.prod-apps", role) == []
    long_base = "p" * 40
    errors = stacks.check_role(PROD, f"{long_base}.prod-apps", role)
    assert len(errors) == 1 and errors[0].startswith("stack: ") and "IAM allows 64" in errors[0]


def test_a_graph_deeper_than_the_workflow_is_refused():
    nodes = [stacks.StackNode("x", stacks.StackRole(part="organization"), 0, ()),
             stacks.StackNode("x.deep", stacks.StackRole(part="network"), 3, ())]
    with pytest.raises(stacks.StackRoleError, match="x.deep"):
        pipeline.github_matrix(nodes)
