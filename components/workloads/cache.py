"""ElastiCache Redis: encrypted at rest (CMK) and in transit, AUTH token from Secrets Manager, multi-AZ failover.

Security properties (EAR-04, EIT-04, DAT-03, X-04): at-rest encryption with the data CMK, TLS in transit with an
AUTH token, automatic failover and multi-AZ whenever there is a replica, snapshots kept, data-tier subnets and a
security group admitting 6379 only from the application security group.

The AUTH token: there is no random provider in this project, so it comes from Secrets Manager's own generator
(`secretsmanager:GetRandomPassword`, an invoke) and is stored in a CMK-encrypted secret the apps read. An invoke
answers anew on every run, so the token is set at creation and then ignored (`ignore_changes`) on both the secret
version and the replication group: `pulumi up` never changes it. It stays a secret output throughout.

Rotation (DAT-07): Secrets Manager rotates the secret every ROTATION_DAYS with a rotation function of this component
(components/workloads/redis_rotation.py, the pattern of AWS's sample aws-samples/amazon-elasticache-auth-rbac-rotation):
it writes a new token to the secret as AWSPENDING, sets it on the replication group with the ROTATE strategy (the
previous token stays valid beside it, so running clients keep working), waits for the group, then promotes it to
AWSCURRENT. Apps read AWSCURRENT and reconnect with it on an authentication error. The function may change only this
secret and this replication group; Secrets Manager may invoke it only for this secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from components.context import AccountContext, VpcHandle
from components.lookups import lookup
from landing_zone.models import Redis

PORT = 6379
SNAPSHOT_DAYS = 7
ENGINE_VERSION = "7.1"
TOKEN_LENGTH = 64
ROTATION_DAYS = 30  # DAT-07: at most 90
ROTATION_CODE = Path(__file__).with_name("redis_rotation.py")
LAMBDA_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]}


@dataclass(frozen=True)
class CacheInputs:
    vpc: VpcHandle
    app_security_group_id: pulumi.Input[str]
    data_key_arn: pulumi.Input[str]
    logs_key_arn: pulumi.Input[str] | None = None  # the rotation function's log group
    log_retention_days: int = 365


def auth_token(account: AccountContext, region: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    """A fresh token (letters and digits only: ElastiCache rejects some punctuation), as a secret."""
    generated = lookup(aws.secretsmanager.get_random_password_output, account=account, region=region, parent=parent,
                       purpose="redis-auth-token",
                       password_length=TOKEN_LENGTH, exclude_punctuation=True, include_space=False)
    return pulumi.Output.secret(generated.random_password)


class RedisCache(pulumi.ComponentResource):
    """Attributes: replication_group_id, primary_endpoint, reader_endpoint, port, auth_secret_arn, security_group_id."""

    def __init__(self, name: str, *, account: AccountContext, region: str, config: Redis, inputs: CacheInputs,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("landing-zone:workloads:RedisCache", name, None, opts)
        child = account.opts(region, parent=self)
        sg = aws.ec2.SecurityGroup(
            account.resource_name(region, "redis-sg"),
            vpc_id=inputs.vpc.vpc_id,
            description=f"Redis of {account.name}: {PORT} from the application tier only",
            opts=child,
        )
        aws.ec2.SecurityGroupRule(
            account.resource_name(region, "redis-from-app"),
            type="ingress",
            security_group_id=sg.id,
            source_security_group_id=inputs.app_security_group_id,
            protocol="tcp", from_port=PORT, to_port=PORT,
            description="Redis (TLS) from the application tier (ECS tasks / EKS nodes)",
            opts=child,
        )
        subnet_group = aws.elasticache.SubnetGroup(
            account.resource_name(region, "redis-subnets"),
            name=account.resource_name(region, "redis"),
            subnet_ids=inputs.vpc.subnet_ids["data"],
            description="Redis in the data tier",
            opts=child,
        )
        token = auth_token(account, region, self)
        secret = aws.secretsmanager.Secret(
            account.resource_name(region, "redis-auth"),
            name=f"landing-zone/{account.resource_name(region, 'redis')}/auth-token",
            description="AUTH token of the Redis replication group",
            kms_key_id=inputs.data_key_arn,
            recovery_window_in_days=30,
            opts=child,
        )
        aws.secretsmanager.SecretVersion(
            account.resource_name(region, "redis-auth-value"),
            secret_id=secret.id,
            secret_string=token,
            opts=account.opts(region, parent=self, ignore_changes=["secretString"]),
        )
        failover = config.replicas > 0
        group = aws.elasticache.ReplicationGroup(
            account.resource_name(region, "redis"),
            replication_group_id=account.resource_name(region, "redis")[:40],
            description=f"Redis of {account.name}",
            engine="redis",
            engine_version=ENGINE_VERSION,
            node_type=config.node_type,
            num_cache_clusters=1 + config.replicas,
            port=PORT,
            automatic_failover_enabled=failover,
            multi_az_enabled=failover,
            at_rest_encryption_enabled="true",
            kms_key_id=inputs.data_key_arn,
            transit_encryption_enabled=True,
            auth_token=token,
            auth_token_update_strategy="ROTATE",
            subnet_group_name=subnet_group.name,
            security_group_ids=[sg.id],
            snapshot_retention_limit=SNAPSHOT_DAYS,
            snapshot_window="19:00-20:00",
            maintenance_window="sun:20:30-sun:21:30",
            auto_minor_version_upgrade="true",
            apply_immediately=False,
            opts=account.opts(region, parent=self, ignore_changes=["authToken"]),
        )
        self._rotation(account, region, secret, group, inputs)
        self.replication_group_id = group.id
        self.primary_endpoint = group.primary_endpoint_address
        self.reader_endpoint = group.reader_endpoint_address
        self.port = PORT
        self.auth_secret_arn = secret.arn
        self.security_group_id = sg.id
        self.register_outputs({"primaryEndpoint": self.primary_endpoint, "authSecretArn": self.auth_secret_arn})

    def _rotation(self, account: AccountContext, region: str, secret: aws.secretsmanager.Secret,
                  group: aws.elasticache.ReplicationGroup, inputs: CacheInputs) -> None:
        """The rotation function (only this secret, only this group) and the secret's rotation schedule."""
        child = account.opts(region, parent=self)
        role = aws.iam.Role(account.resource_name(region, "redis-rotation"), description="Rotates the Redis AUTH token",
                            assume_role_policy=pulumi.Output.json_dumps(LAMBDA_TRUST), opts=child)
        log_group = aws.cloudwatch.LogGroup(
            account.resource_name(region, "redis-rotation-logs"),
            name=f"/aws/lambda/{account.resource_name(region, 'redis-rotation')}",
            kms_key_id=inputs.logs_key_arn, retention_in_days=inputs.log_retention_days, opts=child)
        policy = aws.iam.RolePolicy(
            account.resource_name(region, "redis-rotation"), role=role.id, opts=child,
            policy=rotation_policy(secret.arn, group.arn, inputs.data_key_arn, log_group.arn, region))
        function = aws.lambda_.Function(
            account.resource_name(region, "redis-rotation"),
            name=account.resource_name(region, "redis-rotation"),
            description=f"Rotates the AUTH token of {account.name}'s Redis every {ROTATION_DAYS} days",
            runtime="python3.12", handler="index.handler", role=role.arn, timeout=900,  # waits for the group
            code=pulumi.AssetArchive({"index.py": pulumi.FileAsset(str(ROTATION_CODE))}),
            environment={"variables": {"REPLICATION_GROUP_ID": group.id}},
            logging_config={"log_format": "JSON", "log_group": log_group.name},
            opts=account.opts(region, parent=self, depends_on=[log_group, policy]))
        permission = aws.lambda_.Permission(
            account.resource_name(region, "redis-rotation-invoke"), action="lambda:InvokeFunction",
            function=function.name, principal="secretsmanager.amazonaws.com",
            source_arn=secret.arn, source_account=account.account_id, opts=child)  # only for this secret
        aws.secretsmanager.SecretRotation(
            account.resource_name(region, "redis-auth-rotation"), secret_id=secret.id,
            rotation_lambda_arn=function.arn, rotation_rules={"automatically_after_days": ROTATION_DAYS},
            rotate_immediately=False,  # the token is fresh: the first rotation runs on schedule
            opts=account.opts(region, parent=self, depends_on=[permission, group]))


def rotation_policy(secret_arn: pulumi.Input[str], group_arn: pulumi.Input[str], key_arn: pulumi.Input[str],
                    log_group_arn: pulumi.Input[str], region: str) -> pulumi.Output[str]:
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "OwnLogs", "Effect": "Allow", "Resource": pulumi.Output.concat(log_group_arn, ":*"),
         "Action": ["logs:CreateLogStream", "logs:PutLogEvents"]},
        {"Sid": "RotateThisSecret", "Effect": "Allow", "Resource": secret_arn, "Action": [
            "secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue",
            "secretsmanager:UpdateSecretVersionStage"]},
        # no resource type: a random string, nothing read
        {"Sid": "GenerateToken", "Effect": "Allow", "Action": "secretsmanager:GetRandomPassword", "Resource": "*"},
        {"Sid": "SetTokenOnThisGroup", "Effect": "Allow", "Resource": group_arn,
         "Action": ["elasticache:DescribeReplicationGroups", "elasticache:ModifyReplicationGroup"]},
        {"Sid": "SecretKey", "Effect": "Allow", "Resource": key_arn, "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
         "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}}},
    ]})
