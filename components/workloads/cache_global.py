"""Redis's disaster recovery: the secondary of the account's ElastiCache global datastore, in the DR region.

The home RedisCache (cache.py) is the datastore's primary and creates the GlobalReplicationGroup from it; this
component, built in the DR region's context (components/workloads/__init__.DR_PIECES), joins a replication group
there to it: data subnets of the DR VPC, 6379 from the DR application tier only, encrypted with the DR data key.

What AWS decides for a secondary (ElastiCache User Guide, "Global datastores: prerequisites and limitations"; the
provider refuses these arguments beside global_replication_group_id): engine, engine version, node type, parameter
group, at-rest and in-transit encryption are the global datastore's, taken from the primary, so they are not set
here; the secondary inherits the primary's Multi-AZ and automatic failover, which need at least two nodes.

AUTH is the datastore's too (GlobalReplicationGroup.AuthTokenEnabled, beside TransitEncryptionEnabled), so no
`auth_token` either: pulumi-aws documents auth_token as "can be specified only if transit_encryption_enabled = true",
and refuses transit_encryption_enabled beside global_replication_group_id, while its create call still passes an
AuthToken on to CreateReplicationGroup, which takes one only "on replication groups where TransitEncryptionEnabled is
true" (ElastiCache API Reference). DEP-04 fails any secondary that sets one. Clients in the DR region use the
primary's token (its secret is replicated there).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountComponent
from components.workloads.cache import RedisCache, RedisPlacementArgs, data_tier, group_settings
from components.workloads.cache import watch as cache_watch
from components.workloads.registry import BuildContext, Piece
from landing_zone.models import Redis


@dataclass(frozen=True, kw_only=True)
class RedisSecondaryArgs(RedisPlacementArgs):
    """region: the DR region."""

    global_datastore_id: pulumi.Input[str]


class RedisSecondary(AccountComponent[RedisSecondaryArgs]):
    """Attributes: replication_group_id, primary_endpoint (read-only until promoted), security_group_id."""

    TOKEN = "workloads:RedisSecondary"

    def __init__(self, name: str, args: RedisSecondaryArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        sg, subnet_group = data_tier(self, args.vpc, args.app_security_group_id)
        failover = args.config.replicas > 0  # inherited from the primary: then it needs a replica too
        group = aws.elasticache.ReplicationGroup(
            self.child_name("redis"),
            description=f"Redis of {self.account.name}: global datastore secondary",
            global_replication_group_id=args.global_datastore_id,  # joins after the datastore exists
            num_cache_clusters=2 if failover else 1,
            **group_settings(self, args, None, sg, subnet_group),  # AUTH and TLS: the datastore's
        )
        self.replication_group_id = group.id
        self.primary_endpoint = group.primary_endpoint_address
        self.security_group_id = sg.id
        self.register_outputs({"primaryEndpoint": self.primary_endpoint})


# --- the DR piece ---------------------------------------------------------------------------------------------------


def build(ctx: BuildContext, config: Redis) -> RedisSecondary | None:
    """In the DR context: the secondary of the home cache's global datastore (none when Redis is rebuilt empty)."""
    home: RedisCache | None = ctx.home.get("redis")
    if not ctx.args.redis_dr or home is None or home.global_datastore_id is None:
        return None
    return RedisSecondary(ctx.name("redis-secondary"), RedisSecondaryArgs(
        account=ctx.account, region=ctx.region, config=config, vpc=ctx.vpc,
        app_security_group_id=ctx.app_security_group_id, data_key_arn=ctx.keys["data"],
        global_datastore_id=home.global_datastore_id), ctx.opts)


DR_PIECE = Piece(name="redis", field="redis", build=build, watch=cache_watch)  # as at home: CPU
