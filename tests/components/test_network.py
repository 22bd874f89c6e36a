"""The network components over the dev and prod stacks: hubs, segment routing, spoke VPCs, hybrid, DR peering.

The organization and network sections are planned once per stack (functools.cache) under the shared recording
mocks; the assertions read the plan the way the policy pack does (camelCase inputs, provider default tags).
"""

from __future__ import annotations

import functools
import ipaddress
import json
import sys
from pathlib import Path

import pulumi_aws as aws
import pytest
from component_plans import plan_program

from bench.orgs import generate_stack
from components.context import LogArchive
from components.network import build_network
from components.network.endpoint_policies import POLICY_SUPPORTED, RESOURCE_PERIMETER
from components.network.vpc import GATEWAY_ENDPOINTS, INTERFACE_ENDPOINTS, nat_mode
from components.organization import Organization, organization_args
from landing_zone.client_vpn import authorization_ranges, client_vpn_routes, client_vpn_source_cidrs
from landing_zone.config import load_stack, namespaced, parse, stack_config
from landing_zone.plan_index import index_by_urn, provider_tags
from landing_zone.ports import closed_to_internet
from landing_zone.routing import (
    PEERING_TABLE,
    direct_connect_prefixes,
    enclosing_block,
    internal_blocks,
    reachable_ranges,
    region_plan,
    segment_blocks,
    segment_cidrs,
    vpc_destinations,
    vpc_sites,
)
from landing_zone.segments import Intent
from landing_zone.subnets import by_tier, plan_subnets
from landing_zone.wire import is_secret

REPO_ROOT = Path(__file__).resolve().parents[2]
STACKS = ("dev", "prod")
LOG_BUCKET_ARN = "arn:aws:s3:::lz-log-archive-test"
LOG_ARCHIVE_READY = "log-archive-bucket-policy"

TGW = "aws:ec2transitgateway/transitGateway:TransitGateway"
TGW_RT = "aws:ec2transitgateway/routeTable:RouteTable"
ASSOC = "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation"
PROP = "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation"
TGW_ROUTE = "aws:ec2transitgateway/route:Route"
ATTACH = "aws:ec2transitgateway/vpcAttachment:VpcAttachment"
ACCEPT = "aws:ec2transitgateway/vpcAttachmentAccepter:VpcAttachmentAccepter"
VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
NAT = "aws:ec2/natGateway:NatGateway"
RT = "aws:ec2/routeTable:RouteTable"
ROUTE = "aws:ec2/route:Route"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
SG = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
NACL = "aws:ec2/networkAcl:NetworkAcl"
VPN = "aws:ec2/vpnConnection:VpnConnection"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
DX_ASSOC = "aws:directconnect/gatewayAssociation:GatewayAssociation"
CVPN = "aws:ec2clientvpn/endpoint:Endpoint"
CVPN_AUTHZ = "aws:ec2clientvpn/authorizationRule:AuthorizationRule"
CVPN_ASSOC = "aws:ec2clientvpn/networkAssociation:NetworkAssociation"
CVPN_ROUTE = "aws:ec2clientvpn/route:Route"
ACM_CERT = "aws:acm/certificate:Certificate"
SAML_PROVIDER = "aws:iam/samlProvider:SamlProvider"
REGION_ENABLED = "aws:account/region:Region"
PROVIDER = "pulumi:providers:aws"
PEERING = "aws:ec2transitgateway/peeringAttachment:PeeringAttachment"
PEERING_ACCEPT = "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter"
RAM_SHARE = "aws:ram/resourceShare:ResourceShare"
RAM_PRINCIPAL = "aws:ram/principalAssociation:PrincipalAssociation"
RAM_RESOURCE = "aws:ram/resourceAssociation:ResourceAssociation"


@functools.cache
def network_plan(stack: str) -> dict:
    """Plan the organization (accounts, providers, org ARN) and the network section of the stack."""
    return plan_network(load_stack(stack, REPO_ROOT), stack)


