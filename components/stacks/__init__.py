"""What one stack builds. Single mode (no `landing-zone:stack`): the whole organization (single.py). Split mode
(landing_zone/stacks.py): the organization stack (organization.py), the network stack (network.py) or one workload
account's stack (account.py), from the same components, reading upstream stacks only through outputs.py.
"""

from __future__ import annotations

from components.stacks import account, network, organization, single
from landing_zone.models import LandingZoneConfig
from landing_zone.stacks import ACCOUNT, NETWORK, ORGANIZATION, StackRole, base_of


def build(cfg: LandingZoneConfig, role: StackRole | None, stack: str) -> None:
    if role is None:
        single.build(cfg)
        return
    base = base_of(stack, role)
    if role.part == ORGANIZATION:
        organization.build(cfg)
    elif role.part == NETWORK:
        network.build(cfg, base)
    elif role.part == ACCOUNT:
        account.build(cfg, base, role.account)
