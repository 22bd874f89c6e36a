"""Hybrid DNS (network.resolver) in the sample stacks' full plans: resolver rules, DNS Firewall and query logging on
every spoke; DNS paths between on-premises resolvers and endpoints and nothing else; config checks."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from stack_plans import full_plan

from landing_zone.config import load_stack
from landing_zone.dns import DNS_ALARM_PREFIX, resolver_hosts, resolver_regions, resolver_subnets, vpc_regions
from landing_zone.models import LandingZoneConfig
from landing_zone.reach import analyze
from landing_zone.validation import cross_check

REPO_ROOT = Path(__file__).resolve().parents[2]
STACKS = ("dev", "prod")
VPC = "aws:ec2/vpc:Vpc"
RULE_ASSOC = "aws:route53/resolverRuleAssociation:ResolverRuleAssociation"
RULE = "aws:route53/resolverRule:ResolverRule"
FIREWALL_ASSOC = "aws:route53/resolverFirewallRuleGroupAssociation:ResolverFirewallRuleGroupAssociation"
QUERY_LOG_ASSOC = "aws:route53/resolverQueryLogConfigAssociation:ResolverQueryLogConfigAssociation"
ZONE_ASSOC = "aws:route53/zoneAssociation:ZoneAssociation"
ZONE_AUTH = "aws:route53/vpcAssociationAuthorization:VpcAssociationAuthorization"
RAM_PRINCIPAL = "aws:ram/principalAssociation:PrincipalAssociation"
SG = "aws:ec2/securityGroup:SecurityGroup"
QUERY_LOG_CONFIG = "aws:route53/resolverQueryLogConfig:ResolverQueryLogConfig"
METRIC_FILTER = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"


def of_type(plan: dict, type_: str) -> list[dict]:
    return [r for r in plan["resources"] if r["type"] == type_]


def by_urn(plan: dict) -> dict[str, dict]:
    return {r["urn"]: r for r in plan["resources"]}


def dep(plan: dict, resource: dict, prop: str) -> dict:
    (urn,) = resource["property_dependencies"][prop]
    return by_urn(plan)[urn]


def vpc_account_and_region(vpc: dict) -> tuple[str, str]:
    account, rest = vpc["name"].split("-ap-", 1)
    return account, "ap-" + rest.removesuffix("-vpc")


@pytest.mark.parametrize("stack", STACKS)
def test_resolver_rules_reach_every_spoke(stack):
    """Every VPC is associated with every forwarding rule of its region, by its own account's provider, and (in
    another account) only after the rules' RAM share reaches the organization."""
    cfg, plan = load_stack(stack, REPO_ROOT), full_plan(stack)
    rules = of_type(plan, RULE)
    assert {r["inputs"]["domainName"] for r in rules} == set(cfg.network.resolver.forward_domains)
    network = cfg.account_with_role("network").name
    for vpc in of_type(plan, VPC):
        account, region = vpc_account_and_region(vpc)
        links = [a for a in of_type(plan, RULE_ASSOC) if dep(plan, a, "vpcId")["urn"] == vpc["urn"]]
        linked = {dep(plan, a, "resolverRuleId")["inputs"]["domainName"] for a in links}
        assert linked == set(cfg.network.resolver.forward_domains), vpc["name"]
        for link in links:
            assert link["provider"].split("::")[2] == vpc["provider"].split("::")[2]  # the VPC owner's provider
            waits = {by_urn(plan)[u]["type"] for u in link["dependencies"]}
            assert (RAM_PRINCIPAL in waits) == (account != network), link["name"]


@pytest.mark.parametrize("stack", STACKS)
def test_every_vpc_has_dns_firewall_and_query_logging(stack):
    plan = full_plan(stack)
    vpcs = {v["urn"] for v in of_type(plan, VPC)}
    assert {dep(plan, a, "vpcId")["urn"] for a in of_type(plan, FIREWALL_ASSOC)} == vpcs
    assert {dep(plan, a, "resourceId")["urn"] for a in of_type(plan, QUERY_LOG_ASSOC)} == vpcs


def provider_of(resource: dict) -> str:
    """`<account>-<region>`: the provider a resource is created with."""
    return resource["provider"].split("::")[-2]


