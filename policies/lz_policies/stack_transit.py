"""Stack rules of the Transit Gateway: route tables keep environments apart (X-05), segment reachability matches the intent (X-17)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import routing
from .facts import DEFAULT_INTENT
from .rules import CaseResource, Param, StackCase, StackRule
from .stack_helpers import Unknowns, case_resource, indexed, vpc_case
from .types import (
    ASSOCIATION,
    PROPAGATION,
    TGW,
    TGW_ROUTE,
    TGW_ROUTE_TABLE,
    VPC_ATTACHMENT,
)
from .values import UNKNOWN, cannot_verify

REACHABILITY_MEMO = "segment-reachability"  # the computed reachability of one request's graph


# --------------------------------------------------------------------------- X-05 TGW route tables
def tgw_route_tables_separate_prod_and_nonprod(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, cfg = stack.graph(), stack.cfg
    unknowns = Unknowns()
    for tgw in g.of_type(TGW):
        for prop in ("defaultRouteTableAssociation", "defaultRouteTablePropagation"):
            if unknowns.check(tgw, prop):
                continue
            if tgw.get(prop) != "disable":
                yield tgw.urn, (f"transit gateway {tgw.name} has {prop}={tgw.get(prop) or 'enable (default)'}: set "
                                f"it to 'disable' so no attachment lands in a shared default route table")
    links, unresolved = routing.table_links(g)
    by_table: dict[str, list[routing.Link]] = {}
    for link in links:
        by_table.setdefault(link.table_urn, []).append(link)
    prod, nonprod = set(cfg["prodSegments"]), set(cfg["nonprodSegments"])
    for table_urn, table_links in by_table.items():
        prod_links = [lk for lk in table_links if lk.attachment_segment in prod]
        nonprod_links = [lk for lk in table_links if lk.attachment_segment in nonprod]
        if prod_links and nonprod_links:
            a, b = prod_links[0], nonprod_links[0]
            yield table_urn, (f"tgw route table {a.table} mixes prod and non-prod attachments: {a.kind} of "
                              f"{a.attachment} ({a.attachment_segment}) and {b.kind} of {b.attachment} "
                              f"({b.attachment_segment}); give each segment its own route table")
    if unresolved:
        raise cannot_verify(unresolved)
    unknowns.raise_if_any()


# --------------------------------------------------------------------------- X-17 reachability
def segment_reachability_matches_intent(stack: Any) -> Iterator[tuple[str | None, str]]:
    g = stack.graph()
    intent = stack.cfg["intent"]
    try:
        routing.normalize_intent(intent)
    except ValueError as err:
        yield None, f"policy config is invalid: {err}"
        return
    computed = indexed(g, REACHABILITY_MEMO, routing.compute)  # shared with REQ-02 (stack_baseline.py)
    for difference in routing.compare(computed, intent):
        yield (difference.urns[0] if difference.urns else None), difference.explanation
    if computed.unresolved:
        raise cannot_verify(computed.unresolved)

_TGW = case_resource(TGW, "tgw", {"defaultRouteTableAssociation": "disable", "defaultRouteTablePropagation": "disable"})
_PROD_VPC, _NONPROD_VPC = vpc_case("prod-vpc", "10.1.0.0/16"), vpc_case("nonprod-vpc", "10.2.0.0/16", "nonprod")


def _att(name: str, vpc: str, env: str) -> CaseResource:
    return case_resource(VPC_ATTACHMENT, name, {"subnetIds": []}, {"vpcId": vpc, "transitGatewayId": "tgw"}, env=env)


def _rt(segment: str) -> CaseResource:
    return case_resource(TGW_ROUTE_TABLE, f"{segment}-rt", {"tags": {"segment": segment}}, {"transitGatewayId": "tgw"})


def link(kind: str, attachment: str, segment: str) -> CaseResource:
    type_ = ASSOCIATION if kind == "assoc" else PROPAGATION
    return case_resource(type_, f"{attachment}-{kind}-{segment}", {},
                 {"transitGatewayAttachmentId": attachment, "transitGatewayRouteTableId": f"{segment}-rt"})


_TWO_SEGMENTS = (_TGW, _PROD_VPC, _NONPROD_VPC, _att("prod-att", "prod-vpc", "prod"),
                 _att("nonprod-att", "nonprod-vpc", "nonprod"), _rt("prod"), _rt("nonprod"),
                 link("assoc", "prod-att", "prod"), link("assoc", "nonprod-att", "nonprod"))
X05_CASES = (
    StackCase(_TWO_SEGMENTS + (link("prop", "prod-att", "nonprod"),), violates=True,
              note="prod attachment propagates into the nonprod table"),
    StackCase((case_resource(TGW, "tgw", {"defaultRouteTableAssociation": "enable"}),), violates=True,
              note="default route table association enabled"),
    StackCase(_TWO_SEGMENTS + (link("prop", "prod-att", "prod"),), violates=False),
)

REACH_BASE = (_TGW, _PROD_VPC, _NONPROD_VPC, vpc_case("shared-vpc", "10.0.0.0/16", "core"),
               _att("prod-att", "prod-vpc", "prod"), _att("nonprod-att", "nonprod-vpc", "nonprod"),
               _att("shared-att", "shared-vpc", "core"), _rt("prod"), _rt("nonprod"), _rt("shared"),
               link("assoc", "prod-att", "prod"), link("assoc", "nonprod-att", "nonprod"),
               link("assoc", "shared-att", "shared"), link("prop", "shared-att", "prod"),
               link("prop", "shared-att", "nonprod"), link("prop", "prod-att", "shared"),
               link("prop", "nonprod-att", "shared"))
_NONPROD_TO_PROD = case_resource(TGW_ROUTE, "nonprod-to-prod", {"destinationCidrBlock": "10.1.0.0/16"},
                         {"transitGatewayRouteTableId": "nonprod-rt", "transitGatewayAttachmentId": "prod-att"})
X17_CASES = (
    StackCase(REACH_BASE + (link("prop", "prod-att", "nonprod"), link("prop", "nonprod-att", "prod")),
              violates=True, note="prod and nonprod propagate into each other's tables"),
    StackCase(REACH_BASE + (_NONPROD_TO_PROD,), violates=True, note="one-way static route nonprod -> prod"),
    StackCase(REACH_BASE, violates=False),
    StackCase(REACH_BASE + (link("prop", "prod-att", "nonprod"), link("prop", "nonprod-att", "prod")),
              violates=False, config={"intent": {**DEFAULT_INTENT, "prod": ["shared", "hybrid", "nonprod"]}},
              note="intent allows prod <-> nonprod"),
    StackCase(REACH_BASE + (case_resource(ASSOCIATION, "dangling", {"transitGatewayAttachmentId": UNKNOWN,
                                                                   "transitGatewayRouteTableId": UNKNOWN}),),
              violates=False, unknown=True, note="association whose references cannot be resolved"),
)


RULES = [
    StackRule(
        id="X-05", name="x-05-tgw-route-tables-separate-environments",
        whole_organization=True,
        title="Prod and non-prod TGW attachments never share a route table",
        description="No ec2transitgateway/routeTable has both a prod and a non-prod attachment associated or "
                    "propagated (segment from the attachment's `segment` tag, else its provider's environment), and "
                    "every transit gateway disables default route table association and propagation.",
        refs="none found (SH EC2.23 covers only auto-accept)",
        checks=(tgw_route_tables_separate_prod_and_nonprod,), cases=X05_CASES,
        params={"prodSegments": Param("array", ["prod"], "segments that are production", items="string"),
                "nonprodSegments": Param("array", ["nonprod", "sandbox"], "segments that are not production",
                                         items="string")}),
    StackRule(
        id="X-17", name="x-17-segment-reachability-matches-intent",
        whole_organization=True,
        title="Segment reachability equals the configured intent",
        description="Computed from the TGW route tables (associations, propagations, static and blackhole routes, "
                    "longest prefix first) and peering, the set of segment pairs that exchange traffic equals the "
                    "intent; one-way paths are reported too. The intent defaults to the stack's "
                    "landing-zone:network.reachability, else: prod <-> nonprod never; sandbox reaches only shared; "
                    "on-premises (hybrid) reaches prod and nonprod.",
        refs="none found in any standard or tool",
        checks=(segment_reachability_matches_intent,), cases=X17_CASES,
        params={"intent": Param("object", DEFAULT_INTENT,
                                "segment -> segments it may exchange traffic with (symmetric)", stack="intent")}),
]
