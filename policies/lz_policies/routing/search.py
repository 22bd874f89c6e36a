"""Route selection (longest prefix, static over propagated) and the search for paths between attachments."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

from .addresses import ALL_ADDRESSES, AddrSet, collapse, subtract
from .build import Builder, built
from .model import SEGMENT_ORDER, Attachment, Hop, Path, Reachability, Route, Table

MAX_HOPS = 4


def _beats(other: Route, route: Route) -> bool:
    """Does `other` win over `route` for the addresses of other's prefix (both prefixes known)?"""
    assert other.prefix is not None and route.prefix is not None
    mine, theirs = route.prefix, other.prefix
    if theirs.version != mine.version or theirs.prefixlen < mine.prefixlen:
        return False
    if theirs.prefixlen == mine.prefixlen:  # same prefix: static (and blackhole) beat propagated
        return theirs == mine and other.static and not route.static
    return theirs.subnet_of(mine)  # type: ignore[arg-type]  # longer prefix inside mine


def _effective(route: Route, routes: list[Route]) -> AddrSet:
    """The addresses for which `route` is the route chosen in its table."""
    if route.prefix is None:
        return AddrSet((), dynamic=True)
    winners = [o.prefix for o in routes if o is not route and o.prefix is not None and _beats(o, route)]
    return AddrSet(collapse(subtract(route.prefix, winners)))  # type: ignore[arg-type]


def _effective_in_table(routes: list[Route]) -> dict[int, AddrSet]:
    """`_effective` of every route of one table, without comparing every route with every other.

    A route can only be beaten by a route whose prefix lies inside its own, i.e. whose network address falls in
    its address range: those are found by bisecting the table's known prefixes sorted by address, then checked
    with `_beats` in table order, exactly as `_effective` does.
    """
    by_version: dict[int, list[tuple[int, int, Route]]] = {}
    for position, route in enumerate(routes):
        if route.prefix is not None:
            by_version.setdefault(route.prefix.version, []).append(
                (int(route.prefix.network_address), position, route))
    starts: dict[int, list[int]] = {}
    for version, entries in by_version.items():
        entries.sort(key=lambda entry: entry[:2])
        starts[version] = [entry[0] for entry in entries]
    result: dict[int, AddrSet] = {}
    for route in routes:
        if route.prefix is None:
            result[id(route)] = AddrSet((), dynamic=True)
            continue
        entries, keys = by_version[route.prefix.version], starts[route.prefix.version]
        low = bisect.bisect_left(keys, int(route.prefix.network_address))
        high = bisect.bisect_right(keys, int(route.prefix.broadcast_address))
        inside = sorted(entries[low:high], key=lambda entry: entry[1])  # table order, as `_effective` sees them
        winners = [o.prefix for _, _, o in inside if o is not route and _beats(o, route)]
        result[id(route)] = AddrSet(collapse(subtract(route.prefix, winners)))  # type: ignore[arg-type]
    return result


class _Search:
    def __init__(self, builder: Builder):
        self.b = builder
        self.effective: dict[int, AddrSet] = {}
        for routes in builder.routes.values():
            self.effective.update(_effective_in_table(routes))
        # Paths from a set of associated tables; attachments associated with the same tables share one search.
        self._from_tables: dict[tuple[str, ...], dict[str, tuple[Hop, ...]]] = {}

    def from_attachment(self, source: Attachment) -> dict[str, tuple[Hop, ...]]:
        """Target attachment key -> the first (shortest) path found from `source`."""
        tables = tuple(self.b.assoc.get(source.key, []))
        if source.kind == "peering":  # a route back to a peering source would be followed: search on its own
            return self._search(tables, source.key)
        # The search only differs per source by skipping routes to the source itself; for a source that is not a
        # peering attachment such a route only adds the source as a target (it leads nowhere further): drop it.
        shared = self._from_tables.get(tables)
        if shared is None:
            shared = self._from_tables[tables] = self._search(tables, None)
        return {target: hops for target, hops in shared.items() if target != source.key}

    def _search(self, tables: tuple[str, ...], skip: str | None) -> dict[str, tuple[Hop, ...]]:
        """Breadth-first from `tables`: target attachment key -> first path; routes to `skip` are not followed."""
        found: dict[str, tuple[Hop, ...]] = {}
        queue = [(t, ALL_ADDRESSES, ()) for t in tables]
        while queue:
            table_urn, addresses, hops = queue.pop(0)
            if len(hops) >= MAX_HOPS:
                continue
            table = self.b.tables[table_urn]
            for route in self.b.routes[table_urn]:
                carried = self.effective[id(route)].intersect(addresses)
                if route.blackhole or not carried or route.target is None or route.target == skip:
                    continue
                hop = Hop(table.name, table.urn, route.description, route.source_urn)
                target = self.b.attachments[route.target]
                if target.kind == "peering":
                    queue.extend((t, carried, hops + (hop,)) for t in self._ingress(target, table, hops))
                elif route.target not in found:
                    found[route.target] = hops + (hop,)
        return found

    def _ingress(self, peering: Attachment, table: Table, hops: tuple[Hop, ...]) -> list[str]:
        """Tables of the peer TGW that route what arrives over `peering`."""
        visited = {h.table_urn for h in hops} | {table.urn}
        out = []
        for urn in self.b.assoc.get(peering.key, []):
            other = self.b.tables[urn]
            same_tgw = table.tgw is not None and other.tgw == table.tgw
            if urn not in visited and not same_tgw:
                out.append(urn)
        return out


def _segment_sort_key(segment: str) -> tuple[int, str]:
    return (SEGMENT_ORDER.index(segment) if segment in SEGMENT_ORDER else len(SEGMENT_ORDER), segment)


def compute(resources: Iterable[Any]) -> Reachability:
    """Segment reachability of the TGW network described by `resources` (see the module docstring)."""
    builder = built(resources)
    search = _Search(builder)
    endpoints = {k: a for k, a in builder.attachments.items() if a.kind != "peering"}
    edges: dict[tuple[str, str], tuple[Hop, ...]] = {}
    for key in sorted(endpoints, key=lambda k: endpoints[k].name):
        for target, hops in search.from_attachment(endpoints[key]).items():
            if target in endpoints:
                edges[(key, target)] = hops
    segments = tuple(sorted({a.segment for a in endpoints.values()}, key=_segment_sort_key))
    return _summarize(segments, endpoints, edges, builder)


def _summarize(segments: tuple[str, ...], endpoints: dict[str, Attachment],
               edges: dict[tuple[str, str], tuple[Hop, ...]], builder: Builder) -> Reachability:
    paths: dict[tuple[str, str], list[Path]] = {}
    bidirectional: set[tuple[str, str]] = set()
    for (x, y), hops in edges.items():
        ax, ay = endpoints[x], endpoints[y]
        paths.setdefault((ax.segment, ay.segment), []).append(Path(ax.name, ay.name, ax.segment, ay.segment, hops))
        if (y, x) in edges:
            bidirectional.add((ax.segment, ay.segment))
    matrix = {(a, b): (a, b) in bidirectional for a in segments for b in segments}
    one_way = {pair for pair in paths if pair not in bidirectional and pair[0] != pair[1]}
    return Reachability(
        segments=segments,
        paths={k: tuple(sorted(v, key=lambda p: (len(p.hops), p.source, p.target))) for k, v in paths.items()},
        matrix=matrix,
        one_way=one_way,
        attachments={a.name: a.segment for a in endpoints.values()},
        tables={t.name: t.segment for t in builder.tables.values()},
        unresolved=list(builder.unresolved),
        notes=list(builder.notes),
        dns_routes=list(builder.dns_routes),
    )
