"""Tagging and governance (CONTROLS.md §1, GOV-01..GOV-02).

NOTE for the stack_<domain> modules: GOV-02 (account baseline: security contact, Access Analyzer, support role) is about
presence per account, so it is implemented HERE as a StackRule; the stack_<domain> modules do not cover it.
EAR-02 (encryption_at_rest.py) and LOG-07 (logging.py) are stack rules for the same reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .rules import Case, CaseResource, Param, ResourceRule, StackCase, StackRule
from .types import (
    ANALYZER,
    CONTACT,
    ORG_ACCOUNT,
    ROLE_ATTACHMENT,
    SSO_MANAGED,
    VPC,
)
from .views import Stack, Subject

# Generated from the pulumi-aws SDK (resources with `tags` and `tagsAll`); kept as data so the pack does not need
# pulumi-aws installed in its own virtualenv.
TAGGABLE_TYPES = tuple(
    line.strip()
    for line in (Path(__file__).with_name("aws_taggable_types.txt")).read_text().splitlines()
    if line.strip() and not line.startswith("#")
)
SUPPORT_POLICY = ":policy/AWSSupportAccess"


# GOV-01 ---------------------------------------------------------------------------------------------------------
def required_tags_present(r: Subject) -> Iterator[str]:
    tags = r.tags()
    missing = [key for key in r.cfg["requiredTags"] if not tags.get(key)]
    if missing:
        yield (f"missing required tags {missing}; create the resource through its account's provider (default "
               "tags) or set them in `tags`")


# GOV-02 (stack) -------------------------------------------------------------------------------------------------
def _contact_accounts(s: Stack) -> set[str]:
    """Accounts with a SECURITY alternate contact: set in the account itself, or from the management account
    with accountId taken from the organizations.Account resource of that account."""
    accounts: set[str] = set()
    for contact in s.of_type(CONTACT):
        if contact.get("alternateContactType") != "SECURITY":
            continue
        targets = [s.by_urn[u] for u in contact.property_dependencies.get("accountId", []) if u in s.by_urn]
        org_accounts = [t for t in targets if t.type == ORG_ACCOUNT]
        if contact.get("accountId") and org_accounts:
            accounts.update(_org_account_name(a) for a in org_accounts)
        elif contact.account:
            accounts.add(contact.account)
    return accounts


def _org_account_name(account) -> str:
    return account.tags().get("account") or str(account.get("name", default=account.name))


def account_baseline(s: Stack) -> Iterator[tuple[str | None, str]]:
    accounts = sorted({r.account for r in s.resources if r.type.startswith("aws:") and r.account})
    contacts = _contact_accounts(s)
    analyzers = s.of_type(ANALYZER)
    org_analyzer = any(str(a.get("type", default="ACCOUNT")).startswith("ORGANIZATION") for a in analyzers)
    analyzer_accounts = {a.account for a in analyzers}
    support_everywhere = any(str(a.get("managedPolicyArn", default="")).endswith(SUPPORT_POLICY)
                             for a in s.of_type(SSO_MANAGED))
    support_accounts = {a.account for a in s.of_type(ROLE_ATTACHMENT)
                        if str(a.get("policyArn", default="")).endswith(SUPPORT_POLICY)}
    for account in accounts:
        if account not in contacts:
            yield None, (f"account {account} has no security contact; add aws.account.AlternativeContact "
                         "(alternateContactType=SECURITY)")
        if not org_analyzer and account not in analyzer_accounts:
            yield None, (f"account {account} has no IAM Access Analyzer; add an ORGANIZATION analyzer in the "
                         "delegated admin account (or an ACCOUNT analyzer here)")
        if not support_everywhere and account not in support_accounts:
            yield None, (f"account {account} has no support role; attach AWSSupportAccess to a role or an "
                         "Identity Center permission set")


def _res(type_, name, account="workload", **props):
    return CaseResource(type_, name, props, provider_tags={"environment": "prod", "account": account})


BASELINE = (
    _res(VPC, "vpc", cidrBlock="10.0.0.0/16"),
    _res(CONTACT, "contact", alternateContactType="SECURITY", emailAddress="security@example.com"),
    _res(ANALYZER, "analyzer", account="security", type="ORGANIZATION"),
    _res(SSO_MANAGED, "support", account="management", managedPolicyArn="arn:aws:iam::aws:policy/AWSSupportAccess"),
    _res(CONTACT, "contact-sec", account="security", alternateContactType="SECURITY"),
    _res(CONTACT, "contact-mgmt", account="management", alternateContactType="SECURITY"),
)

RULES = [
    ResourceRule(
        id="GOV-01", name="gov-01-required-tags",
        title="Taggable resources carry the required tags",
        description="Every taggable AWS resource has the `requiredTags` keys, from its provider's default tags or "
                    "its own tags (the landing zone's providers set environment and account).",
        refs="LZA org tag policy",
        types=TAGGABLE_TYPES, checks=(required_tags_present,),
        params={"requiredTags": Param("array", ["environment", "account"], "tag keys every resource must carry",
                                      items="string")},
        cases=(
            Case({"cidrBlock": "10.0.0.0/16"}, type=VPC, env=None, violates=True),
            Case({"cidrBlock": "10.0.0.0/16"}, type=VPC, config={"requiredTags": ["owner"]},
                 violates=True),
            Case({"cidrBlock": "10.0.0.0/16"}, type=VPC, violates=False),
            Case({"cidrBlock": "10.0.0.0/16", "tags": {"environment": "prod", "account": "a"}}, type=VPC,
                 env=None, violates=False),
        ),
    ),
    StackRule(
        id="GOV-02", name="gov-02-account-baseline",
        whole_organization=True,
        title="Every account has a security contact, Access Analyzer coverage and a support role",
        description="For every account the stack deploys to (providers' `account` tag): an AlternativeContact of "
                    "type SECURITY, an IAM Access Analyzer (organization-wide or in the account), and AWSSupportAccess "
                    "on a role in the account or on an Identity Center permission set.",
        refs="CIS 1.2, 1.20, 1.17; SH Account.1",
        checks=(account_baseline,),
        cases=(
            StackCase(BASELINE, violates=False),
            StackCase(BASELINE[:1] + BASELINE[2:], violates=True, note="workload account without security contact"),
            StackCase(BASELINE[:2] + BASELINE[3:], violates=True, note="no analyzer"),
            StackCase(BASELINE[:3] + BASELINE[4:], violates=True, note="no support role"),
        ),
    ),
]
