"""The one shared recording-mocks fixture: every test that runs Pulumi code goes through `record`.

    def test_vpc(record):
        rec = record(lambda: SpokeVpc("dev-ap-south-1-vpc", args), config={"network": {...}})
        vpc = rec.one("aws:ec2/vpc:Vpc")
        assert vpc["inputs"]["cidrBlock"] == "10.0.0.0/16"

It runs the program (a callable, or a path to a `__main__.py`) under landing_zone.plan_monitor's RecordingMonitor with
the landing_zone.mocks tables -- the same code `lz plan` uses -- and returns a Recording over the plan JSON
(tests/component_plans.py: `plan_program`, importable where a fixture cannot go, and small typed handles).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest
import stack_plans
from component_plans import Recording, plan_program

from landing_zone import plan as plan_mod

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def record() -> Callable[..., Recording]:
    """`record(program, stack=..., config=..., secret_keys=..., preview=..., region=...)`: component_plans.plan_program."""
    return plan_program


# --- the session's full-stack plans (tests/stack_plans.py: planned once, shared read-only) ---------------------------


@pytest.fixture(scope="session")
def stack_plan() -> Callable[[str], dict]:
    """`stack_plan("prod")`: the full plan of a sample stack, as `lz plan` writes it (do not mutate it)."""
    return stack_plans.full_plan


@pytest.fixture
def plans_from_session(monkeypatch) -> None:
    """Code under test that plans a sample stack itself (`lz diagram` without --plan) gets the session's plan (a
    copy) instead of planning it again; other roots, other stacks and previews are planned as usual."""
    real_run_plan, real_reused = plan_mod.run_plan, plan_mod.planned_or_reused

    def served(stack: str, root: Path, preview: bool = False) -> bool:
        return not preview and stack in stack_plans.STACKS and Path(root).resolve() == stack_plans.ROOT

    def run_plan(stack: str, root: Path, preview: bool = False) -> dict:
        if served(stack, root, preview):
            return copy.deepcopy(stack_plans.full_plan(stack))
        return real_run_plan(stack, root, preview=preview)

    def planned_or_reused(stack: str, root: Path, out: Path | None = None) -> tuple[dict, bool]:
        if served(stack, root):  # as a cold plan: the repository's out/ is neither read nor written
            return copy.deepcopy(stack_plans.full_plan(stack)), False
        return real_reused(stack, root, out)

    monkeypatch.setattr(plan_mod, "run_plan", run_plan)
    monkeypatch.setattr(plan_mod, "planned_or_reused", planned_or_reused)


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
