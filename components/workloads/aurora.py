"""Aurora MySQL: CMK-encrypted, writer + readers across AZs, TLS required, Enhanced Monitoring, IAM auth.

Security properties (EAR-03, LOG-11, DAT-01, DAT-02, NET-10, X-04, X-07): storage encrypted with the account's
data CMK, audit/error/slow-query logs exported, deletion protection and tags copied to snapshots, a cluster parameter
group requiring TLS and turning on server audit logging, instances never publicly accessible, a subnet group in the
data tier, and a security group that admits 3306 only from the application security group (and the rotation
function). Tagged `backup=daily` for AWS Backup.

Credentials, two strategies because RDS refuses the managed one where DR needs it:
- without DR: `manage_master_user_password` (RDS generates, stores and rotates the password; never in state).
- with DR (prod, `aurora.dr_replica`): an Aurora global database whose master secret this stack creates, replicates
  and rotates (components/workloads/aurora_global.py).

Order AWS enforces (each a `depends_on` or an input reference here): global cluster -> primary cluster -> primary
writer instance -> secondary cluster (a global database takes a secondary only once the primary has a writer);
monitoring role policy attached -> instances (CreateDBInstance checks the role); secret version, rotation function
and writer instance -> rotation (the first rotation logs in to the writer).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountArgs, AccountComponent
from components.context import AccountContext, VpcHandle
from components.lookups import lookup
from components.workloads.alarms import AlarmSpec, Watch, Widget
from components.workloads.aurora_global import (
    MASTER_USERNAME,
    PORT,
    bootstrap_password,
    dr_secondary,
    global_cluster,
    rotated_master_secret,
)
from components.workloads.registry import BuildContext, Piece
from landing_zone.models import Aurora

LOG_EXPORTS = ["audit", "error", "slowquery"]
PROD_MIN_BACKUP_DAYS = 15
BACKUP_TAG = {"backup": "daily"}
CA_CERTIFICATE = "rds-ca-rsa2048-g1"
MONITORING_POLICY = "service-role/AmazonRDSEnhancedMonitoringRole"


@dataclass(frozen=True, kw_only=True)
class AuroraArgs(AccountArgs):
    config: Aurora
    vpc: VpcHandle
    app_security_group_id: pulumi.Input[str]
    data_key_arn: pulumi.Input[str]
    dr_vpc: VpcHandle | None = None  # set (with dr_data_key_arn) only when the DR secondary applies
    dr_data_key_arn: pulumi.Input[str] | None = None
    # Where the bootstrap password is generated: an account that exists before the run (the management account);
    # None: this account's own provider.
    generator: AccountContext | None = None


def parameter_family(engine_version: str) -> str:
    """`8.0.mysql_aurora.3.08.0` -> `aurora-mysql8.0`."""
    return "aurora-mysql" + ".".join(engine_version.split(".")[:2])


def cluster_parameters() -> dict[str, tuple[str, str]]:
    """name -> (value, apply method)."""
    return {
        "require_secure_transport": ("ON", "immediate"),
        "tls_version": ("TLSv1.2,TLSv1.3", "pending-reboot"),
        "server_audit_logging": ("1", "immediate"),
        "server_audit_events": ("CONNECT,QUERY_DCL,QUERY_DDL", "immediate"),
        "slow_query_log": ("1", "immediate"),
        "long_query_time": ("2", "immediate"),
    }


def backup_retention(config: Aurora, environment: str) -> int:
    """Prod keeps at least 15 days whatever the config says (the seeds' rule); elsewhere the config decides."""
    return max(config.backup_retention_days, PROD_MIN_BACKUP_DAYS) if environment == "prod" else config.backup_retention_days


def durable_cluster_args(config: Aurora, environment: str, identifier: str, kms_key_arn: pulumi.Input[str]) -> dict:
    """What the primary and its DR secondary share: encrypted with a CMK, protected, backed up, snapshotted on
    delete, audit/error/slow-query logs exported, IAM database authentication, tagged for AWS Backup."""
    return dict(
        iam_database_authentication_enabled=True,
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


def monitoring_trust(account_id: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "monitoring.rds.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": account_id}}}]})


