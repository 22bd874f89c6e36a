"""The AWS Organization: OUs, accounts (created or adopted), SCPs and their attachments, delegated administrators.

The management account runs the program. Its organization usually exists already: import it once
(`pulumi import aws:organizations/organization:Organization organization <o-id>` with the parent set to this
component) and the program then manages its feature set, policy types and trusted services.
Accounts and the organization are protected: removing an account from the config fails the update instead of
closing the account (and `close_on_deletion=False`, `retain_on_delete` keep it even when unprotected by hand).

The access role (organization.access_role_name) is what the pipeline assumes in every member account and what every
SCP exemption names, so it is guarded twice:
- who changes it: guardrails (at the root) denies every IAM change to it but by itself (ProtectExemptedPrincipals);
- who assumes it: Organizations writes its trust policy to trust the management account's root, i.e. any principal
  there that IAM lets call sts:AssumeRole. SCPs cannot narrow that (they never apply to the management account); the
  data-perimeter RCP can, because it applies to the member account's role whoever calls: with
  organization.access_role_assumers set (the pipeline's deploy roles), nobody else assumes it. Break-glass stays in
  the management account: its administrators can detach the RCP, which no member account can.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import Component, type_token
from components.context import AccountContext
from components.organization_policies import attach_organization_policies, centralized_root_access, suspended_ou
from components.providers import account_providers, management_providers
from components.regions import enable_opt_in_regions
from landing_zone.models import Account, LandingZoneConfig, OrganizationalUnit, Security
from landing_zone.models import Organization as OrganizationConfig
from landing_zone.organization_policies import OrgPolicy, deny_all_scp, enabled_policy_types, organization_policies
from landing_zone.scp_documents import DESCRIPTIONS, RCP_DESCRIPTIONS, rcp_documents, scp_documents

# Trusted access: the services the landing zone runs organization-wide
SERVICE_ACCESS_PRINCIPALS = (
    "access-analyzer.amazonaws.com", "account.amazonaws.com", "backup.amazonaws.com", "cloudtrail.amazonaws.com",
    "config-multiaccountsetup.amazonaws.com", "config.amazonaws.com", "guardduty.amazonaws.com",
    "inspector2.amazonaws.com", "malware-protection.guardduty.amazonaws.com", "ram.amazonaws.com",
    "securityhub.amazonaws.com", "sso.amazonaws.com",
)  # fmt: skip


def service_access_principals(org: OrganizationConfig) -> tuple[str, ...]:
    """Centralized root access needs IAM's trusted access (iam.amazonaws.com) before the feature is enabled."""
    return SERVICE_ACCESS_PRINCIPALS + (("iam.amazonaws.com",) if org.policies.root_access_management else ())


def management_account(org: OrganizationConfig) -> Account:
    """A handle-shaped description of the management account (it is not in `accounts`: it is never created)."""
    return Account.model_construct(name="management", email="", ou="", environment="core", role="workload",
                                   account_id=org.management_account_id, segment="shared", vpcs={},
                                   workloads=None)  # fmt: skip


def moved_from_organization() -> pulumi.ResourceOptions:
    """Options for a provider a split stack creates that single mode creates under the Organization component
    (components/stacks/): the alias lets a stack split by `pulumi state move` keep the moved provider."""
    urn = f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{type_token(Organization.TOKEN)}::organization"
    return pulumi.ResourceOptions(aliases=[pulumi.Alias(parent=urn)])


def ou_order(ous: list[OrganizationalUnit]) -> list[OrganizationalUnit]:
    """Parents before children (the config is validated to be acyclic)."""
    done: list[OrganizationalUnit] = []
    names: set[str] = set()
    pending = list(ous)
    while pending:
        ready = [ou for ou in pending if ou.parent is None or ou.parent in names]
        done += ready
        names |= {ou.name for ou in ready}
        pending = [ou for ou in pending if ou.name not in names]
    return done


def ou_slug(name: str) -> str:
    return name.lower().replace(" ", "-").replace("_", "-")


def delegated_principals(security: Security) -> tuple[str, ...]:
    """The organization-wide services the security account administers (the regional ones: components/security/)."""
    principals = ["config.amazonaws.com", "config-multiaccountsetup.amazonaws.com"] if security.config else []
    principals += ["access-analyzer.amazonaws.com"] if security.access_analyzer else []
    return tuple(principals)


