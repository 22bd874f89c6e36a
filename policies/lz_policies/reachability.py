"""Segment reachability of a Transit Gateway network, computed from plan-like resources.

STDLIB ONLY, and no imports from the rest of the pack: the CrossGuard rule X-17 (stack_rules.py) and the
`lz reach` command (landing_zone/, which puts policies/ on sys.path and imports `lz_policies.reachability`)
share this one implementation.

Input
-----
`compute(resources)` takes an iterable of resources in any of these shapes (mixed is fine):
  * plan JSON entries: {"urn", "type", "name", "inputs", "outputs", "id", "provider": "<provider urn>::<id>",
    "dependencies": [urn], "property_dependencies": {prop: [urn]}}; provider resources
    (`pulumi:providers:aws`) are entries of the same list;
  * pulumi_policy `PolicyResource` objects (duck-typed: `resource_type`, `props`, `urn`, `name`, `provider`
    with `.props`, `dependencies` and `property_dependencies` holding other PolicyResources);
  * plain dicts with `props` instead of `inputs`, `propertyDependencies` instead of `property_dependencies`,
    and `provider` either a reference string or a dict {"urn", "inputs"|"props"}.
Properties are `inputs` (or `props`), completed by `outputs` where an input is missing or unknown.

How references are resolved (the important part)
------------------------------------------------
A route table association says `transitGatewayAttachmentId: <id>`, but ids of resources being created only
exist after the cloud call: in `pulumi preview` (the pack) they are unknown, and in the offline plan they are
whatever the mocks invented. So a reference property is resolved, in order, by
  1. its value, when known, matched against the ids (and ARNs, and aliases such as a VPN connection's
     `transitGatewayAttachmentId` output) of the resources in the plan;
  2. the resource graph: the engine's `propertyDependencies[prop]` lists the URNs that produced the value,
     which is exact and works while the value itself is unknown;
  3. `dependencies` (explicit depends_on), only when exactly one resource of the expected type is there.
References that none of these resolve are recorded in `Reachability.unresolved` (the pack reports them as
advisory) and the resource they belong to is left out; nothing raises.

Model
-----
* Attachments: VPC attachments (and their accepters, folded into the attachment they accept), site-to-site
  VPN connections on a TGW, Direct Connect gateway associations with a TGW, Connect attachments, peering
  attachments. Segment = tag `segment` on the attachment (or on its accepter); else `hybrid` for VPN and
  Direct Connect; else the environment of the attachment's provider default tags (own tags as fallback):
  prod->prod, nonprod->nonprod, sandbox->sandbox, core->shared. A lone accepter (attachment in another stack)
  does not inherit the network account's environment: it needs a `segment` tag.
* Prefixes an attachment propagates: its VPC's CIDR blocks (plus `vpcIpv4CidrBlockAssociation`s); VPN,
  Direct Connect and Connect learn prefixes by BGP, so theirs are "dynamic" (unknown). Peering attachments do
  not propagate.
* Route selection per table follows AWS: longest prefix wins; on the same prefix a static route (including
  a blackhole) beats a propagated one. A route counts only for the addresses it actually wins, so a
  blackhole of the same prefix, or several more specific blackholes that together cover a propagated
  prefix, remove that path. Dynamic (unknown) prefixes are assumed not to overlap the planned AWS ranges:
  they are reachable from an associated table but neither shadow nor are shadowed by known prefixes.
* Peering: a route to a peering attachment continues in the peer TGW's table associated with that peering
  attachment, restricted to the addresses the first route carried (so per-segment routes across regions
  are followed exactly); at most MAX_HOPS tables per path.
* Attachment x can send to attachment y when a table associated with x (directly, or through peering hops)
  holds a route to y that wins for at least one address. Segments A and B exchange traffic when some
  attachment of A sends to some attachment of B AND that one sends back (return path); a path without its
  return is reported as one-way.
Not modelled: VPC route tables of the spokes (a missing route there only removes paths), Direct Connect
`allowedPrefixes` filtering, appliance-mode inspection; TGW default association/propagation is reported as
a note (X-05 forbids it).
"""

from __future__ import annotations

