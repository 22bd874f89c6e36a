"""General rules over every resource of a class (GEN-01 ... GEN-06): IAM Allow with NotAction/NotResource, the
account password policy, Config recorders that record and deliver, DNS Firewall failing closed, resolver rules that
never forward AWS service domains, VPC peering only between segments the reachability intent joins.
"""

from __future__ import annotations

from collections.abc import Iterator

from . import routing
from .facts import DEFAULT_INTENT, ENVIRONMENT_SEGMENT
from .graph import Graph, Res
from .identity import POLICY_TYPES, allow_statements
from .identity_common import allow_statement, policy_document
from .rules import Case, CaseResource, Param, ResourceRule, StackCase, StackRule
from .types import (
    CONFIG_RECORDER,
    DELIVERY_CHANNEL,
    FIREWALL_CONFIG,
    PASSWORD_POLICY,
    RECORDER_STATUS,
    RESOLVER_RULE,
    ROLE,
    SSO_INLINE,
    VPC,
    VPC_PEERING,
)
from .values import truthy
from .views import Subject


# GEN-01 ---------------------------------------------------------------------------------------------------------
def no_allow_with_not_action(r: Subject) -> Iterator[str]:
    for where, statement in allow_statements(r):
        for element in ("NotAction", "NotResource"):
            if statement.get(element) is not None:
                yield (f"{where} Allows with {element}: it grants everything but what it names (services AWS adds "
                       f"later included); list the {element.removeprefix('Not')}s it may use instead")


# GEN-02 ---------------------------------------------------------------------------------------------------------
def password_policy_strong(r: Subject) -> Iterator[str]:
    cfg = r.cfg
    if int(r.get("minimumPasswordLength", default=6)) < cfg["minimumLength"]:
        yield f"minimumPasswordLength is {r.get('minimumPasswordLength', default=6)}; set at least {cfg['minimumLength']}"
    if int(r.get("passwordReusePrevention", default=0)) < cfg["reusePrevention"]:
        yield (f"passwordReusePrevention is {r.get('passwordReusePrevention', default=0)}; remember at least "
               f"{cfg['reusePrevention']} passwords")
    for flag in ("requireLowercaseCharacters", "requireUppercaseCharacters", "requireNumbers", "requireSymbols"):
        if not truthy(r.get(flag, default=False)):
            yield f"{flag} is not true"
    age = int(r.get("maxPasswordAge", default=0))
    if not 0 < age <= cfg["maxAgeDays"]:
        yield f"maxPasswordAge is {age or 'unset'}; passwords expire within {cfg['maxAgeDays']} days"


# GEN-03 (stack) -------------------------------------------------------------------------------------------------
def recorders_record_and_deliver(s) -> Iterator[tuple[str | None, str]]:
    g: Graph = s.graph()
    statuses = g.of_type(RECORDER_STATUS)
    channels = {g.account(c) and (g.account(c), g.region(c)) or c.provider_urn for c in g.of_type(DELIVERY_CHANNEL)}
    for status in statuses:
        if not truthy(status.get("isEnabled", default=False)):
            yield status.urn, f"{status.name} isEnabled is not true: the recorder is stopped and records nothing"
    for recorder in g.of_type(CONFIG_RECORDER):
        place = _place(g, recorder)
        running = [st for st in statuses if _place(g, st) == place and truthy(st.get("isEnabled", default=False))]
        if not running:
            yield recorder.urn, (f"{recorder.name} has no cfg/recorderStatus with isEnabled=true in its account and "
                                 "region: a recorder that was never started records nothing")
        if place not in channels:
            yield recorder.urn, (f"{recorder.name} has no cfg/deliveryChannel in its account and region: "
                                 "configuration history is delivered nowhere")


def _place(g: Graph, res: Res):
    return g.account(res) and (g.account(res), g.region(res)) or res.provider_urn


# GEN-04 ---------------------------------------------------------------------------------------------------------
def firewall_fails_closed(r: Subject) -> Iterator[str]:
    if str(r.get("firewallFailOpen", default="DISABLED")).upper() != "DISABLED":
        yield ("firewallFailOpen is ENABLED: when the DNS Firewall cannot answer, queries bypass its block lists; set "
               "DISABLED (fail closed)")


# GEN-05 ---------------------------------------------------------------------------------------------------------
def no_forwarding_of_aws_domains(r: Subject) -> Iterator[str]:
    if str(r.get("ruleType", default="")).upper() != "FORWARD":
        return
    domain = str(r.get("domainName", default="")).strip().lower().rstrip(".")
    if not domain:
        yield ("domainName \".\" forwards every name, AWS service endpoints included, to resolvers outside AWS; "
               "forward the on-premises domains only")
        return
    for aws in r.cfg["awsDomains"]:
        if domain == aws or domain.endswith("." + aws) or aws.endswith("." + domain):
            yield (f"domainName {domain} forwards AWS service names ({aws}) to resolvers outside AWS, which answer "
                   "with public or wrong addresses (private endpoints bypassed); forward on-premises domains only")
            return


