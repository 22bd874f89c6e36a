"""Workload components planned under the shared recording mocks, from handles alone (no organization, no network):
providers from components.providers, fake VPC handles, literal KMS ARNs and security group ids.

- `stack_plan(stack)`: every component of every account of a sample stack, each alone from small typed args, the way
  its piece builds it (test_workloads_edge/ops/compute/data.py);
- `workloads_plan(stack, variant)`: the Workloads composites (build_workloads over the same stand-in handles), for
  what only the composite does: the app security group, DR keys, its outputs, alarms gathered from every piece; a
  variant is a typed edit of the stack's config (VARIANTS).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path

import pulumi
from component_plans import plan_program
from stack_plans import of_type  # noqa: F401  (tests read it as h.of_type)

from components.context import AccountContext, LogArchive, VpcHandle
from components.organization import management_account
from components.providers import management_providers
from components.workloads import build_workloads
from components.workloads.alarms import Watch
from components.workloads.aurora import AuroraArgs, AuroraCluster
from components.workloads.backup import Backup, BackupArgs, copy_to_dr_enabled
from components.workloads.cache import RedisArgs, RedisCache
from components.workloads.data_hosts import PIECE as data_hosts_piece
from components.workloads.data_hosts import DataHosts, DataHostsArgs
from components.workloads.ecr import Repositories, RepositoriesArgs
from components.workloads.ecs import EcsArgs, EcsCluster
from components.workloads.edge import PIECE as edge_piece
from components.workloads.edge import Edge, EdgeArgs
from components.workloads.edge_dns import EdgeDns
from components.workloads.eks import EksArgs, EksCluster
from components.workloads.kms import WorkloadKeys, WorkloadKeysArgs
from components.workloads.monitoring import Monitoring, MonitoringArgs
from components.workloads.patching import Patching, PatchingArgs
from components.workloads.queues import Queues, QueuesArgs
from landing_zone.client_vpn import client_vpn_source_cidrs
from landing_zone.config import load_stack
from landing_zone.dr_rules import dr_wanted
from landing_zone.mocks import fake_account_id
from landing_zone.models import LandingZoneConfig
from landing_zone.promotion import WRITE_PROTECTED_ENVIRONMENTS, image_writers
from landing_zone.wire import is_secret

REPO_ROOT = Path(__file__).resolve().parents[2]
LOG_ARCHIVE = LogArchive(bucket_name="lz-log-archive-111111111111", bucket_arn="arn:aws:s3:::lz-log-archive-111111111111",
                         kms_key_arn="arn:aws:kms:ap-south-1:111111111111:key/00000000-0000-4000-8000-00000000000a",
                         elb_logs_bucket_by_region={r: f"lz-log-archive-elb-111111111111-{r}"
                                                    for r in ("ap-south-1", "ap-south-2")})


def key_arn(account: AccountContext | str, region: str, purpose: str) -> str:
    account_id = account if isinstance(account, str) else account.account_id
    return f"arn:aws:kms:{region}:{account_id}:key/{purpose}-0000-4000-8000-000000000000"


def app_sg(account: AccountContext | str) -> str:
    """The stand-in application-tier security group id of an account."""
    return f"sg-{account if isinstance(account, str) else account.name}-app"


def vpc_handle(account: AccountContext, region: str, azs: int, admin_sg: str | None = None) -> VpcHandle:
    def subnets(tier: str) -> list[str]:
        return [f"subnet-{account.name}-{tier}-{az}" for az in range(azs)]

    return VpcHandle(account=account.name, region=region, cidr=account.config.vpcs[region].cidr,
                     vpc_id=f"vpc-{account.name}", subnet_ids={t: subnets(t) for t in ("public", "private", "data")},
                     admin_security_group_id=admin_sg)


def edge_dns(cfg: LandingZoneConfig) -> EdgeDns:
    """The stack's public zone, written through the management account's provider (as build_workloads does)."""
    providers = management_providers(cfg.organization, [cfg.organization.home_region])
    return EdgeDns(zone_id=cfg.network.dns.zone_id, zone_name=cfg.network.dns.zone_name,
                   owner_provider=providers[cfg.organization.home_region])


def build_account(cfg: LandingZoneConfig, account: AccountContext, dns: EdgeDns | None = None) -> None:
    """The edge and ops components of one account (home region) from their typed args, as the pieces build them."""
    w, region = account.config.workloads, cfg.organization.home_region
    if region not in account.config.vpcs:
        return
    at = {"account": account, "region": region}
    vpc = vpc_handle(account, region, account.config.vpcs[region].azs)
    app = app_sg(account)
    data_key, logs_key = key_arn(account, region, "data"), key_arn(account, region, "logs")
    retention = cfg.security.log_retention_days
    build_data(cfg, account, vpc)
    watch = Watch()
    edge = None
    if w.edge:
        ports = sorted({s.port for s in (w.ecs.services if w.ecs else [])}) or [8080]
        edge = Edge(account.resource_name(region, "edge"), EdgeArgs(
            **at, vpc=vpc, config=w.edge, log_archive=LOG_ARCHIVE, app_security_group_id=app, target_ports=ports,
            logs_key_arn=logs_key, log_retention_days=retention, dns=dns))
        watch += edge_piece.watch(None, edge)
    build_compute(cfg, account, vpc, edge)
    arns: list = []
    if w.data_hosts:
        admin_cidr = cfg.network.client_vpn.cidr if cfg.network.client_vpn else None
        hosts = DataHosts(account.resource_name(region, "data-hosts"), DataHostsArgs(
            **at, vpc=vpc, hosts=tuple(w.data_hosts), app_security_group_id=app, data_key_arn=data_key,
            admin_cidr=admin_cidr, admin_ports=cfg.network.admin_ports))
        arns = hosts.data_volume_arns + hosts.instance_arns
        watch += data_hosts_piece.watch(None, hosts)
    if w.backup:
        dr = cfg.organization.dr_region if copy_to_dr_enabled(w.backup, account.environment) else None
        Backup(account.resource_name(region, "backup"), BackupArgs(
            **at, config=w.backup, backup_key_arn=key_arn(account, region, "backup"), data_key_arn=data_key,
            dr_region=dr, dr_backup_key_arn=key_arn(account, dr, "backup") if dr else None,
            resource_arns=tuple(arns)))
    if w.patching:
        Patching(account.resource_name(region, "patching"), PatchingArgs(
            **at, config=w.patching, operating_systems=tuple(sorted({"amazon-linux", *(h.os for h in w.data_hosts)}))))
    if w.monitoring:
        Monitoring(account.resource_name(region, "monitoring"), MonitoringArgs(
            **at, config=w.monitoring, alarm_email=cfg.security.alarm_email, data_key_arn=data_key, watch=watch,
            logs_key_arn=logs_key, log_retention_days=retention))


def build_data(cfg: LandingZoneConfig, account: AccountContext, vpc: VpcHandle) -> None:
    """The account's CMKs, Aurora (a global database when the account wants a DR replica), Redis and queues."""
    w, region = account.config.workloads, vpc.region
    at = {"account": account, "region": region}
    data_key = key_arn(account, region, "data")
    WorkloadKeys(account.resource_name(region, "keys"), WorkloadKeysArgs(
        **at, admin_role_name=cfg.organization.access_role_name, tracing=bool(w.ecs and w.ecs.tracing.enabled)))
    if w.aurora:
        dr = cfg.organization.dr_region
        with_dr = dr_wanted(cfg, account.config, account.regions)[0] and dr in account.config.vpcs
        dr_vpc = vpc_handle(account, dr, account.config.vpcs[dr].azs) if with_dr else None
        AuroraCluster(account.resource_name(region, "aurora-db"), AuroraArgs(
            **at, config=w.aurora, vpc=vpc, app_security_group_id=app_sg(account), data_key_arn=data_key,
            dr_vpc=dr_vpc, dr_data_key_arn=key_arn(account, dr, "data") if with_dr else None))
    if w.redis:
        RedisCache(account.resource_name(region, "redis-cache"), RedisArgs(
            **at, config=w.redis, vpc=vpc, app_security_group_id=app_sg(account), data_key_arn=data_key,
            logs_key_arn=key_arn(account, region, "logs"), log_retention_days=cfg.security.log_retention_days))
    if w.queues:
        Queues(account.resource_name(region, "queues"), QueuesArgs(**at, queues=tuple(w.queues), kms_key_arn=data_key))


