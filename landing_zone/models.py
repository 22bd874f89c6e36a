"""The landing-zone config model: one pydantic model per block of the stack file.

Field checks live on the models; checks that span fields (uniqueness, references, CIDR overlaps) live in
``landing_zone.validation`` so that every error can name the path of the field it is about.
Nothing here imports pulumi: the CLI validates configs without the Pulumi runtime.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from landing_zone.organization_policy_models import OrganizationPolicies
from landing_zone.regions import AWS_REGIONS
from landing_zone.segments import DEFAULT_REACHABILITY, DEFAULT_SEGMENTS, SEGMENT_OF_ENVIRONMENT

Environment = Literal["prod", "nonprod", "sandbox", "core"]
AccountRole = Literal["log-archive", "security", "network", "workload"]
ScpName = Literal["guardrails", "security-services", "region-restriction", "data-protection", "protect-logs-and-backups", "network-lockdown"]
DataHostRole = Literal["cassandra", "mongodb", "kafka", "elasticsearch"]

BUILTIN_PERMISSION_SETS = (
    "AdministratorAccess",
    "PowerUserAccess",
    "ReadOnlyAccess",
    "ViewOnlyAccess",
    "Billing",
    "NetworkAdministrator",
    "SecurityAudit",
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


def _account_id(v: Any) -> str:
    if isinstance(v, int):
        raise ValueError("must be a quoted 12-digit string (YAML reads an unquoted id as a number and drops leading zeros)")
    if not isinstance(v, str) or not re.fullmatch(r"\d{12}", v):
        raise ValueError(f"{v!r} is not a 12-digit AWS account id")
    return v


def _region(v: str) -> str:
    if v not in AWS_REGIONS:
        raise ValueError(f"{v!r} is not an AWS region name (e.g. ap-south-1)")
    return v


def _email(v: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", v):
        raise ValueError(f"{v!r} is not an e-mail address")
    return v.lower()


def _dns_name(v: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9-]{0,30}[a-z0-9]", v):
        raise ValueError(f"{v!r} must be DNS-safe: lower-case letters, digits and '-', 2-32 characters, starting with a letter")
    return v


def _domain_name(v: str) -> str:
    name = str(v).lower().rstrip(".")
    label = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
    if len(name) > 253 or not re.fullmatch(rf"{label}(\.{label})+", name):
        raise ValueError(f"{v!r} is not a domain name of two labels or more (e.g. corp.example.com)")
    return name


def _ipv4(v: Any) -> str:
    try:
        return str(ipaddress.IPv4Address(str(v)))
    except ValueError:
        raise ValueError(f"{v!r} is not an IPv4 address (e.g. 192.168.10.53)") from None


def _cidr(v: Any) -> str:
    try:
        net = ipaddress.IPv4Network(str(v), strict=False)
    except ValueError:
        raise ValueError(f"{v!r} is not an IPv4 CIDR (e.g. 10.0.0.0/16)") from None
    if "/" not in str(v):
        raise ValueError(f"{v!r} has no prefix length (e.g. {v}/16)")
    if str(net) != str(v):
        raise ValueError(f"{v} has host bits set; the network is {net}")
    return str(net)


def _secret(v: Any) -> Any:
    # A `secure:` value of the stack file stays its ciphertext offline; the engine hands the program plaintext.
    if isinstance(v, dict) and set(v) == {"secure"}:
        return v["secure"]
    return v


def _secure_only(v: Any, info: ValidationInfo) -> Any:
    # A private key is never plaintext in the stack file: there it must be a `secure:` value. The engine hands the
    # program the decrypted value (config.from_pulumi says so through the validation context).
    if isinstance(v, dict) and set(v) == {"secure"}:
        return v["secure"]
    if isinstance(v, SecretStr):  # a model's own dump, validated once already
        return v
    if isinstance(v, str) and (info.context or {}).get("from_engine"):
        return v
    # the value is never echoed back (config._format leaves out the input of a `secret` error)
    raise PydanticCustomError("secure_only", "must be a `secure:` value (pulumi config set --secret --path ...), never "
                              "plaintext in the stack file", {"secret": True})


AccountId = Annotated[str, BeforeValidator(_account_id)]
Region = Annotated[str, AfterValidator(_region)]
Email = Annotated[str, AfterValidator(_email)]
DnsName = Annotated[str, AfterValidator(_dns_name)]
DomainName = Annotated[str, AfterValidator(_domain_name)]
IPv4 = Annotated[str, BeforeValidator(_ipv4)]
Cidr = Annotated[str, BeforeValidator(_cidr)]
Secret = Annotated[SecretStr, BeforeValidator(_secret)]
SecureOnly = Annotated[SecretStr, BeforeValidator(_secure_only)]
PrefixLength = Annotated[int, Field(ge=16, le=28)]


# --- organization -------------------------------------------------------------------------------------------------


MEMBER_PREVIEW_ROLE = "landing-zone-preview"  # default organization.preview_role_name (bootstrap/ renders it too)


class Organization(Strict):
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,15}$", description="prefix of physical names")]
    home_region: Region = "ap-south-1"
    """Region of the shared services (Security Hub aggregation, Client VPN, org trail home)."""
    dr_region: Region | None = "ap-south-2"
    """Disaster-recovery region: a second hub, TGW peering, backup copies and Aurora replicas."""
    allowed_regions: list[Region] = ["ap-south-1", "ap-south-2"]
    """Regions the region-restriction SCP allows; home and DR must be among them."""
    management_account_id: AccountId
    """The existing management (payer) account, quoted."""
    access_role_name: str = "OrganizationAccountAccessRole"
    """Role the landing zone assumes in member accounts. An adopted (invited) account must have it before it joins:
    with guardrails at the root only the role itself may create or change it."""
    access_role_assumers: list[Annotated[str, Field(pattern=r"^arn:(aws|aws-cn|aws-us-gov|\*):(iam|sts)::\d{12}:[\w+=,.@/*-]+$")]] = []
    """ARN patterns of the management-account principals (the pipeline's deploy roles) that alone may assume the
    access role in member accounts, enforced by the data-perimeter RCP. Empty: whoever the role's trust allows
    (every principal of the management account that IAM lets call sts:AssumeRole)."""
    preview_role_name: Annotated[str, Field(pattern=r"^[\w+=,.@-]{1,64}$")] | None = MEMBER_PREVIEW_ROLE
    """Read-only role created in every member account for the pull-request preview (the workflow's
    LZ_ACCESS_ROLE_NAME); it trusts only the management account's `landing-zone-preview-<stack>` role (bootstrap/),
    which must exist before the deploy. null: no preview role (previews then cannot read member accounts)."""
    tags: dict[str, str] = {}
    """Tags on every resource (merged into every provider's default tags)."""
    scps: list[ScpName] = []
    """Attached at the root."""
    policies: OrganizationPolicies = OrganizationPolicies()
    """Tag, backup, AI opt-out and EC2 declarative policies; centralized root access; the Suspended OU."""


class OrganizationalUnit(Strict):
    name: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9 _-]{0,63}$")]
    """OU name; accounts reference it in `ou`."""
    parent: str | None = None
    """None: directly under the root."""
    scps: list[ScpName] = []
    """SCP bundles attached to this OU (at most 4: FullAWSAccess takes the fifth slot)."""


# --- accounts, VPCs, workloads ------------------------------------------------------------------------------------


class Tiers(Strict):
    """Prefix length of one subnet of each tier; unset tiers are sized relative to the VPC."""

    public: PrefixLength | None = None
    private: PrefixLength | None = None
    data: PrefixLength | None = None
    transit: PrefixLength | None = None


class Vpc(Strict):
    cidr: Cidr
    """VPC range, /16 to /24, no host bits; must not overlap any other VPC, on-premises or Client VPN range."""
    azs: Annotated[int, Field(ge=2, le=6)] = 3
    """Availability zones (2-6; prod at least 2)."""
    nat: Literal["per-az", "single", "none"] | None = None
    """Default: per-az in prod, single elsewhere."""
    tiers: Tiers = Tiers()
    """Subnet sizes per tier (prefix lengths)."""


class EcsService(Strict):
    name: DnsName
    image_tag: Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")] | None = None
    """Tag of a pushed image in the service's ECR repository (created empty). Unset: 0 tasks (desired, min, max) until a tag is named."""
    cpu: int = 256
    memory: int = 512
    port: Annotated[int, Field(ge=1, le=65535)] = 8080
    desired_count: Annotated[int, Field(ge=0)] = 2
    min_count: Annotated[int, Field(ge=0)] = 2
    max_count: Annotated[int, Field(ge=1)] = 6
    path: str = "/*"
    health_check_path: str = "/health"
    secrets: list[str] = []
    """Secrets Manager names, exposed to the container as environment variables."""


class Tracing(Strict):
    """AWS X-Ray for the account's ECS services: a daemon sidecar per task, a sampling rule, traces under the data CMK."""

    enabled: bool = False
    """Adds the X-Ray daemon sidecar to every task (apps send to AWS_XRAY_DAEMON_ADDRESS=127.0.0.1:2000)."""
    sampling_rate: Annotated[float, Field(ge=0, le=1)] = 0.05
    """Fraction of requests traced beyond the reservoir (0 to 1)."""
    reservoir: Annotated[int, Field(ge=0, le=1000)] = 1
    """Requests per second traced before sampling_rate applies."""


class Ecs(Strict):
    services: list[EcsService] = []
    spot: bool = True
    tracing: Tracing = Tracing()
    """AWS X-Ray tracing of the services (off by default)."""
    external_secrets: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9/_+=.@-]{1,512}$")]] = []
    """Secrets the services read that the app team creates, fills and rotates (encrypted with the account's data
    key). Every other name in services[].secrets is created here (data CMK, replicated to the DR region)."""
    secret_rotation_lambda_arn: Annotated[str, Field(pattern=r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[\w-]+$")] | None = None
    """The rotation function of the secrets created here (every 30 days); without it, declare them external."""

    @model_validator(mode="after")
    def _external_secrets_are_read(self) -> Ecs:
        read = {s for service in self.services for s in service.secrets}
        unread = [s for s in self.external_secrets if s not in read]
        if unread:
            raise ValueError(f"external_secrets {unread} are read by no service (services[].secrets)")
        created = sorted(read - set(self.external_secrets))
        if created and self.secret_rotation_lambda_arn is None:
            raise ValueError(f"secrets {created} would be created without rotation (rule DAT-07): list them in "
                             "external_secrets (the app team provides them) or set secret_rotation_lambda_arn")
        return self

    def created_secrets(self) -> list[str]:
        """Secret names the services read that the landing zone creates (not external), in first-use order."""
        read = [s for service in self.services for s in service.secrets]
        return [s for i, s in enumerate(read) if s not in read[:i] and s not in self.external_secrets]


class NodeGroup(Strict):
    name: DnsName
    instance_types: list[str] = ["m6i.large"]
    min_size: Annotated[int, Field(ge=0)] = 2
    max_size: Annotated[int, Field(ge=1)] = 6
    desired_size: Annotated[int, Field(ge=0)] = 2
    disk_size_gb: Annotated[int, Field(ge=20)] = 50


class Eks(Strict):
    version: Annotated[str, Field(pattern=r"^1\.\d{2}$")] = "1.33"
    node_groups: list[NodeGroup] = [NodeGroup(name="default")]
    prometheus: bool = False
    admin_role_arns: list[Annotated[str, Field(pattern=r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")]] = []
    """Exact role ARNs made cluster admin (no wildcards), e.g. the Identity Center admin role once provisioned; the creating role is admin."""


class Aurora(Strict):
    engine_version: str = "8.0.mysql_aurora.3.08.0"
    instance_class: str = "db.r6g.large"
    readers: Annotated[int, Field(ge=0, le=15)] = 1
    backup_retention_days: Annotated[int, Field(ge=1, le=35)] = 15
    database_name: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,63}$")] = "app"
    dr_replica: bool = False
    """Prod only: an Aurora global database with a secondary cluster in the DR region (not on burstable db.t* classes)."""
    monitoring_interval: Literal[0, 1, 5, 10, 15, 30, 60] = 60
    """Enhanced Monitoring granularity in seconds (0 turns it off)."""


class Redis(Strict):
    node_type: str = "cache.r6g.large"
    """With a pilot-light / warm-standby DR target (Redis not rebuilt empty): a global datastore node type (M5, M6g,
    M7g, R5, R6g, R6gd, R7g, C7gn; large and above)."""
    replicas: Annotated[int, Field(ge=0, le=5)] = 1
    snapshot_retention_days: Annotated[int, Field(ge=1, le=35)] = 15
    """Daily snapshots kept this many days (ElastiCache allows 1-35); rule X-07 holds it to the backup floor."""


class Queue(Strict):
    name: DnsName
    fifo: bool = False
    visibility_timeout_seconds: Annotated[int, Field(ge=0, le=43200)] = 30
    max_receive_count: Annotated[int, Field(ge=1, le=1000)] = 5


class Edge(Strict):
    domain_name: str
    """E.g. app.example.com: the ALB's name, inside network.dns.zone_name."""
    zone_name: str | None = None
    """Deprecated: the zone is network.dns.zone_name (if given, it must be that name)."""
    waf_rate_limit: Annotated[int, Field(ge=100)] = 2000
    nlb: bool = False
    api_gateway: bool = False


class DataHost(Strict):
    role: DataHostRole
    count: Annotated[int, Field(ge=1, le=50)] = 3
    instance_type: str = "r6i.large"
    data_volume_gb: Annotated[int, Field(ge=1, le=16384)] = 200
    volume_type: Literal["gp3", "io2", "st1"] = "gp3"
    os: Literal["amazon-linux", "ubuntu", "windows"] = "amazon-linux"


class Backup(Strict):
    retention_days: Annotated[int, Field(ge=1)] = 15
    schedule: str = "cron(0 1 * * ? *)"
    copy_to_dr: bool | None = None
    """Default: prod only."""
    vault_lock: bool | None = None
    """Default: prod only."""


class Patching(Strict):
    schedule: str = "cron(0 3 ? * SUN *)"
    approve_after_days: Annotated[int, Field(ge=0, le=100)] = 7


class Monitoring(Strict):
    dashboard: bool = True


class PipelineRepository(Strict):
    """One repository whose pipeline deploys to the account, and what it owns there: it gets a role of its own."""

    repo: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9_.-]+)+$")]
    """OWNER/NAME on GitHub (GROUP/PROJECT on GitLab), no wildcards, e.g. example-org/los."""
    services: list[DnsName] = []
    """ECS services it deploys: their ECR repositories, task and execution roles; a service has one owner."""
    namespaces: list[DnsName] = []
    """EKS namespaces it edits (default: the repository's name, when the account has eks)."""
    environment: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,255}$")] | None = None
    """GitHub environment of its deploy job; the role trusts only repo:OWNER/NAME:environment:<it>. Required in prod."""
    branches: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_./-]{1,255}$")]] = []
    """Non-prod alternative to environment: branches whose pipelines may deploy (repo:OWNER/NAME:ref:refs/heads/<b>)."""


