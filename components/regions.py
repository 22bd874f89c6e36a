"""Opt-in regions: enabled for every account that uses one, before any provider of that account and region exists.

Regions AWS launched after March 2019 (landing_zone.regions.OPT_IN_REGIONS) are disabled in every account until
enabled, and accounts this stack creates start with all of them disabled: a provider there fails (STS refuses the
role assumption) until AWS has finished enabling the region, which takes minutes to hours. So each account x opt-in
region gets an `aws.account.Region` (Account Management EnableRegion, which the provider waits on until ENABLED),
made from the management account, and that account's provider in the region depends on it.

- Member accounts: `account_id` names the member. This needs the organization's trusted access for
  account.amazonaws.com (components/organization.py enables it), so the enablement waits for the organization.
- The management account: EnableRegion refuses the management account's own id as AccountId ("The management
  account can't specify its own AccountId. It must call the operation in standalone context by not including the
  AccountId parameter", Account Management API Reference, EnableRegion); its enablement omits `account_id`.
  The home region itself is where the program runs: it must already be enabled there (`lz preflight` reports it).

Enabling takes "a few minutes for most accounts, but it can take several hours" (Account Management API Reference,
EnableRegion), while pulumi-aws waits 60 minutes by default: each enablement waits ENABLE_TIMEOUT instead (DEP-01
fails a shorter one), under the 6 hours a hosted CI job may run. If AWS takes even longer, that `pulumi up` fails at
the enablement (never later, at a provider of the region): once `aws account get-region-opt-status` says ENABLED,
run it again.

Disabling a region in use deletes access to everything in it: the enablements are protected, and retained if
removed from the program (the only way to disable one is to set `enabled=False` by hand, deliberately).
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from landing_zone.regions import OPT_IN_REGIONS

ENABLE_TIMEOUT = "5h"


def opt_in(regions: Sequence[str]) -> list[str]:
    return [r for r in regions if r in OPT_IN_REGIONS]


def enable_opt_in_regions(account: str, account_id: pulumi.Input[str] | None, regions: Sequence[str],
                          opts: pulumi.ResourceOptions) -> dict[str, aws.account.Region]:
    """region -> its enablement, for every opt-in region of `regions` (account_id None: the caller's own account).

    opts: the management account's provider (and what the enablement waits for: the organization's trusted access).
    """
    return {
        region: aws.account.Region(
            f"{account}-{region}-region-enabled",
            region_name=region,
            enabled=True,
            **({"account_id": account_id} if account_id is not None else {}),
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
                protect=True, retain_on_delete=True,
                custom_timeouts=pulumi.CustomTimeouts(create=ENABLE_TIMEOUT, update=ENABLE_TIMEOUT))),
        )
        for region in opt_in(regions)
    }
