"""What the stack rules share: preview unknowns collected per check, labels, graph indexes, case builders."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .graph import Graph, Res
from .rules import CaseResource
from .types import BUCKETS, ORG_ACCOUNT, TRAIL, VPC, short_type
from .values import UNKNOWN, cannot_verify, is_unknown


class Unknowns(list):
    """Values that decide a rule but are unknown during preview; raised as one advisory at the end."""

    def check(self, res: Res, prop: str, value: Any = None) -> bool:
        """True (and recorded) when res.prop is unknown."""
        value = res.get(prop) if value is None else value
        if is_unknown(value):
            self.append(f"{short_type(res.type)} {res.name}.{prop}")
            return True
        return False

    def add(self, res: Res, prop: str) -> None:
        """Record res.prop as unknown (the caller has seen that it is)."""
        self.append(f"{short_type(res.type)} {res.name}.{prop}")

    def raise_if_any(self) -> None:
        if self:
            raise cannot_verify(list(dict.fromkeys(self)))


def label(res: Res) -> str:
    return f"{short_type(res.type)} {res.name}"


def items_of(value: Any) -> list:
    if value is None or is_unknown(value):
        return []
    return list(value) if isinstance(value, list) else [value]


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def covered_by(graph: Graph, linkers: Iterable[Res], prop: str, types: tuple[str, ...],
                unknowns: Unknowns) -> tuple[set[str], bool]:
    """URNs of `types` that some linker's `prop` points at; flag when a linker's target cannot be told."""
    covered: set[str] = set()
    undecided = False
    for linker in linkers:
        targets = graph.resolve(linker, prop, types)
        if targets:
            covered.update(t.urn for t in targets)
        elif unknowns.check(linker, prop):
            undecided = True
    return covered, undecided


def case_resource(type_: str, name: str, props: Mapping[str, Any] | None = None, refs: Mapping[str, Any] | None = None,
          env: str | None = "core", **kwargs: Any) -> CaseResource:
    """A stack-case resource; refs: prop -> name (or names) of the referenced Res, value unknown as in preview."""
    props = dict(props or {})
    deps = {}
    for prop, names in (refs or {}).items():
        names = (names,) if isinstance(names, str) else tuple(names)
        props.setdefault(prop, UNKNOWN)
        deps[prop] = names
    return CaseResource(type=type_, name=name, props=props, env=env, property_deps=deps, **kwargs)


def own_tag(res: Res, key: str) -> str | None:
    value = res.tags.get(key)
    return value if isinstance(value, str) and not is_unknown(value) else None


# --------------------------------------------------------------------------- X-12 subnet routes
def account_urn(g: Graph, account: str | None) -> str | None:
    """The URN of the organizations/account resource that creates `account`, where a finding about the account (not
    about one of its resources) is reported; None when this stack does not create it."""
    named = indexed(g, "account-urns", lambda graph: {own_tag(a, "account"): a.urn for a in graph.of_type(ORG_ACCOUNT)})
    return named.get(account)


def indexed(g: Graph, key: str, build: Any) -> Any:
    """An index derived from the graph, built once per graph (so once per AnalyzeStack) and shared by the rules."""
    memo = getattr(g, "memo", None)
    if memo is None:
        return build(g)
    if key not in memo:
        memo[key] = build(g)
    return memo[key]


def referrers(g: Graph, linker_type: str, prop: str, target_types: tuple[str, ...]) -> dict[int, list[Res]]:
    """id(target) -> the resources of `linker_type` whose `prop` resolves to it, in graph order."""
    found: dict[int, list[Res]] = {}
    for linker in g.of_type(linker_type):
        for target in g.resolve(linker, prop, target_types):
            found.setdefault(id(target), []).append(linker)
    return found


def trail_buckets(g: Graph) -> list[Res]:
    """The buckets organization trails write to."""
    return [b for t in g.of_type(TRAIL) for b in g.resolve(t, "s3BucketName", BUCKETS)]


# =========================================================================== test cases (graphs)
def vpc_case(name: str = "prod-vpc", cidr: str = "10.1.0.0/16", env: str = "prod") -> CaseResource:
    return case_resource(VPC, name, {"cidrBlock": cidr}, env=env)


# Fixtures of the organization trail and its bucket (X-06 keys, X-09 bucket).
TRAIL_BUCKET_CASE = case_resource(BUCKETS[0], "trail-bucket", {"bucket": "org-trail-logs"})
TRAIL_CASE = case_resource(TRAIL, "org-trail", {"isOrganizationTrail": True}, {"s3BucketName": "trail-bucket"})
