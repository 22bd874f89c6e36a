"""The one way to build a landing-zone component: `Component(name, args, opts)`.

Every component is `class X(Component)` with a `TOKEN` ("<module>:<Class>", prefixed with `landing-zone:`), typed
frozen args that carry only what it needs, and the engine's own `pulumi.ResourceOptions` (parent, depends_on,
aliases: never keyword arguments beside them). Components that live in one account and region take args derived
from `AccountArgs` and get deterministic child names and options from the base, so a child is always
`f"{account}-{region}-{purpose}"`, created through that account's provider, parented to the component.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

import pulumi

from components.context import AccountContext

PACKAGE = "landing-zone"

A = TypeVar("A")


class Component(pulumi.ComponentResource, Generic[A]):
    """A landing-zone component. Subclasses set TOKEN and build their children in __init__ after super().__init__,
    then call `self.register_outputs({...})` last."""

    TOKEN: ClassVar[str]  # "<module>:<Class>", e.g. "network:SpokeVpc"

    def __init__(self, name: str, args: A, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token(self.TOKEN), name, None, opts)
        self.args = args

    @property
    def child(self) -> pulumi.ResourceOptions:
        """Options of a child that lives wherever its provider is given explicitly (or inherits this parent's)."""
        return pulumi.ResourceOptions(parent=self)


def type_token(token: str) -> str:
    return f"{PACKAGE}:{token}"


@dataclass(frozen=True, kw_only=True)
class AccountArgs:
    """What every account-and-region component needs: the account's handle and the region it builds in."""

    account: AccountContext
    region: str


class AccountComponent(Component[A]):
    """A component whose children live in one account (args.account) and, by default, one region (args.region)."""

    @property
    def account(self) -> AccountContext:
        return self.args.account

    @property
    def region(self) -> str:
        return self.args.region

    def child_name(self, purpose: str, region: str | None = None) -> str:
        """The deterministic logical name of a child: `<account>-<region>-<purpose>`."""
        return self.account.resource_name(region or self.region, purpose)

    def child_opts(self, region: str | None = None, **kwargs: Any) -> pulumi.ResourceOptions:
        """A child in this account and region (or another of its regions): its provider, this parent, kwargs
        (depends_on, protect, retain_on_delete, ignore_changes, ...)."""
        return self.account.opts(region or self.region, parent=self, **kwargs)