# GEN-06 (stack) -------------------------------------------------------------------------------------------------
def peering_within_intent(s) -> Iterator[tuple[str | None, str]]:
    g: Graph = s.graph()
    try:
        allowed = routing.normalize_intent(s.cfg["intent"])
    except ValueError as err:
        yield None, f"policy config is invalid: {err}"
        return
    for peering in g.of_type(VPC_PEERING):
        sides = [g.resolve(peering, prop, (VPC,)) for prop in ("vpcId", "peerVpcId")]
        segments = [_segment(g, found[0]) if found else None for found in sides]
        if None in segments:
            continue  # a VPC outside the stack: its segment is not known here (X-17 judges what the plan shows)
        a, b = segments
        if a != b and frozenset((a, b)) not in allowed:
            yield peering.urn, (f"{peering.name} peers a {a} VPC with a {b} VPC, which the reachability intent keeps "
                                "apart; remove the peering or route through the Transit Gateway's inspection")


def _segment(g: Graph, vpc: Res) -> str | None:
    tagged = vpc.tags.get("segment")
    if isinstance(tagged, str) and tagged:
        return tagged
    return ENVIRONMENT_SEGMENT.get(g.environment(vpc) or "")


STRONG_POLICY = {"minimumPasswordLength": 14, "passwordReusePrevention": 24, "requireLowercaseCharacters": True,
                 "requireUppercaseCharacters": True, "requireNumbers": True, "requireSymbols": True,
                 "maxPasswordAge": 90}


def _vpc(name: str, env: str) -> CaseResource:
    return CaseResource(VPC, name, {"cidrBlock": "10.0.0.0/16"}, env=env)


def _peering(a: str, b: str) -> CaseResource:
    return CaseResource(VPC_PEERING, f"{a}-{b}", {"vpcId": f"{a}-id", "peerVpcId": f"{b}-id"},
                        property_deps={"vpcId": (a,), "peerVpcId": (b,)})