import bisect
import ipaddress
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DEFAULT_INTENT",
    "ENVIRONMENT_SEGMENT",
    "UNKNOWN",
    "Difference",
    "DnsRoute",
    "Graph",
    "Hop",
    "Link",
    "Path",
    "Reachability",
    "Res",
    "compare",
    "compute",
    "intent_matrix",
    "is_unknown",
    "normalize_intent",
    "plain",
    "table_links",
]

# --------------------------------------------------------------------------- resource types
TGW = "aws:ec2transitgateway/transitGateway:TransitGateway"
TGW_ROUTE_TABLE = "aws:ec2transitgateway/routeTable:RouteTable"
VPC_ATTACHMENT = "aws:ec2transitgateway/vpcAttachment:VpcAttachment"
VPC_ATTACHMENT_ACCEPTER = "aws:ec2transitgateway/vpcAttachmentAccepter:VpcAttachmentAccepter"
PEERING_ATTACHMENT = "aws:ec2transitgateway/peeringAttachment:PeeringAttachment"
PEERING_ACCEPTER = "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter"
CONNECT_ATTACHMENT = "aws:ec2transitgateway/connect:Connect"
VPN_CONNECTION = "aws:ec2/vpnConnection:VpnConnection"
DX_GATEWAY = "aws:directconnect/gateway:Gateway"
DX_ASSOCIATION = "aws:directconnect/gatewayAssociation:GatewayAssociation"
ASSOCIATION = "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation"
PROPAGATION = "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation"
TGW_ROUTE = "aws:ec2transitgateway/route:Route"
VPC = "aws:ec2/vpc:Vpc"
VPC_CIDR_ASSOCIATION = "aws:ec2/vpcIpv4CidrBlockAssociation:VpcIpv4CidrBlockAssociation"
SUBNET = "aws:ec2/subnet:Subnet"
RESOLVER_ENDPOINT = "aws:route53/resolverEndpoint:ResolverEndpoint"
RESOLVER_RULE = "aws:route53/resolverRule:ResolverRule"

ATTACHMENT_TYPES = (VPC_ATTACHMENT, VPN_CONNECTION, DX_ASSOCIATION, CONNECT_ATTACHMENT, PEERING_ATTACHMENT)
ACCEPTER_TYPES = (VPC_ATTACHMENT_ACCEPTER, PEERING_ACCEPTER)
# Anything a `transitGatewayAttachmentId` may point at (a DX gateway stands for its TGW association,
# because the DX attachment id is only readable through a data source whose dependency is the gateway).
ATTACHMENT_REFERENCE_TYPES = ATTACHMENT_TYPES + ACCEPTER_TYPES + (DX_GATEWAY,)
# Resources whose output `transitGatewayAttachmentId` is their own attachment id.
_OWN_ATTACHMENT_ID_TYPES = (VPN_CONNECTION, DX_ASSOCIATION) + ACCEPTER_TYPES

ENVIRONMENT_SEGMENT = {"prod": "prod", "nonprod": "nonprod", "sandbox": "sandbox", "core": "shared"}
SEGMENT_ORDER = ("prod", "nonprod", "sandbox", "shared", "hybrid")
UNASSIGNED = "unassigned"
MAX_HOPS = 4

DEFAULT_INTENT: dict[str, list[str]] = {
    "prod": ["shared", "hybrid"],
    "nonprod": ["shared", "hybrid"],
    "sandbox": ["shared"],
    "shared": ["prod", "nonprod", "sandbox"],
    "hybrid": ["prod", "nonprod"],
}


