"""Which disaster-recovery copies an account's workloads get (pure, no pulumi).

Both need a DR region the account has a provider in: an Aurora cross-region replica (prod accounts that ask for it)
and a copy of every backup to the DR region (prod by default; `backup.copy_to_dr` decides either way).
"""

from __future__ import annotations

from collections.abc import Iterable

from landing_zone.models import Account, LandingZoneConfig


def dr_wanted(cfg: LandingZoneConfig, account: Account, regions: Iterable[str]) -> tuple[bool, bool]:
    """(aurora DR replica, backup copy to DR) for `account`, whose providers cover `regions`."""
    wl, dr_region = account.workloads, cfg.organization.dr_region
    if not dr_region or dr_region not in regions:
        return False, False
    prod = account.environment == "prod"
    aurora = bool(wl.aurora and wl.aurora.dr_replica and prod)
    backup = bool(wl.backup and (wl.backup.copy_to_dr if wl.backup.copy_to_dr is not None else prod))
    return aurora, backup