RULES = [
    ResourceRule(
        id="GEN-01", name="gen-01-no-allow-not-action",
        title="Identity policies never Allow with NotAction or NotResource",
        description="An Allow statement with NotAction grants every action but those named (every service AWS adds "
                    "later included); with NotResource, every resource but those named. Checked in every identity "
                    "policy: iam/policy, role inline policies, role/user/group policies, permission set inline "
                    "policies. Deny statements with NotAction (region guardrails) are fine.",
        refs="AWS IAM User Guide 'NotAction with Allow'; no SH or checkov check (CKV_AWS_286-290 catch some such "
             "policies through the actions they expand to)",
        types=POLICY_TYPES, checks=(no_allow_with_not_action,),
        cases=(
            Case({"policy": policy_document({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})},
                 violates=True, note="PowerUser-style policy"),
            Case({"inlinePolicy": policy_document({"Effect": "Allow", "Action": "s3:GetObject",
                                                   "NotResource": "arn:aws:s3:::secret/*"})},
                 type=SSO_INLINE, violates=True),
            Case({"assumeRolePolicy": "{}", "inlinePolicies": [{"name": "p", "policy": policy_document(
                {"Effect": "Allow", "NotAction": ["s3:DeleteBucket"], "Resource": "*"})}]}, type=ROLE, violates=True),
            Case({"policy": policy_document({"Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
                                             "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}},
                                            allow_statement("s3:GetObject", "arn:aws:s3:::b/*"))}, violates=False),
        ),
    ),
    ResourceRule(
        id="GEN-02", name="gen-02-password-policy-strong",
        title="The account password policy meets CIS",
        description="iam/accountPasswordPolicy: minimum length at least `minimumLength` (14), reuse prevention at "
                    "least `reusePrevention` (24), upper- and lower-case letters, numbers and symbols required, "
                    "passwords expire within `maxAgeDays` (90).",
        refs="CIS 1.8, 1.9 (v1.5); SH IAM.7, IAM.15, IAM.16; CKV_AWS_9-15",
        types=(PASSWORD_POLICY,), checks=(password_policy_strong,),
        params={"minimumLength": Param("integer", 14, "minimum password length"),
                "reusePrevention": Param("integer", 24, "previous passwords that cannot be reused"),
                "maxAgeDays": Param("integer", 90, "days after which a password expires")},
        cases=(
            Case({**STRONG_POLICY, "minimumPasswordLength": 8}, violates=True),
            Case({**STRONG_POLICY, "passwordReusePrevention": 5, "requireSymbols": False}, violates=True),
            Case({"minimumPasswordLength": 14}, violates=True, note="everything else left at AWS's defaults"),
            Case(STRONG_POLICY, violates=False),
        ),
    ),
    StackRule(
        id="GEN-03", name="gen-03-config-recorders-running",
        title="Every Config recorder records and delivers",
        description="Every cfg/recorder has a cfg/recorderStatus with isEnabled=true and a cfg/deliveryChannel in "
                    "its account and region (its provider's `account` tag and region), and no recorderStatus is "
                    "disabled: a recorder that is defined but stopped or without a channel passes LOG-05 and "
                    "records or delivers nothing.",
        refs="CIS 3.5 (v1.5) / 3.3 (v3.0); SH Config.1; CKV2_AWS_45, CKV2_AWS_48",
        checks=(recorders_record_and_deliver,),
        cases=(
            StackCase((CaseResource(CONFIG_RECORDER, "rec", {"name": "default"}),
                       CaseResource(RECORDER_STATUS, "status", {"name": "default", "isEnabled": False}),
                       CaseResource(DELIVERY_CHANNEL, "channel", {"s3BucketName": "b"})), violates=True,
                      note="stopped"),
            StackCase((CaseResource(CONFIG_RECORDER, "rec", {"name": "default"}),
                       CaseResource(RECORDER_STATUS, "status", {"name": "default", "isEnabled": True})),
                      violates=True, note="no delivery channel"),
            StackCase((CaseResource(CONFIG_RECORDER, "rec", {"name": "default"}),
                       CaseResource(RECORDER_STATUS, "status", {"name": "default", "isEnabled": True}),
                       CaseResource(DELIVERY_CHANNEL, "channel", {"s3BucketName": "b"})), violates=False),
        ),
    ),
    ResourceRule(
        id="GEN-04", name="gen-04-dns-firewall-fails-closed",
        title="The DNS Firewall fails closed",
        description="route53/resolverFirewallConfig: firewallFailOpen is DISABLED (the default), so queries are "
                    "blocked, not let through, when the firewall cannot evaluate them.",
        refs="Route 53 Resolver DNS Firewall 'fail open' (Developer Guide); AWS SRA",
        types=(FIREWALL_CONFIG,), checks=(firewall_fails_closed,),
        cases=(Case({"resourceId": "vpc-1", "firewallFailOpen": "ENABLED"}, violates=True),
               Case({"resourceId": "vpc-1", "firewallFailOpen": "DISABLED"}, violates=False)),
    ),
    ResourceRule(
        id="GEN-05", name="gen-05-resolver-rules-keep-aws-domains",
        title="Resolver forwarding rules never forward AWS service domains",
        description="A FORWARD route53/resolverRule for an AWS service domain (`awsDomains`: amazonaws.com, aws, "
                    "api.aws, ...; a subdomain or a parent of one) or for \".\" sends AWS endpoint names to "
                    "resolvers outside AWS: interface endpoints and private zones are bypassed, and the answers come "
                    "from whoever runs those resolvers.",
        refs="AWS Whitepaper 'Hybrid Cloud DNS Options for Amazon VPC' (forward only on-premises domains); issue 23",
        types=(RESOLVER_RULE,), checks=(no_forwarding_of_aws_domains,),
        params={"awsDomains": Param("array", ["amazonaws.com", "amazonaws.com.cn", "aws", "api.aws",
                                              "aws.amazon.com"], "AWS service domains never forwarded",
                                    items="string")},
        cases=(
            Case({"domainName": "s3.eu-west-1.amazonaws.com", "ruleType": "FORWARD", "resolverEndpointId": "r"},
                 violates=True),
            Case({"domainName": ".", "ruleType": "FORWARD", "resolverEndpointId": "r"}, violates=True),
            Case({"domainName": "corp.example.com", "ruleType": "FORWARD", "resolverEndpointId": "r"}, violates=False),
            Case({"domainName": "amazonaws.com", "ruleType": "SYSTEM"}, violates=False, note="not forwarded"),
        ),
    ),
    StackRule(
        id="GEN-06", name="gen-06-vpc-peering-within-intent",
        title="VPC peering joins only segments the reachability intent joins",
        description="An ec2/vpcPeeringConnection between two VPCs of the plan whose segments (the VPC's `segment` "
                    "tag, else its environment's segment) the reachability intent keeps apart fails: peering is a "
                    "path around the Transit Gateway's route tables. A peer VPC outside the stack is not judged "
                    "here.",
        refs="issue 23 (VPC peering across segments); X-17 (TGW reachability)",
        checks=(peering_within_intent,),
        params={"intent": Param("object", DEFAULT_INTENT,
                                "segment -> segments it may exchange traffic with (symmetric)", stack="intent")},
        cases=(
            StackCase((_vpc("prod", "prod"), _vpc("dev", "nonprod"), _peering("prod", "dev")), violates=True),
            StackCase((_vpc("prod", "prod"), _vpc("core", "core"), _peering("prod", "core")), violates=False,
                      note="prod may reach shared"),
            StackCase((_vpc("prod", "prod"), CaseResource(VPC_PEERING, "out", {"vpcId": "prod-id", "peerVpcId": "vpc-9"},
                                                          property_deps={"vpcId": ("prod",)})), violates=False,
                      note="peer outside the stack"),
        ),
    ),
]
