"""Segment reachability (policies/lz_policies/routing/) on small TGW plans.

Plans are built as plan-JSON entries. Each topology is checked in two shapes: with resource ids known (the
offline plan) and with every reference unknown, resolvable only through property dependencies (what the
pack sees during `pulumi preview`).
"""

from __future__ import annotations

import json

import pytest
from lz_policies import routing
from lz_policies import types as t
from lz_policies.facts import DEFAULT_INTENT
from lz_policies.values import NOT_YET_KNOWN, snapshot

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's unknown-string sentinel
PROVIDER = "pulumi:providers:aws"
SEGMENTS = ("prod", "nonprod", "sandbox", "shared", "hybrid")
CIDRS = {"prod-apps": "10.1.0.0/16", "prod-data": "10.11.0.0/16", "nonprod-web": "10.2.0.0/16",
         "sandbox-lab": "10.3.0.0/16", "shared-egress": "10.0.0.0/16"}
ENV_OF_VPC = {"prod-apps": "prod", "prod-data": "prod", "nonprod-web": "nonprod", "sandbox-lab": "sandbox",
              "shared-egress": "core"}


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:prod::landing-zone::{type_}::{name}"


class Plan:
    """A tiny plan-JSON builder. `known_ids=False` plants unknown references resolvable only by the graph."""

    def __init__(self, known_ids: bool = True):
        self.known_ids = known_ids
        self.resources: list[dict] = []
        self.providers: dict[str, str] = {}

    def provider(self, env: str, region: str = "eu-west-1") -> str:
        key = f"{env}-{region}"
        if key not in self.providers:
            # provider inputs arrive JSON-encoded, as the engine sends them
            inputs = {"region": region, "defaultTags": json.dumps({"tags": {"environment": env, "account": env}})}
            entry = {"urn": urn(PROVIDER, key), "type": PROVIDER, "name": key, "inputs": inputs, "id": f"{key}-id"}
            self.resources.append(entry)
            self.providers[key] = f"{entry['urn']}::{entry['id']}"
        return self.providers[key]

    def add(self, type_: str, name: str, inputs: dict | None = None, refs: dict | None = None,
            env: str = "core", region: str = "eu-west-1") -> dict:
        """refs: property -> referenced entry; the value is its id (known) or unknown (graph only)."""
        inputs = dict(inputs or {})
        property_dependencies = {}
        for prop, target in (refs or {}).items():
            inputs[prop] = target["id"] if self.known_ids else UNKNOWN
            property_dependencies[prop] = [target["urn"]]
        entry = {"urn": urn(type_, name), "type": type_, "name": name, "inputs": inputs,
                 "id": f"{name}-id" if self.known_ids else None, "outputs": {},
                 "provider": self.provider(env, region), "property_dependencies": property_dependencies,
                 "dependencies": sorted({u for us in property_dependencies.values() for u in us})}
        self.resources.append(entry)
        return entry