class Deployment(Strict):
    """The app teams' CI pipelines: which OIDC issuer, and per repository a role with only that repository's services."""

    provider: Literal["github", "gitlab"] = "github"
    repositories: Annotated[list[PipelineRepository], Field(min_length=1)]
    """E.g. [{repo: example-org/los, services: [los-api], environment: prod}]."""


class Workloads(Strict):
    ecs: Ecs | None = None
    """ECS Fargate cluster and services (or eks, not both)."""
    eks: Eks | None = None
    """EKS cluster with managed node groups."""
    aurora: Aurora | None = None
    """Aurora MySQL cluster in the data tier."""
    redis: Redis | None = None
    """ElastiCache Redis replication group."""
    queues: list[Queue] = []
    """SQS queues, each with a dead-letter queue."""
    edge: Edge | None = None
    """Public ALB with ACM certificate and WAF."""
    data_hosts: list[DataHost] = []
    """EC2 data stores outside the cluster (Cassandra, MongoDB, Kafka, Elasticsearch)."""
    backup: Backup | None = None
    """AWS Backup vault, plan and selection."""
    patching: Patching | None = None
    """SSM patch baselines and maintenance window."""
    monitoring: Monitoring | None = None
    """SNS topic, alarms and dashboard."""
    deployment: Deployment | None = None
    """OIDC deploy role for the app team's pipeline."""

    def needs_vpc(self) -> bool:
        return any((self.ecs, self.eks, self.aurora, self.redis, self.edge, self.data_hosts))


