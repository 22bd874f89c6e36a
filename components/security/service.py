"""The base of the security baseline's service components, and the policy-document helpers they share.

Before the baseline was split by service, every resource of it was a direct child of `SecurityBaseline`. A service
component puts its children under itself, which changes their URNs; each child therefore carries an alias to the
URN it had directly under the baseline (the service's own parent), so an existing stack moves the log bucket, the
trail, the detectors... instead of replacing them. Children of a child component (a HardenedBucket's bucket, its
policy, ...) inherit the alias from their parent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import pulumi

from components.base import AccountComponent, Component
from components.context import AccountContext

A = TypeVar("A")


@dataclass(frozen=True, kw_only=True)
class DelegatedServiceArgs:
    """An organization service the management account delegates to the security account, in every region."""

    management: AccountContext  # delegates the administration
    administrator: AccountContext  # the security account
    regions: tuple[str, ...]
    org_ready: tuple[pulumi.Resource, ...] = ()  # the organization, its trusted access and delegated admins


class SecurityService(Component[A]):
    """A service of the security baseline whose children may live in several accounts and regions."""

    def __init__(self, name: str, args: A, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        baseline = opts.parent if opts else None
        self._moved_from: list[pulumi.Alias] = [pulumi.Alias(parent=baseline)] if baseline is not None else []

    @property
    def child(self) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, aliases=list(self._moved_from))

    def opts_in(self, account: AccountContext, region: str, **kwargs: Any) -> pulumi.ResourceOptions:
        """A child in `account` and `region` (kwargs: depends_on, protect, ...), aliased to its URN under the baseline."""
        return account.opts(region, parent=self, aliases=list(self._moved_from), **kwargs)


class AccountSecurityService(SecurityService[A], AccountComponent[A]):
    """A service of the security baseline that lives in one account (args.account) and home region (args.region)."""

    def child_opts(self, region: str | None = None, **kwargs: Any) -> pulumi.ResourceOptions:
        return self.opts_in(self.account, region or self.region, **kwargs)


# --- policy documents ----------------------------------------------------------------------------------------------


def json_document(value) -> pulumi.Output[str]:
    return pulumi.Output.json_dumps(value)


def arn(partition, service: str, region: str, account, resource: str) -> pulumi.Output[str]:
    return pulumi.Output.concat("arn:", partition, ":", service, ":", region, ":", account, ":", resource)


def account_root(partition, account) -> pulumi.Output[str]:
    return pulumi.Output.concat("arn:", partition, ":iam::", account, ":root")


def key_admin_statement(partition, account) -> dict:
    return {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": account_root(partition, account)},
            "Action": "kms:*", "Resource": "*"}  # fmt: skip


def service_key_statement(sid: str, service: str, condition: dict) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Principal": {"Service": service},
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
            "Resource": "*", "Condition": condition}  # fmt: skip


def assume_role_policy(service: str, condition: dict) -> pulumi.Output[str]:
    """A trust policy that lets one AWS service assume the role, under a confused-deputy condition."""
    return json_document({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole", "Condition": condition}]})
