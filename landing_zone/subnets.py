"""Subnet planning: carve a VPC CIDR into per-AZ subnets of each tier, deterministically.

Layout of a VPC (tiers in this fixed order, each tier a block aligned to its size):

    private | data | public | transit

Each tier block reserves room for ``slots(azs)`` subnets (4 when azs <= 4, else 8), so growing a VPC from 2 to 4
AZs (or 5 to 8) only fills reserved slots: no existing subnet moves. The plan of a VPC depends on nothing but its own
CIDR, AZ count and tier sizes, so adding accounts or regions never changes an existing VPC's subnets.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

TIERS = ("private", "data", "public", "transit")
# Resolver endpoints' own tier, only in the network account's VPCs (landing_zone.dns): after `transit`, so it never
# moves a subnet of the other tiers.
DNS_TIER = "dns"
MIN_SUBNET_PREFIX = 28  # AWS refuses subnets smaller than /28


@dataclass(frozen=True)
class Subnet:
    tier: str
    az_index: int
    cidr: str


class SubnetPlanError(ValueError):
    """The tiers do not fit the VPC; the message says by how much."""


def slots(azs: int) -> int:
    return 4 if azs <= 4 else 8


def tier_prefixes(vpc_prefix: int, sizes: dict[str, int | None]) -> dict[str, int]:
    """Prefix length of one subnet of each tier; an unset size defaults relative to the VPC size."""
    defaults = {"private": vpc_prefix + 3, "data": vpc_prefix + 5, "public": vpc_prefix + 6, "transit": 28, DNS_TIER: 28}
    return {tier: sizes.get(tier) or min(defaults[tier], MIN_SUBNET_PREFIX) for tier in (*TIERS, DNS_TIER)}


def plan_subnets(cidr: str, azs: int, sizes: dict[str, int | None] | None = None,
                 tiers: tuple[str, ...] = TIERS) -> list[Subnet]:
    """Return the subnets of every tier for ``azs`` availability zones, or raise SubnetPlanError.
    tiers: TIERS, optionally followed by DNS_TIER (the earlier tiers' subnets never depend on it)."""
    vpc = ipaddress.IPv4Network(cidr)
    prefixes = tier_prefixes(vpc.prefixlen, sizes or {})
    n = slots(azs)
    offset = 0  # addresses from the start of the VPC
    subnets: list[Subnet] = []
    for tier in tiers:
        prefix = prefixes[tier]
        if prefix < vpc.prefixlen or prefix > MIN_SUBNET_PREFIX:
            raise SubnetPlanError(f"{tier} subnets /{prefix} must be between /{vpc.prefixlen} and /{MIN_SUBNET_PREFIX}")
        size = 2 ** (32 - prefix)
        block = size * n
        offset = -(-offset // block) * block  # align the tier block to its own size
        for az in range(azs):
            start = vpc.network_address + offset + az * size
            subnets.append(Subnet(tier, az, f"{start}/{prefix}"))
        offset += block
    if offset > vpc.num_addresses:
        raise SubnetPlanError(
            f"tiers need {offset} addresses ({n} AZ slots each: "
            + ", ".join(f"{t} /{prefixes[t]}" for t in tiers)
            + f") but {cidr} has {vpc.num_addresses}"
        )
    return subnets


def by_tier(subnets: list[Subnet]) -> dict[str, list[str]]:
    """{tier: [cidr per AZ]} for a plan."""
    out: dict[str, list[str]] = {tier: [] for tier in TIERS}
    for s in subnets:
        out[s.tier].append(s.cidr)
    return out
