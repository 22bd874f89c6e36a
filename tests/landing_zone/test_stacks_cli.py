"""`landing-zone:stack` validated when a stack loads, and `lz stacks` (graph, --write, --check) over the split files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pulumi
import pytest
import yaml
from typer.testing import CliRunner

from landing_zone import stack_files
from landing_zone.cli import app
from landing_zone.config import ConfigError, load_stack, load_stack_role, role_from_pulumi, stack_config
from landing_zone.stacks import StackRole

ROOT = Path(__file__).resolve().parents[2]
DEV_ACCOUNTS = ["prod-apps", "prod-data", "nonprod-apps", "nonprod-data", "sandbox"]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A project root with the dev organization: its ESC environment and Pulumi.dev.yaml, no split stack files."""
    shutil.copytree(ROOT / "environments", tmp_path / "environments")
    shutil.copy(ROOT / "Pulumi.dev.yaml", tmp_path)
    return tmp_path


def lz(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def with_role(root: Path, name: str, role) -> None:
    doc = {"environment": ["landing-zone/dev"], "config": {"landing-zone:stack": role}}
    (root / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump(doc))


# --- the role in the stack file -----------------------------------------------------------------------------------


def test_a_split_stack_loads_with_its_role_and_a_single_stack_has_none(root):
    with_role(root, "dev.prod-apps", {"part": "account", "account": "prod-apps"})
    with_role(root, "dev.network", "network")  # the short form
    assert load_stack_role("dev.prod-apps", root) == StackRole(part="account", account="prod-apps")
    assert load_stack_role("dev.network", root) == StackRole(part="network")
    assert load_stack_role("dev", root) is None
    assert load_stack("dev.network", root) == load_stack("dev", root)


@pytest.mark.parametrize("name, role, message", [
    ("dev.ghost", {"part": "account", "account": "ghost"}, "landing-zone:stack.account: 'ghost' is not an account"),
    ("dev.network", {"part": "account", "account": "network"},
     "landing-zone:stack.account: 'network' is the network account; it lives in the network stack"),
    ("dev.security", {"part": "account", "account": "security"}, "it lives in the organization stack"),
    ("dev-network", {"part": "network"}, "its name must be <base>.network"),
    ("dev.x", {"part": "tenant"}, "landing-zone:stack.part: Input should be 'organization', 'network' or 'account'"),
    ("dev.x", {"part": "network", "account": "sandbox"}, "landing-zone:stack: `account` names the workload account"),
])
def test_a_role_that_does_not_fit_the_config_or_the_name_exits_2_naming_the_field(root, name, role, message):
    with_role(root, name, role)
    code, output = lz("validate", "--stack", name, "--root", str(root))
    assert code == 2 and "Traceback" not in output
    assert message in " ".join(output.split())


def test_the_program_reads_and_validates_the_same_role(monkeypatch):
    cfg = load_stack("dev", ROOT)
    monkeypatch.setattr(pulumi, "get_stack", lambda: "dev.prod-apps")
    try:
        pulumi.runtime.set_all_config({"landing-zone:stack": json.dumps({"part": "account", "account": "prod-apps"})})
        assert role_from_pulumi(cfg) == StackRole(part="account", account="prod-apps")
        pulumi.runtime.set_all_config({"landing-zone:stack": json.dumps({"part": "account", "account": "ghost"})})
        with pytest.raises(ConfigError, match="'ghost' is not an account"):
            role_from_pulumi(cfg)
        pulumi.runtime.set_all_config({})
        assert role_from_pulumi(cfg) is None
    finally:
        pulumi.runtime.set_all_config({})


# --- lz stacks ----------------------------------------------------------------------------------------------------


def test_lz_stacks_of_a_single_stack_says_so_and_prints_every_stack_split_mode_would_create(root):
    code, output = lz("stacks", "--stack", "dev", "--root", str(root))
    assert code == 0, output
    assert "dev: single mode" in output
    for layer, names in enumerate([["dev.organization"], ["dev.network"], [f"dev.{a}" for a in DEV_ACCOUNTS]]):
        section = output.split(f"layer {layer}")[1].split(f"layer {layer + 1}")[0]
        assert all(name in section for name in names), section
    assert "dev.organization, dev.network" in output  # what an account stack reads
    assert not list(root.glob("Pulumi.dev.*.yaml"))  # prints only


def test_write_creates_every_split_stack_file_once_and_check_accepts_them(root):
    code, output = lz("stacks", "--stack", "dev", "--write", "--root", str(root))
    assert code == 0, output
    written = sorted(p.name for p in root.glob("Pulumi.dev.*.yaml"))
    assert written == sorted(f"Pulumi.dev.{s}.yaml" for s in ["organization", "network", *DEV_ACCOUNTS])
    doc = yaml.safe_load((root / "Pulumi.dev.prod-apps.yaml").read_text())
    assert doc == {"environment": ["landing-zone/dev"],
                   "config": {"landing-zone:stack": {"part": "account", "account": "prod-apps"}}}
    assert (root / "Pulumi.dev.network.yaml").read_text().startswith("# Generated by `lz stacks --write`")
    assert lz("validate", "--stack", "dev.network", "--root", str(root))[0] == 0

    code, output = lz("stacks", "--stack", "dev.network", "--write", "--root", str(root))
    assert code == 0 and "dev.network: a stack of the split organization dev" in output
    assert output.count("unchanged: ") == 7 and "written: " not in output
    assert lz("stacks", "--stack", "dev", "--check", "--root", str(root))[0] == 0


def test_check_fails_on_an_edited_or_missing_file_and_names_it(root):
    lz("stacks", "--stack", "dev", "--write", "--root", str(root))
    (root / "Pulumi.dev.network.yaml").write_text("environment: [landing-zone/dev]\n")
    (root / "Pulumi.dev.sandbox.yaml").unlink()
    code, output = lz("stacks", "--stack", "dev", "--check", "--root", str(root))
    assert code == 1
    assert "out of date: Pulumi.dev.network.yaml" in output and "out of date: Pulumi.dev.sandbox.yaml" in output
    assert "Pulumi.dev.organization.yaml" not in output.split("layer 2")[1]


def test_an_account_removed_from_the_config_leaves_a_stale_file_named_not_deleted(root):
    lz("stacks", "--stack", "dev", "--write", "--root", str(root))
    path = root / "environments" / "landing-zone" / "dev.yaml"
    definition = yaml.safe_load(path.read_text())
    config = definition["values"]["pulumiConfig"]
    config["landing-zone:accounts"] = [a for a in config["landing-zone:accounts"] if a["name"] != "sandbox"]
    config["landing-zone:cost"]["budgets"].pop("sandbox")
    path.write_text(yaml.safe_dump(definition, sort_keys=False))
    code, output = lz("stacks", "--stack", "dev", "--write", "--root", str(root))
    assert code == 0, output
    assert "stale (not written, not deleted" in output and "Pulumi.dev.sandbox.yaml" in output
    assert (root / "Pulumi.dev.sandbox.yaml").exists()


def test_write_needs_the_stack_to_import_its_config_from_an_environment(tmp_path):
    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": stack_config("dev", ROOT)}))
    assert lz("stacks", "--stack", "dev", "--root", str(tmp_path))[0] == 0  # the graph needs no environment
    code, output = lz("stacks", "--stack", "dev", "--write", "--root", str(tmp_path))
    assert code == 2 and "imports none" in output and not list(tmp_path.glob("Pulumi.dev.*.yaml"))


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_shipped_split_stack_files_are_what_lz_stacks_writes(stack):
    org = stack_files.split_stacks_of(stack, ROOT)
    expected = stack_files.expected_files(org, ROOT)
    assert stack_files.out_of_date(expected) == [], f"run: lz stacks --stack {stack} --write"
    assert stack_files.stale(org, ROOT, expected) == []