@pytest.mark.parametrize("stack", STACKS)
def test_query_logs_stay_in_their_region_and_blocks_alarm_the_security_team(stack):
    """Each region's query logging writes to a CMK-encrypted log group of its own region; a metric filter counts
    the queries DNS Firewall blocked, an alarm watches the count and its state changes reach the security account's
    bus, whose rule accepts them from the network account and publishes them to the security alarm topic."""
    cfg, plan = load_stack(stack, REPO_ROOT), full_plan(stack)
    network = cfg.account_with_role("network").name
    configs = of_type(plan, QUERY_LOG_CONFIG)
    assert sorted(provider_of(c) for c in configs) == sorted(f"{network}-{r}" for r in vpc_regions(cfg))
    alarms = {provider_of(a): a for a in of_type(plan, ALARM) if a["inputs"]["name"].startswith(DNS_ALARM_PREFIX)}
    for config in configs:
        where = provider_of(config)
        group = dep(plan, config, "destinationArn")
        assert provider_of(group) == where and group["inputs"]["kmsKeyId"]
        assert group["inputs"]["retentionInDays"] == cfg.security.log_retention_days
        (blocks,) = [f for f in of_type(plan, METRIC_FILTER) if dep(plan, f, "logGroupName") is group]
        assert blocks["inputs"]["pattern"] == '{ $.firewall_rule_action = "BLOCK" }'
        metric = blocks["inputs"]["metricTransformation"]
        assert (alarms[where]["inputs"]["metricName"], alarms[where]["inputs"]["namespace"]) == (
            metric["name"], metric["namespace"])
        (forward,) = [r for r in of_type(plan, EVENT_RULE) if provider_of(r) == where]
        prefixes = json.loads(forward["inputs"]["eventPattern"])["detail"]["alarmName"]
        assert any(alarms[where]["inputs"]["name"].startswith(p["prefix"]) for p in prefixes)
        (target,) = [t for t in of_type(plan, EVENT_TARGET) if provider_of(t) == where]
        assert target["inputs"]["arn"].endswith(":event-bus/default") and target["inputs"]["roleArn"]
    receive = next(r for r in of_type(plan, EVENT_RULE) if r["name"].endswith("security-ap-south-1-alarms-rule"))
    pattern = json.loads(receive["inputs"]["eventPattern"])
    assert {"prefix": DNS_ALARM_PREFIX} in pattern["detail"]["alarmName"]
    network_id = next(t for t in of_type(plan, EVENT_TARGET) if provider_of(t).startswith(network))["inputs"][
        "roleArn"].split(":")[4]
    assert network_id in pattern["account"]


@pytest.mark.parametrize("stack", STACKS)
def test_private_zones_reach_their_environment_after_authorization(stack):
    cfg, plan = load_stack(stack, REPO_ROOT), full_plan(stack)
    network = cfg.account_with_role("network").name
    for assoc in of_type(plan, ZONE_ASSOC):
        waits = [by_urn(plan)[u] for u in assoc["dependencies"]]
        account = assoc["name"].split("-ap-", 1)[0]
        assert (ZONE_AUTH in {w["type"] for w in waits}) == (account != network), assoc["name"]
    expected = sum(len(a.vpcs) for a in cfg.accounts if a.environment in cfg.network.resolver.private_zones)
    first = 1 if "core" in cfg.network.resolver.private_zones else 0  # the core zone is created with the network VPC
    assert len(of_type(plan, ZONE_ASSOC)) == expected - first


@pytest.mark.parametrize("stack", STACKS)
def test_dns_paths_carry_only_the_resolvers_and_the_segment_matrix_stays_the_intent(stack):
    """On-premises resolvers reach the endpoints' subnets (and back), nothing else new becomes reachable."""
    cfg, plan = load_stack(stack, REPO_ROOT), full_plan(stack)
    report = analyze(plan, cfg.network.reachability, REPO_ROOT, list(cfg.network.segments))
    assert report.differences == [] and report.computed.unresolved == []
    routes = report.computed.dns_routes
    subnets = {c for r in resolver_regions(cfg) for c in resolver_subnets(cfg, r)}
    assert {r.destination for r in routes if r.kind == "endpoint-subnet"} == subnets
    assert {r.destination for r in routes if r.kind == "resolver-host"} == set(resolver_hosts(cfg))
    assert all(r.table_segment in ("hybrid", "shared") for r in routes)
    inbound = [sg for sg in of_type(plan, SG) if sg["name"].endswith("resolver-inbound-sg")]
    assert len(inbound) == len(resolver_regions(cfg))
    for sg in inbound:
        assert {(r["protocol"], r["fromPort"], r["toPort"]) for r in sg["inputs"]["ingress"]} == {
            ("tcp", 53, 53), ("udp", 53, 53)}
        assert {c for r in sg["inputs"]["ingress"] for c in r["cidrBlocks"]} == set(resolver_hosts(cfg))