# --------------------------------------------------------------------------- unknowns and plain values
class _Unknown:
    """A value the engine does not know yet (preview) — distinct from None (absent)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN = _Unknown()

# The engine's unknown sentinels (pulumi_policy.proxy), copied because this module imports nothing.
_ENGINE_UNKNOWNS = frozenset({
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    "030794c1-ac77-496b-92df-f27374a8bd58", "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
})
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN or (isinstance(value, str) and value in _ENGINE_UNKNOWNS)


def _read(container: Any, key: Any) -> Any:
    # pulumi_policy's proxies raise UnknownValueError on reading an unknown; we cannot import that class
    # (stdlib only), so any failure to read a present key means "unknown".
    try:
        return container[key]
    except Exception:  # noqa: BLE001 - see comment above
        return UNKNOWN


def plain(value: Any) -> Any:
    """Deep copy into plain dict/list/str, with unknowns as UNKNOWN and secret envelopes opened."""
    if isinstance(value, str):
        return UNKNOWN if value in _ENGINE_UNKNOWNS else value
    if value is UNKNOWN or value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, Mapping):
        out = {str(k): plain(_read(value, k)) for k in list(value)}
        if out.get(_SIG_KEY) == _SECRET_SIG:
            return out.get("value")
        return out
    if isinstance(value, Sequence) or isinstance(value, (set, frozenset)):
        items = value if isinstance(value, (set, frozenset)) else [_read(value, i) for i in range(len(value))]
        return [plain(v) for v in items]
    return value


def _decode_json_string(value: Any) -> Any:
    """The engine may send provider inputs JSON-encoded as strings ("{\"tags\": {...}}")."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return plain(json.loads(value))
        except ValueError:
            return value
    return value


# --------------------------------------------------------------------------- normalized resources
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
                return _read(obj, name)
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
    """plain(value), computed once per distinct object when a cache is given (read-only for its users)."""
    if cache is None or isinstance(value, str):
        return plain(value)
    hit = cache.get(id(value))
    if hit is None or hit[0] is not value:
        hit = cache[id(value)] = (value, plain(value))  # keeps `value` alive, so its id is not reused
    return hit[1]


def _merged_props(obj: Any) -> dict[str, Any]:
    props = plain(_field(obj, "inputs", "props", "properties") or {})
    outputs = plain(_field(obj, "outputs") or {})
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
    if provider_urn is None and provider_props is None:  # the framework's stack view keeps them apart
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
    )


# --------------------------------------------------------------------------- the resource graph
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
        self.memo: dict[str, Any] = {}  # indexes that rules derive from the graph and share (see stack_rules)

    @staticmethod
    def _id_keys(res: Res) -> set[str]:
        keys = {res.id} if res.id else set()
        for prop in ("arn", "id", "bucket"):
            value = res.get(prop)
            if isinstance(value, str) and value and not is_unknown(value):
                keys.add(value)
        if res.type in _OWN_ATTACHMENT_ID_TYPES:
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
            default_tags = _decode_json_string(props.get("defaultTags"))
            tags = default_tags.get("tags") if isinstance(default_tags, Mapping) else None
            tags = _decode_json_string(tags)
            hit = self._provider_tags[id(props)] = (props, dict(tags) if isinstance(tags, Mapping) else {})
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
        for value in (res.get("region"), _decode_json_string(self.provider_props(res).get("region"))):
            if isinstance(value, str) and value and not is_unknown(value):
                return value
        return None


# --------------------------------------------------------------------------- address sets
Net = ipaddress.IPv4Network | ipaddress.IPv6Network
_EVERYTHING = (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))


@dataclass(frozen=True)
class AddrSet:
    """Known networks plus a flag for dynamic (BGP-learned or unresolved) prefixes."""

    nets: tuple[Net, ...] = ()
    dynamic: bool = False

    def __bool__(self) -> bool:
        return bool(self.nets) or self.dynamic

    def intersect(self, other: AddrSet) -> AddrSet:
        if other is ALL_ADDRESSES or self is ALL_ADDRESSES:  # the common first hop: nothing to compute
            return self if other is ALL_ADDRESSES else other
        nets: list[Net] = []
        for a in self.nets:
            for b in other.nets:
                if a.version != b.version:
                    continue
                if a.subnet_of(b):  # type: ignore[arg-type]
                    nets.append(a)
                elif b.subnet_of(a):  # type: ignore[arg-type]
                    nets.append(b)
        return AddrSet(_collapse(nets), self.dynamic and other.dynamic)


ALL_ADDRESSES = AddrSet(_EVERYTHING, dynamic=True)


def _collapse(nets: Iterable[Net]) -> tuple[Net, ...]:
    v4 = [n for n in nets if n.version == 4]
    v6 = [n for n in nets if n.version == 6]
    return tuple(ipaddress.collapse_addresses(v4)) + tuple(ipaddress.collapse_addresses(v6))


