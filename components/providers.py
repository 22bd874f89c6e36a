"""One aws.Provider per account x region: assume the account's access role, tag everything with where it lives."""

from __future__ import annotations

import os

import pulumi
import pulumi_aws as aws

from landing_zone.models import Account, Organization


def default_tags(org: Organization, account: str, environment: str) -> dict[str, str]:
    """Every resource carries environment and account, so policies and tools never guess from names."""
    return {**org.tags, "organization": org.name, "environment": environment, "account": account,
            "managed-by": "landing-zone"}  # fmt: skip


def account_providers(account: Account, account_id: pulumi.Input[str], org: Organization, regions: list[str],
                      opts: pulumi.ResourceOptions | None = None) -> dict[str, aws.Provider]:
    # The pull-request preview sets LZ_ACCESS_ROLE_NAME to the member accounts' read-only role (bootstrap/): the PR's
    # code must never reach the access role, which administers the account.
    role_name = os.environ.get("LZ_ACCESS_ROLE_NAME") or org.access_role_name
    role_arn = pulumi.Output.concat("arn:aws:iam::", account_id, ":role/", role_name)
    return {
        region: aws.Provider(
            f"{account.name}-{region}",
            region=region,
            assume_roles=[aws.ProviderAssumeRoleArgs(role_arn=role_arn, session_name="landing-zone")],
            default_tags=aws.ProviderDefaultTagsArgs(tags=default_tags(org, account.name, account.environment)),
            allowed_account_ids=[account_id],  # never act in the wrong account
            opts=opts,
        )
        for region in regions
    }


def management_providers(org: Organization, regions: list[str],
                         opts: pulumi.ResourceOptions | None = None) -> dict[str, aws.Provider]:
    """The management account runs the program itself: no role to assume."""
    return {
        region: aws.Provider(
            f"management-{region}",
            region=region,
            allowed_account_ids=[org.management_account_id],
            default_tags=aws.ProviderDefaultTagsArgs(tags=default_tags(org, "management", "core")),
            opts=opts,
        )
        for region in regions
    }