def build_compute(cfg: LandingZoneConfig, account: AccountContext, vpc: VpcHandle, edge: Edge | None) -> None:
    """ECR + ECS (behind the edge when there is one) or EKS."""
    w, region = account.config.workloads, vpc.region
    at = {"account": account, "region": region}
    data_key, logs_key = key_arn(account, region, "data"), key_arn(account, region, "logs")
    if w.ecs:
        writers = {}
        if account.environment in WRITE_PROTECTED_ENVIRONMENTS:
            writers = {s.name: (*image_writers(account.config, s.name), cfg.organization.access_role_name)
                       for s in w.ecs.services}
        repositories = Repositories(account.resource_name(region, "ecr"), RepositoriesArgs(
            **at, services=tuple(s.name for s in w.ecs.services), kms_key_arn=data_key, writers=writers))
        EcsCluster(account.resource_name(region, "ecs-fargate"), EcsArgs(
            **at, config=w.ecs, vpc=vpc, app_security_group_id=app_sg(account), repository_urls=repositories.urls,
            repository_arns=repositories.arns, data_key_arn=data_key, logs_key_arn=logs_key,
            log_retention_days=cfg.security.log_retention_days,
            https_listener_arn=edge.https_listener_arn if edge else None))
    if w.eks:
        EksCluster(account.resource_name(region, "eks-cluster"), EksArgs(
            **at, config=w.eks, vpc=vpc, app_security_group_id=app_sg(account), data_key_arn=data_key,
            admin_cidrs=client_vpn_source_cidrs(cfg)))


