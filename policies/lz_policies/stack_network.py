"""Stack rules of the VPC network: flow logs (X-01), data-tier ingress (X-04), subnet routes (X-12), security groups in use (X-13)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .graph import Graph, Res
from .rules import ADVISORY, CaseResource, Param, StackCase, StackRule
from .stack_helpers import (
    Unknowns,
    case_resource,
    covered_by,
    indexed,
    is_true,
    items_of,
    referrers,
    vpc_case,
)
from .types import (
    CLIENT_VPN_ASSOCIATION,
    FLOW_LOG,
    IGW,
    INSTANCE,
    NAT,
    PROVIDER,
    ROUTE,
    ROUTE_TABLE,
    ROUTE_TABLE_ASSOCIATION,
    SG,
    SG_RULE,
    SUBNET,
    VPC,
    VPC_EGRESS,
    VPC_INGRESS,
)
from .values import UNKNOWN, is_unknown

PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
# Database / broker ports that make a group data-tier, the TLS ones included (Cassandra CQL 9142 and internode 7001;
# Kafka SASL_SSL 9094, KRaft controller 9093, replication 9095) so a TLS-only group is still recognised.
DATA_PORTS = [3306, 6379, 9042, 27017, 9092, 9200, 9142, 9094, 9093, 9095, 7001]
# Ports on which these stores speak in clear by design (the pack sees ports, not listener settings: MongoDB or
# Elasticsearch without TLS cannot be told from the group). port (as a string: a policy-config object key) -> what.
PLAINTEXT_PORTS = {
    "9092": "Kafka PLAINTEXT listener (TLS: 9094 SASL_SSL)",
    "7000": "Cassandra internode storage/gossip in clear (TLS: 7001)",
    "9042": "Cassandra CQL in clear (TLS: 9142)",
    "7199": "Cassandra JMX (keep it bound to localhost; nodetool through Session Manager)",
}


# --------------------------------------------------------------------------- X-01 flow logs
def vpc_has_all_traffic_flow_log(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), Unknowns()
    logs = [f for f in g.of_type(FLOW_LOG) if f.get("trafficType") == "ALL"]
    covered, undecided = covered_by(g, logs, "vpcId", (VPC,), unknowns)
    undecided_logs = [f for f in g.of_type(FLOW_LOG) if unknowns.check(f, "trafficType")]
    maybe, _ = covered_by(g, undecided_logs, "vpcId", (VPC,), unknowns)
    for vpc in g.of_type(VPC):
        if vpc.urn not in covered | maybe and not undecided:
            yield vpc.urn, (f"VPC {vpc.name} has no ec2/flowLog with trafficType=ALL: add aws.ec2.FlowLog("
                            "vpc_id=<vpc>.id, traffic_type='ALL') delivering to the log archive")
    unknowns.raise_if_any()


# --------------------------------------------------------------------------- X-04 data-tier security groups
@dataclass(frozen=True)
class _Ingress:
    from_port: int
    to_port: int
    all_ports: bool
    source_groups: bool
    cidrs: tuple[str, ...]
    where: str
    urn: str

    def covers(self, port: int) -> bool:
        return self.all_ports or self.from_port <= port <= self.to_port

    def ports_text(self) -> str:
        if self.all_ports:
            return "all ports"
        return f"port {self.from_port}" if self.from_port == self.to_port else f"ports {self.from_port}-{self.to_port}"


def _names_group(key: str, value: Any) -> bool:
    """Does this field name a source security group? (an unknown id during preview still names one)"""
    if key == "self":
        return is_true(value)
    return is_unknown(value) or bool(items_of(value))


def _ingress(entry: Mapping[str, Any], where: str, urn: str, *, protocol_key: str, group_keys: tuple[str, ...],
             cidr_keys: tuple[str, ...]) -> _Ingress:
    protocol = str(entry.get(protocol_key, "-1")).lower()
    from_port, to_port = entry.get("fromPort"), entry.get("toPort")
    from_port = 0 if from_port is None or is_unknown(from_port) else int(from_port)
    to_port = 65535 if to_port is None or is_unknown(to_port) else int(to_port)
    all_ports = protocol in ("-1", "all") or (from_port <= 0 and to_port >= 65535)
    groups = any(_names_group(k, entry.get(k)) for k in group_keys)
    cidrs = tuple(str(c) for k in cidr_keys for c in items_of(entry.get(k)))
    return _Ingress(from_port, to_port, all_ports, groups, cidrs, where, urn)


def _ingress_by_group(g: Graph, unknowns: Unknowns) -> dict[str, list[_Ingress]]:
    """Every ingress permission of every security group: inline, ec2/securityGroupRule, vpc ingress rules."""
    by_group: dict[str, list[_Ingress]] = {sg.urn: [] for sg in g.of_type(SG)}
    inline = dict(protocol_key="protocol", group_keys=("securityGroups", "self"),
                  cidr_keys=("cidrBlocks", "ipv6CidrBlocks", "prefixListIds"))
    for sg in g.of_type(SG):
        if unknowns.check(sg, "ingress"):
            continue
        for i, entry in enumerate(items_of(sg.get("ingress"))):
            by_group[sg.urn].append(_ingress(entry, f"ingress[{i}]", sg.urn, **inline))
    for rule in g.of_type(SG_RULE):
        if rule.get("type") != "ingress":
            continue
        permission = _ingress(rule.props, f"securityGroupRule {rule.name}", rule.urn, protocol_key="protocol",
                              group_keys=("sourceSecurityGroupId", "self"),
                              cidr_keys=("cidrBlocks", "ipv6CidrBlocks", "prefixListIds"))
        for sg in g.resolve(rule, "securityGroupId", (SG,)):
            by_group[sg.urn].append(permission)
    for rule in g.of_type(VPC_INGRESS):
        permission = _ingress(rule.props, f"securityGroupIngressRule {rule.name}", rule.urn,
                              protocol_key="ipProtocol", group_keys=("referencedSecurityGroupId",),
                              cidr_keys=("cidrIpv4", "cidrIpv6", "prefixListId"))
        for sg in g.resolve(rule, "securityGroupId", (SG,)):
            by_group[sg.urn].append(permission)
    return by_group


def _is_data_tier(sg: Res, permissions: list[_Ingress], cfg: Mapping[str, Any]) -> bool:
    if sg.tags.get(cfg["tierKey"]) in cfg["dataTiers"]:
        return True
    # by port: only explicit port ranges count (an all-ports rule does not make a group a database group)
    return any(not p.all_ports and p.covers(port) for p in permissions for port in cfg["dataPorts"])


def _within(cidr: str, allowed: list[str]) -> bool:
    try:
        network = ipaddress.ip_network(cidr, strict=False)
        return any(network.version == a.version and network.subnet_of(a)  # type: ignore[arg-type]
                   for a in (ipaddress.ip_network(x, strict=False) for x in allowed))
    except ValueError:
        return False


def _admin_exception(p: _Ingress, cfg: Mapping[str, Any], admin_cidrs: list[str]) -> bool:
    """SSH/RDP from the admin (Client VPN) range is the one non-SG ingress a data host may have."""
    admin_only = not p.all_ports and all(port in cfg["adminPorts"] for port in range(p.from_port, p.to_port + 1))
    return admin_only and not p.source_groups and bool(p.cidrs) and all(_within(c, admin_cidrs) for c in p.cidrs)


def _admin_cidrs(stack: Any, g: Graph) -> list[str]:
    """The policy config's adminCidrs when it sets them; else the planned Client VPN's associated subnets (it
    source-NATs its clients to its interfaces there, as components/network does); else the stack-config default."""
    if "adminCidrs" in stack.given:
        return list(stack.cfg["adminCidrs"])
    return _client_vpn_subnet_cidrs(g) or list(stack.cfg["adminCidrs"])


def _client_vpn_subnet_cidrs(g: Graph) -> list[str]:
    """CIDRs of the subnets the plan's Client VPN endpoints are associated with; [] when the plan cannot tell."""
    cidrs: list[str] = []
    for association in g.of_type(CLIENT_VPN_ASSOCIATION):
        subnets = g.resolve(association, "subnetId", (SUBNET,))
        found = [s.get("cidrBlock") for s in subnets]
        if not found or not all(isinstance(c, str) and not is_unknown(c) for c in found):
            return []
        cidrs.extend(c for c in found if c not in cidrs)
    return cidrs


