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

Disaster recovery (RedisArgs.dr_region, for pilot-light and warm-standby accounts whose Redis is not rebuilt empty):
this group becomes the primary of an ElastiCache global datastore (created after it, from its id), the AUTH secret is
replicated to the DR region under the DR data key, and the rotation function sets each new token on the DR secondary
too. The secondary itself is built in the DR region's context (components/workloads/cache_global.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from components.base import AccountArgs, AccountComponent
from components.context import AccountContext, VpcHandle
from components.lookups import lookup
from components.workloads.alarms import AlarmSpec, Watch
from components.workloads.registry import BuildContext, Piece
from landing_zone.models import Redis
from landing_zone.ports import REDIS_PORT

PORT = REDIS_PORT
ENGINE_VERSION = "7.1"
TOKEN_LENGTH = 64
ROTATION_DAYS = 30  # DAT-07: at most 90
ROTATION_CODE = Path(__file__).with_name("redis_rotation.py")
LAMBDA_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]}


@dataclass(frozen=True, kw_only=True)
class RedisPlacementArgs(AccountArgs):
    """Where a replication group lives and who reaches it: the data tier of `vpc`, the app tier's SG, the data CMK."""

    config: Redis
    vpc: VpcHandle
    app_security_group_id: pulumi.Input[str]
    data_key_arn: pulumi.Input[str]


def group_settings(component: AccountComponent, args: RedisPlacementArgs, auth_token: pulumi.Input[str] | None,
                   sg: aws.ec2.SecurityGroup, subnet_group: aws.elasticache.SubnetGroup) -> dict:
    """What a replication group and its global-datastore secondary share: id, placement, failover, snapshots and
    maintenance windows; and the AUTH token (rotated by the function, so later changes are ignored) where it is
    set: the primary's (None for a secondary, which takes AUTH and TLS from the global datastore)."""
    failover = args.config.replicas > 0
    auth = dict(auth_token=auth_token, auth_token_update_strategy="ROTATE") if auth_token is not None else {}
    return dict(
        replication_group_id=group_id(component.account, component.region), port=PORT,
        automatic_failover_enabled=failover, multi_az_enabled=failover, kms_key_id=args.data_key_arn, **auth,
        subnet_group_name=subnet_group.name, security_group_ids=[sg.id],
        snapshot_retention_limit=args.config.snapshot_retention_days, snapshot_window="19:00-20:00",
        maintenance_window="sun:20:30-sun:21:30", apply_immediately=False,
        opts=component.child_opts(ignore_changes=["authToken"]),
    )


@dataclass(frozen=True, kw_only=True)
class RedisArgs(RedisPlacementArgs):
    logs_key_arn: pulumi.Input[str] | None = None  # the rotation function's log group
    log_retention_days: int = 365
    # DR: the primary of a global datastore, its secret replicated to dr_region under dr_data_key_arn
    dr_region: str | None = None
    dr_data_key_arn: pulumi.Input[str] | None = None


def group_id(account: AccountContext, region: str) -> str:
    """The replication group id of the account's Redis in `region` (ElastiCache allows 40 characters)."""
    return account.resource_name(region, "redis")[:40]


