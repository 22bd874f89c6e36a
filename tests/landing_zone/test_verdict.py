"""The sample stacks pass their own policy pack: `lz check` over the gRPC path finds no mandatory violation."""

from __future__ import annotations

import json

import pytest
from plans import ROOT, STACKS, plan_of
from typer.testing import CliRunner

from landing_zone.check import run_check
from landing_zone.check_result import exit_code
from landing_zone.cli import app
from landing_zone.policy_config import load_policy_config


@pytest.mark.parametrize("stack", STACKS)
def test_the_whole_pack_finds_no_mandatory_violation(stack):
    result = run_check(plan_of(stack), ROOT / "policies", load_policy_config(ROOT / "policy-config.json"), stack,
                       root=ROOT)
    found = [f"{v.policy} {v.name}: {v.message.splitlines()[-1]}" for v in result.mandatory]
    assert found == [], "\n".join(found)
    assert exit_code(result) == 0
    assert len(result.policies) >= 87  # every rule of CONTROLS.md ran


def test_lz_check_of_prod_exits_0_and_reports_json(tmp_path):
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan_of("prod")))
    result = CliRunner().invoke(app, ["check", "--stack", "prod", "--plan", str(plan_file), "--format", "json",
                                      "--root", str(ROOT)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["summary"]["mandatory"] == 0 and report["summary"]["resources"] == len(plan_of("prod")["resources"])


def test_without_the_reviewed_exception_the_admin_permission_set_is_a_violation():
    result = run_check(plan_of("prod"), ROOT / "policies", None, "prod", root=ROOT)
    assert {v.policy for v in result.mandatory} == {"iam-03-no-administrator-access"}
