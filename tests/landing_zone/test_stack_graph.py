"""`--changed REF`: what a change replans. An account's own change replans its stack only, and the slice that decides
it is proven by planning: a change outside a stack's slice leaves that stack's plan byte-identical."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

from landing_zone.config import ConfigError, namespaced, parse, stack_config
from landing_zone.plan_file import dumps_plan
from landing_zone.stack_graph import changed_stacks, config_slice, fingerprint, organization_of
from landing_zone.stacks import StackRole
from tests.split_plans import plan_split, split_plans, write_split_root
from tests.stack_plans import ROOT


def _account(config: dict, name: str) -> dict:
    return next(a for a in config["landing-zone:accounts"] if a["name"] == name)


def _bigger_playground(config: dict) -> None:
    _account(config, "sandbox")["workloads"]["ecs"]["services"][0]["port"] = 8081


def test_a_change_to_one_accounts_workloads_changes_only_that_accounts_slice():
    raw = stack_config("dev", ROOT)
    before = parse(namespaced(raw))
    _bigger_playground(raw)
    after = parse(namespaced(raw))
    changed = {r.suffix for r in [StackRole(part="organization"), StackRole(part="network"),
                                  *(StackRole(part="account", account=a.name) for a in before.accounts
                                    if a.role == "workload")]
               if fingerprint(before, r) != fingerprint(after, r)}
    assert changed == {"sandbox"}
    assert config_slice(after, StackRole(part="account", account="prod-apps"))["accounts"] != []


def test_outside_its_slice_a_change_leaves_every_other_stacks_plan_identical():
    """The claim `config_slice` rests on, planned: only dev.sandbox's plan changes."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        after = plan_split("dev", root, write_split_root("dev", root, _bigger_playground))
    before = split_plans("dev")
    differ = [s for s in before if dumps_plan(before[s]) != dumps_plan(after[s])]
    assert differ == ["dev.sandbox"]


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path):
    write_split_root("dev", tmp_path)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit", "-qm", "base", "--allow-empty")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit", "-qm", "split")
    return tmp_path


def _edit_every_stack_file(root: Path, edit) -> None:
    for path in root.glob("Pulumi.dev*.yaml"):
        doc = yaml.safe_load(path.read_text())
        edit(doc["config"])
        path.write_text(yaml.safe_dump(doc, sort_keys=False))


def test_changed_replans_the_changed_account_alone(repo):
    _edit_every_stack_file(repo, _bigger_playground)
    org = organization_of("dev.organization", repo)
    replan, why = changed_stacks(org, repo, "HEAD", "dev.organization")
    assert replan == {"dev.sandbox"} and "dev.sandbox" in why, why


def test_a_change_to_the_shared_network_config_replans_every_stack(repo):
    def other_asn(config: dict) -> None:
        config["landing-zone:network"]["transit_gateway_asn"] = 64601
    _edit_every_stack_file(repo, other_asn)
    org = organization_of("dev.organization", repo)
    replan, _ = changed_stacks(org, repo, "HEAD", "dev.organization")
    assert replan == {n.name for n in org.nodes}


def test_a_change_to_the_program_replans_everything(repo, monkeypatch):
    from landing_zone import stack_graph

    monkeypatch.setattr(stack_graph, "changed_files", lambda root, ref: ["components/network/vpc.py"])
    org = organization_of("dev.organization", repo)
    replan, why = changed_stacks(org, repo, "HEAD", "dev.organization")
    assert replan == {n.name for n in org.nodes} and "components/network/vpc.py" in why


def test_an_unknown_ref_is_a_clear_error(repo):
    org = organization_of("dev.organization", repo)
    with pytest.raises(ConfigError, match="--changed no-such-ref"):
        changed_stacks(org, repo, "no-such-ref", "dev.organization")


def test_a_stack_whose_role_names_a_core_account_is_refused(tmp_path):
    write_split_root("dev", tmp_path)
    path = tmp_path / "Pulumi.dev.network-as-account.yaml"
    doc = yaml.safe_load((tmp_path / "Pulumi.dev.network.yaml").read_text())
    doc["config"]["landing-zone:stack"] = {"part": "account", "account": "network"}
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(ConfigError, match="landing-zone:stack.account: 'network' is the network account"):
        organization_of("dev.network-as-account", tmp_path)


def _workloads_reduced_to_edges(config: dict) -> None:
    """Every workload account keeps only its edge (and the ECS it needs behind it)."""
    for account in config["landing-zone:accounts"]:
        if account.get("role", "workload") == "workload" and account.get("workloads"):
            account["workloads"] = {k: v for k, v in account["workloads"].items() if k in ("edge", "ecs")}


def test_the_organization_and_network_stacks_read_no_workloads_but_edges():
    """Their slice drops every workload account's `workloads` except `edge`: planned with the databases, caches,
    queues, data hosts, backups, patching and monitoring of every account gone, both plans are the same."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        nodes = write_split_root("prod", root, _workloads_reduced_to_edges)
        after = plan_split("prod", root, nodes[:2])
    before = split_plans("prod")
    assert [s for s in after if dumps_plan(before[s]) != dumps_plan(after[s])] == []