class Hub:
    """The default topology: one TGW, one table per segment, VPC attachments, a VPN and a Direct Connect."""

    def __init__(self, known_ids: bool = True, region: str = "eu-west-1", cidrs: dict | None = None,
                 plan: Plan | None = None, suffix: str = ""):
        self.plan = plan or Plan(known_ids)
        self.region, self.suffix = region, suffix
        p = self.plan
        self.tgw = p.add(t.TGW, self.n("tgw"), {"defaultRouteTableAssociation": "disable",
                                                 "defaultRouteTablePropagation": "disable"}, region=region)
        self.tables = {s: p.add(t.TGW_ROUTE_TABLE, self.n(f"{s}-rt"), {"tags": {"segment": s}},
                                {"transitGatewayId": self.tgw}, region=region) for s in SEGMENTS}
        self.att = {}
        for vpc_name, cidr in (cidrs or CIDRS).items():
            env = ENV_OF_VPC[vpc_name]
            vpc = p.add(t.VPC, self.n(vpc_name), {"cidrBlock": cidr}, env=env, region=region)
            self.att[vpc_name] = p.add(t.VPC_ATTACHMENT, self.n(f"{vpc_name}-att"), {"subnetIds": []},
                                       {"vpcId": vpc, "transitGatewayId": self.tgw}, env=env, region=region)

    def n(self, name: str) -> str:
        return f"{name}{self.suffix}"

    def add_hybrid(self) -> None:
        p = self.plan
        cgw = p.add("aws:ec2/customerGateway:CustomerGateway", self.n("onprem-cgw"), {"bgpAsn": "65000"})
        self.att["vpn"] = p.add(t.VPN_CONNECTION, self.n("onprem-vpn"), {"type": "ipsec.1"},
                                {"customerGatewayId": cgw, "transitGatewayId": self.tgw})
        dxgw = p.add(t.DX_GATEWAY, self.n("dxgw"), {"amazonSideAsn": "64512"})
        self.att["dx"] = p.add(t.DX_ASSOCIATION, self.n("dx-assoc"), {"allowedPrefixes": ["10.0.0.0/8"]},
                               {"dxGatewayId": dxgw, "associatedGatewayId": self.tgw})

    def associate(self, attachment: str, segment: str) -> dict:
        return self.plan.add(t.ASSOCIATION, self.n(f"{attachment}-assoc-{segment}"), {},
                             {"transitGatewayAttachmentId": self.att[attachment],
                              "transitGatewayRouteTableId": self.tables[segment]})

    def propagate(self, attachment: str, segment: str) -> dict:
        return self.plan.add(t.PROPAGATION, self.n(f"{attachment}-prop-{segment}"), {},
                             {"transitGatewayAttachmentId": self.att[attachment],
                              "transitGatewayRouteTableId": self.tables[segment]})

    def route(self, segment: str, cidr: str, attachment: str | None = None) -> dict:
        refs = {"transitGatewayRouteTableId": self.tables[segment]}
        inputs = {"destinationCidrBlock": cidr}
        if attachment is None:
            inputs["blackhole"] = True
        else:
            refs["transitGatewayAttachmentId"] = self.att[attachment]
        name = f"{segment}-route-{cidr.replace('/', '-')}-{attachment or 'blackhole'}"
        return self.plan.add(t.TGW_ROUTE, self.n(name), inputs, refs)


SEGMENT_OF = {"prod-apps": "prod", "prod-data": "prod", "nonprod-web": "nonprod", "sandbox-lab": "sandbox",
              "shared-egress": "shared", "vpn": "hybrid", "dx": "hybrid"}
# Which segments' attachments propagate into each segment's table: the default intent, intra-segment included.
PROPAGATES_INTO = {
    "prod": ("prod", "shared", "hybrid"),
    "nonprod": ("nonprod", "shared", "hybrid"),
    "sandbox": ("sandbox", "shared"),
    "shared": ("prod", "nonprod", "sandbox", "shared"),
    "hybrid": ("prod", "nonprod"),
}


def default_hub(known_ids: bool = True) -> Hub:
    hub = Hub(known_ids)
    hub.add_hybrid()
    for attachment, segment in SEGMENT_OF.items():
        hub.associate(attachment, segment)
    for table, sources in PROPAGATES_INTO.items():
        for attachment, segment in SEGMENT_OF.items():
            if segment in sources:
                hub.propagate(attachment, table)
    return hub


def expected_default_matrix() -> dict:
    allowed = routing.normalize_intent(DEFAULT_INTENT)
    return {(a, b): frozenset((a, b)) in allowed or (a == b and a == "prod")
            for a in SEGMENTS for b in SEGMENTS}


ID_MODES = pytest.mark.parametrize("known_ids", [True, False], ids=["plan-ids", "preview-graph"])


# --------------------------------------------------------------------------- the default topology
@ID_MODES
def test_default_topology_matches_default_intent(known_ids):
    result = routing.compute(default_hub(known_ids).plan.resources)
    assert result.segments == SEGMENTS
    # prod has two VPCs, so prod <-> prod exists; other segments have a single attachment each
    assert result.matrix == expected_default_matrix()
    assert result.one_way == set()
    assert routing.compare(result) == []
    assert result.attachments["onprem-vpn"] == "hybrid" and result.attachments["dx-assoc"] == "hybrid"
    assert result.attachments["shared-egress-att"] == "shared"  # core environment -> shared segment
    assert result.tables["sandbox-rt"] == "sandbox"


