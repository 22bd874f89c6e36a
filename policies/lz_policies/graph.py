"""The pack's general resource graph: resources of any shape normalized, indexed by URN, id and type, and
references resolved the way the engine allows (see routing/__init__.py, "How references are resolved").

`Graph(resources)` takes plan JSON entries, pulumi_policy PolicyResources or the stack view's resources; properties
are snapshots (values.snapshot: unknowns as NOT_YET_KNOWN, secrets opened), inputs completed by outputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .tags import provider_default_tags
from .types import (
    DX_ASSOCIATION,
    PEERING_ACCEPTER,
    VPC_ATTACHMENT_ACCEPTER,
    VPN_CONNECTION,
)
from .values import decode_json_string, is_unknown, read_member, snapshot

# Resources whose output `transitGatewayAttachmentId` is their own attachment id (an id the graph resolves).
OWN_ATTACHMENT_ID_TYPES = (VPN_CONNECTION, DX_ASSOCIATION, VPC_ATTACHMENT_ACCEPTER, PEERING_ACCEPTER)


@dataclass
class Res:
    """One resource, whatever shape it came in."""

    urn: str
    type: str
    name: str
    props: dict[str, Any]
    id: str | None = None
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    dependencies: tuple[str, ...] = ()
    provider_urn: str | None = None
    provider_props: dict[str, Any] | None = None
    parent: str | None = None
    create_timeout_seconds: float = 0.0  # the customTimeouts create option (0: the provider's default)

    def get(self, key: str, default: Any = None) -> Any:
        return self.props.get(key, default)

    @property
    def tags(self) -> dict[str, Any]:
        """Own tags, completed by tagsAll (which carries provider default tags in the state)."""
        merged: dict[str, Any] = {}
        for key in ("tagsAll", "tags"):
            value = self.props.get(key)
            if isinstance(value, Mapping):
                merged.update(value)
        return merged


def _field(obj: Any, *names: str) -> Any:
    for name in names:
        if isinstance(obj, Mapping):
            if name in obj:
                return read_member(obj, name)
        elif hasattr(obj, name):
            return getattr(obj, name)
    return None


def _urn_of(ref: Any) -> str | None:
    """A dependency may be a URN string or a PolicyResource-like object."""
    if isinstance(ref, str):
        return ref
    urn = _field(ref, "urn")
    return urn if isinstance(urn, str) else None


def _provider_fields(provider: Any, plain_cache: dict[int, tuple[Any, Any]] | None = None,
                     ) -> tuple[str | None, dict[str, Any] | None]:
    if provider is None or provider == "":
        return None, None
    if isinstance(provider, str):
        # "<provider urn>::<provider id>"; the urn itself contains "::", the id is after the last one.
        return (provider.rsplit("::", 1)[0] if provider.count("::") > 3 else provider), None
    props = _field(provider, "props", "inputs", "properties")
    return _urn_of(provider), (_plain_shared(props, plain_cache) if props is not None else None)


def _plain_shared(value: Any, cache: dict[int, tuple[Any, Any]] | None) -> Any:
    """snapshot(value), computed once per distinct object when a cache is given (read-only for its users)."""
    if cache is None or isinstance(value, str):
        return snapshot(value)
    hit = cache.get(id(value))
    if hit is None or hit[0] is not value:
        hit = cache[id(value)] = (value, snapshot(value))  # keeps `value` alive, so its id is not reused
    return hit[1]


def _merged_props(obj: Any) -> dict[str, Any]:
    props = snapshot(_field(obj, "inputs", "props", "properties") or {})
    outputs = snapshot(_field(obj, "outputs") or {})
    if not isinstance(props, dict):
        props = {}
    if isinstance(outputs, dict):
        for key, value in outputs.items():
            if props.get(key) is None or is_unknown(props.get(key)):
                props[key] = value
    return props


def normalize(obj: Any, plain_cache: dict[int, tuple[Any, Any]] | None = None) -> Res:
    """Builds a Res from a plan entry, a dict, or a pulumi_policy PolicyResource.

    `plain_cache` (id of a provider's props -> (props, plain copy)) lets the resources of one provider share one
    plain copy of its inputs instead of copying them once per resource (Graph passes one per build).
    """
    if isinstance(obj, Res):
        return obj
    deps_raw = _field(obj, "property_dependencies", "propertyDependencies") or {}
    property_dependencies = {
        str(k): tuple(u for u in (_urn_of(d) for d in (deps_raw[k] or [])) if u) for k in deps_raw
    }
    dependencies = tuple(u for u in (_urn_of(d) for d in (_field(obj, "dependencies") or [])) if u)
    provider_urn, provider_props = _provider_fields(_field(obj, "provider"), plain_cache)
    if provider_urn is None and provider_props is None:  # views.Resource (the stack view) keeps them apart
        provider_urn = _field(obj, "provider_urn")
        raw_provider_props = _field(obj, "provider_props")
        provider_props = _plain_shared(raw_provider_props, plain_cache) if raw_provider_props is not None else None
    raw_id = _field(obj, "id")
    props = _merged_props(obj)
    if not isinstance(raw_id, str) or is_unknown(raw_id) or not raw_id:
        raw_id = props.get("id") if isinstance(props.get("id"), str) else None
    parent = _field(obj, "parent")
    return Res(
        urn=str(_field(obj, "urn") or ""),
        type=str(_field(obj, "type", "resource_type") or ""),
        name=str(_field(obj, "name") or ""),
        props=props,
        id=raw_id,
        property_dependencies=property_dependencies,
        dependencies=dependencies,
        provider_urn=provider_urn,
        provider_props=provider_props,
        parent=_urn_of(parent) if parent else None,
        create_timeout_seconds=_create_timeout(obj),
    )


def _create_timeout(obj: Any) -> float:
    """The customTimeouts create option in seconds (what the engine sends the analyzer), else 0: the stack view's
    `create_timeout_seconds`, or a PolicyResource's `opts.custom_timeouts.create_seconds`."""
    seconds = _field(obj, "create_timeout_seconds")
    if seconds is None:
        seconds = getattr(getattr(getattr(obj, "opts", None), "custom_timeouts", None), "create_seconds", 0)
    return float(seconds) if isinstance(seconds, int | float) else 0.0


_NO_TAGS: dict[str, Any] = {}


class Graph:
    """Resources indexed by URN, id and type, with reference resolution (see module docstring)."""

    def __init__(self, resources: Iterable[Any]):
        plain_cache: dict[int, tuple[Any, Any]] = {}
        self.resources = [normalize(r, plain_cache) for r in resources]
        self.by_urn = {r.urn: r for r in self.resources if r.urn}
        self._by_id: dict[str, list[Res]] = {}
        self._by_type: dict[str, list[Res]] = {}
        self._position: dict[int, int] = {}
        for position, res in enumerate(self.resources):
            self._position[id(res)] = position
            self._by_type.setdefault(res.type, []).append(res)
            for key in self._id_keys(res):
                self._by_id.setdefault(key, []).append(res)
        # Derived per-graph facts, computed on first use (rules call these once per resource).
        self._provider_tags: dict[int, tuple[Any, dict[str, Any]]] = {}
        self.memo: dict[str, Any] = {}  # indexes that rules derive from the graph and share (see stack_helpers.indexed)

    @staticmethod
    def _id_keys(res: Res) -> set[str]:
        keys = {res.id} if res.id else set()
        for prop in ("arn", "id", "bucket"):
            value = res.get(prop)
            if isinstance(value, str) and value and not is_unknown(value):
                keys.add(value)
        if res.type in OWN_ATTACHMENT_ID_TYPES:
            value = res.get("transitGatewayAttachmentId")
            if isinstance(value, str) and value and not is_unknown(value):
                keys.add(value)
        return keys

    def of_type(self, *types: str) -> list[Res]:
        """Resources of `types`, in graph order (from the type index: no scan of the whole graph)."""
        found = [self._by_type[t] for t in dict.fromkeys(types) if t in self._by_type]
        if len(found) <= 1:
            return list(found[0]) if found else []
        return sorted((r for group in found for r in group), key=lambda r: self._position[id(r)])

    def by_id(self, value: str) -> list[Res]:
        return list(self._by_id.get(value, []))

    def resolve(self, res: Res, prop: str, types: Sequence[str]) -> list[Res]:
        """The resources of `types` that `res.props[prop]` refers to; [] when it cannot be told."""
        found = self._resolve_by_value(res.get(prop), types)
        if found:
            return found
        found = self._of_types(res.property_dependencies.get(prop, ()), types)
        if found:
            return found
        candidates = self._of_types(res.dependencies, types)
        return candidates if len(candidates) == 1 else []

    def _resolve_by_value(self, value: Any, types: Sequence[str]) -> list[Res]:
        values = value if isinstance(value, list) else [value]
        found: list[Res] = []
        for item in values:
            if isinstance(item, str) and item and not is_unknown(item):
                found.extend(r for r in self.by_id(item) if r.type in types and r not in found)
        return found

    def _of_types(self, urns: Iterable[str], types: Sequence[str]) -> list[Res]:
        out: list[Res] = []
        for urn in urns:
            res = self.by_urn.get(urn)
            if res is not None and res.type in types and res not in out:
                out.append(res)
        return out

    # -- provider facts (environment, account, region) ------------------------------------------------
    def provider_props(self, res: Res) -> dict[str, Any]:
        if res.provider_props is not None:
            return res.provider_props
        provider = self.by_urn.get(res.provider_urn or "")
        return provider.props if provider is not None else {}

    def provider_tags(self, res: Res) -> dict[str, Any]:
        return dict(self._shared_provider_tags(res))

    def _shared_provider_tags(self, res: Res) -> dict[str, Any]:
        """The provider's default tags, decoded once per provider (the caller must not modify them)."""
        props = self.provider_props(res)
        if not props:
            return _NO_TAGS
        hit = self._provider_tags.get(id(props))
        if hit is None or hit[0] is not props:
            hit = self._provider_tags[id(props)] = (props, provider_default_tags(props))
        return hit[1]

    def _tag(self, res: Res, key: str) -> str | None:
        """Provider default tag `key`, else the resource's own tag."""
        value = self._shared_provider_tags(res).get(key)
        if isinstance(value, str) and not is_unknown(value):
            return value
        value = res.tags.get(key)
        return value if isinstance(value, str) and not is_unknown(value) else None

    def environment(self, res: Res) -> str | None:
        """Provider default tag `environment`, else the resource's own tags; never guessed from names."""
        return self._tag(res, "environment")

    def account(self, res: Res) -> str | None:
        return self._tag(res, "account")

    def region(self, res: Res) -> str | None:
        """The resource's own `region` (pulumi-aws 7 per-resource override), else its provider's."""
        for value in (res.get("region"), decode_json_string(self.provider_props(res).get("region"))):
            if isinstance(value, str) and value and not is_unknown(value):
                return value
        return None
