"""IAM Identity Center: permission sets and group assignments per account or OU.

Groups come from the customer's Active Directory (synced into the identity store), so they are looked up by display
name, never created. An assignment to an OU expands to every account in it and in its nested OUs, computed from the
config (so a new account in an OU gets the OU's assignments on the next update).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountArgs, AccountComponent
from components.context import AccountContext
from components.lookups import lookup
from landing_zone.models import LandingZoneConfig, PermissionSet

# models.BUILTIN_PERMISSION_SETS -> (AWS managed policy path, session duration, description)
BUILTIN_POLICIES: dict[str, tuple[str, str, str]] = {
    "AdministratorAccess": ("AdministratorAccess", "PT1H", "Full access (break-glass and platform administration)"),
    "PowerUserAccess": ("PowerUserAccess", "PT4H", "Everything but IAM and the organization"),
    "ReadOnlyAccess": ("ReadOnlyAccess", "PT8H", "Read-only access to every service, data included (not for prod)"),
    # Lists and describes resources without reading their data (no S3 objects, SSM parameters, secrets, items)
    "ViewOnlyAccess": ("job-function/ViewOnlyAccess", "PT8H", "View resources and their configuration, not their data"),
    "Billing": ("job-function/Billing", "PT4H", "Billing and cost management"),
    "NetworkAdministrator": ("job-function/NetworkAdministrator", "PT4H", "Network administration"),
    "SecurityAudit": ("SecurityAudit", "PT8H", "Read security configuration for audits"),
}


def descendant_ous(cfg: LandingZoneConfig, ou: str) -> set[str]:
    """The OU and every OU nested under it, at any depth."""
    children: dict[str, list[str]] = {}
    for unit in cfg.organizational_units:
        if unit.parent:
            children.setdefault(unit.parent, []).append(unit.name)
    found, stack = set(), [ou]
    while stack:
        name = stack.pop()
        if name not in found:
            found.add(name)
            stack.extend(children.get(name, []))
    return found


def expand_assignments(cfg: LandingZoneConfig) -> list[tuple[str, str, str]]:
    """(group, permission set, account) for every assignment, OUs expanded, duplicates removed, in config order."""
    out: dict[tuple[str, str, str], None] = {}
    for asg in cfg.identity.assignments:
        ous = set().union(*(descendant_ous(cfg, ou) for ou in asg.ous)) if asg.ous else set()
        targets = list(asg.accounts) + [a.name for a in cfg.accounts if a.ou in ous and a.name not in asg.accounts]
        for account in targets:
            out[(asg.group, asg.permission_set, account)] = None
    return list(out)


def managed_policy_arn(partition: pulumi.Input[str], name: str) -> pulumi.Input[str]:
    return name if name.startswith("arn:") else pulumi.Output.concat("arn:", partition, ":iam::aws:policy/", name)


def slug(value: str) -> str:
    return "".join(c if c.isalnum() or c == "-" else "-" for c in value).lower()


def all_permission_sets(configured: Iterable[PermissionSet]) -> tuple[PermissionSet, ...]:
    """The builtin permission sets, then the configured ones."""
    builtin = [PermissionSet(name=name, description=description, managed_policies=[policy], session_duration=duration)
               for name, (policy, duration, description) in BUILTIN_POLICIES.items()]
    return (*builtin, *configured)


@dataclass(frozen=True, kw_only=True)
class IdentityArgs(AccountArgs):
    """account: the management account (Identity Center's home); region: the home region."""

    permission_sets: tuple[PermissionSet, ...]  # all_permission_sets
    assignments: tuple[tuple[str, str, str], ...]  # (group, permission set, account): expand_assignments
    account_ids: Mapping[str, pulumi.Input[str]]  # every assigned account's id


def identity_args(cfg: LandingZoneConfig, management: AccountContext,
                  accounts: Mapping[str, AccountContext]) -> IdentityArgs:
    return IdentityArgs(account=management, region=cfg.organization.home_region,
                        permission_sets=all_permission_sets(cfg.identity.permission_sets),
                        assignments=tuple(expand_assignments(cfg)),
                        account_ids={name: a.account_id for name, a in accounts.items()})


class Identity(AccountComponent[IdentityArgs]):
    """Permission sets and account assignments, in the management account's home region.

    Results: `permission_sets` (name -> PermissionSet), `assignments` ((group, set, account) -> AccountAssignment).
    """

    TOKEN = "identity:Identity"

    def __init__(self, name: str, args: IdentityArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        instances = lookup(aws.ssoadmin.get_instances_output, account=self.account, region=self.region, parent=self)
        self.instance_arn = instances.arns[0]
        self.identity_store_id = instances.identity_store_ids[0]
        self.partition = lookup(aws.get_partition_output, account=self.account, region=self.region,
                                parent=self).partition
        self._attachments: dict[str, list[pulumi.Resource]] = {}  # assignments provision a set: its policies first
        self.permission_sets = {ps.name: self._permission_set(ps) for ps in args.permission_sets}
        groups = {g: self._group(g) for g in dict.fromkeys(g for g, _, _ in args.assignments)}
        self.assignments = {
            (group, ps, account): aws.ssoadmin.AccountAssignment(
                self.child_name(f"sso-{slug(group)}-{slug(ps)}-{account}"),
                instance_arn=self.instance_arn, permission_set_arn=self.permission_sets[ps].arn,
                principal_type="GROUP", principal_id=groups[group], target_type="AWS_ACCOUNT",
                target_id=args.account_ids[account], opts=self.child_opts(depends_on=self._attachments[ps]),
            )
            for group, ps, account in args.assignments
        }  # fmt: skip
        self.register_outputs({"instanceArn": self.instance_arn,
                               "permissionSetArns": {n: p.arn for n, p in self.permission_sets.items()}})

    def _permission_set(self, ps: PermissionSet) -> aws.ssoadmin.PermissionSet:
        opts = self.child_opts()
        resource = aws.ssoadmin.PermissionSet(
            self.child_name(f"sso-permission-set-{slug(ps.name)}"), name=ps.name,
            description=ps.description or None, instance_arn=self.instance_arn, session_duration=ps.session_duration,
            opts=opts)  # fmt: skip
        attachments: list[pulumi.Resource] = [
            aws.ssoadmin.ManagedPolicyAttachment(
                self.child_name(f"sso-permission-set-{slug(ps.name)}-{slug(policy.rsplit('/', 1)[-1])}"),
                instance_arn=self.instance_arn, permission_set_arn=resource.arn,
                managed_policy_arn=managed_policy_arn(self.partition, policy), opts=opts)
            for policy in ps.managed_policies
        ]  # fmt: skip
        if ps.inline_policy:
            attachments.append(aws.ssoadmin.PermissionSetInlinePolicy(
                self.child_name(f"sso-permission-set-{slug(ps.name)}-inline"), instance_arn=self.instance_arn,
                permission_set_arn=resource.arn, inline_policy=json.dumps(ps.inline_policy, sort_keys=True), opts=opts))
        self._attachments[ps.name] = attachments
        return resource

    def _group(self, display_name: str) -> pulumi.Output[str]:
        return lookup(
            aws.identitystore.get_group_output, account=self.account, region=self.region, parent=self,
            purpose=f"group-{slug(display_name)}", identity_store_id=self.identity_store_id,
            # typed args: an invoke sends plain dict keys as written, and the provider expects camelCase
            alternate_identifier=aws.identitystore.GetGroupAlternateIdentifierArgs(
                unique_attribute=aws.identitystore.GetGroupAlternateIdentifierUniqueAttributeArgs(
                    attribute_path="DisplayName", attribute_value=display_name)),
        ).group_id
