"""Pure planning in landing_zone/ (no Pulumi): segments and intent, TGW routing, Client VPN ranges, promotion, DR.

The components build from these functions and `lz diagram` / `lz reach` read them, so each rule is tested here once,
on the sample stacks' configs and small variations of them.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from landing_zone import diagram
from landing_zone.client_vpn import (
    CLIENT_VPN_MAX_ASSOCIATIONS,
    authorization_ranges,
    client_vpn_routes,
    client_vpn_source_cidrs,
)
from landing_zone.config import load_stack, namespaced, parse, read_stack_file, stack_file
from landing_zone.dr_rules import dr_wanted
from landing_zone.models import ClientVpnAuthorization, Network
from landing_zone.promotion import environment_stem, promotion_peers
from landing_zone.routing import (
    PEERING,
    direct_connect_prefixes,
    dr_transit_gateway_asn,
    enclosing_block,
    internal_blocks,
    on_premises_ranges,
    region_plan,
    segment_cidrs,
    vpc_destinations,
    vpc_sites,
)
from landing_zone.segments import DEFAULT_REACHABILITY, DEFAULT_SEGMENTS, HYBRID, Intent

ROOT = Path(__file__).resolve().parents[2]


def config(stack: str, change=None):
    values = namespaced(read_stack_file(stack_file(stack, ROOT)))
    if change:
        change(values)
    return parse(values)


@pytest.fixture(scope="module")
def prod():
    return load_stack("prod", ROOT)


@pytest.fixture(scope="module")
def dev():
    return load_stack("dev", ROOT)


# --- segments and intent ------------------------------------------------------------------------------------------


def test_intent_is_symmetric_and_every_segment_reaches_itself():
    intent = Intent({"prod": ["shared"]})
    assert intent.reaches("prod", "shared") and intent.reaches("shared", "prod")
    assert intent.reaches("sandbox", "sandbox")
    assert not intent.reaches("prod", "sandbox")


def test_intent_pairs_are_listed_once_and_without_the_diagonal():
    intent = Intent({"prod": ["shared", "prod"], "shared": ["prod"], "hybrid": ["prod"]})
    assert intent.distinct_pairs() == [("hybrid", "prod"), ("prod", "shared")]
    matrix = intent.matrix(["prod", "shared", "sandbox"])
    assert matrix[("shared", "prod")] and matrix[("sandbox", "sandbox")] and not matrix[("prod", "sandbox")]


def test_the_default_intent_is_symmetric_over_the_default_segments():
    assert set(DEFAULT_REACHABILITY) == set(DEFAULT_SEGMENTS)
    for segment, peers in DEFAULT_REACHABILITY.items():
        assert set(peers) <= set(DEFAULT_SEGMENTS)
        assert all(segment in DEFAULT_REACHABILITY[peer] for peer in peers), segment
    assert not Intent(DEFAULT_REACHABILITY).reaches("prod", "nonprod")


def test_the_config_models_take_their_segment_defaults_from_segments():
    assert Network.model_fields["segments"].default is DEFAULT_SEGMENTS
    assert Network.model_fields["reachability"].default is DEFAULT_REACHABILITY


# --- TGW routing -----------------------------------------------------------------------------------------------------


def test_prod_and_nonprod_tables_never_route_to_each_other(prod):
    home = prod.organization.home_region
    plan = region_plan(prod, home)
    nonprod = set(segment_cidrs(prod, "nonprod"))
    assert nonprod and not nonprod & set(plan.tables["prod"].static)
    assert not set(segment_cidrs(prod, "prod")) & set(plan.tables["nonprod"].static)
    shared_home = [s.cidr for s in vpc_sites(prod) if s.segment == "shared" and s.region == home]
    assert set(shared_home) <= set(plan.tables["prod"].static)


def test_segments_that_do_not_reach_hybrid_blackhole_the_on_premises_ranges(prod):
    plan = region_plan(prod, prod.organization.home_region)
    assert plan.tables["sandbox"].blackhole == on_premises_ranges(prod)
    assert plan.tables["prod"].blackhole == []


def test_the_peer_region_is_reached_over_the_peering_only_where_the_intent_allows(prod):
    dr = prod.organization.dr_region
    plan = region_plan(prod, prod.organization.home_region)
    dr_prod = [s.cidr for s in vpc_sites(prod) if s.region == dr and s.segment == "prod"]
    assert dr_prod and all(plan.tables["prod"].static[c] == PEERING for c in dr_prod)
    assert not set(dr_prod) & set(plan.tables["nonprod"].static)


def test_direct_connect_announces_the_home_vpcs_of_its_accounts_unless_prefixes_are_given(prod):
    home = prod.organization.home_region
    dx_accounts = prod.network.direct_connect.accounts
    assert direct_connect_prefixes(prod) == [prod.account(a).vpcs[home].cidr for a in dx_accounts]

    def explicit(values):
        values["network"]["direct_connect"]["allowed_prefixes"] = ["10.2.0.0/16"]

    assert direct_connect_prefixes(config("prod", explicit)) == ["10.2.0.0/16"]


def test_the_diagram_shows_the_prefixes_direct_connect_announces(prod):
    assert diagram.topology(prod).direct_connect[2] == direct_connect_prefixes(prod)
    assert diagram.topology(prod).reachability == Intent(prod.network.reachability).distinct_pairs()


def test_on_premises_ranges_add_static_vpn_routes_once(dev):
    assert on_premises_ranges(dev) == ["192.168.100.0/24"]  # declared and a static route of the lab VPN

    def more(values):
        values["network"]["vpn"][0]["static_routes"] = ["192.168.100.0/24", "192.168.200.0/24"]

    assert on_premises_ranges(config("dev", more)) == ["192.168.100.0/24", "192.168.200.0/24"]


def test_private_blocks_come_first_and_ranges_outside_them_after():
    assert enclosing_block("10.1.0.0/16") == "10.0.0.0/8"
    assert enclosing_block("203.0.113.0/24") == "203.0.113.0/24"

    def public_on_premises(values):
        values["network"]["on_premises_cidrs"] = ["11.0.0.0/24", "192.168.100.0/24"]

    assert internal_blocks(config("dev", public_on_premises)) == [
        "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "11.0.0.0/24"]


def test_an_isolated_segment_with_one_vpc_sends_nothing_to_the_tgw(dev):
    def isolate_sandbox(values):
        reach = {segment: list(peers) for segment, peers in DEFAULT_REACHABILITY.items()}
        reach["sandbox"] = []
        reach["shared"].remove("sandbox")
        values["network"]["reachability"] = reach

    cfg = config("dev", isolate_sandbox)
    sandbox = next(s for s in vpc_sites(cfg) if s.segment == "sandbox")
    assert vpc_destinations(cfg, sandbox) == []
    assert vpc_destinations(dev, next(s for s in vpc_sites(dev) if s.segment == "sandbox")) == internal_blocks(dev)


def test_the_dr_hub_takes_the_next_asn_nobody_uses(prod):
    tgw = prod.network.transit_gateway_asn
    taken = {gw.bgp_asn for gw in prod.network.vpn} | {prod.network.direct_connect.amazon_side_asn}
    asn = dr_transit_gateway_asn(prod)
    assert asn > tgw and asn not in taken | {tgw}
    assert all(a in taken for a in range(tgw + 1, asn))


# --- Client VPN --------------------------------------------------------------------------------------------------------


def test_client_vpn_users_arrive_from_the_network_accounts_home_private_subnets(prod):
    sources = client_vpn_source_cidrs(prod)
    network_vpc = ipaddress.ip_network(prod.account_with_role("network").vpcs[prod.organization.home_region].cidr)
    pool = ipaddress.ip_network(prod.network.client_vpn.cidr)
    assert len(sources) == CLIENT_VPN_MAX_ASSOCIATIONS
    for cidr in map(ipaddress.ip_network, sources):
        assert cidr.subnet_of(network_vpc) and not cidr.overlaps(pool)


def test_no_client_vpn_no_source_ranges():
    def without(values):
        del values["network"]["client_vpn"]

    assert client_vpn_source_cidrs(config("dev", without)) == []


def test_a_group_reaches_its_segments_then_its_extra_ranges(prod):
    rule = ClientVpnAuthorization(group="ops", segments=["sandbox"], cidrs=["192.168.7.0/24", *segment_cidrs(prod, "sandbox")])
    assert authorization_ranges(prod, rule) == [*segment_cidrs(prod, "sandbox"), "192.168.7.0/24"]
    assert authorization_ranges(prod, ClientVpnAuthorization(group="ops", segments=[HYBRID])) == on_premises_ranges(prod)


def test_clients_get_one_route_per_private_block(prod):
    assert client_vpn_routes(prod, ["10.1.0.0/16", "10.2.0.0/16", "192.168.1.0/24"]) == ["10.0.0.0/8", "192.168.0.0/16"]


# --- image promotion and DR ----------------------------------------------------------------------------------------


def test_a_nonprod_account_is_pulled_from_by_its_prod_twin(prod):
    assert environment_stem("nonprod-apps", "nonprod") == "apps"
    assert promotion_peers(prod, "nonprod-apps") == ["prod-apps"]
    assert promotion_peers(prod, "nonprod-data") == ["prod-data"]
    assert promotion_peers(prod, "prod-apps") == []  # prod promotes to nobody
    assert promotion_peers(prod, "sandbox") == []


def test_prod_gets_an_aurora_replica_and_backup_copies_in_the_dr_region(prod):
    regions = prod.regions
    assert dr_wanted(prod, prod.account("prod-apps"), regions) == (True, True)
    assert dr_wanted(prod, prod.account("prod-data"), regions) == (False, True)  # no replica asked for
    assert dr_wanted(prod, prod.account("prod-apps"), [prod.organization.home_region]) == (False, False)


def test_non_prod_copies_backups_to_dr_only_when_asked(prod):
    account = prod.account("nonprod-data")
    assert dr_wanted(prod, account, prod.regions) == (False, False)
    wl = account.workloads
    asked = account.model_copy(update={"workloads": wl.model_copy(update={"backup": wl.backup.model_copy(
        update={"copy_to_dr": True})})})
    assert dr_wanted(prod, asked, prod.regions) == (False, True)


def test_without_a_dr_region_nothing_is_copied(prod):
    def no_dr(values):
        values["organization"]["dr_region"] = None
        for account in values["accounts"]:
            account.get("vpcs", {}).pop("ap-south-2", None)
            account.pop("dr", None)  # a DR target needs the DR region
            if account.get("workloads", {}).get("aurora"):
                account["workloads"]["aurora"].pop("dr_replica", None)
        values["network"].get("resolver", {}).get("firewall_managed_lists", {}).pop("ap-south-2", None)

    cfg = config("prod", no_dr)
    assert all(dr_wanted(cfg, a, cfg.regions) == (False, False) for a in cfg.accounts)
