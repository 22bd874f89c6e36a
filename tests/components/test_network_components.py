"""Each network component built alone under the shared recording mocks with small typed args (tests/component_plans):
the hub's segment tables and RAM share, the spoke's tiers, NACLs, routes and flow log, segment routing's refusal of
a plan without its attachments. The components over whole stacks: test_network.py."""

from __future__ import annotations

import functools

import pulumi
import pulumi_aws as aws
import pytest
from component_plans import HOME, LOG_ARCHIVE, account, plan_program

from components.context import AccountContext
from components.network.hub import HubHandle, NetworkHub, NetworkHubArgs
from components.network.routing import SegmentRouting, SegmentRoutingArgs
from components.network.vpc import SpokeVpc, SpokeVpcArgs
from landing_zone.models import AdminPorts, Vpc
from landing_zone.ports import DEFAULT_ADMIN_PORTS
from landing_zone.routing import RegionPlan, TablePlan

ORG_ARN = "arn:aws:organizations::111111111111:organization/o-abcdefghij"
SEGMENTS = ("prod", "nonprod", "transit")


def network_account() -> AccountContext:
    return account("network", environment="core", role="network")


@functools.cache
def hub_plan():
    def program():
        network = network_account()
        sharing = aws.ram.SharingWithOrganization("ram-sharing-enabled")
        NetworkHub("hub", NetworkHubArgs(account=network, region=HOME, organization_name="acme",
                                         amazon_side_asn=64600, route_table_segments=SEGMENTS,
                                         organization_arn=ORG_ARN, sharing_enabled=(sharing,)))
    return plan_program(program)


def test_hub_has_a_protected_tgw_that_never_associates_propagates_or_accepts_by_itself():
    rec = hub_plan()
    tgw = rec.one("aws:ec2transitgateway/transitGateway:TransitGateway")
    assert tgw["name"] == f"network-{HOME}-tgw" and tgw["protect"] is True
    assert (rec.account_of(tgw), rec.region_of(tgw)) == ("network", HOME)
    assert {k: tgw["inputs"][k] for k in ("amazonSideAsn", "autoAcceptSharedAttachments",
                                          "defaultRouteTableAssociation", "defaultRouteTablePropagation")} == {
        "amazonSideAsn": 64600, "autoAcceptSharedAttachments": "disable", "defaultRouteTableAssociation": "disable",
        "defaultRouteTablePropagation": "disable"}


def test_hub_has_one_route_table_per_segment_tagged_with_it():
    rec = hub_plan()
    tables = rec.of_type("aws:ec2transitgateway/routeTable:RouteTable")
    assert sorted(t["inputs"]["tags"]["segment"] for t in tables) == sorted(SEGMENTS)
    tgw = rec.one("aws:ec2transitgateway/transitGateway:TransitGateway")
    assert {t["inputs"]["transitGatewayId"] for t in tables} == {tgw["id"]}


def test_hub_shares_its_tgw_with_the_organization_only_once_sharing_is_enabled():
    rec = hub_plan()
    share = rec.one("aws:ram/resourceShare:ResourceShare")
    assert share["inputs"]["allowExternalPrincipals"] is False
    principal = rec.one("aws:ram/principalAssociation:PrincipalAssociation")
    assert principal["inputs"]["principal"] == ORG_ARN
    assert rec.named("ram-sharing-enabled")["urn"] in principal["dependencies"]
    resource = rec.one("aws:ram/resourceAssociation:ResourceAssociation")
    assert resource["inputs"]["resourceArn"] == rec.one("aws:ec2transitgateway/transitGateway:TransitGateway")["outputs"]["arn"]


def fake_hub(network: AccountContext) -> HubHandle:
    return HubHandle(region=HOME, network=network, transit_gateway_id=pulumi.Output.from_input("tgw-0123"),
                     transit_gateway_arn=pulumi.Output.from_input("arn:aws:ec2:ap-south-1:1:transit-gateway/tgw-0123"),
                     route_table_ids={s: pulumi.Output.from_input(f"tgw-rtb-{s}") for s in SEGMENTS},
                     log_key_arn=pulumi.Output.from_input("arn:aws:kms:ap-south-1:1:key/hub"), shared=[])


@functools.cache
def spoke_plan(admin_access: bool = False, admin_ports: AdminPorts = DEFAULT_ADMIN_PORTS):
    def program():
        apps = account("dev-apps")
        SpokeVpc("dev-apps-ap-south-1", SpokeVpcArgs(
            account=apps, region=HOME, vpc=Vpc(cidr="10.20.0.0/16", azs=2), hub=fake_hub(network_account()),
            log_archive=LOG_ARCHIVE, tgw_destinations=("10.0.0.0/8",), reachable_blocks=("10.0.0.0/8",),
            admin_cidrs=("10.9.0.0/24",), admin_ports=admin_ports, organization_id="o-abcdefghij",
            admin_access=admin_access))
    return plan_program(program)


def test_spoke_has_four_tiers_per_az_and_nothing_public_on_launch():
    rec = spoke_plan()
    subnets = rec.of_type("aws:ec2/subnet:Subnet")
    assert sorted(s["inputs"]["tags"]["tier"] for s in subnets) == sorted(
        ["public", "private", "data", "transit"] * 2)
    assert all(s["inputs"]["mapPublicIpOnLaunch"] is False for s in subnets)
    assert {rec.account_of(s) for s in subnets} == {"dev-apps"}


