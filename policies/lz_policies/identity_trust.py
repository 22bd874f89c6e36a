"""IAM-09 and IAM-10: role trust policies - web-identity trusts pinned to one subject, no trust of accounts outside the organization without an external id.

IAM-10 is a stack rule: the accounts of the organization are only known from the whole stack. Statements are read through `iam`, which knows which conditions actually limit the caller."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from . import iam
from .graph import Graph
from .iam import allows, statements
from .identity_common import EKS_OIDC, account_trust, oidc_trust, policy_document
from .rules import Case, CaseResource, Param, ResourceRule, StackCase, StackRule
from .types import (
    ORG_ACCOUNT,
    ROLE,
)
from .values import UNKNOWN, cannot_verify, decode_json_string, is_unknown
from .views import Subject

# IAM-09 ---------------------------------------------------------------------------------------------------------
# An OIDC trust is only as narrow as its conditions: without `<issuer>:aud` any token the issuer mints for another
# audience works, without `<issuer>:sub` every identity of the issuer (every GitHub repository in the world, every
# service account of the cluster) may assume the role.
GITHUB_ISSUER = "token.actions.githubusercontent.com"
COGNITO_ISSUER = "cognito-identity.amazonaws.com"
EKS_ISSUER = re.compile(r"^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/id/", re.I)
GITHUB_SUBJECT = re.compile(r"^repo:(?P<owner>[^/:]*)/(?P<repo>[^:]*):(?P<context>.*)$")
EKS_SUBJECT = re.compile(r"^system:serviceaccount:(?P<namespace>[^:]*):(?P<account>[^:]+)$")
WILDCARDS = re.compile(r"[*?]")


def _issuer(federated: str) -> str | None:
    """The OIDC issuer (host/path) of a Federated principal; None for a SAML provider."""
    if ":saml-provider/" in federated:
        return None
    return federated.split(":oidc-provider/", 1)[1] if ":oidc-provider/" in federated else federated


def web_identity_trusts(r: Subject) -> Iterator[tuple[int, dict, str]]:
    """(index, statement, issuer) of every Allow statement of the trust policy that a web identity can use."""
    for i, statement in enumerate(statements(r.get("assumeRolePolicy"))):
        if not allows(statement):
            continue
        for federated in iam.principal_values(statement, "Federated"):
            issuer = _issuer(federated)  # every Federated principal but a SAML provider is a web identity
            if issuer is not None:
                yield i, statement, issuer


def web_identity_pinned(r: Subject) -> Iterator[str]:
    for i, statement, issuer in web_identity_trusts(r):
        where = f"assumeRolePolicy Statement[{i}] ({issuer})"
        if not iam.pins(statement, f"{issuer}:aud"):
            yield (f"{where} has no audience condition; add StringEquals \"{issuer}:aud\": "
                   f"\"{_expected_audience(issuer)}\"")
        elif _expected_audience(issuer) == "sts.amazonaws.com" and iam.positive_values(
                statement, f"{issuer}:aud") != ["sts.amazonaws.com"]:
            yield f"{where} accepts audience {iam.positive_values(statement, f'{issuer}:aud')}; require sts.amazonaws.com"
        subject_key = "amr" if issuer == COGNITO_ISSUER else "sub"
        subjects = iam.positive_values(statement, f"{issuer}:{subject_key}")
        if not iam.pins(statement, f"{issuer}:{subject_key}"):
            yield (f"{where} has no subject condition (\"{issuer}:{subject_key}\"), so every identity of the issuer "
                   f"can assume the role; {_subject_hint(issuer)}")
        elif issuer == GITHUB_ISSUER:
            yield from (f"{where}: {problem}" for problem in _github_subject_problems(subjects or [], r.strict_env,
                                                                                   r.cfg))
        elif EKS_ISSUER.match(issuer):
            yield from (f"{where}: {problem}" for problem in _eks_subject_problems(subjects or []))


def one_repository_per_role(r: Subject) -> Iterator[str]:
    """A role several GitHub repositories may assume lets each deploy the other's services (and pass the other's task
    roles): one deployment role per repository."""
    repositories = sorted({f"{m['owner']}/{m['repo']}" for _, statement, issuer in web_identity_trusts(r)
                           if issuer == GITHUB_ISSUER
                           for subject in iam.positive_values(statement, f"{issuer}:sub") or []
                           if (m := GITHUB_SUBJECT.match(subject)) and m["owner"] and m["repo"]})
    if len(repositories) > 1:
        yield (f"assumeRolePolicy trusts {len(repositories)} GitHub repositories ({', '.join(repositories)}): each "
               "can deploy the other's services with this role; give every repository its own role scoped to its own "
               "resources")


def _expected_audience(issuer: str) -> str:
    if issuer == COGNITO_ISSUER:
        return "<identity pool id>"
    return "sts.amazonaws.com" if issuer == GITHUB_ISSUER or EKS_ISSUER.match(issuer) else "<client id>"


def _subject_hint(issuer: str) -> str:
    if issuer == GITHUB_ISSUER:
        return "add StringEquals \"token.actions.githubusercontent.com:sub\": \"repo:ORG/REPO:environment:NAME\""
    if EKS_ISSUER.match(issuer):
        return f"add StringEquals \"{issuer}:sub\": \"system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT\""
    return f"add a StringEquals condition on \"{issuer}:sub\" naming the identities allowed"


def _github_subject_problems(subjects: list[str], env: str, cfg: Mapping[str, Any]) -> Iterator[str]:
    pinned_envs = list(cfg["environmentPinnedIn"])
    for subject in subjects:
        match = GITHUB_SUBJECT.match(subject)
        if match is None or not match["owner"] or not match["repo"] or WILDCARDS.search(
                f"{match['owner']}/{match['repo']}"):
            yield (f"subject {subject!r} does not name one repository (wildcard or missing organization/repository "
                   "part); use \"repo:ORG/REPO:...\" without wildcards before the context")
        elif env in pinned_envs and not re.fullmatch(r"environment:[^*?]+", match["context"]):
            yield (f"{env} role trusts subject {subject!r}, which is not pinned to a GitHub environment (branch and "
                   "pull-request subjects skip the environment's reviewers); use "
                   f"\"repo:{match['owner']}/{match['repo']}:environment:{env}\"")


def _eks_subject_problems(subjects: list[str]) -> Iterator[str]:
    for subject in subjects:
        match = EKS_SUBJECT.match(subject)
        if match is None or not match["namespace"] or WILDCARDS.search(match["namespace"]):
            yield (f"subject {subject!r} does not name a service account in one namespace; use "
                   "\"system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT\" without a wildcard in the namespace")


# IAM-10 (stack) -------------------------------------------------------------------------------------------------
# Which accounts belong to the organization is only known from the whole stack: the accounts it creates
# (organizations/account ids), the accounts its providers deploy to (allowedAccountIds, assumed role ARNs) and the
# organization accounts the stack config names (management_account_id, account ids of adopted accounts).
ACCOUNT_ID = re.compile(r"^(?:arn:[^:]+:(?:iam|sts)::)?(\d{12})(?::|$)")
OUTSIDE_LIMITING_KEYS = ("sts:externalid", "aws:principalorgid", "aws:principalorgpaths")


def trusts_outside_organization(s) -> Iterator[tuple[str | None, str]]:
    g = s.graph()
    inside = _organization_accounts(g, s.cfg)
    unknown: list[str] = []
    for role in g.of_type(ROLE):
        policy = role.get("assumeRolePolicy")
        if is_unknown(policy):
            unknown.append(f"{role.name}.assumeRolePolicy")
            continue
        for i, statement in enumerate(statements(policy)):
            if not allows(statement) or any(iam.pins(statement, key) for key in OUTSIDE_LIMITING_KEYS):
                continue
            outside = sorted({a for a in _trusted_accounts(statement) if a not in inside})
            if outside:
                yield role.urn, (f"{role.name} assumeRolePolicy Statement[{i}] trusts account(s) {', '.join(outside)} "
                                 "outside the organization without sts:ExternalId; add StringEquals sts:ExternalId "
                                 "(a third party) or aws:PrincipalOrgID, or list the account in the stack config")
    if unknown:
        raise cannot_verify(unknown)


def _trusted_accounts(statement: Mapping[str, Any]) -> list[str]:
    accounts = []
    for value in iam.principal_values(statement, "AWS"):
        match = ACCOUNT_ID.match(value)
        if match:
            accounts.append(match[1])
    return accounts


def _organization_accounts(g: Graph, cfg: Mapping[str, Any]) -> set[str]:
    inside = {str(a) for a in cfg["organizationAccountIds"]}
    inside.update(a.id for a in g.of_type(ORG_ACCOUNT) if a.id and not is_unknown(a.id))
    seen: set[int] = set()
    for res in g.resources:
        props = g.provider_props(res)
        if id(props) in seen:
            continue
        seen.add(id(props))
        inside.update(provider_accounts(props))
    return inside


def provider_accounts(props: Mapping[str, Any]) -> set[str]:
    found: set[str] = set()
    for key in ("allowedAccountIds", "assumeRoles", "assumeRole"):
        value = decode_json_string(props.get(key))
        for item in value if isinstance(value, list) else [value]:
            text = item.get("roleArn") if isinstance(item, Mapping) else item
            match = ACCOUNT_ID.match(text) if isinstance(text, str) else None
            if match:
                found.add(match[1])
    return found


RULES = [
    ResourceRule(
        id="IAM-09", name="iam-09-web-identity-trust-pinned",
        title="Web-identity trusts pin audience and subject; prod GitHub roles pin an environment",
        description="A trust of a `Federated` web-identity provider (GitHub Actions, EKS IRSA, any OIDC issuer; SAML "
                    "providers excluded) needs a positive condition (StringEquals/StringLike, not IfExists) on "
                    "`<issuer>:aud` (sts.amazonaws.com for GitHub and EKS) and on `<issuer>:sub` (`amr` for Cognito) "
                    "that is not a bare \"*\". GitHub subjects name one repository (`repo:ORG/REPO:...`, no wildcard "
                    "in the organization or repository part) and, in `environmentPinnedIn` environments (from the "
                    "provider's default tags; untagged counts as prod), a GitHub environment "
                    "(`repo:ORG/REPO:environment:NAME`), so the environment's required reviewers gate the role. EKS "
                    "subjects name `system:serviceaccount:NAMESPACE:SA` with no wildcard in the namespace. A role trusts "
                    "at most one GitHub repository (a shared deployment role lets each repository deploy the other's "
                    "services). (IAM-04 "
                    "keeps Principal \"*\"; an OIDC trust without a subject is this rule's finding.)",
        refs="docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments/"
             "configuring-openid-connect-in-amazon-web-services; EKS IRSA; CKV_AWS_358 (GitHub only)",
        types=(ROLE,), checks=(web_identity_pinned, one_repository_per_role),
        params={"environmentPinnedIn": Param("array", ["prod"], "environments whose GitHub roles must trust a GitHub "
                                             "environment subject only", items="string")},
        cases=(
            Case({"assumeRolePolicy": oidc_trust(GITHUB_ISSUER, sub=None)}, violates=True, note="no sub"),
            Case({"assumeRolePolicy": oidc_trust(GITHUB_ISSUER, aud=None)}, violates=True, note="no aud"),
            Case({"assumeRolePolicy": oidc_trust(GITHUB_ISSUER, sub="repo:example-org/*")}, env="nonprod",
                 violates=True, note="wildcard repository"),
            Case({"assumeRolePolicy": oidc_trust(GITHUB_ISSUER, sub="repo:*/los:ref:refs/heads/main")},
                 env="nonprod", violates=True, note="wildcard organization"),
            Case({"assumeRolePolicy": oidc_trust(GITHUB_ISSUER, sub="*")}, env="nonprod", violates=True),
            Case({"assumeRolePolicy": oidc_trust(GITHUB_ISSUER, sub="repo:example-org/los:ref:refs/heads/main")},
                 violates=True, note="prod role pinned to a branch, not an environment"),
            Case({"assumeRolePolicy": oidc_trust(GITHUB_ISSUER, sub="repo:example-org/los:environment:prod",
                                                  operator="StringEqualsIfExists")},
                 violates=True, note="IfExists matches a token without the claim"),
            Case({"assumeRolePolicy": oidc_trust(EKS_OIDC, sub="system:serviceaccount:*:cluster-autoscaler")},
                 violates=True, note="EKS: wildcard namespace"),
            Case({"assumeRolePolicy": oidc_trust(EKS_OIDC, sub="system:serviceaccount:kube-system:x", aud="*")},
                 violates=True, note="EKS: wildcard audience"),
            Case({"assumeRolePolicy": oidc_trust("accounts.example.com", sub=None, aud="client-1",
                                                  federated="accounts.example.com")},
                 violates=True, note="any OIDC issuer without sub"),
            Case({"assumeRolePolicy": oidc_trust(GITHUB_ISSUER, sub=["repo:example-org/los:environment:prod",
                                                                      "repo:example-org/pay:environment:prod"])},
                 violates=True, note="one role shared by two repositories"),
            Case({"assumeRolePolicy": policy_document(*(json.loads(oidc_trust(GITHUB_ISSUER, sub=f"repo:example-org/{repo}:"
                                                                                   "ref:refs/heads/main"))["Statement"][0]
                                             for repo in ("los", "pay")))}, env="nonprod", violates=True,
                 note="two repositories in two statements"),
            Case({"assumeRolePolicy": oidc_trust(GITHUB_ISSUER, sub="repo:example-org/los:environment:prod")},
                 violates=False),
            Case({"assumeRolePolicy": oidc_trust(GITHUB_ISSUER, sub=["repo:example-org/los:ref:refs/heads/main",
                                                                      "repo:example-org/los:pull_request"])},
                 env="nonprod", violates=False, note="several subjects of one repository"),
            Case({"assumeRolePolicy": oidc_trust(GITHUB_ISSUER, sub="repo:example-org/los:ref:refs/heads/develop")},
                 env="nonprod", violates=False),
            Case({"assumeRolePolicy": oidc_trust(EKS_OIDC, sub="system:serviceaccount:kube-system:cluster-autoscaler")},
                 violates=False),
            Case({"assumeRolePolicy": policy_document({"Effect": "Allow", "Action": "sts:AssumeRoleWithSAML",
                                            "Principal": {"Federated": "arn:aws:iam::111111111111:saml-provider/idp"},
                                            "Condition": {"StringEquals": {
                                                "SAML:aud": "https://signin.aws.amazon.com/saml"}}})},
                 violates=False, note="SAML federation is not a web identity"),
            Case({"assumeRolePolicy": UNKNOWN}, violates=False, unknown=True),
        ),
    ),
    StackRule(
        id="IAM-10", name="iam-10-no-outside-account-trust-without-external-id",
        title="Roles trust accounts outside the organization only with sts:ExternalId",
        description="A role trust naming an AWS account (id, root or principal ARN) that is not part of the "
                    "organization needs a positive condition on sts:ExternalId (the confused-deputy protection for "
                    "third parties) or aws:PrincipalOrgID / aws:PrincipalOrgPaths. Inside the organization: the "
                    "accounts the stack creates (organizations/account), the accounts its providers deploy to "
                    "(allowedAccountIds, assumed role ARNs) and `organizationAccountIds`. A stack rule because only "
                    "the whole stack knows the organization's accounts; in a preview, trusts naming accounts "
                    "created in the same run are unknown and reported as advisories.",
        refs="IAM User Guide: 'The confused deputy problem' / sts:ExternalId; SH IAM (none); CKV (none)",
        checks=(trusts_outside_organization,),
        params={"organizationAccountIds": Param("array", [], "account ids of the organization the stack does not "
                                                "create", items="string", stack="organizationAccountIds")},
        cases=(
            StackCase((CaseResource(ROLE, "vendor", {"assumeRolePolicy": account_trust("999999999999")}),), violates=True),
            StackCase((CaseResource(ROLE, "vendor", {"assumeRolePolicy": account_trust(
                "arn:aws:iam::999999999999:root", {"Bool": {"aws:MultiFactorAuthPresent": "true"}})}),),
                violates=True, note="MFA is not a limit on which account"),
            StackCase((CaseResource(ROLE, "vendor", {"assumeRolePolicy": account_trust(
                "arn:aws:iam::999999999999:role/vendor", {"StringEquals": {"sts:ExternalId": "ext-123"}})}),),
                violates=False),
            StackCase((CaseResource(ROLE, "support", {"assumeRolePolicy": account_trust("arn:aws:iam::222222222222:root")}),
                       CaseResource(ORG_ACCOUNT, "member", {"id": "222222222222", "name": "member"})), violates=False,
                      note="an account the stack creates"),
            StackCase((CaseResource(ROLE, "support", {"assumeRolePolicy": account_trust("111111111111")}),),
                      config={"organizationAccountIds": ["111111111111"]}, violates=False,
                      note="the management account from the stack config"),
            StackCase((CaseResource(ROLE, "support", {"assumeRolePolicy": UNKNOWN}),), violates=False, unknown=True),
        ),
    ),
]