def plan_network(cfg, stack: str) -> dict:
    def program() -> None:
        org = Organization("organization", organization_args(cfg))
        # stands in for the log archive's bucket policy: what log writers must wait for (LogArchive.ready)
        log_archive_account = org.accounts[cfg.account_with_role("log-archive").name]
        policy = aws.s3.BucketPolicy(LOG_ARCHIVE_READY, bucket="lz-log-archive-test", policy="{}",
                                     opts=log_archive_account.opts(cfg.organization.home_region))
        log_archive = LogArchive(bucket_name="lz-log-archive-test", bucket_arn=LOG_BUCKET_ARN,
                                 kms_key_arn="arn:aws:kms:ap-south-1:111111111111:key/test", ready=(policy,))
        build_network(cfg, org.accounts, log_archive, org.organization.arn, sharing_enabled=[org.ram_sharing])

    return plan_program(program, stack=stack, region=cfg.organization.home_region).plan


class View:
    """Lookups over one plan."""

    def __init__(self, stack: str):
        self.stack = stack
        self.cfg = load_stack(stack, REPO_ROOT)
        self.plan = network_plan(stack)
        self.resources = self.plan["resources"]
        self.index = index_by_urn(self.plan)
        self.by_urn = {r["urn"]: r for r in self.resources}

    def of_type(self, type_: str) -> list[dict]:
        return [r for r in self.resources if r["type"] == type_]

    def named(self, name: str) -> dict:
        (found,) = [r for r in self.resources if r["name"] == name]
        return found

    def tags(self, r: dict) -> dict:
        return {**provider_tags(self.index, r), **(r["inputs"].get("tags") or {})}

    def account(self, r: dict) -> str:
        return self.tags(r).get("account", "")

    def region(self, r: dict) -> str:
        provider = self.index.get(r["provider"].rsplit("::", 1)[0], {})
        return provider.get("inputs", {}).get("region", "")

    def in_vpc(self, type_: str, vpc: dict) -> list[dict]:
        return [r for r in self.of_type(type_) if r["inputs"].get("vpcId") == vpc["id"]]

    def deps(self, r: dict, prop: str) -> list[dict]:
        return [self.by_urn[u] for u in r["property_dependencies"].get(prop, []) if u in self.by_urn]


@pytest.fixture(scope="module", params=STACKS)
def view(request) -> View:
    return View(request.param)


def _vpc_of(view: View, account: str, region: str) -> dict:
    return view.named(f"{account}-{region}-vpc")


# --- hubs -------------------------------------------------------------------------------------------------------


def test_one_hardened_tgw_per_region_in_the_network_account(view):
    tgws = view.of_type(TGW)
    assert sorted(view.region(t) for t in tgws) == sorted(view.cfg.regions)
    for tgw in tgws:
        i = tgw["inputs"]
        assert (i["autoAcceptSharedAttachments"], i["defaultRouteTableAssociation"], i["defaultRouteTablePropagation"]) \
            == ("disable", "disable", "disable")
        assert (i["dnsSupport"], i["vpnEcmpSupport"]) == ("enable", "enable")
        assert tgw["protect"] is True
        assert view.account(tgw) == view.cfg.account_with_role("network").name
    asns = {t["inputs"]["amazonSideAsn"] for t in tgws}
    assert len(asns) == len(tgws)
    if view.cfg.network.direct_connect:
        assert view.cfg.network.direct_connect.amazon_side_asn not in asns


def test_tgw_shared_with_the_organization_only(view):
    org = next(r for r in view.resources if r["type"] == "aws:organizations/organization:Organization")
    shares = view.of_type(RAM_SHARE)  # the TGW's, and the resolver's (rules, DNS Firewall, query logging)
    assert len([s for s in shares if s["inputs"]["name"].endswith("-tgw")]) == len(view.cfg.regions)
    assert all(s["inputs"]["allowExternalPrincipals"] is False for s in shares)
    principals = view.of_type(RAM_PRINCIPAL)
    assert {p["inputs"]["principal"] for p in principals} == {org["outputs"]["arn"]}


def test_one_route_table_per_segment_tagged_with_it(view):
    segments = list(view.cfg.network.segments) + [PEERING_TABLE]
    for region in view.cfg.regions:
        tags = sorted(view.tags(t)["segment"] for t in view.of_type(TGW_RT) if view.region(t) == region)
        assert tags == sorted(segments)