def test_evidence_names_table_and_route():
    result = routing.compute(default_hub().plan.resources)
    assert result.evidence("sandbox", "shared") == (
        "sandbox -> shared reachable via tgw route table sandbox-rt: "
        "propagation of shared-egress-att attachment (10.0.0.0/16)")
    assert result.evidence("hybrid", "prod").startswith("hybrid -> prod reachable via tgw route table hybrid-rt")
    assert result.evidence("prod", "nonprod") == "prod -> nonprod: no route"


def test_resources_in_policy_resource_shape_are_accepted():
    """The pack hands PolicyResource objects (props, provider object, dependency objects)."""

    class Provider:
        def __init__(self, props, urn_):
            self.props, self.urn = props, urn_

    class Obj:
        def __init__(self, entry, by_urn):
            self.resource_type, self.urn, self.name = entry["type"], entry["urn"], entry["name"]
            self.props = entry["inputs"]
            provider = by_urn[entry["provider"].rsplit("::", 1)[0]]
            self.provider = Provider(provider["inputs"], provider["urn"])
            self.property_dependencies = {k: [by_urn[u] for u in v] for k, v in entry["property_dependencies"].items()}
            self.dependencies = [by_urn[u] for u in entry["dependencies"]]

    entries = default_hub(known_ids=False).plan.resources
    by_urn = {e["urn"]: e for e in entries}
    objects = [Obj(e, by_urn) for e in entries if e["type"] != PROVIDER]
    assert routing.compute(objects).matrix == expected_default_matrix()


# --------------------------------------------------------------------------- mis-wirings
def kinds(differences) -> set:
    return {(d.kind, d.source, d.target) for d in differences}


@ID_MODES
def test_prod_attachment_propagating_into_nonprod_table_is_caught(known_ids):
    hub = default_hub(known_ids)
    hub.propagate("prod-apps", "nonprod")
    result = routing.compute(hub.plan.resources)
    assert result.can_send("nonprod", "prod") and not result.can_send("prod", "nonprod")
    assert ("nonprod", "prod") in result.one_way
    assert result.matrix[("nonprod", "prod")] is False  # no return path: not an exchange
    differences = routing.compare(result)
    assert kinds(differences) == {("one-way", "nonprod", "prod")}
    assert ("nonprod -> prod reachable via tgw route table nonprod-rt: propagation of prod-apps-att attachment"
            in differences[0].explanation)
    assert urn(t.PROPAGATION, "prod-apps-prop-nonprod") in differences[0].urns


def test_both_directions_leaking_is_reported_as_unexpected_exchange():
    hub = default_hub()
    hub.propagate("prod-apps", "nonprod")
    hub.propagate("nonprod-web", "prod")
    result = routing.compute(hub.plan.resources)
    assert result.matrix[("prod", "nonprod")] and result.matrix[("nonprod", "prod")]
    (difference,) = routing.compare(result)
    assert difference.kind == "unexpected"
    assert difference.explanation.startswith("prod <-> nonprod exchange traffic but the intent forbids it")


@ID_MODES
def test_static_route_in_sandbox_table_to_prod_is_caught(known_ids):
    hub = default_hub(known_ids)
    hub.route("sandbox", "10.1.0.0/16", "prod-apps")
    differences = routing.compare(routing.compute(hub.plan.resources))
    assert kinds(differences) == {("one-way", "sandbox", "prod")}
    assert "static route 10.1.0.0/16 to prod-apps-att attachment" in differences[0].explanation


@ID_MODES
def test_vpn_associated_with_sandbox_table_is_caught(known_ids):
    hub = Hub(known_ids)
    hub.add_hybrid()
    for attachment, segment in SEGMENT_OF.items():
        hub.associate(attachment, "sandbox" if attachment == "vpn" else segment)
    for table, sources in PROPAGATES_INTO.items():
        for attachment, segment in SEGMENT_OF.items():
            if segment in sources:
                hub.propagate(attachment, table)
    result = routing.compute(hub.plan.resources)
    # the VPN now uses the sandbox table: on-premises reaches sandbox and shared, with no way back
    assert result.can_send("hybrid", "sandbox") and result.can_send("hybrid", "shared")
    assert kinds(routing.compare(result)) == {("one-way", "hybrid", "sandbox"), ("one-way", "hybrid", "shared")}


def test_vpn_propagating_into_sandbox_table_gives_sandbox_a_path_on_premises():
    hub = default_hub()
    hub.propagate("vpn", "sandbox")
    result = routing.compute(hub.plan.resources)
    assert kinds(routing.compare(result)) == {("one-way", "sandbox", "hybrid")}
    assert "propagation of onprem-vpn VPN attachment" in routing.compare(result)[0].explanation


