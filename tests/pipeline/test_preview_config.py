"""`lz config`: what the pipeline hands Pulumi besides the code. A pull request's preview must show the pull request's
config, not the service's copy of the ESC environment (which is main's until the deploy pushes); the deploy pushes
every environment the stack imports."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from typer.testing import CliRunner

from landing_zone.cli import app
from landing_zone.config import read_stack_file

ROOT = Path(__file__).resolve().parents[2]
ENV = Path("environments/landing-zone/prod.yaml")


def checkout(tmp_path: Path, name: str) -> Path:
    """A copy of the stack files and environments (one per side: the pull request's, the service's)."""
    root = tmp_path / name
    shutil.copytree(ROOT / "environments", root / "environments")
    for stack_file in ROOT.glob("Pulumi.prod*.yaml"):
        shutil.copy(stack_file, root)
    return root


def lz(*args: str):
    return CliRunner().invoke(app, list(args))


def test_the_preview_config_is_the_pull_requests_and_leaves_only_esc_secrets_to_the_service(tmp_path):
    pull_request, service = checkout(tmp_path, "pr"), checkout(tmp_path, "service")
    env = pull_request / ENV
    env.write_text(env.read_text().replace("owner: platform-team", "owner: network-team"))  # the change under review
    out = tmp_path / "preview.yaml"
    result = lz("config", "--stack", "prod", "--out", str(out), "--root", str(pull_request))
    assert result.exit_code == 0, result.output
    assert "landing-zone:network hold ESC secrets" in " ".join(result.output.split())
    # what `pulumi preview --config-file` sees: the file's config on top of the service's (old) environment
    shutil.copy(out, service / "Pulumi.preview.yaml")
    seen = read_stack_file(service / "Pulumi.preview.yaml")
    wanted = read_stack_file(pull_request / "Pulumi.prod.yaml")
    assert seen["landing-zone:organization"]["tags"]["owner"] == "network-team"
    assert {k: v for k, v in seen.items() if k != "landing-zone:network"} == \
           {k: v for k, v in wanted.items() if k != "landing-zone:network"}
    assert seen["landing-zone:network"] == read_stack_file(service / "Pulumi.prod.yaml")["landing-zone:network"]
    document = yaml.safe_load(out.read_text())
    assert document["environment"] == ["landing-zone/prod"] and "landing-zone:network" not in document["config"]
    assert "secure" not in out.read_text()  # an ESC ciphertext is not the stack's: never inlined


def test_the_environments_to_push_nested_imports_first(tmp_path):
    root = checkout(tmp_path, "pr")
    (root / "environments" / "landing-zone" / "base.yaml").write_text("values: {}\n")
    env = root / ENV
    env.write_text("imports:\n  - landing-zone/base\n" + env.read_text())
    result = lz("config", "--stack", "prod.network", "--environments", "--root", str(root))
    assert result.exit_code == 0, result.output
    assert result.output.split("\n")[:2] == ["landing-zone/base environments/landing-zone/base.yaml",
                                             "landing-zone/prod environments/landing-zone/prod.yaml"]


def test_bad_input_exits_2_naming_it_and_writes_nothing(tmp_path):
    out = tmp_path / "preview.yaml"
    for args, message in ((["--stack", "prod"], "exactly one of --out FILE and --environments"),
                          (["--stack", "nope", "--out", str(out)], "Pulumi.nope.yaml: stack file not found")):
        result = lz("config", *args, "--root", str(ROOT))
        assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    root = checkout(tmp_path, "pr")
    (root / ENV).write_text((root / ENV).read_text().replace("home_region: ap-south-1", "home_region: mars-1"))
    result = lz("config", "--stack", "prod", "--out", str(out), "--root", str(root))
    assert result.exit_code == 2 and "home_region" in result.output
    assert not out.exists()
