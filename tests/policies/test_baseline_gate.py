"""Issue 20's cases on the shipped prod config: a switched-off control, prod <-> nonprod joined, a 30-day log archive.

Each fails the gate naming the config key: `lz validate` exits 2, and the pack (rules REQ-01 to REQ-03, over gRPC on
the prod plan with the changed stack config) exits 1. Both apply one predicate: the validator's
landing_zone/baseline_controls.py, handed to the pack as data (facts.json); the last tests prove they agree.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from lz_policies import stack_baseline
from typer.testing import CliRunner

from landing_zone import baseline_controls, check
from landing_zone.check_result import exit_code
from landing_zone.cli import app
from landing_zone.config import stack_config
from landing_zone.segments import DEFAULT_REACHABILITY

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "policies"
PROD = stack_config("prod", ROOT)
EXCEPTION = {"segments": ["prod", "nonprod"], "reason": "one-off data migration", "reviewer": "secops@example.com",
             "reviewed": "2026-11-30"}


def _security(key: str, value) -> Callable[[dict], None]:
    return lambda c: c["landing-zone:security"].update({key: value})


def _join_prod_and_nonprod(c: dict) -> None:
    reach = {s: list(p) for s, p in DEFAULT_REACHABILITY.items()}
    reach["prod"].append("nonprod")
    reach["nonprod"].append("prod")
    c.setdefault("landing-zone:network", {})["reachability"] = reach


# (case, edit of the prod config, the config key the message must name)
CASES = [
    *[(f"{key} off", _security(key, False), f"security.{key}") for key in baseline_controls.REQUIRED_CONTROLS],
    ("no Security Hub standard", _security("security_hub_standards", []), "security.security_hub_standards"),
    ("log archive 30 days", _security("log_archive_retention_days", 30), "security.log_archive_retention_days"),
    ("log groups 30 days", _security("log_retention_days", 30), "security.log_retention_days"),
    ("prod <-> nonprod", _join_prod_and_nonprod, "network.reachability.prod"),
]


def _write(root: Path, edit: Callable[[dict], None]) -> None:
    config = copy.deepcopy(PROD)
    edit(config)
    (root / "Pulumi.prod.yaml").write_text(yaml.safe_dump({"config": config}, sort_keys=False))


def _validate(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["validate", "--stack", "prod", "--root", str(root)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.mark.parametrize(("edit", "key"), [pytest.param(e, k, id=n) for n, e, k in CASES])
def test_validate_refuses_each_case_naming_the_key(tmp_path, edit, key):
    _write(tmp_path, edit)
    code, output = _validate(tmp_path)
    assert code == 2, output
    assert re.search(rf"^error: Pulumi\.prod\.yaml:\d+: {re.escape(key)} ", output, re.MULTILINE), output
    assert "Traceback" not in output


def test_the_shipped_prod_config_is_valid(tmp_path):
    _write(tmp_path, lambda c: None)
    code, out = _validate(tmp_path)
    assert (code, out.split(" (")[0]) == (0, "prod: valid"), out


def test_a_reviewed_exception_lets_validate_join_the_pair(tmp_path, monkeypatch):
    _write(tmp_path, _join_prod_and_nonprod)
    policy_config = tmp_path / "policy-config.json"
    monkeypatch.setattr(baseline_controls, "POLICY_CONFIG", policy_config)
    policy_config.write_text(json.dumps({baseline_controls.ISOLATION_POLICY: {"exceptions": [EXCEPTION]}}))
    assert _validate(tmp_path)[0] == 0
    policy_config.write_text(json.dumps({baseline_controls.ISOLATION_POLICY: {"exceptions": [
        {**EXCEPTION, "reviewer": ""}]}}))
    code, output = _validate(tmp_path)
    assert code == 2 and "policy-config.json: req-02-isolated-segments-stay-apart.exceptions[0]: missing reviewer" \
        in output, output


@pytest.mark.parametrize(("edit", "key"), [pytest.param(e, k, id=n) for n, e, k in CASES
                                           if n in ("cloudtrail off", "log archive 30 days", "prod <-> nonprod")])
def test_the_pack_fails_each_case_on_the_prod_plan_naming_the_key(tmp_path, stack_plan, edit, key):
    _write(tmp_path, edit)
    plan = stack_plan("prod")
    with check.PolicyPackProcess(PACK, check.pack_environment(plan, "prod", tmp_path)) as pack:
        result = check.run_check(plan, PACK, None, "prod", pack=pack)
    found = [v for v in result.violations if v.policy.startswith("req-")]
    assert exit_code(result) == 1
    assert found and any(f": {key} " in v.message for v in found), found


# --- one predicate ------------------------------------------------------------------------------------------------
VARIANTS = [  # (config, refused)
    ({}, False),
    ({"security": {"cloudtrail": False, "inspector": False}}, True),
    ({"security": {"security_hub_standards": []}}, True),
    ({"security": {"security_hub": False, "security_hub_standards": []}}, True),
    ({"security": {"log_archive_retention_days": 30}}, True),
    ({"security": {"log_archive_retention_days": 30}, "environments": ["nonprod", "core"]}, False),
    ({"security": {"log_retention_days": 90, "log_archive_retention_days": 364}}, True),
    ({"reachability": {"prod": ["nonprod", "sandbox"], "nonprod": ["prod"], "sandbox": ["prod"]}}, True),
    ({"reachability": {"prod": ["nonprod"], "nonprod": ["prod"]}, "exceptions": [EXCEPTION]}, False),
    ({"reachability": {"prod": ["nonprod"], "nonprod": ["prod"]}, "exceptions": [{**EXCEPTION, "reason": ""}]}, True),
]


@pytest.mark.parametrize(("variant", "refused"), VARIANTS)
def test_validator_and_pack_give_the_same_refusals(variant, refused):
    security = {"alarm_email": "sec@example.com", **variant.get("security", {})}
    environments = variant.get("environments", ["prod", "core"])
    reachability = variant.get("reachability", {})
    exceptions = variant.get("exceptions", [])
    ours = [r.message for r in baseline_controls.refusals(security, environments, reachability, exceptions)]
    raw = {"security": security, "accounts": [{"environment": e} for e in environments],
           "network": {"reachability": reachability}}
    theirs = [message for _, message in stack_baseline.config_refusals(raw, exceptions)]
    assert ours == theirs
    assert bool(ours) == refused, ours


def test_dr01_names_the_target_the_plan_meets(tmp_path, stack_plan):
    """Issue 20: prod-apps' dr.rto_minutes set to 1; DR-01 says what the plan meets and which key sets it."""
    _write(tmp_path, lambda c: next(a for a in c["landing-zone:accounts"] if a["name"] == "prod-apps")["dr"].update(
        rto_minutes=1))
    plan = stack_plan("prod")
    with check.PolicyPackProcess(PACK, check.pack_environment(plan, "prod", tmp_path)) as pack:
        result = check.run_check(plan, PACK, None, "prod", pack=pack)
    found = [v for v in result.violations if v.policy.startswith("dr-01")]
    assert exit_code(result) == 1 and found
    assert all("meets rpo_minutes: 1, rto_minutes: 10 for prod-apps: set those in accounts[3] (prod-apps).dr"
               in v.message for v in found), found[0].message