def program(stack: str) -> None:
    cfg = load_stack(stack, REPO_ROOT)
    dns = edge_dns(cfg) if cfg.network.dns else None
    for account_cfg in cfg.accounts:
        if account_cfg.role != "workload":
            continue
        account_id = fake_account_id(account_cfg.name)
        account = AccountContext.from_account_id(account_cfg, account_id, cfg.organization, cfg.regions)
        build_account(cfg, account, dns)
    pulumi.export("stack", stack)


def run(build, stack: str = "test") -> dict:
    """Plan a callable under the shared recording mocks and return the plan JSON."""
    return plan_program(build, stack=stack).plan


@functools.cache
def stack_plan(stack: str) -> dict:
    return run(lambda: program(stack), stack)


# --- the composite -------------------------------------------------------------------------------------------------


def workloads_program(cfg: LandingZoneConfig) -> None:
    """Every account's Workloads composite over stand-in handles; exports each composite's `exports()`."""
    org = cfg.organization
    accounts = {a.name: AccountContext.from_account_id(a, fake_account_id(a.name), org, cfg.regions)
                for a in cfg.accounts}
    vpcs = {(a.name, region): vpc_handle(accounts[a.name], region, v.azs)
            for a in cfg.accounts for region, v in a.vpcs.items()}
    management = AccountContext(management_account(org), org.management_account_id,
                                management_providers(org, cfg.regions))
    built = build_workloads(cfg, accounts, vpcs, LOG_ARCHIVE, management)
    pulumi.export("workloads", {name: w.exports() for name, w in built.items()})


def account_workloads(cfg: LandingZoneConfig, name: str) -> dict:
    """A mutable copy of one account's `workloads` config, for a variant to edit."""
    return cfg.account(name).workloads.model_dump(exclude_unset=True)


def with_workloads(cfg: LandingZoneConfig, edits: dict[str, dict | None]) -> LandingZoneConfig:
    """The config with some accounts' `workloads` replaced (None: the account runs nothing), validated again."""
    data = cfg.model_dump(exclude_unset=True)
    for account in data["accounts"]:
        if account["name"] in edits:
            account.pop("workloads", None)
            if edits[account["name"]] is not None:
                account["workloads"] = edits[account["name"]]
    return LandingZoneConfig.model_validate(data)


def _eks_instead_of_ecs(cfg: LandingZoneConfig) -> LandingZoneConfig:
    w = account_workloads(cfg, "nonprod-apps")
    w.pop("ecs")
    w["eks"] = {"node_groups": [{"name": "apps", "instance_types": ["t3.large"], "min_size": 1, "max_size": 3,
                                 "desired_size": 1}]}
    for repository in w["deployment"]["repositories"]:  # on EKS a repository deploys to its namespace
        repository.pop("services", None)
    return with_workloads(cfg, {"nonprod-apps": w})


