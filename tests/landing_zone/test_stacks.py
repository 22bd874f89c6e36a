"""The graph of a split organization: its stacks, their names and roles, the order they run in, what each reads."""

from __future__ import annotations

import pytest

from landing_zone.stacks import (
    StackRole,
    StackRoleError,
    base_of,
    downstream,
    graph,
    layers,
    network_role_name,
    parse_role,
)
from tests.stack_plans import ROOT


@pytest.fixture(scope="module")
def prod():
    from landing_zone.config import load_stack

    return load_stack("prod", ROOT)


def test_an_organization_is_three_layers_one_stack_per_workload_account(prod):
    nodes = graph(prod, "prod")
    workload = [a.name for a in prod.accounts if a.role == "workload"]
    assert [[n.name for n in layer] for layer in layers(nodes)] == [
        ["prod.organization"], ["prod.network"], [f"prod.{name}" for name in workload]]
    assert {n.name: n.reads for n in nodes}["prod.sandbox"] == ("prod.organization", "prod.network")


def test_downstream_is_every_stack_that_reads_a_changed_one(prod):
    nodes = graph(prod, "prod")
    assert downstream(nodes, {"prod.sandbox"}) == {"prod.sandbox"}
    assert downstream(nodes, {"prod.network"}) == {n.name for n in nodes if n.layer >= 1}


@pytest.mark.parametrize("value, expected", [
    (None, None),
    ("network", StackRole(part="network")),
    ('{"part": "account", "account": "sandbox"}', StackRole(part="account", account="sandbox")),
    ({"part": "organization"}, StackRole(part="organization")),
])
def test_a_role_is_read_from_yaml_or_engine_values(value, expected):
    assert parse_role(value) == expected


@pytest.mark.parametrize("value, message", [
    ({"part": "account"}, "`account` names the workload account"),
    ({"part": "network", "account": "sandbox"}, "`account` names the workload account"),
    ({"part": "everything"}, "landing-zone:stack.part"),
])
def test_a_bad_role_names_the_field(value, message):
    with pytest.raises(StackRoleError, match=message):
        parse_role(value)


def test_a_stack_name_must_end_with_its_part():
    assert base_of("prod.sandbox", StackRole(part="account", account="sandbox")) == "prod"
    with pytest.raises(StackRoleError, match="must be <base>.network"):
        base_of("prod-network", StackRole(part="network"))


def test_an_account_name_too_long_for_its_network_role_is_refused():
    assert network_role_name("sandbox") == "landing-zone-attach-sandbox"
    with pytest.raises(StackRoleError, match="IAM allows 64"):
        network_role_name("a" * 50)


def test_an_account_stack_cannot_publish_in_a_zone_another_workload_account_owns(prod):
    from landing_zone.stacks import check_role

    edge = next(a for a in prod.accounts if a.workloads.edge)
    other = next(a for a in prod.accounts if a.role == "workload" and a is not edge)
    moved = prod.model_copy(update={"network": prod.network.model_copy(update={
        "dns": prod.network.dns.model_copy(update={"account": other.name})})})
    role = StackRole(part="account", account=edge.name)
    assert any(e.startswith("network.dns.account:") for e in check_role(moved, f"prod.{edge.name}", role))
    assert check_role(prod, f"prod.{edge.name}", role) == []
