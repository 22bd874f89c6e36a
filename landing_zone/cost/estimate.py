"""The monthly cost of a plan: one line per charge of each resource, from the price table and the usage assumptions.

Fixed lines (`basis="fixed"`) are what the resource costs by existing (hours x hourly price, GB-months, per-month
items). Usage lines (`basis="estimate"`) come from an assumption of the config's `landing-zone:cost` and name it.
A resource type the rules below do not price, or whose price the table lacks for its region, is UNPRICED and listed
with the reason: never silently zero. Types that AWS does not charge for are in FREE_TYPES, by name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from landing_zone.cost.table import PriceTable
from landing_zone.models import Cost
from landing_zone.plan_index import account_of, index_by_urn, provider_urn

# Resource types AWS does not charge for by themselves (their traffic or usage is priced on another line, if any).
FREE_TYPES = frozenset({
    "aws:accessanalyzer/analyzer:Analyzer",  # external-access analyzers are free (unused-access ones are not: none here)
    "aws:account/alternativeContact:AlternativeContact", "aws:account/region:Region",
    "aws:acm/certificate:Certificate", "aws:acm/certificateValidation:CertificateValidation",  # public ACM certs
    "aws:appautoscaling/policy:Policy", "aws:appautoscaling/target:Target",
    "aws:backup/plan:Plan", "aws:backup/selection:Selection", "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
    "aws:budgets/budget:Budget",  # budgets without actions are free
    "aws:cfg/configurationAggregator:ConfigurationAggregator", "aws:cfg/deliveryChannel:DeliveryChannel",
    "aws:cfg/recorderStatus:RecorderStatus",
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy", "aws:cloudwatch/eventRule:EventRule",  # AWS service events on the
    "aws:cloudwatch/eventTarget:EventTarget",  # default bus are free
    "aws:cloudwatch/logMetricFilter:LogMetricFilter", "aws:cloudwatch/logResourcePolicy:LogResourcePolicy", "aws:cloudwatch/logStream:LogStream",
    "aws:costexplorer/anomalyMonitor:AnomalyMonitor", "aws:costexplorer/anomalySubscription:AnomalySubscription",
    "aws:directconnect/gateway:Gateway",
    "aws:ebs/defaultKmsKey:DefaultKmsKey", "aws:ebs/encryptionByDefault:EncryptionByDefault",
    "aws:ec2/customerGateway:CustomerGateway", "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "aws:ec2/flowLog:FlowLog",  # delivery priced as logs/S3
    "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults", "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/networkAcl:NetworkAcl", "aws:ec2/route:Route",
    "aws:ec2/routeTable:RouteTable", "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/securityGroupRule:SecurityGroupRule", "aws:ec2/subnet:Subnet",
    "aws:ec2/volumeAttachment:VolumeAttachment", "aws:ec2/vpc:Vpc",
    "aws:ec2/vpcBlockPublicAccessExclusion:VpcBlockPublicAccessExclusion",  # VPC BPA and its exclusions are free
    "aws:ec2clientvpn/authorizationRule:AuthorizationRule", "aws:ec2clientvpn/route:Route",
    "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter",  # billed once, on the requester line
    "aws:ec2transitgateway/route:Route", "aws:ec2transitgateway/routeTable:RouteTable",
    "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation",
    "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation",
    "aws:ec2transitgateway/transitGateway:TransitGateway",  # the gateway is free; its attachments are not
    "aws:ec2transitgateway/vpcAttachmentAccepter:VpcAttachmentAccepter",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy", "aws:ecr/repositoryPolicy:RepositoryPolicy",
    "aws:ecs/cluster:Cluster", "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
    "aws:ecs/taskDefinition:TaskDefinition",  # priced through the service that runs it
    "aws:eks/accessEntry:AccessEntry", "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    "aws:elasticache/subnetGroup:SubnetGroup",
    "aws:guardduty/organizationAdminAccount:OrganizationAdminAccount",
    "aws:guardduty/organizationConfiguration:OrganizationConfiguration",
    "aws:guardduty/organizationConfigurationFeature:OrganizationConfigurationFeature",
    "aws:iam/accountPasswordPolicy:AccountPasswordPolicy", "aws:iam/organizationsFeatures:OrganizationsFeatures", "aws:iam/instanceProfile:InstanceProfile",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "aws:iam/policy:Policy", "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/samlProvider:SamlProvider", "aws:iam/serviceLinkedRole:ServiceLinkedRole",
    "aws:inspector2/delegatedAdminAccount:DelegatedAdminAccount",
    "aws:inspector2/memberAssociation:MemberAssociation",
    "aws:inspector2/organizationConfiguration:OrganizationConfiguration",
    "aws:kms/alias:Alias", "aws:lambda/permission:Permission",
    "aws:lb/listener:Listener", "aws:lb/listenerRule:ListenerRule", "aws:lb/targetGroup:TargetGroup",
    "aws:organizations/account:Account", "aws:organizations/delegatedAdministrator:DelegatedAdministrator",
    "aws:organizations/organization:Organization", "aws:organizations/organizationalUnit:OrganizationalUnit",
    "aws:organizations/policy:Policy", "aws:organizations/policyAttachment:PolicyAttachment",
    "aws:ram/principalAssociation:PrincipalAssociation", "aws:ram/resourceAssociation:ResourceAssociation",
    "aws:ram/resourceShare:ResourceShare", "aws:ram/sharingWithOrganization:SharingWithOrganization",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup", "aws:rds/subnetGroup:SubnetGroup",
    "aws:rds/globalCluster:GlobalCluster",  # priced through its member clusters and instances
    "aws:route53/record:Record",  # queries are usage; alias queries to AWS resources are free
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:secretsmanager/secretRotation:SecretRotation", "aws:secretsmanager/secretVersion:SecretVersion",
    "aws:securityhub/configurationPolicy:ConfigurationPolicy",
    "aws:securityhub/configurationPolicyAssociation:ConfigurationPolicyAssociation",
    "aws:securityhub/findingAggregator:FindingAggregator",
    "aws:securityhub/organizationAdminAccount:OrganizationAdminAccount",
    "aws:securityhub/organizationConfiguration:OrganizationConfiguration",
    "aws:sns/topicPolicy:TopicPolicy", "aws:sns/topicSubscription:TopicSubscription",
    "aws:sqs/queuePolicy:QueuePolicy", "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
    "aws:ssm/maintenanceWindow:MaintenanceWindow", "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget",
    "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask", "aws:ssm/association:Association",
    "aws:ssm/parameter:Parameter",  # standard tier
    "aws:ssm/patchBaseline:PatchBaseline", "aws:ssm/patchGroup:PatchGroup",
    "aws:ssoadmin/accountAssignment:AccountAssignment",
    "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment", "aws:ssoadmin/permissionSet:PermissionSet",
    "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:wafv2/webAclAssociation:WebAclAssociation",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    "aws:ssm/document:Document",  # Session Manager preferences: SSM documents carry no charge
})

# Charged only by usage the plan cannot see and no assumption covers yet: listed as unpriced with this reason.
USAGE_ONLY = {
    "aws:s3/bucket:Bucket": "storage and requests",
    "aws:guardduty/detector:Detector": "events and data analysed",
    "aws:guardduty/detectorFeature:DetectorFeature": "events and data analysed",
    "aws:securityhub/account:Account": "security checks and findings ingested",
    "aws:securityhub/standardsSubscription:StandardsSubscription": "security checks",
    "aws:inspector2/enabler:Enabler": "instances, images and functions scanned",
    "aws:cfg/recorder:Recorder": "configuration items recorded",
    "aws:cloudtrail/trail:Trail": "data and Insights events (the first copy of management events is free)",
    "aws:backup/vault:Vault": "backup storage and cross-region copies (AWS Backup for S3 included)",
    "aws:guardduty/publishingDestination:PublishingDestination": "the exported findings' S3 storage (export is free)",
    "aws:ecr/repository:Repository": "image storage",
    "aws:lambda/function:Function": "requests and duration",
    "aws:sns/topic:Topic": "publishes and deliveries",
    "aws:amp/workspace:Workspace": "samples ingested, stored and queried",
    "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": "the function it deploys: requests and duration",
}


@dataclass(frozen=True)
class Line:
    account: str
    region: str
    kind: str  # short type, e.g. ec2/natGateway
    urn: str
    name: str
    item: str  # what is charged, e.g. "NAT gateway hours"
    usd: float  # per month
    basis: str  # fixed | estimate
    detail: str  # the arithmetic, e.g. "730 h x $0.056"
    price_status: str
    assumption: str = ""  # the config assumption an estimate line used

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Unpriced:
    kind: str
    urn: str
    account: str
    region: str
    reason: str


@dataclass
class Estimate:
    stack: str
    price_date: str
    lines: list[Line] = field(default_factory=list)
    unpriced: list[Unpriced] = field(default_factory=list)
    free: dict[str, int] = field(default_factory=dict)  # kind -> resources AWS does not charge for
    assumptions: dict[str, float] = field(default_factory=dict)
    home_region: str | None = None
    dr_region: str | None = None
    resources: int = 0  # everything the plan registers, as `lz plan` and `lz check` count it
    billable: int = 0  # of which cloud resources AWS may charge for (not providers, not components)

    @property
    def total(self) -> float:
        return round(sum(line.usd for line in self.lines), 2)

    def total_by(self, key: Callable[[Line], str]) -> dict[str, float]:
        sums: dict[str, float] = defaultdict(float)
        for line in self.lines:
            sums[key(line)] += line.usd
        return dict(sorted(((k, round(v, 2)) for k, v in sums.items()), key=lambda kv: (-kv[1], kv[0])))

    def fixed_total(self) -> float:
        return round(sum(line.usd for line in self.lines if line.basis == "fixed"), 2)

    def coverage(self) -> str:
        """How the plan's resources are accounted for: the same total `lz plan` and `lz check` print."""
        priced = len({line.urn for line in self.lines})
        free = sum(self.free.values())
        zero = self.billable - priced - len(self.unpriced) - free
        return (f"Of the plan's {self.resources} resources, {self.billable} are billable (cloud resources and EKS "
                f"components, not providers nor other components): {priced} priced, {len(self.unpriced)} unpriced, "
                f"{free} not charged by AWS, {zero} at no charge as configured")

    def unpriced_kinds(self) -> dict[str, tuple[int, str]]:
        kinds: dict[str, list] = {}
        for u in self.unpriced:
            kinds.setdefault(u.kind, [0, u.reason])[0] += 1
        return {k: (n, reason) for k, (n, reason) in sorted(kinds.items())}


