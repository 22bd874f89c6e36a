"""A spoke VPC of one account in one region, attached to that region's hub in its segment.

Tiers and subnets come from the subnet planner (landing_zone.subnets): public (load balancers, NAT), private
(workloads, 0/0 -> NAT), data (databases: no internet route at all), transit (the TGW attachment's ENIs only).
Every workload tier sends the organization's private blocks (landing_zone.routing.vpc_destinations) to the TGW, whose
segment route tables enforce who reaches whom. Flow logs (ALL) go to the log archive; the default security group is
emptied; NACLs admit only the private blocks the VPC's segment may reach and keep the internet out of the inner tiers;
gateway and interface endpoints keep AWS API traffic private, their policies keep it inside the organization.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountArgs, AccountComponent
from components.context import LogArchive, VpcHandle
from components.lookups import lookup
from components.network.endpoint_policies import POLICY_SUPPORTED, gateway_endpoint_policy, interface_endpoint_policy
from components.network.hub import HubHandle
from landing_zone.models import Account, AdminPorts, Vpc
from landing_zone.ports import DEFAULT_ADMIN_PORTS, admin_ports, return_traffic_ranges
from landing_zone.subnets import plan_subnets

WORKLOAD_TIERS = ("public", "private", "data")
GATEWAY_ENDPOINTS = ("s3", "dynamodb")
INTERFACE_ENDPOINTS = ("ssm", "ssmmessages", "ec2messages", "ecr.api", "ecr.dkr", "logs", "sts", "kms", "secretsmanager")
WORLD = "0.0.0.0/0"


@dataclass(frozen=True, kw_only=True)
class SpokeVpcArgs(AccountArgs):
    vpc: Vpc
    hub: HubHandle  # the hub of the VPC's region
    log_archive: LogArchive
    tgw_destinations: tuple[str, ...]  # what the workload tiers send to the TGW (landing_zone.routing.vpc_destinations)
    reachable_blocks: tuple[str, ...]  # the private blocks the segment may reach: the NACLs (landing_zone.routing.segment_blocks)
    admin_cidrs: tuple[str, ...]  # where SSH/RDP may come from: the Client VPN's source addresses
    admin_ports: AdminPorts = DEFAULT_ADMIN_PORTS  # network.admin_ports: the admin group opens them, the NACLs carve them out
    organization_id: pulumi.Input[str]  # the endpoint policies admit only this organization's principals and data
    admin_access: bool = True  # create the administrative-access group (only where EC2 hosts run: X-13)
    internet_facing: bool = False  # a public load balancer lives here: keep an internet gateway even without NAT


def nat_mode(account: Account, vpc: Vpc) -> str:
    """per-az in prod (an AZ outage never cuts egress), one shared NAT elsewhere, unless the config says otherwise."""
    return vpc.nat or ("per-az" if account.environment == "prod" else "single")


class SpokeVpc(AccountComponent[SpokeVpcArgs]):
    TOKEN = "network:SpokeVpc"

    def __init__(self, name: str, args: SpokeVpcArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        acct, vpc_cfg = args.account, args.vpc
        self.vpc = aws.ec2.Vpc(
            self.child_name("vpc"), cidr_block=vpc_cfg.cidr, enable_dns_support=True, enable_dns_hostnames=True,
            tags={"Name": self.child_name("vpc"), "segment": acct.segment}, opts=self.child_opts(protect=False),
        )
        self.azs = lookup(aws.get_availability_zones_output, account=acct, region=args.region, parent=self,
                          state="available", filters=[{"name": "zone-type", "values": ["availability-zone"]}])
        self.subnets = self._subnets()
        self._lock_down_defaults()
        self.nat_gateways = self._internet_edge()
        self.route_tables = self._route_tables()
        self.attachment, self.accepted, self.accepter = self._attach()
        self._routes_to_tgw()
        self.nacls = self._nacls()
        self.flow_log = self._flow_log()
        self.endpoints_sg, self.endpoints = self._endpoints()
        self.admin_sg = self._admin_security_group() if args.admin_access else None
        self.handle = VpcHandle(
            account=acct.name, region=args.region, cidr=vpc_cfg.cidr, vpc_id=self.vpc.id,
            subnet_ids={tier: [s.id for s in subnets] for tier, subnets in self.subnets.items()},
            route_table_ids={tier: [t.id for t in tables] for tier, tables in self.route_tables.items()},
            tgw_attachment_id=self.accepted,
            admin_security_group_id=self.admin_sg.id if self.admin_sg else None,
            endpoints_security_group_id=self.endpoints_sg.id,
        )
        self.register_outputs({"vpcId": self.vpc.id, "tgwAttachmentId": self.accepted,
                               "subnetIds": self.handle.subnet_ids})

    # -- helpers ---------------------------------------------------------------------------------------------------
    def _az(self, index: int) -> pulumi.Output[str]:
        def pick(names: list[str]) -> str:
            if index >= len(names):
                raise ValueError(f"{self.region} has {len(names)} availability zones; the VPC of "
                                 f"{self.account.name} asks for {self.args.vpc.azs}")
            return names[index]
        return self.azs.names.apply(pick)

    # -- subnets and defaults --------------------------------------------------------------------------------------
    def _subnets(self) -> dict[str, list[aws.ec2.Subnet]]:
        vpc_cfg = self.args.vpc
        out: dict[str, list[aws.ec2.Subnet]] = {}
        for s in plan_subnets(vpc_cfg.cidr, vpc_cfg.azs, vpc_cfg.tiers.model_dump()):
            tags = {"Name": self.child_name(f"{s.tier}-{s.az_index}"), "tier": s.tier}
            if s.tier == "public":
                tags["kubernetes.io/role/elb"] = "1"  # where EKS puts internet-facing load balancers
            elif s.tier == "private":
                tags["kubernetes.io/role/internal-elb"] = "1"
            out.setdefault(s.tier, []).append(aws.ec2.Subnet(
                self.child_name(f"{s.tier}-{s.az_index}"), vpc_id=self.vpc.id, cidr_block=s.cidr,
                availability_zone=self._az(s.az_index),
                map_public_ip_on_launch=False,  # NET-07: even public subnets; load balancers and NAT get their own
                tags=tags, opts=self.child_opts()))
        return out

    def _lock_down_defaults(self) -> None:
        # NET-05 / CIS 5.4: adopting the default security group with no rules removes AWS's allow-all rules.
        aws.ec2.DefaultSecurityGroup(self.child_name("default-sg"), vpc_id=self.vpc.id,
                                     tags={"Name": self.child_name("default-sg-unused")}, opts=self.child_opts())
        # The default NACL guards nothing of ours (every subnet has a tier NACL); with no rules it denies anything
        # that someone attaches to it later by hand.
        aws.ec2.DefaultNetworkAcl(self.child_name("default-nacl"), default_network_acl_id=self.vpc.default_network_acl_id,
                                  tags={"Name": self.child_name("default-nacl-unused")}, opts=self.child_opts())

    # -- internet edge ------------------------------------------------------------------------------------------------
    def _internet_edge(self) -> list[aws.ec2.NatGateway]:
        mode = nat_mode(self.account.config, self.args.vpc)
        self.internet_gateway = None
        if mode == "none" and not self.args.internet_facing:
            return []
        self.internet_gateway = aws.ec2.InternetGateway(self.child_name("igw"), vpc_id=self.vpc.id,
                                                        tags={"Name": self.child_name("igw")}, opts=self.child_opts())
        # VPC block public access (the organization's EC2 declarative policy) blocks internet gateways everywhere else,
        # default VPCs included; the public tier alone is excluded: both ways for load balancers, egress for NAT.
        for az, subnet in enumerate(self.subnets["public"]):
            aws.ec2.VpcBlockPublicAccessExclusion(
                self.child_name(f"bpa-exclusion-public-{az}"), subnet_id=subnet.id,
                internet_gateway_exclusion_mode="allow-bidirectional" if self.args.internet_facing else "allow-egress",
                opts=self.child_opts())
        count = {"per-az": self.args.vpc.azs, "single": 1, "none": 0}[mode]
        nats = []
        for az in range(count):
            eip = aws.ec2.Eip(self.child_name(f"nat-eip-{az}"), domain="vpc", tags={"Name": self.child_name(f"nat-{az}")},
                              opts=self.child_opts())
            nats.append(aws.ec2.NatGateway(
                self.child_name(f"nat-{az}"), allocation_id=eip.id, subnet_id=self.subnets["public"][az].id,
                connectivity_type="public", tags={"Name": self.child_name(f"nat-{az}")},
                opts=self.child_opts(depends_on=[self.internet_gateway])))
        return nats

    # -- route tables -------------------------------------------------------------------------------------------------
    def _route_tables(self) -> dict[str, list[aws.ec2.RouteTable]]:
        """public: one table (0/0 -> IGW); private: one per AZ (0/0 -> its NAT); data: one, no internet route;
        transit: one, local only (what arrives from the TGW is delivered in the VPC, never sent back out)."""
        tables: dict[str, list[aws.ec2.RouteTable]] = {}
        layout = {"public": 1, "private": self.args.vpc.azs, "data": 1, "transit": 1}
        for tier, count in layout.items():
            tables[tier] = []
            for i in range(count):
                suffix = f"{tier}-{i}" if tier == "private" else tier
                table = aws.ec2.RouteTable(self.child_name(f"rt-{suffix}"), vpc_id=self.vpc.id,
                                           tags={"Name": self.child_name(f"rt-{suffix}"), "tier": tier}, opts=self.child_opts())
                tables[tier].append(table)
            for az, subnet in enumerate(self.subnets[tier]):
                table = tables[tier][az if count > 1 else 0]
                aws.ec2.RouteTableAssociation(self.child_name(f"rta-{tier}-{az}"), subnet_id=subnet.id,
                                              route_table_id=table.id, opts=self.child_opts())
        if self.internet_gateway is not None:
            aws.ec2.Route(self.child_name("rt-public-default"), route_table_id=tables["public"][0].id,
                          destination_cidr_block=WORLD, gateway_id=self.internet_gateway.id, opts=self.child_opts())
        for az, table in enumerate(tables["private"]):
            if self.nat_gateways:
                nat = self.nat_gateways[az if len(self.nat_gateways) > 1 else 0]
                aws.ec2.Route(self.child_name(f"rt-private-{az}-default"), route_table_id=table.id,
                              destination_cidr_block=WORLD, nat_gateway_id=nat.id, opts=self.child_opts())
        return tables

    # -- the TGW attachment -------------------------------------------------------------------------------------------
    def _attach(self) -> tuple[aws.ec2transitgateway.VpcAttachment, pulumi.Output[str],
                               aws.ec2transitgateway.VpcAttachmentAccepter | None]:
        """The attachment from this account (after the RAM share has both its principal and its resource) and, for a
        shared TGW, its acceptance in the network account (auto-accept is off: NET-09)."""
        hub, acct, segment = self.args.hub, self.account, self.account.segment
        same_account = acct.name == hub.network.name
        tags = {"Name": self.child_name("tgw-attachment"), "segment": segment}
        attachment = aws.ec2transitgateway.VpcAttachment(
            self.child_name("tgw-attachment"),
            transit_gateway_id=hub.transit_gateway_id,
            vpc_id=self.vpc.id,
            subnet_ids=[s.id for s in self.subnets["transit"]],
            dns_support="enable",
            appliance_mode_support="disable",
            # settable only when the TGW is in the same account; the accepter sets them for shared TGWs
            **({"transit_gateway_default_route_table_association": False,
                "transit_gateway_default_route_table_propagation": False} if same_account else {}),
            tags=tags,
            opts=self.child_opts(depends_on=list(hub.shared)),
        )
        if same_account:  # the TGW owner's own attachments need no acceptance
            return attachment, attachment.id, None
        accepter = aws.ec2transitgateway.VpcAttachmentAccepter(
            self.child_name("tgw-attachment-accept"),
            transit_gateway_attachment_id=attachment.id,
            transit_gateway_default_route_table_association=False,
            transit_gateway_default_route_table_propagation=False,
            tags=tags,
            opts=hub.network.opts(self.region, parent=self),
        )
        return attachment, accepter.id, accepter

    def _routes_to_tgw(self) -> None:
        destinations = self.args.tgw_destinations
        for tier in WORKLOAD_TIERS:
            for i, table in enumerate(self.route_tables[tier]):
                suffix = f"{tier}-{i}" if tier == "private" else tier
                for cidr in destinations:
                    aws.ec2.Route(
                        self.child_name(f"rt-{suffix}-to-{cidr.replace('/', '_')}"), route_table_id=table.id,
                        destination_cidr_block=cidr, transit_gateway_id=self.args.hub.transit_gateway_id,
                        # a shared TGW's attachment routes nothing until the network account accepts it
                        opts=self.child_opts(depends_on=[self.attachment] + ([self.accepter] if self.accepter else [])))

    # -- NACLs --------------------------------------------------------------------------------------------------------
    def _nacls(self) -> dict[str, aws.ec2.NetworkAcl]:
        internal = list(self.args.reachable_blocks)
        nacls = {}
        for tier, (ingress, egress) in nacl_rules(internal, self.args.admin_ports).items():
            nacls[tier] = aws.ec2.NetworkAcl(
                self.child_name(f"nacl-{tier}"), vpc_id=self.vpc.id, subnet_ids=[s.id for s in self.subnets[tier]],
                ingress=ingress, egress=egress, tags={"Name": self.child_name(f"nacl-{tier}"), "tier": tier},
                opts=self.child_opts())
        return nacls

    # -- flow logs ------------------------------------------------------------------------------------------------
    def _flow_log(self) -> aws.ec2.FlowLog:
        """X-01 / CIS 3.9: every packet's metadata, to the log archive (Parquet, hourly Hive partitions)."""
        destination = pulumi.Output.concat(self.args.log_archive.bucket_arn, "/vpc-flow-logs/")
        return aws.ec2.FlowLog(
            self.child_name("flow-log"), vpc_id=self.vpc.id, traffic_type="ALL", log_destination_type="s3",
            log_destination=destination, max_aggregation_interval=60,
            destination_options={"file_format": "parquet", "hive_compatible_partitions": True,
                                 "per_hour_partition": True},
            tags={"Name": self.child_name("flow-log")},
            # CreateFlowLogs checks S3 delivery permission (bucket policy, KMS key) when the flow log is created
            opts=self.child_opts(depends_on=list(self.args.log_archive.ready)))

    # -- endpoints ------------------------------------------------------------------------------------------------
    def _endpoints(self) -> tuple[aws.ec2.SecurityGroup, dict[str, aws.ec2.VpcEndpoint]]:
        cidr = self.args.vpc.cidr
        sg = aws.ec2.SecurityGroup(
            self.child_name("endpoints-sg"), vpc_id=self.vpc.id,
            description="Interface endpoints: HTTPS from this VPC only",
            ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [cidr],
                      "description": "HTTPS to AWS APIs from this VPC"}],
            egress=[],  # endpoints answer; they never initiate
            tags={"Name": self.child_name("endpoints-sg")}, opts=self.child_opts())
        region = self.region
        endpoints: dict[str, aws.ec2.VpcEndpoint] = {}
        inner_tables = [t.id for tier in ("private", "data") for t in self.route_tables[tier]]
        for service in GATEWAY_ENDPOINTS:
            endpoints[service] = aws.ec2.VpcEndpoint(
                self.child_name(f"vpce-{service}"), vpc_id=self.vpc.id, service_name=f"com.amazonaws.{region}.{service}",
                vpc_endpoint_type="Gateway", route_table_ids=inner_tables,
                policy=gateway_endpoint_policy(service, region, self.args.organization_id),
                tags={"Name": self.child_name(f"vpce-{service}")}, opts=self.child_opts())
        for service in INTERFACE_ENDPOINTS:
            slug = service.replace(".", "-")
            endpoints[service] = aws.ec2.VpcEndpoint(
                self.child_name(f"vpce-{slug}"), vpc_id=self.vpc.id, service_name=f"com.amazonaws.{region}.{service}",
                vpc_endpoint_type="Interface", private_dns_enabled=True,
                subnet_ids=[s.id for s in self.subnets["private"]], security_group_ids=[sg.id],
                **({"policy": interface_endpoint_policy(service, self.args.organization_id)}
                   if service in POLICY_SUPPORTED else {}),
                tags={"Name": self.child_name(f"vpce-{slug}")}, opts=self.child_opts())
        return sg, endpoints

    def _admin_security_group(self) -> aws.ec2.SecurityGroup:
        """The administrative-access pattern every workload adds to its hosts: SSH/RDP only from the Client VPN."""
        ingress = [
            {"protocol": "tcp", "from_port": port, "to_port": port, "cidr_blocks": [cidr],
             "description": f"{label} from the Client VPN ({cidr})"}
            for port, label in admin_ports(self.args.admin_ports).items() for cidr in self.args.admin_cidrs
        ]
        return aws.ec2.SecurityGroup(
            self.child_name("admin-access-sg"), vpc_id=self.vpc.id,
            description="Administrative access (SSH/RDP) only through the Client VPN",
            ingress=ingress, egress=[], tags={"Name": self.child_name("admin-access-sg"), "tier": "admin"},
            opts=self.child_opts())


