"""ElastiCache Redis: encrypted at rest (CMK) and in transit, AUTH token from Secrets Manager, multi-AZ failover.

Security properties (EAR-04, EIT-04, DAT-03, X-04): at-rest encryption with the data CMK, TLS in transit with an
AUTH token, automatic failover and multi-AZ whenever there is a replica, snapshots kept, data-tier subnets and a
security group admitting 6379 only from the application security group.

The AUTH token: there is no random provider in this project, so it comes from Secrets Manager's own generator
(`secretsmanager:GetRandomPassword`, an invoke) and is stored in a CMK-encrypted secret the apps read. An invoke
answers anew on every run, so the token is set at creation and then ignored (`ignore_changes`) on both the secret
version and the replication group: rotating it is a deliberate operation (ElastiCache's ROTATE strategy), not a
side effect of `pulumi up`. It stays a secret output throughout.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.context import AccountContext, VpcHandle
from components.lookups import lookup
from landing_zone.models import Redis

PORT = 6379
SNAPSHOT_DAYS = 7
ENGINE_VERSION = "7.1"
TOKEN_LENGTH = 64


@dataclass(frozen=True)
class CacheInputs:
    vpc: VpcHandle
    app_security_group_id: pulumi.Input[str]
    data_key_arn: pulumi.Input[str]


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
        self.replication_group_id = group.id
        self.primary_endpoint = group.primary_endpoint_address
        self.reader_endpoint = group.reader_endpoint_address
        self.port = PORT
        self.auth_secret_arn = secret.arn
        self.security_group_id = sg.id
        self.register_outputs({"primaryEndpoint": self.primary_endpoint, "authSecretArn": self.auth_secret_arn})