class AuroraCluster(AccountComponent[AuroraArgs]):
    """Attributes: cluster_arn, cluster_identifier, writer_endpoint, reader_endpoint, master_user_secret_arn,
    security_group_id, port, global_cluster_id and dr_cluster_arn (None without DR)."""

    TOKEN = "workloads:AuroraCluster"

    def __init__(self, name: str, args: AuroraArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        account, region, config = args.account, args.region, args.config
        with_dr = args.dr_vpc is not None and args.dr_data_key_arn is not None
        child = self.child_opts(region)
        self.identifier = self.child_name("aurora", region)
        self.security_group = self.data_security_group(region, args.vpc, args.app_security_group_id)
        subnet_group = aws.rds.SubnetGroup(
            self.child_name("aurora-subnets", region),
            subnet_ids=args.vpc.subnet_ids["data"],
            description="Aurora in the data tier (no route to the internet)",
            opts=child,
        )
        parameter_group = self.parameter_group(region)
        self._monitoring = self._monitoring_role() if config.monitoring_interval else None
        global_db = global_cluster(self) if with_dr else None
        password = bootstrap_password(self) if with_dr else None
        credentials = (dict(master_password_wo=password, master_password_wo_version=1) if with_dr else
                       dict(manage_master_user_password=True, master_user_secret_kms_key_id=args.data_key_arn))
        self.cluster = aws.rds.Cluster(
            self.child_name("aurora-cluster", region),
            cluster_identifier=self.identifier,
            engine="aurora-mysql",
            engine_version=config.engine_version,
            database_name=config.database_name,
            master_username=MASTER_USERNAME,
            global_cluster_identifier=global_db.id if global_db else None,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[self.security_group.id],
            db_cluster_parameter_group_name=parameter_group.name,
            preferred_backup_window="20:00-21:00",
            preferred_maintenance_window="sun:21:30-sun:22:30",
            **credentials,
            **durable_cluster_args(config, account.environment, self.identifier, args.data_key_arn),
            opts=self.child_opts(region, protect=True),
        )
        writer = self.instances(region, self.cluster, self.identifier, args.data_key_arn, 1 + config.readers)
        self.cluster_arn = self.cluster.arn
        self.writer_endpoint = self.cluster.endpoint
        self.reader_endpoint = self.cluster.reader_endpoint
        self.security_group_id = self.security_group.id
        self.port = PORT
        self.global_cluster_id = global_db.id if global_db else None
        if with_dr:
            self.master_user_secret_arn = rotated_master_secret(self, password, writer)
            self.dr_cluster_arn = dr_secondary(self, global_db, writer)
        else:
            self.master_user_secret_arn = self.cluster.master_user_secrets.apply(
                lambda s: s[0].secret_arn if s else None)
            self.dr_cluster_arn = None
        self.register_outputs({"clusterArn": self.cluster_arn, "writerEndpoint": self.writer_endpoint,
                               "readerEndpoint": self.reader_endpoint})

    # --- building blocks -------------------------------------------------------------------------------------------

    def data_security_group(self, region: str, vpc: VpcHandle, app_security_group_id: pulumi.Input[str] | None) -> aws.ec2.SecurityGroup:
        account = self.account
        sg = aws.ec2.SecurityGroup(
            self.child_name("aurora-sg", region),
            vpc_id=vpc.vpc_id,
            description=f"Aurora MySQL of {account.name}: {PORT} from the application tier only",
            opts=self.child_opts(region),
        )
        if app_security_group_id is not None:
            self.admit(region, sg, "aurora-from-app", app_security_group_id,
                          "MySQL from the application tier (ECS tasks / EKS nodes)")
        return sg

    def admit(self, region: str, sg: aws.ec2.SecurityGroup, purpose: str, source: pulumi.Input[str],
                 description: str) -> None:
        aws.ec2.SecurityGroupRule(
            self.child_name(purpose, region), type="ingress", security_group_id=sg.id,
            source_security_group_id=source, protocol="tcp", from_port=PORT, to_port=PORT, description=description,
            opts=self.child_opts(region))

    def parameter_group(self, region: str) -> aws.rds.ClusterParameterGroup:
        return aws.rds.ClusterParameterGroup(
            self.child_name("aurora-params", region),
            family=parameter_family(self.args.config.engine_version),
            description="TLS required, server audit logging on",
            parameters=[aws.rds.ClusterParameterGroupParameterArgs(name=k, value=v, apply_method=m)
                        for k, (v, m) in cluster_parameters().items()],
            opts=self.child_opts(region),
        )

    def _monitoring_role(self) -> aws.iam.RolePolicyAttachment:
        """Enhanced Monitoring's role (IAM is global: one role serves both regions). CreateDBInstance checks that
        RDS can assume it, so instances wait for the policy attachment, not only for the role."""
        account, region = self.account, self.region
        role = aws.iam.Role(
            self.child_name("aurora-monitoring-role", region),
            assume_role_policy=pulumi.Output.from_input(account.account_id).apply(monitoring_trust),
            description=f"RDS Enhanced Monitoring of {self.identifier}",
            opts=self.child_opts(region))
        partition = lookup(aws.get_partition_output, account=account, region=region, parent=self)
        attachment = aws.iam.RolePolicyAttachment(
            self.child_name("aurora-monitoring-policy", region), role=role.name,
            policy_arn=pulumi.Output.concat("arn:", partition.partition, ":iam::aws:policy/", MONITORING_POLICY),
            opts=self.child_opts(region))
        self._monitoring_role_arn = role.arn
        return attachment

    def instances(self, region: str, cluster: aws.rds.Cluster, identifier: str, key_arn: pulumi.Input[str],
                   count: int) -> aws.rds.ClusterInstance:
        """Writer first, readers after it, round-robin over the region's AZs (as the VPC lays out its subnets).
        Returns the writer."""
        account, config = self.account, self.args.config
        # The same lookup (and arguments) as the VPC's, so the round-robin follows the AZs its subnets use.
        azs = lookup(aws.get_availability_zones_output, account=account, region=region, parent=self,
                     state="available", filters=[{"name": "zone-type", "values": ["availability-zone"]}])
        insights = supports_performance_insights(config.instance_class)
        monitoring = (dict(monitoring_interval=config.monitoring_interval, monitoring_role_arn=self._monitoring_role_arn)
                      if self._monitoring else {})
        instances = []
        for n in range(count):
            role = "writer" if n == 0 else f"reader-{n}"
            instances.append(aws.rds.ClusterInstance(
                self.child_name(f"aurora-{role}", region),
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
                **monitoring,
                opts=self.child_opts(region, depends_on=[self._monitoring] if self._monitoring else []),
            ))
        return instances[0]


# --- the piece ------------------------------------------------------------------------------------------------------


def build(ctx: BuildContext, config: Aurora) -> AuroraCluster:
    """With a global-database secondary in the DR region when the account wants one and has a VPC there."""
    with_dr = ctx.args.aurora_dr and ctx.args.dr_vpc is not None
    return AuroraCluster(ctx.name("aurora-db"), AuroraArgs(
        account=ctx.account, region=ctx.region, config=config, vpc=ctx.vpc,
        app_security_group_id=ctx.app_security_group_id, data_key_arn=ctx.keys["data"],
        dr_vpc=ctx.args.dr_vpc if with_dr else None, dr_data_key_arn=ctx.dr_keys.get("data") if with_dr else None,
        generator=ctx.args.management), ctx.opts)


def watch(_: BuildContext, aurora: AuroraCluster) -> Watch:
    cluster = {"DBClusterIdentifier": aurora.cluster.cluster_identifier}
    alarms = [AlarmSpec("aurora-cpu", "AWS/RDS", "CPUUtilization", cluster, 80, description="Aurora CPU"),
              AlarmSpec("aurora-free-storage", "AWS/RDS", "FreeLocalStorage", cluster, 10 * 1024**3, "Minimum",
                        "LessThanThreshold", description="Aurora free local storage < 10 GiB")]
    if aurora.args.config.readers:
        alarms.append(AlarmSpec("aurora-replica-lag", "AWS/RDS", "AuroraReplicaLag", cluster, 1000, "Maximum",
                                description="Aurora replica lag > 1 s"))
    return Watch(alarms=tuple(alarms), widgets=(Widget("Aurora CPU", [
        ["AWS/RDS", "CPUUtilization", "DBClusterIdentifier", aurora.cluster.cluster_identifier]]),))


PIECE = Piece(
    name="aurora", field="aurora", build=build, watch=watch,
    outputs=lambda aurora: {"auroraWriterEndpoint": aurora.writer_endpoint,
                            "auroraReaderEndpoint": aurora.reader_endpoint,
                            "auroraMasterUserSecretArn": aurora.master_user_secret_arn},
    contract=lambda aurora: {"aurora": {"writer_endpoint": aurora.writer_endpoint,
                                        "reader_endpoint": aurora.reader_endpoint,
                                        "master_secret_arn": aurora.master_user_secret_arn, "port": aurora.port}},
    backup_targets=lambda aurora: [aurora.cluster_arn],
)