def test_every_attachment_associated_with_exactly_its_segment_table(view):
    tables = {t["urn"]: view.tags(t)["segment"] for t in view.of_type(TGW_RT)}
    associated: dict[str, str] = {}
    for assoc in view.of_type(ASSOC):
        (table,) = view.deps(assoc, "transitGatewayRouteTableId")
        for target in view.deps(assoc, "transitGatewayAttachmentId"):
            if target["type"] in (ATTACH, ACCEPT, VPN):
                assert target["name"] not in associated, f"{target['name']} associated twice"
                associated[target["name"]] = tables[table["urn"]]
    for attachment in view.of_type(ATTACH):
        expected = view.tags(attachment)["segment"]
        key = next((a["name"] for a in view.of_type(ACCEPT)
                    if attachment["urn"] in a["property_dependencies"].get("transitGatewayAttachmentId", [])),
                   attachment["name"])
        assert associated[key] == expected
    for vpn in view.of_type(VPN):
        assert associated[vpn["name"]] == "hybrid"


def test_no_table_mixes_prod_and_nonprod_links(view):
    """X-05: a table never has prod and non-prod attachments associated or propagated together."""
    for region in view.cfg.regions:
        plan = region_plan(view.cfg, region)
        for table in plan.tables.values():
            segments = {plan.segment_of[k] for k in table.associate + table.propagate}
            assert not ({"prod"} & segments and {"nonprod", "sandbox"} & segments), (region, table.segment, segments)


def test_cross_account_attachments_are_accepted_by_the_network_account(view):
    network = view.cfg.account_with_role("network").name
    accepters = view.of_type(ACCEPT)
    for attachment in view.of_type(ATTACH):
        owner = view.account(attachment)
        accepted_by = [a for a in accepters
                       if attachment["urn"] in a["property_dependencies"].get("transitGatewayAttachmentId", [])]
        if owner == network:
            assert accepted_by == []  # the TGW owner's own attachment needs (and allows) no acceptance
            assert attachment["inputs"]["transitGatewayDefaultRouteTableAssociation"] is False
        else:
            (accepter,) = accepted_by
            assert view.account(accepter) == network
            assert accepter["inputs"]["transitGatewayDefaultRouteTableAssociation"] is False
            assert accepter["inputs"]["transitGatewayDefaultRouteTablePropagation"] is False
        assert view.tags(attachment)["segment"] == view.cfg.account(owner).network_segment


def test_spoke_routes_to_a_shared_tgw_wait_for_the_acceptance(view):
    """A cross-account attachment carries nothing until the network account accepts it (auto-accept is off)."""
    accepters = view.of_type(ACCEPT)
    assert accepters
    tgw_ids = {t["id"] for t in view.of_type(TGW)}
    for accepter in accepters:
        prefix = accepter["name"].removesuffix("tgw-attachment-accept")
        routes = [r for r in view.of_type(ROUTE)
                  if r["name"].startswith(prefix) and r["inputs"].get("transitGatewayId") in tgw_ids]
        assert routes, prefix
        for route in routes:
            assert accepter["urn"] in route["dependencies"], route["name"]


def test_tgw_attachments_wait_for_the_share_of_the_tgw_and_its_principal(view):
    """A member account sees the TGW only once the share holds both the TGW and the organization, and a share to
    the organization is refused until RAM sharing with the organization is enabled."""
    sharing = view.named("organization-ram-sharing")
    for principal in view.of_type(RAM_PRINCIPAL):
        assert sharing["urn"] in principal["dependencies"], principal["name"]
    tgw_links = [r for r in view.of_type(RAM_PRINCIPAL) + view.of_type(RAM_RESOURCE) if "-tgw-share-" in r["name"]]
    for attachment in view.of_type(ATTACH):
        region = view.region(attachment)
        mine = {r["urn"] for r in tgw_links if view.region(r) == region}
        assert len(mine) == 2 and mine <= set(attachment["dependencies"]), attachment["name"]


def test_blackholes_keep_on_premises_out_of_segments_that_may_not_reach_it(view):
    intent = Intent(view.cfg.network.reachability)
    blackholes = [r for r in view.of_type(TGW_ROUTE) if r["inputs"].get("blackhole")]
    assert blackholes
    tables = {t["urn"]: view.tags(t)["segment"] for t in view.of_type(TGW_RT)}
    for route in blackholes:
        (table,) = view.deps(route, "transitGatewayRouteTableId")
        assert not intent.reaches(tables[table["urn"]], "hybrid")
        assert route["inputs"]["destinationCidrBlock"] in view.cfg.network.on_premises_cidrs + [
            c for gw in view.cfg.network.vpn for c in gw.static_routes]


