"""The hybrid DNS components built alone under the shared recording mocks with small typed args (tests/component_plans):
a region's resolver (endpoints, rules, DNS Firewall, query logs and their alarm's way to the security bus, the RAM
share every other account's association waits for) and the private zones. The sample stacks' plans: test_dns.py."""

from __future__ import annotations

import functools
import json

import pulumi
import pulumi_aws as aws
from component_plans import HOME, account, plan_program
from test_network_components import ORG_ARN, fake_hub, network_account

from components.alarm_forwarding import AlarmBus
from components.context import VpcHandle
from components.network.dns import ResolverArgs, ResolverEndpoints, ResolverRegion, SpokeDns
from components.network.dns_zones import PrivateZones, PrivateZonesArgs

RESOLVERS = ("192.168.10.53",)
BUS = f"arn:aws:events:{HOME}:999999999999:event-bus/default"


def vpc(owner: str, cidr: str) -> VpcHandle:
    return VpcHandle(account=owner, region=HOME, cidr=cidr, vpc_id=f"vpc-{owner}", subnet_ids={})


def spokes() -> tuple[SpokeDns, SpokeDns]:
    return (SpokeDns(network_account(), vpc("network", "10.64.0.0/20")),
            SpokeDns(account("dev-apps"), vpc("dev-apps", "10.20.0.0/16")))


@functools.cache
def resolver_plan(endpoints: bool = True, alarm_bus: bool = True):
    def program():
        network, apps = spokes()
        bus_policy = aws.cloudwatch.EventBusPolicy("bus-policy", event_bus_name="default", policy="{}")
        ResolverRegion(f"resolver-{HOME}", ResolverArgs(
            account=network.account, region=HOME, organization_name="acme", hub=fake_hub(network.account),
            on_premises_resolvers=RESOLVERS,
            endpoints=ResolverEndpoints(vpc=network.vpc, attached=(), subnet_cidrs=("10.64.3.0/28", "10.64.3.16/28"),
                                        forward_domains=("corp.example.com",)) if endpoints else None,
            firewall_lists={"AWSManagedDomainsMalwareDomainList": "rslvr-fdl-0123456789abcdef"},
            log_retention_days=30, tgw_routes={"prod": {"192.168.10.53/32": "vpn:dc1"}},
            attachment_ids={"vpn:dc1": pulumi.Output.from_input("tgw-attach-vpn")}, vpcs=(network, apps),
            alarm_bus=AlarmBus(arn=BUS, ready=(bus_policy,)) if alarm_bus else None, organization_arn=ORG_ARN))
    return plan_program(program)


def test_every_vpc_of_the_region_uses_the_rules_firewall_and_query_logs_another_account_after_the_share():
    rec = resolver_plan()
    principal = rec.one("aws:ram/principalAssociation:PrincipalAssociation")
    assert principal["inputs"]["principal"] == ORG_ARN
    for type_ in ("aws:route53/resolverRuleAssociation:ResolverRuleAssociation",
                  "aws:route53/resolverFirewallRuleGroupAssociation:ResolverFirewallRuleGroupAssociation",
                  "aws:route53/resolverQueryLogConfigAssociation:ResolverQueryLogConfigAssociation"):
        links = {rec.account_of(a): a for a in rec.of_type(type_)}
        assert sorted(links) == ["dev-apps", "network"], type_
        assert principal["urn"] in links["dev-apps"]["dependencies"]
        assert principal["urn"] not in links["network"]["dependencies"]
    rule = rec.one("aws:route53/resolverRule:ResolverRule")
    assert rule["inputs"]["targetIps"] == [{"ip": "192.168.10.53", "port": 53, "protocol": "Do53"}]
    route = rec.one("aws:ec2transitgateway/route:Route")
    assert (route["inputs"]["destinationCidrBlock"], route["inputs"]["transitGatewayRouteTableId"]) == (
        "192.168.10.53/32", "tgw-rtb-prod")


def test_the_block_alarm_is_forwarded_to_the_security_bus_once_its_policy_admits_the_network_account():
    rec = resolver_plan()
    forward = rec.named(f"network-{HOME}-alarms-forward-rule")
    assert json.loads(forward["inputs"]["eventPattern"])["detail"]["alarmName"] == [{"prefix": "lz-dns-"}]
    target = rec.named(f"network-{HOME}-alarms-to-security")
    assert target["inputs"]["arn"] == BUS and rec.named("bus-policy")["urn"] in target["dependencies"]
    assert not resolver_plan(alarm_bus=False).of_type("aws:cloudwatch/eventTarget:EventTarget")


def test_a_region_without_a_network_vpc_has_no_endpoints_but_keeps_firewall_and_query_logs():
    rec = resolver_plan(endpoints=False)
    assert not rec.of_type("aws:route53/resolverEndpoint:ResolverEndpoint")
    assert not rec.of_type("aws:route53/resolverRule:ResolverRule")
    assert len(rec.of_type("aws:route53/resolverFirewallRuleGroupAssociation:ResolverFirewallRuleGroupAssociation")) == 2
    assert len(rec.of_type("aws:route53/resolverQueryLogConfigAssociation:ResolverQueryLogConfigAssociation")) == 2


def test_a_private_zone_reaches_another_accounts_vpc_only_after_the_owner_authorizes_it():
    def program():
        network, apps = spokes()
        PrivateZones("private-zones", PrivateZonesArgs(
            account=network.account, region=HOME, organization_name="acme",
            zones={"nonprod": "nonprod.acme.internal"}, first_vpc=network.vpc, vpcs=(network, apps)))

    rec = plan_program(program)
    zone = rec.one("aws:route53/zone:Zone")
    assert zone["inputs"]["name"] == "nonprod.acme.internal" and rec.account_of(zone) == "network"
    auth = rec.one("aws:route53/vpcAssociationAuthorization:VpcAssociationAuthorization")
    association = rec.one("aws:route53/zoneAssociation:ZoneAssociation")
    assert rec.account_of(auth) == "network" and rec.account_of(association) == "dev-apps"
    assert auth["urn"] in association["dependencies"]
