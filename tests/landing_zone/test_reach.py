"""`lz reach`: the prod plan's reachability equals the intent; deliberately mis-wired copies of it are caught."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from rich.console import Console
from stack_plans import full_plan

from landing_zone import reach
from landing_zone.check import run_check
from landing_zone.config import load_stack
from landing_zone.policy_config import load_policy_config

REPO_ROOT = Path(__file__).resolve().parents[2]
TGW_RT = "aws:ec2transitgateway/routeTable:RouteTable"
ASSOC = "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation"
PROP = "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation"
TGW_ROUTE = "aws:ec2transitgateway/route:Route"
ACCEPT = "aws:ec2transitgateway/vpcAttachmentAccepter:VpcAttachmentAccepter"
VPN = "aws:ec2/vpnConnection:VpnConnection"
HOME = "ap-south-1"


@pytest.fixture
def prod_plan() -> dict:
    return copy.deepcopy(full_plan("prod"))  # the session's plan, copied per test: tests mis-wire it


def _run(plan: dict, tmp_path: Path) -> tuple[int, str]:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    console = Console(record=True, width=250, force_terminal=False, color_system=None)
    code = reach.main("prod", REPO_ROOT, path, console=console)
    return code, console.export_text()


def _table(plan: dict, segment: str, region: str = HOME) -> dict:
    (table,) = [r for r in plan["resources"] if r["type"] == TGW_RT and r["inputs"]["tags"]["segment"] == segment
                and r["name"].startswith(f"network-{region}-")]
    return table


def _accepter(plan: dict, account: str, region: str = HOME) -> dict:
    return next(r for r in plan["resources"] if r["type"] == ACCEPT and r["name"] == f"{account}-{region}-tgw-attachment-accept")


def _point_at(resource: dict, prop: str, target: dict) -> None:
    """Make `resource.prop` reference `target`, by value and by graph edge, as the engine would record it."""
    resource["inputs"][prop] = target["id"]
    resource["property_dependencies"][prop] = [target["urn"]]


def _add(plan: dict, original: dict, name: str) -> dict:
    clone = copy.deepcopy(original)
    clone["name"] = name
    clone["urn"] = original["urn"].rsplit("::", 1)[0] + "::" + name
    plan["resources"].append(clone)
    return clone


def test_prod_plan_equals_intent(prod_plan, tmp_path):
    code, text = _run(prod_plan, tmp_path)
    assert code == reach.OK, text
    assert "reachability equals the intent" in text
    for segment in ("prod", "nonprod", "sandbox", "shared", "hybrid"):
        assert segment in text


def prod_propagates_into_the_nonprod_table(plan: dict) -> None:
    propagation = next(r for r in plan["resources"] if r["type"] == PROP
                       and r["name"] == f"network-{HOME}-tgw-prop-prod-vpc-prod-apps")
    miswired = _add(plan, propagation, f"network-{HOME}-tgw-prop-nonprod-vpc-prod-apps")
    _point_at(miswired, "transitGatewayRouteTableId", _table(plan, "nonprod"))


def _prod_route_template(plan: dict) -> dict:
    return next(r for r in plan["resources"] if r["type"] == TGW_ROUTE and not r["inputs"].get("blackhole")
                and r["name"].startswith(f"network-{HOME}-tgw-route-prod-"))


def static_route_to_sandbox(plan: dict) -> str:
    sandbox_cidr = load_stack("prod", REPO_ROOT).account("sandbox").vpcs[HOME].cidr
    route = _add(plan, _prod_route_template(plan), f"network-{HOME}-tgw-route-prod-to-sandbox")
    route["inputs"]["destinationCidrBlock"] = sandbox_cidr
    _point_at(route, "transitGatewayAttachmentId", _accepter(plan, "sandbox"))
    return sandbox_cidr


def static_routes_both_ways_between_prod_and_sandbox(plan: dict) -> None:
    cfg = load_stack("prod", REPO_ROOT)
    static_route_to_sandbox(plan)
    back = _add(plan, _prod_route_template(plan), f"network-{HOME}-tgw-route-sandbox-to-prod")
    back["inputs"]["destinationCidrBlock"] = cfg.account("prod-apps").vpcs[HOME].cidr
    _point_at(back, "transitGatewayRouteTableId", _table(plan, "sandbox"))
    _point_at(back, "transitGatewayAttachmentId", _accepter(plan, "prod-apps"))


def vpn_associated_with_the_sandbox_table(plan: dict) -> None:
    vpn = next(r for r in plan["resources"] if r["type"] == VPN)
    association = next(r for r in plan["resources"] if r["type"] == ASSOC
                       and vpn["urn"] in r["property_dependencies"].get("transitGatewayAttachmentId", []))
    _point_at(association, "transitGatewayRouteTableId", _table(plan, "sandbox"))


def test_prod_propagating_into_the_nonprod_table_is_caught(prod_plan, tmp_path):
    prod_propagates_into_the_nonprod_table(prod_plan)
    code, text = _run(prod_plan, tmp_path)
    assert code == reach.DIFFERENT
    assert "nonprod -> prod is one-way" in text  # nonprod now routes to prod; prod has no way back (yet)


def test_static_route_to_sandbox_is_caught(prod_plan, tmp_path):
    sandbox_cidr = static_route_to_sandbox(prod_plan)
    code, text = _run(prod_plan, tmp_path)
    assert code == reach.DIFFERENT
    assert "prod -> sandbox is one-way" in text and sandbox_cidr in text


def test_static_routes_both_ways_between_prod_and_sandbox_are_a_leak(prod_plan, tmp_path):
    static_routes_both_ways_between_prod_and_sandbox(prod_plan)
    code, text = _run(prod_plan, tmp_path)
    assert code == reach.DIFFERENT
    assert "prod <-> sandbox exchange traffic but the intent forbids it" in text
    assert "✗ leak" in text


def test_vpn_associated_with_the_sandbox_table_is_caught(prod_plan, tmp_path):
    vpn_associated_with_the_sandbox_table(prod_plan)
    code, text = _run(prod_plan, tmp_path)
    assert code == reach.DIFFERENT
    assert "hybrid -> sandbox is one-way" in text


@pytest.mark.parametrize("miswire", [prod_propagates_into_the_nonprod_table, static_route_to_sandbox,
                                     static_routes_both_ways_between_prod_and_sandbox,
                                     vpn_associated_with_the_sandbox_table], ids=lambda f: f.__name__)
def test_the_pack_catches_the_same_miswiring_through_grpc(prod_plan, miswire):
    """X-17 runs the same computation inside the pack: `lz check` fails where `lz reach` does."""
    miswire(prod_plan)
    result = run_check(prod_plan, REPO_ROOT / "policies", load_policy_config(REPO_ROOT / "policy-config.json"),
                       "prod", root=REPO_ROOT)
    assert "x-17-segment-reachability-matches-intent" in {v.policy for v in result.mandatory}, result.mandatory


def test_invalid_config_exits_2(tmp_path, capsys):
    (tmp_path / "Pulumi.bad.yaml").write_text("config:\n  landing-zone:organization: {name: Bad_Name}\n")
    assert reach.main("bad", tmp_path, None) == reach.INVALID
    err = capsys.readouterr().err
    assert "organization.name" in err and "Traceback" not in err


def test_unreadable_plan_exits_2(tmp_path, capsys):
    missing = tmp_path / "missing.json"
    assert reach.main("prod", REPO_ROOT, missing) == reach.INVALID
    assert f"{missing}: cannot read the plan" in capsys.readouterr().err
