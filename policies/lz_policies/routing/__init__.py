"""Segment reachability of a Transit Gateway network (the TGW routing algorithm), computed from plan-like resources.

The CrossGuard rule X-17 and the `lz reach` command (landing_zone/reach.py, which puts policies/ on sys.path and
imports `lz_policies.routing`) share this one implementation; the resource graph it walks is lz_policies.graph.

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

from .build import table_links
from .intent import Difference, compare, intent_matrix, normalize_intent
from .model import UNASSIGNED, DnsRoute, Hop, Link, Path, Reachability
from .search import compute

__all__ = [
    "Difference", "DnsRoute", "Hop", "Link", "Path", "Reachability", "UNASSIGNED",
    "compare", "compute", "intent_matrix", "normalize_intent", "table_links",
]