DrStrategy = Literal["backup-restore", "pilot-light", "warm-standby"]
# Strategies with standing infrastructure in the DR region (data replicated there, not only backups copied)
STANDBY_STRATEGIES = ("pilot-light", "warm-standby")


class DisasterRecovery(Strict):
    """The account's disaster-recovery target in organization.dr_region; `lz dr` and rule DR-01 prove it offline."""

    strategy: DrStrategy
    """backup-restore (copies of the backups in DR) | pilot-light (data replicated, services at zero) | warm-standby
    (data replicated, services running at a minimum)."""
    rto_minutes: Annotated[int, Field(ge=1)]
    """Recovery time objective: the longest the account's services may be down, in minutes."""
    rpo_minutes: Annotated[int, Field(ge=1)]
    """Recovery point objective: the most data (in minutes of writes) a regional disaster may lose."""
    rebuilt_empty: list[Literal["redis"]] = []
    """Data stores the apps refill themselves (a cache): recreated empty in DR, their RPO is not held to the target
    (pilot-light / warm-standby then build no Redis global datastore)."""
    standby_tasks: Annotated[int, Field(ge=1)] = 1
    """warm-standby: tasks each ECS service keeps running in the DR region (pilot-light keeps none)."""


def _implied_by_strategy(account: Any) -> Any:
    """The strategy implies its building blocks, unless the config says otherwise (validation then objects):
    every strategy copies the backups to DR; pilot-light and warm-standby add the Aurora global database."""
    if not isinstance(account, dict) or not isinstance(account.get("dr"), dict):
        return account
    workloads = account.get("workloads")
    if not isinstance(workloads, dict):
        return account
    workloads = dict(workloads)
    if isinstance(workloads.get("backup"), dict):
        workloads["backup"] = {"copy_to_dr": True, **workloads["backup"]}
    if isinstance(workloads.get("aurora"), dict) and account["dr"].get("strategy") in STANDBY_STRATEGIES:
        workloads["aurora"] = {"dr_replica": True, **workloads["aurora"]}
    return {**account, "workloads": workloads}