def test_an_app_teams_stack_is_not_judged_by_the_baseline_rules():
    """No landing-zone config and none of its components: the REQ rules do not apply (and say why)."""
    from test_pack_grpc import plan as app_plan

    result = check.run_check(app_plan(), PACK, None, "test", root=PACK)
    skipped = {name: reason for name, reason in result.not_applicable if name.startswith("req-")}
    assert set(skipped) == {"req-01-baseline-controls-required", "req-02-isolated-segments-stay-apart",
                            "req-03-log-archive-kept-a-year"}, result.not_applicable
    assert all("not a landing-zone stack" in reason for reason in skipped.values())
    assert not [v for v in result.violations if v.policy.startswith("req-")]


def _tgw_route(plan: dict, table: str, attachment: str, cidr: str) -> dict:
    """A static TGW route added to the prod plan, as the network account's provider would create it."""
    by_name = {r["name"]: r for r in plan["resources"]}
    rt, att = by_name[f"network-ap-south-1-tgw-rt-{table}"], by_name[f"{attachment}-ap-south-1-tgw-attachment"]
    props = {"destinationCidrBlock": cidr, "transitGatewayRouteTableId": rt["id"], "transitGatewayAttachmentId": att["id"]}
    name = f"network-ap-south-1-tgw-route-{table}-{cidr.replace('/', '_')}"
    return {**rt, "urn": rt["urn"].rsplit("::", 2)[0] + f"::aws:ec2transitgateway/route:Route::{name}",
            "type": "aws:ec2transitgateway/route:Route", "name": name, "id": f"{rt['id']}_{cidr}", "inputs": props,
            "outputs": props, "dependencies": [rt["urn"], att["urn"]], "property_dependencies": {}, "protect": False}


@pytest.mark.parametrize("policy_config", [None, {"req-02-isolated-segments-stay-apart": {"exceptions": [EXCEPTION]}}],
                         ids=["no exception", "reviewed exception"])
def test_tgw_routes_joining_prod_and_nonprod_in_the_prod_plan_fail_without_an_exception(stack_plan, policy_config):
    plan = copy.deepcopy(stack_plan("prod"))
    plan["resources"] += [_tgw_route(plan, "nonprod", "prod-apps", "10.1.0.0/16"),
                          _tgw_route(plan, "prod", "nonprod-apps", "10.11.0.0/16")]
    result = check.run_check(plan, PACK, policy_config, "prod", root=ROOT)
    found = [v for v in result.violations if v.policy == "req-02-isolated-segments-stay-apart"]
    if policy_config is None:
        assert found and "the prod and nonprod segments stay isolated" in found[0].message, result.violations
    else:
        assert not found, found