# --- spoke VPCs -------------------------------------------------------------------------------------------------


def test_a_vpc_for_every_account_and_region_with_one(view):
    expected = sorted((s.account, s.region, s.cidr) for s in vpc_sites(view.cfg))
    got = sorted((view.account(v), view.region(v), v["inputs"]["cidrBlock"]) for v in view.of_type(VPC))
    assert got == expected


def test_subnets_per_tier_per_az_from_the_planner(view):
    for site in vpc_sites(view.cfg):
        vpc_cfg = view.cfg.account(site.account).vpcs[site.region]
        vpc = _vpc_of(view, site.account, site.region)
        subnets = view.in_vpc(SUBNET, vpc)
        planned = by_tier(plan_subnets(vpc_cfg.cidr, vpc_cfg.azs, vpc_cfg.tiers.model_dump()))
        for tier, cidrs in planned.items():
            got = sorted(s["inputs"]["cidrBlock"] for s in subnets if s["inputs"]["tags"]["tier"] == tier)
            assert got == sorted(cidrs) and len(got) == vpc_cfg.azs, (site, tier)
        assert not any(s["inputs"].get("mapPublicIpOnLaunch") for s in subnets)


def test_nat_gateways_per_az_in_prod_single_elsewhere(view):
    for site in vpc_sites(view.cfg):
        account = view.cfg.account(site.account)
        vpc_cfg = account.vpcs[site.region]
        public = {s["id"] for s in view.in_vpc(SUBNET, _vpc_of(view, site.account, site.region))
                  if s["inputs"]["tags"]["tier"] == "public"}
        nats = [n for n in view.of_type(NAT) if n["inputs"]["subnetId"] in public]
        expected = {"per-az": vpc_cfg.azs, "single": 1, "none": 0}[nat_mode(account, vpc_cfg)]
        assert len(nats) == expected, site
    if view.stack == "prod":  # the seeds: prod VPCs survive an AZ outage
        prod_apps = view.cfg.account("prod-apps").vpcs["ap-south-1"]
        assert nat_mode(view.cfg.account("prod-apps"), prod_apps) == "per-az"


def _routes_of(view: View, table: dict) -> list[dict]:
    return [r for r in view.of_type(ROUTE) if r["inputs"]["routeTableId"] == table["id"]]


def test_route_tables_per_tier(view):
    tgw_ids = {t["id"] for t in view.of_type(TGW)}
    for site in vpc_sites(view.cfg):
        vpc = _vpc_of(view, site.account, site.region)
        tables = view.in_vpc(RT, vpc)
        by_tier_: dict[str, list[dict]] = {}
        for t in tables:
            by_tier_.setdefault(t["inputs"]["tags"]["tier"], []).append(t)
        destinations = set(vpc_destinations(view.cfg, site))
        for tier in ("public", "private", "data"):
            for table in by_tier_[tier]:
                routes = _routes_of(view, table)
                to_tgw = {r["inputs"]["destinationCidrBlock"] for r in routes if r["inputs"].get("transitGatewayId") in tgw_ids}
                assert to_tgw == destinations, (site, tier)
        for table in by_tier_["data"]:  # the data tier never reaches the internet
            routes = _routes_of(view, table)
            assert not any(r["inputs"].get("gatewayId") or r["inputs"].get("natGatewayId") for r in routes)
            assert "0.0.0.0/0" not in {r["inputs"]["destinationCidrBlock"] for r in routes}
        for table in by_tier_["private"]:
            defaults = [r for r in _routes_of(view, table) if r["inputs"]["destinationCidrBlock"] == "0.0.0.0/0"]
            assert [bool(r["inputs"].get("natGatewayId")) for r in defaults] == [True]
        assert _routes_of(view, by_tier_["transit"][0]) == []


