"""Account lifecycle checks (docs/account-lifecycle.md): where a suspended account can go, and what it keeps."""

from __future__ import annotations

from collections.abc import Iterator

from landing_zone.models import LandingZoneConfig


def lifecycle_checks(cfg: LandingZoneConfig) -> Iterator[str]:
    suspended_ou = cfg.organization.policies.suspended_ou
    if suspended_ou and suspended_ou in {ou.name for ou in cfg.organizational_units}:
        yield (f"organization.policies.suspended_ou: {suspended_ou!r} is also in organizational_units; the landing "
               "zone creates the Suspended OU itself (deny-all SCP): pick another name or remove the configured OU")
    for i, account in enumerate(cfg.accounts):
        if account.state != "suspended":
            continue
        path = f"accounts[{i}].state"
        if not suspended_ou:
            yield f"{path}: suspended needs organization.policies.suspended_ou (the OU with the deny-all SCP)"
        if account.role != "workload":
            yield f"{path}: the {account.role} account cannot be suspended (the organization depends on it)"
        if account.account_id:
            yield (f"{path}: {account.name} is adopted (account_id set): the landing zone does not own its OU "
                   f"placement; move it to {suspended_ou or 'the Suspended OU'} with `aws organizations move-account` "
                   "or import it first (docs/account-lifecycle.md)")
