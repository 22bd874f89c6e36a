"""What the deploy-readiness rules share: what each resource waits for (Deps), preview unknowns, case builders."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from ..graph import Graph, Res
from ..rules import CaseResource
from ..stack_helpers import items_of
from ..types import (
    ORG_ACCOUNT,
    PROVIDER,
    STACK_REFERENCE,
)
from ..values import UNKNOWN, decode_json_string, is_unknown


def known(value: Any) -> bool:
    return value is not None and not is_unknown(value)


def decoded_items(value: Any) -> list:
    """items_of a value that provider inputs may carry JSON-encoded."""
    return items_of(decode_json_string(value))


class Deps:
    """What each resource waits for, and reference resolution that also follows components (one per graph)."""

    def __init__(self, g: Graph):
        self.g = g
        self._children: dict[str, list[str]] = {}
        for res in g.resources:
            if res.parent:
                self._children.setdefault(res.parent, []).append(res.urn)
        self._closure: dict[str, frozenset[str]] = {}
        # A StackReference (a split organization's merged plan, landing_zone/graph_merge.py) waits for every resource
        # of the stack it reads: what waits for it waits for them. Kept as one step, not expanded into every closure.
        self._behind: dict[str, set[str]] = {}
        for res in g.resources:
            if res.type == STACK_REFERENCE:
                for urn in res.dependencies:
                    self._behind.setdefault(urn, set()).add(res.urn)
        self._by_name: dict[str, list[Res]] = {}
        for res in g.resources:
            name = res.get("name")
            if isinstance(name, str) and name and not is_unknown(name):
                self._by_name.setdefault(name, []).append(res)

    @classmethod
    def of(cls, g: Graph) -> Deps:
        deps = g.memo.get("deploy-readiness-deps")
        if deps is None:
            deps = g.memo["deploy-readiness-deps"] = cls(g)
        return deps

    def descendants(self, urn: str) -> list[str]:
        found, todo = [], list(self._children.get(urn, ()))
        while todo:
            child = todo.pop()
            found.append(child)
            todo.extend(self._children.get(child, ()))
        return found

    def direct(self, res: Res) -> set[str]:
        if res.type == STACK_REFERENCE:
            return set()  # see _behind
        urns = set(res.dependencies)
        for values in res.property_dependencies.values():
            urns.update(values)
        if res.provider_urn:
            urns.add(res.provider_urn)
        for urn in list(urns):
            urns.update(self.descendants(urn))
        return urns

    def waits_for(self, res: Res) -> frozenset[str]:
        """URNs `res` transitively waits for."""
        hit = self._closure.get(res.urn)
        if hit is None:
            seen: set[str] = set()
            todo = list(self.direct(res))
            while todo:
                urn = todo.pop()
                if urn in seen:
                    continue
                seen.add(urn)
                other = self.g.by_urn.get(urn)
                if other is not None:
                    todo.extend(self.direct(other) - seen)
            hit = self._closure[res.urn] = frozenset(seen)
        return hit

    def waits(self, res: Res, other: Res) -> bool:
        closure = self.waits_for(res)
        return other.urn in closure or not self._behind.get(other.urn, set()).isdisjoint(closure)

    def refs(self, res: Res, prop: str, types: Iterable[str], value: Any = None) -> list[Res]:
        """Resources of `types` that res.prop (or `value`) names: by id / ARN / bucket / name, an ARN's resource part
        (an S3 ARN with a key prefix), else the property dependencies (through components)."""
        types = tuple(types)
        value = res.get(prop) if value is None else value
        found: list[Res] = []
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, str) or not item or is_unknown(item):
                continue
            candidates = [*self.g.by_id(item), *self._by_name.get(item, ())]
            if item.startswith("arn:") and ":::" in item:  # arn:aws:s3:::bucket/prefix
                bucket = item.split(":::", 1)[1].split("/", 1)[0]
                candidates += [*self.g.by_id(bucket), *self.g.by_id(item.split("/", 1)[0])]
            for candidate in candidates:
                if candidate.type in types and candidate not in found:
                    found.append(candidate)
        by_graph: list[Res] = []
        for urn in res.property_dependencies.get(prop, ()):
            for candidate in (urn, *self.descendants(urn)):
                other = self.g.by_urn.get(candidate)
                if other is not None and other.type in types and other not in by_graph:
                    by_graph.append(other)
        if len(found) > 1 and by_graph:  # a name shared across accounts: the graph says which one
            return [f for f in found if f in by_graph] or found
        return found or by_graph

    def provider(self, res: Res) -> Res | None:
        return self.g.by_urn.get(res.provider_urn or "")

    def provider_props(self, res: Res) -> dict[str, Any]:
        """The full inputs of res's provider (the provider resource when it is in the stack)."""
        provider = self.provider(res)
        return provider.props if provider is not None else (self.g.provider_props(res) or {})

    def account_id(self, res: Res) -> str | None:
        """The id of the account res lives in: its provider's allowedAccountIds, else its assumed role's ARN."""
        props = self.provider_props(res)
        ids = [i for i in decoded_items(props.get("allowedAccountIds")) if isinstance(i, str) and known(i)]
        if len(ids) == 1:
            return ids[0]
        for role in decoded_items(props.get("assumeRoles")) + decoded_items(props.get("assumeRole")):
            arn = role.get("roleArn") if isinstance(role, Mapping) else None
            if isinstance(arn, str) and known(arn) and arn.count(":") >= 5:
                return arn.split(":")[4] or None
        return None

    def created_account(self, provider: Res) -> Res | None:
        """The organizations/account of this stack whose role `provider` assumes (by property dependency or id)."""
        accounts = self.g.of_type(ORG_ACCOUNT)
        for prop in ("assumeRoles", "assumeRole", "allowedAccountIds"):
            for urn in provider.property_dependencies.get(prop, ()):
                found = [a for a in accounts if a.urn == urn]
                if found:
                    return found[0]
        text = json.dumps([decode_json_string(provider.get(p)) for p in ("assumeRoles", "assumeRole", "allowedAccountIds")],
                          default=str)
        for account in accounts:
            account_id = account.id if known(account.id) else account.get("id")
            if isinstance(account_id, str) and known(account_id) and account_id in text:
                return account
        return None

    def created_account_of(self, res: Res) -> Res | None:
        provider = self.provider(res)
        return self.created_account(provider) if provider is not None else None


