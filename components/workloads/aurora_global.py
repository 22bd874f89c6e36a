"""Aurora's disaster recovery: a global database (the primary in the home region, a secondary cluster in the DR
region) and the master secret that a global database needs, replicated to the DR region and rotated.

RDS does not support managed master passwords on global databases (Aurora User Guide, "Limitations for Secrets
Manager integration"), so the master secret is a Secrets Manager secret encrypted with the data CMK and replicated to
the DR region (CMK there), rotated every 30 days by AWS's SecretsManagerRDSMySQLRotationSingleUser function
(Serverless Application Repository) in the VPC. The bootstrap password comes from Secrets Manager's generator into
write-only arguments (Pulumi keeps a write-only input only as an encrypted secret in state) and the first rotation
runs at once, so that copy is dead before anyone can use it.

Every resource here is a child of the AuroraCluster component (components/workloads/aurora.py), which calls these
functions only when the account wants a DR replica.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from components.lookups import lookup
from landing_zone.ports import AURORA_PORT

if TYPE_CHECKING:
    from components.workloads.aurora import AuroraCluster

PORT = AURORA_PORT
MASTER_USERNAME = "lzadmin"
ROTATION_DAYS = 30
ROTATION_APPLICATION = ("arn:aws:serverlessrepo:us-east-1:297356227824:applications/"
                        "SecretsManagerRDSMySQLRotationSingleUser")  # AWS's own rotation template (public app)
# Pinned, so a deploy never picks up a new template unreviewed: the version aws-cdk's SecretRotationApplication
# MYSQL_ROTATION_SINGLE_USER pins (aws-cdk-lib, aws-secretsmanager/lib/secret-rotation.ts). Its parameters
# (functionName, endpoint, vpcSubnetIds, vpcSecurityGroupIds, kmsKeyArn) are the ones aws-cdk passes.
ROTATION_APPLICATION_VERSION = "1.1.671"


def master_secret(host: str, password: str, database: str, identifier: str) -> str:
    """The secret shape the RDS MySQL rotation function expects."""
    return json.dumps({"engine": "mysql", "host": host, "port": PORT, "username": MASTER_USERNAME, "password": password,
                       "dbname": database, "dbClusterIdentifier": identifier})


def global_cluster(aurora: AuroraCluster) -> aws.rds.GlobalCluster:
    config = aurora.args.config
    return aws.rds.GlobalCluster(
        aurora.child_name("aurora-global"),
        global_cluster_identifier=f"{aurora.identifier}-global",
        engine="aurora-mysql",
        engine_version=config.engine_version,
        database_name=config.database_name,
        storage_encrypted=True,
        deletion_protection=True,
        opts=aurora.child_opts(protect=True))


def bootstrap_password(aurora: AuroraCluster) -> pulumi.Output[str]:
    """Secrets Manager's generator, through an account that exists before the run when one is given."""
    # one purpose per cluster: lookups through one provider with one purpose are made once and shared
    generated = lookup(aws.secretsmanager.get_random_password_output,
                       account=aurora.args.generator or aurora.account, region=aurora.region, parent=aurora,
                       purpose=f"{aurora.account.name}-aurora-password", password_length=40,
                       exclude_punctuation=True, require_each_included_type=True)
    return pulumi.Output.secret(generated.random_password)


def rotated_master_secret(aurora: AuroraCluster, password: pulumi.Output[str],
                          writer: aws.rds.ClusterInstance) -> pulumi.Output[str]:
    """The master secret: data CMK, replicated to the DR region with the DR CMK, rotated now and every 30 days."""
    region, args = aurora.region, aurora.args
    child = aurora.child_opts(region)
    secret = aws.secretsmanager.Secret(
        aurora.child_name("aurora-master-secret", region),
        name=f"{aurora.identifier}/master",
        description=f"Master user of the Aurora global database {aurora.identifier}",
        kms_key_id=args.data_key_arn,
        # the DR key is made through the DR-region provider, so the replica waits for what that region needs
        replicas=[aws.secretsmanager.SecretReplicaArgs(region=args.dr_vpc.region, kms_key_id=args.dr_data_key_arn)],
        recovery_window_in_days=30,
        opts=child)
    version = aws.secretsmanager.SecretVersion(
        aurora.child_name("aurora-master-secret-value", region),
        secret_id=secret.id,
        secret_string_wo=pulumi.Output.secret(pulumi.Output.all(aurora.cluster.endpoint, password).apply(
            lambda a: master_secret(a[0], a[1], args.config.database_name, aurora.identifier))),
        secret_string_wo_version=1,
        opts=child)
    rotator_arn, rotator = _rotation_function(aurora)
    aws.secretsmanager.SecretRotation(
        aurora.child_name("aurora-master-rotation", region),
        secret_id=secret.id,
        rotation_lambda_arn=rotator_arn,
        rotation_rules=aws.secretsmanager.SecretRotationRotationRulesArgs(automatically_after_days=ROTATION_DAYS),
        rotate_immediately=True,  # the bootstrap password (kept encrypted in state) is dead after this
        # the first rotation reads the version and logs in to the writer: both must exist
        opts=aurora.child_opts(region, depends_on=[version, writer, rotator]))
    return secret.arn