@dataclass(frozen=True, kw_only=True)
class OrganizationArgs:
    organization: OrganizationConfig
    organizational_units: tuple[OrganizationalUnit, ...]
    accounts: tuple[Account, ...]
    regions: tuple[str, ...]  # home (and DR): a provider per account in each
    service_control_policies: Mapping[str, str]  # SCP name -> minified document (scp_documents)
    resource_control_policies: Callable[[str], Mapping[str, str]]  # organization id -> RCP name -> document
    security_account: str  # the delegated administrator
    delegated_principals: tuple[str, ...]  # services it administers organization-wide (delegated_principals)
    organization_policies: tuple[OrgPolicy, ...] = ()  # tag, backup, AI opt-out, EC2 declarative (at the root)
    enabled_policy_types: tuple[str, ...] = ("RESOURCE_CONTROL_POLICY", "SERVICE_CONTROL_POLICY")
    deny_all_scp: str = ""  # the Suspended OU's SCP document (organization.policies.suspended_ou)


def organization_args(cfg: LandingZoneConfig) -> OrganizationArgs:
    """What the Organization reads of the config; raises ScpTooLarge (also checked by `lz validate`)."""
    return OrganizationArgs(
        organization=cfg.organization, organizational_units=tuple(cfg.organizational_units),
        accounts=tuple(cfg.accounts), regions=tuple(cfg.regions), service_control_policies=scp_documents(cfg),
        resource_control_policies=functools.partial(rcp_documents, cfg),
        security_account=cfg.account_with_role("security").name,
        delegated_principals=delegated_principals(cfg.security),
        organization_policies=tuple(organization_policies(cfg)), enabled_policy_types=tuple(enabled_policy_types(cfg)),
        deny_all_scp=deny_all_scp(cfg))


