"""The workloads of one account, composed from its `workloads` config block.

Order matters and is fixed: the account's CMKs and the application-tier security group come first (every other
piece encrypts with the keys, and the data stores admit only the app SG), then the edge, compute (ECS or EKS),
data stores, queues, data hosts, and finally backup, patching and monitoring, which protect and watch what exists.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components.context import AccountContext, LogArchive, VpcHandle
from components.workloads.aurora import AuroraCluster, AuroraInputs
from components.workloads.backup import Backup
from components.workloads.cache import CacheInputs, RedisCache
from components.workloads.data_hosts import DataHosts
from components.workloads.ecr import Repositories
from components.workloads.ecs import EcsCluster, EcsInputs
from components.workloads.edge import Edge, EdgeDns
from components.workloads.eks import EksCluster, EksInputs
from components.workloads.kms import WorkloadKeys
from components.workloads.monitoring import Monitoring, MonitoringTargets
from components.workloads.patching import Patching
from components.workloads.queues import Queues, QueuesArgs
from landing_zone.client_vpn import client_vpn_source_cidrs
from landing_zone.dr_rules import dr_wanted
from landing_zone.models import LandingZoneConfig
from landing_zone.models import Workloads as WorkloadsConfig
from landing_zone.promotion import promotion_peers

# Behind the edge, EKS serves through the AWS Load Balancer Controller registering pod IPs (target-type ip) on
# the conventional application port; ECS accounts use their services' ports.
EKS_INGRESS_PORTS = [8080]


class Workloads(pulumi.ComponentResource):
    """Everything an account runs. Typed attributes (None when the config does not ask for the piece):
    kms_key_arns (purpose -> ARN; DR keys as `dr-<purpose>`), app_security_group_id, edge, repositories, ecs, eks,
    aurora, redis, queues, data_hosts, backup, patching, monitoring. `exports()` flattens them for the contract."""

    def __init__(self, name: str, *, account: AccountContext, vpc: VpcHandle | None, log_archive: LogArchive,
                 cfg: LandingZoneConfig, peer_account_ids: dict[str, pulumi.Input[str]] | None = None,
                 dr_vpc: VpcHandle | None = None, dns_owner: AccountContext | None = None,
                 management: AccountContext | None = None, opts: pulumi.ResourceOptions | None = None):
        """dns_owner: the account that owns network.dns's zone (management or adopted); needed with an edge.
        management: generates Aurora's bootstrap password (an account that exists before the run; default: this one)."""
        super().__init__("landing-zone:workloads:Workloads", name, None, opts)
        wl: WorkloadsConfig = account.config.workloads
        self._account, self._cfg, self._wl = account, cfg, wl
        region = self.region = cfg.organization.home_region
        if wl.needs_vpc() and vpc is None:
            raise ValueError(f"accounts[{account.name}].vpcs: the workloads need a VPC in the home region {region}")
        aurora_dr, backup_dr = dr_wanted(cfg, account.config, account.regions)
        aurora_dr = aurora_dr and dr_vpc is not None
        self._child = pulumi.ResourceOptions(parent=self)
        self._keys(aurora_dr or backup_dr)
        self.app_security_group_id = self._app_security_group(vpc) if wl.needs_vpc() else None
        self.edge = self._edge(vpc, log_archive, dns_owner) if wl.edge else None
        self.repositories = self.ecs = self.eks = None
        if wl.ecs:
            self._ecs(vpc, peer_account_ids or {})
        if wl.eks:
            self.eks = EksCluster(
                account.resource_name(region, "eks-cluster"), account=account, region=region, config=wl.eks,
                inputs=EksInputs(vpc, self.app_security_group_id, self.kms_key_arns["data"],
                                 admin_cidrs=client_vpn_source_cidrs(cfg)),
                opts=self._child)
        self.aurora = AuroraCluster(
            account.resource_name(region, "aurora-db"), account=account, region=region, config=wl.aurora,
            inputs=AuroraInputs(vpc, self.app_security_group_id, self.kms_key_arns["data"],
                                dr_vpc if aurora_dr else None, self.kms_key_arns.get("dr-data") if aurora_dr else None,
                                management),
            opts=self._child) if wl.aurora else None
        self.redis = RedisCache(
            account.resource_name(region, "redis-cache"), account=account, region=region, config=wl.redis,
            inputs=CacheInputs(vpc, self.app_security_group_id, self.kms_key_arns["data"], self.kms_key_arns["logs"],
                               cfg.security.log_retention_days),
            opts=self._child) if wl.redis else None
        self.queues = Queues(account.resource_name(region, "queues"), QueuesArgs(
            account=account, region=region, queues=tuple(wl.queues), kms_key_arn=self.kms_key_arns["data"]),
            opts=self._child) if wl.queues else None
        self.data_hosts = DataHosts(
            account.resource_name(region, "data-hosts"), account=account, region=region, vpc=vpc,
            hosts=list(wl.data_hosts), app_security_group_id=self.app_security_group_id,
            data_key_arn=self.kms_key_arns["data"], admin_cidr=None,  # SSH/RDP: the VPC's admin SG (source-NATed range)
            opts=self._child) if wl.data_hosts else None
        self.backup = self._backup(log_archive, backup_dr) if wl.backup else None
        self.patching = Patching(
            account.resource_name(region, "patching"), account=account, region=region, config=wl.patching,
            operating_systems=sorted({h.os for h in wl.data_hosts}) or None,
            opts=self._child) if wl.patching else None
        self.monitoring = self._monitoring() if wl.monitoring else None
        self.register_outputs(self.exports())

    # --- pieces -------------------------------------------------------------------------------------------------

    def _keys(self, with_dr: bool) -> None:
        account, region = self._account, self.region
        admin_role = self._cfg.organization.access_role_name  # the only key administrator (kms.py)
        home = WorkloadKeys(account.resource_name(region, "keys"), account=account, region=region,
                            admin_role_name=admin_role, opts=self._child)
        self.kms_key_arns: dict[str, pulumi.Output[str]] = dict(home.arns)
        if with_dr:
            dr_region = self._cfg.organization.dr_region
            dr = WorkloadKeys(account.resource_name(dr_region, "keys"), account=account, region=dr_region,
                              purposes=("data", "backup"), admin_role_name=admin_role, opts=self._child)
            self.kms_key_arns.update({f"dr-{purpose}": arn for purpose, arn in dr.arns.items()})

    def _app_security_group(self, vpc: VpcHandle) -> pulumi.Output[str]:
        """The application tier: ECS tasks and EKS nodes. Egress: HTTPS out (AWS APIs, NAT) and TCP inside the VPC
        (data stores, cluster peers); ingress is added by whoever fronts it (the ALB rules below, EKS itself)."""
        account, region = self._account, self.region
        opts = account.opts(region, parent=self)
        sg = aws.ec2.SecurityGroup(
            account.resource_name(region, "app-sg"),
            vpc_id=vpc.vpc_id,
            description=f"Application tier of {account.name} (ECS tasks, EKS nodes)",
            tags={"tier": "app"},
            opts=opts,
        )
        aws.vpc.SecurityGroupEgressRule(
            account.resource_name(region, "app-egress-https"), security_group_id=sg.id, cidr_ipv4="0.0.0.0/0",
            ip_protocol="tcp", from_port=443, to_port=443,
            description="HTTPS to AWS APIs (endpoints or NAT) and external services", opts=opts)
        aws.vpc.SecurityGroupEgressRule(
            account.resource_name(region, "app-egress-vpc"), security_group_id=sg.id, cidr_ipv4=vpc.cidr,
            ip_protocol="tcp", from_port=0, to_port=65535,
            description="TCP inside the VPC: data stores and cluster peers", opts=opts)
        if self._wl.eks:
            aws.vpc.SecurityGroupIngressRule(
                account.resource_name(region, "app-ingress-self"), security_group_id=sg.id,
                referenced_security_group_id=sg.id, ip_protocol="-1",
                description="node-to-node and pod-to-pod traffic inside the application tier", opts=opts)
        return sg.id


    def _service_ports(self) -> list[int]:
        if self._wl.ecs:
            return sorted({s.port for s in self._wl.ecs.services})
        return list(EKS_INGRESS_PORTS) if self._wl.eks else []

    def _edge_dns(self, dns_owner: AccountContext | None) -> EdgeDns:
        """The public zone and its owner's provider (an account that exists before the run)."""
        dns, account = self._cfg.network.dns, self._account
        if dns is None or dns_owner is None:
            raise ValueError(f"accounts[{account.name}].workloads.edge: network.dns and the handle of its account "
                             "(the owner of the public zone) are required")
        return EdgeDns(zone_id=dns.zone_id, zone_name=dns.zone_name,
                       owner_provider=dns_owner.providers[self._cfg.organization.home_region])

    def _edge(self, vpc: VpcHandle, log_archive: LogArchive, dns_owner: AccountContext | None) -> Edge:
        account, region = self._account, self.region
        ports = self._service_ports()
        edge = Edge(account.resource_name(region, "edge"), account=account, region=region, vpc=vpc,
                    config=self._wl.edge, log_archive=log_archive, app_security_group_id=self.app_security_group_id,
                    target_ports=ports, logs_key_arn=self.kms_key_arns["logs"],
                    log_retention_days=self._cfg.security.log_retention_days, dns=self._edge_dns(dns_owner),
                    opts=self._child)
        for port in ports:
            aws.vpc.SecurityGroupIngressRule(
                account.resource_name(region, f"app-from-alb-{port}"),
                security_group_id=self.app_security_group_id,
                referenced_security_group_id=edge.alb_security_group_id,
                ip_protocol="tcp", from_port=port, to_port=port,
                description=f"service port {port} from the public ALB only",
                opts=account.opts(region, parent=self))
        return edge

    def _ecs(self, vpc: VpcHandle, peer_account_ids: dict[str, pulumi.Input[str]]) -> None:
        account, region, ecs = self._account, self.region, self._wl.ecs
        peers = promotion_peers(self._cfg, account.name)
        missing = [p for p in peers if p not in peer_account_ids]
        if missing:
            raise ValueError(f"accounts[{account.name}]: image promotion needs the account ids of {missing}")
        self.repositories = Repositories(
            account.resource_name(region, "ecr"), account=account, region=region,
            services=[s.name for s in ecs.services], kms_key_arn=self.kms_key_arns["data"],
            pull_account_ids=[peer_account_ids[p] for p in peers], opts=self._child)
        self.ecs = EcsCluster(
            account.resource_name(region, "ecs-fargate"), account=account, region=region, config=ecs,
            inputs=EcsInputs(
                vpc=vpc, app_security_group_id=self.app_security_group_id,
                repository_urls=self.repositories.urls, repository_arns=self.repositories.arns,
                data_key_arn=self.kms_key_arns["data"], logs_key_arn=self.kms_key_arns["logs"],
                log_retention_days=self._cfg.security.log_retention_days,
                https_listener_arn=self.edge.https_listener_arn if self.edge else None),
            opts=self._child)

    def _backup(self, log_archive: LogArchive, copy_to_dr: bool) -> Backup:
        account, region = self._account, self.region
        resources: list[pulumi.Input[str]] = []
        if self.aurora:
            resources.append(self.aurora.cluster_arn)
        if self.data_hosts:
            resources += [*self.data_hosts.instance_arns, *self.data_hosts.data_volume_arns]
        dr_region = self._cfg.organization.dr_region if copy_to_dr else None
        return Backup(account.resource_name(region, "backup"), account=account, region=region,
                      config=self._wl.backup, backup_key_arn=self.kms_key_arns["backup"],
                      data_key_arn=self.kms_key_arns["data"], dr_region=dr_region,
                      dr_backup_key_arn=self.kms_key_arns.get("dr-backup") if copy_to_dr else None,
                      resource_arns=resources, log_archive=log_archive,
                      access_log_retention_days=self._cfg.security.log_retention_days, opts=self._child)

    def _monitoring(self) -> Monitoring:
        account, region, wl = self._account, self.region, self._wl
        targets = MonitoringTargets(
            alb_arn_suffix=self.edge.alb_arn_suffix if self.edge else None,
            target_group_arn_suffixes=dict(self.ecs.target_group_arn_suffixes) if self.ecs else {},
            aurora_cluster_identifier=self.aurora.cluster.cluster_identifier if self.aurora else None,
            aurora_has_readers=bool(wl.aurora and wl.aurora.readers),
            ecs_cluster_name=self.ecs.cluster_name if self.ecs else None,
            ecs_service_names=dict(self.ecs.service_names) if self.ecs else {},
            eks_cluster_name=self.eks.cluster_name if self.eks else None,
            instance_ids=list(self.data_hosts.instance_ids) if self.data_hosts else [],
            redis_replication_group_id=self.redis.replication_group_id if self.redis else None,
            queue_names=dict(self.queues.dlq_names) if self.queues else {},
            prometheus=bool(wl.eks and wl.eks.prometheus),
        )
        return Monitoring(account.resource_name(region, "monitoring"), account=account, region=region,
                          config=wl.monitoring, alarm_email=self._cfg.security.alarm_email,
                          data_key_arn=self.kms_key_arns["data"], targets=targets,
                          logs_key_arn=self.kms_key_arns["logs"],
                          log_retention_days=self._cfg.security.log_retention_days, opts=self._child)

    # --- what app teams read --------------------------------------------------------------------------------------

    def exports(self) -> dict[str, Any]:
        """The account's workload outputs, flat and camelCase, for the contract (issue 8). Secrets stay secrets."""
        out: dict[str, Any] = {"kmsKeyArns": self.kms_key_arns}
        if self.app_security_group_id is not None:
            out["appSecurityGroupId"] = self.app_security_group_id
        if self.edge:
            out.update(albDnsName=self.edge.alb_dns_name, domainName=self.edge.domain_name)
        if self.ecs:
            out.update(ecsClusterArn=self.ecs.cluster_arn, ecsClusterName=self.ecs.cluster_name,
                       ecsServiceNames=self.ecs.service_names, ecrRepositoryUrls=self.repositories.urls)
        if self.eks:
            out.update(eksClusterName=self.eks.cluster_name, eksEndpoint=self.eks.endpoint,
                       eksOidcProviderArn=self.eks.oidc_provider_arn, eksKubeconfig=self.eks.kubeconfig)
        if self.aurora:
            out.update(auroraWriterEndpoint=self.aurora.writer_endpoint, auroraReaderEndpoint=self.aurora.reader_endpoint,
                       auroraMasterUserSecretArn=self.aurora.master_user_secret_arn)
        if self.redis:
            out.update(redisEndpoint=self.redis.primary_endpoint, redisAuthSecretArn=self.redis.auth_secret_arn)
        if self.queues:
            out.update(queueUrls=self.queues.urls, deadLetterQueueUrls=self.queues.dlq_urls)
        if self.monitoring:
            out["alarmTopicArn"] = self.monitoring.topic_arn
        return out


