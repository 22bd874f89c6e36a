"""`lz diagram`: the landing zone's topology as Mermaid (for PRs and READMEs) or SVG/PNG (through graphviz's `dot`).

What it draws: the accounts grouped by OU (nested as in the config), each VPC with its CIDR, one Transit Gateway
per region with a route table per segment (each VPC attached to its segment's table), the allowed segment
reachability, the TGW peering to the DR region, site-to-site VPNs, Direct Connect and Client VPN, and hybrid DNS
(resolver endpoints per region in the network account's VPC, forwarding to the on-premises resolvers, the private
zone of each environment and the VPCs it is associated with).

Where the facts come from: the stack config says what is intended (OUs, segments, reachability, hybrid links); the
plan says what the program builds -- the contract outputs (account ids, Transit Gateway and route table ids) when
the plan has them, else the plan's resources. A diagram never needs AWS credentials.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from landing_zone.dns import resolver_regions, resolver_subnets
from landing_zone.models import LandingZoneConfig
from landing_zone.routing import direct_connect_prefixes, vpn_region
from landing_zone.segments import HYBRID, Intent

FORMATS = ("mermaid", "svg", "png")


# --- the topology, independent of the drawing -----------------------------------------------------------------------


@dataclass(frozen=True)
class VpcNode:
    account: str
    region: str
    cidr: str
    segment: str
    vpc_id: str = ""


@dataclass(frozen=True)
class AccountNode:
    name: str
    ou: str
    environment: str
    account_id: str
    vpcs: tuple[VpcNode, ...]


@dataclass(frozen=True)
class DnsNode:
    network: str  # the account whose VPCs hold the resolver endpoints
    endpoints: dict[str, list[str]]  # region -> the endpoints' subnets (inbound and outbound share them)
    on_premises_resolvers: list[str]
    forward_domains: list[str]
    private_zones: dict[str, str]  # environment -> zone name


@dataclass
class Topology:
    organization: str
    ou_parents: dict[str, str | None]  # OU -> parent OU (None: under the root), in config order
    accounts: list[AccountNode]
    tgw_ids: dict[str, str]  # region -> TGW id ("" when the plan does not say)
    segments: list[str]
    route_table_ids: dict[tuple[str, str], str]  # (region, segment) -> id
    reachability: list[tuple[str, str]]  # unordered pairs of distinct segments
    dr_peering: tuple[str, str] | None
    vpns: list[tuple[str, str, str]]  # name, region, on-premises device IP
    direct_connect: tuple[str, str, list[str]] | None  # name, region, advertised prefixes
    client_vpn: tuple[str, str, list[str]] | None  # cidr, region, authorized segments
    on_premises: list[str] = field(default_factory=list)
    dns: DnsNode | None = None


def topology(cfg: LandingZoneConfig, plan: Mapping[str, Any] | None = None) -> Topology:
    facts = _plan_facts(plan or {})
    home = cfg.organization.home_region
    # home first, then by name: the plan's outputs list the hubs in registration order, which varies between runs
    tgw_regions = sorted({r for a in cfg.accounts for r in a.vpcs} | set(facts["tgw_ids"]), key=lambda r: (r != home, r))
    net = cfg.network
    return Topology(
        organization=cfg.organization.name,
        ou_parents={ou.name: ou.parent for ou in cfg.organizational_units},
        accounts=[_account_node(a, facts) for a in cfg.accounts],
        tgw_ids={r: facts["tgw_ids"].get(r, "") for r in tgw_regions},
        segments=list(net.segments),
        route_table_ids=facts["route_table_ids"],
        reachability=Intent(net.reachability).distinct_pairs(),
        dr_peering=(home, cfg.organization.dr_region) if net.dr_peering and cfg.organization.dr_region in tgw_regions
        and home in tgw_regions else None,
        vpns=[(v.name, vpn_region(cfg, v), v.ip_address) for v in net.vpn],
        direct_connect=(net.direct_connect.name, home, direct_connect_prefixes(cfg)) if net.direct_connect else None,
        client_vpn=(net.client_vpn.cidr, home, list(net.client_vpn.authorized_segments)) if net.client_vpn else None,
        on_premises=list(net.on_premises_cidrs),
        dns=DnsNode(cfg.account_with_role("network").name, {r: resolver_subnets(cfg, r) for r in resolver_regions(cfg)},
                    list(net.resolver.on_premises_resolvers), list(net.resolver.forward_domains),
                    dict(net.resolver.private_zones)) if net.resolver else None,
    )


def _account_node(account, facts: Mapping[str, Any]) -> AccountNode:
    vpcs = tuple(VpcNode(account.name, region, vpc.cidr, account.network_segment,
                         facts["vpc_ids"].get((account.name, region), ""))
                 for region, vpc in account.vpcs.items())
    return AccountNode(account.name, account.ou, account.environment,
                       facts["account_ids"].get(account.name, account.account_id or ""), vpcs)


def _plan_facts(plan: Mapping[str, Any]) -> dict[str, Any]:
    """Ids the plan knows: from the contract outputs when present, else from the recorded resources."""
    facts: dict[str, Any] = {"account_ids": {}, "vpc_ids": {}, "tgw_ids": {}, "route_table_ids": {}}
    outputs = plan.get("outputs") or {}
    if outputs.get("contract_version"):
        from landing_zone.contract import ContractError, parse

        try:
            contract = parse(outputs, warn=lambda _msg: None)
        except ContractError:
            contract = None
        if contract:
            for name, account in contract.accounts.items():
                facts["account_ids"][name] = account.id
                for region, r in account.regions.items():
                    if r.vpc:
                        facts["vpc_ids"][(name, region)] = r.vpc.id
            for region, tgw in contract.network.transit_gateways.items():
                facts["tgw_ids"][region] = tgw.id
                for segment, rtb in tgw.route_table_ids.items():
                    facts["route_table_ids"][(region, segment)] = rtb
            return facts
    for r in plan.get("resources") or []:  # no contract yet: account ids from the organization's accounts
        if r.get("type") == "aws:organizations/account:Account" and r.get("id"):
            facts["account_ids"][r.get("inputs", {}).get("name", r["name"])] = r["id"]
    return facts


# --- Mermaid ------------------------------------------------------------------------------------------------------


def _id(*parts: str) -> str:
    return "_".join(re.sub(r"[^A-Za-z0-9]", "_", p) for p in parts)


def _label(*lines: str) -> str:
    return '"' + "<br/>".join(line.replace('"', "#quot;") for line in lines if line) + '"'


def _ou_children(topo: Topology) -> dict[str | None, list[str]]:
    children: dict[str | None, list[str]] = {}
    for ou, parent in topo.ou_parents.items():
        children.setdefault(parent, []).append(ou)
    return children


def to_mermaid(topo: Topology) -> str:
    lines = ["flowchart LR"]
    children = _ou_children(topo)
    by_ou: dict[str, list[AccountNode]] = {}
    for account in topo.accounts:
        by_ou.setdefault(account.ou, []).append(account)

    def ou_block(ou: str, depth: int) -> None:
        pad = "  " * depth
        lines.append(f"{pad}subgraph {_id('ou', ou)}[{_label('OU ' + ou)}]")
        for child in children.get(ou, []):
            ou_block(child, depth + 1)
        for account in by_ou.get(ou, []):
            title = _label(account.name, f"{account.environment} · {account.account_id or 'new account'}")
            if not account.vpcs:
                lines.append(f"{pad}  {_id('acct', account.name)}[{title}]")
                continue
            lines.append(f"{pad}  subgraph {_id('acct', account.name)}[{title}]")
            for vpc in account.vpcs:
                lines.append(f"{pad}    {_id('vpc', vpc.account, vpc.region)}[{_label('VPC ' + vpc.region, vpc.cidr, vpc.vpc_id)}]")
            lines.append(f"{pad}  end")
        lines.append(f"{pad}end")

    lines.append(f"  subgraph {_id('org', topo.organization)}[{_label('Organization ' + topo.organization)}]")
    for ou in children.get(None, []):
        ou_block(ou, 2)
    lines.append("  end")

    for region, tgw_id in topo.tgw_ids.items():
        lines.append(f"  subgraph {_id('tgw', region)}[{_label('Transit Gateway ' + region, tgw_id)}]")
        for segment in topo.segments:
            rtb = topo.route_table_ids.get((region, segment), "")
            lines.append(f"    {_id('rt', region, segment)}[{_label('segment ' + segment, rtb)}]")
        lines.append("  end")
    for account in topo.accounts:
        for vpc in account.vpcs:
            lines.append(f"  {_id('vpc', vpc.account, vpc.region)} --- {_id('rt', vpc.region, vpc.segment)}")
    for region in topo.tgw_ids:
        for a, b in topo.reachability:
            lines.append(f"  {_id('rt', region, a)} <-.->|reaches| {_id('rt', region, b)}")
    if topo.dr_peering:
        lines.append(f"  {_id('tgw', topo.dr_peering[0])} <==>|peering| {_id('tgw', topo.dr_peering[1])}")
    lines += _hybrid_mermaid(topo)
    lines += _dns_mermaid(topo)
    return "\n".join(lines) + "\n"


def _dns_edges(topo: Topology) -> list[tuple[str, str, str, str]]:
    """(kind, from, to, label) of hybrid DNS, with the nodes' labels in `_dns_nodes`; kind: endpoint | forward | zone."""
    dns = topo.dns
    edges = []
    for region in dns.endpoints:
        edges.append(("endpoint", _id("vpc", dns.network, region), _id("resolver", region), ""))
        if dns.forward_domains:
            edges.append(("forward", _id("resolver", region), "dnsonprem", "forwards " + ", ".join(dns.forward_domains)))
        edges.append(("forward", "dnsonprem", _id("resolver", region), "queries AWS names"))
    for account in topo.accounts:
        for vpc in account.vpcs:
            if account.environment in dns.private_zones:
                edges.append(("zone", _id("zone", account.environment), _id("vpc", vpc.account, vpc.region), ""))
    return edges