def _rotation_function(aurora: AuroraCluster) -> tuple[pulumi.Output[str], aws.serverlessrepository.CloudFormationStack]:
    """AWS's single-user MySQL rotation function, in the private subnets (NAT or endpoint to Secrets Manager),
    allowed to reach the cluster on 3306 and nothing else inside the VPC."""
    account, region, args = aurora.account, aurora.region, aurora.args
    child = aurora.child_opts(region)
    sg = aws.ec2.SecurityGroup(
        aurora.child_name("aurora-rotation-sg", region), vpc_id=args.vpc.vpc_id,
        description=f"Secrets rotation of {aurora.identifier}: MySQL to the cluster, HTTPS to Secrets Manager",
        egress=[{"description": "Secrets Manager API (endpoint or NAT)", "protocol": "tcp", "from_port": 443,
                 "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]},
                {"description": "MySQL to the Aurora cluster", "protocol": "tcp", "from_port": PORT,
                 "to_port": PORT, "security_groups": [aurora.security_group.id]}],
        opts=child)
    aurora.admit(region, aurora.security_group, "aurora-from-rotation", sg.id,
                 "MySQL from the master-secret rotation function")
    function_name = f"{aurora.identifier}-rotation"[:64]
    subnets = pulumi.Output.all(*args.vpc.subnet_ids["private"]).apply(",".join)
    stack = aws.serverlessrepository.CloudFormationStack(
        aurora.child_name("aurora-rotation", region),
        name=function_name,
        application_id=ROTATION_APPLICATION,
        semantic_version=ROTATION_APPLICATION_VERSION,
        capabilities=["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"],
        parameters={"functionName": function_name, "endpoint": f"https://secretsmanager.{region}.amazonaws.com",
                    "vpcSubnetIds": subnets, "vpcSecurityGroupIds": sg.id, "kmsKeyArn": args.data_key_arn},
        opts=child)
    partition = lookup(aws.get_partition_output, account=account, region=region, parent=aurora)
    arn = pulumi.Output.all(partition.partition, account.account_id, stack.id).apply(
        lambda a: f"arn:{a[0]}:lambda:{region}:{a[1]}:function:{function_name}")
    return arn, stack


def dr_secondary(aurora: AuroraCluster, global_db: aws.rds.GlobalCluster,
                 writer: aws.rds.ClusterInstance) -> pulumi.Output[str]:
    """The secondary cluster in the DR region (one instance), joined to the global database after the writer."""
    from components.workloads.aurora import durable_cluster_args  # aurora.py imports this module

    account, args = aurora.account, aurora.args
    config, dr_vpc = args.config, args.dr_vpc
    region = dr_vpc.region
    child = aurora.child_opts(region)
    # Nothing runs against the secondary until a failover promotes it: its SG admits nothing yet.
    sg = aurora.data_security_group(region, dr_vpc, None)
    subnet_group = aws.rds.SubnetGroup(
        aurora.child_name("aurora-subnets", region),
        subnet_ids=dr_vpc.subnet_ids["data"],
        description="Aurora global database secondary in the data tier",
        opts=child,
    )
    identifier = aurora.child_name("aurora", region)
    secondary = aws.rds.Cluster(
        aurora.child_name("aurora-cluster", region),
        cluster_identifier=identifier,
        engine="aurora-mysql",
        engine_version=config.engine_version,
        global_cluster_identifier=global_db.id,  # no master credentials: they come from the primary
        db_subnet_group_name=subnet_group.name,
        vpc_security_group_ids=[sg.id],
        db_cluster_parameter_group_name=aurora.parameter_group(region).name,
        **durable_cluster_args(config, account.environment, identifier, args.dr_data_key_arn),
        # a global database accepts a secondary once the primary has a writer; RDS then reports the primary as
        # the secondary's replication source, which the program must not try to undo
        opts=aurora.child_opts(region, protect=True, depends_on=[aurora.cluster, writer],
                               ignore_changes=["replicationSourceIdentifier"]),
    )
    aurora.instances(region, secondary, identifier, args.dr_data_key_arn, 1)
    return secondary.arn
