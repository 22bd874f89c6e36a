"""A small program that builds the edge/ops workload components for every account of a stack, the way the
Workloads composite calls them, from handles alone (no organization, no network): providers from
components.providers, fake VPC handles, literal KMS ARNs. Planned once per stack under the shared recording mocks.

Used by test_workloads_edge.py and test_workloads_ops.py: each component alone, from small typed args.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pulumi
from stack_plans import of_type  # noqa: F401  (tests read it as h.of_type)

from components.context import AccountContext, LogArchive, VpcHandle
from components.providers import management_providers
from components.workloads.alarms import Watch
from components.workloads.backup import Backup, BackupArgs, copy_to_dr_enabled
from components.workloads.data_hosts import PIECE as data_hosts_piece
from components.workloads.data_hosts import DataHosts, DataHostsArgs
from components.workloads.edge import PIECE as edge_piece
from components.workloads.edge import Edge, EdgeArgs
from components.workloads.edge_dns import EdgeDns
from components.workloads.monitoring import Monitoring, MonitoringArgs
from components.workloads.patching import Patching, PatchingArgs
from landing_zone import plan as plan_mod
from landing_zone.config import load_stack
from landing_zone.mocks import fake_account_id
from landing_zone.models import LandingZoneConfig

REPO_ROOT = Path(__file__).resolve().parents[2]
LOG_ARCHIVE = LogArchive(bucket_name="lz-log-archive-111111111111", bucket_arn="arn:aws:s3:::lz-log-archive-111111111111",
                         kms_key_arn="arn:aws:kms:ap-south-1:111111111111:key/00000000-0000-4000-8000-00000000000a",
                         elb_logs_bucket_by_region={"ap-south-1": "lz-log-archive-elb-111111111111-ap-south-1"})


def key_arn(account: AccountContext | str, region: str, purpose: str) -> str:
    account_id = account if isinstance(account, str) else account.account_id
    return f"arn:aws:kms:{region}:{account_id}:key/{purpose}-0000-4000-8000-000000000000"


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
    app_sg = f"sg-{account.name}-app"
    data_key, logs_key = key_arn(account, region, "data"), key_arn(account, region, "logs")
    retention = cfg.security.log_retention_days
    watch = Watch()
    if w.edge:
        ports = sorted({s.port for s in (w.ecs.services if w.ecs else [])}) or [8080]
        edge = Edge(account.resource_name(region, "edge"), EdgeArgs(
            **at, vpc=vpc, config=w.edge, log_archive=LOG_ARCHIVE, app_security_group_id=app_sg, target_ports=ports,
            logs_key_arn=logs_key, log_retention_days=retention, dns=dns))
        watch += edge_piece.watch(None, edge)
    arns: list = []
    if w.data_hosts:
        admin_cidr = cfg.network.client_vpn.cidr if cfg.network.client_vpn else None
        hosts = DataHosts(account.resource_name(region, "data-hosts"), DataHostsArgs(
            **at, vpc=vpc, hosts=tuple(w.data_hosts), app_security_group_id=app_sg, data_key_arn=data_key,
            admin_cidr=admin_cidr))
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
    config = plan_mod.encode_config({"aws:region": "ap-south-1"})
    monitor = plan_mod.run_program(build, stack, config, [])
    return plan_mod.build_plan(monitor)


@functools.cache
def stack_plan(stack: str) -> dict:
    return run(lambda: program(stack), stack)


