"""`pulumi import` commands for things that exist already, with the logical names, parents and providers of the plan."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from landing_zone.plan_index import STACK_TYPE, provider_urn

if TYPE_CHECKING:
    from landing_zone.preflight.core import Context


def _name_of(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def import_command(ctx: Context, resource: Mapping[str, Any], resource_id: str) -> str:
    """The exact command that adopts `resource_id` as the plan's `resource`: same type, name, parent and provider,
    so the URN is the one the program registers and the next `pulumi up` sees no replacement."""
    ctx.imported.append(resource)
    parts = ["pulumi", "import", "--stack", str(ctx.plan.get("stack", "")), resource["type"], resource["name"],
             resource_id, "--yes"]
    parent = resource.get("parent") or ""
    if parent and parent.split("::")[2:3] != [STACK_TYPE]:
        parts += ["--parent", f"{_name_of(parent)}={parent}"]
    provider = provider_urn(resource.get("provider") or "")
    if provider and not _name_of(provider).startswith("default"):
        parts += ["--provider", f"{_name_of(provider)}={provider}"]
    return shlex.join(parts)


def _ancestors(index: Mapping[str, Mapping[str, Any]], urn: str) -> list[str]:
    """`urn`'s component parents, outermost first, without the stack."""
    chain = []
    parent = (index.get(urn) or {}).get("parent") or ""
    while parent and parent.split("::")[2:3] != [STACK_TYPE]:
        chain.insert(0, parent)
        parent = (index.get(parent) or {}).get("parent") or ""
    return chain


def prepare_command(ctx: Context) -> str | None:
    """`pulumi up --target` of what the imports name but a new stack lacks: their parent components and explicit
    providers (with the providers' own parents). A provider is configuration only: creating it creates nothing in
    AWS; a component has no cloud resource at all."""
    targets: list[str] = []
    for resource in ctx.imported:
        provider = provider_urn(resource.get("provider") or "")
        explicit = [provider] if provider and not _name_of(provider).startswith("default") else []
        for urn in [*_ancestors(ctx.plan_index, resource["urn"]), *[u for p in explicit
                                                                     for u in [*_ancestors(ctx.plan_index, p), p]]]:
            if urn not in targets:
                targets.append(urn)
    if not targets:
        return None
    parts = ["pulumi", "up", "--stack", str(ctx.plan.get("stack", "")), "--yes"]
    for urn in targets:
        parts += ["--target", urn]
    return shlex.join(parts)
