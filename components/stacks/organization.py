"""The organization stack (split mode, layer 0): Organizations, OUs, accounts, SCPs and RCPs, delegated
administrators, Identity Center, the organization-wide security services, budgets, and the baselines of the accounts
no other stack owns (management, log archive, security). Its `lz_organization` output is what the others read.
"""

from __future__ import annotations

from components.contract import ContractSources, export_contract
from components.identity import Identity, identity_args
from components.organization import Organization, organization_args
from components.security import SecurityBaseline, SecurityBaselineArgs
from components.stacks.outputs import export_organization
from components.stacks.single import baseline, budgets
from landing_zone.models import LandingZoneConfig

OWN_ROLES = ("log-archive", "security")  # the core accounts whose baseline lives here (network: the network stack)


def build(cfg: LandingZoneConfig) -> None:
    organization = Organization("organization", organization_args(cfg))
    accounts, management = organization.accounts, organization.management
    security = SecurityBaseline("security", SecurityBaselineArgs.from_config(
        cfg, accounts, management, organization.root_id,
        org_ready=(organization.organization, *organization.delegated_admins)))
    own = {a.name: accounts[a.name] for a in cfg.accounts if a.role in OWN_ROLES}
    for account in [management, *own.values()]:
        baseline(cfg, account)
    Identity("identity", identity_args(cfg, management, accounts))
    budgets(cfg, management, accounts)
    export_organization(organization, security)
    export_contract(ContractSources(
        cfg=cfg, accounts=own, log_archive=security.log_archive, trail_arn=security.trail_arn,
        security_alarm_topic_arn=security.alarm_topic_arn))
