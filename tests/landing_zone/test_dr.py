"""Disaster recovery proven offline: the `dr` config, `lz dr` (table and runbook) and rule DR-01 over the real plans.

The analysis is lz_policies.recovery (the pack's); these tests drive it through the command, the rule and the
sample plans, and complete the prod plan with the DR-region pieces phase 2 builds, to show that recognising them
is all the analysis needs.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import yaml
from rich.console import Console
from stack_plans import full_plan

from landing_zone import dr
from landing_zone.check import run_check
from landing_zone.config import ConfigError, load_stack, namespaced, parse, stack_config

ROOT = Path(__file__).resolve().parents[2]
HOME, DR = "ap-south-1", "ap-south-2"
RC = dr.recovery_module(ROOT)
WARM = RC.Target("warm-standby", 60, 60)


def _stack_yaml(stack: str) -> dict:
    return {"config": stack_config(stack, ROOT)}


def _account(config: dict, name: str) -> dict:
    return next(a for a in config["landing-zone:accounts"] if a["name"] == name)


def _with_stack(tmp_path: Path, stack: str, edit) -> Path:
    doc = _stack_yaml(stack)
    edit(doc["config"])
    (tmp_path / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    return tmp_path


def _run(stack: str, plan: dict, tmp_path: Path, root: Path = ROOT, runbook: bool = False) -> tuple[int, str]:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    console = Console(record=True, width=300, force_terminal=False, color_system=None)
    code = dr.main(stack, root, path, runbook, console=console)
    return code, console.export_text()


def _rows(plan: dict, targets: dict) -> dict:
    report = RC.analyze(plan["resources"], targets, HOME, DR)
    return {row.name: row for rows in report.rows.values() for row in rows}


# --- config ------------------------------------------------------------------------------------------------------

def _parse(edit) -> list[str]:
    doc = _stack_yaml("prod")
    edit(doc["config"])
    try:
        parse(namespaced(doc["config"]))
    except ConfigError as e:
        return e.errors
    return []


def test_strategy_implies_the_dr_copy_and_the_global_database():
    cfg = load_stack("dev", ROOT)
    assert cfg.account("prod-apps").workloads.backup.copy_to_dr is True  # implied by backup-restore
    doc = _stack_yaml("prod")
    prod_apps = _account(doc["config"], "prod-apps")
    del prod_apps["workloads"]["aurora"]["dr_replica"]
    prod_apps["dr"] = {"strategy": "pilot-light", "rto_minutes": 60, "rpo_minutes": 60}
    assert parse(namespaced(doc["config"])).account("prod-apps").workloads.aurora.dr_replica is True


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda c: _account(c, "prod-data").update(dr={"strategy": "warm-standby", "rto_minutes": 60, "rpo_minutes": 60}),
     "accounts[4].vpcs.ap-south-2: dr.strategy warm-standby keeps infrastructure in the DR region"),
    (lambda c: _account(c, "prod-apps").update(dr={"strategy": "warm-standby", "rto_minutes": 60, "rpo_minutes": 60})
     or _account(c, "prod-apps")["workloads"]["aurora"].update(dr_replica=False),
     "accounts[3].workloads.aurora.dr_replica: dr.strategy warm-standby replicates Aurora"),
    (lambda c: _account(c, "prod-apps").update(dr={"strategy": "backup-restore", "rto_minutes": 60, "rpo_minutes": 60})
     or _account(c, "prod-apps")["workloads"]["backup"].update(copy_to_dr=False),
     "accounts[3].workloads.backup.copy_to_dr: dr.strategy backup-restore restores from the DR copies"),
    (lambda c: _account(c, "security").update(dr={"strategy": "backup-restore", "rto_minutes": 60, "rpo_minutes": 60}),
     "accounts[1].dr: only workload accounts have a DR target"),
    (lambda c: _account(c, "prod-apps").update(dr={"strategy": "hot", "rto_minutes": 60, "rpo_minutes": 60}),
     "accounts[3].dr.strategy"),
    (lambda c: _account(c, "prod-apps")["workloads"]["redis"].update(node_type="cache.t4g.medium"),
     "accounts[3].workloads.redis.node_type: cache.t4g.medium is burstable (t-series), which global datastores do "
     "not support"),
    (lambda c: _account(c, "prod-apps")["workloads"]["redis"].update(node_type="cache.m6g.medium"),
     "accounts[3].workloads.redis.node_type: cache.m6g.medium is smaller than large"),
    (lambda c: _account(c, "prod-apps")["workloads"]["redis"].update(node_type="cache.m4.large"),
     "accounts[3].workloads.redis.node_type: cache.m4.large is not a node family global datastores support"),
])
def test_bad_dr_config_names_the_field(edit, expected):
    errors = _parse(edit)
    assert any(e.startswith(expected) for e in errors), errors


def test_a_burstable_redis_is_fine_when_rebuilt_empty_or_without_standing_dr():
    def burstable(c, dr):
        _account(c, "prod-apps")["workloads"]["redis"].update(node_type="cache.t4g.medium")
        _account(c, "prod-apps")["dr"].update(dr)
    assert _parse(lambda c: burstable(c, {"rebuilt_empty": ["redis"]})) == []
    assert _parse(lambda c: burstable(c, {"strategy": "backup-restore", "rto_minutes": 480, "rpo_minutes": 1680})) == []


# --- the analysis over the sample plans -------------------------------------------------------------------------

def test_dev_meets_its_backup_restore_target(tmp_path):
    code, text = _run("dev", full_plan("dev"), tmp_path)
    assert code == 0, text
    assert re.search(r"Aurora cluster .*prod-apps-ap-south-1-aurora-cluster .*copied to vault "
                     r"prod-apps-ap-south-2-backup-vault-dr in ap-south-2 .*26 h\* \(backup-copy\).*pass", text)
    assert "dev: every DR target is met" in text


def test_a_target_the_plan_cannot_meet_fails_naming_the_data_store(tmp_path):
    root = _with_stack(tmp_path, "dev", lambda c: _account(c, "prod-apps")["dr"].update(rpo_minutes=60))
    code, text = _run("dev", full_plan("dev"), tmp_path, root=root)
    assert code == 1
    assert re.search(r"prod-apps-ap-south-1-aurora-cluster .*fail \(RPO\)", text)
    assert "would meet the target: Aurora global database" in text


def test_rule_dr01_reads_the_stack_target_and_names_the_store(tmp_path):
    strict = _with_stack(tmp_path, "dev", lambda c: _account(c, "prod-apps")["dr"].update(rpo_minutes=60))
    for root, expected in ((ROOT, []), (strict, ["prod-apps-ap-south-1-aurora-cluster"])):
        result = run_check(full_plan("dev"), ROOT / "policies", None, "dev", root=root)
        found = [v for v in result.violations if v.policy == "dr-01-recovery-targets-met"]
        assert [v.name for v in found] == expected
    assert "RPO 26 h exceeds the target 60 min" in found[0].message


def test_strengthening_the_strategy_meets_the_target():
    """Aurora with only daily copies (dev) misses a 60 min RPO; the global database (prod) meets it."""
    assert _rows(full_plan("dev"), {"prod-apps": WARM})["prod-apps-ap-south-1-aurora-cluster"].failures(WARM) == ["RPO"]
    aurora = _rows(full_plan("prod"), {"prod-apps": WARM})["prod-apps-ap-south-1-aurora-cluster"]
    assert aurora.failures(WARM) == [] and aurora.rpo.source == "aurora-global-lag"
    assert "failover-global-cluster --global-cluster-identifier prod-apps-ap-south-1-aurora-global" in aurora.action


def test_prod_meets_its_warm_standby_target(tmp_path):
    """prod-apps (the prod environment): warm-standby, RTO 60 / RPO 60, Redis in a global datastore; the plan's DR
    compute and data meet it, through `lz dr` and rule DR-01 alike."""
    assert load_stack("prod", ROOT).account("prod-apps").dr.strategy == "warm-standby"
    code, text = _run("prod", full_plan("prod"), tmp_path)
    assert code == 0, text
    assert re.search(r"public name .*Route 53 failover, health check 30 s .*pass", text)
    result = run_check(full_plan("prod"), ROOT / "policies", None, "prod", root=ROOT)
    assert [v for v in result.violations if v.policy == "dr-01-recovery-targets-met"] == []


REDIS_GLOBAL = "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup"


def _without_global_datastore(plan: dict) -> dict:
    """prod's plan as if Redis had no global datastore (nor its DR secondary, nor the token's replica)."""
    plan = copy.deepcopy(plan)
    plan["resources"] = [r for r in plan["resources"] if r["type"] != REDIS_GLOBAL
                         and r["name"] != f"prod-apps-{DR}-redis"]
    secret = next(r for r in plan["resources"] if r["name"] == f"prod-apps-{HOME}-redis-auth")
    for state in ("inputs", "outputs"):
        secret[state].pop("replicas")
    return plan


def test_redis_meets_the_target_through_its_global_datastore():
    """prod (no dr.rebuilt_empty): the cache's contents count, and the global datastore's DR member holds them."""
    rows = _rows(full_plan("prod"), {"prod-apps": WARM})
    redis, token = rows[f"prod-apps-{HOME}-redis"], rows[f"prod-apps-{HOME}-redis-auth"]
    assert redis.failures(WARM) == [] and redis.rpo.source == "elasticache-global-lag"
    assert f"member in {DR}" in redis.mechanism
    assert f"--primary-region {DR} --primary-replication-group-id prod-apps-{DR}-redis" in redis.action
    assert token.failures(WARM) == [] and token.mechanism == f"replica in {DR}"


def test_a_redis_without_global_datastore_fails_naming_it(tmp_path):
    """Without the datastore (and without dr.rebuilt_empty) snapshots stay home: Redis and its token are named."""
    plan = _without_global_datastore(full_plan("prod"))
    rows = _rows(plan, {"prod-apps": WARM})
    failing = {name for name, row in rows.items() if row.failures(WARM)}
    assert failing == {f"prod-apps-{HOME}-redis", f"prod-apps-{HOME}-redis-auth"}
    assert "global datastore" in rows[f"prod-apps-{HOME}-redis"].meets_rpo
    result = run_check(plan, ROOT / "policies", None, "prod", root=ROOT)
    named = {v.name for v in result.violations if v.policy == "dr-01-recovery-targets-met"}
    assert named == {f"prod-apps-{HOME}-redis", f"prod-apps-{HOME}-redis-auth"}


def test_lowering_the_rto_below_a_pilot_light_start_fails_the_services():
    """prod's DR services run no task until images are published (pilot figure, 10 min): a 5 min RTO misses."""
    tight = RC.Target("warm-standby", 5, 60, ("redis",))
    rows = _rows(full_plan("prod"), {"prod-apps": tight})
    assert rows["prod-apps-ap-south-1-ecs-los-api"].failures(tight) == ["RTO"]
    assert rows["prod-apps-ap-south-1-ecs-los-api"].rto.source == "ecs-pilot"


