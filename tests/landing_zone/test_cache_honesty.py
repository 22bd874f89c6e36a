"""The check's result cache returns only what a cold run would: each input the verdict depends on, changed after a
warm run, misses the cache (and a warm run after the change reaches the cold run's verdict).

The key-level tests change one input at a time against a copy of the pack (no pack started: fast); the end-to-end
test is the reported case, with the real pack on dev: a warm PASS, then a DR target the plan cannot meet, which a
cold run fails.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml

from landing_zone import freshness, stack_graph
from landing_zone.check import PackEnvironment
from landing_zone.check_result import CheckResult, exit_code
from landing_zone.config import load_stack, stack_config
from landing_zone.graph_plan import link_program
from landing_zone.policy_config import load_policy_config
from landing_zone.stack_graph import Organization, ResultCache, check_graph
from landing_zone.stacks import StackNode, StackRole
from tests.stack_plans import ROOT, full_plan

PLAN = {"project": "landing-zone", "stack": "dev", "outputs": {}, "invokes": [],
        "resources": [{"urn": "urn:pulumi:dev::landing-zone::aws:s3/bucket:Bucket::logs", "type": "aws:s3/bucket:Bucket",
                       "name": "logs", "custom": True, "inputs": {"bucket": "logs"}}]}
ENV = PackEnvironment(project="landing-zone", stack="dev", dry_run=False,
                      config=(("landing-zone:accounts", '[{"name": "prod-apps", "dr": {"rto_minutes": 60}}]'),),
                      secret_keys=())
RESULT = CheckResult(stack="dev", pack_name="p", pack_version="0.1.0", policies=[], violations=[],
                     resources_checked=1, preview=False)


@pytest.fixture
def pack(tmp_path, monkeypatch) -> Path:
    """A copy of the pack and of the tooling, with a virtualenv of its own (as `pulumi` installs it)."""
    pack = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", pack, ignore=shutil.ignore_patterns("venv", "__pycache__"))
    site = pack / "venv" / "lib" / "python3.11" / "site-packages"
    (site / "pulumi_policy").mkdir(parents=True)
    (site / "pulumi_policy-1.21.0.dist-info").mkdir()
    (pack / "venv" / "bin").mkdir()
    (pack / "venv" / "bin" / "python").touch()
    tools = tmp_path / "landing_zone"
    shutil.copytree(ROOT / "landing_zone", tools, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(freshness, "TOOL_DIR", tools)
    return pack


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def _bump_version(pack: Path) -> None:
    manifest = yaml.safe_load((pack / "PulumiPolicy.yaml").read_text())
    manifest["version"] = "0.1.1"
    (pack / "PulumiPolicy.yaml").write_text(yaml.safe_dump(manifest))


def _facts(pack: Path) -> None:
    path = pack / "lz_policies" / "facts.json"
    path.write_text(path.read_text().replace("}", ', "x": 1}', 1))


# What each input is, changed as a person (or a release) changes it. The pack side: its code, generated facts, data
# files, version, requirements, the packages installed in its virtualenv, and the tooling that drives it.
PACK_CHANGES = {
    "pack code": lambda pack: _append(pack / "lz_policies" / "rules.py", "\n# changed\n"),
    "generated facts": _facts,
    "a data file the pack reads": lambda pack: _append(pack / "lz_policies" / "aws_taggable_types.txt", "aws:x/y:Z\n"),
    "pack version": _bump_version,
    "pack requirements": lambda pack: _append(pack / "requirements.txt", "pyyaml==6.0.3\n"),
    "pack's installed packages": lambda pack: next((pack / "venv").rglob("pulumi_policy-*.dist-info")).rename(
        next((pack / "venv").rglob("site-packages")) / "pulumi_policy-1.22.0.dist-info"),
    "the tooling driving the pack": lambda pack: _append(freshness.TOOL_DIR / "check.py", "\n# changed\n"),
}


def _other_plan(plan: dict) -> dict:
    plan = copy.deepcopy(plan)
    plan["resources"][0]["inputs"]["bucket"] = "other"
    return plan


# The stack side: the plan, the policy config, and every field of the environment the pack is configured with.
RUN_CHANGES = {
    "plan": lambda plan, env, config: (_other_plan(plan), env, config),
    "policy config": lambda plan, env, config: (plan, env, {"all": "advisory"}),
    "resolved stack config": lambda plan, env, config: (plan, PackEnvironment(**{
        **vars(env), "config": (("landing-zone:accounts", '[{"name": "prod-apps", "dr": {"rto_minutes": 1}}]'),)}),
        config),
    "secret keys": lambda plan, env, config: (plan, PackEnvironment(**{**vars(env),
                                                                        "secret_keys": ("landing-zone:accounts",)}),
                                              config),
    "dry run": lambda plan, env, config: (plan, PackEnvironment(**{**vars(env), "dry_run": True}), config),
    "project": lambda plan, env, config: (plan, PackEnvironment(**{**vars(env), "project": "other"}), config),
    "stack": lambda plan, env, config: (plan, PackEnvironment(**{**vars(env), "stack": "dev2"}), config),
}


def test_an_unchanged_input_hits(pack, tmp_path):
    """The cache works at all (so each miss below is the change's doing)."""
    ResultCache(tmp_path / "out", pack, None).put("dev", PLAN, ENV, RESULT)
    assert ResultCache(tmp_path / "out", pack, None).get("dev", PLAN, ENV) == RESULT


@pytest.mark.parametrize("change", PACK_CHANGES, ids=list(PACK_CHANGES))
def test_a_change_to_the_pack_misses(pack, tmp_path, change):
    ResultCache(tmp_path / "out", pack, None).put("dev", PLAN, ENV, RESULT)
    PACK_CHANGES[change](pack)
    assert ResultCache(tmp_path / "out", pack, None).get("dev", PLAN, ENV) is None


@pytest.mark.parametrize("change", RUN_CHANGES, ids=list(RUN_CHANGES))
def test_a_change_to_what_the_pack_judges_misses(pack, tmp_path, change):
    ResultCache(tmp_path / "out", pack, None).put("dev", PLAN, ENV, RESULT)
    plan, env, config = RUN_CHANGES[change](PLAN, ENV, None)
    assert ResultCache(tmp_path / "out", pack, config).get("dev", plan, env) is None


def test_a_torn_cache_file_is_a_miss_not_a_crash(pack, tmp_path):
    path = tmp_path / "out" / "dev" / "check-cache.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"key": ')
    assert ResultCache(tmp_path / "out", pack, None).get("dev", PLAN, ENV) is None


# --- end to end: the reported case ------------------------------------------------------------------------------


def _dev_root(root: Path, rto_minutes: int | None = None) -> None:
    """A project root running this program with dev's config (prod-apps' DR target optionally changed)."""
    link_program(ROOT, root)
    config = stack_config("dev", ROOT)
    if rto_minutes is not None:
        next(a for a in config["landing-zone:accounts"] if a["name"] == "prod-apps")["dr"]["rto_minutes"] = rto_minutes
    (root / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": config}, sort_keys=False))


def test_a_warm_check_after_a_config_change_is_the_cold_verdict(tmp_path, monkeypatch):
    """Warm PASS on dev; prod-apps' RTO set to 1 minute (the plan does not change, only what the pack reads from the
    config): the warm run misses the cache and fails, as a cold run does."""
    caches: list[ResultCache] = []

    class Recording(ResultCache):
        def __init__(self, *args):
            super().__init__(*args)
            caches.append(self)

    monkeypatch.setattr(stack_graph, "ResultCache", Recording)
    org = Organization(load_stack("dev", ROOT), "dev", [StackNode("dev", StackRole(part="organization"), 0, ())],
                       split=False)
    plans = {"dev": full_plan("dev")}
    policy_config = load_policy_config(ROOT / "policy-config.json")  # the organization's reviewed exceptions
    _dev_root(tmp_path)
    warm = check_graph(org, tmp_path, plans, policy_config, cache_dir=tmp_path / "out")[1]
    assert exit_code(warm) == 0 and caches[-1].misses == 1
    again = check_graph(org, tmp_path, plans, policy_config, cache_dir=tmp_path / "out")[1]
    assert caches[-1].hits == 1 and again.violations == warm.violations

    _dev_root(tmp_path, rto_minutes=1)
    warm = check_graph(org, tmp_path, plans, policy_config, cache_dir=tmp_path / "out")[1]
    assert caches[-1].misses == 1, "the cache answered for a config it was not computed from"
    cold = check_graph(org, tmp_path, plans, policy_config)[1]
    assert exit_code(cold) == 1 and any(v.policy.startswith("dr-01") for v in cold.mandatory)
    assert warm.violations == cold.violations and exit_code(warm) == exit_code(cold)
