"""The network stack (split mode, layer 1; reads the organization stack): the Transit Gateway hubs and segment route
tables, hybrid links (VPN, Direct Connect), DR peering, Client VPN, the resolver and private zones, and the network
account's own VPCs and baseline. Its `lz_network` output is what the account stacks attach to.
"""

from __future__ import annotations

from components.context import AccountContext
from components.contract import ContractSources, export_contract
from components.network import NetworkScope, build_network
from components.organization import moved_from_organization
from components.stacks import outputs
from components.stacks.single import baseline
from landing_zone.log_delivery import elb_log_regions
from landing_zone.models import LandingZoneConfig


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
    outputs.export_network(built)
    export_contract(ContractSources(cfg=cfg, accounts={account.name: network}, vpcs=built.vpcs, network=built))
