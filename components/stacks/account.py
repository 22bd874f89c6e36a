"""A workload account's stack (split mode, layer 2; reads the organization and network stacks): its baseline, its
spoke VPCs with their Transit Gateway attachment and the hub-side association, propagation and routes of that
attachment (written in the network account through the account's own narrow role there), its DNS associations, its
workloads, its deployment roles, and the contract app teams read.
"""

from __future__ import annotations

from components.context import AccountContext
from components.contract import ContractSources, export_contract
from components.deployment import build_deployment_roles
from components.network import NetworkScope, NetworkUpstream, build_network, hub_segments
from components.organization import management_account, moved_from_organization
from components.providers import management_providers
from components.stacks import outputs
from components.stacks.single import baseline
from components.workloads import build_workloads
from landing_zone.dns import vpc_regions
from landing_zone.log_delivery import elb_log_regions
from landing_zone.models import LandingZoneConfig
from landing_zone.stacks import network_role_name


def build(cfg: LandingZoneConfig, base: str, name: str) -> None:
    org_out, net_out = outputs.read_organization(base), outputs.read_network(base)
    org, regions = cfg.organization, cfg.regions
    # the ids this stack uses: its own and the network account's (not all N)
    wanted = [name, cfg.account_with_role("network").name]
    ids = {n: org_out.field("account_ids", n) for n in dict.fromkeys(wanted)}
    config = cfg.account(name)
    moved = moved_from_organization()  # single mode creates these providers under the Organization component
    account = AccountContext.from_account_id(config, ids[name], org, regions, moved)
    network_config = cfg.account_with_role("network")
    network = AccountContext.from_account_id(network_config, ids[network_config.name], org, regions, moved,
                                             role_name=network_role_name(name))
    log_archive = outputs.log_archive(org_out, elb_log_regions(cfg))
    baseline(cfg, account)
    built = build_network(cfg, {name: account, network_config.name: network}, log_archive,
                          org_out.field("organization_arn"),
                          scope=NetworkScope(accounts=frozenset({name}), upstream=upstream(cfg, net_out, network)))
    management = AccountContext(management_account(org), org.management_account_id,
                                management_providers(org, [org.home_region], moved))
    workloads = build_workloads(cfg, {name: account}, built.vpcs, log_archive, management)
    roles = build_deployment_roles(cfg, {name: account}, workloads)
    export_contract(ContractSources(
        cfg=cfg, accounts={name: account}, log_archive=log_archive, trail_arn=org_out.field("trail_arn"),
        vpcs=built.vpcs, network=built, workloads=workloads,
        deployment_role_arns={n: r.role_arn for n, r in roles.items()},
        repository_role_arns={n: r.role_arns for n, r in roles.items()}))


def upstream(cfg: LandingZoneConfig, net_out: outputs.Upstream, network: AccountContext) -> NetworkUpstream:
    resolver = cfg.network.resolver
    return outputs.network_upstream(
        net_out, network, cfg.regions, hub_segments(cfg), vpc_regions(cfg) if resolver else [],
        list(resolver.forward_domains) if resolver else [], list(resolver.private_zones) if resolver else [])