def _dns_nodes(topo: Topology) -> dict[str, list[str]]:
    nodes = {_id("resolver", r): [f"Resolver endpoints {r}", "inbound + outbound", ", ".join(subnets)]
             for r, subnets in topo.dns.endpoints.items()}
    nodes["dnsonprem"] = ["on-premises DNS", ", ".join(topo.dns.on_premises_resolvers)]
    nodes.update({_id("zone", env): [f"private zone {zone}", env] for env, zone in topo.dns.private_zones.items()})
    return nodes


def _dns_mermaid(topo: Topology) -> list[str]:
    if topo.dns is None:
        return []
    lines = [f"  {node}[{_label(*text)}]" for node, text in _dns_nodes(topo).items()]
    arrows = {"endpoint": "---", "forward": "-.->", "zone": "-.-"}
    return lines + [f"  {a} {arrows[kind]}{f'|{label}|' if label else ''} {b}" for kind, a, b, label in _dns_edges(topo)]


def _hybrid_target(topo: Topology, region: str) -> str:
    return _id("rt", region, HYBRID) if HYBRID in topo.segments else _id("tgw", region)


def _hybrid_mermaid(topo: Topology) -> list[str]:
    if not (topo.vpns or topo.direct_connect or topo.client_vpn):
        return []
    lines = [f"  onprem[({_label('on-premises', ', '.join(topo.on_premises))})]"]
    for name, region, ip in topo.vpns:
        lines.append(f"  {_id('vpn', name)}{{{{{_label('VPN ' + name, ip)}}}}}")
        lines.append(f"  onprem --- {_id('vpn', name)} --- {_hybrid_target(topo, region)}")
    if topo.direct_connect:
        name, region, prefixes = topo.direct_connect
        lines.append(f"  {_id('dx', name)}{{{{{_label('Direct Connect ' + name, ', '.join(prefixes))}}}}}")
        lines.append(f"  onprem --- {_id('dx', name)} --- {_hybrid_target(topo, region)}")
    if topo.client_vpn:
        cidr, region, segments = topo.client_vpn
        lines.append(f"  clientvpn([{_label('Client VPN', cidr)}])")
        for segment in segments:
            if segment in topo.segments:
                lines.append(f"  clientvpn -.->|authorized| {_id('rt', region, segment)}")
    return lines