def _subtract(base: Net, others: Iterable[Net]) -> list[Net]:
    """base minus the union of others (all prefixes are either nested or disjoint)."""
    pieces = [base]
    for other in others:
        next_pieces: list[Net] = []
        for piece in pieces:
            if piece.version != other.version:
                next_pieces.append(piece)
            elif piece.subnet_of(other):  # type: ignore[arg-type]
                continue
            elif other.subnet_of(piece):  # type: ignore[arg-type]
                next_pieces.extend(piece.address_exclude(other))  # type: ignore[arg-type]
            else:
                next_pieces.append(piece)
        pieces = next_pieces
        if not pieces:
            break
    return pieces


def _parse_cidr(value: Any) -> Net | None:
    if not isinstance(value, str) or is_unknown(value):
        return None
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None


# --------------------------------------------------------------------------- model
@dataclass
class Attachment:
    key: str  # URN of the canonical resource
    name: str
    kind: str  # vpc | vpn | dx | connect | peering
    segment: str
    prefixes: AddrSet
    tgws: frozenset[str] = frozenset()

    def label(self) -> str:
        kind = {"vpn": "VPN ", "dx": "Direct Connect ", "connect": "Connect ", "peering": "peering "}
        return f"{self.name} {kind.get(self.kind, '')}attachment"


@dataclass(frozen=True)
class Table:
    urn: str
    name: str
    segment: str | None
    tgw: str | None


@dataclass(frozen=True)
class Route:
    table: str  # table URN
    prefix: Net | None  # None: dynamic / unknown prefix
    target: str | None  # attachment key; None for a blackhole
    static: bool
    blackhole: bool
    source_urn: str  # the propagation or route resource
    description: str


@dataclass(frozen=True)
class Hop:
    table: str  # table name
    table_urn: str
    route: str  # human description of the winning route
    route_urn: str

    def describe(self) -> str:
        return f"tgw route table {self.table}: {self.route}"


@dataclass(frozen=True)
class Path:
    source: str  # attachment name
    target: str
    source_segment: str
    target_segment: str
    hops: tuple[Hop, ...]

    def describe(self) -> str:
        via = " then ".join(h.describe() for h in self.hops)
        return f"{self.source_segment} -> {self.target_segment} reachable via {via}"

    @property
    def urns(self) -> tuple[str, ...]:
        return tuple(u for h in self.hops for u in (h.route_urn, h.table_urn) if u)


@dataclass
class Reachability:
    segments: tuple[str, ...]
    paths: dict[tuple[str, str], tuple[Path, ...]]  # directed attachment-level evidence per segment pair
    matrix: dict[tuple[str, str], bool]  # True: the pair exchanges traffic (both directions)
    one_way: set[tuple[str, str]]  # (a, b): a sends to b, nothing comes back
    attachments: dict[str, str]  # attachment name -> segment
    tables: dict[str, str | None]  # table name -> segment tag
    unresolved: list[str] = field(default_factory=list)  # references that could not be resolved: result partial
    notes: list[str] = field(default_factory=list)  # caveats (assumptions made), the result stands
    dns_routes: list[DnsRoute] = field(default_factory=list)  # DNS-only static routes, kept out of the matrix

    def can_send(self, a: str, b: str) -> bool:
        return bool(self.paths.get((a, b)))

    def evidence(self, a: str, b: str) -> str:
        paths = self.paths.get((a, b), ())
        return paths[0].describe() if paths else f"{a} -> {b}: no route"


@dataclass(frozen=True)
class DnsRoute:
    """A static TGW route that carries DNS only: its destination is exactly a Route 53 Resolver endpoint's subnet or
    an on-premises resolver (/32) that a forwarding rule targets. Such routes are DNS paths, not segment
    reachability: nothing but the resolvers' addresses is routed (`lz reach` lists them apart)."""

    table: str
    table_segment: str | None
    destination: str
    kind: str  # endpoint-subnet | resolver-host
    attachment: str
    attachment_segment: str
    urn: str

    def describe(self) -> str:
        what = "resolver endpoint subnet" if self.kind == "endpoint-subnet" else "on-premises resolver"
        return (f"{self.table_segment or self.table} table: {what} {self.destination} -> {self.attachment} "
                f"({self.attachment_segment})")