def short_kind(type_: str) -> str:
    """aws:ec2/natGateway:NatGateway -> ec2/natGateway; eks:index:Cluster -> eks:Cluster."""
    pkg, module, name = (type_.split(":") + ["", ""])[:3]
    if pkg == "aws":
        return module
    return f"{pkg}:{name}" if module == "index" else f"{pkg}:{module}"


class _Ctx:
    """What a pricing rule needs: the resource, where it lives, prices and assumptions."""

    def __init__(self, plan: Mapping, table: PriceTable, cost: Cost):
        self.index = index_by_urn(plan)
        self.table = table
        self.cost = cost
        self.hours = table.hours_per_month

    def region_of(self, r: Mapping) -> str:
        provider = self.index.get(provider_urn(r.get("provider", "")))
        region = (provider or {}).get("inputs", {}).get("region")
        return region if isinstance(region, str) else ""

    def by_dependency(self, r: Mapping, prop: str) -> list[dict]:
        return [self.index[u] for u in r.get("property_dependencies", {}).get(prop, []) if u in self.index]


class _Pricer:
    """Builds the lines of one resource; a missing price raises _NoPrice (-> unpriced, with the key it needed)."""

    def __init__(self, ctx: _Ctx, r: Mapping, account: str, region: str):
        self.ctx, self.r, self.account, self.region = ctx, r, account, region
        self.lines: list[Line] = []

    def price(self, key: str):
        found = self.ctx.table.get(self.region, key)
        if found is None:
            raise _NoPrice(f"no price for {key} in {self.region or 'an unknown region'} (prices of {self.ctx.table.date})")
        return found

    def hourly(self, item: str, key: str, count: float = 1.0, *, basis: str = "fixed", assumption: str = "") -> None:
        if count <= 0:
            return
        p = self.price(key)
        usd = count * self.ctx.hours * p.usd
        times = f"{_num(count)} x " if count != 1 else ""
        self.add(item, usd, f"{times}{_num(self.ctx.hours)} h x ${p.usd:g}/h", p.status, basis, assumption)

    def per_unit(self, item: str, key: str, quantity: float, *, basis: str = "fixed", assumption: str = "") -> None:
        if quantity <= 0:
            return
        p = self.price(key)
        self.add(item, quantity * p.usd, f"{_num(quantity)} {p.unit} x ${p.usd:g}", p.status, basis, assumption)

    def add(self, item: str, usd: float, detail: str, status: str, basis: str, assumption: str) -> None:
        self.lines.append(Line(self.account, self.region, short_kind(self.r["type"]), self.r["urn"], self.r["name"],
                               item, round(usd, 4), basis, detail, status, assumption))


