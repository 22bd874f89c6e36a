"""DNS stack rules (docs/dns.md): every VPC resolves through the landing zone's Route 53 Resolver setup.

A stack that creates forwarding rules, a DNS Firewall rule group or a query logging configuration must associate
every VPC in that region with it: a VPC left out resolves on-premises names nowhere, escapes the threat lists or
leaves no DNS trail. Stacks without them (no `network.resolver`) are not asked for any.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .graph import Graph, Res
from .rules import CaseResource, StackCase, StackRule
from .types import (
    FIREWALL_ASSOCIATION,
    FIREWALL_GROUP,
    FIREWALL_RULE,
    QUERY_LOG_ASSOCIATION,
    QUERY_LOG_CONFIG,
    RESOLVER_RULE,
    RULE_ASSOCIATION,
    VPC,
)
from .values import UNKNOWN, cannot_verify, is_unknown


def _graph(stack: Any) -> Graph:
    return stack.graph() if hasattr(stack, "graph") else Graph(stack.resources)


def _associated(g: Graph, association_type: str, target_prop: str, target: Res, vpc_prop: str,
                unknown: list[str]) -> set[str]:
    """URNs of the VPCs an association of `target` (by `target_prop`) names in `vpc_prop`."""
    vpcs: set[str] = set()
    for link in g.of_type(association_type):
        if target not in g.resolve(link, target_prop, (target.type,)):
            continue
        found = g.resolve(link, vpc_prop, (VPC,))
        if not found and is_unknown(link.get(vpc_prop)):
            unknown.append(f"{link.name}.{vpc_prop}")
        vpcs.update(v.urn for v in found)
    return vpcs


def _uncovered(stack: Any, target_types: tuple[str, ...], association_type: str, target_prop: str, vpc_prop: str,
               wanted=lambda g, res: True) -> Iterator[tuple[Res, Res]]:
    """(VPC, target) pairs of one region where no association links them; raises when preview cannot tell."""
    g, unknown = _graph(stack), []
    targets = [t for t in g.of_type(*target_types) if wanted(g, t)]
    missing = []
    for target in targets:
        covered = _associated(g, association_type, target_prop, target, vpc_prop, unknown)
        missing += [(vpc, target) for vpc in g.of_type(VPC)
                    if g.region(vpc) == g.region(target) and vpc.urn not in covered]
    if missing and unknown:
        raise cannot_verify(unknown)
    yield from missing


def _forwarding(g: Graph, rule: Res) -> bool:
    return rule.get("ruleType") == "FORWARD"


def _blocks(g: Graph, group: Res) -> bool:
    """A rule group that blocks something (a group with only ALLOW/ALERT rules protects nothing)."""
    return any(group in g.resolve(r, "firewallRuleGroupId", (FIREWALL_GROUP,)) and r.get("action") == "BLOCK"
               for r in g.of_type(FIREWALL_RULE))


def vpcs_use_forwarding_rules(stack: Any) -> Iterator[tuple[str | None, str]]:
    for vpc, rule in _uncovered(stack, (RESOLVER_RULE,), RULE_ASSOCIATION, "resolverRuleId", "vpcId", _forwarding):
        yield vpc.urn, (f"VPC {vpc.name} is not associated with forwarding rule {rule.name} "
                        f"({rule.get('domainName')}): add aws.route53.ResolverRuleAssociation through the VPC "
                        "account's provider, after the rule's RAM share reaches the organization")


def vpcs_have_dns_firewall(stack: Any) -> Iterator[tuple[str | None, str]]:
    for vpc, group in _uncovered(stack, (FIREWALL_GROUP,), FIREWALL_ASSOCIATION, "firewallRuleGroupId", "vpcId",
                                 _blocks):
        yield vpc.urn, (f"VPC {vpc.name} has no DNS Firewall: associate rule group {group.name} "
                        "(aws.route53.ResolverFirewallRuleGroupAssociation)")


def vpcs_log_dns_queries(stack: Any) -> Iterator[tuple[str | None, str]]:
    for vpc, config in _uncovered(stack, (QUERY_LOG_CONFIG,), QUERY_LOG_ASSOCIATION, "resolverQueryLogConfigId",
                                  "resourceId"):
        yield vpc.urn, (f"VPC {vpc.name} logs no DNS queries: associate query logging configuration {config.name} "
                        "(aws.route53.ResolverQueryLogConfigAssociation)")


# --------------------------------------------------------------------------- cases
def _res(type_: str, name: str, props: dict | None = None, refs: dict | None = None,
         region: str = "eu-west-1") -> CaseResource:
    props = dict(props or {})
    for prop in refs or {}:
        props.setdefault(prop, UNKNOWN)
    return CaseResource(type=type_, name=name, props=props, env="prod", region=region,
               property_deps={p: (n,) for p, n in (refs or {}).items()})


_VPC = _res(VPC, "app-vpc", {"cidrBlock": "10.1.0.0/16"})
_DR_VPC = _res(VPC, "dr-vpc", {"cidrBlock": "10.129.0.0/16"}, region="eu-central-1")
_RULE = _res(RESOLVER_RULE, "corp", {"ruleType": "FORWARD", "domainName": "corp.example.com"})
_GROUP = _res(FIREWALL_GROUP, "threats")
_BLOCK = _res(FIREWALL_RULE, "block-malware", {"action": "BLOCK"}, {"firewallRuleGroupId": "threats"})
_LOGS = _res(QUERY_LOG_CONFIG, "query-logs", {"destinationArn": "arn:aws:s3:::logs/route53-resolver-query-logs/"})

DNS01_CASES = (
    StackCase((_VPC, _RULE), violates=True, note="forwarding rule not associated with the VPC"),
    StackCase((_VPC, _RULE, _res(RULE_ASSOCIATION, "corp-app", refs={"resolverRuleId": "corp", "vpcId": "app-vpc"})),
              violates=False),
    StackCase((_VPC, _DR_VPC, _RULE,
               _res(RULE_ASSOCIATION, "corp-app", refs={"resolverRuleId": "corp", "vpcId": "app-vpc"})),
              violates=False, note="a VPC of another region uses that region's rules"),
    StackCase((_VPC,), violates=False, note="a stack without hybrid DNS"),
)
DNS02_CASES = (
    StackCase((_VPC, _GROUP, _BLOCK), violates=True, note="rule group not associated with the VPC"),
    StackCase((_VPC, _GROUP, _BLOCK,
               _res(FIREWALL_ASSOCIATION, "threats-app", refs={"firewallRuleGroupId": "threats", "vpcId": "app-vpc"})),
              violates=False),
    StackCase((_VPC, _GROUP, _res(FIREWALL_RULE, "alert-only", {"action": "ALERT"}, {"firewallRuleGroupId": "threats"}),
               _res(FIREWALL_ASSOCIATION, "threats-app", refs={"firewallRuleGroupId": "threats", "vpcId": "app-vpc"})),
              violates=False, note="a group that blocks nothing is not the firewall this rule asks for"),
)
DNS03_CASES = (
    StackCase((_VPC, _LOGS), violates=True, note="query logging not associated with the VPC"),
    StackCase((_VPC, _LOGS, _res(QUERY_LOG_ASSOCIATION, "logs-app",
                                 refs={"resolverQueryLogConfigId": "query-logs", "resourceId": "app-vpc"})),
              violates=False),
)

RULES = [
    StackRule(
        id="DNS-01", name="dns-01-vpcs-use-forwarding-rules",
        title="Every VPC resolves the on-premises domains through the forwarding rules",
        description="Each ec2/vpc is the vpcId of a route53/resolverRuleAssociation with every FORWARD "
                    "route53/resolverRule of its region that the stack creates (hybrid DNS reaches every spoke).",
        refs="AWS hybrid DNS guidance (Route 53 Resolver endpoints and forwarding rules); no standard control",
        checks=(vpcs_use_forwarding_rules,), cases=DNS01_CASES),
    StackRule(
        id="DNS-02", name="dns-02-vpcs-have-dns-firewall", title="Every VPC has the DNS Firewall",
        description="Each ec2/vpc is the vpcId of a route53/resolverFirewallRuleGroupAssociation with every rule "
                    "group of its region that blocks (a route53/resolverFirewallRule with action BLOCK).",
        refs="AWS Security Reference Architecture (Route 53 Resolver DNS Firewall); no standard control",
        checks=(vpcs_have_dns_firewall,), cases=DNS02_CASES),
    StackRule(
        id="DNS-03", name="dns-03-vpcs-log-dns-queries", title="Every VPC logs its DNS queries",
        description="Each ec2/vpc is the resourceId of a route53/resolverQueryLogConfigAssociation with every "
                    "route53/resolverQueryLogConfig of its region that the stack creates.",
        refs="SH Route53.2 (public zones only); AWS SRA Route 53 Resolver query logging",
        checks=(vpcs_log_dns_queries,), cases=DNS03_CASES),
]