def data_tier_ingress_only_from_security_groups(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns, cfg = stack.graph(), Unknowns(), stack.cfg
    admin_cidrs = _admin_cidrs(stack, g)
    for sg_urn, permissions in _ingress_by_group(g, unknowns).items():
        sg = g.by_urn[sg_urn]
        if not _is_data_tier(sg, permissions, cfg):
            continue
        for p in permissions:
            if p.cidrs and not _admin_exception(p, cfg, admin_cidrs):
                yield p.urn, (f"data-tier security group {sg.name} allows {p.ports_text()} from "
                              f"{', '.join(p.cidrs)} ({p.where}): allow the database ports only with "
                              "source_security_group_id / referenced_security_group_id of the app-tier group "
                              f"(SSH only from the admin ranges {', '.join(admin_cidrs)})")
            elif not p.cidrs and not p.source_groups:
                yield p.urn, (f"data-tier security group {sg.name} has an ingress rule without a source security "
                              f"group ({p.where}): name the app-tier group as its source")
            yield from _plaintext_ports(sg, p, cfg)
    unknowns.raise_if_any()


def _plaintext_ports(sg: Res, p: _Ingress, cfg: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Whatever the source (even the app tier or the group itself), a clear-text listener port stays closed: a
    plaintext listener beside the TLS one is what clients and members fall back to."""
    for port, what in sorted(cfg["plaintextPorts"].items()):
        if str(port).isdigit() and p.covers(int(port)):
            yield p.urn, (f"data-tier security group {sg.name} opens port {port}, the {what}, with {p.ports_text()} "
                          f"({p.where}): open only the TLS listener ports and configure the software TLS-only")


def _standalone_routes(g: Graph) -> dict[int, list[Res]]:
    return indexed(g, "x12-routes-by-table", lambda g: referrers(g, ROUTE, "routeTableId", (ROUTE_TABLE,)))


def _route_entries(g: Graph, table: Res) -> list[tuple[str, Res, Mapping[str, Any]]]:
    """(where, resource holding the route, route fields) for inline and standalone routes of a table."""
    entries = [(f"routes[{i}]", table, r) for i, r in enumerate(items_of(table.get("routes"))) if isinstance(r, Mapping)]
    for route in _standalone_routes(g).get(id(table), ()):
        entries.append((f"route {route.name}", route, route.props))
    return entries


def _route_target(g: Graph, holder: Res, fields: Mapping[str, Any]) -> str | None:
    if fields.get("natGatewayId") is not None:
        return "nat"
    gateway = fields.get("gatewayId")
    if gateway is not None:
        if holder.type == ROUTE and g.resolve(holder, "gatewayId", (IGW,)):
            return "igw"
        return "igw" if isinstance(gateway, str) and gateway.startswith("igw-") or is_unknown(gateway) else "other"
    if fields.get("transitGatewayId") is not None:
        return "tgw"
    return None


def _tables_of(g: Graph, subnet: Res) -> list[Res]:
    associations = indexed(g, "x12-associations-by-subnet",
                            lambda g: referrers(g, ROUTE_TABLE_ASSOCIATION, "subnetId", (SUBNET,)))
    return [t for a in associations.get(id(subnet), ()) for t in g.resolve(a, "routeTableId", (ROUTE_TABLE,))]


def _default_route_targets(g: Graph, subnet: Res) -> tuple[set[str], set[str]]:
    default, anywhere = set(), set()
    for table in _tables_of(g, subnet):
        for _, holder, fields in _route_entries(g, table):
            target = _route_target(g, holder, fields)
            if target:
                anywhere.add(target)
                if fields.get("cidrBlock", fields.get("destinationCidrBlock")) == "0.0.0.0/0":
                    default.add(target)
    return default, anywhere


def subnet_tiers_route_correctly(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, cfg = stack.graph(), stack.cfg
    for subnet in g.of_type(SUBNET):
        tier = subnet.tags.get(cfg["tierKey"])
        if tier not in cfg["privateTiers"] and tier not in cfg["dataTiers"]:
            continue
        default, anywhere = _default_route_targets(g, subnet)
        if tier in cfg["privateTiers"] and not default & set(cfg["privateEgressVia"]):
            yield subnet.urn, (f"private subnet {subnet.name} has no 0.0.0.0/0 route to a NAT gateway: associate "
                               "it with a route table whose default route targets the AZ's NAT gateway")
        if tier in cfg["dataTiers"] and anywhere & {"igw", "nat"}:
            yield subnet.urn, (f"data subnet {subnet.name} has a route to an internet or NAT gateway: data tiers "
                               "route only inside the VPC and to the transit gateway")


# --------------------------------------------------------------------------- X-13 security groups in use
SG_HOLDER_EXCLUDED = (SG, SG_RULE, VPC_INGRESS, VPC_EGRESS)


def _strings_in(value: Any, found: set[str]) -> set[str]:
    """Every string in value: dict values and list items, recursively (not keys); a group is used when its id
    is one of them."""
    if isinstance(value, str):
        found.add(value)
    elif isinstance(value, Mapping):
        for item in value.values():
            _strings_in(item, found)
    elif isinstance(value, list):
        for item in value:
            _strings_in(item, found)
    return found


def security_groups_are_attached(stack: Any) -> Iterator[tuple[str | None, str]]:
    g = stack.graph()
    holders = [r for r in g.resources if r.type not in SG_HOLDER_EXCLUDED and r.type != PROVIDER]
    # What the holders reference, gathered once (not once per group): property-dependency URNs, and strings.
    referenced = {urn for h in holders for urns in h.property_dependencies.values() for urn in urns}
    mentioned: set[str] | None = None
    for sg in g.of_type(SG):
        if sg.urn in referenced:
            continue
        if sg.id and mentioned is None:
            mentioned = set()
            for h in holders:
                _strings_in(h.props, mentioned)
        if not (sg.id and sg.id in mentioned):
            yield sg.urn, (f"security group {sg.name} is attached to nothing: use it (instance, ENI, load balancer, "
                           "endpoint, cluster...) or delete it")


X01_CASES = (
    StackCase((vpc_case(),), violates=True, note="VPC without a flow log"),
    StackCase((vpc_case(), case_resource(FLOW_LOG, "fl", {"trafficType": "REJECT"}, {"vpcId": "prod-vpc"})), violates=True,
              note="flow log of rejected traffic only"),
    StackCase((vpc_case(), case_resource(FLOW_LOG, "fl", {"trafficType": "ALL"}, {"vpcId": "prod-vpc"})), violates=False),
    StackCase((vpc_case(), case_resource(FLOW_LOG, "fl", {"trafficType": UNKNOWN}, {"vpcId": "prod-vpc"})), violates=False,
              unknown=True),
)

_APP_SG = case_resource(SG, "app-sg", {"ingress": []})
_CLIENT_VPN_IN_SUBNET = (
    case_resource(SUBNET, "network-private-a", {"cidrBlock": "10.0.8.0/24"}, env="core"),
    case_resource(CLIENT_VPN_ASSOCIATION, "client-vpn-assoc-0", {}, {"subnetId": "network-private-a"}, env="core"),
)


def _ssh_from(cidr: str, port: int = 22) -> CaseResource:
    return case_resource(SG, "db-sg", {"ingress": [{"protocol": "tcp", "fromPort": port, "toPort": port, "cidrBlocks": [cidr]}],
                               "tags": {"tier": "data"}})


X04_CASES = (
    StackCase((case_resource(SG, "db-sg", {"ingress": [{"protocol": "tcp", "fromPort": 3306, "toPort": 3306,
                                                "cidrBlocks": ["10.1.0.0/16"]}]}),), violates=True,
              note="MySQL open to a CIDR"),
    StackCase((case_resource(SG, "cache-sg", {"tags": {"tier": "data"}}),
               case_resource(VPC_INGRESS, "cache-from-vpc", {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443,
                                                     "cidrIpv4": "10.0.0.0/8"}, {"securityGroupId": "cache-sg"})),
              violates=True, note="tagged data tier, standalone CIDR rule"),
    StackCase((case_resource(SG, "db-sg", {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22,
                                                "cidrBlocks": ["172.16.0.0/22"]}], "tags": {"tier": "data"}}),),
              violates=True, config={"adminCidrs": ["10.255.0.0/16"]}, note="SSH from outside the admin range"),
    StackCase((*_CLIENT_VPN_IN_SUBNET, _ssh_from("10.0.0.0/16")), violates=True,
              note="SSH from the whole network VPC, the plan's Client VPN sits in 10.0.8.0/24"),
    StackCase((*_CLIENT_VPN_IN_SUBNET, _ssh_from("10.0.8.0/24")), violates=False,
              note="SSH from the Client VPN's associated subnet (as planned)"),
    StackCase((*_CLIENT_VPN_IN_SUBNET, _ssh_from("10.0.8.0/24", port=2222)), violates=False,
              config={"adminPorts": [2222, 13389]}, note="the custom SSH port from the Client VPN's subnet"),
    StackCase((*_CLIENT_VPN_IN_SUBNET, _ssh_from("10.0.8.0/24")), violates=True,
              config={"adminPorts": [2222, 13389]}, note="22 is no admin port once SSH moved to 2222"),
    StackCase((_APP_SG, case_resource(SG, "db-sg", {"ingress": [
        {"protocol": "tcp", "fromPort": 3306, "toPort": 3306, "securityGroups": [UNKNOWN]},
        {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["172.16.0.0/22"]}]},
        {"ingress": "app-sg"})), violates=False, note="MySQL from the app SG, SSH from the Client VPN"),
    StackCase((_APP_SG, case_resource(SG, "kafka-sg"),
               case_resource(SG_RULE, "kafka-in", {"type": "ingress", "protocol": "tcp", "fromPort": 9094, "toPort": 9094},
                     {"securityGroupId": "kafka-sg", "sourceSecurityGroupId": "app-sg"})), violates=False,
              note="Kafka SASL_SSL from the app SG"),
    StackCase((_APP_SG, case_resource(SG, "kafka-sg"),
               case_resource(SG_RULE, "kafka-in", {"type": "ingress", "protocol": "tcp", "fromPort": 9092, "toPort": 9092},
                     {"securityGroupId": "kafka-sg", "sourceSecurityGroupId": "app-sg"})), violates=True,
              note="Kafka PLAINTEXT 9092, even from the app SG"),
    StackCase((_APP_SG, case_resource(SG, "cassandra-sg", {"ingress": [
        {"protocol": "tcp", "fromPort": 9142, "toPort": 9142, "securityGroups": [UNKNOWN]},
        {"protocol": "tcp", "fromPort": 7000, "toPort": 7001, "self": True}]}, {"ingress": "app-sg"})),
        violates=True, note="Cassandra gossip in clear (7000) between members"),
    StackCase((_APP_SG, case_resource(SG, "cassandra-sg", {"ingress": [
        {"protocol": "tcp", "fromPort": 9142, "toPort": 9142, "securityGroups": [UNKNOWN]},
        {"protocol": "tcp", "fromPort": 7001, "toPort": 7001, "self": True}]}, {"ingress": "app-sg"})),
        violates=False, note="Cassandra TLS ports only"),
)


def _subnet(name: str, tier: str) -> CaseResource:
    return case_resource(SUBNET, name, {"cidrBlock": "10.1.0.0/24", "tags": {"tier": tier}}, {"vpcId": "prod-vpc"})


def _table(name: str, routes: list[dict], subnet: str) -> tuple[CaseResource, CaseResource]:
    return (case_resource(ROUTE_TABLE, name, {"routes": routes}, {"vpcId": "prod-vpc"}),
            case_resource(ROUTE_TABLE_ASSOCIATION, f"{name}-{subnet}", {}, {"subnetId": subnet, "routeTableId": name}))


X12_CASES = (
    StackCase((vpc_case(), _subnet("app-a", "private"), *_table("app-rt", [
        {"cidrBlock": "10.0.0.0/8", "transitGatewayId": "tgw-1"}], "app-a")), violates=True,
        note="private subnet without a default route to NAT"),
    StackCase((vpc_case(), _subnet("data-a", "data"), *_table("data-rt", [
        {"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-1"}], "data-a")), violates=True,
        note="data subnet with a NAT route"),
    StackCase((vpc_case(), _subnet("app-a", "private"), _subnet("data-a", "data"), case_resource(NAT, "nat-a", {}),
               *_table("app-rt", [], "app-a"), *_table("data-rt", [
                   {"cidrBlock": "10.0.0.0/8", "transitGatewayId": "tgw-1"}], "data-a"),
               case_resource(ROUTE, "app-default", {"destinationCidrBlock": "0.0.0.0/0"},
                     {"routeTableId": "app-rt", "natGatewayId": "nat-a"})), violates=False),
)

X13_CASES = (
    StackCase((case_resource(SG, "orphan-sg"),), violates=True),
    StackCase((case_resource(SG, "web-sg"), case_resource(INSTANCE, "web", {"instanceType": "t3.micro"},
                                          {"vpcSecurityGroupIds": "web-sg"})), violates=False),
)


# =========================================================================== rules
TIER_PARAMS = {
    "tierKey": Param("string", "tier", "tag key naming a subnet's / security group's tier"),
    "dataTiers": Param("array", ["data"], "tier tag values of data tiers", items="string"),
}


RULES = [
    StackRule(
        id="X-01", name="x-01-vpc-flow-logs-all-traffic", title="Every VPC has a flow log of all traffic",
        description="Each ec2/vpc must be the target of an ec2/flowLog with trafficType=ALL, so accepted and rejected "
                    "traffic can be investigated.",
        refs="CIS 3.9 (v1.5) / 3.7 (v3.0); SH EC2.6; CKV2_AWS_11",
        checks=(vpc_has_all_traffic_flow_log,), cases=X01_CASES),
    StackRule(
        id="X-04", name="x-04-data-tier-ingress-from-app-sgs",
        title="Data-tier security groups admit only security-group sources",
        description="Security groups of the data tier (tag tier=data, or ingress on a database port: MySQL, Redis, "
                    "Cassandra, MongoDB, Kafka, Elasticsearch, TLS ports included) allow ingress only by source "
                    "security group (the app tier); the one exception is SSH/RDP from the admin (Client VPN) ranges. "
                    "They never open a known clear-text listener port (`plaintextPorts`: Kafka 9092 PLAINTEXT, "
                    "Cassandra 7000 gossip, 9042 clear CQL, 7199 JMX), whatever the source. (Ports only: MongoDB or "
                    "Elasticsearch without TLS cannot be told from the group.)",
        refs="no standard control found",
        checks=(data_tier_ingress_only_from_security_groups,), cases=X04_CASES,
        params={**TIER_PARAMS,
                "dataPorts": Param("array", DATA_PORTS, "ports that make a group data-tier", items="integer"),
                "plaintextPorts": Param("object", PLAINTEXT_PORTS, "port -> clear-text listener a data-tier group "
                                        "never opens (from any source)"),
                "adminCidrs": Param("array", PRIVATE_RANGES, "CIDRs SSH/RDP may come from (unset: the subnets the "
                                    "planned Client VPN is associated with, else this default)",
                                    items="string", stack="adminCidrs"),
                "adminPorts": Param("array", [22, 3389], "administrative ports allowed from adminCidrs",
                                    items="integer", stack="adminPorts")}),
    StackRule(
        id="X-12", name="x-12-subnet-tiers-route-correctly",
        title="Private subnets egress by NAT; data subnets never reach the internet",
        description="Subnets tagged as private route 0.0.0.0/0 to a NAT gateway; subnets tagged as data have no route "
                    "to an internet or NAT gateway.",
        refs="CKV2_AWS_35 (NAT part)",
        checks=(subnet_tiers_route_correctly,), cases=X12_CASES,
        params={**TIER_PARAMS,
                "privateTiers": Param("array", ["private", "app"], "tier tag values of private subnets",
                                      items="string"),
                "privateEgressVia": Param("array", ["nat"], "accepted default-route targets of private subnets "
                                          "(nat, tgw for centralized egress)", items="string")}),
    StackRule(
        id="X-13", name="x-13-security-groups-attached", title="Every security group is attached to something",
        description="An ec2/securityGroup no resource uses is dead configuration that hides intent; advisory, "
                    "because a group may be prepared for a workload that arrives later.",
        refs="CKV2_AWS_5",
        checks=(security_groups_are_attached,), cases=X13_CASES, level=ADVISORY),
]
