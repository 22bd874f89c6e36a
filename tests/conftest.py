"""The one shared recording-mocks fixture: every test that runs Pulumi code goes through `record`.

    def test_vpc(record):
        rec = record(lambda: SpokeVpc("dev-ap-south-1-vpc", args), config={"network": {...}})
        vpc = rec.one("aws:ec2/vpc:Vpc")
        assert vpc["inputs"]["cidrBlock"] == "10.0.0.0/16"

It runs the program (a callable, or a path to a `__main__.py`) under landing_zone.plan's RecordingMonitor with the
landing_zone.mocks tables -- the same code `lz plan` uses -- and returns a Recording over the plan JSON.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import stack_plans

from landing_zone import plan as plan_mod

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


class Recording:
    """The plan of one run plus lookups tests need (resources as the engine received them)."""

    def __init__(self, plan: dict, monitor: plan_mod.RecordingMonitor):
        self.plan = plan
        self.monitor = monitor
        self.resources: list[dict] = plan["resources"]
        self.outputs: dict = plan["outputs"]
        self.invokes: list[tuple[str, dict]] = monitor.mocks.invokes
        self.logs: list[tuple[str, str]] = monitor.log_messages

    def of_type(self, type_token: str) -> list[dict]:
        return [r for r in self.resources if r["type"] == type_token]

    def one(self, type_token: str) -> dict:
        found = self.of_type(type_token)
        assert len(found) == 1, f"expected one {type_token}, found {[r['name'] for r in found]}"
        return found[0]

    def named(self, name: str) -> dict:
        found = [r for r in self.resources if r["name"] == name]
        assert len(found) == 1, f"expected one resource named {name}, found {len(found)}"
        return found[0]

    def account_of(self, resource: Mapping[str, Any]) -> str:
        return plan_mod.account_of(plan_mod.index_by_urn(self.plan), resource)


@pytest.fixture
def record() -> Callable[..., Recording]:
    def run(program: Callable[[], Any] | Path, *, stack: str = "test", config: Mapping[str, Any] | None = None,
            secret_keys: tuple[str, ...] = (), preview: bool = False, region: str = "ap-south-1") -> Recording:
        values = {"aws:region": region, **(config or {})}
        encoded = plan_mod.encode_config(values)
        secrets = [k if ":" in k else f"{plan_mod.PROJECT}:{k}" for k in secret_keys]
        monitor = plan_mod.run_program(program, stack, encoded, secrets, preview=preview)
        return Recording(plan_mod.build_plan(monitor), monitor)

    return run


# --- the session's full-stack plans (tests/stack_plans.py: planned once, shared read-only) ---------------------------


@pytest.fixture(scope="session")
def stack_plan() -> Callable[[str], dict]:
    """`stack_plan("prod")`: the full plan of a sample stack, as `lz plan` writes it (do not mutate it)."""
    return stack_plans.full_plan


@pytest.fixture
def plans_from_session(monkeypatch) -> None:
    """Code under test that plans a sample stack itself (`lz diagram` without --plan) gets the session's plan (a
    copy) instead of planning it again; other roots, other stacks and previews are planned as usual."""
    real_run_plan = plan_mod.run_plan

    def run_plan(stack: str, root: Path, preview: bool = False) -> dict:
        if not preview and stack in stack_plans.STACKS and Path(root).resolve() == stack_plans.ROOT:
            return copy.deepcopy(stack_plans.full_plan(stack))
        return real_run_plan(stack, root, preview=preview)

    monkeypatch.setattr(plan_mod, "run_plan", run_plan)


def pytest_sessionfinish(session, exitstatus) -> None:
    changed = stack_plans.mutated()
    if changed:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = f"a test mutated the shared plan of {changed}: deepcopy it before editing"
        if reporter:
            reporter.write_line(message, red=True)
        else:
            print(message)
