"""The first week with `lz`: its version, Ctrl-C, progress, what the main command says at its end, the same counts
in every command, and a missing `dot` reported before any planning."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from landing_zone import plan as plan_mod
from landing_zone import progress
from landing_zone.cli import app
from landing_zone.config import load_stack, stack_config
from landing_zone.graph_plan import link_program
from landing_zone.plan_file import dumps_plan
from landing_zone.summary import counts, render_summary
from tests.split_plans import write_split_root
from tests.stack_plans import ROOT, full_plan


def test_version_names_lz_its_pack_and_the_contract():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert re.fullmatch(r"lz \S+ \(policy pack 0\.\d+\.\d+, contract \d+\.\d+\)\n", result.output), result.output


# --- Ctrl-C ---------------------------------------------------------------------------------------------------------


def _interrupt(args: list[str], root: Path, after: float) -> subprocess.CompletedProcess:
    """Run `lz args` in its own process group and press Ctrl-C (SIGINT to the group, as a terminal does)."""
    process = subprocess.Popen([sys.executable, "-m", "landing_zone", *args, "--root", str(root)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(after)
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    return subprocess.CompletedProcess(args, process.returncode, stdout, stderr)


def _assert_clean_interrupt(done: subprocess.CompletedProcess, root: Path) -> None:
    assert done.returncode == 130, (done.returncode, done.stderr[-2000:])
    assert done.stderr.strip().splitlines()[-1] == "lz: interrupted; nothing half-written in out/"
    assert not re.search(r"Traceback|KeyboardInterrupt|Task was destroyed|Exception ignored", done.stderr), \
        done.stderr[-2000:]
    assert not list(root.rglob("*.tmp")), "a temporary file was left behind"
    for path in (root / "out").rglob("plan.json"):
        json.loads(path.read_text())  # whole, or not there


def test_ctrl_c_while_planning_exits_130_in_one_line(tmp_path):
    link_program(ROOT, tmp_path)
    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": stack_config("dev", ROOT)}))
    _assert_clean_interrupt(_interrupt(["plan", "--stack", "dev"], tmp_path, after=4), tmp_path)


def test_ctrl_c_while_planning_a_split_organization_in_workers_exits_130_in_one_line(tmp_path):
    write_split_root("dev", tmp_path)
    done = _interrupt(["plan", "--stack", "dev.organization", "--all", "--jobs", "2"], tmp_path, after=6)
    _assert_clean_interrupt(done, tmp_path)


# --- progress ---------------------------------------------------------------------------------------------------------


def test_progress_is_off_when_stderr_is_not_a_terminal(capsys):
    with progress.progress("planning", total=2) as advance:
        advance(1)
    assert capsys.readouterr().err == ""


def test_progress_shows_on_a_terminal(monkeypatch):
    shown = []

    class Recording(progress.Progress):
        def add_task(self, description, **kwargs):
            shown.append(description)
            return super().add_task(description, **kwargs)

    monkeypatch.setattr(progress, "enabled", lambda: True)
    monkeypatch.setattr(progress, "Progress", Recording)
    with progress.progress("planning dev offline") as advance:
        advance(1)
    assert shown == ["planning dev offline"]


# --- the end of the main command, and counts that agree ---------------------------------------------------------


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """`lz check --stack dev --plan ... --reports DIR`, as `make plan` ends (the session's dev plan)."""
    tmp = tmp_path_factory.mktemp("reports")
    (tmp / "plan.json").write_text(dumps_plan(full_plan("dev")))
    result = CliRunner().invoke(app, ["check", "--stack", "dev", "--plan", str(tmp / "plan.json"), "--reports",
                                      str(tmp / "reports"), "--root", str(ROOT)])
    return tmp, result


def test_the_main_command_ends_with_its_reports_and_what_to_run_next(checked):
    tmp, result = checked
    assert result.exit_code == 0, result.output
    reports = tmp / "reports"
    assert sorted(p.name for p in reports.iterdir()) == ["check.json", "check.junit.xml", "check.sarif", "check.txt"]
    tail = result.output.strip().splitlines()[-3:]
    assert tail[0].startswith("reports: ") and all(str(reports / n) in tail[0] for n in ("check.txt", "check.sarif"))
    assert tail[1] == f"plan: {tmp / 'plan.json'}"
    assert all(f"lz {c} --stack dev" in tail[2] for c in ("reach", "dr", "cost", "diagram")), tail[2]


def test_plan_check_cost_and_validate_count_alike(checked, tmp_path):
    tmp, _ = checked
    plan = full_plan("dev")
    total, accounts = len(plan["resources"]), len(counts(plan)["by_account"])
    summary = render_summary(plan)
    assert f"{total} resources (" in summary and f"in {accounts} accounts" in summary
    assert f"{total} resources" in (tmp / "reports" / "check.txt").read_text()
    cost = CliRunner().invoke(app, ["cost", "--stack", "dev", "--plan", str(tmp / "plan.json"), "--root", str(ROOT)])
    assert f"Of the plan's {total} resources" in cost.output, cost.output[:400]
    validate = CliRunner().invoke(app, ["validate", "--stack", "dev", "--root", str(ROOT)])
    assert f"valid ({accounts} accounts" in validate.output
    assert accounts == len(load_stack("dev", ROOT).accounts) + 1  # the management account is one of them


def test_a_diagram_without_dot_fails_before_planning(monkeypatch):
    from landing_zone import diagram

    monkeypatch.setattr(diagram.shutil, "which", lambda _name: None)
    monkeypatch.setattr(plan_mod, "planned_or_reused", lambda *a, **k: pytest.fail("planned before checking dot"))
    result = CliRunner().invoke(app, ["diagram", "--stack", "dev", "--format", "svg", "--root", str(ROOT)])
    assert result.exit_code == 2 and "apt-get install graphviz" in result.output


def test_ctrl_c_ends_the_run_even_when_the_interrupt_is_swallowed():
    """The Pulumi SDK's event loop can swallow the KeyboardInterrupt and wait for ever: the run still ends, 130."""
    swallowing = ("import time, landing_zone.cli as cli\n"
                  "def app():\n"
                  "    print('ready', flush=True)\n"
                  "    while True:\n"
                  "        try:\n"
                  "            time.sleep(60)\n"
                  "        except KeyboardInterrupt:\n"
                  "            pass\n"
                  "cli.app = app\n"
                  "cli.main()\n")
    process = subprocess.Popen([sys.executable, "-c", swallowing], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert process.stdout.readline() == "ready\n"
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130 and stderr.strip() == "lz: interrupted; nothing half-written in out/", stderr
