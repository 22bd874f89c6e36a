"""Aurora MySQL: CMK-encrypted, writer + readers across AZs, TLS required, Enhanced Monitoring, IAM auth.

Security properties (EAR-03, LOG-11, DAT-01, DAT-02, NET-10, X-04, X-07): storage encrypted with the account's
data CMK, audit/error/slow-query logs exported, deletion protection and tags copied to snapshots, a cluster parameter
group requiring TLS and turning on server audit logging, instances never publicly accessible, a subnet group in the
data tier, and a security group that admits 3306 only from the application security group (and the rotation
function). Tagged `backup=daily` for AWS Backup.

Credentials, two strategies because RDS refuses the managed one where DR needs it:
- without DR: `manage_master_user_password` (RDS generates, stores and rotates the password; never in state).
- with DR (prod, `aurora.dr_replica`): an Aurora global database (primary here, secondary cluster in the DR region,
  storage-level replication, managed failover). RDS does not support managed master passwords on global databases
  (Aurora User Guide, "Limitations for Secrets Manager integration"), so the master secret is a Secrets Manager
  secret encrypted with the data CMK and replicated to the DR region (CMK there), rotated every 30 days by AWS's
  SecretsManagerRDSMySQLRotationSingleUser function (Serverless Application Repository) in the VPC. The bootstrap
  password comes from Secrets Manager's generator into write-only arguments (Pulumi keeps a write-only input only as
  an encrypted secret in state) and the first rotation runs at once, so that copy is dead before anyone can use it.

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
from components.workloads.registry import BuildContext, Piece
from landing_zone.dr_rules import dr_wanted
from landing_zone.models import Aurora

PORT = 3306
LOG_EXPORTS = ["audit", "error", "slowquery"]
PROD_MIN_BACKUP_DAYS = 15
BACKUP_TAG = {"backup": "daily"}
CA_CERTIFICATE = "rds-ca-rsa2048-g1"
MASTER_USERNAME = "lzadmin"
ROTATION_DAYS = 30
MONITORING_POLICY = "service-role/AmazonRDSEnhancedMonitoringRole"
ROTATION_APPLICATION = ("arn:aws:serverlessrepo:us-east-1:297356227824:applications/"
                        "SecretsManagerRDSMySQLRotationSingleUser")  # AWS's own rotation template (public app)
# Pinned, so a deploy never picks up a new template unreviewed: the version aws-cdk's SecretRotationApplication
# MYSQL_ROTATION_SINGLE_USER pins (aws-cdk-lib, aws-secretsmanager/lib/secret-rotation.ts). Its parameters
# (functionName, endpoint, vpcSubnetIds, vpcSecurityGroupIds, kmsKeyArn) are the ones aws-cdk passes.
ROTATION_APPLICATION_VERSION = "1.1.671"


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


def master_secret(host: str, password: str, database: str, identifier: str) -> str:
    """The secret shape the RDS MySQL rotation function expects."""
    return json.dumps({"engine": "mysql", "host": host, "port": PORT, "username": MASTER_USERNAME, "password": password,
                       "dbname": database, "dbClusterIdentifier": identifier})


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
        self.security_group = self._security_group(region, args.vpc, args.app_security_group_id)
        subnet_group = aws.rds.SubnetGroup(
            self.child_name("aurora-subnets", region),
            subnet_ids=args.vpc.subnet_ids["data"],
            description="Aurora in the data tier (no route to the internet)",
            opts=child,
        )
        parameter_group = self._parameter_group(region)
        self._monitoring = self._monitoring_role() if config.monitoring_interval else None
        global_cluster = self._global_cluster() if with_dr else None
        password = self._bootstrap_password() if with_dr else None
        credentials = (dict(master_password_wo=password, master_password_wo_version=1) if with_dr else
                       dict(manage_master_user_password=True, master_user_secret_kms_key_id=args.data_key_arn))
        self.cluster = aws.rds.Cluster(
            self.child_name("aurora-cluster", region),
            cluster_identifier=self.identifier,
            engine="aurora-mysql",
            engine_version=config.engine_version,
            database_name=config.database_name,
            master_username=MASTER_USERNAME,
            global_cluster_identifier=global_cluster.id if global_cluster else None,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[self.security_group.id],
            db_cluster_parameter_group_name=parameter_group.name,
            preferred_backup_window="20:00-21:00",
            preferred_maintenance_window="sun:21:30-sun:22:30",
            **credentials,
            **durable_cluster_args(config, account.environment, self.identifier, args.data_key_arn),
            opts=self.child_opts(region, protect=True),
        )
        writer = self._instances(region, self.cluster, self.identifier, args.data_key_arn, 1 + config.readers)
        self.cluster_arn = self.cluster.arn
        self.writer_endpoint = self.cluster.endpoint
        self.reader_endpoint = self.cluster.reader_endpoint
        self.security_group_id = self.security_group.id
        self.port = PORT
        self.global_cluster_id = global_cluster.id if global_cluster else None
        if with_dr:
            self.master_user_secret_arn = self._master_secret(password, writer)
            self.dr_cluster_arn = self._dr_secondary(global_cluster, writer)
        else:
            self.master_user_secret_arn = self.cluster.master_user_secrets.apply(
                lambda s: s[0].secret_arn if s else None)
            self.dr_cluster_arn = None
        self.register_outputs({"clusterArn": self.cluster_arn, "writerEndpoint": self.writer_endpoint,
                               "readerEndpoint": self.reader_endpoint})

    # --- building blocks -------------------------------------------------------------------------------------------

    def _security_group(self, region: str, vpc: VpcHandle, app_security_group_id: pulumi.Input[str] | None) -> aws.ec2.SecurityGroup:
        account = self.account
        sg = aws.ec2.SecurityGroup(
            self.child_name("aurora-sg", region),
            vpc_id=vpc.vpc_id,
            description=f"Aurora MySQL of {account.name}: {PORT} from the application tier only",
            opts=self.child_opts(region),
        )
        if app_security_group_id is not None:
            self._ingress(region, sg, "aurora-from-app", app_security_group_id,
                          "MySQL from the application tier (ECS tasks / EKS nodes)")
        return sg

    def _ingress(self, region: str, sg: aws.ec2.SecurityGroup, purpose: str, source: pulumi.Input[str],
                 description: str) -> None:
        aws.ec2.SecurityGroupRule(
            self.child_name(purpose, region), type="ingress", security_group_id=sg.id,
            source_security_group_id=source, protocol="tcp", from_port=PORT, to_port=PORT, description=description,
            opts=self.child_opts(region))

    def _parameter_group(self, region: str) -> aws.rds.ClusterParameterGroup:
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

    def _instances(self, region: str, cluster: aws.rds.Cluster, identifier: str, key_arn: pulumi.Input[str],
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

    # --- global database (DR) ----------------------------------------------------------------------------------

    def _global_cluster(self) -> aws.rds.GlobalCluster:
        config = self.args.config
        return aws.rds.GlobalCluster(
            self.child_name("aurora-global"),
            global_cluster_identifier=f"{self.identifier}-global",
            engine="aurora-mysql",
            engine_version=config.engine_version,
            database_name=config.database_name,
            storage_encrypted=True,
            deletion_protection=True,
            opts=self.child_opts(protect=True))

    def _bootstrap_password(self) -> pulumi.Output[str]:
        """Secrets Manager's generator, through an account that exists before the run when one is given."""
        # one purpose per cluster: lookups through one provider with one purpose are made once and shared
        generated = lookup(aws.secretsmanager.get_random_password_output,
                           account=self.args.generator or self.account, region=self.region, parent=self,
                           purpose=f"{self.account.name}-aurora-password", password_length=40,
                           exclude_punctuation=True, require_each_included_type=True)
        return pulumi.Output.secret(generated.random_password)

    def _master_secret(self, password: pulumi.Output[str], writer: aws.rds.ClusterInstance) -> pulumi.Output[str]:
        """The master secret: data CMK, replicated to the DR region with the DR CMK, rotated now and every 30 days."""
        region, args = self.region, self.args
        child = self.child_opts(region)
        secret = aws.secretsmanager.Secret(
            self.child_name("aurora-master-secret", region),
            name=f"{self.identifier}/master",
            description=f"Master user of the Aurora global database {self.identifier}",
            kms_key_id=args.data_key_arn,
            # the DR key is made through the DR-region provider, so the replica waits for what that region needs
            replicas=[aws.secretsmanager.SecretReplicaArgs(region=args.dr_vpc.region, kms_key_id=args.dr_data_key_arn)],
            recovery_window_in_days=30,
            opts=child)
        version = aws.secretsmanager.SecretVersion(
            self.child_name("aurora-master-secret-value", region),
            secret_id=secret.id,
            secret_string_wo=pulumi.Output.secret(pulumi.Output.all(self.cluster.endpoint, password).apply(
                lambda a: master_secret(a[0], a[1], self.args.config.database_name, self.identifier))),
            secret_string_wo_version=1,
            opts=child)
        rotator_arn, rotator = self._rotation_function()
        aws.secretsmanager.SecretRotation(
            self.child_name("aurora-master-rotation", region),
            secret_id=secret.id,
            rotation_lambda_arn=rotator_arn,
            rotation_rules=aws.secretsmanager.SecretRotationRotationRulesArgs(automatically_after_days=ROTATION_DAYS),
            rotate_immediately=True,  # the bootstrap password (kept encrypted in state) is dead after this
            # the first rotation reads the version and logs in to the writer: both must exist
            opts=self.child_opts(region, depends_on=[version, writer, rotator]))
        return secret.arn

    def _rotation_function(self) -> tuple[pulumi.Output[str], aws.serverlessrepository.CloudFormationStack]:
        """AWS's single-user MySQL rotation function, in the private subnets (NAT or endpoint to Secrets Manager),
        allowed to reach the cluster on 3306 and nothing else inside the VPC."""
        account, region, args = self.account, self.region, self.args
        child = self.child_opts(region)
        sg = aws.ec2.SecurityGroup(
            self.child_name("aurora-rotation-sg", region), vpc_id=args.vpc.vpc_id,
            description=f"Secrets rotation of {self.identifier}: MySQL to the cluster, HTTPS to Secrets Manager",
            egress=[{"description": "Secrets Manager API (endpoint or NAT)", "protocol": "tcp", "from_port": 443,
                     "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]},
                    {"description": "MySQL to the Aurora cluster", "protocol": "tcp", "from_port": PORT,
                     "to_port": PORT, "security_groups": [self.security_group.id]}],
            opts=child)
        self._ingress(region, self.security_group, "aurora-from-rotation", sg.id,
                      "MySQL from the master-secret rotation function")
        function_name = f"{self.identifier}-rotation"[:64]
        subnets = pulumi.Output.all(*args.vpc.subnet_ids["private"]).apply(",".join)
        stack = aws.serverlessrepository.CloudFormationStack(
            self.child_name("aurora-rotation", region),
            name=function_name,
            application_id=ROTATION_APPLICATION,
            semantic_version=ROTATION_APPLICATION_VERSION,
            capabilities=["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"],
            parameters={"functionName": function_name, "endpoint": f"https://secretsmanager.{region}.amazonaws.com",
                        "vpcSubnetIds": subnets, "vpcSecurityGroupIds": sg.id, "kmsKeyArn": args.data_key_arn},
            opts=child)
        partition = lookup(aws.get_partition_output, account=account, region=region, parent=self)
        arn = pulumi.Output.all(partition.partition, account.account_id, stack.id).apply(
            lambda a: f"arn:{a[0]}:lambda:{region}:{a[1]}:function:{function_name}")
        return arn, stack

    def _dr_secondary(self, global_cluster: aws.rds.GlobalCluster,
                      writer: aws.rds.ClusterInstance) -> pulumi.Output[str]:
        account, config, args = self.account, self.args.config, self.args
        dr_vpc = args.dr_vpc
        region = dr_vpc.region
        child = self.child_opts(region)
        # Nothing runs against the secondary until a failover promotes it: its SG admits nothing yet.
        sg = self._security_group(region, dr_vpc, None)
        subnet_group = aws.rds.SubnetGroup(
            self.child_name("aurora-subnets", region),
            subnet_ids=dr_vpc.subnet_ids["data"],
            description="Aurora global database secondary in the data tier",
            opts=child,
        )
        identifier = self.child_name("aurora", region)
        secondary = aws.rds.Cluster(
            self.child_name("aurora-cluster", region),
            cluster_identifier=identifier,
            engine="aurora-mysql",
            engine_version=config.engine_version,
            global_cluster_identifier=global_cluster.id,  # no master credentials: they come from the primary
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[sg.id],
            db_cluster_parameter_group_name=self._parameter_group(region).name,
            **durable_cluster_args(config, account.environment, identifier, args.dr_data_key_arn),
            # a global database accepts a secondary once the primary has a writer; RDS then reports the primary as
            # the secondary's replication source, which the program must not try to undo
            opts=self.child_opts(region, protect=True, depends_on=[self.cluster, writer],
                              ignore_changes=["replicationSourceIdentifier"]),
        )
        self._instances(region, secondary, identifier, args.dr_data_key_arn, 1)
        return secondary.arn


# --- the piece ------------------------------------------------------------------------------------------------------


def build(ctx: BuildContext, config: Aurora) -> AuroraCluster:
    """With a global-database secondary in the DR region when the account wants one and has a VPC there."""

    with_dr = dr_wanted(ctx.cfg, ctx.account.config, ctx.account.regions)[0] and ctx.dr_vpc is not None
    return AuroraCluster(ctx.name("aurora-db"), AuroraArgs(
        account=ctx.account, region=ctx.region, config=config, vpc=ctx.vpc,
        app_security_group_id=ctx.app_security_group_id, data_key_arn=ctx.keys["data"],
        dr_vpc=ctx.dr_vpc if with_dr else None, dr_data_key_arn=ctx.dr_keys.get("data") if with_dr else None,
        generator=ctx.management), ctx.opts)


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