# --------------------------------------------------------------------------- blackholes
def leaky_hub() -> Hub:
    hub = default_hub()
    hub.propagate("prod-apps", "nonprod")
    hub.propagate("nonprod-web", "prod")
    return hub


def test_blackhole_of_the_same_prefix_removes_the_path():
    hub = leaky_hub()
    hub.route("nonprod", "10.1.0.0/16")
    hub.route("prod", "10.2.0.0/16")
    result = routing.compute(hub.plan.resources)
    assert not result.can_send("prod", "nonprod") and not result.can_send("nonprod", "prod")
    assert routing.compare(result) == []


def test_more_specific_blackholes_covering_the_prefix_remove_the_path():
    hub = leaky_hub()
    hub.route("nonprod", "10.1.0.0/17")
    hub.route("nonprod", "10.1.128.0/17")
    hub.route("prod", "10.2.0.0/16")
    result = routing.compute(hub.plan.resources)
    assert not result.can_send("nonprod", "prod")


def test_partial_or_less_specific_blackhole_leaves_the_path():
    hub = leaky_hub()
    hub.route("nonprod", "10.1.0.0/17")  # half of prod-apps still propagated
    hub.route("prod", "10.0.0.0/8")  # shorter prefix: the propagated /16 wins
    result = routing.compute(hub.plan.resources)
    assert result.can_send("nonprod", "prod") and result.can_send("prod", "nonprod")
    assert kinds(routing.compare(result)) == {("unexpected", "prod", "nonprod")}


def test_blackhole_of_one_direction_turns_an_exchange_into_a_one_way_path():
    hub = leaky_hub()
    hub.route("prod", "10.2.0.0/16")
    result = routing.compute(hub.plan.resources)
    assert result.one_way == {("nonprod", "prod")}
    (difference,) = routing.compare(result)
    assert difference.kind == "one-way" and "no return path prod -> nonprod" in difference.explanation


def test_static_route_beats_blackhole_only_when_more_specific():
    hub = default_hub()
    hub.route("sandbox", "10.1.0.0/16")  # blackhole
    hub.route("sandbox", "10.1.5.0/24", "prod-apps")  # more specific: still a path
    assert routing.compute(hub.plan.resources).can_send("sandbox", "prod")


# --------------------------------------------------------------------------- intent
def test_missing_path_is_reported():
    hub = Hub(cidrs={"sandbox-lab": "10.3.0.0/16", "shared-egress": "10.0.0.0/16"})
    hub.associate("sandbox-lab", "sandbox")
    hub.associate("shared-egress", "shared")
    result = routing.compute(hub.plan.resources)
    assert result.segments == ("sandbox", "shared")
    (difference,) = routing.compare(result)
    assert (difference.kind, difference.source, difference.target) == ("missing", "sandbox", "shared")


def test_custom_intent_is_symmetric_and_validated():
    hub = default_hub()
    hub.propagate("prod-apps", "nonprod")
    hub.propagate("nonprod-web", "prod")
    intent = {**DEFAULT_INTENT, "nonprod": ["shared", "hybrid", "prod"]}  # declared on one side only
    assert routing.compare(routing.compute(hub.plan.resources), intent) == []
    assert routing.intent_matrix(intent, ["prod", "nonprod"]) == {
        ("prod", "prod"): True, ("prod", "nonprod"): True, ("nonprod", "prod"): True, ("nonprod", "nonprod"): True}
    with pytest.raises(ValueError, match=r"intent\.prod: expected a list"):
        routing.normalize_intent({"prod": "shared"})
    with pytest.raises(ValueError, match=r"intent\.prod\[1\]"):
        routing.normalize_intent({"prod": ["shared", 3]})