def auth_token(account: AccountContext, region: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    """A fresh token (letters and digits only: ElastiCache rejects some punctuation), as a secret."""
    generated = lookup(aws.secretsmanager.get_random_password_output, account=account, region=region, parent=parent,
                       purpose="redis-auth-token",
                       password_length=TOKEN_LENGTH, exclude_punctuation=True, include_space=False)
    return pulumi.Output.secret(generated.random_password)


def data_tier(component: AccountComponent, vpc: VpcHandle,
              app_security_group_id: pulumi.Input[str]) -> tuple[aws.ec2.SecurityGroup, aws.elasticache.SubnetGroup]:
    """A Redis group's security group (6379 from the application tier only) and subnet group (data subnets)."""
    child = component.child_opts()
    sg = aws.ec2.SecurityGroup(
        component.child_name("redis-sg"),
        vpc_id=vpc.vpc_id,
        description=f"Redis of {component.account.name}: {PORT} from the application tier only",
        opts=child,
    )
    aws.ec2.SecurityGroupRule(
        component.child_name("redis-from-app"),
        type="ingress",
        security_group_id=sg.id,
        source_security_group_id=app_security_group_id,
        protocol="tcp", from_port=PORT, to_port=PORT,
        description="Redis (TLS) from the application tier (ECS tasks / EKS nodes)",
        opts=child,
    )
    subnet_group = aws.elasticache.SubnetGroup(
        component.child_name("redis-subnets"),
        name=component.child_name("redis"),
        subnet_ids=vpc.subnet_ids["data"],
        description="Redis in the data tier",
        opts=child,
    )
    return sg, subnet_group


class RedisCache(AccountComponent[RedisArgs]):
    """Attributes: replication_group_id, primary_endpoint, reader_endpoint, port, auth_secret_arn, security_group_id;
    with DR: global_datastore_id and auth_token (a secret: the DR secondary starts with it)."""

    TOKEN = "workloads:RedisCache"
    global_datastore_id: pulumi.Output[str] | None = None

    def __init__(self, name: str, args: RedisArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        account, region, config = args.account, args.region, args.config
        child = self.child_opts()
        sg, subnet_group = data_tier(self, args.vpc, args.app_security_group_id)
        token = auth_token(account, region, self)
        replicas = [{"region": args.dr_region, "kms_key_id": args.dr_data_key_arn}] if args.dr_region else None
        secret = aws.secretsmanager.Secret(
            self.child_name("redis-auth"),
            name=f"landing-zone/{self.child_name('redis')}/auth-token",
            description="AUTH token of the Redis replication group",
            kms_key_id=args.data_key_arn,
            replicas=replicas,  # DR: the apps there read the same name in their region
            recovery_window_in_days=30,
            opts=child,
        )
        aws.secretsmanager.SecretVersion(
            self.child_name("redis-auth-value"),
            secret_id=secret.id,
            secret_string=token,
            opts=self.child_opts(ignore_changes=["secretString"]),
        )
        group = aws.elasticache.ReplicationGroup(
            self.child_name("redis"),
            description=f"Redis of {account.name}",
            engine="redis",
            engine_version=ENGINE_VERSION,
            node_type=config.node_type,
            num_cache_clusters=1 + config.replicas,
            at_rest_encryption_enabled="true",
            transit_encryption_enabled=True,
            auto_minor_version_upgrade="true",
            **group_settings(self, args, token, sg, subnet_group),
        )
        if args.dr_region:
            # AWS reads the primary's settings when the datastore is created: it waits for the group (its id)
            self.global_datastore_id = aws.elasticache.GlobalReplicationGroup(
                self.child_name("redis-global"),
                global_replication_group_id_suffix=self.child_name("redis"),
                primary_replication_group_id=group.id,
                global_replication_group_description=f"Redis of {account.name}, replicated to {args.dr_region}",
                opts=child).global_replication_group_id
        self.auth_token = token
        self._rotation(account, region, secret, group, args)
        self.replication_group_id = group.id
        self.primary_endpoint = group.primary_endpoint_address
        self.reader_endpoint = group.reader_endpoint_address
        self.port = PORT
        self.auth_secret_arn = secret.arn
        self.security_group_id = sg.id
        self.register_outputs({"primaryEndpoint": self.primary_endpoint, "authSecretArn": self.auth_secret_arn})

    def _rotation(self, account: AccountContext, region: str, secret: aws.secretsmanager.Secret,
                  group: aws.elasticache.ReplicationGroup, args: RedisArgs) -> None:
        """The rotation function (only this secret, only this group) and the secret's rotation schedule."""
        child = self.child_opts()
        role = aws.iam.Role(self.child_name("redis-rotation"), description="Rotates the Redis AUTH token",
                            assume_role_policy=pulumi.Output.json_dumps(LAMBDA_TRUST), opts=child)
        log_group = aws.cloudwatch.LogGroup(
            self.child_name("redis-rotation-logs"),
            name=f"/aws/lambda/{self.child_name('redis-rotation')}",
            kms_key_id=args.logs_key_arn, retention_in_days=args.log_retention_days, opts=child)
        groups: list[pulumi.Input[str]] = [group.arn]
        variables: dict[str, pulumi.Input[str]] = {"REPLICATION_GROUP_ID": group.id}
        if args.dr_region:  # the secondary is built later, in the DR region's context: its ARN from its fixed id
            dr_id = group_id(account, args.dr_region)
            partition = lookup(aws.get_partition_output, account=account, region=region, parent=self)
            groups.append(pulumi.Output.concat("arn:", partition.partition, ":elasticache:", args.dr_region, ":",
                                               account.account_id, ":replicationgroup:", dr_id))
            variables.update(DR_REPLICATION_GROUP_ID=dr_id, DR_REGION=args.dr_region)
        policy = aws.iam.RolePolicy(
            self.child_name("redis-rotation"), role=role.id, opts=child,
            policy=rotation_policy(secret.arn, groups, args.data_key_arn, log_group.arn, region))
        function = aws.lambda_.Function(
            self.child_name("redis-rotation"),
            name=self.child_name("redis-rotation"),
            description=f"Rotates the AUTH token of {account.name}'s Redis every {ROTATION_DAYS} days",
            runtime="python3.12", handler="index.handler", role=role.arn, timeout=900,  # waits for the group
            code=pulumi.AssetArchive({"index.py": pulumi.FileAsset(str(ROTATION_CODE))}),
            environment={"variables": variables},
            logging_config={"log_format": "JSON", "log_group": log_group.name},
            opts=self.child_opts(depends_on=[log_group, policy]))
        permission = aws.lambda_.Permission(
            self.child_name("redis-rotation-invoke"), action="lambda:InvokeFunction",
            function=function.name, principal="secretsmanager.amazonaws.com",
            source_arn=secret.arn, source_account=account.account_id, opts=child)  # only for this secret
        aws.secretsmanager.SecretRotation(
            self.child_name("redis-auth-rotation"), secret_id=secret.id,
            rotation_lambda_arn=function.arn, rotation_rules={"automatically_after_days": ROTATION_DAYS},
            rotate_immediately=False,  # the token is fresh: the first rotation runs on schedule
            opts=self.child_opts(depends_on=[permission, group]))


def rotation_policy(secret_arn: pulumi.Input[str], group_arns: list[pulumi.Input[str]], key_arn: pulumi.Input[str],
                    log_group_arn: pulumi.Input[str], region: str) -> pulumi.Output[str]:
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "OwnLogs", "Effect": "Allow", "Resource": pulumi.Output.concat(log_group_arn, ":*"),
         "Action": ["logs:CreateLogStream", "logs:PutLogEvents"]},
        {"Sid": "RotateThisSecret", "Effect": "Allow", "Resource": secret_arn, "Action": [
            "secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue",
            "secretsmanager:UpdateSecretVersionStage"]},
        # no resource type: a random string, nothing read
        {"Sid": "GenerateToken", "Effect": "Allow", "Action": "secretsmanager:GetRandomPassword", "Resource": "*"},
        {"Sid": "SetTokenOnThisGroup", "Effect": "Allow", "Resource": group_arns[0] if len(group_arns) == 1 else group_arns,
         "Action": ["elasticache:DescribeReplicationGroups", "elasticache:ModifyReplicationGroup"]},
        {"Sid": "SecretKey", "Effect": "Allow", "Resource": key_arn, "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
         "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}}},
    ]})