def nacl_rules(internal: list[str], ports: AdminPorts = DEFAULT_ADMIN_PORTS) -> dict[str, tuple[list[dict], list[dict]]]:
    """(ingress, egress) per tier. `internal`: the private blocks the VPC's segment may reach (landing_zone.routing.
    segment_blocks); they pass everywhere (fine-grained segmentation is the TGW's job, least privilege the
    security groups'); from the internet only load-balancer ports reach the public tier and only return traffic
    (1024-65535 minus the admin ports, landing_zone.ports.return_traffic_ranges: NET-06) the inner tiers. The data tier may send only HTTPS out (S3/DynamoDB gateway endpoints use the
    services' public addresses) and has no internet route anyway."""
    def rule(number: int, cidr: str, protocol: str = "-1", ports: tuple[int, int] = (0, 0)) -> dict:
        return {"rule_no": number, "action": "allow", "cidr_block": cidr, "protocol": protocol,
                "from_port": ports[0], "to_port": ports[1]}

    inside = [rule(100 + 10 * i, block) for i, block in enumerate(internal)]
    returns = return_traffic_ranges(ports)
    returns_tcp = [rule(900 + i, WORLD, "tcp", r) for i, r in enumerate(returns)]
    returns_udp = [rule(910 + i, WORLD, "udp", r) for i, r in enumerate(returns)]
    everything_out = [rule(100, WORLD)]
    return {
        "public": (inside + [rule(800, WORLD, "tcp", (443, 443)), rule(810, WORLD, "tcp", (80, 80))] + returns_tcp
                   + returns_udp, everything_out),
        "private": (inside + returns_tcp + returns_udp, everything_out),
        "data": (inside + returns_tcp, inside + [rule(800, WORLD, "tcp", (443, 443))]),
        "transit": (inside, inside),
    }
