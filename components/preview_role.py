"""The member accounts' read-only role for the pull-request preview (the workflow's LZ_ACCESS_ROLE_NAME).

`pulumi preview` runs the pull request's own Python, so in member accounts it must never hold the access role (which
administers the account): components/providers.py assumes this role instead when LZ_ACCESS_ROLE_NAME names it. Its
trust and inline policy are bootstrap/roles.py's (one implementation with the rendered bootstrap JSON): only the
management account's `landing-zone-preview-<stack>` role may assume it; ViewOnlyAccess plus the program's read-only
invokes; data reads (S3 objects, secret values, parameters, KMS decrypt, ...) denied.

The management account gets none: the program runs there as the bootstrap's own preview role.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from bootstrap import roles
from components.context import AccountContext, organization_stack
from landing_zone.models import Organization


def is_member(account: AccountContext, org: Organization) -> bool:
    """The management account's handle carries its id in the config (components/organization.management_account);
    validation forbids any member account with that id."""
    return account.config.account_id != org.management_account_id


def member_preview_role(account: AccountContext, org: Organization, region: str, partition: pulumi.Input[str],
                        parent: pulumi.Resource) -> aws.iam.Role | None:
    """The role in one member account (IAM is global: once, in `region`), or None (management, or disabled)."""
    if not org.preview_role_name or not is_member(account, org):
        return None
    opts = account.opts(region, parent=parent)
    stack = organization_stack()  # split mode: every stack of the organization previews through one role
    trust = pulumi.Output.from_input(partition).apply(
        lambda p: json.dumps(roles.member_preview_trust(org.management_account_id, stack, p)))
    role = aws.iam.Role(account.resource_name(region, "preview-role"), name=org.preview_role_name,
                        description=f"Read-only pull-request preview, assumed by {roles.preview_role_name(stack)}",
                        assume_role_policy=trust, max_session_duration=3600, opts=opts)
    aws.iam.RolePolicyAttachment(account.resource_name(region, "preview-role-view-only"), role=role.name,
                                 policy_arn=pulumi.Output.concat("arn:", partition, f":iam::aws:policy/{roles.VIEW_ONLY_POLICY}"),
                                 opts=opts)  # fmt: skip
    # the drift check's refresh reads each resource's configuration (policies, encryption): metadata, no data
    aws.iam.RolePolicyAttachment(account.resource_name(region, "preview-role-security-audit"), role=role.name,
                                 policy_arn=pulumi.Output.concat("arn:", partition,
                                                                 f":iam::aws:policy/{roles.SECURITY_AUDIT_POLICY}"),
                                 opts=opts)
    aws.iam.RolePolicy(account.resource_name(region, "preview-role-policy"), role=role.name, name="preview",
                       policy=json.dumps(roles.member_preview_permissions()), opts=opts)
    return role