class _NoPrice(Exception):
    pass


def _num(x: float) -> str:
    return f"{x:g}" if x < 1e6 else f"{x:,.0f}"


def _inputs(r: Mapping) -> Mapping[str, Any]:
    return r.get("inputs") or {}


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# --- pricing rules, one per resource type -------------------------------------------------------------------------


def _nat(p: _Pricer) -> None:
    p.hourly("NAT gateway hours", "nat_gateway_hour")


def _eip(p: _Pricer) -> None:
    p.hourly("public IPv4 address hours", "public_ipv4_hour")


def _tgw_attachment(p: _Pricer) -> None:
    p.hourly("Transit Gateway attachment hours", "tgw_attachment_hour")


def _vpc_attachment(p: _Pricer) -> None:
    p.hourly("Transit Gateway attachment hours", "tgw_attachment_hour")
    gb = p.ctx.cost.tgw_gb_per_month
    p.per_unit("Transit Gateway data processed", "tgw_gb", gb, basis="estimate", assumption=f"tgw_gb_per_month={gb:g}")


def _vpn(p: _Pricer) -> None:
    p.hourly("Site-to-Site VPN connection hours", "vpn_connection_hour")
    if _inputs(p.r).get("transitGatewayId"):  # a VPN on a Transit Gateway is also a TGW attachment
        p.hourly("Transit Gateway attachment hours (VPN)", "tgw_attachment_hour")