def _no_data_hosts(cfg: LandingZoneConfig) -> LandingZoneConfig:
    edits = {}
    for a in cfg.accounts:
        w = account_workloads(cfg, a.name)
        if w.pop("data_hosts", None) is not None:
            edits[a.name] = w
    return with_workloads(cfg, edits)


def _images_published(cfg: LandingZoneConfig) -> LandingZoneConfig:
    """The pipeline has pushed an image for every service of prod-apps and the config names its tag."""
    w = account_workloads(cfg, "prod-apps")
    for service in w["ecs"]["services"]:
        service["image_tag"] = "1.4.2"
    return with_workloads(cfg, {"prod-apps": w})


def _eks_admins(cfg: LandingZoneConfig) -> LandingZoneConfig:
    """Identity Center's administrator role, provisioned by an earlier run, given cluster admin by its exact ARN."""
    w = account_workloads(cfg, "prod-data")
    w["eks"]["admin_role_arns"] = [
        "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/ap-south-1/AWSReservedSSO_AdministratorAccess_0a1b2c3d4e5f6a7b"]
    return with_workloads(cfg, {"prod-data": w})


def _dr(strategy: str, **target) -> Callable[[LandingZoneConfig], LandingZoneConfig]:
    """prod-apps with published images (the DR services run only what can be pulled) and another DR target."""
    def edit(cfg: LandingZoneConfig) -> LandingZoneConfig:
        data = _images_published(cfg).model_dump(exclude_unset=True)
        account = next(a for a in data["accounts"] if a["name"] == "prod-apps")
        account["dr"] = {"strategy": strategy, "rto_minutes": 60, "rpo_minutes": 60, "rebuilt_empty": ["redis"],
                         **target}
        return LandingZoneConfig.model_validate(data)
    return edit


def _secrets_created(cfg: LandingZoneConfig) -> LandingZoneConfig:
    """prod-apps creates los-api/db itself (not external), rotated by the app team's function."""
    w = account_workloads(cfg, "prod-apps")
    w["ecs"]["external_secrets"] = []
    w["ecs"]["secret_rotation_lambda_arn"] = "arn:aws:lambda:ap-south-1:111111111111:function:los-db-rotation"
    return with_workloads(cfg, {"prod-apps": w})


VARIANTS: dict[str, Callable[[LandingZoneConfig], LandingZoneConfig]] = {
    "prod-apps-secrets-created": _secrets_created,
    "prod-apps-pilot-light": _dr("pilot-light"),
    "prod-apps-warm-standby-2": _dr("warm-standby", standby_tasks=2),
    "prod-apps-pilot-light-redis-global": _dr("pilot-light", rebuilt_empty=[]),
    "prod-apps-backup-restore": _dr("backup-restore", rto_minutes=480, rpo_minutes=1680),
    "prod-data-without-workloads": lambda cfg: with_workloads(cfg, {"prod-data": None}),
    "nonprod-apps-on-eks": _eks_instead_of_ecs,
    "no-data-hosts": _no_data_hosts,
    "prod-apps-images-published": _images_published,
    "prod-data-eks-admins": _eks_admins,
}


def workloads_config(stack: str, variant: str | None = None) -> LandingZoneConfig:
    cfg = load_stack(stack, REPO_ROOT)
    return VARIANTS[variant](cfg) if variant else cfg


@functools.cache
def workloads_plan(stack: str, variant: str | None = None) -> dict:
    cfg = workloads_config(stack, variant)
    return run(lambda: workloads_program(cfg), stack)


# --- reading plans ---------------------------------------------------------------------------------------------------


def named(p: dict, name: str) -> dict:
    found = [r for r in p["resources"] if r["name"] == name]
    assert len(found) == 1, f"expected one resource named {name}, found {len(found)}"
    return found[0]


def by_prefix(p: dict, type_token: str, account: str | None = None) -> list[dict]:
    """Resources of a type, optionally only those named `<account>-...`."""
    return [r for r in p["resources"] if r["type"] == type_token
            and (account is None or r["name"].startswith(f"{account}-"))]


def account_names(p: dict, type_token: str) -> set[str]:
    """Accounts (by the `<account>-<region>-` name prefix) that have a resource of the type."""
    return {r["name"].split("-ap-")[0] for r in by_prefix(p, type_token)}


def doc(value) -> dict | list:
    return json.loads(value) if isinstance(value, str) else value


def secret_value(value):
    assert is_secret(value), f"expected a secret, got {value!r}"
    return value["value"]
