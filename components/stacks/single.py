"""Single mode: the whole organization in one stack (the default; the seeds' organizations are this size).

config -> organization -> security baseline -> network -> workloads -> contract outputs. Split mode builds the same
components in several stacks (components/stacks/__init__.py).
"""

from __future__ import annotations

from components.baseline import AccountBaseline, AccountBaselineArgs
from components.budgets import Budgets, BudgetsArgs
from components.context import AccountContext, LogArchive, VpcHandle
from components.contract import ContractSources, export_contract
from components.deployment import build_deployment_roles
from components.identity import Identity, identity_args
from components.network import build_network
from components.organization import Organization, organization_args
from components.security import SecurityBaseline, SecurityBaselineArgs
from components.workloads import Workloads, build_workloads
from landing_zone.models import LandingZoneConfig


def build(cfg: LandingZoneConfig) -> None:
    # --- organization, accounts, providers, SCPs, identity, security baseline ---
    organization = Organization("organization", organization_args(cfg))
    accounts: dict[str, AccountContext] = organization.accounts  # every config account: id + provider per region
    management: AccountContext = organization.management  # the management account (runs the program, no role assumed)
    security_baseline = SecurityBaseline("security", SecurityBaselineArgs.from_config(
        cfg, accounts, management, organization.root_id,
        org_ready=(organization.organization, *organization.delegated_admins)))
    log_archive: LogArchive = security_baseline.log_archive
    for account in [management, *accounts.values()]:
        baseline(cfg, account)
    Identity("identity", identity_args(cfg, management, accounts))

    # --- network: Transit Gateway hubs, spoke VPCs, hybrid connectivity ---
    # Hubs (TGW + segment tables + RAM share) per region, a spoke VPC per account x region, VPN / Direct Connect /
    # Client VPN, DR peering, and the segment routing derived from network.reachability.
    network = build_network(cfg, accounts, log_archive, organization.organization.arn,
                            sharing_enabled=[organization.ram_sharing], alarm_bus=security_baseline.alarm_bus)
    vpcs: dict[tuple[str, str], VpcHandle] = network.vpcs  # (account, region) -> what workloads need of their VPC

    # --- workloads per account ---
    # Per workload account with a `workloads` block: its CMKs and app-tier SG first, then edge, ECS/EKS, Aurora,
    # Redis, SQS, data hosts, backup, patching and monitoring, in the account's home-region VPC (DR-region VPC for
    # replicas).
    workloads: dict[str, Workloads] = build_workloads(cfg, accounts, vpcs, log_archive, management)
    budgets(cfg, management, accounts)

    # --- contract outputs for app teams ---
    # A deployment role (CI OIDC, least privilege) per repository of each workload account with
    # `workloads.deployment`, then the stack outputs app teams read through landing_zone.contract (typed, versioned;
    # kubeconfigs as a separate secret output), also published to each deployable account's Parameter Store.
    deployment_roles = build_deployment_roles(cfg, accounts, workloads)
    export_contract(ContractSources(
        cfg=cfg, accounts=accounts, log_archive=log_archive, trail_arn=security_baseline.trail_arn,
        security_alarm_topic_arn=security_baseline.alarm_topic_arn, vpcs=vpcs, network=network, workloads=workloads,
        deployment_role_arns={name: role.role_arn for name, role in deployment_roles.items()},
        repository_role_arns={name: role.role_arns for name, role in deployment_roles.items()}))


def baseline(cfg: LandingZoneConfig, account: AccountContext) -> AccountBaseline:
    """The account's own baseline (password policy, EBS encryption, S3 public access block, ...)."""
    return AccountBaseline(f"{account.name}-baseline", AccountBaselineArgs(
        account=account, region=cfg.organization.home_region, security_contact=cfg.security.security_contact,
        access_analyzer=cfg.security.access_analyzer, organization=cfg.organization,
        session_manager=cfg.security.session_manager, log_retention_days=cfg.security.log_retention_days,
        # a declarative policy owns the IMDS defaults: the account-level API then refuses any change
        imds_defaults=not cfg.organization.policies.ec2_declarative_policy))


def budgets(cfg: LandingZoneConfig, management: AccountContext, members: dict[str, AccountContext]) -> Budgets:
    """landing-zone:cost budgets and cost anomaly alerts, from the management account."""
    return Budgets("budgets", BudgetsArgs(
        account=management, region=cfg.organization.home_region, members=tuple(members.values()), cost=cfg.cost,
        alarm_email=cfg.security.alarm_email))
