"""Aurora MySQL: CMK-encrypted, RDS-managed master secret, writer + readers across AZs, TLS required.

Security properties (EAR-03, LOG-11, DAT-01, DAT-02, NET-10, X-04, X-07): storage encrypted with the account's
data CMK, master password generated and rotated by RDS in Secrets Manager (never in config or state), audit/error/
slow-query logs exported, deletion protection and tags copied to snapshots, a cluster parameter group requiring TLS
and turning on server audit logging, instances never publicly accessible, a subnet group in the data tier, and a
security group that admits 3306 only from the application security group. Tagged `backup=daily` for AWS Backup.

DR (prod, `aurora.dr_replica`): a cross-region read-replica cluster in the DR region, encrypted with a DR-region
key. Binlog replication rather than a global database, because RDS-managed master passwords are not supported on
Aurora global databases; the primary therefore runs with `binlog_format=ROW` when a replica exists.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.context import AccountContext, VpcHandle
from components.lookups import lookup
from landing_zone.models import Aurora

PORT = 3306
LOG_EXPORTS = ["audit", "error", "slowquery"]
PROD_MIN_BACKUP_DAYS = 15
BACKUP_TAG = {"backup": "daily"}
CA_CERTIFICATE = "rds-ca-rsa2048-g1"


@dataclass(frozen=True)
class AuroraInputs:
    vpc: VpcHandle
    app_security_group_id: pulumi.Input[str]
    data_key_arn: pulumi.Input[str]
    dr_vpc: VpcHandle | None = None  # set (with dr_data_key_arn) only when the DR replica applies
    dr_data_key_arn: pulumi.Input[str] | None = None


def parameter_family(engine_version: str) -> str:
    """`8.0.mysql_aurora.3.08.0` -> `aurora-mysql8.0`."""
    return "aurora-mysql" + ".".join(engine_version.split(".")[:2])


def cluster_parameters(with_binlog: bool) -> dict[str, tuple[str, str]]:
    """name -> (value, apply method)."""
    params = {
        "require_secure_transport": ("ON", "immediate"),
        "tls_version": ("TLSv1.2,TLSv1.3", "pending-reboot"),
        "server_audit_logging": ("1", "immediate"),
        "server_audit_events": ("CONNECT,QUERY_DCL,QUERY_DDL", "immediate"),
        "slow_query_log": ("1", "immediate"),
        "long_query_time": ("2", "immediate"),
    }
    if with_binlog:
        params["binlog_format"] = ("ROW", "pending-reboot")
    return params


def backup_retention(config: Aurora, environment: str) -> int:
    """Prod keeps at least 15 days whatever the config says (the seeds' rule); elsewhere the config decides."""
    return max(config.backup_retention_days, PROD_MIN_BACKUP_DAYS) if environment == "prod" else config.backup_retention_days


def durable_cluster_args(config: Aurora, environment: str, identifier: str, kms_key_arn: pulumi.Input[str]) -> dict:
    """What the primary and its DR replica share: encrypted with a CMK, protected, backed up, snapshotted on delete,
    audit/error/slow-query logs exported, tagged for AWS Backup."""
    return dict(
        storage_encrypted=True,
        kms_key_id=kms_key_arn,
        backup_retention_period=backup_retention(config, environment),
        copy_tags_to_snapshot=True,
        deletion_protection=True,
        skip_final_snapshot=False,
        final_snapshot_identifier=f"{identifier}-final",
        enabled_cloudwatch_logs_exports=LOG_EXPORTS,
        tags=BACKUP_TAG,
    )


def supports_performance_insights(instance_class: str) -> bool:
    """Aurora MySQL has no Performance Insights on the burstable db.t* classes."""
    return not instance_class.startswith("db.t")


class AuroraCluster(pulumi.ComponentResource):
    """Attributes: cluster_arn, cluster_identifier, writer_endpoint, reader_endpoint, master_user_secret_arn,
    security_group_id, port, dr_cluster_arn (None without DR)."""

    def __init__(self, name: str, *, account: AccountContext, region: str, config: Aurora, inputs: AuroraInputs,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("landing-zone:workloads:AuroraCluster", name, None, opts)
        self._account, self._region, self._config = account, region, config
        with_dr = inputs.dr_vpc is not None and inputs.dr_data_key_arn is not None
        child = account.opts(region, parent=self)
        self.identifier = account.resource_name(region, "aurora")
        self.security_group = self._security_group(region, inputs.vpc, inputs.app_security_group_id)
        subnet_group = aws.rds.SubnetGroup(
            account.resource_name(region, "aurora-subnets"),
            subnet_ids=inputs.vpc.subnet_ids["data"],
            description="Aurora in the data tier (no route to the internet)",
            opts=child,
        )
        parameter_group = self._parameter_group(region, with_binlog=with_dr)
        self.cluster = aws.rds.Cluster(
            account.resource_name(region, "aurora-cluster"),
            cluster_identifier=self.identifier,
            engine="aurora-mysql",
            engine_version=config.engine_version,
            database_name=config.database_name,
            master_username="lzadmin",
            manage_master_user_password=True,
            master_user_secret_kms_key_id=inputs.data_key_arn,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[self.security_group.id],
            db_cluster_parameter_group_name=parameter_group.name,
            preferred_backup_window="20:00-21:00",
            preferred_maintenance_window="sun:21:30-sun:22:30",
            iam_database_authentication_enabled=True,
            **durable_cluster_args(config, account.environment, self.identifier, inputs.data_key_arn),
            opts=account.opts(region, parent=self, protect=True),
        )
        self._instances(region, self.cluster, self.identifier, inputs.data_key_arn, 1 + config.readers)
        self.cluster_arn = self.cluster.arn
        self.writer_endpoint = self.cluster.endpoint
        self.reader_endpoint = self.cluster.reader_endpoint
        self.master_user_secret_arn = self.cluster.master_user_secrets.apply(lambda s: s[0].secret_arn if s else None)
        self.security_group_id = self.security_group.id
        self.port = PORT
        self.dr_cluster_arn = self._dr_replica(inputs) if with_dr else None
        self.register_outputs({"clusterArn": self.cluster_arn, "writerEndpoint": self.writer_endpoint,
                               "readerEndpoint": self.reader_endpoint})

    def _security_group(self, region: str, vpc: VpcHandle, app_security_group_id: pulumi.Input[str] | None) -> aws.ec2.SecurityGroup:
        account = self._account
        sg = aws.ec2.SecurityGroup(
            account.resource_name(region, "aurora-sg"),
            vpc_id=vpc.vpc_id,
            description=f"Aurora MySQL of {account.name}: {PORT} from the application tier only",
            opts=account.opts(region, parent=self),
        )
        if app_security_group_id is not None:
            aws.ec2.SecurityGroupRule(
                account.resource_name(region, "aurora-from-app"),
                type="ingress",
                security_group_id=sg.id,
                source_security_group_id=app_security_group_id,
                protocol="tcp", from_port=PORT, to_port=PORT,
                description="MySQL from the application tier (ECS tasks / EKS nodes)",
                opts=account.opts(region, parent=self),
            )
        return sg

    def _parameter_group(self, region: str, with_binlog: bool) -> aws.rds.ClusterParameterGroup:
        account = self._account
        return aws.rds.ClusterParameterGroup(
            account.resource_name(region, "aurora-params"),
            family=parameter_family(self._config.engine_version),
            description="TLS required, server audit logging on",
            parameters=[aws.rds.ClusterParameterGroupParameterArgs(name=k, value=v, apply_method=m)
                        for k, (v, m) in cluster_parameters(with_binlog).items()],
            opts=account.opts(region, parent=self),
        )

    def _instances(self, region: str, cluster: aws.rds.Cluster, identifier: str, key_arn: pulumi.Input[str],
                   count: int) -> None:
        """Writer first, readers after it, round-robin over the region's AZs (as the VPC lays out its subnets)."""
        account, config = self._account, self._config
        # The same lookup (and arguments) as the VPC's, so the round-robin follows the AZs its subnets use.
        azs = lookup(aws.get_availability_zones_output, account=account, region=region, parent=self,
                     state="available", filters=[{"name": "zone-type", "values": ["availability-zone"]}])
        insights = supports_performance_insights(config.instance_class)
        for n in range(count):
            role = "writer" if n == 0 else f"reader-{n}"
            aws.rds.ClusterInstance(
                account.resource_name(region, f"aurora-{role}"),
                identifier=f"{identifier}-{role}",
                cluster_identifier=cluster.id,
                engine=cluster.engine,
                engine_version=cluster.engine_version,
                instance_class=config.instance_class,
                availability_zone=azs.names.apply(lambda names, n=n: names[n % len(names)]),
                publicly_accessible=False,
                promotion_tier=0 if n == 0 else 1,
                performance_insights_enabled=insights,
                performance_insights_kms_key_id=key_arn if insights else None,
                auto_minor_version_upgrade=True,
                ca_cert_identifier=CA_CERTIFICATE,
                copy_tags_to_snapshot=True,
                opts=account.opts(region, parent=self),
            )

    def _dr_replica(self, inputs: AuroraInputs) -> pulumi.Output[str]:
        account, config = self._account, self._config
        dr_vpc = inputs.dr_vpc
        region = dr_vpc.region
        child = account.opts(region, parent=self)
        # Nothing runs against the replica until a failover promotes it: its SG admits nothing yet.
        sg = self._security_group(region, dr_vpc, None)
        subnet_group = aws.rds.SubnetGroup(
            account.resource_name(region, "aurora-subnets"),
            subnet_ids=dr_vpc.subnet_ids["data"],
            description="Aurora DR replica in the data tier",
            opts=child,
        )
        identifier = account.resource_name(region, "aurora")
        replica = aws.rds.Cluster(
            account.resource_name(region, "aurora-cluster"),
            cluster_identifier=identifier,
            engine="aurora-mysql",
            engine_version=config.engine_version,
            replication_source_identifier=self.cluster.arn,
            source_region=self._region,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[sg.id],
            db_cluster_parameter_group_name=self._parameter_group(region, with_binlog=False).name,
            **durable_cluster_args(config, account.environment, identifier, inputs.dr_data_key_arn),
            opts=account.opts(region, parent=self, protect=True, depends_on=[self.cluster]),
        )
        self._instances(region, replica, identifier, inputs.dr_data_key_arn, 1)
        return replica.arn
