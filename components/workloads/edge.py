"""The public edge of a workload account: ALB + ACM + WAF, and optionally an internal NLB and a REST API Gateway.

Everything the internet reaches goes through here: a TLS 1.2+ HTTPS listener with a DNS-validated ACM certificate,
HTTP only ever redirects, the WAF web ACL (AWS managed rule groups + a rate limit) sits in front of the ALB and the
API stage, and every request is logged (ALB access logs to the log archive's SSE-S3 ELB log bucket of the region,
WAF logs to a CMK-encrypted log group).
Services (components/workloads/ecs.py) attach listener rules to `https_listener_arn` and admit traffic from
`alb_security_group_id`.

DNS: the certificates' validation records and the aliases go into the existing public zone through its owner's
provider (components/workloads/edge_dns.py).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountArgs, AccountComponent
from components.context import AccountContext, LogArchive, VpcHandle, elb_logs_prefix
from components.lookups import lookup
from components.workloads.alarms import AlarmSpec, Watch, Widget
from components.workloads.edge_api import ApiFront, rest_api_front
from components.workloads.edge_dns import EdgeDns, Failover, alias, health_check, validated_certificate
from components.workloads.registry import BuildContext, Piece
from landing_zone.models import Edge as EdgeConfig
from landing_zone.models import Workloads as WorkloadsConfig

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"  # TLS 1.3 + 1.2 with forward-secret ciphers only (AWS default)
MANAGED_RULE_GROUPS = (  # (rule group name, priority): evaluated in this order, cheapest and most common first
    ("AWSManagedRulesAmazonIpReputationList", 10),
    ("AWSManagedRulesCommonRuleSet", 20),
    ("AWSManagedRulesKnownBadInputsRuleSet", 30),
    ("AWSManagedRulesSQLiRuleSet", 40),
)
# Behind the edge, EKS serves through the AWS Load Balancer Controller registering pod IPs (target-type ip) on
# the conventional application port; ECS accounts use their services' ports.
EKS_INGRESS_PORTS = [8080]
RATE_LIMIT_PRIORITY = 1  # block floods before spending WCUs on the managed groups


def waf_delivery_policy(account_id: str, region: str, partition: str = "aws") -> str:
    """CloudWatch Logs resource policy for vended WAF logs of this account and region (AWS WAF Developer Guide,
    "Sending web ACL traffic logs to an Amazon CloudWatch Logs log group")."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "AWSLogDeliveryWrite", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": f"arn:{partition}:logs:{region}:{account_id}:log-group:aws-waf-logs-*:log-stream:*",
        "Condition": {"StringEquals": {"aws:SourceAccount": account_id},
                      "ArnLike": {"aws:SourceArn": f"arn:{partition}:logs:{region}:{account_id}:*"}},
    }]})


def short_name(*parts: str, limit: int = 32) -> str:
    """A physical name within AWS's length limit that stays stable and unique (hash suffix when truncated)."""
    name = "-".join(parts)
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"{name[: limit - 7].rstrip('-')}-{digest}"


@dataclass(frozen=True, kw_only=True)
class EdgeArgs(AccountArgs):
    vpc: VpcHandle
    config: EdgeConfig
    log_archive: LogArchive | None
    app_security_group_id: pulumi.Input[str]  # with target_ports: the only place the ALB may send traffic
    target_ports: list[int]
    logs_key_arn: pulumi.Input[str]  # CMK for log groups (its key policy must allow logs.<region>.amazonaws.com)
    log_retention_days: int = 365
    # Where the ALB/NLB write access logs; default: the log archive's ELB log bucket of this region (ALB access logs
    # go only to an SSE-S3 bucket in the load balancer's region, never the KMS log bucket).
    access_logs_bucket: pulumi.Input[str] | None = None
    dns: EdgeDns | None = None  # the public zone the edge's records go into (required: see the module docstring)
    # DNS failover of an account with DR compute: PRIMARY (home edge, health-checked on health_check_path) or
    # SECONDARY (the DR region's edge); None: a plain alias
    failover: str | None = None
    health_check_path: str = "/"


