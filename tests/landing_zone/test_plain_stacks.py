"""Self-managed backends: `lz stacks --write --plain` writes every stack file with its config inline, the offline tools
read that form (LZ_STACK_CONFIG_DIR / Pulumi.yaml stackConfigDir), and `lz validate` warns when a stack file imports
ESC while the backend is self-managed."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from stack_plans import ROOT, full_plan
from typer.testing import CliRunner

from landing_zone import plain_stacks
from landing_zone.cli import app
from landing_zone.config import STACK_CONFIG_DIR_ENV, stack_config, stack_file
from landing_zone.plan import run_plan
from landing_zone.stacks import graph
from landing_zone.wire import is_secret, secret

PROD_STACKS = ["prod", "prod.organization", "prod.network", "prod.prod-apps", "prod.prod-data", "prod.nonprod-apps",
               "prod.nonprod-data", "prod.sandbox"]


def lz(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.fixture
def dev_root(tmp_path: Path) -> Path:
    """A project root with the dev organization's ESC environment and Pulumi.dev.yaml (enough for `lz stacks`)."""
    shutil.copytree(ROOT / "environments", tmp_path / "environments")
    shutil.copy(ROOT / "Pulumi.dev.yaml", tmp_path)
    return tmp_path


def _masked(value: Any, found: list[int]) -> Any:
    """`value` with every secret's (or `secure:`'s) value replaced: the two forms differ only in the ciphertexts."""
    if is_secret(value) or (isinstance(value, dict) and set(value) == {"secure"}):
        found.append(1)
        return secret("<secret>")
    if isinstance(value, dict):
        return {k: _masked(v, found) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, found) for v in value]
    return value


def test_prod_plain_form_validates_and_plans_to_the_esc_forms_plan(tmp_path, monkeypatch):
    plain = tmp_path / "plain"
    code, output = lz("stacks", "--stack", "prod", "--write", "--plain", "--dir", str(plain))
    assert code == 0, output
    assert sorted(p.name for p in plain.iterdir()) == sorted(f"Pulumi.{s}.yaml" for s in PROD_STACKS)
    for path in plain.iterdir():  # no ESC import anywhere: a self-managed backend accepts it
        assert "environment" not in yaml.safe_load(path.read_text())
    assert output.count("pulumi config set --secret --path --stack prod ") == 3  # 2 VPN keys, the Client VPN key

    monkeypatch.setenv(STACK_CONFIG_DIR_ENV, str(plain))
    for stack in PROD_STACKS:
        code, output = lz("validate", "--stack", stack)
        assert code == 0 and "valid" in output, output
        assert "3 secret(s) still a placeholder" in " ".join(output.split())
    assert stack_file("prod", ROOT) == plain / "Pulumi.prod.yaml"
    esc_secrets, plain_secrets = [], []
    esc = _masked(copy.deepcopy(full_plan("prod")), esc_secrets)
    planned = _masked(run_plan("prod", ROOT), plain_secrets)
    assert len(esc["resources"]) > 2000 and esc_secrets and len(plain_secrets) == len(esc_secrets)
    assert planned == esc


def test_every_plain_stack_resolves_to_the_config_of_its_esc_form(tmp_path, monkeypatch):
    """The same config (secrets aside) and part, stack by stack: so each split stack plans the same too."""
    plain = tmp_path / "plain"
    assert lz("stacks", "--stack", "prod", "--write", "--plain", "--dir", str(plain))[0] == 0
    esc = {s: stack_config(s, ROOT) for s in PROD_STACKS}
    monkeypatch.setenv(STACK_CONFIG_DIR_ENV, str(plain))
    for stack in PROD_STACKS:
        found: list[int] = []
        assert _masked(stack_config(stack, ROOT), found) == _masked(esc[stack], []), stack
        assert found, stack