class Organization(Component[OrganizationArgs]):
    """The organization and every account of the config, with a provider per account x region.

    Results: `accounts` (name -> AccountContext, home and DR region providers), `management` (the management
    account's handle, its providers run without assuming a role), `root_id`, `ou_ids` (name -> id),
    `policies` (SCP name -> Policy).
    """

    TOKEN = "organization:Organization"

    def __init__(self, name: str, args: OrganizationArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        org = args.organization
        regions = list(args.regions)
        home = org.home_region
        # The home-region provider first: it enables the management account's own opt-in regions (standalone, no
        # account id: components/regions.py), and the management providers there wait for that.
        mgmt_providers = management_providers(org, [home], self.child)
        self.regions_enabled: dict[tuple[str, str], aws.account.Region] = {}
        self._enable_regions("management", None, [r for r in regions if r != home],
                             pulumi.ResourceOptions(provider=mgmt_providers[home], parent=self))
        mgmt_providers |= management_providers(org, [r for r in regions if r != home], self.child,
                                               ready=self._ready("management"))
        self.management = AccountContext(management_account(org), org.management_account_id, mgmt_providers)

        self.organization = aws.organizations.Organization(
            "organization",
            feature_set="ALL",
            # every policy type the program attaches, enabled on the root before any attachment (AWS refuses it
            # otherwise): SCPs, the data-perimeter RCP, and the management policies of organization.policies
            enabled_policy_types=list(args.enabled_policy_types),
            aws_service_access_principals=sorted(service_access_principals(org)),
            opts=self._in_management(protect=True),
        )
        self.root_id = self.organization.roots[0].id
        self.ou_ids = self._organizational_units()
        in_org = functools.partial(self._in_management, depends_on=[self.organization])
        if org.policies.suspended_ou:
            self.ou_ids[org.policies.suspended_ou] = suspended_ou(
                org.policies.suspended_ou, org.name, args.deny_all_scp, self.root_id, org.tags, in_org).id
        self.accounts = {a.name: self._account(a) for a in args.accounts}
        self.policies = self._service_control_policies()
        self.resource_control_policies = self._resource_control_policies()
        self.delegated_admins = self._delegated_administrators()
        self.organization_policies = attach_organization_policies(org.name, list(args.organization_policies),
                                                                  self.root_id, in_org)
        if org.policies.root_access_management:
            self.root_access = centralized_root_access(in_org())
        # RAM shares to the organization (the Transit Gateway) need sharing enabled once, in the management account
        self.ram_sharing = aws.ram.SharingWithOrganization("organization-ram-sharing",
                                                           opts=self._in_management(depends_on=[self.organization]))
        self.register_outputs({
            "organizationId": self.organization.id,
            "rootId": self.root_id,
            "accountIds": {n: a.account_id for n, a in self.accounts.items()},
            "organizationalUnitIds": self.ou_ids,
        })  # fmt: skip

    def _in_management(self, **kwargs) -> pulumi.ResourceOptions:
        """Organizations calls run in the management account, through its home-region provider."""
        return self.management.opts(self.args.organization.home_region, parent=self, **kwargs)

    # --- OUs and accounts ------------------------------------------------------------------------------------------

    def _organizational_units(self) -> dict[str, pulumi.Output[str]]:
        ids: dict[str, pulumi.Output[str]] = {}
        for ou in ou_order(list(self.args.organizational_units)):
            parent_id = ids[ou.parent] if ou.parent else self.root_id
            ids[ou.name] = aws.organizations.OrganizationalUnit(
                f"organization-ou-{ou_slug(ou.name)}", name=ou.name, parent_id=parent_id,
                tags={**self.args.organization.tags, "managed-by": "landing-zone"},
                opts=self._in_management(),
            ).id
        return ids

    def _account(self, account: Account) -> AccountContext:
        org = self.args.organization
        if account.account_id:  # adopted: it exists and stays where it is; the program only works inside it
            account_id: pulumi.Input[str] = account.account_id
        else:
            account_id = aws.organizations.Account(
                f"account-{account.name}",
                name=f"{org.name}-{account.name}",
                email=account.email,
                parent_id=self.ou_ids[org.policies.suspended_ou if account.state == "suspended" else account.ou],
                role_name=org.access_role_name,
                close_on_deletion=False,
                iam_user_access_to_billing="ALLOW",
                tags={**org.tags, "environment": account.environment, "account": account.name, "managed-by": "landing-zone"},
                # AWS never reports role_name back, and billing access can only be set at creation (LZA does the same)
                opts=self._in_management(protect=True, retain_on_delete=True,
                                         ignore_changes=["roleName", "iamUserAccessToBilling"]),
            ).id
        # EnableRegion for a member needs trusted access for account.amazonaws.com: after the organization
        regions = list(self.args.regions)
        self._enable_regions(account.name, account_id, regions, self._in_management(depends_on=[self.organization]))
        providers = account_providers(account, account_id, org, regions, self.child, ready=self._ready(account.name))
        return AccountContext(account, account_id, providers)

    def _enable_regions(self, account: str, account_id: pulumi.Input[str] | None, regions: list[str],
                        opts: pulumi.ResourceOptions) -> None:
        for region, enabled in enable_opt_in_regions(account, account_id, regions, opts).items():
            self.regions_enabled[(account, region)] = enabled

    def _ready(self, account: str) -> dict[str, pulumi.Resource]:
        """region -> what the account's provider there waits for (the opt-in region's enablement)."""
        return {region: res for (name, region), res in self.regions_enabled.items() if name == account}

    # --- SCPs ------------------------------------------------------------------------------------------------------

    def _service_control_policies(self) -> dict[str, aws.organizations.Policy]:
        org = self.args.organization
        policies = {
            name: aws.organizations.Policy(
                f"organization-scp-{name}", name=f"{org.name}-{name}", description=DESCRIPTIONS[name],
                type="SERVICE_CONTROL_POLICY", content=content, opts=self._in_management(depends_on=[self.organization]),
            )
            for name, content in self.args.service_control_policies.items()
        }
        targets = [("root", self.root_id, org.scps)]
        targets += [(f"ou-{ou_slug(ou.name)}", self.ou_ids[ou.name], ou.scps) for ou in self.args.organizational_units]
        for target, target_id, names in targets:
            for scp in names:
                aws.organizations.PolicyAttachment(
                    f"organization-scp-{scp}-{target}", policy_id=policies[scp].id, target_id=target_id,
                    opts=self._in_management(),
                )
        return policies

    def _resource_control_policies(self) -> dict[str, aws.organizations.Policy]:
        """RCPs at the root: every member account (RCPs never apply to the management account). AWS refuses an RCP
        attachment until the root has the RESOURCE_CONTROL_POLICY type enabled, which the Organization resource does."""
        opts = self._in_management(depends_on=[self.organization])
        documents = self.organization.id.apply(self.args.resource_control_policies)
        policies = {}
        for name, description in RCP_DESCRIPTIONS.items():
            policies[name] = aws.organizations.Policy(
                f"organization-rcp-{name}", name=f"{self.args.organization.name}-{name}", description=description,
                type="RESOURCE_CONTROL_POLICY", content=documents.apply(lambda docs, n=name: docs[n]), opts=opts)
            aws.organizations.PolicyAttachment(f"organization-rcp-{name}-root", policy_id=policies[name].id,
                                               target_id=self.root_id, opts=opts)
        return policies

    # --- delegated administration to the security account -------------------------------------------------------
    # Organization-wide (global) delegations live here; the regional ones (GuardDuty, Security Hub, Inspector) are
    # made by components/security/ next to the management-account enablement each of them needs first.

    def _delegated_administrators(self) -> list[pulumi.Resource]:
        security_id = self.accounts[self.args.security_account].account_id
        return [
            aws.organizations.DelegatedAdministrator(
                f"organization-delegated-admin-{principal.split('.')[0]}", account_id=security_id,
                service_principal=principal, opts=self._in_management(depends_on=[self.organization]))
            for principal in self.args.delegated_principals
        ]