@dataclass(frozen=True)
class Link:
    """An association or propagation between a TGW route table and an attachment."""

    table: str
    table_urn: str
    table_segment: str | None
    attachment: str
    attachment_segment: str
    kind: str  # association | propagation
    urn: str  # the association / propagation resource


@dataclass(frozen=True)
class Difference:
    source: str
    target: str
    kind: str  # unexpected | missing | one-way
    explanation: str
    urns: tuple[str, ...] = ()


# --------------------------------------------------------------------------- building the model
class _Builder:
    def __init__(self, graph: Graph):
        self.g = graph
        self.notes: list[str] = []
        self.unresolved: list[str] = []
        self.attachments: dict[str, Attachment] = {}
        self.tables: dict[str, Table] = {}
        self.assoc: dict[str, list[str]] = {}  # attachment key -> table urns
        self.routes: dict[str, list[Route]] = {}  # table urn -> routes
        self.links: list[Link] = []  # associations and propagations, for table-sharing checks
        self.dns_routes: list[DnsRoute] = []
        self._dns_prefixes: dict[Net, str] | None = None
        self._accepter_segment_index: dict[int, str] | None = None
        self._extra_cidr_index: dict[int, list[Res]] | None = None

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def unresolvable(self, message: str) -> None:
        if message not in self.unresolved:
            self.unresolved.append(message)

    # -- attachments -----------------------------------------------------------------------------------
    def build_attachments(self) -> None:
        for res in self.g.of_type(*ATTACHMENT_TYPES):
            kind = self._kind(res)
            if kind is None:
                continue
            self.attachments[res.urn] = Attachment(
                res.urn, res.name, kind, self._segment(res, kind), self._prefixes(res, kind), self._tgws(res)
            )
        for accepter in self.g.of_type(*ACCEPTER_TYPES):
            if self._accepted(accepter):
                continue
            kind = "vpc" if accepter.type == VPC_ATTACHMENT_ACCEPTER else "peering"
            segment = self._tag_segment(accepter) or (UNASSIGNED if kind == "vpc" else "transit")
            prefixes = self._prefixes(accepter, kind)
            self.attachments[accepter.urn] = Attachment(accepter.urn, accepter.name, kind, segment, prefixes)

    def _kind(self, res: Res) -> str | None:
        if res.type == VPN_CONNECTION:
            on_tgw = res.get("transitGatewayId") is not None or "transitGatewayId" in res.property_dependencies
            return "vpn" if on_tgw else None  # a VPN on a virtual private gateway is not on the TGW
        if res.type == DX_ASSOCIATION:
            value = res.get("associatedGatewayId")
            targets_tgw = self.g.resolve(res, "associatedGatewayId", (TGW,)) or (
                isinstance(value, str) and value.startswith("tgw-")
            )
            return "dx" if targets_tgw else None
        return {VPC_ATTACHMENT: "vpc", CONNECT_ATTACHMENT: "connect", PEERING_ATTACHMENT: "peering"}[res.type]

    def _accepted(self, accepter: Res) -> list[Res]:
        return self.g.resolve(accepter, "transitGatewayAttachmentId", (VPC_ATTACHMENT, PEERING_ATTACHMENT))

    def _tag_segment(self, res: Res) -> str | None:
        value = res.tags.get("segment")
        return value if isinstance(value, str) and value and not is_unknown(value) else None

    def _segment(self, res: Res, kind: str) -> str:
        tagged = self._tag_segment(res)
        if tagged:
            return tagged
        if id(res) in self._accepter_segments():
            return self._accepter_segments()[id(res)]
        if kind in ("vpn", "dx"):
            return "hybrid"
        if kind == "peering":
            return "transit"
        environment = self.g.environment(res)
        if environment in ENVIRONMENT_SEGMENT:
            return ENVIRONMENT_SEGMENT[environment]
        self.note(f"attachment {res.name}: no `segment` tag and no known environment; segment unassigned")
        return UNASSIGNED

    def _accepter_segments(self) -> dict[int, str]:
        """id(attachment) -> the `segment` tag of the first tagged accepter (graph order) that accepts it."""
        if self._accepter_segment_index is None:
            index: dict[int, str] = {}
            for accepter in self.g.of_type(*ACCEPTER_TYPES):
                segment = self._tag_segment(accepter)
                if segment:
                    for accepted in self._accepted(accepter):
                        index.setdefault(id(accepted), segment)
            self._accepter_segment_index = index
        return self._accepter_segment_index

    def _extra_cidrs(self) -> dict[int, list[Res]]:
        """id(VPC) -> its vpcIpv4CidrBlockAssociations, in graph order."""
        if self._extra_cidr_index is None:
            index: dict[int, list[Res]] = {}
            for extra in self.g.of_type(VPC_CIDR_ASSOCIATION):
                for vpc in self.g.resolve(extra, "vpcId", (VPC,)):
                    index.setdefault(id(vpc), []).append(extra)
            self._extra_cidr_index = index
        return self._extra_cidr_index

    def _prefixes(self, res: Res, kind: str) -> AddrSet:
        if kind != "vpc":
            return AddrSet((), dynamic=kind in ("vpn", "dx", "connect"))
        vpcs = self.g.resolve(res, "vpcId", (VPC,))
        if not vpcs:
            self.note(f"attachment {res.name}: its VPC is not in the plan; its CIDRs are treated as dynamic")
            return AddrSet((), dynamic=True)
        nets: list[Net] = []
        for vpc in vpcs:
            nets.extend(n for n in (_parse_cidr(vpc.get("cidrBlock")), _parse_cidr(vpc.get("ipv6CidrBlock"))) if n)
            for extra in self._extra_cidrs().get(id(vpc), ()):
                net = _parse_cidr(extra.get("cidrBlock"))
                if net:
                    nets.append(net)
        dynamic = not nets
        if dynamic:
            self.note(f"attachment {res.name}: VPC CIDR unknown; treated as dynamic")
        return AddrSet(_collapse(nets), dynamic)

    def _tgws(self, res: Res) -> frozenset[str]:
        keys = set()
        for prop in ("transitGatewayId", "peerTransitGatewayId", "associatedGatewayId"):
            for tgw in self.g.resolve(res, prop, (TGW,)):
                keys.add(tgw.urn)
        return frozenset(keys)

    def attachment_for(self, res: Res, prop: str = "transitGatewayAttachmentId") -> Attachment | None:
        """The attachment a reference property designates, accepters and DX gateways folded in."""
        for target in self.g.resolve(res, prop, ATTACHMENT_REFERENCE_TYPES):
            if target.urn in self.attachments:
                return self.attachments[target.urn]
            if target.type in ACCEPTER_TYPES:
                for accepted in self._accepted(target):
                    if accepted.urn in self.attachments:
                        return self.attachments[accepted.urn]
            if target.type == DX_GATEWAY:
                for association in self.g.of_type(DX_ASSOCIATION):
                    dx = self.g.resolve(association, "dxGatewayId", (DX_GATEWAY,))
                    if target in dx and association.urn in self.attachments:
                        return self.attachments[association.urn]
        return None

    # -- tables, associations, propagations, routes -------------------------------------------------
    def build_tables(self) -> None:
        for res in self.g.of_type(TGW_ROUTE_TABLE):
            tgws = self.g.resolve(res, "transitGatewayId", (TGW,))
            raw_tgw = res.get("transitGatewayId")
            tgw = tgws[0].urn if tgws else (raw_tgw if isinstance(raw_tgw, str) and not is_unknown(raw_tgw) else None)
            self.tables[res.urn] = Table(res.urn, res.name, self._tag_segment(res), tgw)
            self.routes[res.urn] = []
        for tgw in self.g.of_type(TGW):
            for prop in ("defaultRouteTableAssociation", "defaultRouteTablePropagation"):
                if tgw.get(prop) != "disable":
                    self.note(f"transit gateway {tgw.name}: {prop} is not 'disable'; attachments may also use "
                              "the default route table, which this computation does not see")

    def _table_for(self, res: Res) -> Table | None:
        tables = self.g.resolve(res, "transitGatewayRouteTableId", (TGW_ROUTE_TABLE,))
        return self.tables.get(tables[0].urn) if tables else None

    def build_links(self) -> None:
        for res in self.g.of_type(ASSOCIATION):
            table, attachment = self._table_for(res), self.attachment_for(res)
            if table is None or attachment is None:
                self.unresolvable(f"association {res.name}: cannot resolve its {_missing(table)}")
                continue
            self.assoc.setdefault(attachment.key, []).append(table.urn)
            self.links.append(Link(table.name, table.urn, table.segment, attachment.name, attachment.segment,
                                   "association", res.urn))
        for res in self.g.of_type(PROPAGATION):
            table, attachment = self._table_for(res), self.attachment_for(res)
            if table is None or attachment is None:
                self.unresolvable(f"propagation {res.name}: cannot resolve its {_missing(table)}")
                continue
            self._add_propagated(table, attachment, res)
            self.links.append(Link(table.name, table.urn, table.segment, attachment.name, attachment.segment,
                                   "propagation", res.urn))
        for res in self.g.of_type(TGW_ROUTE):
            self._add_static(res)

    def _add_propagated(self, table: Table, attachment: Attachment, res: Res) -> None:
        description = f"propagation of {attachment.label()}"
        routes = self.routes[table.urn]
        for net in attachment.prefixes.nets:
            routes.append(Route(table.urn, net, attachment.key, False, False, res.urn, f"{description} ({net})"))
        if attachment.prefixes.dynamic:
            routes.append(Route(table.urn, None, attachment.key, False, False, res.urn, description))

    def _add_static(self, res: Res) -> None:
        table = self._table_for(res)
        if table is None:
            self.unresolvable(f"route {res.name}: cannot resolve its route table")
            return
        prefix = _parse_cidr(res.get("destinationCidrBlock"))
        if prefix is None:
            self.note(f"route {res.name}: destination unknown; treated as dynamic")
        if res.get("blackhole") is True:
            self.routes[table.urn].append(
                Route(table.urn, prefix, None, True, True, res.urn, f"blackhole route {prefix}"))
            return
        attachment = self.attachment_for(res)
        if attachment is None:
            self.unresolvable(f"route {res.name}: cannot resolve its target attachment")
            return
        if prefix is not None and prefix in self._dns_only():
            self.dns_routes.append(DnsRoute(table.name, table.segment, str(prefix), self._dns_only()[prefix],
                                            attachment.name, attachment.segment, res.urn))
            return
        self.routes[table.urn].append(Route(
            table.urn, prefix, attachment.key, True, False, res.urn,
            f"static route {prefix or '(unknown prefix)'} to {attachment.label()}"))

    def _dns_only(self) -> dict[Net, str]:
        """Prefixes that only DNS uses: resolver endpoints' subnets and forwarding rules' target hosts (/32)."""
        if self._dns_prefixes is None:
            found: dict[Net, str] = {}
            for endpoint in self.g.of_type(RESOLVER_ENDPOINT):
                for subnet in self.g.resolve(endpoint, "ipAddresses", (SUBNET,)):
                    net = _parse_cidr(subnet.get("cidrBlock"))
                    if net is not None:
                        found[net] = "endpoint-subnet"
            for rule in self.g.of_type(RESOLVER_RULE):
                for target in rule.get("targetIps") or []:
                    ip = target.get("ip") if isinstance(target, Mapping) else None
                    net = _parse_cidr(f"{ip}/32") if isinstance(ip, str) and not is_unknown(ip) else None
                    if net is not None:
                        found[net] = "resolver-host"
            self._dns_prefixes = found
        return self._dns_prefixes