def test_spokes_send_the_private_blocks_to_the_tgw_and_appending_accounts_changes_no_route():
    cfg = load_stack("prod", REPO_ROOT)
    sandbox = next(s for s in vpc_sites(cfg) if s.account == "sandbox")
    network = next(s for s in vpc_sites(cfg) if s.account == "network" and s.region == "ap-south-1")
    # constant and summarized: segmentation is the TGW route tables' job (test_reachability_equals_the_intent)
    assert vpc_destinations(cfg, sandbox) == vpc_destinations(cfg, network) == internal_blocks(cfg)
    assert "10.0.0.0/8" in internal_blocks(cfg) and set(cfg.network.on_premises_cidrs) <= {"192.168.0.0/16"}
    bigger = parse(namespaced(generate_stack(60)["config"]))
    grown_network = next(s for s in vpc_sites(bigger) if s.account == "network" and s.region == "ap-south-1")
    assert vpc_destinations(bigger, grown_network) == vpc_destinations(cfg, network)  # 60 more VPCs, no new route


def test_a_flow_log_of_all_traffic_for_every_vpc_to_the_log_archive(view):
    for vpc in view.of_type(VPC):
        logs = view.in_vpc(FLOW_LOG, vpc)
        assert len(logs) == 1, vpc["name"]
        i = logs[0]["inputs"]
        assert (i["trafficType"], i["logDestinationType"]) == ("ALL", "s3")
        assert i["logDestination"].startswith(LOG_BUCKET_ARN)
        # CreateFlowLogs checks the bucket policy (and key) at creation: the flow log waits for LogArchive.ready
        assert view.named(LOG_ARCHIVE_READY)["urn"] in logs[0]["dependencies"], vpc["name"]


def test_default_security_group_emptied(view):
    defaults = view.of_type(DEFAULT_SG)
    assert len(defaults) == len(view.of_type(VPC))
    for sg in defaults:
        assert not sg["inputs"].get("ingress") and not sg["inputs"].get("egress")


def test_endpoints_private_and_https_from_the_vpc_only(view):
    for vpc in view.of_type(VPC):
        endpoints = view.in_vpc(ENDPOINT, vpc)
        region = view.region(vpc)
        services = sorted(e["inputs"]["serviceName"].removeprefix(f"com.amazonaws.{region}.") for e in endpoints)
        assert services == sorted(GATEWAY_ENDPOINTS + INTERFACE_ENDPOINTS)
        sgs = {sg["id"]: sg for sg in view.in_vpc(SG, vpc)}
        for e in endpoints:
            if e["inputs"]["vpcEndpointType"] == "Gateway":
                continue
            assert e["inputs"]["privateDnsEnabled"] is True
            (sg_id,) = e["inputs"]["securityGroupIds"]
            ingress = sgs[sg_id]["inputs"]["ingress"]
            assert [(r["fromPort"], r["toPort"], r["cidrBlocks"]) for r in ingress] == [(443, 443, [vpc["inputs"]["cidrBlock"]])]
            assert all(r["description"] for r in ingress)


def _tier_nacls(view: View) -> list[dict]:
    """The spoke tiers' NACLs (the resolver endpoints' `dns` NACL admits only the on-premises resolvers: test_dns.py)."""
    return [n for n in view.of_type(NACL) if n["inputs"]["tags"]["tier"] != "dns"]


def _segment_of_nacl(view: View, nacl: dict) -> str:
    (vpc,) = [v for v in view.of_type(VPC) if v["id"] == nacl["inputs"]["vpcId"]]
    return view.tags(vpc)["segment"]


def _organization_id(view: View) -> str:
    (org,) = view.of_type("aws:organizations/organization:Organization")
    return org["outputs"]["arn"].rsplit("/", 1)[-1]


def test_endpoint_policies_keep_traffic_inside_the_organization(view):
    """Through a spoke's endpoints only the organization's principals act; through the gateway endpoints only on the
    organization's buckets and tables, plus reads of the AWS-owned buckets ECR, SSM and the package repos need."""
    org_id = _organization_id(view)
    assert org_id.startswith("o-")
    for endpoint in view.of_type(ENDPOINT):
        i = endpoint["inputs"]
        gateway = i["vpcEndpointType"] == "Gateway"
        service = i["serviceName"].split(".", 3)[-1]
        if not gateway and service not in POLICY_SUPPORTED:  # AWS refuses a custom policy for these services
            assert "policy" not in i and service in ("ssmmessages", "ec2messages"), endpoint["name"]
            continue
        policy = json.loads(i["policy"])
        first, *others = policy["Statement"]
        resource_side = gateway or service in RESOURCE_PERIMETER
        expected = {"aws:PrincipalOrgID": org_id, **({"aws:ResourceOrgID": org_id} if resource_side else {})}
        assert first["Condition"] == {"StringEquals": expected}, endpoint["name"]
        for statement in others:  # every exception is read-only or federates into the organization's own roles
            assert statement["Effect"] == "Allow"
            if service == "s3":
                assert statement["Action"] == "s3:GetObject" and "Condition" not in statement
                region = view.region(endpoint)
                assert all(r.startswith("arn:aws:s3:::") and r.endswith("/*") for r in statement["Resource"])
                assert f"arn:aws:s3:::prod-{region}-starport-layer-bucket/*" in statement["Resource"]
            else:
                assert service == "sts", endpoint["name"]
                assert statement["Condition"] == {"StringEquals": {"aws:ResourceOrgID": org_id}}
                assert set(statement["Action"]) == {"sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"}
        assert others or service not in ("s3", "sts"), endpoint["name"]


