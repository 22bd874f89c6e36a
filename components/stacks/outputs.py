"""What the stacks of a split organization hand each other: written with pulumi.export by the upstream stack, read
through a pulumi.StackReference by the downstream one, and nothing else (no shared state, no lookups).

`lz_organization` (organization stack): every account's id, the organization's ARN, the log archive, the trail and
the security alarm path. `lz_network` (network stack): per region the hub (Transit Gateway, segment route tables, log
key) and what the resolver shares; the private zones. The shapes are landing_zone/stack_outputs.py's models, so a
reader fails with the field named when an upstream stack was deployed by an older version.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi

from components.alarm_forwarding import AlarmBus
from components.context import AccountContext, LogArchive
from components.network import Network, NetworkUpstream
from components.network.dns import ResolverShared
from components.network.hub import HubHandle
from components.organization import Organization
from components.security import SecurityBaseline
from landing_zone.stack_outputs import NETWORK_OUTPUT, ORGANIZATION_OUTPUT, NetworkOutputs, OrganizationOutputs
from landing_zone.stacks import NETWORK, ORGANIZATION, StackRole, stack_name


def export_organization(organization: Organization, security: SecurityBaseline) -> None:
    log = security.log_archive
    pulumi.export(ORGANIZATION_OUTPUT, {
        "organization_arn": organization.organization.arn,
        "account_ids": {name: a.account_id for name, a in organization.accounts.items()},
        "log_archive": {"bucket_name": log.bucket_name, "bucket_arn": log.bucket_arn, "kms_key_arn": log.kms_key_arn,
                        "elb_logs_buckets": log.elb_logs_bucket_by_region},
        "trail_arn": security.trail_arn,
        "security_alarm_topic_arn": security.alarm_topic_arn,
        "alarm_bus_arn": security.alarm_bus.arn if security.alarm_bus is not None else None,
    })


def export_network(network: Network) -> None:
    dns = network.dns
    pulumi.export(NETWORK_OUTPUT, {
        "hubs": {region: {"transit_gateway_id": h.handle.transit_gateway_id,
                          "transit_gateway_arn": h.handle.transit_gateway_arn,
                          "route_table_ids": dict(h.handle.route_table_ids), "log_key_arn": h.handle.log_key_arn}
                 for region, h in network.hubs.items()},
        "resolvers": {region: {"rule_ids": dict(r.shares.rule_ids),
                               "firewall_rule_group_id": r.shares.firewall_rule_group_id,
                               "query_log_config_id": r.shares.query_log_config_id}
                      for region, r in (dns.regions.items() if dns else [])},
        "private_zone_ids": dict(dns.zones.zone_ids) if dns and dns.zones else {},
    })


class Upstream:
    """One upstream stack's typed output, read through a StackReference: `field(path...)` is an Output of one value."""

    def __init__(self, base: str, role: StackRole, key: str, model: type):
        name = stack_name(base, role)
        self.reference = pulumi.StackReference(f"{pulumi.get_organization()}/{pulumi.get_project()}/{name}")
        self.value = self.reference.require_output(key).apply(
            lambda raw: model.model_validate(raw).model_dump())  # the field named when an old stack lacks it

    def field(self, *path: str) -> pulumi.Output[Any]:
        def pick(value: Any) -> Any:
            for key in path:
                value = value[key]
            return value
        return self.value.apply(pick)


def read_organization(base: str) -> Upstream:
    return Upstream(base, StackRole(part=ORGANIZATION), ORGANIZATION_OUTPUT, OrganizationOutputs)


def read_network(base: str) -> Upstream:
    return Upstream(base, StackRole(part=NETWORK), NETWORK_OUTPUT, NetworkOutputs)


def log_archive(org: Upstream, elb_regions: list[str]) -> LogArchive:
    return LogArchive(bucket_name=org.field("log_archive", "bucket_name"),
                      bucket_arn=org.field("log_archive", "bucket_arn"),
                      kms_key_arn=org.field("log_archive", "kms_key_arn"),
                      elb_logs_bucket_by_region={r: org.field("log_archive", "elb_logs_buckets", r) for r in elb_regions})


def alarm_bus(org: Upstream, enabled: bool) -> AlarmBus | None:
    return AlarmBus(org.field("alarm_bus_arn")) if enabled else None


def network_upstream(net: Upstream, network: AccountContext, regions: list[str], segments: list[str],
                     resolver_regions: list[str], domains: list[str], zones: list[str]) -> NetworkUpstream:
    """The hubs and DNS shares of the network stack, as the handles components take."""
    hub: Callable[..., pulumi.Output[Any]] = lambda region, *path: net.field("hubs", region, *path)  # noqa: E731
    hubs = {region: HubHandle(
        region=region, network=network, transit_gateway_id=hub(region, "transit_gateway_id"),
        transit_gateway_arn=hub(region, "transit_gateway_arn"),
        route_table_ids={s: hub(region, "route_table_ids", s) for s in segments},
        log_key_arn=hub(region, "log_key_arn"), shared=[]) for region in regions}
    resolvers = {region: ResolverShared(
        rule_ids={d: net.field("resolvers", region, "rule_ids", d) for d in domains},
        firewall_rule_group_id=net.field("resolvers", region, "firewall_rule_group_id"),
        query_log_config_id=net.field("resolvers", region, "query_log_config_id")) for region in resolver_regions}
    return NetworkUpstream(hubs, resolvers, {env: net.field("private_zone_ids", env) for env in zones})
