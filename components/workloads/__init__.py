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

from components.context import AccountContext, LogArchive, VpcHandle
from components.workloads import aurora, backup, cache, data_hosts, ecr, ecs, edge, eks, monitoring, patching, queues
from components.workloads.ecr import Repositories
from components.workloads.ecs import EcsCluster
from components.workloads.eks import EksCluster
from components.workloads.kms import WorkloadKeys, WorkloadKeysArgs
from components.workloads.monitoring import Monitoring
from components.workloads.registry import BuildContext, Piece, build_pieces
from landing_zone.dr_rules import dr_wanted
from landing_zone.models import LandingZoneConfig
from landing_zone.models import Workloads as WorkloadsConfig

PIECES: tuple[Piece, ...] = (
    edge.PIECE, aurora.PIECE, cache.PIECE, queues.PIECE, ecr.PIECE, ecs.PIECE, eks.PIECE, data_hosts.PIECE,
    backup.PIECE, patching.PIECE, monitoring.PIECE,
)
DR_KEY_PREFIX = "dr-"  # kms_key_arns: the DR region's keys are `dr-<purpose>`


class Workloads(pulumi.ComponentResource):
    """Everything an account runs. Typed attributes: kms_key_arns (purpose -> ARN; DR keys as `dr-<purpose>`),
    app_security_group_id, and `pieces` (piece name -> component: what the config asks for, in build order).
    `exports()` (its registered outputs) and `contract_fragment()` read the pieces' declarations."""

    def __init__(self, name: str, *, account: AccountContext, vpc: VpcHandle | None, log_archive: LogArchive,
                 cfg: LandingZoneConfig, peer_account_ids: dict[str, pulumi.Input[str]] | None = None,
                 dr_vpc: VpcHandle | None = None, dns_owner: AccountContext | None = None,
                 management: AccountContext | None = None, opts: pulumi.ResourceOptions | None = None):
        """dns_owner: the account that owns network.dns's zone (management or adopted); needed with an edge.
        management: generates Aurora's bootstrap password (an account that exists before the run; default: this one)."""
        super().__init__("landing-zone:workloads:Workloads", name, None, opts)
        wl: WorkloadsConfig = account.config.workloads
        self._account, self._cfg = account, cfg
        region = self.region = cfg.organization.home_region
        if wl.needs_vpc() and vpc is None:
            raise ValueError(f"accounts[{account.name}].vpcs: the workloads need a VPC in the home region {region}")
        aurora_dr, backup_dr = dr_wanted(cfg, account.config, account.regions)
        self._keys(aurora_dr and dr_vpc is not None or backup_dr)
        self.app_security_group_id = self._app_security_group(vpc, bool(wl.eks)) if wl.needs_vpc() else None
        self._pieces = PIECES
        self.pieces = build_pieces(self._pieces, BuildContext(
            cfg=cfg, account=account, region=region, vpc=vpc, log_archive=log_archive, parent=self,
            keys={p: arn for p, arn in self.kms_key_arns.items() if not p.startswith(DR_KEY_PREFIX)},
            dr_keys={p.removeprefix(DR_KEY_PREFIX): arn for p, arn in self.kms_key_arns.items()
                     if p.startswith(DR_KEY_PREFIX)},
            app_security_group_id=self.app_security_group_id, peer_account_ids=peer_account_ids or {},
            dr_vpc=dr_vpc, dns_owner=dns_owner, management=management))
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

    def _keys(self, with_dr: bool) -> None:
        account, region = self._account, self.region
        admin_role = self._cfg.organization.access_role_name  # the only key administrator (kms.py)
        home = WorkloadKeys(account.resource_name(region, "keys"), WorkloadKeysArgs(
            account=account, region=region, admin_role_name=admin_role), pulumi.ResourceOptions(parent=self))
        self.kms_key_arns: dict[str, pulumi.Output[str]] = dict(home.arns)
        if with_dr:
            dr_region = self._cfg.organization.dr_region
            dr = WorkloadKeys(account.resource_name(dr_region, "keys"), WorkloadKeysArgs(
                account=account, region=dr_region, purposes=("data", "backup"), admin_role_name=admin_role),
                pulumi.ResourceOptions(parent=self))
            self.kms_key_arns.update({f"{DR_KEY_PREFIX}{purpose}": arn for purpose, arn in dr.arns.items()})

    def _app_security_group(self, vpc: VpcHandle, eks: bool) -> pulumi.Output[str]:
        """The application tier: ECS tasks and EKS nodes. Egress: HTTPS out (AWS APIs, NAT) and TCP inside the VPC
        (data stores, cluster peers); ingress is added by whoever fronts it (the edge piece, EKS itself)."""
        account, region = self._account, self.region
        opts = account.opts(region, parent=self)
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


def build_workloads(cfg: LandingZoneConfig, accounts: dict[str, AccountContext],
                    vpcs: dict[tuple[str, str], VpcHandle], log_archive: LogArchive,
                    management: AccountContext | None = None) -> dict[str, Workloads]:
    """One Workloads per workload account with anything to run, in config order (what __main__.py calls).
    management: the management account's handle (it writes the edges' DNS records when it owns network.dns)."""
    home, dr = cfg.organization.home_region, cfg.organization.dr_region
    ids = {name: ctx.account_id for name, ctx in accounts.items()}
    owner = dns_owner(cfg, accounts, management) if any(a.workloads.edge for a in cfg.accounts) else None
    built: dict[str, Workloads] = {}
    for account in cfg.accounts:
        if account.role != "workload" or account.workloads == WorkloadsConfig():
            continue
        ctx = accounts[account.name]
        built[account.name] = Workloads(
            ctx.resource_name(home, "workloads"), account=ctx, vpc=vpcs.get((account.name, home)),
            log_archive=log_archive, cfg=cfg, peer_account_ids=ids,
            dr_vpc=vpcs.get((account.name, dr)) if dr else None, dns_owner=owner, management=management)
    return built