def _dx_association(p: _Pricer) -> None:
    if str(_inputs(p.r).get("associatedGatewayId", "")).startswith("tgw-") or p.ctx.by_dependency(p.r, "associatedGatewayId"):
        p.hourly("Transit Gateway attachment hours (Direct Connect gateway)", "tgw_attachment_hour")


def _client_vpn_endpoint(p: _Pricer) -> None:
    hours = p.ctx.cost.client_vpn_connection_hours_per_month
    p.per_unit("Client VPN connection hours", "client_vpn_connection_hour", hours, basis="estimate",
               assumption=f"client_vpn_connection_hours_per_month={hours:g}")


def _client_vpn_association(p: _Pricer) -> None:
    p.hourly("Client VPN subnet association hours", "client_vpn_association_hour")


def _vpc_endpoint(p: _Pricer) -> None:
    inputs = _inputs(p.r)
    if inputs.get("vpcEndpointType", "Gateway") != "Interface":
        return  # gateway endpoints (S3, DynamoDB) are free
    azs = max(1, len(inputs.get("subnetIds") or []))  # one ENI, billed per AZ, per subnet
    p.hourly(f"interface endpoint hours ({azs} AZ)", "vpc_endpoint_hour", azs)
    gb = p.ctx.cost.endpoint_gb_per_month
    p.per_unit("interface endpoint data processed", "vpc_endpoint_gb", gb, basis="estimate",
               assumption=f"endpoint_gb_per_month={gb:g}")


