"""Merging a split organization's plans: one plan with single-mode URNs, where a StackReference waits for its whole
upstream stack and a value read through it depends on the upstream resource that holds it."""

from landing_zone.graph_merge import merge_plans

P = "landing-zone"


def urn(stack: str, type_: str, name: str, parent: str = "") -> str:
    return f"urn:pulumi:{stack}::{P}::{parent + '$' if parent else ''}{type_}::{name}"


def record(stack, type_, name, *, custom=True, id_="", inputs=None, outputs=None, deps=(), prop_deps=None, parent=""):
    return {"urn": urn(stack, type_, name), "type": type_, "name": name, "custom": custom, "id": id_,
            "parent": parent, "inputs": inputs or {}, "outputs": outputs or {}, "dependencies": list(deps),
            "property_dependencies": prop_deps or {}, "provider": "", "protect": False}


def plans():
    table = record("b.network", "aws:ec2transitgateway/routeTable:RouteTable", "rt", id_="tgw-rtb-1",
                   outputs={"arn": "arn:aws:ec2:r:1:transit-gateway-route-table/tgw-rtb-1"})
    ref_urn = urn("b.app", "pulumi:pulumi:StackReference", "org/landing-zone/b.network")
    ref = {**record("b.app", "pulumi:pulumi:StackReference", "org/landing-zone/b.network",
                    inputs={"name": "org/landing-zone/b.network"}), "urn": ref_urn}
    routing = record("b.app", "landing-zone:network:SegmentRouting", "routing", custom=False)
    assoc = record("b.app", "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation", "assoc",
                   inputs={"transitGatewayRouteTableId": "tgw-rtb-1"}, deps=[ref_urn],
                   prop_deps={"transitGatewayRouteTableId": [ref_urn]}, parent=routing["urn"])
    network_routing = record("b.network", "landing-zone:network:SegmentRouting", "routing", custom=False)
    return [{"project": P, "stack": "b.network", "resources": [table, network_routing], "outputs": {"a": 1}},
            {"project": P, "stack": "b.app", "resources": [ref, routing, assoc], "outputs": {"b": 2}}]


def by_name(plan):
    return {r["name"]: r for r in plan["resources"]}


def test_urns_become_the_base_stacks_and_a_shared_component_appears_once():
    merged = merge_plans(plans(), "b")
    assert all(r["urn"].startswith("urn:pulumi:b::") for r in merged["resources"])
    assert [r["name"] for r in merged["resources"]].count("routing") == 1
    assert by_name(merged)["assoc"]["parent"] == urn("b", "landing-zone:network:SegmentRouting", "routing")
    assert merged["outputs"] == {"a": 1, "b": 2}


def test_a_stack_reference_waits_for_every_resource_of_the_stack_it_reads():
    merged = by_name(merge_plans(plans(), "b"))
    assert merged["org/landing-zone/b.network"]["dependencies"] == [
        urn("b", "aws:ec2transitgateway/routeTable:RouteTable", "rt"), urn("b", "landing-zone:network:SegmentRouting",
                                                                           "routing")]


def test_a_value_read_through_a_reference_depends_on_the_upstream_resource_holding_it():
    deps = by_name(merge_plans(plans(), "b"))["assoc"]["property_dependencies"]["transitGatewayRouteTableId"]
    assert urn("b", "aws:ec2transitgateway/routeTable:RouteTable", "rt") in deps