def _missing(table: Table | None) -> str:
    return "route table" if table is None else "attachment"


# --------------------------------------------------------------------------- route selection and search
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
    return AddrSet(_collapse(_subtract(route.prefix, winners)))  # type: ignore[arg-type]


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
        result[id(route)] = AddrSet(_collapse(_subtract(route.prefix, winners)))  # type: ignore[arg-type]
    return result


class _Search:
    def __init__(self, builder: _Builder):
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


def _built(resources: Iterable[Any]) -> _Builder:
    graph = resources if isinstance(resources, Graph) else Graph(resources)
    builder = _Builder(graph)
    builder.build_attachments()
    builder.build_tables()
    builder.build_links()
    return builder


def table_links(resources: Iterable[Any]) -> tuple[list[Link], list[str]]:
    """Every resolved association and propagation, plus the references that could not be resolved."""
    builder = _built(resources)
    return builder.links, builder.unresolved


def compute(resources: Iterable[Any]) -> Reachability:
    """Segment reachability of the TGW network described by `resources` (see the module docstring)."""
    builder = _built(resources)
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
               edges: dict[tuple[str, str], tuple[Hop, ...]], builder: _Builder) -> Reachability:
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


# --------------------------------------------------------------------------- intent and comparison
def normalize_intent(intent: Mapping[str, Any] | None) -> set[frozenset[str]]:
    """Symmetric set of allowed segment pairs. Raises ValueError naming the bad field."""
    if intent is None:
        intent = DEFAULT_INTENT
    if not isinstance(intent, Mapping):
        raise ValueError("reachability intent: expected a mapping segment -> list of segments")
    pairs: set[frozenset[str]] = set()
    for segment, peers in intent.items():
        if not isinstance(segment, str) or not segment:
            raise ValueError(f"reachability intent: segment name {segment!r} must be a non-empty string")
        if isinstance(peers, str) or not isinstance(peers, Iterable):
            raise ValueError(f"reachability intent.{segment}: expected a list of segment names, got {peers!r}")
        for index, peer in enumerate(peers):
            if not isinstance(peer, str) or not peer:
                raise ValueError(f"reachability intent.{segment}[{index}]: expected a segment name, got {peer!r}")
            if peer != segment:
                pairs.add(frozenset((segment, peer)))
    return pairs