def _load_balancer(p: _Pricer) -> None:
    kind = _inputs(p.r).get("loadBalancerType", "application")
    prefix = {"application": "alb", "network": "nlb"}.get(kind)
    if prefix is None:
        raise _NoPrice(f"no rule for a {kind} load balancer")
    p.hourly(f"{kind} load balancer hours", f"{prefix}_hour")
    lcu = p.ctx.cost.alb_lcu
    p.hourly("capacity units", f"{prefix}_lcu_hour", lcu, basis="estimate", assumption=f"alb_lcu={lcu:g}")


def _eks_cluster(p: _Pricer) -> None:
    p.hourly("EKS cluster hours", "eks_cluster_hour")


def _node_group(p: _Pricer) -> None:
    inputs = _inputs(p.r)
    desired = _int((inputs.get("scalingConfig") or {}).get("desiredSize"), 0)
    types = inputs.get("instanceTypes") or ["t3.medium"]  # EKS's default instance type
    spot = " (Spot capacity priced on-demand: an upper bound)" if inputs.get("capacityType") == "SPOT" else ""
    p.hourly(f"{desired} x {types[0]} nodes (desired size){spot}", f"ec2:{types[0]}", desired)
    disk = _int(inputs.get("diskSize"), 0) or _launch_template_disk(p)
    if disk and desired:
        p.per_unit(f"node volumes ({desired} x {disk} GB gp3)", "ebs_gp3_gb_month", desired * disk)


def _launch_template_disk(p: _Pricer) -> int:
    for dep in p.r.get("dependencies", []):
        lt = p.ctx.index.get(dep)
        if lt and lt["type"] == "aws:ec2/launchTemplate:LaunchTemplate":
            for mapping in _inputs(lt).get("blockDeviceMappings") or []:
                size = _int((mapping.get("ebs") or {}).get("volumeSize"), 0)
                if size:
                    return size
    return 0


def _instance(p: _Pricer) -> None:
    inputs = _inputs(p.r)
    tags = {str(v).lower() for v in (inputs.get("tags") or {}).values()}
    licence = " (Linux price: the Windows licence is not included)" if "windows" in tags else ""
    p.hourly(f"{inputs.get('instanceType')} instance hours{licence}", f"ec2:{inputs.get('instanceType')}")
    root = inputs.get("rootBlockDevice") or {}
    size = _int(root.get("volumeSize"), 8)  # the AMI's root size when the program does not set one: 8 GB is typical
    kind = root.get("volumeType", "gp3")
    p.per_unit(f"root volume ({size} GB {kind})", f"ebs_{kind}_gb_month", size)


def _volume(p: _Pricer) -> None:
    inputs = _inputs(p.r)
    size, kind = _int(inputs.get("size"), 0), inputs.get("type", "gp3")
    p.per_unit(f"{kind} volume ({size} GB)", f"ebs_{kind}_gb_month", size)
    if kind in ("io1", "io2"):
        p.per_unit("provisioned IOPS", f"ebs_{kind}_iops_month", _int(inputs.get("iops"), 0))


def _cluster_instance(p: _Pricer) -> None:
    inputs = _inputs(p.r)
    engine = inputs.get("engine", "aurora-mysql")
    p.hourly(f"{inputs.get('instanceClass')} {engine} instance hours", f"rds:{engine}:{inputs.get('instanceClass')}")


def _rds_cluster(p: _Pricer) -> None:
    if not str(_inputs(p.r).get("engine", "")).startswith("aurora"):
        raise _NoPrice("only Aurora storage is priced")
    gb = p.ctx.cost.aurora_storage_gb
    p.per_unit("Aurora storage", "aurora_storage_gb_month", gb, basis="estimate", assumption=f"aurora_storage_gb={gb:g}")


