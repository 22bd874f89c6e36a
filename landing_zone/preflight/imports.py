"""`pulumi import` commands for things that exist already, with the logical names, parents and providers of the plan."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from landing_zone.plan import STACK_TYPE, _provider_urn

if TYPE_CHECKING:
    from landing_zone.preflight.core import Context


def _name_of(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def import_command(ctx: Context, resource: Mapping[str, Any], resource_id: str) -> str:
    """The exact command that adopts `resource_id` as the plan's `resource`: same type, name, parent and provider,
    so the URN is the one the program registers and the next `pulumi up` sees no replacement."""
    parts = ["pulumi", "import", "--stack", str(ctx.plan.get("stack", "")), resource["type"], resource["name"],
             resource_id, "--yes"]
    parent = resource.get("parent") or ""
    if parent and parent.split("::")[2:3] != [STACK_TYPE]:
        parts += ["--parent", f"{_name_of(parent)}={parent}"]
    provider = _provider_urn(resource.get("provider") or "")
    if provider and not _name_of(provider).startswith("default"):
        parts += ["--provider", f"{_name_of(provider)}={provider}"]
    return shlex.join(parts)
