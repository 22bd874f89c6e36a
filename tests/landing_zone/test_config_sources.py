"""Validation errors name the file and line of the value (through the ESC merge) and each account by name."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from typer.testing import CliRunner

from landing_zone.cli import app
from landing_zone.config_sources import locate, source_map

ROOT = Path(__file__).resolve().parents[2]
ENV = Path("environments/landing-zone/prod.yaml")


def _project(tmp_path: Path, stack_text: str, edit_env=None) -> Path:
    shutil.copytree(ROOT / "environments", tmp_path / "environments")
    if edit_env:
        path = tmp_path / ENV
        path.write_text(edit_env(path.read_text()))
    (tmp_path / "Pulumi.t.yaml").write_text(stack_text)
    return tmp_path


def _validate(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["validate", "--stack", "t", "--root", str(root)])
    return result.exit_code, result.output


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_an_error_in_an_imported_environment_names_its_file_line_and_account(tmp_path):
    root = _project(tmp_path, "environment:\n  - landing-zone/prod\n",
                    lambda t: t.replace("ap-south-1: {cidr: 10.21.0.0/20, azs: 2}", "ap-south-1: {cidr: 10.1.16.0/20, azs: 2}"))
    code, output = _validate(root)
    line = _line_of(root / ENV, "10.1.16.0/20")
    assert code == 2
    assert (f"error: {ENV}:{line}: accounts[7] (sandbox).vpcs.ap-south-1.cidr: 10.1.16.0/20 overlaps accounts[3] "
            "(prod-apps).vpcs.ap-south-1.cidr 10.1.0.0/16") in output, output


def test_the_stack_files_own_config_wins_and_is_named(tmp_path):
    security = yaml.safe_load((ROOT / ENV).read_text())["values"]["pulumiConfig"]["landing-zone:security"]
    stack = {"environment": ["landing-zone/prod"],
             "config": {"landing-zone:security": {**security, "log_archive_retention_days": 30}}}
    root = _project(tmp_path, yaml.safe_dump(stack, sort_keys=False))
    code, output = _validate(root)
    line = _line_of(root / "Pulumi.t.yaml", "log_archive_retention_days: 30")
    assert code == 2 and f"error: Pulumi.t.yaml:{line}: security.log_archive_retention_days is 30" in output, output


def test_a_switched_off_control_is_named_at_its_line(tmp_path):
    root = _project(tmp_path, "environment:\n  - landing-zone/prod\n",
                    lambda t: t.replace("      alarm_email: security-alerts@example.com\n",
                                        "      alarm_email: security-alerts@example.com\n      cloudtrail: false\n"))
    code, output = _validate(root)
    line = _line_of(root / ENV, "cloudtrail: false")
    assert code == 2 and f"error: {ENV}:{line}: security.cloudtrail is false" in output, output


def test_a_missing_value_points_at_its_nearest_written_parent(tmp_path):
    root = _project(tmp_path, "environment:\n  - landing-zone/prod\n",
                    lambda t: t.replace("      alarm_email: security-alerts@example.com\n", ""))
    code, output = _validate(root)
    line = _line_of(root / ENV, "landing-zone:security:")
    assert code == 2 and f"error: {ENV}:{line}: security.alarm_email: required" in output, output


def test_a_later_list_replaces_the_earlier_ones_lines(tmp_path):
    base = tmp_path / "environments" / "p" / "base.yaml"
    base.parent.mkdir(parents=True)
    base.write_text("values:\n  pulumiConfig:\n    landing-zone:accounts:\n      - name: a\n      - name: b\n")
    (tmp_path / "Pulumi.t.yaml").write_text("environment: [p/base]\nconfig:\n  landing-zone:accounts:\n"
                                            "    - name: c\n")
    sources = source_map(tmp_path / "Pulumi.t.yaml", tmp_path)
    assert sources["accounts[0].name"] == "Pulumi.t.yaml:4" and "accounts[1]" not in sources
    assert locate(["accounts[0].email: required", "unrelated: x"], sources, ["c"]) == [
        "Pulumi.t.yaml:4: accounts[0] (c).email: required", "unrelated: x"]
