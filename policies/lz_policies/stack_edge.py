"""Stack rules of the edge: internet-facing endpoints have WAF (X-02), web ACLs log and have rules (X-03)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from .graph import Graph, Res
from .rules import StackCase, StackRule
from .stack_helpers import Unknowns, case_resource, covered_by, is_true, items_of, label
from .types import (
    API_STAGE,
    LOAD_BALANCERS,
    REST_API,
    WEB_ACL,
    WEB_ACL_ASSOCIATION,
    WEB_ACL_LOGGING,
)


# --------------------------------------------------------------------------- X-02 / X-03 WAF
def _internet_facing_lb(lb: Res, unknowns: Unknowns) -> bool:
    if unknowns.check(lb, "internal") or unknowns.check(lb, "loadBalancerType"):
        return False
    return not is_true(lb.get("internal")) and lb.get("loadBalancerType", "application") in (None, "application")


def _public_stage(g: Graph, stage: Res) -> bool:
    for api in g.resolve(stage, "restApi", (REST_API,)):
        types = items_of((api.get("endpointConfiguration") or {}).get("types")
                      if isinstance(api.get("endpointConfiguration"), Mapping) else None)
        if "PRIVATE" in types:
            return False
    return True


def public_endpoints_have_waf(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), Unknowns()
    protected, undecided = covered_by(g, g.of_type(WEB_ACL_ASSOCIATION), "resourceArn", LOAD_BALANCERS + (API_STAGE,),
                                       unknowns)
    exposed = [lb for lb in g.of_type(*LOAD_BALANCERS) if _internet_facing_lb(lb, unknowns)]
    exposed += [s for s in g.of_type(API_STAGE) if _public_stage(g, s)]
    for res in exposed:
        if res.urn not in protected and not undecided:
            yield res.urn, (f"{label(res)} is reachable from the internet but no wafv2/webAclAssociation "
                            "protects it: associate a regional web ACL (aws.wafv2.WebAclAssociation)")
    unknowns.raise_if_any()


def _rule_count(acl: Res, unknowns: Unknowns) -> int | None:
    if unknowns.check(acl, "rules") or unknowns.check(acl, "ruleJson"):
        return None
    count = len(items_of(acl.get("rules")))
    rule_json = acl.get("ruleJson")
    if isinstance(rule_json, str) and rule_json.strip():
        try:
            count += len(items_of(json.loads(rule_json)))
        except ValueError:
            pass
    return count


def web_acl_has_logging_and_rules(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), Unknowns()
    logged, undecided = covered_by(g, g.of_type(WEB_ACL_LOGGING), "resourceArn", (WEB_ACL,), unknowns)
    for acl in g.of_type(WEB_ACL):
        if _rule_count(acl, unknowns) == 0:
            yield acl.urn, (f"web ACL {acl.name} has no rules, so it only applies its default action: add "
                            "managed rule groups (e.g. AWSManagedRulesCommonRuleSet)")
        if acl.urn not in logged and not undecided:
            yield acl.urn, (f"web ACL {acl.name} has no wafv2/webAclLoggingConfiguration: log it to a "
                            "'aws-waf-logs-' log group, Firehose or bucket")
    unknowns.raise_if_any()

_ALB = case_resource(LOAD_BALANCERS[0], "web-alb", {"loadBalancerType": "application", "internal": False}, env="prod")
_ACL = case_resource(WEB_ACL, "web-acl", {"scope": "REGIONAL", "rules": [{"name": "common", "priority": 1}]})
X02_CASES = (
    StackCase((_ALB,), violates=True, note="public ALB without WAF"),
    StackCase((case_resource(API_STAGE, "v1", {"stageName": "v1"}, {"restApi": "api"}),
               case_resource(REST_API, "api", {"endpointConfiguration": {"types": ["REGIONAL"]}})), violates=True,
              note="public API stage without WAF"),
    StackCase((_ALB, _ACL, case_resource(WEB_ACL_ASSOCIATION, "waf", {}, {"resourceArn": "web-alb", "webAclArn": "web-acl"})),
              violates=False),
    StackCase((case_resource(LOAD_BALANCERS[0], "internal-alb", {"internal": True}),
               case_resource(API_STAGE, "v1", {"stageName": "v1"}, {"restApi": "api"}),
               case_resource(REST_API, "api", {"endpointConfiguration": {"types": ["PRIVATE"]}})), violates=False,
              note="internal ALB and private API need no WAF"),
)

_ACL_LOGGING = case_resource(WEB_ACL_LOGGING, "acl-logs", {"logDestinationConfigs": ["arn:aws:logs:x"]},
                     {"resourceArn": "web-acl"})
X03_CASES = (
    StackCase((_ACL,), violates=True, note="web ACL without logging"),
    StackCase((case_resource(WEB_ACL, "web-acl", {"rules": []}), _ACL_LOGGING), violates=True, note="no rules"),
    StackCase((_ACL, _ACL_LOGGING), violates=False),
    StackCase((case_resource(WEB_ACL, "web-acl", {"ruleJson": json.dumps([{"Name": "r"}])}), _ACL_LOGGING), violates=False),
)


RULES = [
    StackRule(
        id="X-02", name="x-02-public-endpoints-have-waf", title="Internet-facing ALBs and public API stages have WAF",
        description="Every internet-facing application load balancer and every public (non-PRIVATE) REST API stage "
                    "is the resourceArn of a wafv2/webAclAssociation.",
        refs="SH ELB.16, APIGateway.4; CKV2_AWS_28, CKV2_AWS_29",
        checks=(public_endpoints_have_waf,), cases=X02_CASES),
    StackRule(
        id="X-03", name="x-03-web-acl-logged-with-rules", title="Every web ACL logs and has rules",
        description="A wafv2/webAcl needs a wafv2/webAclLoggingConfiguration and at least one rule (rules or "
                    "ruleJson); an ACL without rules only applies its default action.",
        refs="SH WAF.11, WAF.10; CKV2_AWS_31, CKV_AWS_175",
        checks=(web_acl_has_logging_and_rules,), cases=X03_CASES),
]
