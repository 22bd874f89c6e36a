"""IAM-09: role trust policies - web-identity trusts pinned to one subject (IAM-10, trusts of accounts outside the organization, is identity_resource_policies: one access analysis for every policy).

Statements are read through `iam`, which knows which conditions actually limit the caller."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from . import iam
from .iam import allows, statements
from .identity_common import EKS_OIDC, oidc_trust, policy_document
from .rules import Case, Param, ResourceRule
from .types import (
    ROLE,
)
from .values import UNKNOWN
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
]
