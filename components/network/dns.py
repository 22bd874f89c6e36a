"""Hybrid DNS (docs/dns.md): Route 53 Resolver in the network account, DNS Firewall and query logging on every VPC.

Per region, in the network account (ResolverRegion):
- where the network account has a VPC: inbound and outbound resolver endpoints in their own `dns` subnets (two AZs),
  whose security groups and NACL admit DNS (53) with the on-premises resolvers only; a forwarding rule per
  on-premises domain; the narrow Transit Gateway routes that carry DNS between the endpoints and the on-premises
  resolvers (landing_zone.dns.dns_routes);
- a DNS Firewall rule group blocking the AWS managed threat lists, and a query logging configuration into a
  CloudWatch log group of the region (CMK, retention), whose metric filter counts the queries DNS Firewall blocked; an
  alarm on that count reaches the security alarm topic (components/alarm_forwarding.py);
- one RAM share to the organization with the rules, the rule group and the query logging configuration; every VPC
  of the region is associated with each of them through its own account's provider, after the share reaches the
  organization (AWS refuses an association with a resource not yet shared with the account).
Private hosted zones per environment (PrivateZones, dns_zones.py) live in the network account's home region.
`build_network` (components/network/__init__.py) computes the args from the config (landing_zone/dns.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.alarm_forwarding import AlarmBus, forward_alarms
from components.base import AccountArgs, AccountComponent
from components.context import AccountContext, VpcHandle
from components.lookups import lookup
from components.network.hub import HubHandle
from landing_zone.dns import DNS_ALARM_PREFIX, DNS_PORT, RESOLVER_QUERY_LOG_GROUP, host_prefixes

EPHEMERAL = (1024, 65535)
FIREWALL_ASSOCIATION_PRIORITY = 101  # AWS accepts 101-9899; one rule group per VPC
FIREWALL_RULE_PRIORITY = 100  # the first managed list's rule; the next ones follow in steps of 10
# a query DNS Firewall blocked, in the query log format (Route 53 Developer Guide, "Values that appear in Resolver
# query logs": firewall_rule_action is BLOCK, ALERT or ALLOW)
FIREWALL_BLOCKED = '{ $.firewall_rule_action = "BLOCK" }'


@dataclass(frozen=True)
class SpokeDns:
    """One VPC of the region and the account it lives in."""

    account: AccountContext
    vpc: VpcHandle


@dataclass(frozen=True, kw_only=True)
class ResolverEndpoints:
    """The resolver endpoints of a region, in the network account's VPC there, and the domains they forward."""

    vpc: VpcHandle
    attached: tuple[pulumi.Resource, ...]  # the VPC's TGW attachment (a route to the TGW waits for it)
    subnet_cidrs: tuple[str, ...]  # their own subnets, one per AZ (landing_zone.dns.resolver_subnets)
    forward_domains: tuple[str, ...]  # on-premises domains, each a forwarding rule to the on-premises resolvers


@dataclass(frozen=True, kw_only=True)
class ResolverArgs(AccountArgs):
    """account: the network account; region: where this part of the resolver lives."""

    organization_name: str
    hub: HubHandle
    on_premises_resolvers: tuple[str, ...]  # IPv4 addresses
    endpoints: ResolverEndpoints | None  # None: the network account has no VPC in this region
    firewall_lists: Mapping[str, str]  # AWS managed domain list name -> its id in this region
    log_retention_days: int
    tgw_routes: Mapping[str, Mapping[str, str]]  # landing_zone.dns.dns_routes: segment -> destination -> attachment key
    attachment_ids: Mapping[str, pulumi.Input[str]]  # attachment key (landing_zone.routing) -> TGW attachment id here
    vpcs: tuple[SpokeDns, ...]  # every VPC of the region, the network account's own included
    alarm_bus: AlarmBus | None  # the security alarm path (None: no CIS alarms, the block alarm stays local)
    organization_arn: pulumi.Input[str]
    sharing_enabled: tuple[pulumi.Resource, ...] = ()  # RAM sharing enabled in the organization
    shared: ResolverShared | None = None  # split mode, an account stack: associate `vpcs` with what the network
    # stack shares (its outputs), and build nothing else


@dataclass(frozen=True)
class ResolverShared:
    """What a region's VPCs associate with: its forwarding rules, DNS Firewall rule group and query logging."""

    rule_ids: Mapping[str, pulumi.Input[str]]  # on-premises domain -> forwarding rule id
    firewall_rule_group_id: pulumi.Input[str]
    query_log_config_id: pulumi.Input[str]


def domain_slug(domain: str) -> str:
    return domain.replace(".", "-")


def _cidr_slug(cidr: str) -> str:
    return cidr.replace("/", "_")


