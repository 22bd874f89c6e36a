"""The workloads of one account, composed from its `workloads` config block.

Every kind of workload is a piece (components/workloads/registry.py), declared once next to its component: its
config field, how it is built, its outputs, its contract fragment, its alarms and its backup targets. `PIECES` is the
order they are built in, and it matters: the account's CMKs and the application-tier security group come first
(every piece encrypts with the keys, and the data stores admit only the app SG), then the edge (services attach to
its listener), the data stores and queues, compute (ECR + ECS after the edge, or EKS), data hosts, and finally
backup, patching and monitoring, which protect and watch what the pieces before them declare.

Adding a piece: write its component and `PIECE` in a module here, add the config field to
landing_zone.models.Workloads and its contract keys to landing_zone.contract.Workloads, and list it in `PIECES`.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components.base import AccountComponent
from components.context import AccountContext, LogArchive, VpcHandle
from components.workloads import (
    aurora,
    backup,
    cache,
    cache_global,
    data_hosts,
    ecr,
    ecs,
    edge,
    eks,
    monitoring,
    patching,
    queues,
)
from components.workloads.ecr import Repositories
from components.workloads.ecs import EcsCluster
from components.workloads.edge_dns import EdgeDns
from components.workloads.eks import EksCluster
from components.workloads.kms import WorkloadKeys, WorkloadKeysArgs
from components.workloads.monitoring import Monitoring
from components.workloads.registry import BuildContext, Piece, WorkloadsArgs, build_pieces
from landing_zone.client_vpn import client_vpn_source_cidrs
from landing_zone.dr_rules import dr_wanted, redis_dr_wanted, standby_tasks
from landing_zone.models import LandingZoneConfig
from landing_zone.models import Workloads as WorkloadsConfig

PIECES: tuple[Piece, ...] = (
    edge.PIECE, aurora.PIECE, cache.PIECE, queues.PIECE, ecr.PIECE, ecs.PIECE, eks.PIECE, data_hosts.PIECE,
    backup.PIECE, patching.PIECE, monitoring.PIECE,
)
# What DR compute (pilot-light, warm-standby) builds in the DR region, through a BuildContext there: the edge (its
# record the SECONDARY of the public name), the repositories replicated from home, the ECS services at the standby's
# task count, the Redis global datastore's secondary (unless rebuilt empty), and Monitoring, which alarms on those in
# the DR region (an alarm notifies only a topic of its own region). Aurora's global secondary and AWS Backup's copies
# are their home pieces' business.
DR_PIECES: tuple[Piece, ...] = (edge.PIECE, ecr.DR_PIECE, ecs.PIECE, cache_global.DR_PIECE, monitoring.PIECE)
DR_KEY_PREFIX = "dr-"  # kms_key_arns: the DR region's keys are `dr-<purpose>`


class Workloads(AccountComponent[WorkloadsArgs]):
    """Everything an account runs. Typed attributes: kms_key_arns (purpose -> ARN; DR keys as `dr-<purpose>`),
    app_security_group_id, and `pieces` (piece name -> component: what the config asks for, in build order).
    `exports()` (its registered outputs) and `contract_fragment()` read the pieces' declarations."""

    TOKEN = "workloads:Workloads"

    def __init__(self, name: str, args: WorkloadsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        wl: WorkloadsConfig = args.account.config.workloads
        if wl.needs_vpc() and args.vpc is None:
            raise ValueError(f"accounts[{args.account.name}].vpcs: the workloads need a VPC in the home region "
                             f"{args.region}")
        self._keys(args.aurora_dr and args.dr_vpc is not None or args.backup_dr or args.standby_tasks is not None)
        self.app_security_group_id = (self._app_security_group(args.region, args.vpc, bool(wl.eks))
                                      if wl.needs_vpc() else None)
        self._pieces = PIECES
        self.pieces = build_pieces(self._pieces, BuildContext(
            args=args, region=args.region, vpc=args.vpc, parent=self,
            keys={p: arn for p, arn in self.kms_key_arns.items() if not p.startswith(DR_KEY_PREFIX)},
            dr_keys={p.removeprefix(DR_KEY_PREFIX): arn for p, arn in self.kms_key_arns.items()
                     if p.startswith(DR_KEY_PREFIX)},
            app_security_group_id=self.app_security_group_id))
        self.standby = self._standby() if args.standby_tasks is not None else {}
        self.register_outputs(self.exports())

    def built(self) -> list[tuple[Piece, Any]]:
        """(piece, component) of what this account runs, in build order."""
        return [(piece, self.pieces[piece.name]) for piece in self._pieces if piece.name in self.pieces]

    # The pieces other components read (deployment roles, the contract); any piece is in `pieces` by name.
    @property
    def repositories(self) -> Repositories | None:
        return self.pieces.get("repositories")

    @property
    def ecs(self) -> EcsCluster | None:
        return self.pieces.get("ecs")

    @property
    def eks(self) -> EksCluster | None:
        return self.pieces.get("eks")

    @property
    def monitoring(self) -> Monitoring | None:
        return self.pieces.get("monitoring")

    # --- what every piece uses ------------------------------------------------------------------------------------

    def _standby(self) -> dict[str, Any]:
        """The DR region's compute (DR_PIECES), in the DR VPC with its own application tier: piece name -> component."""
        args = self.args
        if args.dr_vpc is None:
            raise ValueError(f"accounts[{self.account.name}].vpcs: DR compute needs a VPC in {args.dr_region}")
        dr_keys = {p.removeprefix(DR_KEY_PREFIX): arn for p, arn in self.kms_key_arns.items()
                   if p.startswith(DR_KEY_PREFIX)}
        return build_pieces(DR_PIECES, BuildContext(
            args=args, region=args.dr_region, vpc=args.dr_vpc, parent=self, keys=dr_keys, standby=True, home=self.pieces,
            app_security_group_id=self._app_security_group(args.dr_region, args.dr_vpc, False)))

    def _keys(self, with_dr: bool) -> None:
        account, region, admin_role = self.account, self.region, self.args.key_admin_role
        wl = account.config.workloads
        tracing = bool(wl.ecs and wl.ecs.tracing.enabled)
        home = WorkloadKeys(account.resource_name(region, "keys"), WorkloadKeysArgs(
            account=account, region=region, admin_role_name=admin_role, tracing=tracing),
            pulumi.ResourceOptions(parent=self))
        self.kms_key_arns: dict[str, pulumi.Output[str]] = dict(home.arns)
        if with_dr:
            dr_region = self.args.dr_region
            # DR compute also writes logs there (ECS, WAF): the logs key too
            purposes = ("data", "logs", "backup") if self.args.standby_tasks is not None else ("data", "backup")
            dr = WorkloadKeys(account.resource_name(dr_region, "keys"), WorkloadKeysArgs(
                account=account, region=dr_region, purposes=purposes, admin_role_name=admin_role, tracing=tracing),
                pulumi.ResourceOptions(parent=self))
            self.kms_key_arns.update({f"{DR_KEY_PREFIX}{purpose}": arn for purpose, arn in dr.arns.items()})

    def _app_security_group(self, region: str, vpc: VpcHandle, eks: bool) -> pulumi.Output[str]:
        """The application tier of a region: ECS tasks and EKS nodes. Egress: HTTPS out (AWS APIs, NAT) and TCP
        inside the VPC (data stores, cluster peers); ingress is added by whoever fronts it (the edge piece, EKS)."""
        account = self.account
        opts = self.child_opts(region)
        sg = aws.ec2.SecurityGroup(
            account.resource_name(region, "app-sg"),
            vpc_id=vpc.vpc_id,
            description=f"Application tier of {account.name} (ECS tasks, EKS nodes)",
            tags={"tier": "app"},
            opts=opts,
        )
        aws.vpc.SecurityGroupEgressRule(
            account.resource_name(region, "app-egress-https"), security_group_id=sg.id, cidr_ipv4="0.0.0.0/0",
            ip_protocol="tcp", from_port=443, to_port=443,
            description="HTTPS to AWS APIs (endpoints or NAT) and external services", opts=opts)
        aws.vpc.SecurityGroupEgressRule(
            account.resource_name(region, "app-egress-vpc"), security_group_id=sg.id, cidr_ipv4=vpc.cidr,
            ip_protocol="tcp", from_port=0, to_port=65535,
            description="TCP inside the VPC: data stores and cluster peers", opts=opts)
        if eks:
            aws.vpc.SecurityGroupIngressRule(
                account.resource_name(region, "app-ingress-self"), security_group_id=sg.id,
                referenced_security_group_id=sg.id, ip_protocol="-1",
                description="node-to-node and pod-to-pod traffic inside the application tier", opts=opts)
        return sg.id

    # --- what app teams read --------------------------------------------------------------------------------------

    def exports(self) -> dict[str, Any]:
        """The account's workload outputs, flat and camelCase (the pieces' `outputs`). Secrets stay secrets."""
        out: dict[str, Any] = {"kmsKeyArns": self.kms_key_arns}
        if self.app_security_group_id is not None:
            out["appSecurityGroupId"] = self.app_security_group_id
        for piece, component in self.built():
            out.update(piece.outputs(component))
        return out

    def contract_fragment(self) -> dict[str, Any]:
        """The home region's `workloads` in the contract (landing_zone.contract.Workloads): the pieces' `contract`."""
        out: dict[str, Any] = {"app_security_group_id": self.app_security_group_id}
        for piece, component in self.built():
            out.update(piece.contract(component))
        return out


def dns_owner(cfg: LandingZoneConfig, accounts: dict[str, AccountContext],
              management: AccountContext | None) -> AccountContext | None:
    """The handle of the account owning network.dns's zone (validation ensures it is not created here)."""
    dns = cfg.network.dns
    if dns is None:
        return None
    if dns.account == "management":
        if management is None:
            raise ValueError("network.dns.account: management owns the zone, but no management account "
                             "handle was given to build_workloads")
        return management
    return accounts[dns.account]


def edge_zone(cfg: LandingZoneConfig, accounts: dict[str, AccountContext],
              management: AccountContext | None) -> EdgeDns | None:
    """network.dns's public zone and its owner's provider, when an account has an edge (None otherwise)."""
    owner = dns_owner(cfg, accounts, management) if any(a.workloads.edge for a in cfg.accounts) else None
    if owner is None:
        return None
    home = cfg.organization.home_region
    return EdgeDns(zone_id=cfg.network.dns.zone_id, zone_name=cfg.network.dns.zone_name,
                   owner_provider=owner.providers[home])


def workloads_args(cfg: LandingZoneConfig, account: AccountContext, vpcs: dict[tuple[str, str], VpcHandle],
                   log_archive: LogArchive, dns: EdgeDns | None, management: AccountContext | None) -> WorkloadsArgs:
    """The composite's args of one account: what its pieces read from the organization, security and network."""
    org, name = cfg.organization, account.name
    aurora_dr, backup_dr = dr_wanted(cfg, account.config, account.regions)
    return WorkloadsArgs(
        account=account, region=org.home_region, vpc=vpcs.get((name, org.home_region)), log_archive=log_archive,
        key_admin_role=org.access_role_name, log_retention_days=cfg.security.log_retention_days,
        alarm_email=cfg.security.alarm_email, dns=dns, vpn_admin_cidrs=tuple(client_vpn_source_cidrs(cfg)),
        admin_ports=cfg.network.admin_ports, dr_region=org.dr_region,
        dr_vpc=vpcs.get((name, org.dr_region)) if org.dr_region else None, aurora_dr=aurora_dr, backup_dr=backup_dr,
        standby_tasks=standby_tasks(cfg, account.config, account.regions),
        redis_dr=redis_dr_wanted(cfg, account.config, account.regions), management=management)


def build_workloads(cfg: LandingZoneConfig, accounts: dict[str, AccountContext],
                    vpcs: dict[tuple[str, str], VpcHandle], log_archive: LogArchive,
                    management: AccountContext | None = None) -> dict[str, Workloads]:
    """One Workloads per workload account of `accounts` with anything to run, in config order.
    management: the management account's handle (it writes the edges' DNS records when it owns network.dns)."""
    home = cfg.organization.home_region
    dns = edge_zone(cfg, accounts, management)
    built: dict[str, Workloads] = {}
    for account in cfg.accounts:
        if account.role != "workload" or account.workloads == WorkloadsConfig() or account.name not in accounts:
            continue
        ctx = accounts[account.name]
        built[account.name] = Workloads(ctx.resource_name(home, "workloads"),
                                        workloads_args(cfg, ctx, vpcs, log_archive, dns, management))
    return built