def dns_owner(cfg: LandingZoneConfig, accounts: dict[str, AccountContext],
              management: AccountContext | None) -> AccountContext | None:
    """The handle of the account owning network.dns's zone (validation ensures it is not created here)."""
    dns = cfg.network.dns
    if dns is None:
        return None
    if dns.account == "management":
        if management is None:
            raise ValueError("network.dns.account: management owns the zone, but no management account "
                             "handle was given to build_workloads")
        return management
    return accounts[dns.account]


def build_workloads(cfg: LandingZoneConfig, accounts: dict[str, AccountContext],
                    vpcs: dict[tuple[str, str], VpcHandle], log_archive: LogArchive,
                    management: AccountContext | None = None) -> dict[str, Workloads]:
    """One Workloads per workload account with anything to run, in config order (what __main__.py calls).
    management: the management account's handle (it writes the edges' DNS records when it owns network.dns)."""
    home, dr = cfg.organization.home_region, cfg.organization.dr_region
    ids = {name: ctx.account_id for name, ctx in accounts.items()}
    owner = dns_owner(cfg, accounts, management) if any(a.workloads.edge for a in cfg.accounts) else None
    built: dict[str, Workloads] = {}
    for account in cfg.accounts:
        if account.role != "workload" or account.workloads == WorkloadsConfig():
            continue
        ctx = accounts[account.name]
        built[account.name] = Workloads(
            ctx.resource_name(home, "workloads"), account=ctx, vpc=vpcs.get((account.name, home)),
            log_archive=log_archive, cfg=cfg, peer_account_ids=ids,
            dr_vpc=vpcs.get((account.name, dr)) if dr else None, dns_owner=owner, management=management)
    return built