# --- graphviz (SVG/PNG) -------------------------------------------------------------------------------------------


def to_graphviz(topo: Topology):
    import graphviz

    g = graphviz.Digraph("landing_zone", graph_attr={"rankdir": "LR", "compound": "true", "fontname": "Helvetica"},
                         node_attr={"shape": "box", "style": "rounded", "fontname": "Helvetica"},
                         edge_attr={"fontname": "Helvetica", "arrowhead": "none"})
    children = _ou_children(topo)

    def ou_cluster(parent, ou: str) -> None:
        with parent.subgraph(name=_id("cluster_ou", ou)) as c:
            c.attr(label=f"OU {ou}", style="dashed")
            for child in children.get(ou, []):
                ou_cluster(c, child)
            for account in (a for a in topo.accounts if a.ou == ou):
                _graphviz_account(c, account)

    with g.subgraph(name=_id("cluster_org", topo.organization)) as org:
        org.attr(label=f"Organization {topo.organization}")
        for ou in children.get(None, []):
            ou_cluster(org, ou)
    for region, tgw_id in topo.tgw_ids.items():
        with g.subgraph(name=_id("cluster_tgw", region)) as c:
            c.attr(label=f"Transit Gateway {region}\n{tgw_id}".strip(), style="filled", fillcolor="#eef3ff")
            for segment in topo.segments:
                rtb = topo.route_table_ids.get((region, segment), "")
                c.node(_id("rt", region, segment), f"segment {segment}\n{rtb}".strip(), shape="ellipse")
    for account in topo.accounts:
        for vpc in account.vpcs:
            g.edge(_id("vpc", vpc.account, vpc.region), _id("rt", vpc.region, vpc.segment))
    for region in topo.tgw_ids:
        for a, b in topo.reachability:
            g.edge(_id("rt", region, a), _id("rt", region, b), style="dotted", dir="both", arrowhead="normal",
                   arrowtail="normal", color="#2a7a2a", constraint="false")
    if topo.dr_peering:
        home, dr = topo.dr_peering
        g.edge(_id("rt", home, topo.segments[0]), _id("rt", dr, topo.segments[0]), label="TGW peering", penwidth="2",
               ltail=_id("cluster_tgw", home), lhead=_id("cluster_tgw", dr))
    _graphviz_hybrid(g, topo)
    if topo.dns is not None:
        for node, text in _dns_nodes(topo).items():
            g.node(node, "\n".join(text), shape="note")
        for kind, a, b, label in _dns_edges(topo):
            g.edge(a, b, label=label, style="solid" if kind == "endpoint" else "dashed",
                   arrowhead="normal" if kind == "forward" else "none")
    return g


