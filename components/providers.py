"""One aws.Provider per account x region: assume the account's access role, tag everything with where it lives.

`ready` maps a region to what its provider must wait for: the enablement of an opt-in region in that account
(components/regions.py). Every resource of the account in the region uses the provider, so all of them wait.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from landing_zone.models import Account, Organization

Ready = Mapping[str, pulumi.Resource]


def default_tags(org: Organization, account: str, environment: str) -> dict[str, str]:
    """Every resource carries environment and account, so policies and tools never guess from names."""
    return {**org.tags, "organization": org.name, "environment": environment, "account": account,
            "managed-by": "landing-zone"}  # fmt: skip


def _waiting(opts: pulumi.ResourceOptions | None, ready: Ready | None, region: str) -> pulumi.ResourceOptions | None:
    if not ready or region not in ready:
        return opts
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[ready[region]]))


def account_providers(account: Account, account_id: pulumi.Input[str], org: Organization, regions: list[str],
                      opts: pulumi.ResourceOptions | None = None, ready: Ready | None = None,
                      role_name: str | None = None) -> dict[str, aws.Provider]:
    """role_name: the role to assume instead of the access role (split mode: an account stack reaches the network
    account only through its narrow attach role, landing_zone.stacks.network_role_name)."""
    # The pull-request preview sets LZ_ACCESS_ROLE_NAME to the member accounts' read-only role (organization.
    # preview_role_name, created by components/preview_role.py): the PR's code must never reach the access role, which
    # administers the account (the data-perimeter RCP admits only the deploy roles to it anyway).
    role_name = os.environ.get("LZ_ACCESS_ROLE_NAME") or role_name or org.access_role_name
    role_arn = pulumi.Output.concat("arn:aws:iam::", account_id, ":role/", role_name)
    return {
        region: aws.Provider(
            f"{account.name}-{region}",
            region=region,
            assume_roles=[aws.ProviderAssumeRoleArgs(role_arn=role_arn, session_name="landing-zone")],
            default_tags=aws.ProviderDefaultTagsArgs(tags=default_tags(org, account.name, account.environment)),
            allowed_account_ids=[account_id],  # never act in the wrong account
            opts=_waiting(opts, ready, region),
        )
        for region in regions
    }


def management_providers(org: Organization, regions: list[str], opts: pulumi.ResourceOptions | None = None,
                         ready: Ready | None = None) -> dict[str, aws.Provider]:
    """The management account runs the program itself: no role to assume."""
    return {
        region: aws.Provider(
            f"management-{region}",
            region=region,
            allowed_account_ids=[org.management_account_id],
            default_tags=aws.ProviderDefaultTagsArgs(tags=default_tags(org, "management", "core")),
            opts=_waiting(opts, ready, region),
        )
        for region in regions
    }
