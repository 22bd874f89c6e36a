"""What checks see: a resource check's Subject, and the Stack a stack check sees (built once per request)."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import ResourceValidationArgs, StackValidationArgs

from .graph import Graph
from .tags import STRICTEST_ENVIRONMENT, environment_of, own_tags, provider_default_tags
from .types import short_type
from .values import dig, is_unknown

GRAPH_MEMO_KEY = "reachability-graph"


class Subject:
    """What a resource check sees: the resource as the engine sent it, its environment and the merged config."""

    def __init__(self, args: ResourceValidationArgs, config: Mapping[str, Any]) -> None:
        self.type: str = args.resource_type
        self.urn: str = args.urn
        self.name: str = args.name
        self.props: Mapping[str, Any] = args.props
        self.provider_props: Mapping[str, Any] = args.provider.props if args.provider else {}
        self.cfg: Mapping[str, Any] = config
        self.env: str | None = environment_of(self.props, self.provider_props)

    @property
    def strict_env(self) -> str:
        """The environment, or the strictest one when the resource carries no environment tag."""
        return self.env or STRICTEST_ENVIRONMENT

    def get(self, *path: Any, default: Any = None) -> Any:
        return dig(self.props, *path, default=default)

    def tags(self) -> dict[str, str]:
        """Effective tags: provider default tags overlaid with the resource's own tags."""
        return {**provider_default_tags(self.provider_props), **own_tags(self.props)}

    def short_type(self) -> str:
        return short_type(self.type)


@dataclass
class Resource:
    """A resource of the stack as a stack rule sees it (references are URNs, props as the engine sent them)."""

    type: str
    urn: str
    name: str
    props: Mapping[str, Any]
    provider_props: Mapping[str, Any]
    provider_urn: str | None
    parent: str | None
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    create_timeout_seconds: float = 0.0  # the customTimeouts create option (0: the provider's default)

    @property
    def env(self) -> str | None:
        return environment_of(self.props, self.provider_props)

    @property
    def strict_env(self) -> str:
        return self.env or STRICTEST_ENVIRONMENT

    @property
    def account(self) -> str | None:
        """The `account` default tag of the resource's provider (the config name of its account)."""
        return provider_default_tags(self.provider_props).get("account")

    @property
    def region(self) -> str | None:
        region = self.provider_props.get("region") if self.provider_props else None
        return None if region is None or is_unknown(region) else str(region)

    def get(self, *path: Any, default: Any = None) -> Any:
        return dig(self.props, *path, default=default)

    def tags(self) -> dict[str, str]:
        return {**provider_default_tags(self.provider_props), **own_tags(self.props)}


class Stack:
    """What a stack check sees: every resource, with lookups by type and URN, and the merged config.

    The resource view is built once per AnalyzeStack request and shared by every stack rule (see stack_view);
    `memo` holds further derived structures the rules share (e.g. the resource graph of graph.py).
    """

    def __init__(self, args: StackValidationArgs, config: Mapping[str, Any],
                 given: Mapping[str, Any] | None = None) -> None:
        self.cfg: Mapping[str, Any] = config
        self.given: Mapping[str, Any] = given or {}  # what the policy config set explicitly (cfg adds defaults)
        view = stack_view(args.resources)
        self.resources: list[Resource] = view.resources
        self.by_urn: dict[str, Resource] = view.by_urn
        self.memo: dict[str, Any] = view.memo
        self._by_type = view.by_type

    def of_type(self, *types: str) -> list[Resource]:
        if len(types) == 1:
            return list(self._by_type.get(types[0], ()))
        wanted = set(types)
        return [r for r in self.resources if r.type in wanted]

    def graph(self) -> Graph:
        """The stack as a Graph (plain props, references resolved by id / ARN / name, else by property
        dependencies), built once per request and shared by every stack rule."""
        graph = self.memo.get(GRAPH_MEMO_KEY)
        if graph is None:
            graph = self.memo[GRAPH_MEMO_KEY] = Graph(self.resources)
        return graph

    def referencing(self, urn: str) -> list[Resource]:
        """Resources that depend on `urn` (directly, through dependencies or property dependencies)."""
        return [
            r
            for r in self.resources
            if urn in r.dependencies or any(urn in urns for urns in r.property_dependencies.values())
        ]


@dataclass
class StackView:
    """The stack's resources as stack rules see them, for one AnalyzeStack request."""

    source: Sequence[Any]  # the request's resource list (kept referenced, so its identity cannot be reused)
    resources: list[Resource]
    by_urn: dict[str, Resource]
    by_type: dict[str, list[Resource]]
    memo: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(cls, source: Sequence[Any]) -> StackView:
        resources = [to_resource(r) for r in source]
        by_type: dict[str, list[Resource]] = {}
        for r in resources:
            by_type.setdefault(r.type, []).append(r)
        return cls(source, resources, {r.urn: r for r in resources}, by_type)


_last_view: list[StackView] = []
_view_lock = threading.Lock()


def stack_view(source: Sequence[Any]) -> StackView:
    """The view of `source`, reused while the same resources list is analyzed.

    The pack's analyzer (analyzer.PackAnalyzer) passes one list to every stack policy of a request, so the ~20 stack
    rules share one view; under pulumi-policy's stock servicer each policy gets a new list and a new view.
    """
    with _view_lock:
        if _last_view and _last_view[0].source is source:
            return _last_view[0]
        view = StackView.build(source)
        _last_view[:] = [view]
        return view


def to_resource(r: Any) -> Resource:
    """Build a Resource from a pulumi_policy PolicyResource."""
    return Resource(
        type=r.resource_type,
        urn=r.urn,
        name=r.name,
        props=r.props,
        provider_props=r.provider.props if r.provider else {},
        provider_urn=r.provider.urn if r.provider else None,
        parent=r.parent.urn if r.parent is not None else r.opts.parent,
        dependencies=[d.urn for d in r.dependencies],
        property_dependencies={k: [d.urn for d in v] for k, v in r.property_dependencies.items()},
        create_timeout_seconds=float(getattr(getattr(r.opts, "custom_timeouts", None), "create_seconds", 0) or 0),
    )
