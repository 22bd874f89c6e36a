"""Checks of the organization itself: all features, the management account, trusted access, delegated admins."""

from __future__ import annotations

from collections.abc import Iterator

from landing_zone.preflight.core import Context, Finding, check
from landing_zone.preflight.imports import import_command

ORG_TYPE = "aws:organizations/organization:Organization"
DELEGATED_ADMIN_TYPE = "aws:organizations/delegatedAdministrator:DelegatedAdministrator"
# Regional "organization admin account" resources and the Organizations service principal each one registers.
REGIONAL_ADMIN_TYPES = {
    "aws:guardduty/organizationAdminAccount:OrganizationAdminAccount": "guardduty.amazonaws.com",
    "aws:securityhub/organizationAdminAccount:OrganizationAdminAccount": "securityhub.amazonaws.com",
    "aws:inspector2/delegatedAdminAccount:DelegatedAdminAccount": "inspector2.amazonaws.com",
}


@check("organization")
def organization(ctx: Context) -> Iterator[Finding]:
    org, wanted = ctx.organization, ctx.cfg.organization.management_account_id
    if org is None:
        yield Finding("organization", "fail", f"account {ctx.caller_account} is in no organization",
                      "create it in the management account: `aws organizations create-organization --feature-set ALL`")
        return
    if org.get("FeatureSet") != "ALL":
        yield Finding("organization", "fail", f"{org['Id']} has feature set {org.get('FeatureSet')}, not ALL: SCPs, "
                      "trusted access and delegated administrators need all features",
                      "enable all features (Organizations console > Settings; every member account must accept)")
    if org.get("MasterAccountId") != wanted:
        yield Finding("organization", "fail", f"{org['Id']}'s management account is {org.get('MasterAccountId')}, "
                      f"not organization.management_account_id {wanted}",
                      "set organization.management_account_id to the organization's management account")
    elif ctx.caller_account != wanted:
        yield Finding("organization", "fail", f"the credentials are of account {ctx.caller_account}, not of the "
                      f"management account {wanted}: the program runs in the management account",
                      "use the management account's credentials (AWS_PROFILE)")
    planned = ctx.planned(ORG_TYPE)
    commands = tuple(import_command(ctx, r, org["Id"]) for r in planned)
    yield Finding("organization", "pass" if org.get("FeatureSet") == "ALL" else "warn",
                  f"{org['Id']} exists (management account {org.get('MasterAccountId')}); the program adopts it",
                  "import it once before the first `pulumi up`", commands)


def _planned_organization(ctx: Context) -> dict:
    found = ctx.planned(ORG_TYPE)
    return found[0].get("inputs", {}) if found else {}


@check("trusted-access")
def trusted_access(ctx: Context) -> Iterator[Finding]:
    if ctx.organization is None:
        return
    wanted = set(_planned_organization(ctx).get("awsServiceAccessPrincipals") or [])
    pages = ctx.client("organizations").get_paginator("list_aws_service_access_for_organization").paginate()
    enabled = {p["ServicePrincipal"] for page in pages for p in page["EnabledServicePrincipals"]}
    missing, extra = sorted(wanted - enabled), sorted(enabled - wanted)
    yield Finding("trusted-access", "pass",
                  f"{len(wanted & enabled)} of {len(wanted)} already enabled"
                  + (f"; the program enables {', '.join(missing)}" if missing else ""))
    if extra:
        # aws_service_access_principals is the whole list: the first update after the import disables the others
        yield Finding("trusted-access", "warn", f"enabled outside the program: {', '.join(extra)}; the first "
                      "`pulumi up` after importing the organization disables them",
                      "add them to SERVICE_ACCESS_PRINCIPALS (components/organization.py) if still used")
    root_types = _enabled_policy_types(ctx)
    wanted_types = set(_planned_organization(ctx).get("enabledPolicyTypes") or [])
    dropped = sorted(root_types - wanted_types)
    if dropped:
        yield Finding("trusted-access", "warn", f"policy types enabled outside the program: {', '.join(dropped)}; "
                      "the first `pulumi up` after the import disables them and detaches their policies",
                      "add them to the organization's enabled_policy_types if still used")


def _enabled_policy_types(ctx: Context) -> set[str]:
    roots = ctx.client("organizations").list_roots()["Roots"]
    return {t["Type"] for r in roots for t in r.get("PolicyTypes", []) if t.get("Status") == "ENABLED"}


def _wanted_delegations(ctx: Context) -> dict[str, list[dict]]:
    """Service principal -> the plan resources that register the security account as its delegated admin."""
    wanted: dict[str, list[dict]] = {}
    for r in ctx.planned(DELEGATED_ADMIN_TYPE):
        wanted.setdefault(str(r.get("inputs", {}).get("servicePrincipal")), []).append(r)
    for type_, principal in REGIONAL_ADMIN_TYPES.items():
        resources = ctx.planned(type_)
        if resources:
            wanted.setdefault(principal, []).extend(resources)
    return wanted


@check("delegated-admins")
def delegated_admins(ctx: Context) -> Iterator[Finding]:
    if ctx.organization is None:
        return
    security = ctx.account_with_role("security")
    security_id = ctx.existing_accounts.get(security.name)
    org = ctx.client("organizations")
    current: dict[str, str] = {}  # principal -> delegated admin account
    for page in org.get_paginator("list_delegated_administrators").paginate():
        for admin in page["DelegatedAdministrators"]:
            for spage in org.get_paginator("list_delegated_services_for_account").paginate(AccountId=admin["Id"]):
                current.update({s["ServicePrincipal"]: admin["Id"] for s in spage["DelegatedServices"]})
    wanted = _wanted_delegations(ctx)
    conflicts = {p: a for p, a in current.items() if p in wanted and a != security_id}
    for principal, account in sorted(conflicts.items()):
        yield Finding("delegated-admins", "fail", f"{principal}: delegated administrator is {account}, not the "
                      f"security account ({security_id or 'created by this stack'}); registering it fails",
                      f"deregister it (`aws organizations deregister-delegated-administrator --account-id {account} "
                      f"--service-principal {principal}`, after checking who relies on it) or adopt that account")
    same = sorted(p for p, a in current.items() if p in wanted and a == security_id)
    commands = tuple(import_command(ctx, r, _delegation_id(r, principal, security_id))
                     for principal in same for r in wanted[principal])
    todo = sorted(set(wanted) - set(current))
    detail = (f"already registered to the security account: {', '.join(same)}" if same else "none registered yet")
    detail += f"; the program registers {', '.join(todo)}" if todo else ""
    yield Finding("delegated-admins", "warn" if same else "pass", detail,
                  "import the existing registrations (registering again fails)" if same else "", commands)


def _delegation_id(resource: dict, principal: str, account_id: str | None) -> str:
    # DelegatedAdministrator imports as `account_id/service_principal`; the regional admin resources by account id
    if resource["type"] == DELEGATED_ADMIN_TYPE:
        return f"{account_id}/{principal}"
    return str(account_id)