def test_nacls_keep_the_internet_out_of_admin_ports(view):
    closed = closed_to_internet(view.cfg.network.admin_ports)
    assert closed != [22, 3389]  # the stacks move SSH and RDP (the seeds)
    for nacl in _tier_nacls(view):
        internal = segment_blocks(view.cfg, _segment_of_nacl(view, nacl))
        for entry in nacl["inputs"]["ingress"]:
            if entry["cidrBlock"] in internal:
                continue
            assert entry["cidrBlock"] == "0.0.0.0/0" and entry["protocol"] in ("tcp", "udp")
            assert not any(entry["fromPort"] <= p <= entry["toPort"] for p in closed), nacl["name"]
        if nacl["inputs"]["tags"]["tier"] == "data":
            assert {e["cidrBlock"] for e in nacl["inputs"]["egress"] if e["protocol"] == "-1"} == set(internal)


def test_nacls_allow_only_the_private_blocks_their_segment_may_reach(view):
    """Not all of RFC 1918 on every tier: a NACL opens the blocks holding what its segment reaches by the intent."""
    cfg = view.cfg
    vpc_blocks = {enclosing_block(s.cidr) for s in vpc_sites(cfg)}
    for nacl in _tier_nacls(view):
        segment = _segment_of_nacl(view, nacl)
        reachable = {enclosing_block(c) for c in reachable_ranges(cfg, segment)}
        inside = {e["cidrBlock"] for e in nacl["inputs"]["ingress"] if e["cidrBlock"] != "0.0.0.0/0"}
        assert inside == reachable, (nacl["name"], segment)
        # the Client VPN pool is source-NATed into the network VPC: no NACL opens its block for it
        assert enclosing_block(cfg.network.client_vpn.cidr) not in inside - vpc_blocks, nacl["name"]
        if not Intent(cfg.network.reachability).reaches(segment, "hybrid"):
            assert not {enclosing_block(c) for c in cfg.network.on_premises_cidrs} & (inside - vpc_blocks), nacl["name"]
    if view.stack == "prod":  # the seeds: the sandbox reaches only shared services, never on-premises 192.168/16
        sandbox = view.named("sandbox-ap-south-1-nacl-private")
        assert {e["cidrBlock"] for e in sandbox["inputs"]["ingress"]} == {"10.0.0.0/8", "0.0.0.0/0"}


def test_admin_access_only_from_the_client_vpn(view):
    sources, ports = client_vpn_source_cidrs(view.cfg), view.cfg.network.admin_ports
    network_vpc = view.cfg.account_with_role("network").vpcs[view.cfg.organization.home_region]
    assert sources and all(ipaddress.ip_network(c).subnet_of(ipaddress.ip_network(network_vpc.cidr)) for c in sources)
    admin = [sg for sg in view.of_type(SG) if sg["inputs"].get("tags", {}).get("tier") == "admin"]
    host_vpcs = [a.name for a in view.cfg.accounts if a.workloads.data_hosts]  # only EC2 hosts take SSH/RDP
    assert len(admin) == len(host_vpcs) > 0
    for sg in admin:
        ingress = sg["inputs"]["ingress"]
        assert {(r["fromPort"], c) for r in ingress for c in r["cidrBlocks"]} == {(p, c) for p in (ports.ssh, ports.rdp) for c in sources}
        assert all(r["description"] for r in ingress)


# --- hybrid -----------------------------------------------------------------------------------------------------