class ResolverRegion(AccountComponent[ResolverArgs]):
    TOKEN = "network:ResolverRegion"

    def __init__(self, name: str, args: ResolverArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        self.rules: dict[str, aws.route53.ResolverRule] = {}
        self.inbound = self.outbound = None
        if args.shared is not None:  # the network stack built and shared the rest
            self.shares = args.shared
            self.shared: list[pulumi.Resource] = []
            self.associations = [a for spoke in args.vpcs for a in self._associate(spoke)]
            self.register_outputs({})
            return
        if args.endpoints is not None:
            self._endpoints(args.endpoints)
        self.firewall = self._firewall()
        self.query_logs = self._query_logs()
        self.shares = ResolverShared({d: r.id for d, r in self.rules.items()}, self.firewall.id, self.query_logs.id)
        self.shared = self._share()
        self._routes()
        self.associations = [a for spoke in args.vpcs for a in self._associate(spoke)]
        self.register_outputs({
            "inboundEndpointId": self.inbound.id if self.inbound else None,
            "inboundAddresses": self.inbound_addresses,
            "outboundEndpointId": self.outbound.id if self.outbound else None,
            "ruleIds": self.shares.rule_ids,
            "firewallRuleGroupId": self.shares.firewall_rule_group_id,
            "queryLogConfigId": self.shares.query_log_config_id,
        })

    @property
    def inbound_addresses(self) -> pulumi.Output[list[str]] | None:
        """The IPs on-premises resolvers forward the AWS domains to."""
        if self.inbound is None:
            return None
        return self.inbound.ip_addresses.apply(lambda addresses: [a["ip"] for a in addresses or [] if a.get("ip")])

    # -- endpoints --------------------------------------------------------------------------------------------------
    def _endpoints(self, endpoints: ResolverEndpoints) -> None:
        vpc, hosts = endpoints.vpc, host_prefixes(self.args.on_premises_resolvers)
        subnets = self._subnets(endpoints, hosts)
        inbound_sg = self._security_group("resolver-inbound-sg", vpc, "Resolver inbound endpoint: DNS from the "
                                          "on-premises resolvers only", ingress=self._dns_rules(hosts), egress=[])
        outbound_sg = self._security_group("resolver-outbound-sg", vpc, "Resolver outbound endpoint: DNS to the "
                                           "on-premises resolvers only", ingress=[], egress=self._dns_rules(hosts))
        self.inbound = self._endpoint("INBOUND", "resolver-inbound", inbound_sg, subnets)
        self.outbound = self._endpoint("OUTBOUND", "resolver-outbound", outbound_sg, subnets)
        for domain in endpoints.forward_domains:
            self.rules[domain] = aws.route53.ResolverRule(
                self.child_name(f"resolver-rule-{domain_slug(domain)}"), name=f"forward-{domain_slug(domain)}",
                domain_name=domain, rule_type="FORWARD", resolver_endpoint_id=self.outbound.id,
                target_ips=[{"ip": ip, "port": DNS_PORT, "protocol": "Do53"}
                            for ip in self.args.on_premises_resolvers],
                tags={"Name": self.child_name(f"resolver-rule-{domain_slug(domain)}")}, opts=self.child_opts())

    def _subnets(self, endpoints: ResolverEndpoints, hosts: list[str]) -> list[aws.ec2.Subnet]:
        """The endpoints' own subnets: their route table sends only the on-premises resolvers to the TGW, their NACL
        admits only DNS with them (the VPC's default NACL, emptied, would drop everything)."""
        azs = lookup(aws.get_availability_zones_output, account=self.account, region=self.region, parent=self,
                     state="available", filters=[{"name": "zone-type", "values": ["availability-zone"]}])
        vpc = endpoints.vpc
        subnets = [aws.ec2.Subnet(
            self.child_name(f"dns-{i}"), vpc_id=vpc.vpc_id, cidr_block=cidr, map_public_ip_on_launch=False,
            availability_zone=azs.names.apply(lambda names, i=i: names[i]),
            tags={"Name": self.child_name(f"dns-{i}"), "tier": "dns"}, opts=self.child_opts())
            for i, cidr in enumerate(endpoints.subnet_cidrs)]
        table = aws.ec2.RouteTable(self.child_name("rt-dns"), vpc_id=vpc.vpc_id,
                                   tags={"Name": self.child_name("rt-dns"), "tier": "dns"}, opts=self.child_opts())
        for i, subnet in enumerate(subnets):
            aws.ec2.RouteTableAssociation(self.child_name(f"rta-dns-{i}"), subnet_id=subnet.id, route_table_id=table.id,
                                          opts=self.child_opts())
        for host in hosts:
            aws.ec2.Route(self.child_name(f"rt-dns-to-{_cidr_slug(host)}"), route_table_id=table.id,
                          destination_cidr_block=host, transit_gateway_id=self.args.hub.transit_gateway_id,
                          # AWS refuses a route to a TGW the VPC is not attached to yet
                          opts=self.child_opts(depends_on=list(endpoints.attached)))
        allowed = [(proto, ports) for proto in ("tcp", "udp") for ports in ((DNS_PORT, DNS_PORT), EPHEMERAL)]
        rules = [{"rule_no": 100 + 10 * i + j, "action": "allow", "cidr_block": host, "protocol": proto,
                  "from_port": ports[0], "to_port": ports[1]}
                 for i, host in enumerate(hosts) for j, (proto, ports) in enumerate(allowed)]
        aws.ec2.NetworkAcl(self.child_name("nacl-dns"), vpc_id=vpc.vpc_id, subnet_ids=[s.id for s in subnets],
                           ingress=rules, egress=rules, tags={"Name": self.child_name("nacl-dns"), "tier": "dns"},
                           opts=self.child_opts())
        return subnets

    @staticmethod
    def _dns_rules(hosts: list[str]) -> list[dict]:
        return [{"protocol": proto, "from_port": DNS_PORT, "to_port": DNS_PORT, "cidr_blocks": hosts,
                 "description": f"DNS ({proto}) with the on-premises resolvers"} for proto in ("tcp", "udp")]

    def _security_group(self, purpose: str, vpc: VpcHandle, description: str, ingress: list, egress: list):
        return aws.ec2.SecurityGroup(self.child_name(purpose), vpc_id=vpc.vpc_id, description=description,
                                     ingress=ingress, egress=egress, tags={"Name": self.child_name(purpose)},
                                     opts=self.child_opts())

    def _endpoint(self, direction: str, purpose: str, sg: aws.ec2.SecurityGroup, subnets: list[aws.ec2.Subnet]):
        return aws.route53.ResolverEndpoint(
            self.child_name(purpose), name=f"{self.args.organization_name}-{self.region}-{direction.lower()}",
            direction=direction, resolver_endpoint_type="IPV4", protocols=["Do53"], security_group_ids=[sg.id],
            ip_addresses=[{"subnet_id": s.id} for s in subnets],  # one address per AZ
            tags={"Name": self.child_name(purpose)}, opts=self.child_opts())

    # -- DNS Firewall -----------------------------------------------------------------------------------------------
    def _firewall(self) -> aws.route53.ResolverFirewallRuleGroup:
        group = aws.route53.ResolverFirewallRuleGroup(
            self.child_name("dns-firewall"), name=f"{self.args.organization_name}-{self.region}-threats",
            tags={"Name": self.child_name("dns-firewall")}, opts=self.child_opts())
        for i, (name, list_id) in enumerate(self.args.firewall_lists.items()):
            aws.route53.ResolverFirewallRule(
                self.child_name(f"dns-firewall-{name}"), name=f"block-{name}", action="BLOCK", block_response="NODATA",
                firewall_domain_list_id=list_id, firewall_rule_group_id=group.id,
                priority=FIREWALL_RULE_PRIORITY + 10 * i, opts=self.child_opts())
        return group

    # -- query logging and the alarm on blocked queries ------------------------------------------------------------------
    def _query_logs(self) -> aws.route53.ResolverQueryLogConfig:
        """Query logs to a log group of this region (hub's CMK, security.log_retention_days); the alarm on blocked
        queries. DNS Firewall also sends best-effort EventBridge events per block, but to the default bus of the
        VPC's account: the query logs of every VPC reach this one log group (the configuration is shared)."""
        log_group = aws.cloudwatch.LogGroup(
            self.child_name("resolver-query-logs"), name=RESOLVER_QUERY_LOG_GROUP, kms_key_id=self.args.hub.log_key_arn,
            retention_in_days=self.args.log_retention_days, opts=self.child_opts())
        # log delivery writes the group only through this policy (AWS would otherwise try to add its own)
        delivery = aws.cloudwatch.LogResourcePolicy(
            self.child_name("resolver-query-logs-policy"), policy_name="landing-zone-resolver-query-logs",
            policy_document=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [{
                "Sid": "ResolverQueryLogsDelivery", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": pulumi.Output.concat(log_group.arn, ":log-stream:*"),
                "Condition": {"StringEquals": {"aws:SourceAccount": self.account.account_id}}}]}),
            opts=self.child_opts())  # fmt: skip
        config = aws.route53.ResolverQueryLogConfig(
            self.child_name("resolver-query-logs"), name=f"{self.args.organization_name}-{self.region}",
            destination_arn=log_group.arn, opts=self.child_opts(depends_on=[delivery]))
        aws.cloudwatch.LogMetricFilter(
            self.child_name("dns-firewall-blocks-filter"), name="dns-firewall-blocks", log_group_name=log_group.name,
            pattern=FIREWALL_BLOCKED,
            metric_transformation={"name": "DnsFirewallBlocks", "namespace": "LandingZone/DNS", "value": "1"},
            opts=self.child_opts())  # fmt: skip
        aws.cloudwatch.MetricAlarm(
            self.child_name("dns-firewall-blocks-alarm"), name=f"{DNS_ALARM_PREFIX}firewall-blocks-{self.region}",
            alarm_description=f"DNS Firewall blocked queries from a VPC in {self.region}: the query logs in "
                              f"{RESOLVER_QUERY_LOG_GROUP} (network account) name the VPC, instance and domain",
            namespace="LandingZone/DNS", metric_name="DnsFirewallBlocks", statistic="Sum", period=300,
            evaluation_periods=1, threshold=1, comparison_operator="GreaterThanOrEqualToThreshold",
            treat_missing_data="notBreaching", opts=self.child_opts())  # fmt: skip
        if self.args.alarm_bus is not None:  # state changes reach security like the CIS alarms'
            forward_alarms(self, self.args.alarm_bus, prefixes=[DNS_ALARM_PREFIX],
                           rule_name="landing-zone-dns-alarms-forward",
                           description="EventBridge forwards DNS Firewall alarms to security")
        return config

    # -- sharing and associations -------------------------------------------------------------------------------------
    def _share(self) -> list[pulumi.Resource]:
        """One RAM share to the organization (the TGW share's pattern); associations wait for all of it."""
        share = aws.ram.ResourceShare(self.child_name("dns-share"),
                                      name=f"{self.args.organization_name}-{self.region}-dns",
                                      allow_external_principals=False, opts=self.child_opts())
        resources = {f"rule-{domain_slug(d)}": r.arn for d, r in self.rules.items()}
        resources.update({"firewall": self.firewall.arn, "query-logs": self.query_logs.arn})
        links: list[pulumi.Resource] = [
            aws.ram.ResourceAssociation(self.child_name(f"dns-share-{key}"), resource_arn=arn,
                                        resource_share_arn=share.arn, opts=self.child_opts())
            for key, arn in resources.items()]
        links.append(aws.ram.PrincipalAssociation(
            self.child_name("dns-share-org"), principal=self.args.organization_arn, resource_share_arn=share.arn,
            opts=self.child_opts(depends_on=list(self.args.sharing_enabled))))
        return links

    def _associate(self, spoke: SpokeDns) -> list[pulumi.Resource]:
        """The VPC's forwarding rules, firewall rule group and query logging, through its own account's provider."""
        acct, vpc = spoke.account, spoke.vpc
        wait = [] if acct.name == self.account.name else self.shared

        def opts() -> pulumi.ResourceOptions:
            return acct.opts(self.region, parent=self, depends_on=wait)

        def name(purpose: str) -> str:
            return acct.resource_name(self.region, purpose)

        shares = self.shares
        out: list[pulumi.Resource] = [
            aws.route53.ResolverRuleAssociation(name(f"resolver-rule-{domain_slug(d)}-assoc"), name=f"forward-{domain_slug(d)}",
                                                resolver_rule_id=rule_id, vpc_id=vpc.vpc_id, opts=opts())
            for d, rule_id in shares.rule_ids.items()]
        out.append(aws.route53.ResolverFirewallRuleGroupAssociation(
            name("dns-firewall-assoc"), name=f"{self.args.organization_name}-threats", vpc_id=vpc.vpc_id,
            firewall_rule_group_id=shares.firewall_rule_group_id, priority=FIREWALL_ASSOCIATION_PRIORITY,
            mutation_protection="ENABLED", opts=opts()))
        out.append(aws.route53.ResolverQueryLogConfigAssociation(
            name("resolver-query-logs-assoc"), resolver_query_log_config_id=shares.query_log_config_id,
            resource_id=vpc.vpc_id, opts=opts()))
        return out

    # -- Transit Gateway routes -----------------------------------------------------------------------------------------
    def _routes(self) -> None:
        """The DNS-only static routes of this region's hub (landing_zone.dns.dns_routes)."""
        hub = self.args.hub
        for segment, routes in self.args.tgw_routes.items():
            for cidr, key in routes.items():
                aws.ec2transitgateway.Route(
                    self.child_name(f"tgw-dns-route-{segment}-{_cidr_slug(cidr)}"), destination_cidr_block=cidr,
                    transit_gateway_attachment_id=self.args.attachment_ids[key],
                    transit_gateway_route_table_id=hub.route_table_ids[segment], opts=self.child_opts())


@dataclass
class HybridDns:
    regions: dict[str, ResolverRegion]
    zones: pulumi.ComponentResource | None  # dns_zones.PrivateZones
