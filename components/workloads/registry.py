"""A workload piece, declared once: its config field, how it is built, what it exports, its contract fragment, its
alarms and its backup targets.

Each piece module (aurora.py, cache.py, ...) declares its `PIECE` next to its component; `components.workloads.PIECES`
orders them. The Workloads composite (args: `WorkloadsArgs`) builds the pieces whose config field is set, in that
order, through one `BuildContext` per region: the context carries the composite's args, the region, its VPC handle and its CMKs, so the same
piece builds in the home region or in the account's DR region without another if-chain. What a piece built is
read back through its declaration: `outputs` (the composite's registered outputs), `contract` (its part of
`accounts.<a>.regions.<r>.workloads`), `watch` (alarms, dashboard widgets, instances for Monitoring) and
`backup_targets` (ARNs for AWS Backup).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi

from components.base import AccountArgs
from components.context import AccountContext, LogArchive, VpcHandle
from components.workloads.alarms import Watch
from components.workloads.edge_dns import EdgeDns
from landing_zone.models import AdminPorts
from landing_zone.models import Workloads as WorkloadsConfig
from landing_zone.ports import DEFAULT_ADMIN_PORTS


@dataclass(frozen=True, kw_only=True)
class WorkloadsArgs(AccountArgs):
    """What the Workloads composite of one account needs (region: the home region), and nothing else of the
    landing zone's config: the account's handle carries its `workloads` config; the rest are values the organization,
    security and network sections decide, resolved by build_workloads. None/empty where the stack does not give them."""

    vpc: VpcHandle | None
    log_archive: LogArchive
    key_admin_role: str  # organization.access_role_name: the only administrator of the account's CMKs (kms.py)
    log_retention_days: int  # security.log_retention_days
    alarm_email: str | None = None  # security.alarm_email
    dns: EdgeDns | None = None  # network.dns's public zone, written through its owner's provider (edges need it)
    vpn_admin_cidrs: tuple[str, ...] = ()  # where Client VPN traffic comes from (the EKS API admits it)
    admin_ports: AdminPorts = DEFAULT_ADMIN_PORTS  # network.admin_ports: the ports the data hosts' sshd / RDP listen on
    # Disaster recovery: the DR region (its VPC and CMKs) and what this account sends there.
    dr_region: str | None = None
    dr_vpc: VpcHandle | None = None
    aurora_dr: bool = False  # an Aurora global-database secondary (needs dr_vpc)
    backup_dr: bool = False  # AWS Backup copies to the DR region
    # DR compute (dr.strategy pilot-light or warm-standby): tasks each ECS service keeps running in the DR region
    # (0: pilot light); None: nothing runs there (backup-restore, or no DR)
    standby_tasks: int | None = None
    redis_dr: bool = False  # a Redis global datastore with a secondary in the DR region (needs DR compute)
    management: AccountContext | None = None  # generates Aurora's bootstrap password (exists before the run)


@dataclass(frozen=True, kw_only=True)
class BuildContext:
    """Where a piece is built and what it may use: the composite's args, one of the account's regions, the VPC
    there, the CMKs there (by purpose), the application-tier security group, and the pieces already built in this
    region (by name)."""

    args: WorkloadsArgs
    region: str
    vpc: VpcHandle | None
    keys: Mapping[str, pulumi.Input[str]]
    app_security_group_id: pulumi.Input[str] | None
    parent: pulumi.Resource  # the Workloads composite: every piece is its child
    built: dict[str, tuple[Piece, Any]] = field(default_factory=dict)  # name -> (piece, component), in order
    dr_keys: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)  # the CMKs in the DR region
    standby: bool = False  # this context builds the DR region's standby (args.standby_tasks tasks per service)
    home: Mapping[str, Any] = field(default_factory=dict)  # standby: the home region's pieces (name -> component)

    @property
    def account(self) -> AccountContext:
        return self.args.account

    @property
    def workloads(self) -> WorkloadsConfig:
        return self.account.config.workloads

    @property
    def log_retention_days(self) -> int:
        return self.args.log_retention_days

    def name(self, purpose: str) -> str:
        """A piece's logical name: `<account>-<region>-<purpose>`."""
        return self.account.resource_name(self.region, purpose)

    def get(self, name: str) -> Any | None:
        """The component of a piece built before this one in this region, or None."""
        entry = self.built.get(name)
        return entry[1] if entry else None

    def each(self) -> list[tuple[Piece, Any]]:
        """(piece, component) of everything built so far in this region, in registry order."""
        return list(self.built.values())

    @property
    def opts(self) -> pulumi.ResourceOptions:
        """A piece's options: a child of the composite (its children get the account's provider themselves)."""
        return pulumi.ResourceOptions(parent=self.parent)

    def child_opts(self, **kwargs: Any) -> pulumi.ResourceOptions:
        """A plain resource of a piece, made beside its component: this account and region, parent the composite."""
        return self.account.opts(self.region, parent=self.parent, **kwargs)


def _nothing(*_: Any) -> dict:
    return {}


def _no_watch(*_: Any) -> Watch:
    return Watch()


def _no_targets(*_: Any) -> list:
    return []


@dataclass(frozen=True, kw_only=True)
class Piece:
    """One kind of workload. `name` is the composite's attribute (and the key in BuildContext.built); `field` the
    config field of `workloads` that turns it on (several pieces may share one: ECS brings its ECR repositories).

    build(ctx, config) -> component (or None: nothing to build in this context); the others read it back:
    outputs(component) -> the composite's registered outputs (camelCase, flat);
    contract(component) -> its keys in the contract's `workloads` of the region (landing_zone.contract.Workloads);
    watch(ctx, component) -> what Monitoring alarms on, charts and status-checks;
    backup_targets(component) -> resource ARNs AWS Backup protects.
    """

    name: str
    field: str
    build: Callable[[BuildContext, Any], Any]
    outputs: Callable[[Any], dict[str, Any]] = _nothing
    contract: Callable[[Any], dict[str, Any]] = _nothing
    watch: Callable[[BuildContext, Any], Watch] = _no_watch
    backup_targets: Callable[[Any], list[pulumi.Input[str]]] = _no_targets

    def config(self, workloads: WorkloadsConfig) -> Any:
        return getattr(workloads, self.field)

    def wanted(self, workloads: WorkloadsConfig) -> bool:
        return bool(self.config(workloads))


def build_pieces(pieces: tuple[Piece, ...], ctx: BuildContext) -> dict[str, Any]:
    """Build, in order, every piece the account's config asks for; returns name -> component. A build that returns
    None has nothing to build in this context (e.g. a DR piece for a store the config rebuilds empty)."""
    for piece in pieces:
        if piece.wanted(ctx.workloads):
            component = piece.build(ctx, piece.config(ctx.workloads))
            if component is not None:
                ctx.built[piece.name] = (piece, component)
    return {name: component for name, (_, component) in ctx.built.items()}