def test_vpn_tunnels_logged_and_keys_secret(view):
    vpns = view.of_type(VPN)
    assert len(vpns) == len(view.cfg.network.vpn)
    log_groups = {lg["outputs"]["arn"]: lg for lg in view.of_type(LOG_GROUP)}
    for vpn, gw in zip(vpns, view.cfg.network.vpn, strict=True):
        i = vpn["inputs"]
        assert i["staticRoutesOnly"] is (gw.bgp_asn is None)
        for n in (1, 2):
            options = i[f"tunnel{n}LogOptions"]["cloudwatchLogOptions"]
            assert options["logEnabled"] is True
            group = log_groups[options["logGroupArn"]]
            assert group["inputs"]["kmsKeyId"] and group["inputs"]["retentionInDays"] >= 365
            if gw.tunnel_preshared_keys:
                assert is_secret(i[f"tunnel{n}PresharedKey"])


def test_direct_connect_allows_only_the_data_warehouse_prefixes(view):
    (association,) = view.of_type(DX_ASSOC)
    prefixes = association["inputs"]["allowedPrefixes"]
    assert prefixes == direct_connect_prefixes(view.cfg)
    home = view.cfg.organization.home_region
    assert prefixes == [view.cfg.account(a).vpcs[home].cidr for a in view.cfg.network.direct_connect.accounts]


def test_client_vpn_split_tunnel_logged_and_route_enforced(view):
    cvpn = view.cfg.network.client_vpn
    (endpoint,) = view.of_type(CVPN)
    i = endpoint["inputs"]
    assert i["splitTunnel"] is True and i["connectionLogOptions"]["enabled"] is True
    assert i["clientRouteEnforcementOptions"] == {"enforced": True}
    kind = {"saml": "federated-authentication", "certificate": "certificate-authentication"}[cvpn.authentication]
    assert [a["type"] for a in i["authenticationOptions"]] == [kind]


def test_client_vpn_authorized_per_identity_provider_group(view):
    """NET-11: each group reaches exactly its configured ranges; nobody is authorized as "all groups"."""
    cvpn = view.cfg.network.client_vpn
    rules = view.of_type(CVPN_AUTHZ)
    assert not any(r["inputs"].get("authorizeAllGroups") for r in rules)
    granted = {(r["inputs"]["accessGroupId"], r["inputs"]["targetNetworkCidr"]) for r in rules}
    assert granted == {(rule.group, c) for rule in cvpn.authorization for c in authorization_ranges(view.cfg, rule)}
    developers = cvpn.authorization[1]
    assert "prod" not in developers.segments
    assert not {c for g, c in granted if g == developers.group} & set(segment_cidrs(view.cfg, "prod"))
    associations = {a["urn"] for a in view.of_type(CVPN_ASSOC)}
    assert len(associations) == 2
    for rule in rules:  # the endpoint serves clients only once its subnets are associated
        assert associations <= set(rule["dependencies"]), rule["name"]


def test_client_vpn_routes_every_authorized_block_through_the_vpc(view):
    routes = {r["inputs"]["destinationCidrBlock"] for r in view.of_type(CVPN_ROUTE)}
    authorized = [c for rule in view.cfg.network.client_vpn.authorization for c in authorization_ranges(view.cfg, rule)]
    network_vpc = ipaddress.ip_network(view.cfg.account_with_role("network").vpcs[view.cfg.organization.home_region].cidr)
    assert routes == {b for b in client_vpn_routes(view.cfg, authorized)
                      if not ipaddress.ip_network(b).subnet_of(network_vpc)}


def test_client_vpn_credentials_live_in_the_network_account_and_home_region(view):
    """AWS accepts only a server certificate and SAML provider of the endpoint's own account and region."""
    cvpn, home = view.cfg.network.client_vpn, view.cfg.organization.home_region
    network = view.cfg.account_with_role("network").name
    (endpoint,) = view.of_type(CVPN)
    (cert,) = view.deps(endpoint, "serverCertificateArn")
    assert cert["type"] == ACM_CERT and (view.account(cert), view.region(cert)) == (network, home)
    assert cert["inputs"]["certificateBody"] == (REPO_ROOT / cvpn.server_certificate.certificate_file).read_text()
    assert is_secret(cert["inputs"]["privateKey"])
    assert endpoint["inputs"]["serverCertificateArn"] == cert["outputs"]["arn"]
    (saml,) = view.deps(endpoint, "authenticationOptions")
    assert saml["type"] == SAML_PROVIDER and (view.account(saml), view.region(saml)) == (network, home)
    assert saml["inputs"]["samlMetadataDocument"] == (REPO_ROOT / cvpn.saml_metadata_file).read_text()
    assert endpoint["inputs"]["authenticationOptions"][0]["samlProviderArn"] == saml["outputs"]["arn"]