def _replication_group(p: _Pricer) -> None:
    inputs = _inputs(p.r)
    shards = _int(inputs.get("numNodeGroups"), 0)
    nodes = shards * (_int(inputs.get("replicasPerNodeGroup"), 0) + 1) if shards else _int(
        inputs.get("numCacheClusters"), 1)
    p.hourly(f"{nodes} x {inputs.get('nodeType')} cache nodes", f"elasticache:{inputs.get('nodeType')}", nodes)


def _ecs_service(p: _Pricer) -> None:
    inputs = _inputs(p.r)
    desired = _int(inputs.get("desiredCount"), 0)
    task = next(iter(p.ctx.by_dependency(p.r, "taskDefinition")), None)
    if task is None:
        raise _NoPrice("its task definition is not in the plan (Fargate size unknown)")
    cpu = _int(_inputs(task).get("cpu"), 0) / 1024
    memory = _int(_inputs(task).get("memory"), 0) / 1024
    spot = any(s.get("capacityProvider") == "FARGATE_SPOT" for s in inputs.get("capacityProviderStrategies") or [])
    note = " (Spot share priced on-demand: an upper bound)" if spot else ""
    if desired == 0:
        p.add(f"Fargate tasks: desired count 0{note}", 0.0, "0 tasks", "n/a", "fixed", "")
        return
    p.hourly(f"{desired} task(s) x {cpu:g} vCPU{note}", "fargate_vcpu_hour", desired * cpu)
    p.hourly(f"{desired} task(s) x {memory:g} GB", "fargate_gb_hour", desired * memory)


def _kms_key(p: _Pricer) -> None:
    p.per_unit("customer managed key", "kms_key_month", 1)


def _secret(p: _Pricer) -> None:
    replicas = len(_inputs(p.r).get("replicas") or [])
    p.per_unit("secret" + (f" + {replicas} replica(s)" if replicas else ""), "secret_month", 1 + replicas)


def _alarm(p: _Pricer) -> None:
    p.per_unit("standard-resolution alarm", "alarm_month", 1)


def _dashboard(p: _Pricer) -> None:
    # The free tier (3 dashboards per account) is not deducted: the estimate is of list prices.
    p.per_unit("dashboard", "dashboard_month", 1)


def _log_group(p: _Pricer) -> None:
    gb = p.ctx.cost.log_gb_per_month
    p.per_unit("log ingestion", "logs_ingest_gb", gb, basis="estimate", assumption=f"log_gb_per_month={gb:g}")
    p.per_unit("log storage (one month's volume)", "logs_storage_gb_month", gb, basis="estimate",
               assumption=f"log_gb_per_month={gb:g}")


def _zone(p: _Pricer) -> None:
    p.per_unit("hosted zone", "route53_zone_month", 1)


def _health_check(p: _Pricer) -> None:
    p.per_unit("health check", "route53_health_check_month", 1)


def _web_acl(p: _Pricer) -> None:
    rules = len(_inputs(p.r).get("rules") or [])
    p.per_unit("web ACL", "waf_web_acl_month", 1)
    p.per_unit(f"{rules} rule(s)", "waf_rule_month", rules)
    m = p.ctx.cost.waf_million_requests_per_month
    p.per_unit("requests inspected", "waf_request_million", m, basis="estimate",
               assumption=f"waf_million_requests_per_month={m:g}")


def _queue(p: _Pricer) -> None:
    m = p.ctx.cost.sqs_million_requests_per_month
    p.per_unit("requests", "sqs_request_million", m, basis="estimate", assumption=f"sqs_million_requests_per_month={m:g}")


def _org_config_rule(p: _Pricer) -> None:
    accounts = 1 + sum(1 for r in p.ctx.index.values() if r["type"] == "aws:organizations/account:Account")
    n = p.ctx.cost.config_evaluations_per_rule_per_month
    p.per_unit(f"rule evaluations in {accounts} accounts", "config_rule_evaluation", n * accounts, basis="estimate",
               assumption=f"config_evaluations_per_rule_per_month={n:g}")