# --- the piece ------------------------------------------------------------------------------------------------------


def build(ctx: BuildContext, config: Redis) -> RedisCache:
    dr = ctx.args.dr_region if ctx.args.redis_dr else None
    return RedisCache(ctx.name("redis-cache"), RedisArgs(
        account=ctx.account, region=ctx.region, config=config, vpc=ctx.vpc,
        app_security_group_id=ctx.app_security_group_id, data_key_arn=ctx.keys["data"],
        logs_key_arn=ctx.keys["logs"], log_retention_days=ctx.log_retention_days,
        dr_region=dr, dr_data_key_arn=ctx.dr_keys["data"] if dr else None), ctx.opts)


def watch(_: BuildContext, redis: RedisCache) -> Watch:
    return Watch(alarms=(AlarmSpec("redis-cpu", "AWS/ElastiCache", "EngineCPUUtilization",
                                   {"ReplicationGroupId": redis.replication_group_id}, 80, description="Redis CPU"),))


PIECE = Piece(
    name="redis", field="redis", build=build, watch=watch,
    outputs=lambda redis: {"redisEndpoint": redis.primary_endpoint, "redisAuthSecretArn": redis.auth_secret_arn},
    contract=lambda redis: {"redis": {"endpoint": redis.primary_endpoint, "port": redis.port,
                                      "auth_secret_arn": redis.auth_secret_arn}},
)