def test_check_plain_keeps_set_secrets_and_names_stale_files(dev_root):
    plain = dev_root / "self-managed"
    code, output = lz("stacks", "--stack", "dev", "--write", "--plain", "--root", str(dev_root))
    assert code == 0 and (plain / "Pulumi.dev.network.yaml").exists()
    assert "pulumi config set --secret --path --stack dev.network --config-file self-managed/Pulumi.dev.network.yaml " \
           "landing-zone:network.client_vpn.server_certificate.private_key" in output.replace("\n", " ")
    assert lz("stacks", "--stack", "dev", "--check", "--plain", "--root", str(dev_root))[0] == 0

    # what `pulumi config set --secret` writes into a file: its secrets provider's keys and the value
    path = plain / "Pulumi.dev.network.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["encryptionsalt"] = "v1:c2FsdA==:v1:bm9uY2U=:Y2lwaGVy"
    doc["config"]["landing-zone:network"]["client_vpn"]["server_certificate"]["private_key"] = {"secure": "v1:a2V5"}
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    code, output = lz("stacks", "--stack", "dev", "--check", "--plain", "--root", str(dev_root))
    assert code == 0, output
    assert "--stack dev.network" not in output  # nothing left to set there

    env = dev_root / "environments" / "landing-zone" / "dev.yaml"
    env.write_text(env.read_text().replace("cost-center: platform-dev", "cost-center: cloud-team"))
    (plain / "Pulumi.dev.ghost.yaml").write_text("config: {}\n")
    code, output = lz("stacks", "--stack", "dev", "--check", "--plain", "--root", str(dev_root))
    assert code == 1 and "out of date" in output and "Pulumi.dev.network.yaml" in output
    assert "--write --plain" in output and "stale" in output and "Pulumi.dev.ghost.yaml" in output
    assert lz("stacks", "--stack", "dev", "--write", "--plain", "--root", str(dev_root))[0] == 0
    kept = yaml.safe_load(path.read_text())
    assert kept["encryptionsalt"] == doc["encryptionsalt"] and "cloud-team" in path.read_text()
    assert kept["config"]["landing-zone:network"]["client_vpn"]["server_certificate"]["private_key"] == {
        "secure": "v1:a2V5"}


def test_plain_files_never_overwrite_the_esc_form(dev_root):
    code, output = lz("stacks", "--stack", "dev", "--write", "--plain", "--dir", str(dev_root), "--root", str(dev_root))
    assert code == 2 and "Traceback" not in output
    assert "the ESC-form stack files live there" in " ".join(output.split())
    assert "environment" in yaml.safe_load((dev_root / "Pulumi.dev.yaml").read_text())


@pytest.mark.parametrize("backend, where, warned", [
    ("s3://acme-pulumi-state/landing-zone", "env", True),
    ("file://~", "project", True),
    ("azblob://state", "env", True),
    ("https://api.pulumi.com", "env", False),
    (None, None, False),
])
def test_validate_warns_when_a_self_managed_backend_meets_an_esc_import(dev_root, monkeypatch, backend, where, warned):
    monkeypatch.delenv(plain_stacks.BACKEND_ENV, raising=False)
    project = {"name": "landing-zone", "runtime": "python"}
    if where == "env":
        monkeypatch.setenv(plain_stacks.BACKEND_ENV, backend)
    elif where == "project":
        project["backend"] = {"url": backend}
    (dev_root / "Pulumi.yaml").write_text(yaml.safe_dump(project))
    code, output = lz("validate", "--stack", "dev", "--root", str(dev_root))
    assert code == 0, output
    assert ("refuses stack files with environments" in " ".join(output.split())) is warned


def test_pulumi_yaml_stack_config_dir_is_where_lz_reads_stack_files(dev_root, monkeypatch):
    monkeypatch.delenv(STACK_CONFIG_DIR_ENV, raising=False)
    monkeypatch.setenv(plain_stacks.BACKEND_ENV, "s3://acme-pulumi-state")
    assert lz("stacks", "--stack", "dev", "--write", "--plain", "--root", str(dev_root))[0] == 0
    (dev_root / "Pulumi.yaml").write_text("name: landing-zone\nruntime: python\nstackConfigDir: self-managed\n")
    assert stack_file("dev.sandbox", dev_root) == dev_root / "self-managed" / "Pulumi.dev.sandbox.yaml"
    code, output = lz("validate", "--stack", "dev.sandbox", "--root", str(dev_root))
    assert code == 0 and "refuses stack files with environments" not in output  # the plain form imports nothing
    nodes = [n.name for n in graph(*_cfg_and_base(dev_root))]
    assert all(stack_file(n, dev_root).exists() for n in nodes)


def _cfg_and_base(root: Path):
    from landing_zone.config import load_stack

    return load_stack("dev", root), "dev"


def test_a_dir_that_cannot_be_written_exits_2_naming_it(dev_root):
    (dev_root / "taken").write_text("a file, not a folder\n")
    code, output = lz("stacks", "--stack", "dev", "--write", "--plain", "--dir", str(dev_root / "taken"),
                      "--root", str(dev_root))
    assert code == 2 and "Traceback" not in output and f"cannot write {dev_root / 'taken'}" in " ".join(output.split())