RULES: dict[str, Callable[[_Pricer], None]] = {
    "aws:ec2/natGateway:NatGateway": _nat,
    "aws:ec2/eip:Eip": _eip,
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": _vpc_attachment,
    "aws:ec2transitgateway/peeringAttachment:PeeringAttachment": _tgw_attachment,
    "aws:ec2/vpnConnection:VpnConnection": _vpn,
    "aws:directconnect/gatewayAssociation:GatewayAssociation": _dx_association,
    "aws:ec2clientvpn/endpoint:Endpoint": _client_vpn_endpoint,
    "aws:ec2clientvpn/networkAssociation:NetworkAssociation": _client_vpn_association,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:alb/loadBalancer:LoadBalancer": _load_balancer,
    "eks:index:Cluster": _eks_cluster,
    "aws:eks/cluster:Cluster": _eks_cluster,
    "eks:index:ManagedNodeGroup": _node_group,
    "aws:eks/nodeGroup:NodeGroup": _node_group,
    "aws:ec2/instance:Instance": _instance,
    "aws:ebs/volume:Volume": _volume,
    "aws:rds/clusterInstance:ClusterInstance": _cluster_instance,
    "aws:rds/cluster:Cluster": _rds_cluster,
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "aws:ecs/service:Service": _ecs_service,
    "aws:kms/key:Key": _kms_key,
    "aws:kms/replicaKey:ReplicaKey": _kms_key,
    "aws:secretsmanager/secret:Secret": _secret,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _alarm,
    "aws:cloudwatch/dashboard:Dashboard": _dashboard,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:route53/zone:Zone": _zone,
    "aws:route53/healthCheck:HealthCheck": _health_check,
    "aws:wafv2/webAcl:WebAcl": _web_acl,
    "aws:sqs/queue:Queue": _queue,
    "aws:cfg/organizationManagedRule:OrganizationManagedRule": _org_config_rule,
}


# --- the estimate -------------------------------------------------------------------------------------------------


def estimate(plan: Mapping[str, Any], table: PriceTable, cost: Cost, *, home_region: str | None = None,
             dr_region: str | None = None) -> Estimate:
    """Every charge of the plan's resources for a month; the NAT data of a VPC is one line, however many NATs."""
    ctx = _Ctx(plan, table, cost)
    result = Estimate(stack=str(plan.get("stack", "")), price_date=table.date, assumptions=_assumptions(cost),
                      home_region=home_region, dr_region=dr_region)
    free: dict[str, int] = defaultdict(int)
    result.resources = len(plan["resources"])
    for r in _billable(plan):
        result.billable += 1
        type_ = r["type"]
        account, region = account_of(ctx.index, r), ctx.region_of(r)
        if type_ in FREE_TYPES:
            free[short_kind(type_)] += 1
            continue
        rule = RULES.get(type_)
        if rule is None:
            reason = USAGE_ONLY.get(type_)
            result.unpriced.append(Unpriced(short_kind(type_), r["urn"], account, region,
                                            f"usage-based: {reason}; no assumption for it in landing-zone:cost" if reason
                                            else "no pricing rule for this type"))
            continue
        pricer = _Pricer(ctx, r, account, region)
        try:
            rule(pricer)
        except _NoPrice as e:
            result.unpriced.append(Unpriced(short_kind(type_), r["urn"], account, region, str(e)))
            continue
        result.lines.extend(pricer.lines)
    result.lines.extend(_nat_data_lines(ctx, plan))
    result.free = dict(sorted(free.items()))
    return result


def _billable(plan: Mapping[str, Any]) -> Iterator[dict]:
    """Custom resources and the remote components that stand for cloud resources (eks:index:*)."""
    for r in plan["resources"]:
        type_ = r["type"]
        if type_.startswith(("pulumi:", "landing-zone:")):
            continue
        if r.get("custom") or type_.startswith("eks:index:"):
            yield r


