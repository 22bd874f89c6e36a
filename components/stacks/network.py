"""The network stack (split mode, layer 1; reads the organization stack): the Transit Gateway hubs and segment route
tables, hybrid links (VPN, Direct Connect), DR peering, Client VPN, the resolver and private zones, and the network
account's own VPCs and baseline. Its `lz_network` output is what the account stacks attach to.
"""

from __future__ import annotations

from components.context import AccountContext
from components.contract import ContractSources, export_contract
from components.network import Network, NetworkScope, build_network
from components.network.attach_roles import AttachingAccount, AttachRoles, AttachRolesArgs
from components.organization import moved_from_organization
from components.stacks import outputs
from components.stacks.single import baseline
from landing_zone.log_delivery import elb_log_regions
from landing_zone.models import LandingZoneConfig
from landing_zone.routing import attachment_tables, region_plan
from landing_zone.stacks import ACCOUNT, StackRole, deploy_role_arn, split_accounts, stack_name


def build(cfg: LandingZoneConfig, base: str) -> None:
    org = outputs.read_organization(base)
    account = cfg.account_with_role("network")
    network = AccountContext.from_account_id(account, org.field("account_ids", account.name), cfg.organization,
                                             cfg.regions, moved_from_organization())
    log_archive = outputs.log_archive(org, elb_log_regions(cfg))
    baseline(cfg, network)
    built = build_network(cfg, {account.name: network}, log_archive, org.field("organization_arn"),
                          alarm_bus=outputs.alarm_bus(org, cfg.security.cloudtrail),
                          scope=NetworkScope(accounts=frozenset({account.name})))
    attach_roles(cfg, base, network, built)
    outputs.export_network(built)
    export_contract(ContractSources(cfg=cfg, accounts={account.name: network}, vpcs=built.vpcs, network=built))


def attach_roles(cfg: LandingZoneConfig, base: str, network: AccountContext, built: Network) -> AttachRoles:
    """Each account stack's narrow role in the network account (components/network/attach_roles.py): where the
    routing plan wires its attachments, trusted only by that stack's deploy role."""
    management = cfg.organization.management_account_id
    plans = {region: region_plan(cfg, region) for region in cfg.regions}
    accounts = tuple(AttachingAccount(
        name=a.name, segment=a.network_segment, environment=a.environment,
        deploy_role_arn=deploy_role_arn(management, stack_name(base, StackRole(part=ACCOUNT, account=a.name)), True),
        tables={region: attachment_tables(plans[region], f"vpc:{a.name}") for region in a.vpcs})
        for a in split_accounts(cfg) if a.vpcs)
    zones = built.dns.zones.zone_ids if built.dns and built.dns.zones else {}
    return AttachRoles("attach-roles", AttachRolesArgs(
        account=network, region=cfg.organization.home_region, accounts=accounts,
        route_table_ids={region: dict(hub.handle.route_table_ids) for region, hub in built.hubs.items()},
        private_zone_ids=dict(zones)))