def test_spoke_sends_its_destinations_to_the_tgw_after_the_network_account_accepts():
    rec = spoke_plan()
    accepter = rec.one("aws:ec2transitgateway/vpcAttachmentAccepter:VpcAttachmentAccepter")
    assert rec.account_of(accepter) == "network"  # a shared TGW: its owner accepts (auto-accept is off)
    to_tgw = [r for r in rec.of_type("aws:ec2/route:Route") if r["inputs"].get("transitGatewayId") == "tgw-0123"]
    assert {r["inputs"]["destinationCidrBlock"] for r in to_tgw} == {"10.0.0.0/8"}
    assert len(to_tgw) == 1 + 2 + 1  # public, private per AZ, data
    assert all(accepter["urn"] in r["dependencies"] for r in to_tgw)


def test_spoke_nacls_admit_the_reachable_blocks_and_keep_the_internet_off_admin_ports():
    rec = spoke_plan()
    nacls = {n["inputs"]["tags"]["tier"]: n for n in rec.of_type("aws:ec2/networkAcl:NetworkAcl")}
    assert set(nacls) == {"public", "private", "data", "transit"}
    for tier, nacl in nacls.items():
        ingress = nacl["inputs"]["ingress"]
        assert {r["cidrBlock"] for r in ingress if r["protocol"] == "-1"} == {"10.0.0.0/8"}, tier
        for rule in (r for r in ingress if r["cidrBlock"] == "0.0.0.0/0"):
            assert not rule["fromPort"] <= 22 <= rule["toPort"] and not rule["fromPort"] <= 3389 <= rule["toPort"]


def test_spoke_flow_log_of_all_traffic_goes_to_the_log_archive():
    flow_log = spoke_plan().one("aws:ec2/flowLog:FlowLog")
    assert flow_log["inputs"]["trafficType"] == "ALL"
    assert flow_log["inputs"]["logDestination"] == f"{LOG_ARCHIVE.bucket_arn}/vpc-flow-logs/"


def test_admin_access_group_only_when_asked_and_only_from_the_admin_cidrs():
    def admin_groups(rec):
        return [g for g in rec.of_type("aws:ec2/securityGroup:SecurityGroup") if g["name"].endswith("admin-access-sg")]

    assert admin_groups(spoke_plan()) == []
    (group,) = admin_groups(spoke_plan(admin_access=True))
    assert {(r["fromPort"], tuple(r["cidrBlocks"])) for r in group["inputs"]["ingress"]} == {
        (22, ("10.9.0.0/24",)), (3389, ("10.9.0.0/24",))}


def test_custom_admin_ports_open_from_the_client_vpn_and_stay_closed_to_the_internet():
    rec = spoke_plan(admin_access=True, admin_ports=AdminPorts(ssh=2222, rdp=13389))
    (group,) = [g for g in rec.of_type("aws:ec2/securityGroup:SecurityGroup") if g["name"].endswith("admin-access-sg")]
    assert {(r["fromPort"], r["toPort"], tuple(r["cidrBlocks"])) for r in group["inputs"]["ingress"]} == {
        (2222, 2222, ("10.9.0.0/24",)), (13389, 13389, ("10.9.0.0/24",))}
    for nacl in rec.of_type("aws:ec2/networkAcl:NetworkAcl"):
        world = [r for r in nacl["inputs"]["ingress"] if r["cidrBlock"] == "0.0.0.0/0"]
        for port in (22, 2222, 3389, 13389):
            assert not any(r["fromPort"] <= port <= r["toPort"] for r in world), (nacl["name"], port)
        if nacl["inputs"]["tags"]["tier"] == "private":  # replies still arrive on every other ephemeral port
            tcp = {p for r in world if r["protocol"] == "tcp" for p in range(r["fromPort"], r["toPort"] + 1)}
            assert tcp == set(range(1024, 65536)) - {2222, 3389, 13389}


def test_segment_routing_refuses_a_plan_whose_attachments_are_missing():
    plan = RegionPlan(HOME, {"prod": TablePlan("prod", associate=["vpc:prod-apps"])}, {"vpc:prod-apps": "prod"})

    def program():
        SegmentRouting("routing", SegmentRoutingArgs(hub=fake_hub(network_account()), plan=plan, attachment_ids={}))

    with pytest.raises(Exception, match="no attachment for vpc:prod-apps"):
        plan_program(program)


def test_segment_routing_associates_each_attachment_with_its_segment_table():
    plan = RegionPlan(HOME, {"prod": TablePlan("prod", associate=["vpc:prod-apps"], propagate=["vpc:prod-apps"],
                                               blackhole=["192.168.0.0/16"])}, {"vpc:prod-apps": "prod"})
    rec = plan_program(lambda: SegmentRouting("routing", SegmentRoutingArgs(
        hub=fake_hub(network_account()), plan=plan, attachment_ids={"vpc:prod-apps": "tgw-attach-1"})))
    association = rec.one("aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation")
    assert (association["inputs"]["transitGatewayAttachmentId"],
            association["inputs"]["transitGatewayRouteTableId"]) == ("tgw-attach-1", "tgw-rtb-prod")
    assert rec.account_of(association) == "network"
    blackhole = rec.one("aws:ec2transitgateway/route:Route")
    assert blackhole["inputs"]["blackhole"] is True and blackhole["inputs"]["destinationCidrBlock"] == "192.168.0.0/16"