def _nat_data_lines(ctx: _Ctx, plan: Mapping[str, Any]) -> list[Line]:
    """One data-processing line per VPC with NAT (account x region), on its first gateway: the GB a VPC sends to the
    internet do not grow with the number of its NAT gateways."""
    first: dict[tuple[str, str], dict] = {}
    for r in plan["resources"]:
        if r["type"] == "aws:ec2/natGateway:NatGateway":
            first.setdefault((account_of(ctx.index, r), ctx.region_of(r)), r)
    lines: list[Line] = []
    gb = ctx.cost.nat_gb_per_month
    for (account, region), r in sorted(first.items()):
        pricer = _Pricer(ctx, r, account, region)
        try:
            pricer.per_unit(f"NAT data processed ({account} {region} VPC)", "nat_gateway_gb", gb, basis="estimate",
                            assumption=f"nat_gb_per_month={gb:g}")
        except _NoPrice:
            continue  # the gateway's own line is already unpriced for the same reason
        lines.extend(pricer.lines)
    return lines


def _assumptions(cost: Cost) -> dict[str, float]:
    skip = {"budgets", "default_budget_usd", "budget_actual_percent", "budget_forecast_percent",
            "anomaly_threshold_usd"}
    return {k: v for k, v in cost.model_dump().items() if k not in skip}


# --- what each optional feature costs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Feature:
    name: str
    usd: float
    note: str


def features(est: Estimate) -> list[Feature]:
    """The optional parts of the design and what they add: DR region, NAT per AZ, endpoints per VPC."""
    found: list[Feature] = []
    if est.dr_region:
        dr = [line for line in est.lines if line.region == est.dr_region
              or (line.kind == "ec2transitgateway/peeringAttachment")]
        if dr:
            found.append(Feature(f"DR region {est.dr_region}", _sum(dr),
                                 f"{len({line.urn for line in dr})} resources in the DR region and the TGW peering"))
    nat_by_vpc: dict[tuple[str, str], list[Line]] = defaultdict(list)
    for line in est.lines:
        if line.kind == "ec2/natGateway" and line.basis == "fixed":
            nat_by_vpc[(line.account, line.region)].append(line)
    eip_usd = _eip_line_usd(est)
    for (account, region), lines in sorted(nat_by_vpc.items()):
        if len(lines) > 1:
            extra = (len(lines) - 1) * (lines[0].usd + eip_usd)
            found.append(Feature(f"NAT per AZ: {account} {region}", round(extra, 2),
                                 f"{len(lines)} NAT gateways; `nat: single` would save this (and lose AZ independence)"))
    endpoints: dict[tuple[str, str], list[Line]] = defaultdict(list)
    for line in est.lines:
        if line.kind == "ec2/vpcEndpoint":
            endpoints[(line.account, line.region)].append(line)
    for (account, region), lines in sorted(endpoints.items()):
        count = len({line.urn for line in lines})
        found.append(Feature(f"interface endpoints: {account} {region}", _sum(lines),
                             f"{count} endpoints (hours per AZ and estimated data)"))
    return found


def _eip_line_usd(est: Estimate) -> float:
    eips = [line.usd for line in est.lines if line.kind == "ec2/eip"]
    return eips[0] if eips else 0.0


def _sum(lines: list[Line]) -> float:
    return round(sum(line.usd for line in lines), 2)


def to_json(est: Estimate) -> dict:
    return {
        "stack": est.stack, "price_date": est.price_date, "currency": "USD", "total_monthly": est.total,
        "fixed_monthly": est.fixed_total(), "estimated_usage_monthly": round(est.total - est.fixed_total(), 2),
        "assumptions": est.assumptions,
        "by_account": est.total_by(lambda line: line.account),
        "by_kind": est.total_by(lambda line: line.kind),
        "features": [asdict(f) for f in features(est)],
        "unpriced": [{"kind": k, "count": n, "reason": reason} for k, (n, reason) in est.unpriced_kinds().items()],
        "free": est.free,
        "lines": [line.as_dict() for line in sorted(est.lines, key=lambda line: (-line.usd, line.urn, line.item))],
    }
