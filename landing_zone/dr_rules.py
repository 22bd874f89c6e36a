"""Which disaster-recovery copies an account's workloads get (pure, no pulumi).

All need a DR region the account has a provider in: an Aurora cross-region replica (prod accounts that ask for it),
a copy of every backup to the DR region (prod by default; `backup.copy_to_dr` decides either way), and the DR
compute of pilot-light and warm-standby (the edge and the ECS services there, at standby_tasks), and for those
strategies a Redis global datastore member unless the config says the cache is rebuilt empty.
"""

from __future__ import annotations

from collections.abc import Iterable

from landing_zone.models import STANDBY_STRATEGIES, Account, LandingZoneConfig


def dr_wanted(cfg: LandingZoneConfig, account: Account, regions: Iterable[str]) -> tuple[bool, bool]:
    """(aurora DR replica, backup copy to DR) for `account`, whose providers cover `regions`."""
    wl, dr_region = account.workloads, cfg.organization.dr_region
    if not dr_region or dr_region not in regions:
        return False, False
    prod = account.environment == "prod"
    aurora = bool(wl.aurora and wl.aurora.dr_replica and prod)
    backup = bool(wl.backup and (wl.backup.copy_to_dr if wl.backup.copy_to_dr is not None else prod))
    return aurora, backup


def standby_tasks(cfg: LandingZoneConfig, account: Account, regions: Iterable[str]) -> int | None:
    """Tasks each ECS service of `account` keeps running in the DR region: dr.standby_tasks for warm-standby, 0 for
    pilot-light; None when nothing runs there (backup-restore, no DR, or no DR region among `regions`)."""
    dr, dr_region = account.dr, cfg.organization.dr_region
    if dr is None or dr.strategy not in STANDBY_STRATEGIES or not dr_region or dr_region not in regions:
        return None
    return dr.standby_tasks if dr.strategy == "warm-standby" else 0


def redis_dr_wanted(cfg: LandingZoneConfig, account: Account, regions: Iterable[str]) -> bool:
    """A Redis global datastore with a secondary in the DR region: pilot-light and warm-standby accounts whose Redis
    is not declared `dr.rebuilt_empty`."""
    dr = account.dr
    return bool(account.workloads.redis and standby_tasks(cfg, account, regions) is not None
                and "redis" not in dr.rebuilt_empty)
