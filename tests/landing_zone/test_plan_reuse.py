"""A plan in out/ is reused only when planning now would write the same plan (landing_zone/freshness.py plan_key):
each input of a plan, changed after it was written, makes it stale; `lz reach|dr|cost|diagram` and the graph planner
reuse a fresh plan and replan a stale one, and say which.

Planning is replaced by a recording fake where only the reuse decision is under test (planning dev takes ~15 s)."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from landing_zone import freshness, graph_plan
from landing_zone import plan as plan_mod
from landing_zone.cli import app
from landing_zone.config import ConfigError
from landing_zone.freshness import PROGRAM_PATHS, plan_key, stored_key
from landing_zone.graph_plan import link_program, plan_graph
from landing_zone.plan import planned_or_reused, read_stack_config, stack_inputs
from tests.split_plans import write_split_root
from tests.stack_plans import ROOT, full_plan


def _project(root: Path) -> Path:
    """A project root with dev's stack files and ESC environments, and a copy of the program (to change it)."""
    for name in ("__main__.py", "Pulumi.yaml", "requirements.txt"):
        shutil.copy(ROOT / name, root / name)
    for name in ("components", "landing_zone", "bootstrap", "environments"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    for path in ROOT.glob("Pulumi.dev*.yaml"):
        shutil.copy(path, root / path.name)
    shutil.copytree(ROOT / "examples" / "client-vpn", root / "examples" / "client-vpn")
    link_program(ROOT, root)  # the pack and the policy config (`lz reach` and `lz dr` import the pack's analyses)
    return root


def _key(root: Path, **change) -> str:
    config, secret_keys = read_stack_config("dev", root)
    args = {"config": config, "secret_keys": secret_keys, "preview": False, "upstream": None, "base": None, **change}
    return plan_key(root, "dev", **args)


def _append(path: Path, text: str = "\n# changed\n") -> None:
    path.write_text(path.read_text() + text)


def _edit_environment(root: Path) -> None:
    path = root / "environments" / "landing-zone" / "dev.yaml"
    path.write_text(path.read_text().replace("rto_minutes: 480", "rto_minutes: 1"))


def _edit_stack_file(root: Path) -> None:
    doc = yaml.safe_load((root / "Pulumi.dev.yaml").read_text())
    doc["config"] = {"aws:region": "eu-west-1"}
    (root / "Pulumi.dev.yaml").write_text(yaml.safe_dump(doc))


def _other_packages(root: Path, monkeypatch) -> None:
    site = root / "site"
    (site / "pulumi_aws-7.52.0.dist-info").mkdir(parents=True)
    monkeypatch.setattr(freshness.sysconfig, "get_paths", lambda: {"purelib": str(site)})


# Each input of a plan, changed as a person (or a release) would change it.
FILE_CHANGES = {
    "component code": lambda root, mp: _append(root / "components" / "baseline.py"),
    "tooling and mocks": lambda root, mp: _append(root / "landing_zone" / "mocks.py"),
    "a data file of the program": lambda root, mp: _append(root / "landing_zone" / "cost" / "prices.json", " "),
    "bootstrap (imported by the program)": lambda root, mp: _append(root / "bootstrap" / "roles.py"),
    "__main__.py": lambda root, mp: _append(root / "__main__.py"),
    "Pulumi.yaml": lambda root, mp: _append(root / "Pulumi.yaml", "# changed\n"),
    "requirements.txt": lambda root, mp: _append(root / "requirements.txt", "# changed\n"),
    "an imported ESC environment": lambda root, mp: _edit_environment(root),
    "the stack file's own config": lambda root, mp: _edit_stack_file(root),
    "a file the config names": lambda root, mp: _append(root / "examples" / "client-vpn" / "server-cert.example.pem"),
    "an LZ_ environment variable": lambda root, mp: mp.setenv("LZ_ACCESS_ROLE_NAME", "OtherRole"),
    "installed packages": _other_packages,
}
ARG_CHANGES = {"preview": {"preview": True}, "upstream outputs": {"upstream": {"dev.organization": {"x": 1}}},
               "organization base": {"base": "other"}, "secret keys": {"secret_keys": ["landing-zone:x"]}}


@pytest.mark.parametrize("change", FILE_CHANGES, ids=list(FILE_CHANGES))
def test_a_change_to_an_input_makes_the_plan_stale(tmp_path, monkeypatch, change):
    root = _project(tmp_path)
    before = _key(root)
    assert _key(root) == before  # deterministic: the change below is what differs
    FILE_CHANGES[change](root, monkeypatch)
    assert _key(root) != before


@pytest.mark.parametrize("change", ARG_CHANGES, ids=list(ARG_CHANGES))
def test_a_change_to_how_it_is_planned_makes_the_plan_stale(tmp_path, change):
    root = _project(tmp_path)
    assert _key(root, **ARG_CHANGES[change]) != _key(root)


def test_every_local_package_the_program_imports_is_a_program_path():
    """`--changed` replans everything when a program path changed, and plan keys digest them: a local package the
    program imports and PROGRAM_PATHS forgets (bootstrap/ was) would let a stale plan through."""
    local = {p.name.removesuffix(".py") for p in ROOT.iterdir()
             if (p.is_dir() and (p / "__init__.py").exists()) or p.suffix == ".py"}
    imported = set()
    for path in [ROOT / "__main__.py", *(ROOT / "components").rglob("*.py"), *(ROOT / "landing_zone").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else []
            imported |= {n.split(".")[0] for n in names} & local
    assert imported, "no local import found: the scan is broken"
    assert {m for m in imported if not any(p.rstrip("/") in (m, f"{m}.py") for p in PROGRAM_PATHS)} == set()


# --- reuse by the reporting commands ------------------------------------------------------------------------------


@pytest.fixture
def planner(monkeypatch):
    """Planning replaced by dev's session plan; records which stacks were planned."""
    calls: list[str] = []
    dev = full_plan("dev")  # planned for real once per session, before planning is replaced

    def fake(root, stack, config, secret_keys, preview=False, upstream=None, base=None):
        calls.append(stack)
        return dev

    monkeypatch.setattr(plan_mod, "plan_program", fake)
    return calls


def test_a_fresh_plan_is_reused_and_a_stale_one_replanned(tmp_path, planner):
    root = _project(tmp_path)
    assert planned_or_reused("dev", root)[1] is False and planner == ["dev"]
    path = root / "out" / "dev" / "plan.json"
    assert stored_key(path) == stack_inputs("dev", root)[4]
    assert planned_or_reused("dev", root)[1] is True and planner == ["dev"]
    _edit_environment(root)
    assert planned_or_reused("dev", root)[1] is False and planner == ["dev", "dev"]


def test_an_edited_plan_file_is_not_reused(tmp_path, planner):
    """The key vouches for the plan as written: a plan edited by hand (or half-copied) is planned again."""
    root = _project(tmp_path)
    planned_or_reused("dev", root)
    path = root / "out" / "dev" / "plan.json"
    path.write_text(path.read_text().replace('"dev"', '"dev" ', 1))
    assert planned_or_reused("dev", root)[1] is False and planner == ["dev", "dev"]


def test_a_plan_without_its_key_is_never_reused(tmp_path, planner):
    root = _project(tmp_path)
    planned_or_reused("dev", root)
    freshness.key_path(root / "out" / "dev" / "plan.json").unlink()
    assert planned_or_reused("dev", root)[1] is False


@pytest.mark.parametrize("command", ["reach", "dr", "cost", "diagram"])
def test_the_reporting_commands_reuse_a_fresh_plan_and_say_so(tmp_path, planner, command):
    root = _project(tmp_path)
    planned_or_reused("dev", root)
    result = CliRunner().invoke(app, [command, "--stack", "dev", "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert "dev: reusing out/dev/plan.json (fresh" in result.output and planner == ["dev"]
    _edit_environment(root)
    result = CliRunner().invoke(app, [command, "--stack", "dev", "--root", str(root)])
    assert "no fresh plan in out/: planned offline now" in result.output and planner == ["dev", "dev"]


def test_lz_plan_writes_the_key_the_reporting_commands_check(tmp_path, planner):
    root = _project(tmp_path)
    assert CliRunner().invoke(app, ["plan", "--stack", "dev", "--root", str(root)]).exit_code == 0
    assert planned_or_reused("dev", root)[1] is True and planner == ["dev"]
    assert CliRunner().invoke(app, ["plan", "--stack", "dev", "--root", str(root), "--preview"]).exit_code == 0
    assert planned_or_reused("dev", root)[1] is False, "a preview plan stood in for a full one"


# --- the graph planner: split organizations and `--changed` -----------------------------------------------------


@pytest.fixture
def split(tmp_path, monkeypatch):
    """dev's split stack files, planned by a fake whose outputs follow the stack's config."""
    calls: list[str] = []

    def fake(root, stack, config, secret_keys, preview=False, upstream=None, base=None):
        calls.append(stack)
        outputs = {"config": freshness.digest(config)} if stack == "dev.organization" else {}
        return {"project": "landing-zone", "stack": stack, "resources": [], "outputs": outputs, "invokes": []}

    monkeypatch.setattr(graph_plan, "plan_program", fake)
    monkeypatch.setattr(plan_mod, "plan_program", fake)
    nodes = write_split_root("dev", tmp_path)
    plan_graph(nodes, "dev", tmp_path, tmp_path / "out", jobs=1)
    assert len(calls) == len(nodes) > 3
    calls.clear()
    return tmp_path, nodes, calls


def _edit_split(root: Path, stack: str) -> None:
    path = root / f"Pulumi.{stack}.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["config"]["aws:region"] = "ap-south-2"
    path.write_text(yaml.safe_dump(doc))


def test_the_graph_reuses_fresh_plans_and_replans_a_changed_stack(split):
    root, nodes, calls = split
    assert all(p.reused for p in plan_graph(nodes, "dev", root, root / "out", jobs=1, reuse=True)) and calls == []
    _edit_split(root, "dev.sandbox")
    plan_graph(nodes, "dev", root, root / "out", jobs=1, reuse=True)
    assert calls == ["dev.sandbox"]


def test_a_changed_upstream_output_replans_every_stack_reading_it(split):
    root, nodes, calls = split
    _edit_split(root, "dev.organization")
    plan_graph(nodes, "dev", root, root / "out", jobs=1, reuse=True)
    assert sorted(calls) == sorted(n.name for n in nodes)


def test_changed_replans_a_stale_plan_even_when_the_ref_says_unchanged(split):
    """`--changed REF` trusts out/ only for fresh plans: out/ may come from another branch or an older run."""
    root, nodes, calls = split
    _edit_split(root, "dev.sandbox")
    planned = plan_graph(nodes, "dev", root, root / "out", jobs=1, replan=set())
    assert calls == ["dev.sandbox"] and [p.stack for p in planned if not p.reused] == ["dev.sandbox"]


def test_one_split_stack_planned_alone_refuses_a_stale_upstream_plan(split):
    root, nodes, calls = split
    assert stack_inputs("dev.sandbox", root)[2]  # fresh upstream: read
    _edit_split(root, "dev.organization")
    with pytest.raises(ConfigError, match="reads dev.organization, dev.network: not planned yet, or planned from other code or config"):
        stack_inputs("dev.sandbox", root)


def test_a_plan_is_written_whole_with_its_key(split):
    root, nodes, _ = split
    path = root / "out" / "dev.sandbox" / "plan.json"
    assert json.loads(path.read_text())["stack"] == "dev.sandbox" and stored_key(path)
    assert not list((root / "out").rglob(".*.tmp")), "a temporary file was left behind"


def test_link_program_links_what_the_program_is_made_of(tmp_path):
    link_program(ROOT, tmp_path)
    assert all((tmp_path / p.rstrip("/")).exists() for p in PROGRAM_PATHS)


def test_changed_counts_an_edit_of_an_imported_esc_environment(tmp_path):
    """The split stack files import the organization's ESC environment: an edit there is a config change of exactly
    the stacks whose slice it touches."""
    import subprocess

    from landing_zone.stack_graph import changed_stacks, organization_of

    root = _project(tmp_path)
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit",
                                                 "-qm", "base"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    path = root / "environments" / "landing-zone" / "dev.yaml"
    path.write_text(path.read_text().replace("{name: playground, port: 8080,", "{name: playground, port: 8081,"))
    org = organization_of("dev.organization", root)
    assert changed_stacks(org, root, "HEAD", "dev.organization")[0] == {"dev.sandbox"}
