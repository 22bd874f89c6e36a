"""Image promotion between environments (pure, no pulumi): which accounts may pull an account's images.

A non-prod account's repositories admit the prod accounts with the same stem (`nonprod-apps` -> `prod-apps`), so an
image is built once, tested in non-prod and promoted to prod unchanged.
"""

from __future__ import annotations

from landing_zone.models import LandingZoneConfig

PROMOTION_SOURCE = {"nonprod": "prod"}  # a non-prod repository may be pulled by its prod peers (image promotion)


def environment_stem(name: str, environment: str) -> str:
    """`prod-apps` -> `apps`, `nonprod-data` -> `data`: accounts with the same stem are promotion peers."""
    return name.removeprefix(f"{environment}-")


def promotion_peers(cfg: LandingZoneConfig, account: str) -> list[str]:
    """Accounts allowed to pull this account's images: prod accounts with the same stem as a non-prod account."""
    me = cfg.account(account)
    target_env = PROMOTION_SOURCE.get(me.environment)
    stem = environment_stem(me.name, me.environment)
    return sorted(a.name for a in cfg.accounts
                  if a.environment == target_env and environment_stem(a.name, a.environment) == stem)