def _graphviz_account(c, account: AccountNode) -> None:
    title = f"{account.name}\n{account.environment} · {account.account_id or 'new account'}"
    if not account.vpcs:
        c.node(_id("acct", account.name), title)
        return
    with c.subgraph(name=_id("cluster_acct", account.name)) as a:
        a.attr(label=title, style="solid")
        for vpc in account.vpcs:
            a.node(_id("vpc", vpc.account, vpc.region), f"VPC {vpc.region}\n{vpc.cidr}\n{vpc.vpc_id}".strip())


def _graphviz_hybrid(g, topo: Topology) -> None:
    def target(region: str) -> str:
        return _id("rt", region, HYBRID if HYBRID in topo.segments else topo.segments[0])

    if topo.vpns or topo.direct_connect:
        g.node("onprem", "on-premises\n" + "\n".join(topo.on_premises), shape="cylinder")
    for name, region, ip in topo.vpns:
        g.node(_id("vpn", name), f"VPN {name}\n{ip}", shape="hexagon")
        g.edge("onprem", _id("vpn", name))
        g.edge(_id("vpn", name), target(region))
    if topo.direct_connect:
        name, region, prefixes = topo.direct_connect
        g.node(_id("dx", name), f"Direct Connect {name}\n" + "\n".join(prefixes), shape="hexagon")
        g.edge("onprem", _id("dx", name))
        g.edge(_id("dx", name), target(region))
    if topo.client_vpn:
        cidr, region, segments = topo.client_vpn
        g.node("clientvpn", f"Client VPN\n{cidr}", shape="parallelogram")
        for segment in segments:
            if segment in topo.segments:
                g.edge("clientvpn", _id("rt", region, segment), style="dashed", label="authorized")


# --- the command ----------------------------------------------------------------------------------------------------


def render(topo: Topology, fmt: str) -> str | bytes:
    """Mermaid text, SVG text or PNG bytes. Raises DotMissing when SVG/PNG is asked and `dot` is not installed."""
    if fmt == "mermaid":
        return to_mermaid(topo)
    if shutil.which("dot") is None:
        raise DotMissing()
    import graphviz

    try:
        data = to_graphviz(topo).pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise DotMissing() from None
    return data.decode() if fmt == "svg" else data


class DotMissing(Exception):
    def __str__(self) -> str:
        return ("error: --format svg|png needs graphviz's `dot`, which is not installed "
                "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz); "
                "--format mermaid needs nothing")


def main(stack: str, root: Path = Path("."), fmt: str = "mermaid", output: Path | None = None,
         plan_file: Path | None = None) -> int:
    """`lz diagram`: exit 0 written, 2 bad input (config, format, missing `dot`), 1 when the program fails to plan."""
    from landing_zone.config import ConfigError
    from landing_zone.plan import PlanError, stack_and_plan
    from landing_zone.plan_file import PlanFileError

    if fmt not in FORMATS:
        return _fail(f"error: --format {fmt!r} is not one of {', '.join(FORMATS)}")
    if fmt == "png" and output is None:
        return _fail("error: --format png writes binary data: give --output FILE")
    if fmt != "mermaid" and shutil.which("dot") is None:  # before planning: say it now, not after a minute
        return _fail(str(DotMissing()))
    try:
        cfg, plan = stack_and_plan(stack, root, plan_file)
        data = render(topology(cfg, plan), fmt)
    except ConfigError as e:
        return _fail(*[f"error: {line}" for line in e.errors])
    except DotMissing as e:
        return _fail(str(e))
    except PlanFileError as e:  # a plan file that is not a plan (of this stack) is bad input, like bad config
        return _fail(*[f"error: {line}" for line in e.errors])
    except (PlanError, OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if output is None:
        sys.stdout.write(data)  # mermaid or svg text
    else:
        from landing_zone.plan_file import write_atomic

        write_atomic(Path(output), data)
        print(f"{stack}: {fmt} diagram written to {output}", file=sys.stderr)
    return 0


def _fail(*lines: str) -> int:
    for line in lines:
        print(line, file=sys.stderr)
    return 2
