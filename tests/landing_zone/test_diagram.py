"""`lz diagram`: every account, VPC CIDR and segment is drawn; reachability as configured; clear errors."""

from __future__ import annotations

import copy
import html
import re
import shutil

import pytest
import yaml
from plans import ROOT, STACKS, plan_of

from landing_zone import diagram
from landing_zone.config import load_stack, stack_config
from landing_zone.dns import resolver_regions

DOT = shutil.which("dot")
pytestmark = pytest.mark.usefixtures("plans_from_session")  # diagram.main plans the stack: use the session's plan


@pytest.fixture(scope="module", params=STACKS)
def stack(request) -> str:
    return request.param


def mermaid_of(stack: str) -> str:
    return diagram.to_mermaid(diagram.topology(load_stack(stack, ROOT), plan_of(stack)))


def test_mermaid_names_every_account_vpc_cidr_and_segment(stack):
    cfg, text = load_stack(stack, ROOT), mermaid_of(stack)
    for account in cfg.accounts:
        assert f'["{account.name}<br/>{account.environment}' in text, account.name
        for region, vpc in account.vpcs.items():
            assert f'["VPC {region}<br/>{vpc.cidr}' in text, (account.name, region)
    for region in {r for a in cfg.accounts for r in a.vpcs}:
        for segment in cfg.network.segments:
            assert f'{diagram._id("rt", region, segment)}["segment {segment}' in text


def test_accounts_sit_inside_their_ou_and_ous_inside_their_parent(stack):
    cfg, text = load_stack(stack, ROOT), mermaid_of(stack)
    for account in cfg.accounts:
        assert _enclosing(text, diagram._id("acct", account.name)) == diagram._id("ou", account.ou)
    for ou in cfg.organizational_units:
        parent = diagram._id("ou", ou.parent) if ou.parent else diagram._id("org", cfg.organization.name)
        assert _enclosing(text, diagram._id("ou", ou.name)) == parent


def test_vpcs_attach_to_their_segment_and_reachability_is_the_configured_one(stack):
    cfg, text = load_stack(stack, ROOT), mermaid_of(stack)
    for account in cfg.accounts:
        for region in account.vpcs:
            edge = f"{diagram._id('vpc', account.name, region)} --- {diagram._id('rt', region, account.network_segment)}"
            assert edge in text
    drawn = {tuple(sorted(m)) for m in re.findall(r"rt_ap_south_1_(\w+) <-\.->\|reaches\| rt_ap_south_1_(\w+)", text)}
    configured = {tuple(sorted((a, b))) for a, bs in cfg.network.reachability.items() for b in bs if a != b}
    assert drawn == configured
    assert ("nonprod", "prod") not in drawn  # prod and nonprod never meet


def test_hybrid_links_are_drawn_for_prod():
    text = mermaid_of("prod")
    assert "onprem --- vpn_dc_mumbai --- rt_ap_south_1_hybrid" in text
    assert "Direct Connect dx-mumbai<br/>10.2.0.0/16, 10.12.0.0/16" in text  # the data accounts' VPCs
    assert 'clientvpn(["Client VPN<br/>172.16.0.0/22"])' in text
    assert "tgw_ap_south_1 <==>|peering| tgw_ap_south_2" in text


def test_ids_come_from_the_plan_when_it_has_the_contract(stack):
    outputs = plan_of(stack)["outputs"]
    if not outputs.get("contract_version"):
        pytest.skip("the program does not export the contract yet")
    text = mermaid_of(stack)
    for name, account in outputs["accounts"].items():
        assert account["id"] in text, name
    for region, tgw in outputs["network"]["transit_gateways"].items():
        assert tgw["id"] in text, region


def test_the_drawing_does_not_depend_on_the_order_the_plan_lists_the_hubs():
    """Registration order varies between runs; the diagram (docs/topology.md is generated from it) must not."""
    plan = copy.deepcopy(plan_of("prod"))
    hubs = plan["outputs"]["network"]["transit_gateways"]
    assert len(hubs) > 1
    plan["outputs"]["network"]["transit_gateways"] = dict(reversed(list(hubs.items())))
    cfg = load_stack("prod", ROOT)
    assert diagram.to_mermaid(diagram.topology(cfg, plan)) == mermaid_of("prod")


