"""DEP-06..DEP-08: the deploy is permitted. Who each stack runs as, each role it assumes, each call it makes, under the
landing zone's own SCPs and RCPs, evaluated offline (deploy_proof.py over facts.json and deploy_actions.json).
`lz permissions --stack S` prints the same rows as a table."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from ..deploy_proof import ASSUME, CALL, GUARDRAIL, Proof, Row
from ..rules import CaseResource, Param, StackCase, StackRule
from ..sdk import NotApplicableError
from ..types import LOOKUP, PROVIDER, SNS_TOPIC
from ..values import UNKNOWN, cannot_verify

_PROOF_MEMO = "deploy-permission-proof"


def _rows(stack: Any) -> tuple[list[Row], list[str]]:
    """Every row of the proof and what cannot be verified, once per request and facts, shared by the three rules."""
    facts = stack.cfg.get("deployFacts") or None
    key = (_PROOF_MEMO, json.dumps(facts, sort_keys=True) if facts else None)
    hit = stack.memo.get(key)
    if hit is None:
        proof = Proof(stack.graph(), facts)
        rows = list(proof.rows())
        hit = stack.memo[key] = (rows, proof.unknown, sorted(proof.missing))
    rows, unknown, missing = hit
    if missing and not rows:  # a stack with no stack file in this repository: nothing to prove it with
        raise NotApplicableError(f"no deploy identity for stack {', '.join(missing)} in facts.json (a stack file of "
                                 "this repository: `python -m landing_zone.pack_facts`)")
    # some stacks known, others not (a merged plan): those cannot be verified
    return rows, unknown + [f"facts.json deploy.stacks[{name!r}]" for name in missing]


def _denied(check: str) -> Any:
    def run(stack: Any) -> Iterator[tuple[str | None, str]]:
        seen: set[str] = set()
        rows, unknown = _rows(stack)
        for row in rows:
            if row.check == check and not row.decision.allowed and row.message() not in seen:
                seen.add(row.message())
                yield row.urn, row.message()
        if unknown:
            raise cannot_verify(unknown)

    run.__name__ = {ASSUME: "role_assumptions_permitted", CALL: "own_credentials_permitted",
                    GUARDRAIL: "guardrails_permit_the_deploy"}[check]
    return run


# =========================================================================== cases
MGMT, MEMBER = "111111111111", "222222222222"
DEPLOY = f"arn:aws:iam::{MGMT}:role/landing-zone-deploy/landing-zone-deploy-test"
ACCESS = f"arn:aws:iam::{MEMBER}:role/OrganizationAccountAccessRole"
ORG_ID = "o-exampleorg1"
ALLOW_ALL = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
RCP_ALLOW_ALL = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}


def case_facts(assumers: list[str] | None = None, deploy: Mapping[str, Any] | None = None,
               scp: Mapping[str, Any] | None = None) -> dict:
    """deployFacts for the cases: the `test` stack runs as DEPLOY; account `app` (MEMBER) under `scp` and an RCP that
    lets only `assumers` assume the access role."""
    restrict = {"Statement": [{"Sid": "RestrictAccessRoleAssumption", "Effect": "Deny", "Principal": "*",
                               "Action": "sts:AssumeRole", "Resource": "arn:*:iam::*:role/OrganizationAccountAccessRole",
                               "Condition": {"ArnNotLike": {"aws:PrincipalArn": assumers or [DEPLOY]}}}]}
    return {
        "stacks": {"test": {"organization": "test", "principal": DEPLOY,
                            "policies": {"deploy": deploy or ALLOW_ALL}}},
        "organizations": {"test": {
            "managementAccountId": MGMT, "organizationId": ORG_ID, "accessRole": "OrganizationAccountAccessRole",
            "accessRoleTrust": {"Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MGMT}:root"},
                                               "Action": "sts:AssumeRole"}]},
            "scps": {"guard": scp or {"Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization",
                                                     "Resource": "*"}]}},
            "rcps": {"perimeter": restrict},
            "policies": {"FullAWSAccess": ALLOW_ALL, "RCPFullAWSAccess": RCP_ALLOW_ALL,
                         "AdministratorAccess": ALLOW_ALL},
            "accounts": {"app": {"id": MEMBER, "scps": [["root", ["FullAWSAccess", "guard"]]],
                                 "rcps": [["root", ["RCPFullAWSAccess", "perimeter"]]]}},
        }},
    }


def _provider(account: str, role: str | None) -> CaseResource:
    props: dict[str, Any] = {"region": "eu-west-1",
                             "allowedAccountIds": f'["{MEMBER if role else MGMT}"]'}
    if role:
        props["assumeRoles"] = f'[{{"roleArn": "{role}", "sessionName": "landing-zone"}}]'
    return CaseResource(PROVIDER, f"{account}-eu-west-1-provider", props,
                        provider_tags={"environment": "prod", "account": account})


def _topic(account: str = "app") -> CaseResource:
    return CaseResource(SNS_TOPIC, f"{account}-topic", {"name": f"{account}-topic"},
                        provider_tags={"environment": "prod", "account": account})


def _invoke(account: str, token: str) -> CaseResource:
    return CaseResource(LOOKUP, f"{account}-lookup", {
        "token": token, "args": {}, "provider": f"urn:pulumi:test::landing-zone::{PROVIDER}::{account}-eu-west-1-provider"},
        provider_tags={"environment": "prod", "account": account})


SPLIT_PATTERN = f"arn:aws:iam::{MGMT}:role/landing-zone-deploy/*"
SINGLE_ONLY = f"arn:aws:iam::{MGMT}:role/landing-zone-deploy-test"
ASSUME_ONLY = {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ACCESS}]}
PASSWORD = "aws:secretsmanager/getRandomPassword:getRandomPassword"
DEP06_CASES = (
    StackCase((_provider("app", ACCESS), _topic()), violates=False, config={"deployFacts": case_facts([SPLIT_PATTERN])},
              note="the RCP admits the deploy role's path"),
    StackCase((_provider("app", ACCESS), _topic()), violates=True, config={"deployFacts": case_facts([SINGLE_ONLY])},
              note="the RCP admits only the single-mode role: the split deploy role is denied the access role"),
    StackCase((_provider("app", ACCESS), _topic()), violates=True,
              config={"deployFacts": case_facts(deploy={"Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                                       "Resource": "*"}]})},
              note="the deploy role's identity policy does not allow sts:AssumeRole"),
    StackCase((_provider("app", f"arn:aws:iam::{MEMBER}:role/other"), _topic(),
               CaseResource("aws:iam/role:Role", "other-role", {"name": "other", "assumeRolePolicy": {
                   "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
                                  "Action": "sts:AssumeRole"}]}}, provider_tags={"environment": "prod",
                                                                                  "account": "app"})),
              violates=True, config={"deployFacts": case_facts()}, note="the target role's trust does not admit it"),
)
DEP07_CASES = (
    StackCase((_provider("management", None), _invoke("management", PASSWORD)), violates=True,
              config={"deployFacts": case_facts(deploy=ASSUME_ONLY)},
              note="an invoke with the stack's own credentials its policy does not allow"),
    StackCase((_provider("management", None), _invoke("management", PASSWORD)), violates=False,
              config={"deployFacts": case_facts(deploy={"Statement": [
                  {"Effect": "Allow", "Action": "secretsmanager:GetRandomPassword", "Resource": "*"}]})},
              note="the invoke is granted"),
    StackCase((_provider("management", None), _topic("management")), violates=True,
              config={"deployFacts": case_facts(deploy=ASSUME_ONLY)},
              note="a resource created with the stack's own credentials"),
    StackCase((_provider("management", None), CaseResource("aws:unknown/thing:Thing", "thing", {},
                                                           provider_tags={"environment": "prod",
                                                                          "account": "management"})),
              violates=True, config={"deployFacts": case_facts()}, note="a resource type without a row in the table"),
)
DENY_SNS = {"Statement": [{"Sid": "NoTopics", "Effect": "Deny", "Action": "sns:CreateTopic", "Resource": "*",
                           "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:*:iam::*:role/Pipeline"}}}]}
DEP08_CASES = (
    StackCase((_provider("app", ACCESS), _topic()), violates=True, config={"deployFacts": case_facts(scp=DENY_SNS)},
              note="an SCP denies the access role a create action of a resource the stack deploys there"),
    StackCase((_provider("app", ACCESS), _topic()), violates=False, config={"deployFacts": case_facts(scp={
        "Statement": [{**DENY_SNS["Statement"][0],
                       "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:*:iam::*:role/OrganizationAccountAccessRole"}}}]})},
              note="the SCP exempts the access role"),
    StackCase((_provider("app", ACCESS), _topic()), violates=True, config={"deployFacts": case_facts(scp={
        "Statement": [{"Effect": "Deny", "NotAction": ["iam:*"], "Resource": "*",
                       "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["ap-south-1"]}}}]})},
              note="the region restriction denies the provider's region"),
    StackCase((CaseResource(PROVIDER, "app-eu-west-1-provider", {"region": "eu-west-1", "assumeRoles": UNKNOWN},
                            provider_tags={"environment": "prod", "account": "app"}), _topic()),
              violates=False, unknown=True, config={"deployFacts": case_facts(scp=DENY_SNS)},
              note="the role the provider assumes is unknown during preview: cannot verify, not a pass"),
)

_FACTS_PARAM = {"deployFacts": Param("object", {}, "deploy identities, SCPs and RCPs (default: facts.json, generated "
                                                   "by landing_zone.pack_facts); set only by tests")}
RULES = [
    StackRule(
        id="DEP-06", name="dep-06-role-assumptions-permitted",
        title="Every role a provider assumes admits the stack's deploy role",
        description="For every pulumi:providers:aws with assumeRoles, from the principal the stack's pipeline runs "
                    "as (facts.json: bootstrap's rendered deploy role): its identity policy allows sts:AssumeRole on "
                    "the role, the role's trust admits it (the access role: the trust Organizations writes; a role "
                    "of the plan: its assumeRolePolicy), no SCP of the caller's account and no RCP of the role's "
                    "account (the data perimeter's RestrictAccessRoleAssumption) denies it.",
        refs="issue 21; IAM policy evaluation logic; AWS Organizations RCPs",
        checks=(_denied(ASSUME),), cases=DEP06_CASES, params=_FACTS_PARAM),
    StackRule(
        id="DEP-07", name="dep-07-own-credentials-permitted",
        title="Every call made with the stack's own credentials is allowed by its deploy policy",
        description="Every resource created and every invoke made through a provider that assumes no role runs as "
                    "the stack's deploy role: its identity policy allows every create, tag and update action of the "
                    "resource type and every action of the invoke (deploy_actions.json); a type or invoke without "
                    "a row fails.",
        refs="issue 21; Service Authorization Reference",
        checks=(_denied(CALL),), cases=DEP07_CASES, params=_FACTS_PARAM),
    StackRule(
        id="DEP-08", name="dep-08-guardrails-permit-the-deploy",
        title="The landing zone's SCPs and RCPs deny none of the calls the deploy makes in member accounts",
        description="Every resource created and every invoke made through an assumed role in a member account: the "
                    "SCPs on that account's path (region restriction, network lockdown, log protection, ...) and "
                    "the RCPs (data perimeter) deny none of its create, tag and update actions, and the assumed "
                    "role's identity policy allows them when known (the access role: AdministratorAccess).",
        refs="issue 21; AWS Organizations SCP and RCP evaluation",
        checks=(_denied(GUARDRAIL),), cases=DEP08_CASES, params=_FACTS_PARAM),
]