class Account(Strict):
    name: DnsName
    """DNS-safe account name, used in resource names and as the `account` tag."""
    email: Email
    """Root e-mail of the account; unique."""
    ou: str
    """Organizational unit the account belongs to."""
    environment: Environment
    """prod | nonprod | sandbox | core: drives segment, policies and defaults."""
    role: AccountRole = "workload"
    """log-archive | security | network | workload (exactly one of each core role)."""
    account_id: AccountId | None = None
    """Adopt an existing account instead of creating one."""
    segment: str | None = None
    """Default: from the environment (core -> shared)."""
    vpcs: dict[Region, Vpc] = {}
    """One spoke VPC per region (home and/or DR)."""
    workloads: Workloads = Workloads()
    """What the account runs (workload accounts only)."""
    dr: DisasterRecovery | None = None
    """Disaster recovery of a workload account: strategy and RTO/RPO targets (docs/disaster-recovery.md). The
    strategy implies workloads.backup.copy_to_dr and, for pilot-light and warm-standby, workloads.aurora.dr_replica."""

    state: Literal["active", "suspended"] = "active"
    """suspended: the account moves to organization.policies.suspended_ou (deny-all SCP) and its VPCs and workloads
    leave the plan (docs/account-lifecycle.md)."""

    @model_validator(mode="before")
    @classmethod
    def _strategy_implies(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("state") == "suspended":  # nothing runs in a suspended account
            return {**data, "vpcs": {}, "workloads": {}, "dr": None}
        return _implied_by_strategy(data)

    @property
    def network_segment(self) -> str:
        return self.segment or SEGMENT_OF_ENVIRONMENT[self.environment]


# --- network ------------------------------------------------------------------------------------------------------


class CustomerGateway(Strict):
    name: DnsName
    ip_address: str
    """Public IP of the on-premises device."""
    bgp_asn: int | None = None
    """None: static routing."""
    static_routes: list[Cidr] = []
    """On-premises ranges behind this gateway when routing is static."""
    tunnel_preshared_keys: list[Secret] = []
    """Both tunnels' pre-shared keys as `secure:` values (default: AWS generates them)."""
    region: Region | None = None
    """Default: home region."""


class DirectConnect(Strict):
    name: DnsName = "dx"
    amazon_side_asn: int = 64513
    accounts: list[str] = []
    """Accounts whose VPC ranges are advertised on-premises (the data-warehouse accounts)."""
    allowed_prefixes: list[Cidr] = []
    """Default: the home-region VPC CIDRs of `accounts`."""


class ServerCertificate(Strict):
    """The Client VPN's server certificate, imported into ACM in the network account's home region by the program."""

    certificate_file: str
    """PEM certificate body (public), a path relative to the project root."""
    chain_file: str | None = None
    """PEM chain of the issuing CA (public), a path relative to the project root."""
    private_key: SecureOnly
    """The certificate's private key: a `secure:` value only (the state keeps it as an encrypted secret)."""


class ClientVpnAuthorization(Strict):
    """What one identity-provider group may reach through the Client VPN (NET-11)."""

    group: Annotated[str, Field(min_length=1, max_length=255)]
    """The group as the IdP sends it in the SAML assertion; "*" is every user (never to prod or core ranges)."""
    segments: list[str] = []
    """Segments whose VPC ranges (on-premises ranges for hybrid) the group may reach."""
    cidrs: list[Cidr] = []
    """Further ranges the group may reach."""


class ClientVpn(Strict):
    """The administrators' SSL VPN; its credentials are created in (or adopted from) the network account's home region.

    AWS accepts only a server certificate and SAML provider of the endpoint's own account and region: the program
    creates them (`server_certificate`, `saml_metadata_file`), or an adopted network account (`accounts[].account_id`)
    brings its own (`*_arn`, validated to name that account and the home region)."""

    cidr: Cidr
    """Client address pool, /12 to /22, outside every VPC."""
    authentication: Literal["certificate", "saml"] = "saml"
    """saml: per-group authorization from the IdP's groups; certificate: mutual TLS, no groups ("*" only)."""
    server_certificate: ServerCertificate | None = None
    """Import this certificate into ACM in the network account (or adopt one with server_certificate_arn)."""
    server_certificate_arn: str | None = None
    """Adopt: an ACM certificate already in the (adopted) network account, in the home region."""
    saml_metadata_file: str | None = None
    """IdP metadata XML (a path relative to the project root): the program creates the IAM SAML provider from it."""
    saml_provider_arn: str | None = None
    """Adopt: an IAM SAML provider already in the (adopted) network account."""
    client_root_certificate_arn: str | None = None
    """certificate authentication: adopted client CA (network account, home region); default: the server certificate's CA."""
    split_tunnel: bool = True
    authorization: Annotated[list[ClientVpnAuthorization], Field(min_length=1)]
    """Per identity-provider group, the segments (or CIDRs) it may reach."""
    session_timeout_hours: Literal[8, 10, 12, 24] = 8

    @property
    def authorized_segments(self) -> list[str]:
        """Every segment some group may reach (config order)."""
        return list(dict.fromkeys(s for rule in self.authorization for s in rule.segments))


class AdminPorts(Strict):
    """The ports administrators reach hosts on, only from the Client VPN (landing_zone/ports.py)."""

    ssh: Annotated[int, Field(ge=1, le=65535)] = 22
    """sshd's port on Linux hosts: 22, or a custom port in 1024-32767 (below the hosts' ephemeral ranges)."""
    rdp: Annotated[int, Field(ge=1, le=65535)] = 3389
    """The RDP listener's port on Windows hosts: 3389, or a custom port in 1024-32767."""


class Dns(Strict):
    """The existing public zone the edges' records go into (ACM validation, ALB alias), through its owner's provider."""

    zone_name: str
    """E.g. example.com."""
    zone_id: Annotated[str, Field(pattern=r"^Z[A-Z0-9]{1,31}$")]
    """Its Route 53 hosted zone id (Z...)."""
    account: str = "management"
    """`management` or an adopted account (with account_id): never an account this stack creates."""


# AWS managed DNS Firewall domain lists: the same names in every region, their ids differ per region and pulumi-aws
# has no lookup by name, so the config carries the ids (`aws route53resolver list-firewall-domain-lists`).
DNS_FIREWALL_MANAGED_LISTS = (
    "AWSManagedDomainsAggregateThreatList",
    "AWSManagedDomainsMalwareDomainList",
    "AWSManagedDomainsBotnetCommandandControl",
    "AWSManagedDomainsAmazonGuardDutyThreatList",
)
FirewallListName = Literal[DNS_FIREWALL_MANAGED_LISTS]  # type: ignore[valid-type]
FirewallListId = Annotated[str, Field(pattern=r"^rslvr-fdl-[0-9a-f]{8,32}$")]


class Resolver(Strict):
    """Route 53 Resolver (docs/dns.md): hybrid DNS endpoints in the network account's VPC of each region, forwarding
    rules shared with the organization, private zones per environment, query logging and DNS Firewall on every VPC."""

    on_premises_resolvers: Annotated[list[IPv4], Field(min_length=1)]
    """On-premises DNS servers (inside network.on_premises_cidrs): the outbound endpoint forwards to them, and only
    they may query the inbound endpoint."""
    forward_domains: Annotated[list[DomainName], Field(min_length=1)]
    """On-premises domains every VPC resolves through the on-premises resolvers (e.g. corp.example.com)."""
    private_zones: dict[Environment, DomainName] = {}
    """Private hosted zone per environment (e.g. prod: prod.aws.example.internal), associated with that
    environment's VPCs in every account."""
    firewall_managed_lists: dict[Region, Annotated[dict[FirewallListName, FirewallListId], Field(min_length=1)]]
    """Per region with VPCs: the AWS managed domain lists every VPC's DNS Firewall blocks, name -> id in that region
    (`aws route53resolver list-firewall-domain-lists --region R`: the ones ManagedOwnerName "Route 53 Resolver DNS
    Firewall" owns)."""


class Network(Strict):
    transit_gateway_asn: int = 64512
    """Amazon-side ASN of the Transit Gateways (private range)."""
    segments: list[str] = DEFAULT_SEGMENTS
    """TGW segments: one route table each."""
    reachability: dict[str, list[str]] = DEFAULT_REACHABILITY
    """Segment -> segments it may reach (symmetric; a segment always reaches itself)."""
    on_premises_cidrs: list[Cidr] = []
    """On-premises ranges routed to the hybrid segment (VPN / Direct Connect)."""
    vpn: list[CustomerGateway] = []
    """Site-to-site VPN customer gateways."""
    direct_connect: DirectConnect | None = None
    """Direct Connect gateway associated with the home TGW."""
    client_vpn: ClientVpn | None = None
    """The administrators' SSL VPN (in the network account's home VPC)."""
    admin_ports: AdminPorts = AdminPorts()
    """SSH and RDP ports: security groups, NACLs, the hosts' own listeners and the pack's rules all follow them."""
    dr_peering: bool = True
    """Peer the home and DR Transit Gateways."""
    dns: Dns | None = None
    """The public zone of the workload edges (required when any account has workloads.edge)."""
    resolver: Resolver | None = None
    """Hybrid DNS, private zones, query logging and DNS Firewall (Route 53 Resolver)."""


# --- security and identity ----------------------------------------------------------------------------------------


class Contact(Strict):
    name: str
    email: Email
    phone: str
    title: str = "Security"


FindingSeverity = Literal["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"]
SEVERITY_ORDER: tuple[str, ...] = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL")


class Findings(Strict):
    """Security Hub findings (GuardDuty's among them, from every region through the finding aggregator) routed by
    severity from the security account, and GuardDuty's findings exported to the log archive."""

    topic_severity: FindingSeverity = "HIGH"
    """Findings at or above it go to the security topic (security.alarm_email)."""
    ticketing_target: Annotated[str, Field(pattern=(
        r"^arn:aws[a-z-]*:(sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+|events:[a-z0-9-]+:\d{12}:event-bus/[A-Za-z0-9_./-]+)$"))] | None = None
    """The service desk's integration point: an SNS topic ARN or an EventBridge bus ARN (its owner allows this
    account's rule to publish: topic policy / bus policy)."""
    ticketing_severity: FindingSeverity = "MEDIUM"
    """Findings at or above it go to the ticketing target."""
    export_guardduty: bool = True
    """GuardDuty findings of every region exported to the log archive bucket (KMS, under guardduty/)."""


class SessionManager(Strict):
    """Session Manager, the only shell path besides the Client VPN: every session logged, only admins start one."""

    admin_permission_sets: Annotated[list[Annotated[str, Field(pattern=r"^[\w+=,.@-]{1,32}$")]], Field(min_length=1)] = [
        "AdministratorAccess"]
    """Identity Center permission sets whose roles may start sessions (an SCP denies everyone else but the pipeline)."""
    idle_timeout_minutes: Annotated[int, Field(ge=1, le=60)] = 20
    max_session_minutes: Annotated[int, Field(ge=1, le=1440)] = 60


class Security(Strict):
    cloudtrail: bool = True
    config: bool = True
    guardduty: bool = True
    security_hub: bool = True
    inspector: bool = True
    access_analyzer: bool = True
    security_hub_standards: list[Literal["fsbp", "cis-3.0", "pci-dss"]] = ["fsbp", "cis-3.0"]
    """Security Hub standards enabled organization-wide."""
    log_retention_days: Annotated[int, Field(ge=1)] = 365
    """CloudWatch log group retention."""
    log_archive_retention_days: Annotated[int, Field(ge=1)] = 2555
    """Log archive bucket expiry (after transition to Glacier)."""
    alarm_email: Email
    """Where CIS alarms and security notifications go."""
    object_lock_mode: Literal["GOVERNANCE", "COMPLIANCE"] = "GOVERNANCE"
    """Object lock of the log archive bucket."""
    object_lock_days: Annotated[int, Field(ge=1)] = 365
    """Default object-lock retention of the log archive bucket."""
    security_contact: Contact
    """Security alternate contact of every account."""
    findings: Findings | None = None
    session_manager: SessionManager | None = None
    """Session preferences with encrypted logging in every account x region, and who may start sessions."""
    """Route findings to people: uses cloudtrail's security topic and security_hub's stream, exports guardduty's
    findings (each part is built when its service is on; the baseline gate requires them all in prod)."""


class PermissionSet(Strict):
    name: Annotated[str, Field(pattern=r"^[\w+=,.@-]{1,32}$")]
    description: str = ""
    managed_policies: list[str] = []
    """AWS managed policy names or ARNs."""
    inline_policy: dict[str, Any] | None = None
    session_duration: Annotated[str, Field(pattern=r"^PT(1[0-2]|[1-9])H$")] = "PT4H"


class Assignment(Strict):
    group: str
    """Display name in the identity store (synced from Active Directory)."""
    permission_set: str
    accounts: list[str] = []
    ous: list[str] = []


class Identity(Strict):
    permission_sets: list[PermissionSet] = []
    """Permission sets beyond the built-in six."""
    assignments: list[Assignment] = []
    """Group -> permission set on accounts and/or OUs (OUs include nested OUs)."""


# --- cost ---------------------------------------------------------------------------------------------------------

UsageAmount = Annotated[float, Field(ge=0)]
UsdAmount = Annotated[float, Field(gt=0)]


class Cost(Strict):
    """`lz cost`'s usage assumptions (each usage line of the estimate says which one it used) and the budgets."""

    nat_gb_per_month: UsageAmount = 100.0
    """GB through the NAT gateways of each VPC with NAT (split over its gateways, so NAT per AZ adds no data cost)."""
    tgw_gb_per_month: UsageAmount = 50.0
    """GB each VPC attachment sends into its Transit Gateway."""
    endpoint_gb_per_month: UsageAmount = 5.0
    """GB through each interface endpoint."""
    log_gb_per_month: UsageAmount = 2.0
    """GB ingested into each CloudWatch log group (and stored for the month)."""
    alb_lcu: UsageAmount = 1.0
    """Average load-balancer capacity units of each ALB/NLB."""
    client_vpn_connection_hours_per_month: UsageAmount = 1000.0
    """Client VPN connection-hours of each endpoint (e.g. 6 admins x 8 h x 21 days)."""
    waf_million_requests_per_month: UsageAmount = 10.0
    """Million requests each web ACL inspects."""
    sqs_million_requests_per_month: UsageAmount = 1.0
    """Million requests of each queue."""
    aurora_storage_gb: UsageAmount = 50.0
    """GB stored by each Aurora cluster (each region of a global database stores its own copy)."""
    config_evaluations_per_rule_per_month: UsageAmount = 1000.0
    """Evaluations of each organization Config rule in each account."""
    budgets: dict[str, UsdAmount] = {}
    """Monthly AWS Budget (USD) per account name (`management` for the management account)."""
    default_budget_usd: UsdAmount | None = None
    """The budget of every account not named in `budgets` (none when unset)."""
    budget_actual_percent: Annotated[int, Field(ge=1, le=1000)] = 80
    """Alert when actual spend passes this percentage of the budget."""
    budget_forecast_percent: Annotated[int, Field(ge=1, le=1000)] = 100
    """Alert when forecast spend passes this percentage of the budget."""
    anomaly_threshold_usd: UsdAmount = 100.0
    """Cost Anomaly Detection alerts on an anomaly with at least this total impact (USD)."""

    def budget_of(self, account: str) -> float | None:
        return self.budgets.get(account, self.default_budget_usd)


# --- the whole ----------------------------------------------------------------------------------------------------


class LandingZoneConfig(Strict):
    organization: Organization
    organizational_units: list[OrganizationalUnit]
    accounts: list[Account]
    network: Network = Network()
    security: Security
    identity: Identity = Identity()
    cost: Cost = Cost()

    def account(self, name: str) -> Account:
        return next(a for a in self.accounts if a.name == name)

    def account_with_role(self, role: str) -> Account:
        return next(a for a in self.accounts if a.role == role)

    @property
    def regions(self) -> list[str]:
        return [self.organization.home_region] + ([self.organization.dr_region] if self.organization.dr_region else [])