class Edge(AccountComponent[EdgeArgs]):
    """Public ALB with HTTPS, ACM, WAF and logging for one workload account and region."""

    alb_arn: pulumi.Output[str]
    alb_arn_suffix: pulumi.Output[str]
    alb_dns_name: pulumi.Output[str]
    alb_zone_id: pulumi.Output[str]
    alb_security_group_id: pulumi.Output[str]
    https_listener_arn: pulumi.Output[str]
    certificate_arn: pulumi.Output[str]
    domain_name: str
    web_acl_arn: pulumi.Output[str]
    nlb_arn: pulumi.Output[str] | None = None
    nlb_target_group_arn: pulumi.Output[str] | None = None
    api_url: pulumi.Output[str] | None = None

    TOKEN = "workloads:Edge"

    def __init__(self, name: str, args: EdgeArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        account, region, vpc, config, dns = args.account, args.region, args.vpc, args.config, args.dns
        if not vpc.subnet_ids.get("public"):
            raise ValueError(f"accounts[{account.name}].workloads.edge: the VPC in {region} has no public subnets "
                             "for the internet-facing load balancer")
        bucket = args.access_logs_bucket or self._elb_logs_bucket(account, region, args.log_archive)
        if not args.target_ports:
            raise ValueError(f"accounts[{account.name}].workloads.edge: no target ports (the ALB would reach nothing)")
        if dns is None:
            raise ValueError(f"accounts[{account.name}].workloads.edge: {config.domain_name} needs the public zone it "
                             "goes into (network.dns)")
        if bucket is None:
            raise ValueError(f"accounts[{account.name}].workloads.edge: load balancer access logs need an SSE-S3 bucket "
                             f"in {region} (pass a log_archive with an ELB log bucket there, or access_logs_bucket)")
        self._vpc, self._config = vpc, config
        self._kms_key_arn, self._retention = args.logs_key_arn, args.log_retention_days
        self._app_sg, self._target_ports = args.app_security_group_id, sorted(set(args.target_ports))
        self.domain_name = config.domain_name
        # prod and nonprod (DAT-08 is mandatory outside the sandbox): deleting an edge is never a side effect
        self._protected = account.environment != "sandbox"
        self._logs_bucket = bucket
        self._logs_prefix = elb_logs_prefix(account.name, region)  # the ELB log bucket's policy grants exactly this

        self._dns = dns
        self.certificate_arn = validated_certificate(self, dns, "cert", config.domain_name)
        self._alb()
        self._listeners()
        self._waf()
        self._public_name(args)
        if config.nlb:
            self._nlb()
        if config.api_gateway and args.failover != "SECONDARY":  # the DR edge fronts the ALB's name only
            self.api_url = rest_api_front(self, self._dns, ApiFront(
                domain=config.domain_name, web_acl_arn=self.web_acl_arn, logs_key_arn=args.logs_key_arn,
                log_retention_days=args.log_retention_days))
        self.register_outputs({
            "albArn": self.alb_arn, "albArnSuffix": self.alb_arn_suffix, "albDnsName": self.alb_dns_name,
            "albSecurityGroupId": self.alb_security_group_id, "httpsListenerArn": self.https_listener_arn,
            "certificateArn": self.certificate_arn, "webAclArn": self.web_acl_arn,
        })

    def _public_name(self, args: EdgeArgs) -> None:
        """The domain's alias to the ALB: plain, or one of its failover records (PRIMARY checked, SECONDARY in DR)."""
        failover = None
        if args.failover == "PRIMARY":
            check = health_check(self, self._dns, "alb-health", self.alb_dns_name, args.health_check_path)
            failover = Failover("PRIMARY", check)
        elif args.failover is not None:
            failover = Failover(args.failover)
        alias(self, self._dns, "alias", self.domain_name, self.alb_dns_name, self.alb_zone_id, failover)

    # --- helpers ------------------------------------------------------------------------------------------------

    @staticmethod
    def _elb_logs_bucket(account: AccountContext, region: str,
                         log_archive: LogArchive | None) -> pulumi.Input[str] | None:
        if log_archive is None:
            return None
        if region in log_archive.elb_logs_bucket_by_region:
            return log_archive.elb_logs_bucket_by_region[region]
        # A hand-made handle without ELB buckets (older stacks, tests): AWS rejects this SSE-KMS target at deploy time.
        pulumi.log.warn(f"accounts[{account.name}].workloads.edge: the log archive has no ELB log bucket in {region}; "
                        "falling back to the KMS log bucket, which ELB access logging does not accept")
        return log_archive.bucket_name

    # --- ALB ----------------------------------------------------------------------------------------------------

    def _alb(self) -> None:
        sg = aws.ec2.SecurityGroup(
            self.child_name("alb-sg"), vpc_id=self._vpc.vpc_id,
            description=f"Public ALB of {self.account.name}: HTTPS from the internet, HTTP only to redirect",
            ingress=[
                {"description": "HTTPS from the internet", "protocol": "tcp", "from_port": 443, "to_port": 443,
                 "cidr_blocks": ["0.0.0.0/0"]},
                {"description": "HTTP from the internet, answered only with a redirect to HTTPS", "protocol": "tcp",
                 "from_port": 80, "to_port": 80, "cidr_blocks": ["0.0.0.0/0"]},
            ],
            egress=[{"description": f"To the application tasks on port {port}", "protocol": "tcp",
                     "from_port": port, "to_port": port, "security_groups": [self._app_sg]}
                    for port in self._target_ports],
            tags={"Name": self.child_name("alb-sg")},
            opts=self.child_opts())
        alb = aws.lb.LoadBalancer(
            self.child_name("alb"), name=short_name(self.account.name, "alb"), load_balancer_type="application",
            internal=False, subnets=self._vpc.subnet_ids["public"], security_groups=[sg.id],
            drop_invalid_header_fields=True, desync_mitigation_mode="strictest", enable_http2=True,
            enable_waf_fail_open=False, enable_deletion_protection=self._protected, idle_timeout=60,
            access_logs={"bucket": self._logs_bucket, "prefix": self._logs_prefix, "enabled": True},
            tags={"Name": self.child_name("alb")},
            opts=self.child_opts())
        self.alb_arn, self.alb_arn_suffix = alb.arn, alb.arn_suffix
        self.alb_dns_name, self.alb_zone_id = alb.dns_name, alb.zone_id
        self.alb_security_group_id = sg.id

    def _listeners(self) -> None:
        https = aws.lb.Listener(
            self.child_name("alb-https"), load_balancer_arn=self.alb_arn, port=443, protocol="HTTPS",
            ssl_policy=TLS_POLICY, certificate_arn=self.certificate_arn,
            # services add path rules; anything unmatched gets a plain 404 rather than reaching a random target
            default_actions=[{"type": "fixed-response", "fixed_response": {
                "content_type": "text/plain", "message_body": "Not Found", "status_code": "404"}}],
            opts=self.child_opts())
        aws.lb.Listener(
            self.child_name("alb-http-redirect"), load_balancer_arn=self.alb_arn, port=80, protocol="HTTP",
            default_actions=[{"type": "redirect", "redirect": {
                "protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}}],
            opts=self.child_opts())
        self.https_listener_arn = https.arn

    # --- WAF ----------------------------------------------------------------------------------------------------

    def _visibility(self, metric: str) -> dict:
        return {"cloudwatch_metrics_enabled": True, "sampled_requests_enabled": True,
                "metric_name": metric.replace("-", "")[:128]}

    def _waf_rules(self) -> list[dict]:
        rules: list[dict] = [{
            "name": "rate-limit-per-ip", "priority": RATE_LIMIT_PRIORITY, "action": {"block": {}},
            "statement": {"rate_based_statement": {"limit": self._config.waf_rate_limit, "aggregate_key_type": "IP",
                                                   "evaluation_window_sec": 300}},
            "visibility_config": self._visibility("RateLimitPerIp"),
        }]
        for group, priority in MANAGED_RULE_GROUPS:
            rules.append({
                "name": group, "priority": priority, "override_action": {"none": {}},
                "statement": {"managed_rule_group_statement": {"vendor_name": "AWS", "name": group}},
                "visibility_config": self._visibility(group),
            })
        return rules

    def _waf(self) -> None:
        acl = aws.wafv2.WebAcl(
            self.child_name("waf"), name=self.child_name("waf"), scope="REGIONAL", default_action={"allow": {}},
            description=f"Edge protection for {self.account.name} in {self.region}",
            rules=self._waf_rules(), visibility_config=self._visibility(self.child_name("waf")),
            opts=self.child_opts())
        # WAF only logs to log groups whose name starts with aws-waf-logs-
        log_group = aws.cloudwatch.LogGroup(
            self.child_name("waf-logs"), name=f"aws-waf-logs-{self.account.name}-{self.region}",
            kms_key_id=self._kms_key_arn, retention_in_days=self._retention, opts=self.child_opts())
        partition = lookup(aws.get_partition_output, account=self.account, region=self.region, parent=self)
        # WAF logs are vended logs: delivery.logs.amazonaws.com writes them, and PutLoggingConfiguration checks (or
        # tries to add) the log group resource policy that lets it; written here, first, the call needs no extra rights
        delivery = aws.cloudwatch.LogResourcePolicy(
            self.child_name("waf-logs-delivery"), policy_name="waf-logs-delivery",
            policy_document=pulumi.Output.all(self.account.account_id, partition.partition).apply(
                lambda a: waf_delivery_policy(a[0], self.region, a[1])),
            opts=self.child_opts())
        aws.wafv2.WebAclLoggingConfiguration(
            self.child_name("waf-logging"), resource_arn=acl.arn, log_destination_configs=[log_group.arn],
            # credentials never reach the logs
            redacted_fields=[{"single_header": {"name": "authorization"}}, {"single_header": {"name": "cookie"}}],
            opts=self.child_opts(depends_on=[delivery]))
        aws.wafv2.WebAclAssociation(self.child_name("waf-alb"), resource_arn=self.alb_arn, web_acl_arn=acl.arn,
                                    opts=self.child_opts())
        self.web_acl_arn = acl.arn

    # --- optional NLB -------------------------------------------------------------------------------------------

    def _nlb(self) -> None:
        """An internal NLB with a TLS listener for non-HTTP clients inside the network (other VPCs, on-premises).

        Internal on purpose: WAF cannot protect an NLB, so nothing public bypasses the ALB. App teams register
        their targets (IP) in `nlb_target_group_arn`.
        """
        subnets = self._vpc.subnet_ids.get("private") or self._vpc.subnet_ids["public"]
        sg = aws.ec2.SecurityGroup(
            self.child_name("nlb-sg"), vpc_id=self._vpc.vpc_id, description=f"Internal NLB of {self.account.name}",
            ingress=[{"description": "TLS from the internal network", "protocol": "tcp", "from_port": 443,
                      "to_port": 443, "cidr_blocks": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]}],
            egress=[{"description": "To targets inside the VPC", "protocol": "tcp", "from_port": 0, "to_port": 65535,
                     "cidr_blocks": [self._vpc.cidr]}],
            tags={"Name": self.child_name("nlb-sg")}, opts=self.child_opts())
        nlb = aws.lb.LoadBalancer(
            self.child_name("nlb"), name=short_name(self.account.name, "nlb"), load_balancer_type="network",
            internal=True, subnets=subnets, security_groups=[sg.id], enable_cross_zone_load_balancing=True,
            enable_deletion_protection=self._protected,
            access_logs={"bucket": self._logs_bucket, "prefix": self._logs_prefix, "enabled": True},
            tags={"Name": self.child_name("nlb")}, opts=self.child_opts())
        target_group = aws.lb.TargetGroup(
            self.child_name("nlb-tg"), name=short_name(self.account.name, "nlb-tg"), port=443, protocol="TCP",
            target_type="ip", vpc_id=self._vpc.vpc_id, health_check={"protocol": "TCP"}, opts=self.child_opts())
        aws.lb.Listener(
            self.child_name("nlb-tls"), load_balancer_arn=nlb.arn, port=443, protocol="TLS", ssl_policy=TLS_POLICY,
            certificate_arn=self.certificate_arn,
            default_actions=[{"type": "forward", "target_group_arn": target_group.arn}], opts=self.child_opts())
        self.nlb_arn, self.nlb_target_group_arn = nlb.arn, target_group.arn


# --- the piece ------------------------------------------------------------------------------------------------------


def service_ports(workloads: WorkloadsConfig) -> list[int]:
    """The ports the ALB forwards to: the ECS services' ports, or EKS's ingress port."""
    if workloads.ecs:
        return sorted({s.port for s in workloads.ecs.services})
    return list(EKS_INGRESS_PORTS) if workloads.eks else []


def health_check_path(workloads: WorkloadsConfig) -> str:
    """What Route 53 asks the home ALB before failing over: the catch-all service's health path (the ALB answers
    anything else unmatched with 404), else the root."""
    services = workloads.ecs.services if workloads.ecs else []
    return next((s.health_check_path for s in services if s.path == "/*"), "/")


def failover_role(ctx: BuildContext) -> str | None:
    """The edge's DNS part: SECONDARY in the DR region, PRIMARY at home when the account has DR compute."""
    if ctx.standby:
        return "SECONDARY"
    return "PRIMARY" if ctx.args.standby_tasks is not None else None


def build(ctx: BuildContext, config: EdgeConfig) -> Edge:
    """The edge, and the application tier's ingress from its ALB on each service port."""
    ports = service_ports(ctx.workloads)
    edge = Edge(ctx.name("edge"), EdgeArgs(
        account=ctx.account, region=ctx.region, vpc=ctx.vpc, config=config, log_archive=ctx.args.log_archive,
        app_security_group_id=ctx.app_security_group_id, target_ports=ports, logs_key_arn=ctx.keys["logs"],
        log_retention_days=ctx.log_retention_days, dns=ctx.args.dns, failover=failover_role(ctx),
        health_check_path=health_check_path(ctx.workloads)), ctx.opts)
    for port in ports:
        aws.vpc.SecurityGroupIngressRule(
            ctx.name(f"app-from-alb-{port}"), security_group_id=ctx.app_security_group_id,
            referenced_security_group_id=edge.alb_security_group_id, ip_protocol="tcp", from_port=port, to_port=port,
            description=f"service port {port} from the public ALB only", opts=ctx.child_opts())
    return edge


def watch(_: BuildContext, edge: Edge) -> Watch:
    alb = {"LoadBalancer": edge.alb_arn_suffix}
    return Watch(
        alarms=(AlarmSpec("alb-5xx", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", alb, 10, "Sum",
                          description="ALB 5xx responses"),
                AlarmSpec("alb-target-5xx", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", alb, 25, "Sum",
                          description="Targets' 5xx responses")),
        widgets=(Widget("ALB requests and 5xx", [
            ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", edge.alb_arn_suffix, {"stat": "Sum"}],
            ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", edge.alb_arn_suffix, {"stat": "Sum"}]]),))


PIECE = Piece(
    name="edge", field="edge", build=build, watch=watch,
    outputs=lambda edge: {"albDnsName": edge.alb_dns_name, "domainName": edge.domain_name},
    contract=lambda edge: {"alb": {"dns_name": edge.alb_dns_name, "https_listener_arn": edge.https_listener_arn,
                                   "security_group_id": edge.alb_security_group_id,
                                   "domain_name": edge.domain_name}},
)