def test_dev_backup_restore_misses_an_hour_rto_until_the_strategy_is_stronger():
    """dev redeploys its compute (RTO 4 h); prod's warm standby answers the same 60 min target."""
    target = RC.Target("backup-restore", 60, 1680, ("redis",))
    dev = _rows(full_plan("dev"), {"prod-apps": target})
    assert dev["prod-apps-ap-south-1-ecs-api"].failures(target) == ["RTO"]
    assert dev["prod-apps-ap-south-1-alias"].rto.source == "redeploy"
    prod = _rows(full_plan("prod"), {"prod-apps": target})
    assert prod["prod-apps-ap-south-1-alias"].failures(target) == []


# --- the DR-region pieces, recognised by type and references ----------------------------------------------------

def _named(plan: dict, name: str, type_: str) -> dict:
    return next(r for r in plan["resources"] if r["name"] == name and r["type"] == type_)


def test_the_prod_plan_fails_over_with_the_real_names():
    rows = _rows(full_plan("prod"), {"prod-apps": RC.Target("warm-standby", 60, 60, ("redis",))})
    entry = rows[f"prod-apps-{HOME}-alias"]
    assert entry.rto.source == "route53-failover" and entry.rto.minutes == 10 * 3 / 60 + 1
    assert "--cluster prod-apps-ap-south-2-ecs --service los-api --desired-count" in rows[f"prod-apps-{HOME}-ecs-los-api"].action