# --------------------------------------------------------------------------- peering (DR region)
def peered_hubs(extra_nonprod_route: bool = False) -> tuple[Hub, Hub]:
    plan = Plan()
    home = Hub(plan=plan)
    dr = Hub(plan=plan, region="eu-central-1", suffix="-dr",
             cidrs={"prod-apps": "10.64.0.0/16", "nonprod-web": "10.65.0.0/16", "shared-egress": "10.66.0.0/16"})
    peering = plan.add(t.PEERING_ATTACHMENT, "home-dr-peering", {"peerRegion": "eu-central-1"},
                       {"transitGatewayId": home.tgw, "peerTransitGatewayId": dr.tgw})
    accepter = plan.add(t.PEERING_ACCEPTER, "home-dr-peering-accepter", {}, {"transitGatewayAttachmentId": peering},
                        region="eu-central-1")
    home.att["peer"], dr.att["peer"] = peering, accepter
    for hub in (home, dr):
        for attachment in ("prod-apps", "nonprod-web", "shared-egress"):
            segment = SEGMENT_OF[attachment]
            hub.associate(attachment, segment)
            hub.propagate(attachment, segment)
        hub.associate("peer", "shared")  # what arrives over the peering is routed by the shared table
    # per-segment routes across regions, in both directions
    home.route("prod", "10.64.0.0/16", "peer")
    dr.route("prod", "10.1.0.0/16", "peer")
    home.route("nonprod", "10.65.0.0/16", "peer")
    dr.route("nonprod", "10.2.0.0/16", "peer")
    for hub in (home, dr):
        for attachment in ("prod-apps", "nonprod-web"):
            hub.propagate(attachment, "shared")
    if extra_nonprod_route:
        home.route("nonprod", "10.64.0.0/16", "peer")
    return home, dr


def test_peering_carries_each_segment_to_its_own_segment_only():
    home, _ = peered_hubs()
    result = routing.compute(home.plan.resources)
    assert result.matrix[("prod", "prod")] and result.matrix[("nonprod", "nonprod")]
    assert not result.can_send("prod", "nonprod") and not result.can_send("nonprod", "prod")
    path = result.paths[("prod", "prod")][0]
    assert [h.table for h in path.hops] == ["prod-rt", "shared-rt-dr"] or [h.table for h in path.hops] == [
        "prod-rt-dr", "shared-rt"]
    assert "peering attachment" in path.hops[0].route


def test_route_over_peering_to_the_wrong_segment_is_caught():
    home, _ = peered_hubs(extra_nonprod_route=True)
    result = routing.compute(home.plan.resources)
    assert result.can_send("nonprod", "prod")
    assert ("nonprod", "prod") in result.one_way


# --------------------------------------------------------------------------- tolerance
def test_unresolvable_references_are_notes_not_crashes():
    plan = Plan(known_ids=False)
    table = plan.add(t.TGW_ROUTE_TABLE, "orphan-rt", {"tags": {"segment": "prod"}})
    plan.add(t.ASSOCIATION, "dangling-assoc", {"transitGatewayAttachmentId": UNKNOWN},
             {"transitGatewayRouteTableId": table})
    plan.add(t.VPC_ATTACHMENT, "untagged-att", {"vpcId": UNKNOWN, "tags": {}}, env="mystery")
    result = routing.compute(plan.resources)
    assert any("dangling-assoc" in note for note in result.unresolved)
    assert any("untagged-att" in note for note in result.notes)
    assert result.attachments == {"untagged-att": routing.UNASSIGNED}
    assert routing.compute([]).matrix == {}


def test_accepter_is_folded_into_the_attachment_it_accepts():
    hub = Hub()
    accepter = hub.plan.add(t.VPC_ATTACHMENT_ACCEPTER, "prod-apps-accepter", {},
                            {"transitGatewayAttachmentId": hub.att["prod-apps"]})
    hub.att["prod-acc"] = accepter
    hub.associate("prod-acc", "prod")
    hub.associate("shared-egress", "shared")
    hub.propagate("shared-egress", "prod")
    hub.propagate("prod-acc", "shared")
    result = routing.compute(hub.plan.resources)
    assert result.matrix[("prod", "shared")]
    assert "prod-apps-accepter" not in result.attachments  # the accepter is the attachment, not a new one


def test_default_route_table_association_is_noted():
    hub = default_hub()
    hub.tgw["inputs"]["defaultRouteTableAssociation"] = "enable"
    assert any("defaultRouteTableAssociation" in n for n in routing.compute(hub.plan.resources).notes)


def test_plain_unwraps_secrets_and_unknowns():
    secret = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "10.0.0.0/16"}
    assert snapshot({"a": secret, "b": [UNKNOWN]}) == {"a": "10.0.0.0/16", "b": [NOT_YET_KNOWN]}
