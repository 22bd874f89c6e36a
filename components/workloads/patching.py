"""SSM Patch Manager for a workload account: baselines per OS, patch groups, a weekly maintenance window that
installs approved patches (AWS-RunPatchBaseline, Install), and a daily compliance scan.

Hosts join by tag: `Patch Group=<os>` (amazon-linux | ubuntu | windows), set by components/workloads/data_hosts.py.
The window patches one host at a time so that clustered data stores (Cassandra, Kafka, ...) keep their quorum.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountArgs, AccountComponent
from components.workloads.registry import BuildContext, Piece
from landing_zone.models import Patching as PatchingConfig

PATCH_GROUP_TAG = "Patch Group"


@dataclass(frozen=True)
class BaselineSpec:
    operating_system: str  # SSM's name
    filters: tuple[tuple[str, tuple[str, ...]], ...]  # approval-rule patch filters
    delay: bool  # SSM supports approve_after_days (not on Ubuntu/Debian, which approve on release)


BASELINES: dict[str, BaselineSpec] = {
    "amazon-linux": BaselineSpec("AMAZON_LINUX_2023", (
        ("CLASSIFICATION", ("Security", "Bugfix")), ("SEVERITY", ("Critical", "Important", "Medium", "Low"))), True),
    "ubuntu": BaselineSpec("UBUNTU", (
        ("PRIORITY", ("Required", "Important", "Standard")), ("SECTION", ("*",))), False),
    "windows": BaselineSpec("WINDOWS", (
        ("CLASSIFICATION", ("CriticalUpdates", "SecurityUpdates", "UpdateRollups")),
        ("MSRC_SEVERITY", ("Critical", "Important"))), True),
}


@dataclass(frozen=True, kw_only=True)
class PatchingArgs(AccountArgs):
    config: PatchingConfig
    # The OSes the window targets (default: all three). Baselines exist for every OS so a new host is covered the
    # moment it is tagged.
    operating_systems: tuple[str, ...] = ()


class Patching(AccountComponent[PatchingArgs]):
    baseline_ids: dict[str, pulumi.Output[str]]
    maintenance_window_id: pulumi.Output[str]
    patch_group_tag: tuple[str, str] = (PATCH_GROUP_TAG, "<os>")  # tag key, value pattern

    TOKEN = "workloads:Patching"

    def __init__(self, name: str, args: PatchingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        config, operating_systems = args.config, args.operating_systems
        unknown = sorted(set(operating_systems or []) - set(BASELINES))
        if unknown:
            raise ValueError(f"accounts[{self.account.name}].workloads.patching: unknown operating system {unknown[0]!r} "
                             f"(known: {', '.join(BASELINES)})")
        targets = sorted(operating_systems or BASELINES)
        self.baseline_ids = {os: self._baseline(os, spec, config.approve_after_days) for os, spec in BASELINES.items()}
        window = aws.ssm.MaintenanceWindow(
            self.child_name("patch-window"), name=self.child_name("patch-window"), schedule=config.schedule,
            schedule_timezone="UTC", duration=3, cutoff=1, allow_unassociated_targets=False,
            description="Weekly patching of the tagged hosts", opts=self.child_opts())
        target = aws.ssm.MaintenanceWindowTarget(
            self.child_name("patch-targets"), window_id=window.id, resource_type="INSTANCE", name="patch-groups",
            targets=[{"key": f"tag:{PATCH_GROUP_TAG}", "values": targets}], opts=self.child_opts())
        aws.ssm.MaintenanceWindowTask(
            self.child_name("patch-install"), window_id=window.id, name="install-patches", task_type="RUN_COMMAND",
            task_arn="AWS-RunPatchBaseline", priority=1, max_concurrency="1", max_errors="1",
            cutoff_behavior="CANCEL_TASK",
            targets=[{"key": "WindowTargetIds", "values": [target.id]}],
            task_invocation_parameters={"run_command_parameters": {
                "timeout_seconds": 3600,
                "parameters": [{"name": "Operation", "values": ["Install"]},
                               {"name": "RebootOption", "values": ["RebootIfNeeded"]}]}},
            opts=self.child_opts())
        # a daily scan keeps Patch Manager's compliance view current between windows
        aws.ssm.Association(
            self.child_name("patch-scan"), name="AWS-RunPatchBaseline", association_name=self.child_name("patch-scan"),
            schedule_expression="rate(1 day)", parameters={"Operation": "Scan"}, max_concurrency="10%",
            max_errors="10%", targets=[{"key": f"tag:{PATCH_GROUP_TAG}", "values": targets}], opts=self.child_opts())
        self.maintenance_window_id = window.id
        self.register_outputs({"baselineIds": self.baseline_ids, "maintenanceWindowId": self.maintenance_window_id})

    def _baseline(self, os: str, spec: BaselineSpec, approve_after_days: int) -> pulumi.Output[str]:
        rule: dict = {"patch_filters": [{"key": key, "values": list(values)} for key, values in spec.filters],
                      "compliance_level": "HIGH", "enable_non_security": False}
        if spec.delay:
            rule["approve_after_days"] = approve_after_days
        baseline = aws.ssm.PatchBaseline(
            self.child_name(f"patch-{os}"), name=self.child_name(f"patch-{os}"), operating_system=spec.operating_system,
            description=f"{os}: approved {approve_after_days} days after release" if spec.delay
            else f"{os}: approved on release (Ubuntu has no approval delay)",
            approval_rules=[rule], opts=self.child_opts())
        aws.ssm.PatchGroup(self.child_name(f"patch-group-{os}"), baseline_id=baseline.id, patch_group=os, opts=self.child_opts())
        return baseline.id


# --- the piece ------------------------------------------------------------------------------------------------------


def build(ctx: BuildContext, config: PatchingConfig) -> Patching:
    """The window targets the data hosts' operating systems (all three when the account has none)."""
    return Patching(ctx.name("patching"), PatchingArgs(
        account=ctx.account, region=ctx.region, config=config,
        operating_systems=tuple(sorted({h.os for h in ctx.workloads.data_hosts}))), ctx.opts)


PIECE = Piece(name="patching", field="patching", build=build)