def _enclosing(text: str, node: str) -> str:
    """The id of the innermost subgraph that contains the node (or subgraph) `node`."""
    stack: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        opened = re.match(r"subgraph (\w+)\[", line)
        if opened and opened[1] == node or re.match(rf"{node}\[", line):
            return stack[-1]
        if opened:
            stack.append(opened[1])
        elif line == "end":
            stack.pop()
    raise AssertionError(f"{node} not drawn")


# --- the command ----------------------------------------------------------------------------------------------------


def test_main_writes_mermaid_to_a_file(tmp_path, capsys):
    out = tmp_path / "prod.mmd"
    assert diagram.main("prod", ROOT, "mermaid", out) == 0
    assert out.read_text() == mermaid_of("prod")
    assert "written to" in capsys.readouterr().err


def test_svg_without_dot_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.setattr(diagram.shutil, "which", lambda _name: None)
    assert diagram.main("dev", ROOT, "svg", None) == 2
    err = capsys.readouterr().err
    assert "needs graphviz's `dot`, which is not installed" in err and "apt-get install graphviz" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(("fmt", "output", "message"), [
    ("pdf", None, "--format 'pdf' is not one of mermaid, svg, png"),
    ("png", None, "--format png writes binary data: give --output FILE"),
])
def test_bad_arguments_exit_2(fmt, output, message, capsys):
    assert diagram.main("dev", ROOT, fmt, output) == 2
    assert message in capsys.readouterr().err


def test_invalid_config_exits_2_naming_the_field(tmp_path, capsys):
    text = yaml.safe_dump({"config": stack_config("dev", ROOT)}, sort_keys=False).replace("cidr: 10.65.0.0/20", "cidr: 10.65.0.0/33")
    (tmp_path / "Pulumi.broken.yaml").write_text(text)
    assert diagram.main("broken", tmp_path, "mermaid", None) == 2
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "10.65.0.0/33" in row)
    assert f"Pulumi.broken.yaml:{line}: accounts[3] (prod-apps).vpcs.ap-south-1.cidr" in capsys.readouterr().err


@pytest.mark.skipif(DOT is None, reason="graphviz's dot is not installed (apt-get install graphviz)")
def test_svg_and_png_through_graphviz(tmp_path):
    cfg = load_stack("prod", ROOT)
    svg = html.unescape(diagram.render(diagram.topology(cfg, plan_of("prod")), "svg"))  # dot writes - as &#45;
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for account in cfg.accounts:
        assert account.name in svg
    assert "10.129.0.0/16" in svg and "segment hybrid" in svg
    out = tmp_path / "prod.png"
    assert diagram.main("prod", ROOT, "png", out) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_hybrid_dns_endpoints_forwarding_and_private_zones_are_drawn(stack):
    """Per region the resolver endpoints hang off the network account's VPC and talk to the on-premises resolvers
    both ways; each environment's private zone reaches exactly that environment's VPCs."""
    cfg, text = load_stack(stack, ROOT), mermaid_of(stack)
    network, res = cfg.account_with_role("network").name, cfg.network.resolver
    for region in resolver_regions(cfg):
        resolver = diagram._id("resolver", region)
        assert f"{diagram._id('vpc', network, region)} --- {resolver}" in text
        assert f'{resolver}["Resolver endpoints {region}<br/>inbound + outbound<br/>' in text
        assert f"{resolver} -.->|forwards {', '.join(res.forward_domains)}| dnsonprem" in text
        assert f"dnsonprem -.->|queries AWS names| {resolver}" in text
    assert f'dnsonprem["on-premises DNS<br/>{", ".join(res.on_premises_resolvers)}"]' in text
    for env, zone in res.private_zones.items():
        node = diagram._id("zone", env)
        assert f'{node}["private zone {zone}<br/>{env}"]' in text
        drawn = set(re.findall(rf"^  {node} -\.- (\S+)$", text, re.M))
        assert drawn == {diagram._id("vpc", a.name, r) for a in cfg.accounts if a.environment == env for r in a.vpcs}
