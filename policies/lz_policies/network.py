"""Network rules (CONTROLS.md §1, NET-01..NET-11): security groups, NACLs, subnets, public IPs, TGW, RDS."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass

from pulumi_policy import Severity

from .rules import ADVISORY, Case, Param, ResourceRule
from .types import (
    CLIENT_VPN,
    CLIENT_VPN_AUTHORIZATION,
    DEFAULT_NACL,
    DEFAULT_SG,
    INSTANCE,
    LAUNCH_TEMPLATE,
    NACL,
    NACL_RULE,
    RDS_CLUSTER_INSTANCE,
    RDS_INSTANCE,
    SG,
    SG_RULE,
    SUBNET,
    TGW,
    VPC_EGRESS,
    VPC_INGRESS,
)
from .values import UNKNOWN, as_list, dig, truthy
from .views import Subject

SG_TYPES = (SG, SG_RULE, VPC_INGRESS)
WORLD = ("0.0.0.0/0", "::/0")
DEFAULT_ADMIN_PORTS = [22, 3389]  # always checked: nothing listens there once the ports moved, and nothing should
ALL_PROTOCOLS = ("-1", "all")
HIGH_RISK_PORTS = [20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 3306, 3389, 4333, 5432, 5500, 5601, 8080, 9200]
PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]


@dataclass(frozen=True)
class Permission:
    """One ingress or egress permission, whichever resource type carries it."""

    direction: str  # ingress | egress
    protocol: str
    from_port: int
    to_port: int
    cidrs: tuple[str, ...]
    description: str
    where: str  # property path, for messages

    def all_ports(self) -> bool:
        return self.protocol in ALL_PROTOCOLS

    def covers(self, port: int) -> bool:
        return self.all_ports() or self.from_port <= port <= self.to_port

    def world_cidrs(self) -> list[str]:
        return [c for c in self.cidrs if c in WORLD]

    def ports_text(self) -> str:
        if self.all_ports():
            return "all ports"
        return f"port {self.from_port}" if self.from_port == self.to_port else f"ports {self.from_port}-{self.to_port}"


def _port(value, default: int) -> int:
    return default if value is None else int(value)


def _permission(direction: str, entry, where: str, *, cidr_keys=("cidrBlocks", "ipv6CidrBlocks"),
                protocol_key="protocol") -> Permission:
    protocol = str(dig(entry, protocol_key, default="-1")).lower()
    cidrs = tuple(str(c) for key in cidr_keys for c in as_list(dig(entry, key)))
    return Permission(
        direction=direction,
        protocol=protocol,
        from_port=_port(dig(entry, "fromPort"), 0),
        to_port=_port(dig(entry, "toPort"), 65535),
        cidrs=cidrs,
        description=str(dig(entry, "description", default="")),
        where=where,
    )


def permissions(r: Subject) -> Iterator[Permission]:
    """Every permission of a security group, security group rule or VPC ingress/egress rule."""
    if r.type in (SG, DEFAULT_SG):
        for direction in ("ingress", "egress"):
            for i, entry in enumerate(as_list(r.get(direction))):
                yield _permission(direction, entry, f"{direction}[{i}]")
    elif r.type == SG_RULE:
        yield _permission(str(r.get("type", default="ingress")), r.props, "this rule")
    elif r.type in (VPC_INGRESS, VPC_EGRESS):
        direction = "ingress" if r.type == VPC_INGRESS else "egress"
        yield _permission(direction, r.props, "this rule", cidr_keys=("cidrIpv4", "cidrIpv6"), protocol_key="ipProtocol")


def world_ingress(r: Subject) -> Iterator[Permission]:
    return (p for p in permissions(r) if p.direction == "ingress" and p.world_cidrs())


def _within(cidr: str, allowed: list[str]) -> bool:
    try:
        network = ipaddress.ip_network(cidr, strict=False)
        return any(
            network.version == a.version and network.subnet_of(a)
            for a in (ipaddress.ip_network(x, strict=False) for x in allowed)
        )
    except ValueError:
        return False


def admin_ports(cfg) -> list[int]:
    """The configured SSH/RDP ports (stack config network.admin_ports) and the default ones."""
    return sorted({*DEFAULT_ADMIN_PORTS, *(int(p) for p in cfg["adminPorts"])})


# NET-01 ---------------------------------------------------------------------------------------------------------
def admin_ports_closed_to_internet(r: Subject) -> Iterator[str]:
    ports = admin_ports(r.cfg)
    for p in world_ingress(r):
        if any(p.covers(port) for port in ports):
            yield (f"{p.where} opens {p.ports_text()} (SSH/RDP) to {', '.join(p.world_cidrs())}; "
                   "remove it and reach hosts through the VPN or SSM Session Manager")


def admin_ports_only_from_admin_cidrs(r: Subject) -> Iterator[str]:
    allowed, ports = list(r.cfg["adminCidrs"]), admin_ports(r.cfg)
    for p in permissions(r):
        if p.direction != "ingress" or not any(p.covers(port) for port in ports):
            continue
        outside = [c for c in p.cidrs if c not in WORLD and not _within(c, allowed)]
        if outside:
            yield (f"{p.where} opens {p.ports_text()} to {', '.join(outside)}, outside the admin CIDRs "
                   f"{allowed}; restrict cidrBlocks to the VPN client range")


# NET-02 ---------------------------------------------------------------------------------------------------------
def internet_ingress_only_web_ports(r: Subject) -> Iterator[str]:
    allowed = {int(p) for p in r.cfg["allowedPublicPorts"]}
    for p in world_ingress(r):
        if p.all_ports() or not set(range(p.from_port, p.to_port + 1)) <= allowed:
            yield (f"{p.where} opens {p.ports_text()} to the internet; only ports {sorted(allowed)} may be public "
                   "(put the service behind a load balancer, or narrow fromPort/toPort)")


# NET-03 ---------------------------------------------------------------------------------------------------------
def high_risk_ports_closed(r: Subject) -> Iterator[str]:
    risky = [int(p) for p in r.cfg["highRiskPorts"]]
    for p in world_ingress(r):
        hit = [port for port in risky if p.covers(port)]
        if hit:
            yield (f"{p.where} exposes high-risk ports {hit} to {', '.join(p.world_cidrs())}; "
                   "remove the rule or use a security-group source (sourceSecurityGroupId)")


# NET-04 ---------------------------------------------------------------------------------------------------------
def rules_have_descriptions(r: Subject) -> Iterator[str]:
    if r.type == SG and not r.get("description"):
        yield "the security group has no description; set `description` to say what it protects"
    for p in permissions(r):
        if not p.description.strip():
            yield f"{p.where} has no description; set `description` to say why the {p.direction} is needed"


def data_tier_egress_restricted(r: Subject) -> Iterator[str]:
    if r.tags().get(r.cfg["tierTagKey"]) not in list(r.cfg["dataTiers"]):
        return
    for p in permissions(r):
        if p.direction == "egress" and p.world_cidrs() and p.all_ports():
            yield (f"{p.where} lets a data-tier security group send anything anywhere; restrict egress to the "
                   "ports and CIDRs/security groups it needs")


# NET-05 ---------------------------------------------------------------------------------------------------------
def default_sg_has_no_rules(r: Subject) -> Iterator[str]:
    for direction in ("ingress", "egress"):
        if as_list(r.get(direction)):
            yield f"the default security group has {direction} rules; set `{direction}` to [] (use dedicated groups)"


# NET-06 ---------------------------------------------------------------------------------------------------------
def _nacl_entries(r: Subject) -> Iterator[tuple[str, object, str]]:
    """(where, entry, action) for ingress entries of NACL rules and inline NACL ingress."""
    if r.type == NACL_RULE:
        if not truthy(r.get("egress", default=False)):
            yield "this rule", r.props, str(r.get("ruleAction", default="")).lower()
    else:
        for i, entry in enumerate(as_list(r.get("ingress"))):
            yield f"ingress[{i}]", entry, str(dig(entry, "action", default="")).lower()


def nacl_admin_ports_closed(r: Subject) -> Iterator[str]:
    ports = admin_ports(r.cfg)
    for where, entry, action in _nacl_entries(r):
        if action != "allow":
            continue
        cidrs = [str(c) for c in (dig(entry, "cidrBlock"), dig(entry, "ipv6CidrBlock")) if c]
        p = _permission("ingress", entry, where, cidr_keys=())
        world = [c for c in cidrs if c in WORLD]
        hit = [port for port in ports if p.covers(port)]
        if world and (p.protocol in ALL_PROTOCOLS or hit):
            yield (f"{where} allows {p.ports_text()} from {', '.join(world)} including SSH/RDP ({hit or 'all'}); "
                   f"narrow the port range around the admin ports {ports} or deny them (ruleAction=deny)")


# NET-07 ---------------------------------------------------------------------------------------------------------
def private_subnets_no_public_ip(r: Subject) -> Iterator[str]:
    if not truthy(r.get("mapPublicIpOnLaunch", default=False)):
        return
    tier = r.tags().get(r.cfg["tierTagKey"])
    if tier not in list(r.cfg["publicTiers"]):
        yield (f"mapPublicIpOnLaunch=true on a subnet of tier {tier!r}; set mapPublicIpOnLaunch=false "
               f"(only tiers {list(r.cfg['publicTiers'])} may, and even they rarely need it)")


# NET-08 ---------------------------------------------------------------------------------------------------------
def no_public_ip_on_instances(r: Subject) -> Iterator[str]:
    if r.type == INSTANCE and truthy(r.get("associatePublicIpAddress", default=False)):
        yield "associatePublicIpAddress=true; set it to false and reach the instance through a load balancer or SSM"
    if r.type == LAUNCH_TEMPLATE:
        for i, nic in enumerate(as_list(r.get("networkInterfaces"))):
            if truthy(dig(nic, "associatePublicIpAddress", default=False)):
                yield f"networkInterfaces[{i}].associatePublicIpAddress=true; set it to false"


# NET-09 ---------------------------------------------------------------------------------------------------------
def tgw_no_auto_accept(r: Subject) -> Iterator[str]:
    if str(r.get("autoAcceptSharedAttachments", default="disable")) == "enable":
        yield "autoAcceptSharedAttachments=\"enable\" lets any sharing account attach; set it to \"disable\""


# NET-10 ---------------------------------------------------------------------------------------------------------
def database_not_public(r: Subject) -> Iterator[str]:
    if truthy(r.get("publiclyAccessible", default=False)):
        yield "publiclyAccessible=true gives the database a public endpoint; set publiclyAccessible=false"


ADMIN_CIDRS = Param("array", PRIVATE_RANGES, "CIDRs SSH/RDP may come from (the VPN client range)", items="string",
                    stack="adminCidrs")
ADMIN_PORTS = Param("array", DEFAULT_ADMIN_PORTS, "the SSH and RDP ports (22 and 3389 are checked as well)",
                    items="integer", stack="adminPorts")
TIER_KEY = Param("string", "tier", "tag key naming a subnet's / security group's tier")


# NET-11 ---------------------------------------------------------------------------------------------------------
# Client VPN authorization is per identity-provider group (accessGroupId); authorizeAllGroups=true lets every user
# the IdP authenticates reach the range, so it must never cover a prod or core network.
def client_vpn_authorization_per_group(r: Subject) -> Iterator[str]:
    if r.type != CLIENT_VPN_AUTHORIZATION or not truthy(r.get("authorizeAllGroups", default=False)):
        return
    target = str(r.get("targetNetworkCidr", default=""))
    try:
        network = ipaddress.ip_network(target, strict=False)
    except ValueError:
        yield f"authorizeAllGroups=true to targetNetworkCidr={target!r}; authorize one accessGroupId per range"
        return
    hit = [c for c in r.cfg["protectedCidrs"] if _overlaps(network, c)]
    if network.prefixlen == 0 or hit:
        ranges = "every address" if network.prefixlen == 0 else f"the prod/core range(s) {', '.join(hit)}"
        yield (f"authorizeAllGroups=true to {target} reaches {ranges}: every user the identity provider "
               "authenticates gets in; set authorizeAllGroups=false and accessGroupId to the group allowed there "
               "(e.g. the administrators' group for prod)")


def client_routes_enforced(r: Subject) -> Iterator[str]:
    """Without client route enforcement a connected device may change the routes the endpoint pushes, so traffic meant
    for the tunnel leaves outside it (EC2 API Reference, ClientRouteEnforcementOptions: the endpoint reverts such
    changes only when enforced; the default is false)."""
    if r.type == CLIENT_VPN and not truthy(r.get("clientRouteEnforcementOptions", "enforced", default=False)):
        yield ("clientRouteEnforcementOptions.enforced is not true: a connected device may change the VPN's routes and send traffic "
               "outside the tunnel; "
               "set client_route_enforcement_options={\"enforced\": True}")


def _overlaps(network, cidr: str) -> bool:
    try:
        other = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    return network.version == other.version and network.overlaps(other)


def _sg(cidr="0.0.0.0/0", port=22, to=None, protocol="tcp", desc="why", direction="ingress"):
    return {"description": "sg", direction: [{"protocol": protocol, "fromPort": port, "toPort": to or port,
                                              "cidrBlocks": [cidr], "description": desc}]}


def _vpc_rule(cidr="0.0.0.0/0", port=22, protocol="tcp"):
    return {"cidrIpv4": cidr, "fromPort": port, "toPort": port, "ipProtocol": protocol, "description": "why",
            "securityGroupId": "sg-1"}


def _sg_rule(cidr="0.0.0.0/0", port=22, protocol="tcp", kind="ingress"):
    return {"type": kind, "cidrBlocks": [cidr], "fromPort": port, "toPort": port, "protocol": protocol,
            "description": "why", "securityGroupId": "sg-1"}


def _nacl_rule(from_port: int, to_port: int):
    return {"networkAclId": "acl-1", "ruleNumber": 900, "egress": False, "protocol": "tcp", "ruleAction": "allow",
            "cidrBlock": "0.0.0.0/0", "fromPort": from_port, "toPort": to_port}


CUSTOM_PORTS = {"adminPorts": [2222, 13389], "adminCidrs": ["172.16.0.0/22"]}  # network.admin_ports moved

RULES = [
    ResourceRule(
        id="NET-01", name="net-01-admin-ports-closed-to-internet",
        title="SSH/RDP never open to the internet, only from the admin (VPN) CIDRs",
        description="Security groups, security group rules and VPC ingress rules must not allow 0.0.0.0/0 or ::/0 "
                    "to the SSH/RDP ports (`adminPorts`, from the stack's network.admin_ports, and always 22 and 3389) "
                    "or all protocols; admin ports may only come from `adminCidrs`.",
        refs="CIS 5.2, 5.3; SH EC2.13, EC2.14, EC2.19; CKV_AWS_24, CKV_AWS_25",
        types=SG_TYPES, checks=(admin_ports_closed_to_internet, admin_ports_only_from_admin_cidrs),
        params={"adminCidrs": ADMIN_CIDRS, "adminPorts": ADMIN_PORTS},
        cases=(
            Case(_sg(port=22), violates=True),
            Case(_sg(port=2222), config=CUSTOM_PORTS, violates=True, note="the custom SSH port to the internet"),
            Case(_sg_rule(cidr="10.20.0.0/16", port=13389), type=SG_RULE, config=CUSTOM_PORTS, violates=True,
                 note="the custom RDP port from outside the Client VPN ranges"),
            Case(_sg(cidr="172.16.0.0/22", port=2222), config=CUSTOM_PORTS, violates=False,
                 note="the custom SSH port from the Client VPN range"),
            Case(_sg(cidr="10.20.0.0/16", port=2222), violates=False, note="2222 is no admin port without the config"),
            Case({"ingress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "ipv6CidrBlocks": ["::/0"]}]},
                 violates=True, note="all protocols from ::/0"),
            Case(_sg_rule(port=3389), type=SG_RULE, violates=True),
            Case(_vpc_rule(port=22), type=VPC_INGRESS, violates=True),
            Case(_vpc_rule(cidr="203.0.113.0/24", port=22), type=VPC_INGRESS, violates=True, note="public /24"),
            Case(_sg(cidr="10.100.0.0/22", port=22), violates=False),
            Case(_vpc_rule(port=443), type=VPC_INGRESS, violates=False),
            Case({"description": "sg", "ingress": UNKNOWN}, violates=False, unknown=True),
        ),
    ),
    ResourceRule(
        id="NET-02", name="net-02-internet-ingress-only-web-ports",
        title="Internet ingress only to the allowed public ports (80/443)",
        description="An ingress from 0.0.0.0/0 or ::/0 may only reach `allowedPublicPorts`; anything else must sit "
                    "behind a load balancer or be reachable from private ranges only.",
        refs="SH EC2.18; CKV_AWS_277, CKV_AWS_260",
        types=SG_TYPES, checks=(internet_ingress_only_web_ports,),
        params={"allowedPublicPorts": Param("array", [80, 443], "ports that may be open to 0.0.0.0/0", items="integer")},
        cases=(
            Case(_sg(port=8443), violates=True),
            Case(_sg(port=80, to=443), violates=True, note="range 80-443 covers far more than 80 and 443"),
            Case(_vpc_rule(port=0, protocol="-1"), type=VPC_INGRESS, violates=True),
            Case(_sg(port=443), violates=False),
            Case(_sg_rule(port=80), type=SG_RULE, violates=False),
            Case(_sg(port=8443), config={"allowedPublicPorts": [80, 443, 8443]}, violates=False),
        ),
    ),
    ResourceRule(
        id="NET-03", name="net-03-high-risk-ports-closed-to-internet",
        title="High-risk ports (FTP, Telnet, SMB, databases, Kibana...) never open to the internet",
        description="No ingress from 0.0.0.0/0 or ::/0 may cover a port of `highRiskPorts` (Security Hub EC2.19 "
                    "list as used by steampipe).",
        refs="SH EC2.19",
        types=SG_TYPES, checks=(high_risk_ports_closed,),
        params={"highRiskPorts": Param("array", HIGH_RISK_PORTS, "ports never open to the internet", items="integer")},
        cases=(
            Case(_sg(port=3306), violates=True),
            Case(_sg_rule(port=5432), type=SG_RULE, violates=True),
            Case(_vpc_rule(port=9200), type=VPC_INGRESS, violates=True),
            Case(_sg(port=443), violates=False),
            Case(_sg(port=3306, cidr="10.0.0.0/16"), violates=False),
        ),
    ),
    ResourceRule(
        id="NET-04", name="net-04-sg-rules-described-data-egress-restricted",
        title="Security group rules carry descriptions; data-tier groups do not egress everywhere",
        description="Every security group and rule has a `description` (reviewability); a security group tagged "
                    "as a data tier (`tierTagKey` in `dataTiers`) has no egress to 0.0.0.0/0 on all ports.",
        refs="CKV_AWS_23, CKV_AWS_382",
        types=SG_TYPES + (VPC_EGRESS,), checks=(rules_have_descriptions, data_tier_egress_restricted), level=ADVISORY,
        severity=Severity.LOW,
        params={"tierTagKey": TIER_KEY,
                "dataTiers": Param("array", ["data"], "tier tag values of data-tier groups", items="string")},
        cases=(
            Case(_sg(port=443, cidr="10.0.0.0/8", desc=""), violates=True),
            Case({"ingress": []}, violates=True, note="group without description"),
            Case(_sg(port=0, protocol="-1", direction="egress") | {"tags": {"tier": "data"}}, violates=True),
            Case(_sg(port=0, protocol="-1", direction="egress") | {"tags": {"tier": "app"}}, violates=False),
            Case(_sg_rule(port=443), type=SG_RULE, violates=False),
        ),
    ),
    ResourceRule(
        id="NET-05", name="net-05-default-sg-has-no-rules",
        title="The default security group has no rules",
        description="The VPC default security group is adopted with empty ingress and egress so that nothing "
                    "can use it by accident.",
        refs="CIS 5.4; SH EC2.2; CKV2_AWS_12",
        types=(DEFAULT_SG,), checks=(default_sg_has_no_rules,),
        cases=(
            Case({"vpcId": "vpc-1", "ingress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "self": True}]},
                 violates=True),
            Case({"vpcId": "vpc-1", "ingress": [], "egress": []}, violates=False),
        ),
    ),
    ResourceRule(
        id="NET-06", name="net-06-nacl-admin-ports-closed",
        title="Network ACLs do not allow SSH/RDP (or all traffic) from the internet",
        description="No NACL ingress entry allows 0.0.0.0/0 or ::/0 to an SSH/RDP port (`adminPorts`, from the "
                    "stack's network.admin_ports, and always 22 and 3389) or to all ports: the return-traffic range "
                    "1024-65535 is opened around them.",
        refs="CIS 5.1; SH EC2.21; CKV_AWS_232, CKV_AWS_231, CKV_AWS_352",
        types=(NACL_RULE, NACL, DEFAULT_NACL), checks=(nacl_admin_ports_closed,),
        params={"adminPorts": ADMIN_PORTS},
        cases=(
            Case(_nacl_rule(1024, 3388), config=CUSTOM_PORTS, violates=True,
                 note="return range covering the custom SSH port 2222"),
            Case(_nacl_rule(2223, 3388), config=CUSTOM_PORTS, violates=False,
                 note="return range carved around the custom SSH port"),
            Case({"networkAclId": "acl-1", "ruleNumber": 100, "egress": False, "protocol": "tcp", "ruleAction": "allow",
                  "cidrBlock": "0.0.0.0/0", "fromPort": 22, "toPort": 22}, violates=True),
            Case({"vpcId": "vpc-1", "ingress": [{"action": "allow", "protocol": "-1", "ruleNo": 100,
                                                 "cidrBlock": "0.0.0.0/0", "fromPort": 0, "toPort": 0}]},
                 type=NACL, violates=True),
            Case({"networkAclId": "acl-1", "ruleNumber": 100, "egress": False, "protocol": "tcp", "ruleAction": "allow",
                  "cidrBlock": "0.0.0.0/0", "fromPort": 443, "toPort": 443}, violates=False),
            Case({"networkAclId": "acl-1", "ruleNumber": 100, "egress": True, "protocol": "-1", "ruleAction": "allow",
                  "cidrBlock": "0.0.0.0/0", "fromPort": 0, "toPort": 0}, violates=False),
        ),
    ),
    ResourceRule(
        id="NET-07", name="net-07-private-subnets-no-public-ip",
        title="Non-public subnets do not assign public IPs on launch",
        description="A subnet whose tier tag (`tierTagKey`) is not in `publicTiers` has mapPublicIpOnLaunch off, "
                    "so workloads stay private and are exposed only through load balancers.",
        refs="SH EC2.15; CKV_AWS_130",
        types=(SUBNET,), checks=(private_subnets_no_public_ip,),
        params={"tierTagKey": TIER_KEY,
                "publicTiers": Param("array", ["public"], "tier tag values of public subnets", items="string")},
        cases=(
            Case({"vpcId": "vpc-1", "cidrBlock": "10.0.1.0/24", "mapPublicIpOnLaunch": True,
                  "tags": {"tier": "private"}}, violates=True),
            Case({"vpcId": "vpc-1", "cidrBlock": "10.0.1.0/24", "mapPublicIpOnLaunch": True}, violates=True),
            Case({"vpcId": "vpc-1", "cidrBlock": "10.0.0.0/24", "mapPublicIpOnLaunch": True,
                  "tags": {"tier": "public"}}, violates=False),
            Case({"vpcId": "vpc-1", "cidrBlock": "10.0.1.0/24", "tags": {"tier": "private"}}, violates=False),
        ),
    ),
    ResourceRule(
        id="NET-08", name="net-08-no-public-ip-on-instances",
        title="Instances and launch templates do not associate public IPs",
        description="EC2 instances and launch templates set associatePublicIpAddress=false; exposure goes through "
                    "load balancers and administration through SSM or the VPN.",
        refs="SH EC2.9, EC2.25; CKV_AWS_88",
        types=(INSTANCE, LAUNCH_TEMPLATE), checks=(no_public_ip_on_instances,),
        cases=(
            Case({"ami": "ami-1", "instanceType": "t3.micro", "associatePublicIpAddress": True}, violates=True),
            Case({"networkInterfaces": [{"associatePublicIpAddress": "true"}]}, type=LAUNCH_TEMPLATE, violates=True),
            Case({"ami": "ami-1", "instanceType": "t3.micro", "associatePublicIpAddress": False}, violates=False),
            Case({"networkInterfaces": [{"associatePublicIpAddress": "false"}]}, type=LAUNCH_TEMPLATE,
                 violates=False),
        ),
    ),
    ResourceRule(
        id="NET-09", name="net-09-tgw-no-auto-accept",
        title="Transit gateways do not auto-accept shared attachments",
        description="autoAcceptSharedAttachments stays \"disable\" so that every attachment is reviewed.",
        refs="SH EC2.23; CKV_AWS_331",
        types=(TGW,), checks=(tgw_no_auto_accept,),
        cases=(
            Case({"autoAcceptSharedAttachments": "enable"}, violates=True),
            Case({"autoAcceptSharedAttachments": "disable"}, violates=False),
        ),
    ),
    ResourceRule(
        id="NET-10", name="net-10-database-not-public",
        title="Database instances are not publicly accessible",
        description="RDS cluster instances (and standalone instances) have publiclyAccessible=false.",
        refs="CIS 2.3.3; SH RDS.2; CKV_AWS_17",
        types=(RDS_CLUSTER_INSTANCE, RDS_INSTANCE), checks=(database_not_public,),
        cases=(
            Case({"clusterIdentifier": "c", "instanceClass": "db.r6g.large", "publiclyAccessible": True},
                 violates=True),
            Case({"clusterIdentifier": "c", "instanceClass": "db.r6g.large", "publiclyAccessible": False},
                 violates=False),
            Case({"clusterIdentifier": "c", "instanceClass": "db.r6g.large", "publiclyAccessible": UNKNOWN},
                 violates=False, unknown=True),
        ),
    ),
    ResourceRule(
        id="NET-11", name="net-11-client-vpn-authorization-per-group",
        title="Client VPN authorizes prod and core ranges per group and enforces its routes",
        description="An ec2clientvpn authorizationRule with authorizeAllGroups=true may not target 0.0.0.0/0 or a "
                    "range overlapping `protectedCidrs` (the VPCs of prod and core accounts from the stack config; "
                    "without it every private range): access to those ranges is authorized per identity-provider "
                    "group (accessGroupId). Every ec2clientvpn endpoint sets clientRouteEnforcementOptions.enforced="
                    "true, so a connected device cannot override the routes the endpoint pushes.",
        refs="Client VPN Administrator Guide: Authorization rules (access groups), Client route enforcement; "
             "CONTROLS NET-11",
        types=(CLIENT_VPN_AUTHORIZATION, CLIENT_VPN),
        checks=(client_vpn_authorization_per_group, client_routes_enforced),
        params={"protectedCidrs": Param("array", PRIVATE_RANGES, "ranges (prod and core VPCs) that only named "
                                        "identity-provider groups may reach", items="string", stack="protectedCidrs")},
        cases=(
            Case({"clientVpnEndpointId": "cvpn", "targetNetworkCidr": "10.1.0.0/16", "authorizeAllGroups": True},
                 config={"protectedCidrs": ["10.1.0.0/16"]}, violates=True),
            Case({"clientVpnEndpointId": "cvpn", "targetNetworkCidr": "0.0.0.0/0", "authorizeAllGroups": True},
                 config={"protectedCidrs": ["10.1.0.0/16"]}, violates=True, note="everything"),
            Case({"clientVpnEndpointId": "cvpn", "targetNetworkCidr": "10.0.0.0/8", "authorizeAllGroups": True},
                 config={"protectedCidrs": ["10.1.0.0/16"]}, violates=True, note="a supernet of prod"),
            Case({"clientVpnEndpointId": "cvpn", "targetNetworkCidr": "10.2.0.0/16", "authorizeAllGroups": True},
                 violates=True, note="no stack config: every private range is protected"),
            Case({"clientVpnEndpointId": "cvpn", "targetNetworkCidr": "10.1.0.0/16", "accessGroupId": "admins-id"},
                 config={"protectedCidrs": ["10.1.0.0/16"]}, violates=False),
            Case({"clientVpnEndpointId": "cvpn", "targetNetworkCidr": "10.11.0.0/16", "authorizeAllGroups": True},
                 config={"protectedCidrs": ["10.1.0.0/16"]}, violates=False, note="a nonprod range"),
            Case({"clientCidrBlock": "10.100.0.0/22", "connectionLogOptions": {"enabled": True}}, type=CLIENT_VPN,
                 violates=True, note="endpoint without client route enforcement"),
            Case({"clientCidrBlock": "10.100.0.0/22", "clientRouteEnforcementOptions": {"enforced": False}},
                 type=CLIENT_VPN, violates=True, note="client route enforcement off"),
            Case({"clientCidrBlock": "10.100.0.0/22", "clientRouteEnforcementOptions": {"enforced": True}},
                 type=CLIENT_VPN, violates=False),
        ),
    ),
]
