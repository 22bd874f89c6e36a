"""Reading a plan: which resource is which (by URN), the account and default tags a resource's provider gives it, and
whether the plan is a preview (values unknown until deployment). Pure functions over the plan JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from landing_zone.engine import UNKNOWN
from landing_zone.wire import unwrap_secret

STACK_TYPE = "pulumi:pulumi:Stack"


def index_by_urn(plan: Mapping[str, Any]) -> dict[str, dict]:
    return {r["urn"]: r for r in plan["resources"]}


def provider_urn(ref: str) -> str:
    """The URN in a provider reference (`<provider urn>::<provider id>`)."""
    return ref.rsplit("::", 1)[0] if ref else ""


def contains_unknowns(value: Any) -> bool:
    if value == UNKNOWN:
        return True
    if isinstance(value, Mapping):
        return any(contains_unknowns(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknowns(v) for v in value)
    return False


def plan_is_preview(plan: Mapping[str, Any]) -> bool:
    return any(contains_unknowns(r.get("inputs")) or (r.get("custom") and not r.get("id")) for r in plan["resources"]
               if not r["type"].startswith("pulumi:providers:"))


def provider_tags(plan_index: Mapping[str, Mapping], resource: Mapping[str, Any]) -> dict:
    """The default tags of a resource's provider (provider inputs carry them JSON-encoded)."""
    provider = plan_index.get(provider_urn(resource.get("provider", "")))
    if not provider:
        return {}
    raw = unwrap_secret(provider.get("inputs", {}).get("defaultTags"))
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    tags = raw.get("tags") if isinstance(raw, Mapping) else None
    return {k: v for k, v in (tags or {}).items() if isinstance(v, str)}


def account_of(plan_index: Mapping[str, Mapping], resource: Mapping[str, Any]) -> str:
    """The config account a resource lives in: its provider's default tag `account`; management otherwise."""
    if not resource.get("provider"):
        return "-" if not resource.get("custom") else "management"
    return provider_tags(plan_index, resource).get("account") or "management"