def test_failover_needs_the_secondary_in_the_dr_region():
    plan = copy.deepcopy(full_plan("prod"))
    home_alb = _named(plan, f"prod-apps-{HOME}-alb", "aws:lb/loadBalancer:LoadBalancer")
    secondary = _named(plan, f"prod-apps-{DR}-alias", "aws:route53/record:Record")
    secondary["property_dependencies"]["aliases"] = [home_alb["urn"]]
    secondary["inputs"]["aliases"][0]["name"] = home_alb["outputs"]["dnsName"]
    entry = _rows(plan, {"prod-apps": RC.Target("warm-standby", 60, 60, ("redis",))})[f"prod-apps-{HOME}-alias"]
    assert entry.rto.source == "dns-manual"  # a secondary at the home ALB is no failover: re-pointed by hand


def test_runbook_orders_data_compute_traffic_with_real_names(tmp_path):
    code, text = _run("dev", full_plan("dev"), tmp_path, runbook=True)
    assert code == 0
    steps = [line for line in text.splitlines() if re.match(r"\d+\. ", line)]
    assert [s.split(":")[0] for s in steps[1:4]] == ["2. Data", "3. Compute", "4. Traffic"]
    assert "restore Aurora cluster prod-apps-ap-south-1-aurora " in text
    assert "point app.dev.example.com (zone Z0EXAMPLE00DEV000001)" in text


def test_bad_plan_file_exits_2(tmp_path):
    (tmp_path / "plan.json").write_text("{}")
    console = Console(record=True, width=200)
    assert dr.main("dev", ROOT, tmp_path / "plan.json", console=console) == 2
    assert "error:" in console.export_text()


# --- sources ------------------------------------------------------------------------------------------------------

def test_every_figure_has_its_source_row_in_the_docs():
    doc = (ROOT / "docs" / "disaster-recovery.md").read_text()
    rows = set(re.findall(r"^\| `([a-z0-9-]+)` \|", doc, flags=re.M))
    assert set(RC.FIGURES) | {"route53-failover"} <= rows
    for key in RC.ESTIMATES:
        assert re.search(rf"^\| `{key}` \|.*engineering estimate", doc, flags=re.M), key
