"""The subnet planner never overlaps, always fits its VPC, and is stable as accounts, regions and AZs are added."""

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landing_zone.subnets import TIERS, SubnetPlanError, by_tier, plan_subnets

prefixes = st.integers(min_value=16, max_value=24)
tier_sizes = st.fixed_dictionaries({t: st.one_of(st.none(), st.integers(min_value=16, max_value=28)) for t in TIERS})


@st.composite
def vpcs(draw):
    prefix = draw(prefixes)
    base = draw(st.integers(min_value=0, max_value=2 ** (32 - 8) - 1)) << 8  # any 10.x.y.0
    net = ipaddress.IPv4Network((ipaddress.IPv4Address("10.0.0.0") + (base % 2**24), prefix), strict=False)
    return str(net), draw(st.integers(min_value=2, max_value=6)), draw(tier_sizes)


def plan_or_none(cidr, azs, sizes):
    try:
        return plan_subnets(cidr, azs, sizes)
    except SubnetPlanError:
        return None


@settings(max_examples=300, deadline=None, derandomize=True)
@given(vpcs())
def test_subnets_never_overlap_and_fit(vpc):
    cidr, azs, sizes = vpc
    plan = plan_or_none(cidr, azs, sizes)
    if plan is None:
        return
    nets = sorted((ipaddress.IPv4Network(s.cidr) for s in plan), key=lambda n: int(n.network_address))
    assert len(nets) == azs * len(TIERS)
    assert all(n.subnet_of(ipaddress.IPv4Network(cidr)) for n in nets)
    assert all(a.broadcast_address < b.network_address for a, b in zip(nets, nets[1:], strict=False))
    assert all(n.prefixlen <= 28 for n in nets)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(vpcs(), min_size=1, max_size=6), vpcs())
def test_appending_a_vpc_changes_no_existing_plan(existing, appended):
    before = [plan_or_none(*v) for v in existing]
    after = [plan_or_none(*v) for v in [*existing, appended]]
    assert after[: len(before)] == before


@settings(max_examples=200, deadline=None, derandomize=True)
@given(vpcs())
def test_adding_azs_within_reserved_slots_moves_no_subnet(vpc):
    cidr, azs, sizes = vpc
    smaller = plan_or_none(cidr, 2, sizes)
    larger = plan_or_none(cidr, 4, sizes)
    if smaller is None or larger is None:
        return
    assert set(smaller) <= set(larger)


def test_layout_of_a_prod_vpc():
    tiers = by_tier(plan_subnets("10.1.0.0/16", 3))
    assert tiers["private"] == ["10.1.0.0/19", "10.1.32.0/19", "10.1.64.0/19"]
    assert tiers["data"] == ["10.1.128.0/21", "10.1.136.0/21", "10.1.144.0/21"]
    assert tiers["public"] == ["10.1.160.0/22", "10.1.164.0/22", "10.1.168.0/22"]
    assert tiers["transit"] == ["10.1.176.0/28", "10.1.176.16/28", "10.1.176.32/28"]


def test_tiers_that_do_not_fit_are_refused_with_sizes():
    with pytest.raises(SubnetPlanError, match="has 4096"):
        plan_subnets("10.0.0.0/20", 2, {"private": 21})