def test_a_widened_dns_route_is_segment_reachability_again():
    """Only a resolver's exact prefix is a DNS path: the same route to the whole network VPC opens shared <-> hybrid."""
    cfg = load_stack("prod", REPO_ROOT)
    plan = copy.deepcopy(full_plan("prod"))
    network_vpc = cfg.account_with_role("network").vpcs[cfg.organization.home_region].cidr
    route = next(r for r in plan["resources"] if r["name"].startswith("network-ap-south-1-tgw-dns-route-hybrid-"))
    route["inputs"]["destinationCidrBlock"] = network_vpc
    route = next(r for r in plan["resources"] if r["name"].startswith("network-ap-south-1-tgw-dns-route-shared-"))
    route["inputs"]["destinationCidrBlock"] = "192.168.0.0/16"
    report = analyze(plan, cfg.network.reachability, REPO_ROOT, list(cfg.network.segments))
    assert {frozenset((d.source, d.target)) for d in report.differences} == {frozenset(("shared", "hybrid"))}


def _with_resolver(**changes) -> list[str]:
    raw = load_stack("dev", REPO_ROOT).model_dump(mode="json")
    raw["network"]["resolver"].update(changes)
    return cross_check(LandingZoneConfig.model_validate(raw, context={"from_engine": True}))


def test_resolver_config_errors_name_the_field():
    assert _with_resolver() == []
    assert _with_resolver(on_premises_resolvers=["10.9.9.9"]) == [
        "network.resolver.on_premises_resolvers[0]: 10.9.9.9 is not inside network.on_premises_cidrs (192.168.100.0/24)"]
    assert _with_resolver(forward_domains=["lab.example.com", "lab.example.com"]) == [
        "network.resolver.forward_domains[1]: lab.example.com is listed twice"]
    errors = _with_resolver(private_zones={"prod": "db.lab.example.com"})
    assert errors and errors[0].startswith("network.resolver.private_zones.prod: db.lab.example.com overlaps")
    errors = _with_resolver(firewall_managed_lists={})
    assert any("no managed domain lists for ap-south-1" in e for e in errors)


def test_lz_reach_lists_the_dns_paths():
    from rich.console import Console

    from landing_zone.reach import render

    cfg = load_stack("dev", REPO_ROOT)
    report = analyze(full_plan("dev"), cfg.network.reachability, REPO_ROOT, list(cfg.network.segments))
    console = Console(record=True, width=200)
    render(report, console, "dev")
    text = console.export_text()
    assert "on-premises resolver 192.168.100.10/32 -> network-ap-south-1-vpn-lab (hybrid)" in text
    assert "resolver endpoint subnet 10.64.3.0/28 -> network-ap-south-1-tgw-attachment (shared)" in text
    assert "dev: reachability equals the intent" in text


@pytest.mark.parametrize("stack", STACKS)
def test_contract_publishes_resolvers_per_region_and_each_environments_private_zone(stack):
    """Contract 1.2: per region the resolver endpoints and forwarding rules; per environment its private zone, which
    every account of that environment also reads as its own `private_zone`."""
    from landing_zone import contract

    cfg, plan = load_stack(stack, REPO_ROOT), full_plan(stack)
    c = contract.parse(plan["outputs"])
    res = cfg.network.resolver
    assert sorted(c.network.resolvers) == sorted(vpc_regions(cfg))
    for region in resolver_regions(cfg):
        r = c.network.resolvers[region]
        assert r.inbound_endpoint_id and r.outbound_endpoint_id and r.inbound_endpoint_id != r.outbound_endpoint_id
        assert sorted(r.forwarding_rule_ids) == sorted(res.forward_domains)
    assert {env: z.name for env, z in c.network.private_zones.items()} == res.private_zones
    zone_ids = {z.id for z in c.network.private_zones.values()}
    assert len(zone_ids) == len(res.private_zones) and all(zone_ids)
    for account in cfg.accounts:
        assert c.account(account.name).private_zone == c.network.private_zones.get(account.environment), account.name
