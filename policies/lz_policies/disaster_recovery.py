"""DR-01: every account with a disaster-recovery target meets it in the plan (issue 15; its own family id DR-xx).

The figures come from recovery.py (stdlib, shared with `lz dr`); the targets from the stack config
(landing-zone:accounts[].dr, read from the engine's PULUMI_CONFIG) unless the policy config names `targets`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator

from . import recovery
from .rules import CaseResource as Res
from .rules import Param, StackCase, StackRule
from .stack_config import decoded, parse_config_env
from .views import Stack

TARGETS_HELP = ("account -> {strategy, rto_minutes, rpo_minutes, rebuilt_empty}; default: landing-zone:accounts[].dr "
                "of the stack config")


def _targets(s: Stack) -> tuple[dict[str, recovery.Target], str | None, str | None]:
    given = s.cfg.get("targets")
    if given:
        parsed, home, dr = recovery.targets_from_config({"landing-zone:accounts": [
            {"name": name, "dr": dict(target)} for name, target in dict(given).items()]})
        return parsed, s.cfg.get("homeRegion") or home, s.cfg.get("drRegion") or dr
    return recovery.targets_from_env(os.environ.get("PULUMI_CONFIG"))


def dr_targets_met(s: Stack) -> Iterator[tuple[str | None, str]]:
    targets, home, dr = _targets(s)
    if not targets:
        return
    report = recovery.analyze(s.graph(), targets, home, dr)
    for row, failed in report.failures():
        yield row.urn, (_message(row, failed, targets[row.account])
                        + _achievable(row.account, report, bool(s.cfg.get("targets"))))


def _achievable(account: str, report: recovery.Report, from_policy_config: bool) -> str:
    """The target the plan as it is meets, and the key that sets it."""
    rpo, rto = report.achievable(account)
    if rpo is None or rto is None:
        return ""
    minutes = {"rpo_minutes": max(1, math.ceil(rpo)), "rto_minutes": max(1, math.ceil(rto))}
    where = (f"the policy config's targets.{account}" if from_policy_config
             else f"{_account_path(account)}.dr in the landing-zone config")
    return (f". The plan as it is meets rpo_minutes: {minutes['rpo_minutes']}, rto_minutes: {minutes['rto_minutes']} "
            f"for {account}: set those in {where}, or build what meets the target")


def _account_path(account: str) -> str:
    config = parse_config_env(os.environ.get("PULUMI_CONFIG"))
    accounts = decoded(config.get("landing-zone:accounts"))
    names = [a.get("name") if isinstance(a, dict) else None for a in accounts] if isinstance(accounts, list) else []
    return f"accounts[{names.index(account)}] ({account})" if account in names else f"accounts[] ({account})"


def _message(row: recovery.Row, failed: list[str], target: recovery.Target) -> str:
    parts = []
    for what in failed:
        figure = row.rpo if what == "RPO" else row.rto
        wanted = target.rpo_minutes if what == "RPO" else target.rto_minutes
        meets = row.meets_rpo if what == "RPO" else row.meets_rto
        found = (f"{what} {recovery.fmt(figure.minutes)} exceeds the target {recovery.fmt(wanted)}"
                 if figure.minutes is not None else f"{what}: nothing in the DR region recovers it (target {recovery.fmt(wanted)})")
        parts.append(found + (f"; would meet it: {meets}" if meets else ""))
    return (f"account {row.account} ({target.strategy}): {row.component} {row.name} ({row.mechanism}): "
            + "; ".join(parts))


# --- cases: a small account with Aurora backed up daily and copied to the DR region ----------------------------
_HOME, _DR = "eu-west-1", "eu-central-1"
_TAGS = {"environment": "prod", "account": "apps"}
_CLUSTER = Res(recovery.RDS_CLUSTER, "apps-db", {"clusterIdentifier": "apps-db", "tags": {"backup": "daily"}},
               provider_tags=_TAGS, region=_HOME)
_DR_VAULT = Res(recovery.BACKUP_VAULT, "apps-vault-dr", {"name": "apps-vault-dr"}, provider_tags=_TAGS, region=_DR)
_PLAN = Res(recovery.BACKUP_PLAN, "apps-backup-plan", {"rules": [{
    "ruleName": "daily", "schedule": "cron(0 1 * * ? *)", "startWindow": 60, "targetVaultName": "apps-vault",
    "copyActions": [{"destinationVaultArn": f"arn:aws:backup:{_DR}:111111111111:backup-vault:apps-vault-dr"}]}]},
    provider_tags=_TAGS, region=_HOME)
_SELECTION = Res(recovery.BACKUP_SELECTION, "apps-backup-selection", {
    "planId": "plan-1", "selectionTags": [{"type": "STRINGEQUALS", "key": "backup", "value": "daily"}]},
    provider_tags=_TAGS, region=_HOME, property_deps={"planId": ("apps-backup-plan",)})
_BACKED_UP = (_CLUSTER, _DR_VAULT, _PLAN, _SELECTION)


def _target(strategy: str, rto: int, rpo: int) -> dict:
    return {"targets": {"apps": {"strategy": strategy, "rto_minutes": rto, "rpo_minutes": rpo}},
            "homeRegion": _HOME, "drRegion": _DR}


RULES = [
    StackRule(
        id="DR-01", name="dr-01-recovery-targets-met",
        title="Every account's disaster-recovery target (RPO, RTO) is met by what the plan builds",
        description="For each account with landing-zone:accounts[].dr, every data store (Aurora, ElastiCache, EBS data "
                    "volumes, Secrets Manager secrets) and service (ECS services, public names) of its home region "
                    "gets the RPO and RTO its planned DR mechanism achieves (global database, AWS Backup schedule and "
                    "copy to the DR region, replicas, standby capacity, Route 53 failover): a figure above the target "
                    "names the resource, the figure, the target and what would meet it. Figures and their sources: "
                    "docs/disaster-recovery.md; `lz dr --stack S` prints the same analysis as a table.",
        refs="AWS Well-Architected REL13-BP01 (define recovery objectives), REL13-BP02 (use defined recovery "
             "strategies to meet the recovery objectives)",
        checks=(dr_targets_met,),
        params={"targets": Param("object", {}, TARGETS_HELP),
                "homeRegion": Param("string", "", "home region of the targets given (default: organization.home_region)"),
                "drRegion": Param("string", "", "DR region of the targets given (default: organization.dr_region)")},
        cases=(
            StackCase(_BACKED_UP, violates=False, config=_target("backup-restore", 480, 1680),
                      note="daily backups copied to DR meet a 28 h RPO"),
            StackCase(_BACKED_UP, violates=True, config=_target("warm-standby", 60, 60),
                      note="daily backups cannot meet a 60 min RPO: the Aurora cluster is named"),
            StackCase((_CLUSTER,), violates=True, config=_target("backup-restore", 480, 1680),
                      note="no backup copy in the DR region"),
            StackCase(_BACKED_UP, violates=False, note="no account has a DR target"),
        ),
    ),
]
