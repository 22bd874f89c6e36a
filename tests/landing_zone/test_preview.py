"""`lz plan --preview` of the real prod stack: unknown ids stay unknown, and the check says so instead of crashing."""

import json

from plans import ROOT
from typer.testing import CliRunner

from landing_zone.cli import app
from landing_zone.plan_index import contains_unknowns


def test_preview_of_prod_plans_and_checks_with_advisories(tmp_path):
    plan_file = tmp_path / "plan.json"
    planned = CliRunner().invoke(app, ["plan", "--stack", "prod", "--preview", "--out", str(plan_file), "--root", str(ROOT)])
    assert planned.exit_code == 0, planned.output
    plan = json.loads(plan_file.read_text())
    accounts = [r for r in plan["resources"] if r["type"] == "aws:organizations/account:Account"]
    assert accounts and all(r["id"] in (None, "") and "arn" not in r["outputs"] for r in accounts)  # computed: unknown
    assert any(contains_unknowns(r["inputs"]) for r in plan["resources"])  # e.g. role ARNs built from new account ids

    checked = CliRunner().invoke(app, ["check", "--stack", "prod", "--plan", str(plan_file), "--format", "json",
                                       "--root", str(ROOT)])
    assert checked.exit_code == 0, checked.output
    report = json.loads(checked.output)
    assert report["summary"]["mandatory"] == 0
    assert report["summary"]["unknown_during_preview"] > 0
    assert any("cannot verify during preview" in v["message"] for v in report["violations"])
