"""Split mode is the same landing zone: dev and prod planned as a graph of stacks equal their single-stack plans, pass
every rule in every stack, and the whole-organization rules still catch what one stack cannot see."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from components.network.attach_roles import ATTACH_ROLE_RESOURCES
from landing_zone.check import run_check
from landing_zone.config import load_stack
from landing_zone.graph_merge import STACK_REFERENCE, is_provider, merge_plans
from landing_zone.migration import moves
from landing_zone.policy_config import load_policy_config
from landing_zone.stack_graph import check_graph, organization_of
from tests.split_plans import plan_split, split_plans, split_root, write_split_root
from tests.stack_plans import ROOT, full_plan, variant_plan

POLICY_CONFIG = load_policy_config(ROOT / "policy-config.json")
COMPARED = ("type", "name", "parent", "protect", "inputs", "outputs", "id")


SPLIT_ONLY = "landing-zone:network:AttachRoles"  # the account stacks' narrow roles in the network account


def cloud_resources(plan: dict) -> dict[str, dict]:
    """Everything but providers, stack references and what exists only in split mode."""
    return {r["urn"]: r for r in plan["resources"]
            if r["type"] != STACK_REFERENCE and not is_provider(r["urn"]) and SPLIT_ONLY not in r["urn"]}


@pytest.mark.parametrize("base", ["dev", "prod"])
def test_the_split_organization_plans_the_same_resources_as_one_stack(base):
    single = cloud_resources(full_plan(base))
    merged = cloud_resources(merge_plans(list(split_plans(base).values()), base))
    assert sorted(set(single) ^ set(merged)) == []
    differing = [(urn, key) for urn, record in single.items() if record["custom"]
                 for key in COMPARED if record.get(key) != merged[urn].get(key)]
    assert differing == []


@pytest.mark.parametrize("base", ["dev", "prod"])
def test_every_stack_reads_only_its_upstream_and_owns_a_part(base):
    plans = split_plans(base)
    org = organization_of(f"{base}.organization", split_root(base)[0])
    for node in org.nodes:
        references = {r["inputs"]["name"].rsplit("/", 1)[-1]
                      for r in plans[node.name]["resources"] if r["type"] == STACK_REFERENCE}
        assert references == set(node.reads), node.name
        assert sum(1 for r in plans[node.name]["resources"] if r["custom"]) > 20, node.name


def _check_both(base: str, single_plan: dict, plans: dict[str, dict], root: Path):
    org = organization_of(f"{base}.organization", root)
    single = run_check(single_plan, ROOT / "policies", POLICY_CONFIG, base, root=ROOT)
    per_stack, whole = check_graph(org, root, plans, POLICY_CONFIG)
    return single, per_stack, whole


def _verdict(result) -> list[tuple[str, str, str]]:
    return sorted((v.policy, v.enforcement, v.urn) for v in result.violations)


@pytest.mark.parametrize("base", ["dev", "prod"])
def test_split_and_single_mode_reach_the_same_verdict(base):
    single, per_stack, whole = _check_both(base, full_plan(base), split_plans(base), split_root(base)[0])
    assert {stack: r.mandatory for stack, r in per_stack.items()} == {stack: [] for stack in per_stack}
    assert _verdict(whole) == _verdict(single)
    assert whole.resources_checked > max(r.resources_checked for r in per_stack.values())


def _no_workload_budgets(config: dict) -> None:
    cost = config["landing-zone:cost"]
    core = {a["name"] for a in config["landing-zone:accounts"] if a.get("role", "workload") != "workload"}
    cost["budgets"] = {name: usd for name, usd in cost.get("budgets", {}).items() if name in core | {"management"}}
    cost.pop("default_budget_usd", None)


def test_a_rule_one_stack_cannot_judge_is_judged_on_the_merged_plan_as_in_single_mode():
    """COST-01 (every workload account has a budget) needs the organization stack, where budgets live, and the
    account stacks, where the accounts' resources live: each member stack defers it, the merged plan fails it."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        nodes = write_split_root("dev", root, _no_workload_budgets)
        single, per_stack, whole = _check_both("dev", variant_plan("dev", _no_workload_budgets),
                                               plan_split("dev", root, nodes), root)
    budget = "cost-01-workload-account-budget"
    assert [v for v in single.mandatory if v.policy == budget]
    assert all(v.policy != budget for r in per_stack.values() for v in r.violations)
    assert any(name == budget for r in per_stack.values() for name, _ in r.not_applicable)
    assert _verdict(whole) == _verdict(single)


def test_an_account_stack_acts_in_the_network_account_only_through_its_own_role():
    plans = split_plans("prod")
    for stack, plan in plans.items():
        if stack in ("prod.organization", "prod.network"):
            continue
        account = stack.split(".", 1)[1]
        roles = {json.dumps(p["inputs"].get("assumeRoles")) for p in plan["resources"]
                 if is_provider(p["urn"]) and p["name"].startswith("network-")}
        assert roles and all(f"role/landing-zone-attach-{account}" in r for r in roles), stack


def test_the_migration_moves_every_cloud_resource_once_to_where_split_mode_declares_it():
    single = full_plan("prod")
    plans = split_plans("prod")
    planned, unplaced = moves(single, plans, "prod")
    assert unplaced == []
    parents = {r["urn"]: r.get("parent") for r in single["resources"]}
    moved: dict[str, str] = {}
    for move in planned:
        for urn in move.urns:
            assert urn not in moved, urn
            moved[urn] = move.dest
    owned = [u for u, r in cloud_resources(single).items() if r["custom"]]
    for urn in owned:  # each cloud resource moves itself or with exactly one moved ancestor
        chain, parent = [urn], parents.get(urn)
        while parent:
            chain.append(parent)
            parent = parents.get(parent)
        assert len([u for u in chain if u in moved]) == 1, urn


@pytest.mark.parametrize("base", ["dev", "prod"])
def test_an_account_stack_creates_in_the_network_account_only_what_its_attach_role_allows(base):
    name = load_stack(base, ROOT).account_with_role("network").name
    for stack, plan in split_plans(base).items():
        network = [p["urn"] for p in plan["resources"] if is_provider(p["urn"]) and p["name"].startswith(f"{name}-")]
        if stack.endswith((".organization", ".network")):
            continue
        there = {r["type"] for r in plan["resources"] if r.get("provider", "").startswith(tuple(network))}
        assert there and there <= set(ATTACH_ROLE_RESOURCES), (stack, there - set(ATTACH_ROLE_RESOURCES))


def test_reach_of_any_stack_of_a_split_organization_sees_the_whole_organization(monkeypatch, capsys):
    from landing_zone import graph_plan, reach

    monkeypatch.setattr(graph_plan.os, "cpu_count", lambda: 1)  # plan in this process (no fork under the runner)
    root, _ = split_root("dev")
    assert reach.main("dev.organization", root, None) == 0  # the organization stack alone has no Transit Gateway
    assert "reachability equals the intent" in capsys.readouterr().out