# =========================================================================== cases
ORG_TAGS = {"environment": "core", "account": "management"}


def case_in_account(type_: str, name: str, props: Mapping[str, Any] | None = None, refs: Mapping[str, Any] | None = None,
       account: str = "management", env: str = "core", **kwargs: Any) -> CaseResource:
    """A case resource in `account`; refs: prop -> name(s) of the referenced Res, value unknown as in preview."""
    props = dict(props or {})
    deps = {}
    for prop, names in (refs or {}).items():
        props.setdefault(prop, UNKNOWN)
        deps[prop] = (names,) if isinstance(names, str) else tuple(names)
    return CaseResource(type=type_, name=name, props=props, provider_tags={"environment": env, "account": account},
               property_deps=deps, **kwargs)


def account_case(name: str = "acct-app") -> CaseResource:
    return case_in_account(ORG_ACCOUNT, name, {"name": name, "email": f"{name}@example.com"})


def provider_case(account: str, region: str, created: str | None = "acct-app", **kwargs: Any) -> CaseResource:
    """The provider of `account` in `region` (the name the harness gives the provider of a resource there)."""
    if created is None:
        props = {"region": region, "allowedAccountIds": '["111111111111"]'}
        return case_in_account(PROVIDER, f"{account}-{region}-provider", props, region=region, **kwargs)
    return case_in_account(PROVIDER, f"{account}-{region}-provider", {"region": region},
              refs={"assumeRoles": created, "allowedAccountIds": created}, region=region, **kwargs)