# --- DR ---------------------------------------------------------------------------------------------------------


def test_dr_hub_peered_with_per_segment_routes(view):
    (peering,) = view.of_type(PEERING)
    (accepter,) = view.of_type(PEERING_ACCEPT)
    org = view.cfg.organization
    assert (view.region(peering), view.region(accepter)) == (org.home_region, org.dr_region)
    intent = Intent(view.cfg.network.reachability)
    tables = {t["urn"]: (view.region(t), view.tags(t)["segment"]) for t in view.of_type(TGW_RT)}
    dr_cidrs = {s.cidr: s.segment for s in vpc_sites(view.cfg) if s.region == org.dr_region}
    via_peering = [r for r in view.of_type(TGW_ROUTE) if "-tgw-dns-route-" not in r["name"]  # DNS only: test_dns.py
                   and any(d["type"] in (PEERING, PEERING_ACCEPT) for d in view.deps(r, "transitGatewayAttachmentId"))]
    assert via_peering
    for route in via_peering:
        (table,) = view.deps(route, "transitGatewayRouteTableId")
        region, segment = tables[table["urn"]]
        cidr = route["inputs"]["destinationCidrBlock"]
        if region == org.home_region:
            assert intent.reaches(segment, dr_cidrs[cidr]), (segment, cidr)


# --- reachability -----------------------------------------------------------------------------------------------


def test_reachability_equals_the_intent(view):
    from landing_zone.reach import analyze

    report = analyze(view.plan, view.cfg.network.reachability, REPO_ROOT, list(view.cfg.network.segments))
    assert report.differences == [] and report.computed.unresolved == []
    assert set(report.computed.segments) == set(view.cfg.network.segments)
    assert sys.modules["lz_policies.routing"].__file__.startswith(str(REPO_ROOT / "policies"))


# --- adopting an existing network account's Client VPN credentials ----------------------------------------------

ADOPTED_NETWORK_ID = "777777777777"
ADOPTED_CERT = f"arn:aws:acm:ap-south-1:{ADOPTED_NETWORK_ID}:certificate/00000000-0000-4000-8000-000000000009"


def test_an_adopted_network_account_brings_its_own_credentials_and_certificate_users_stay_out_of_prod():
    """Adopt mode: the endpoint names the adopted account's certificate, nothing is imported; certificate
    authentication has no groups, so "*" is authorized, and only to non-prod ranges (validation refuses more)."""
    doc = stack_config("prod", REPO_ROOT)
    next(a for a in doc["landing-zone:accounts"] if a["role"] == "network")["account_id"] = ADOPTED_NETWORK_ID
    cvpn = doc["landing-zone:network"]["client_vpn"]
    for key in ("server_certificate", "saml_metadata_file"):
        cvpn.pop(key)
    cvpn.update(authentication="certificate", server_certificate_arn=ADOPTED_CERT,
                authorization=[{"group": "*", "segments": ["nonprod", "sandbox"]}])
    cfg = parse(namespaced(doc))
    plan = plan_network(cfg, "prod")
    types = {r["type"] for r in plan["resources"]}
    assert ACM_CERT not in types and SAML_PROVIDER not in types
    (endpoint,) = [r for r in plan["resources"] if r["type"] == CVPN]
    assert endpoint["inputs"]["serverCertificateArn"] == ADOPTED_CERT
    assert endpoint["inputs"]["authenticationOptions"] == [
        {"type": "certificate-authentication", "rootCertificateChainArn": ADOPTED_CERT}]
    rules = [r["inputs"] for r in plan["resources"] if r["type"] == CVPN_AUTHZ]
    assert all(r["authorizeAllGroups"] is True and "accessGroupId" not in r for r in rules)
    nonprod = set(segment_cidrs(cfg, "nonprod") + segment_cidrs(cfg, "sandbox"))
    assert {r["targetNetworkCidr"] for r in rules} == nonprod
