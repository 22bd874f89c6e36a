"""The plans of a split organization's stacks merged into one plan of the whole organization.

The stack rules that need everything (reachability, segmentation, the organization-wide rules) check the merged
plan, and the equality test compares it with the single-stack plan. URNs are rewritten to the base stack
(`urn:pulumi:prod.network::` -> `urn:pulumi:prod::`), so a resource has the URN it has in single mode; a component
that several stacks build a part of (a hub's SegmentRouting, the resolver of a region) appears once; providers keep
their stack's URN (each stack has its own, e.g. one per account stack for the network account, with a different
role). A StackReference stays, once, as what it means to the engine: it waits for every resource of the stack it
reads (that stack was deployed first), and a value read through it resolves to the upstream resource that holds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

STACK_TYPE = "pulumi:pulumi:Stack"
STACK_REFERENCE = "pulumi:pulumi:StackReference"


def stack_urn(project: str, stack: str) -> str:
    return f"urn:pulumi:{stack}::{project}::{STACK_TYPE}::{project}-{stack}"


def is_provider(urn: str) -> bool:
    return "pulumi:providers:" in urn.split("::")[2] if urn.count("::") >= 3 else False


class UrnMap:
    """Rewrites one stack's URNs to the base stack's (providers and the stack's references excepted)."""

    def __init__(self, project: str, stack: str, base: str):
        self.root, self.base_root = stack_urn(project, stack), stack_urn(project, base)
        self.prefix, self.base_prefix = f"urn:pulumi:{stack}::", f"urn:pulumi:{base}::"

    def __call__(self, urn: str) -> str:
        if urn == self.root:
            return self.base_root
        if is_provider(urn) or not urn.startswith(self.prefix):
            return urn
        return self.base_prefix + urn[len(self.prefix):]


def merge_plans(plans: list[Mapping[str, Any]], base: str) -> dict:
    """One plan of the organization `base` from its stacks' plans (in graph order)."""
    project = plans[0]["project"]
    resources: dict[str, dict] = {}
    stack_urns: dict[str, list[str]] = {}  # stack -> its resources' merged URNs
    owners = _ValueOwners()
    for plan in plans:
        urn_of = UrnMap(project, plan["stack"], base)
        references = {r["urn"]: r for r in plan["resources"] if r["type"] == STACK_REFERENCE}
        urns = stack_urns[plan["stack"]] = []
        for record in plan["resources"]:
            if record["type"] == STACK_REFERENCE:
                merged = _reference(record, urn_of, stack_urns)
            else:
                merged = _rewrite(record, urn_of, references, owners)
                urns.append(merged["urn"])
            resources.setdefault(merged["urn"], merged)  # a component several stacks build a part of: once
        owners.add(resources[u] for u in urns)
    return {"project": project, "stack": base, "resources": list(resources.values()),
            "outputs": _merge_outputs([p.get("outputs") or {} for p in plans]),
            "invokes": [i for p in plans for i in p.get("invokes") or []]}


def _reference(record: Mapping[str, Any], urn_of: UrnMap, stack_urns: Mapping[str, list[str]]) -> dict:
    """A StackReference waits for the whole stack it reads."""
    stack = str((record.get("inputs") or {}).get("name") or record["name"]).rsplit("/", 1)[-1]
    return {**record, "urn": urn_of(record["urn"]), "parent": urn_of(record.get("parent") or ""),
            "dependencies": list(stack_urns.get(stack, [])), "property_dependencies": {}}


class _ValueOwners:
    """Which upstream resource holds a value (its id, else another string output such as its ARN)."""

    def __init__(self) -> None:
        self.by_id: dict[str, str] = {}
        self.by_output: dict[str, str] = {}

    def add(self, records: Any) -> None:
        for record in records:
            if not record.get("custom", True):
                continue
            if isinstance(record.get("id"), str) and record["id"]:
                self.by_id.setdefault(record["id"], record["urn"])
            for value in (record.get("outputs") or {}).values():
                if isinstance(value, str) and len(value) > 8:
                    self.by_output.setdefault(value, record["urn"])

    def of(self, value: Any) -> list[str]:
        found: list[str] = []
        for item in _strings(value):
            urn = self.by_id.get(item) or self.by_output.get(item)
            if urn and urn not in found:
                found.append(urn)
        return found


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _rewrite(record: Mapping[str, Any], urn_of: UrnMap, references: Mapping[str, Any], owners: _ValueOwners) -> dict:
    """The record with merged URNs; a property read through a StackReference also depends on the upstream resource
    that holds its value, as it would in single mode."""
    out = dict(record)
    out["urn"] = urn_of(record["urn"])
    if record.get("parent"):
        out["parent"] = urn_of(record["parent"])
    out["dependencies"] = [urn_of(u) for u in record.get("dependencies") or []]
    if record.get("property_dependencies"):
        inputs = record.get("inputs") or {}
        out["property_dependencies"] = {
            key: [urn_of(u) for u in urns] + (owners.of(inputs.get(key)) if set(urns) & set(references) else [])
            for key, urns in record["property_dependencies"].items()}
    return out


def _merge_outputs(outputs: list[Mapping[str, Any]]) -> dict:
    """The stacks' outputs as one: maps merged key by key (each stack's contract names its own accounts)."""
    merged: dict[str, Any] = {}
    for one in outputs:
        merged = _deep_merge(merged, one)
    return merged


def _deep_merge(a: Any, b: Any) -> Any:
    if isinstance(a, Mapping) and isinstance(b, Mapping) and not _is_envelope(a) and not _is_envelope(b):
        return {**a, **{k: _deep_merge(a[k], v) if k in a else v for k, v in b.items()}}
    return b if b not in (None, {}, []) or a in (None, {}, []) else a


def _is_envelope(value: Mapping) -> bool:
    from landing_zone.wire import SIG_KEY

    return SIG_KEY in value