def intent_matrix(intent: Mapping[str, Any] | None, segments: Iterable[str]) -> dict[tuple[str, str], bool]:
    """{(a, b): allowed} for the given segments; every segment reaches itself."""
    allowed = normalize_intent(intent)
    segs = list(segments)
    return {(a, b): a == b or frozenset((a, b)) in allowed for a in segs for b in segs}


def compare(computed: Reachability, intent: Mapping[str, Any] | None = None) -> list[Difference]:
    """Differences between computed reachability and intent, over the segments present in the plan.

    Intra-segment traffic is allowed but not required (a segment with one attachment has no peer). A pair
    differs when it exchanges traffic but may not ('unexpected'), should but cannot ('missing'), or only
    one direction exists ('one-way', always a difference: either a leak or a broken return path).
    """
    allowed = normalize_intent(intent)
    differences: list[Difference] = []
    segments = computed.segments
    for i, a in enumerate(segments):
        for b in segments[i + 1:]:
            difference = _compare_pair(computed, a, b, frozenset((a, b)) in allowed)
            if difference is not None:
                differences.append(difference)
    return differences


def _compare_pair(computed: Reachability, a: str, b: str, wanted: bool) -> Difference | None:
    forward, back = computed.can_send(a, b), computed.can_send(b, a)
    urns = tuple(u for pair in ((a, b), (b, a)) for p in computed.paths.get(pair, ())[:1] for u in p.urns)
    intent_text = "the intent allows it" if wanted else "the intent forbids it"
    if forward and back and not wanted:
        text = (f"{a} <-> {b} exchange traffic but {intent_text}: {computed.evidence(a, b)}; "
                f"{computed.evidence(b, a)}")
        return Difference(a, b, "unexpected", text, urns)
    if forward != back:
        src, dst = (a, b) if forward else (b, a)
        text = (f"{src} -> {dst} is one-way (no return path {dst} -> {src}) and {intent_text}: "
                f"{computed.evidence(src, dst)}")
        return Difference(src, dst, "one-way", text, urns)
    if not forward and wanted:
        text = (f"{a} <-> {b} should exchange traffic (intent) but neither direction has a route: "
                f"associate each attachment with its segment's table and propagate or route the other's "
                f"prefixes into it")
        return Difference(a, b, "missing", text, urns)
    return None
