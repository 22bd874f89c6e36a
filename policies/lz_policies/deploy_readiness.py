"""Deploy-readiness rules DEP-01..DEP-05 (CONTROLS.md §4): would the first `pulumi up` on a fresh organization
succeed? Stack rules over the resource graph, the same under `lz check` and `pulumi preview --policy-pack`.

"A waits for B" means B is in A's transitive closure over dependencies, property dependencies and A's provider,
where a dependency on a component counts as a dependency on all its descendants (the Pulumi SDKs expand
`depends_on=[component]` to its children). Unknown values that decide a rule during preview give the ADVISORY
"cannot verify" (framework.cannot_verify) after whatever could be decided; nothing raises otherwise.

Documentation behind each rule: docs/deploy-readiness.md. The pack must stay installable alone (its venv has only
pulumi and pulumi-policy), so OPT_IN_REGIONS is a copy of landing_zone.regions.OPT_IN_REGIONS (a test keeps them
equal).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .facts import OPT_IN_REGIONS
from .graph import Graph, Res
from .rules import CaseResource, Param, StackCase, StackRule
from .stack_helpers import Unknowns as _StackUnknowns
from .stack_helpers import is_true as _true
from .stack_helpers import label as _label
from .types import (
    ACCOUNT_ASSIGNMENT,
    AMI_TOKEN,
    BUCKET_LOGGING,
    BUCKET_POLICY,
    BUCKETS,
    CERTIFICATE,
    CERTIFICATE_VALIDATION,
    CLIENT_VPN,
    CONFIG_RECORDER,
    CUSTOMER_MANAGED_POLICY_ATTACHMENT,
    DELIVERY_CHANNEL,
    DETECTIVE_ORGANIZATION_ADMIN_ACCOUNT,
    ECS_CAPACITY_PROVIDERS,
    ECS_CLUSTER,
    ECS_SERVICE,
    FLOW_LOG,
    GET_AVAILABILITY_ZONES,
    GET_CALLER_IDENTITY,
    GET_PARTITION,
    GET_RANDOM_PASSWORD,
    GET_REGION,
    GET_ZONE,
    GUARDDUTY_ADMIN,
    INSPECTOR_ADMIN,
    KMS_KEY,
    KMS_KEY_POLICY,
    LISTENER_CERTIFICATES,
    LISTENERS,
    LOAD_BALANCERS,
    LOG_RESOURCE_POLICY,
    LOOKUP,
    ORG_ACCOUNT,
    ORG_DELEGATED_ADMIN,
    ORG_POLICY,
    ORG_POLICY_ATTACHMENT,
    ORG_UNIT,
    ORGANIZATION,
    ORGANIZATION_ADMIN_ACCOUNT,
    PERMISSION_SET,
    PERMISSIONS_BOUNDARY_ATTACHMENT,
    PROVIDER,
    QUERY_LOG,
    RAM_ORG_SHARING,
    RAM_PRINCIPAL,
    RAM_RESOURCE,
    RAM_SHARE,
    RDS_CLUSTER,
    RDS_GLOBAL_CLUSTER,
    RECORDER_STATUS,
    REDIS_GROUP,
    REGION_SETTING,
    REGIONS,
    SAML_PROVIDER,
    SECURITY_HUB_ADMIN,
    SNS_TOPIC,
    SSM_PARAMETER_TOKEN,
    SSO_INLINE,
    SSO_MANAGED,
    TGW,
    TRAIL,
    VPC_ATTACHMENT,
)
from .types import short_type as _short
from .values import UNKNOWN, is_unknown, snapshot

PERMISSION_SET_PARTS = (
    SSO_MANAGED,
    CUSTOMER_MANAGED_POLICY_ATTACHMENT,
    SSO_INLINE,
    PERMISSIONS_BOUNDARY_ATTACHMENT,
)
DELEGATED_ADMINS = {  # type -> the service principal whose trusted access it needs (None: its servicePrincipal)
    GUARDDUTY_ADMIN: "guardduty.amazonaws.com",
    SECURITY_HUB_ADMIN: "securityhub.amazonaws.com",
    INSPECTOR_ADMIN: "inspector2.amazonaws.com",
    ORGANIZATION_ADMIN_ACCOUNT: "macie.amazonaws.com",
    DETECTIVE_ORGANIZATION_ADMIN_ACCOUNT: "detective.amazonaws.com",
    ORG_DELEGATED_ADMIN: None,
}

SAFE_TOKENS = [
    GET_PARTITION,
    GET_REGION,
    GET_AVAILABILITY_ZONES,
    GET_CALLER_IDENTITY,
    GET_RANDOM_PASSWORD,
]
# Owners whose AMIs are public: the aliases, Canonical (Ubuntu), Debian, Red Hat, SUSE, Microsoft's AMIs are "amazon".
PUBLIC_AMI_OWNERS = ["amazon", "aws-marketplace", "099720109477", "136693071363", "309956199498", "013907871322"]


# --------------------------------------------------------------------------- shared helpers
class _Unknowns(_StackUnknowns):
    def add(self, res: Res, prop: str) -> None:
        self.append(f"{_short(res.type)} {res.name}.{prop}")


def _known(value: Any) -> bool:
    return value is not None and not is_unknown(value)


def _decoded(value: Any) -> Any:
    """Provider inputs arrive JSON-encoded as strings; other values as they are."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return snapshot(json.loads(value))
        except ValueError:
            return value
    return value


def _list(value: Any) -> list:
    value = _decoded(value)
    if value is None or is_unknown(value):
        return []
    return list(value) if isinstance(value, list) else [value]


class Deps:
    """What each resource waits for, and reference resolution that also follows components (one per graph)."""

    def __init__(self, g: Graph):
        self.g = g
        self._children: dict[str, list[str]] = {}
        for res in g.resources:
            if res.parent:
                self._children.setdefault(res.parent, []).append(res.urn)
        self._closure: dict[str, frozenset[str]] = {}
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
        return other.urn in self.waits_for(res)

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
        ids = [i for i in _list(props.get("allowedAccountIds")) if isinstance(i, str) and _known(i)]
        if len(ids) == 1:
            return ids[0]
        for role in _list(props.get("assumeRoles")) + _list(props.get("assumeRole")):
            arn = role.get("roleArn") if isinstance(role, Mapping) else None
            if isinstance(arn, str) and _known(arn) and arn.count(":") >= 5:
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
        text = json.dumps([_decoded(provider.get(p)) for p in ("assumeRoles", "assumeRole", "allowedAccountIds")],
                          default=str)
        for account in accounts:
            account_id = account.id if _known(account.id) else account.get("id")
            if isinstance(account_id, str) and _known(account_id) and account_id in text:
                return account
        return None

    def created_account_of(self, res: Res) -> Res | None:
        provider = self.provider(res)
        return self.created_account(provider) if provider is not None else None


# --------------------------------------------------------------------------- DEP-01 opt-in regions
def _enables(deps: Deps, setting: Res, account: Res, region: str, unknowns: _Unknowns) -> bool:
    name = setting.get("regionName")
    if not _known(name):
        unknowns.add(setting, "regionName")
        return False
    if name != region or not _true(setting.get("enabled")):
        return False
    return account in deps.refs(setting, "accountId", (ORG_ACCOUNT,))


def _region_users(g: Graph, deps: Deps, opt_in: set[str], unknowns: _Unknowns) -> Iterator[tuple[Res, str]]:
    """(provider or resource, opt-in region) pairs: providers configured for the region, and resources whose own
    `region` argument (pulumi-aws 7) moves them there."""
    for provider in g.of_type(PROVIDER):
        region = _decoded(provider.get("region"))
        if not _known(region):
            if deps.created_account(provider) is not None:
                unknowns.add(provider, "region")
            continue
        if region in opt_in:
            yield provider, region
    for res in g.resources:
        region = res.get("region")
        if res.type.startswith("aws:") and isinstance(region, str) and region in opt_in:
            provider_region = _decoded(deps.provider_props(res).get("region"))
            if region != provider_region:
                yield res, region


def opt_in_regions_enabled_first(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), _Unknowns()
    deps = Deps.of(g)
    opt_in = set(stack.cfg["optInRegions"])
    settings = g.of_type(REGION_SETTING)
    for user, region in _region_users(g, deps, opt_in, unknowns):
        account = deps.created_account(user) if user.type == PROVIDER else deps.created_account_of(user)
        if account is None:
            continue  # an account that already exists: `lz preflight` checks its regions
        enablers = [s for s in settings if _enables(deps, s, account, region, unknowns)]
        where = f"{_label(user)} (account {account.name}, opt-in region {region})"
        if not enablers:
            yield user.urn, (f"{where}: no account/region:Region enables {region} for {account.name}, which this stack "
                             f"creates with the region disabled; add aws.account.Region(account_id=<the account's id>, "
                             f"region_name='{region}', enabled=True) through the management account's provider and "
                             "make the provider depend on it")
        elif not any(deps.waits(user, s) for s in enablers):
            yield user.urn, (f"{where} does not wait for {_label(enablers[0])}, which enables the region: every call "
                             f"fails until it is enabled; add depends_on=[that Region] to the provider")
    unknowns.raise_if_any()


# --------------------------------------------------------------------------- DEP-02 lookups in created accounts
def _safe_lookup(marker: Res, token: str, args: Mapping[str, Any], cfg: Mapping[str, Any]) -> bool:
    if token in cfg["safeTokens"]:
        return True
    if token == AMI_TOKEN:
        owners = [str(o) for o in _list(args.get("owners"))]
        return bool(owners) and all(o in cfg["publicAmiOwners"] for o in owners)
    if token == SSM_PARAMETER_TOKEN:
        name = args.get("name")
        return isinstance(name, str) and any(name.startswith(p) for p in cfg["publicParameterPrefixes"])
    return False


def no_lookup_in_created_accounts(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), _Unknowns()
    deps = Deps.of(g)
    for marker in g.of_type(LOOKUP):
        token, args = marker.get("token"), _decoded(marker.get("args")) or {}
        providers = deps.refs(marker, "provider", (PROVIDER,))
        if not providers or not _known(token):
            unknowns.add(marker, "provider" if not providers else "token")
            continue
        if not isinstance(args, Mapping):
            args = {}
        account = deps.created_account(providers[0])
        if account is None or _safe_lookup(marker, str(token), args, stack.cfg):
            continue
        yield marker.urn, (f"lookup {marker.name} ({token}) goes through provider {providers[0].name} of "
                           f"{account.name}, an account this stack creates: on the first run there is nothing to "
                           "find there. Create the thing in the program and pass its output, or look it up through "
                           "the provider of an account that already exists (management, or the account that owns it)")
    unknowns.raise_if_any()


# --------------------------------------------------------------------------- DEP-03 ordering table
@dataclass(frozen=True)
class Need:
    """The dependent must wait for one of `candidates`; none in the stack is a violation when `required`."""

    what: str
    candidates: tuple[Res, ...]
    required: bool = True
    fix: str = ""


@dataclass(frozen=True)
class Ordering:
    """One row of the table: what `types` must wait for, why, and where AWS says so."""

    types: tuple[str, ...]
    needs: Callable[[Deps, Res, _Unknowns], list[Need]]
    prerequisite: str
    why: str
    doc: str


def _policies_of_bucket(deps: Deps, bucket: Res) -> tuple[Res, ...]:
    index = deps.g.memo.get("deploy-readiness-bucket-policies")
    if index is None:
        index = deps.g.memo["deploy-readiness-bucket-policies"] = {}
        for policy in deps.g.of_type(BUCKET_POLICY):
            for target in deps.refs(policy, "bucket", BUCKETS):
                index.setdefault(target.urn, []).append(policy)
    return tuple(index.get(bucket.urn, ()))


def _bucket_policy_needs(deps: Deps, res: Res, prop: str, unknowns: _Unknowns, value: Any = None,
                         required: bool = True) -> list[Need]:
    buckets = deps.refs(res, prop, BUCKETS, value)
    if not buckets:
        if not _known(res.get(prop) if value is None else value) and not res.property_dependencies.get(prop):
            unknowns.add(res, prop)
        return []  # a bucket outside the stack: `lz preflight` territory
    return [Need(f"the bucket policy of {_label(b)}", _policies_of_bucket(deps, b), required,
                 f"add an s3/bucketPolicy granting the delivery service to {b.name}") for b in buckets]


def _key_policy_needs(deps: Deps, res: Res, prop: str) -> list[Need]:
    needs = []
    for key in deps.refs(res, prop, (KMS_KEY,)):
        policies = tuple(p for p in deps.g.of_type(KMS_KEY_POLICY) if key in deps.refs(p, "keyId", (KMS_KEY,)))
        if policies:  # an inline `policy` is part of the key itself, which the reference already waits for
            needs.append(Need(f"the key policy of {_label(key)}", policies))
    return needs


def _same_scope(deps: Deps, res: Res, types: Iterable[str]) -> tuple[Res, ...]:
    account, region = deps.g.account(res), deps.g.region(res)
    return tuple(r for r in deps.g.of_type(*types) if deps.g.account(r) == account and deps.g.region(r) == region)


def _flow_log_needs(deps: Deps, res: Res, unknowns: _Unknowns) -> list[Need]:
    if str(res.get("logDestinationType") or "cloud-watch-logs") != "s3":
        return []
    return _bucket_policy_needs(deps, res, "logDestination", unknowns)


def _trail_needs(deps: Deps, res: Res, unknowns: _Unknowns) -> list[Need]:
    return _bucket_policy_needs(deps, res, "s3BucketName", unknowns) + _key_policy_needs(deps, res, "kmsKeyId")


def _delivery_channel_needs(deps: Deps, res: Res, unknowns: _Unknowns) -> list[Need]:
    recorder = Need("a cfg/recorder in its account and region", _same_scope(deps, res, (CONFIG_RECORDER,)), True,
                    "create the configuration recorder first")
    return [recorder, *_bucket_policy_needs(deps, res, "s3BucketName", unknowns),
            *_key_policy_needs(deps, res, "s3KmsKeyArn")]


def _recorder_status_needs(deps: Deps, res: Res, unknowns: _Unknowns) -> list[Need]:
    if not _true(res.get("isEnabled")):
        return []
    return [Need("a cfg/deliveryChannel in its account and region", _same_scope(deps, res, (DELIVERY_CHANNEL,)),
                 True, "create the delivery channel first")]


def _organizations(deps: Deps) -> list[Res]:
    return deps.g.of_type(ORGANIZATION)


def _delegated_admin_needs(deps: Deps, res: Res, unknowns: _Unknowns) -> list[Need]:
    principal = DELEGATED_ADMINS[res.type] or res.get("servicePrincipal")
    if not _known(principal):
        unknowns.add(res, "servicePrincipal")
        return []
    return _organization_lists(deps, "awsServiceAccessPrincipals", principal, f"trusted access for {principal}",
                               unknowns)


def _share_needs(deps: Deps, res: Res, unknowns: _Unknowns) -> list[Need]:
    tgws = deps.refs(res, "transitGatewayId", (TGW,))
    if not tgws:
        return []
    tgw = tgws[0]
    if deps.g.account(res) == deps.g.account(tgw):
        return []
    resource_links = tuple(r for r in deps.g.of_type(RAM_RESOURCE) if tgw in deps.refs(r, "resourceArn", (TGW,)))
    shares = {s.urn for r in resource_links for s in deps.refs(r, "resourceShareArn", (RAM_SHARE,))}
    principals = tuple(p for p in deps.g.of_type(RAM_PRINCIPAL)
                       if shares & {s.urn for s in deps.refs(p, "resourceShareArn", (RAM_SHARE,))})
    return [Need(f"the ram/resourceAssociation sharing {_label(tgw)}", resource_links, True,
                 "share the transit gateway with ram.ResourceShare + ResourceAssociation"),
            Need(f"a ram/principalAssociation of the share of {_label(tgw)}", principals, True,
                 "associate the attachment's account (or the organization) with the share")]


def _org_sharing_needs(deps: Deps, res: Res, unknowns: _Unknowns) -> list[Need]:
    principal = res.get("principal")
    if _known(principal):
        if not str(principal).startswith("arn:") or ":organizations:" not in str(principal):
            return []
    elif not deps.refs(res, "principal", (ORGANIZATION, ORG_UNIT)):  # during preview: what the value comes from
        if not res.property_dependencies.get("principal"):
            unknowns.add(res, "principal")
        return []
    return [Need("ram/sharingWithOrganization", tuple(deps.g.of_type(RAM_ORG_SHARING)), False)]


def _capacity_provider_needs(deps: Deps, res: Res, unknowns: _Unknowns) -> list[Need]:
    if not _list(res.get("capacityProviderStrategies")):
        return []
    clusters = deps.refs(res, "cluster", (ECS_CLUSTER,))
    if not clusters:
        return []
    linked = tuple(c for c in deps.g.of_type(ECS_CAPACITY_PROVIDERS)
                   if clusters[0] in deps.refs(c, "clusterName", (ECS_CLUSTER,)))
    return [Need(f"the ecs/clusterCapacityProviders of {_label(clusters[0])}", linked, True,
                 "register the capacity providers on the cluster (ecs.ClusterCapacityProviders) first")]


def _certificate_needs(deps: Deps, res: Res, unknowns: _Unknowns) -> list[Need]:
    needs = []
    for cert in deps.refs(res, "certificateArn", (CERTIFICATE,)):
        validations = tuple(v for v in deps.g.of_type(CERTIFICATE_VALIDATION)
                            if cert in deps.refs(v, "certificateArn", (CERTIFICATE,)))
        if validations or str(cert.get("validationMethod") or "").upper() == "DNS":
            needs.append(Need(f"the acm/certificateValidation of {_label(cert)}", validations, True,
                              "wait for the certificate to be ISSUED: use the CertificateValidation's "
                              "certificate_arn output"))
    return needs


def _query_log_needs(deps: Deps, res: Res, unknowns: _Unknowns) -> list[Need]:
    account = deps.g.account(res)
    policies = tuple(p for p in deps.g.of_type(LOG_RESOURCE_POLICY)
                     if deps.g.account(p) == account and "route53.amazonaws.com" in str(p.get("policyDocument")))
    return [Need("a cloudwatch/logResourcePolicy letting route53.amazonaws.com write (us-east-1)", policies, True,
                 "add a cloudwatch.LogResourcePolicy for route53.amazonaws.com in us-east-1")]


def _lb_logs_needs(deps: Deps, res: Res, unknowns: _Unknowns) -> list[Need]:
    needs = []
    for prop in ("accessLogs", "connectionLogs"):
        logs = res.get(prop)
        if isinstance(logs, Mapping) and _true(logs.get("enabled")):
            needs += _bucket_policy_needs(deps, res, prop, unknowns, value=logs.get("bucket"))
    return needs


def _bucket_logging_needs(deps: Deps, res: Res, unknowns: _Unknowns) -> list[Need]:
    return _bucket_policy_needs(deps, res, "targetBucket", unknowns, required=False)


def _assignment_needs(deps: Deps, res: Res, unknowns: _Unknowns) -> list[Need]:
    needs = []
    for permission_set in deps.refs(res, "permissionSetArn", (PERMISSION_SET,)):
        needs.append(Need(_label(permission_set), (permission_set,)))
        for part in deps.g.of_type(*PERMISSION_SET_PARTS):
            if permission_set in deps.refs(part, "permissionSetArn", (PERMISSION_SET,)):
                needs.append(Need(f"{_label(part)} of {permission_set.name}", (part,)))
    return needs


def _policy_type_needs(deps: Deps, res: Res, unknowns: _Unknowns) -> list[Need]:
    needs = []
    for policy in deps.refs(res, "policyId", (ORG_POLICY,)):
        policy_type = policy.get("type") or "SERVICE_CONTROL_POLICY"
        if not _known(policy_type):
            unknowns.add(policy, "type")
            continue
        needs += _organization_lists(deps, "enabledPolicyTypes", policy_type, f"{policy_type} enabled on the root",
                                     unknowns)
    return needs


def _organization_lists(deps: Deps, prop: str, item: str, what: str, unknowns: _Unknowns) -> list[Need]:
    """The organization must list `item` in `prop` (trusted access, policy types) before the dependent is created."""
    needs = []
    for org in _organizations(deps):
        listed = org.get(prop)
        if not _known(listed):
            unknowns.add(org, prop)
        elif item not in _list(listed):
            needs.append(Need(f"{what} on {_label(org)}", (), True, f"add {item} to the organization's {prop}"))
        else:
            needs.append(Need(f"{what} ({_label(org)})", (org,)))
    return needs


DOC_FLOW_LOGS = "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-permissions.html"
ORDERINGS = (
    Ordering((FLOW_LOG,), _flow_log_needs, "the destination bucket's s3/bucketPolicy",
             "CreateFlowLogs checks log delivery's write permission on the bucket when the flow log is created",
             DOC_FLOW_LOGS),
    Ordering((TRAIL,), _trail_needs, "its bucket's s3/bucketPolicy and its KMS key's policy",
             "CreateTrail fails with InsufficientS3BucketPolicyException / InsufficientEncryptionPolicyException",
             "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html"),
    Ordering((DELIVERY_CHANNEL,), _delivery_channel_needs, "cfg/recorder, its bucket's policy (and key policy)",
             "PutDeliveryChannel needs an existing recorder (NoAvailableConfigurationRecorderException) and checks "
             "bucket access (InsufficientDeliveryPolicyException)",
             "https://docs.aws.amazon.com/config/latest/APIReference/API_PutDeliveryChannel.html"),
    Ordering((RECORDER_STATUS,), _recorder_status_needs, "cfg/deliveryChannel",
             "StartConfigurationRecorder fails with NoAvailableDeliveryChannelException",
             "https://docs.aws.amazon.com/config/latest/APIReference/API_StartConfigurationRecorder.html"),
    Ordering(tuple(DELEGATED_ADMINS), _delegated_admin_needs,
             "organizations/organization listing the service in awsServiceAccessPrincipals",
             "a delegated administrator needs trusted access for the service; an organization resource that does "
             "not list it would also disable it again on the next update",
             "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services.html"),
    Ordering((VPC_ATTACHMENT,), _share_needs, "ram/resourceAssociation and ram/principalAssociation of the share",
             "an account can attach to another account's transit gateway only once it is shared with it",
             "https://docs.aws.amazon.com/vpc/latest/tgw/tgw-transit-gateways.html#tgw-sharing"),
    Ordering((RAM_PRINCIPAL,), _org_sharing_needs, "ram/sharingWithOrganization (when in the stack)",
             "sharing with an organization or OU needs sharing with AWS Organizations enabled",
             "https://docs.aws.amazon.com/ram/latest/userguide/getting-started-sharing.html#getting-started-sharing-orgs"),
    Ordering((ECS_SERVICE,), _capacity_provider_needs, "ecs/clusterCapacityProviders of its cluster",
             "CreateService refuses a capacity provider strategy naming providers not associated with the cluster",
             "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-capacity-providers.html"),
    Ordering((*LISTENERS, *LISTENER_CERTIFICATES), _certificate_needs,
             "acm/certificateValidation of a DNS-validated certificate",
             "a listener accepts only an ISSUED certificate; a DNS-validated one is PENDING_VALIDATION until the "
             "validation completes",
             "https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html"),
    Ordering((QUERY_LOG,), _query_log_needs, "cloudwatch/logResourcePolicy for route53.amazonaws.com",
             "CreateQueryLoggingConfig fails with InsufficientCloudWatchLogsResourcePolicy",
             "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/query-logs.html"),
    Ordering(LOAD_BALANCERS, _lb_logs_needs, "the access-log bucket's s3/bucketPolicy",
             "enabling access logs writes a test object and fails with Access Denied without the bucket policy",
             "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html"),
    Ordering(BUCKET_LOGGING, _bucket_logging_needs, "the target bucket's s3/bucketPolicy (when it has one)",
             "server access logs are delivered under the target bucket's policy for logging.s3.amazonaws.com",
             "https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html"),
    Ordering((ACCOUNT_ASSIGNMENT,), _assignment_needs, "the permission set and its policy attachments",
             "the assignment provisions the permission set into the account; parts attached later leave it out of "
             "date until it is provisioned again",
             "https://docs.aws.amazon.com/singlesignon/latest/userguide/howtoupdatepermissionset.html"),
    Ordering((ORG_POLICY_ATTACHMENT,), _policy_type_needs, "the policy type enabled on the root",
             "AttachPolicy fails with PolicyTypeNotEnabledException",
             "https://docs.aws.amazon.com/organizations/latest/APIReference/API_AttachPolicy.html"),
)


def creation_order_respected(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), _Unknowns()
    deps = Deps.of(g)
    for row in ORDERINGS:
        for res in g.of_type(*row.types):
            for need in row.needs(deps, res, unknowns):
                message = _need_problem(deps, res, need, row)
                if message:
                    yield res.urn, message
    unknowns.raise_if_any()


def _need_problem(deps: Deps, res: Res, need: Need, row: Ordering) -> str | None:
    if not need.candidates:
        if not need.required:
            return None
        return (f"{_label(res)} needs {need.what}, which the stack does not create: {row.why}. Fix: {need.fix} "
                f"({row.doc})")
    if any(deps.waits(res, c) for c in need.candidates):
        return None
    return (f"{_label(res)} does not wait for {need.what} ({_label(need.candidates[0])}): {row.why}. Add it to "
            f"depends_on ({row.doc})")


# --------------------------------------------------------------------------- DEP-04 incompatible settings
def _references_cluster(deps: Deps, res: Res, prop: str, cluster: Res) -> bool:
    return cluster in deps.refs(res, prop, (RDS_CLUSTER,))


def _set(res: Res, prop: str) -> bool:
    value = res.get(prop)
    return bool(res.property_dependencies.get(prop)) or is_unknown(value) or bool(value)


def _managed_password_conflicts(deps: Deps, cluster: Res) -> list[str]:
    conflicts = []
    if _set(cluster, "globalClusterIdentifier"):
        conflicts.append("it is part of a global database (globalClusterIdentifier)")
    if any(_references_cluster(deps, gc, "sourceDbClusterIdentifier", cluster) for gc in deps.g.of_type(RDS_GLOBAL_CLUSTER)):
        conflicts.append("it is the source of an rds/globalCluster")
    if _set(cluster, "replicationSourceIdentifier"):
        conflicts.append("it is a cross-Region read replica (replicationSourceIdentifier)")
    replicas = [r.name for r in deps.g.of_type(RDS_CLUSTER)
                if r is not cluster and _references_cluster(deps, r, "replicationSourceIdentifier", cluster)]
    if replicas:
        conflicts.append(f"it is the replication source of {', '.join(replicas)}")
    if str(cluster.get("engineMode") or "").lower() == "serverless":
        conflicts.append("it is Aurora Serverless v1 (engineMode serverless)")
    return conflicts


def settings_compatible(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), _Unknowns()
    deps = Deps.of(g)
    for cluster in g.of_type(RDS_CLUSTER):
        managed = cluster.get("manageMasterUserPassword")
        if is_unknown(managed):
            unknowns.add(cluster, "manageMasterUserPassword")
        elif _true(managed):
            for conflict in _managed_password_conflicts(deps, cluster):
                yield cluster.urn, (f"{_label(cluster)}: manageMasterUserPassword is not supported when {conflict} "
                                    "(Aurora User Guide, Limitations for Secrets Manager integration); RDS refuses "
                                    "it. Use a master password from a Secrets Manager secret you create (replicated "
                                    "to the other Region, with rotation)")
    for group in g.of_type(REDIS_GROUP):
        if _set(group, "authToken") and not _true(group.get("transitEncryptionEnabled")):
            if is_unknown(group.get("transitEncryptionEnabled")):
                unknowns.add(group, "transitEncryptionEnabled")
                continue
            yield group.urn, (f"{_label(group)}: an AUTH token needs transitEncryptionEnabled=true (ElastiCache "
                              "refuses AuthToken without in-transit encryption); enable TLS")
    unknowns.raise_if_any()


# --------------------------------------------------------------------------- DEP-05 credentials in place
CREDENTIAL_REFS: dict[str, tuple[tuple[str, str | None, str], ...]] = {
    # type -> (property, nested key inside each item of the property or None, kind: acm (account+region) | iam)
    CLIENT_VPN: (("serverCertificateArn", None, "acm"),
                 ("authenticationOptions", "rootCertificateChainArn", "acm"),
                 ("authenticationOptions", "samlProviderArn", "iam"),
                 ("authenticationOptions", "selfServiceSamlProviderArn", "iam")),
    **{t: (("certificateArn", None, "acm"),) for t in (*LISTENERS, *LISTENER_CERTIFICATES)},
}
KIND_TYPES = {"acm": (CERTIFICATE,), "iam": (SAML_PROVIDER,)}


def _credential_values(res: Res, prop: str, key: str | None) -> list[Any]:
    value = res.get(prop)
    if key is None:
        return [value] if value is not None else []
    return [item.get(key) for item in _list(value) if isinstance(item, Mapping) and item.get(key) is not None]


def _arn_problem(deps: Deps, res: Res, arn: str, kind: str, unknowns: _Unknowns, field: str) -> str | None:
    parts = arn.split(":")
    if len(parts) < 6:
        return None
    arn_region, arn_account = parts[3], parts[4]
    account_id, region = deps.account_id(res), deps.g.region(res)
    created = deps.created_account_of(res)
    if account_id is None and created is None:
        unknowns.add(res, f"{field} (account of its provider)")
        return None
    if account_id is None or arn_account != account_id:
        where = f"account {account_id}" if account_id else f"{created.name}, which this stack creates"
        return f"{field} {arn} is in account {arn_account}, but {_label(res)} is in {where}"
    if kind == "acm" and region and arn_region != region:
        return f"{field} {arn} is in {arn_region}, but {_label(res)} is in {region} (ACM certificates are regional)"
    return None


def _resource_problem(deps: Deps, res: Res, other: Res, kind: str, field: str) -> str | None:
    g = deps.g
    if g.account(other) != g.account(res):
        return f"{field} names {_label(other)} of account {g.account(other)}, but {_label(res)} is in {g.account(res)}"
    if kind == "acm" and g.region(other) != g.region(res):
        return (f"{field} names {_label(other)} in {g.region(other)}, but {_label(res)} is in {g.region(res)} "
                "(ACM certificates are regional)")
    return None


def _credential_targets(deps: Deps, res: Res, prop: str, kind: str) -> list[Res]:
    """What an output-valued credential property comes from; a certificate's validation stands for the certificate
    (listeners take the ARN from the validation, so they wait until it is issued)."""
    found = deps.refs(res, prop, (*KIND_TYPES[kind], CERTIFICATE_VALIDATION))
    targets = [t for t in found if t.type != CERTIFICATE_VALIDATION]
    for validation in (t for t in found if t.type == CERTIFICATE_VALIDATION):
        targets += [c for c in deps.refs(validation, "certificateArn", KIND_TYPES[kind]) if c not in targets]
    return targets


def credentials_in_place(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), _Unknowns()
    deps = Deps.of(g)
    for res_type, refs in CREDENTIAL_REFS.items():
        for res in g.of_type(res_type):
            for prop, key, kind in refs:
                field = f"{prop}.{key}" if key else prop
                for problem in _credential_problems(deps, res, prop, key, kind, field, unknowns):
                    yield res.urn, (f"{problem}: a credential or certificate must live in the account (and, for ACM, "
                                    "the Region) of the resource that uses it; create or import it there in the "
                                    "program")
    unknowns.raise_if_any()


def _credential_problems(deps: Deps, res: Res, prop: str, key: str | None, kind: str, field: str,
                         unknowns: _Unknowns) -> Iterator[str]:
    for value in _credential_values(res, prop, key):
        if isinstance(value, str) and _known(value):
            problem = _arn_problem(deps, res, value, kind, unknowns, field)
        else:
            targets = _credential_targets(deps, res, prop, kind)
            if not targets:
                unknowns.add(res, field)
                continue
            problem = next((p for t in targets if (p := _resource_problem(deps, res, t, kind, field))), None)
        if problem:
            yield problem


# =========================================================================== cases
ORG_TAGS = {"environment": "core", "account": "management"}


def _r(type_: str, name: str, props: Mapping[str, Any] | None = None, refs: Mapping[str, Any] | None = None,
       account: str = "management", env: str = "core", **kwargs: Any) -> CaseResource:
    """A case resource in `account`; refs: prop -> name(s) of the referenced Res, value unknown as in preview."""
    props = dict(props or {})
    deps = {}
    for prop, names in (refs or {}).items():
        props.setdefault(prop, UNKNOWN)
        deps[prop] = (names,) if isinstance(names, str) else tuple(names)
    return CaseResource(type=type_, name=name, props=props, provider_tags={"environment": env, "account": account},
               property_deps=deps, **kwargs)


def _account(name: str = "acct-app") -> CaseResource:
    return _r(ORG_ACCOUNT, name, {"name": name, "email": f"{name}@example.com"})


def _provider(account: str, region: str, created: str | None = "acct-app", **kwargs: Any) -> CaseResource:
    """The provider of `account` in `region` (the name the harness gives the provider of a resource there)."""
    if created is None:
        props = {"region": region, "allowedAccountIds": '["111111111111"]'}
        return _r(PROVIDER, f"{account}-{region}-provider", props, region=region, **kwargs)
    return _r(PROVIDER, f"{account}-{region}-provider", {"region": region},
              refs={"assumeRoles": created, "allowedAccountIds": created}, region=region, **kwargs)


def _enable(region: str = "ap-south-2", enabled: Any = True) -> CaseResource:
    return _r(REGION_SETTING, f"enable-{region}", {"regionName": region, "enabled": enabled},
              refs={"accountId": "acct-app"})


DEP01_CASES = (
    StackCase((_account(), _enable(), _provider("app", "ap-south-2", depends_on=("enable-ap-south-2",))),
              violates=False, note="the provider waits for the region's enablement"),
    StackCase((_account(), _enable(), _provider("app", "ap-south-2")), violates=True,
              note="enabled, but the provider does not wait for it"),
    StackCase((_account(), _provider("app", "ap-south-2")), violates=True, note="opt-in region never enabled"),
    StackCase((_account(), _enable(enabled=False), _provider("app", "ap-south-2", depends_on=("enable-ap-south-2",))),
              violates=True, note="the Region resource disables it"),
    StackCase((_account(), _account("acct-other"),
               _r(REGION_SETTING, "enable-ap-south-2", {"regionName": "ap-south-2", "enabled": True},
                  refs={"accountId": "acct-other"}),
               _provider("app", "ap-south-2", depends_on=("enable-ap-south-2",))), violates=True,
              note="the region is enabled for another account"),
    StackCase((_account(), _provider("app", "eu-west-1")), violates=False, note="not an opt-in region"),
    StackCase((_provider("management", "ap-south-2", created=None),), violates=False,
              note="an account that already exists (preflight checks it)"),
    StackCase((_account(), _r(REGIONS, "regions"),
               CaseResource(REGION_SETTING, "enable-ap-south-2", {"regionName": "ap-south-2", "enabled": "true",
                                                         "accountId": UNKNOWN},
                   provider_tags=ORG_TAGS, parent="regions", property_deps={"accountId": ("acct-app",)}),
               _provider("app", "ap-south-2", depends_on=("regions",))), violates=False,
              note="depends on the component that holds the Region"),
    StackCase((_account(), _enable(), _provider("app", "eu-west-1"),
               _r(SNS_TOPIC, "moved", {"region": "ap-south-2"}, account="app", region="eu-west-1")),
              violates=True, note="a resource's own region argument names a disabled region"),
    StackCase((_account(), _enable(), _r(PROVIDER, "app-ap-south-2-provider", {"region": UNKNOWN},
                                         refs={"assumeRoles": "acct-app"})),
              violates=False, unknown=True, note="region unknown during preview"),
)


def _lookup(token: str, args: Mapping[str, Any], provider: str = "app-eu-west-1-provider") -> CaseResource:
    return _r(LOOKUP, f"lookup-{token.rsplit(':', 1)[-1]}", {"token": token, "args": dict(args)},
              refs={"provider": provider})


DEP02_CASES = (
    StackCase((_account(), _provider("app", "eu-west-1"), _lookup(GET_ZONE, {"name": "example.com"})),
              violates=True, note="a zone looked up in an account created in the same run"),
    StackCase((_account(), _provider("app", "eu-west-1"), _lookup(AMI_TOKEN, {"owners": ["self"]})), violates=True,
              note="own AMIs of a new account"),
    StackCase((_account(), _provider("app", "eu-west-1"),
               _lookup(SSM_PARAMETER_TOKEN, {"name": "/app/db-host"})), violates=True, note="own SSM parameter"),
    StackCase((_account(), _provider("app", "eu-west-1"), _lookup(GET_PARTITION, {}),
               _lookup(AMI_TOKEN, {"owners": ["amazon"], "mostRecent": True}),
               _lookup(SSM_PARAMETER_TOKEN, {"name": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"})),
              violates=False, note="answers that are the same in every account"),
    StackCase((_provider("management", "eu-west-1", created=None),
               _lookup(GET_ZONE, {"name": "example.com"}, "management-eu-west-1-provider")),
              violates=False, note="a lookup in an account that already exists"),
    StackCase((_r(LOOKUP, "lookup-zone", {"token": GET_ZONE, "args": {}, "provider": UNKNOWN}),),
              violates=False, unknown=True, note="provider unknown"),
)


def _bucket(name: str = "logs", account: str = "log-archive") -> CaseResource:
    return _r(BUCKETS[0], name, {"bucket": f"lz-{name}", "arn": f"arn:aws:s3:::lz-{name}"}, account=account)


def _bucket_policy(bucket: str = "logs", account: str = "log-archive") -> CaseResource:
    return _r(BUCKET_POLICY, f"{bucket}-policy", {"bucket": f"lz-{bucket}", "policy": "{}"}, account=account)


def _flow_log(**kwargs: Any) -> CaseResource:
    return _r(FLOW_LOG, "vpc-flow-log", {"logDestinationType": "s3", "logDestination": "arn:aws:s3:::lz-logs/vpc",
                                         "trafficType": "ALL"}, account="app", **kwargs)


def _org(**props: Any) -> CaseResource:
    return _r(ORGANIZATION, "org", {"featureSet": "ALL", **props})


DEP03_CASES = (
    StackCase((_bucket(), _bucket_policy(), _flow_log()), violates=True,
              note="flow log created before the bucket policy that lets log delivery write"),
    StackCase((_bucket(), _bucket_policy(), _flow_log(depends_on=("logs-policy",))), violates=False),
    StackCase((_org(awsServiceAccessPrincipals=["config.amazonaws.com"]),
               _r(GUARDDUTY_ADMIN, "gd-admin", {"adminAccountId": "2"},
                  depends_on=("org",))), violates=True, note="trusted access for GuardDuty not enabled"),
    StackCase((_org(awsServiceAccessPrincipals=["guardduty.amazonaws.com"]),
               _r(GUARDDUTY_ADMIN, "gd-admin", {"adminAccountId": "2"},
                  depends_on=("org",))), violates=False),
    StackCase((_org(enabledPolicyTypes=["TAG_POLICY"]), _r(ORG_POLICY, "scp", {"type": "SERVICE_CONTROL_POLICY"}),
               _r(ORG_POLICY_ATTACHMENT, "scp-root", refs={"policyId": "scp"}, depends_on=("org",))),
              violates=True, note="SCPs not enabled on the root"),
    StackCase((_r(ECS_CLUSTER, "cluster", {"name": "apps"}, account="app"),
               _r(ECS_CAPACITY_PROVIDERS, "cluster-cps", {"capacityProviders": ["FARGATE"]}, refs={"clusterName": "cluster"},
                  account="app"),
               _r(ECS_SERVICE, "svc", {"capacityProviderStrategies": [{"capacityProvider": "FARGATE", "weight": 1}]},
                  refs={"cluster": "cluster"}, account="app")),
              violates=True, note="service before the cluster's capacity providers"),
    StackCase((_r(ECS_CLUSTER, "cluster", {"name": "apps"}, account="app"),
               _r(ECS_CAPACITY_PROVIDERS, "cluster-cps", {"capacityProviders": ["FARGATE"]}, refs={"clusterName": "cluster"},
                  account="app"),
               _r(ECS_SERVICE, "svc", {"capacityProviderStrategies": [{"capacityProvider": "FARGATE", "weight": 1}]},
                  refs={"cluster": "cluster"}, account="app", depends_on=("cluster-cps",))), violates=False),
    StackCase((_r(TGW, "tgw", account="network"),
               _r(RAM_SHARE, "share", account="network"),
               _r(RAM_RESOURCE, "share-tgw", refs={"resourceArn": "tgw", "resourceShareArn": "share"}, account="network"),
               _r(RAM_PRINCIPAL, "share-org", {"principal": "arn:aws:organizations::111111111111:organization/o-example"},
                  refs={"resourceShareArn": "share"}, account="network"),
               _r(VPC_ATTACHMENT, "att", refs={"transitGatewayId": "tgw"}, account="app", depends_on=("share-tgw",))),
              violates=True, note="spoke attachment before the share reaches its account"),
    StackCase((_org(), _r(RAM_ORG_SHARING, "ram-sharing", {"enable": True}),
               _r(RAM_PRINCIPAL, "share-org", refs={"principal": "org", "resourceShareArn": "org"}, account="network")),
              violates=True, note="organization principal (unknown during preview) before sharing is enabled"),
    StackCase((_r(CERTIFICATE, "cert", {"validationMethod": "DNS", "arn": "arn:aws:acm:eu-west-1:1:certificate/x"},
                  account="app"),
               _r(CERTIFICATE_VALIDATION, "cert-validation", refs={"certificateArn": "cert"}, account="app"),
               _r(LISTENERS[0], "https", {"protocol": "HTTPS", "certificateArn": "arn:aws:acm:eu-west-1:1:certificate/x"},
                  account="app")), violates=True, note="listener before its certificate is issued"),
    StackCase((_r(CERTIFICATE, "cert", {"validationMethod": "DNS", "arn": "arn:aws:acm:eu-west-1:1:certificate/x"},
                  account="app"),
               _r(CERTIFICATE_VALIDATION, "cert-validation", refs={"certificateArn": "cert"}, account="app"),
               _r(LISTENERS[0], "https", {"protocol": "HTTPS"}, refs={"certificateArn": "cert-validation"},
                  account="app")), violates=False, note="certificate ARN taken from the validation"),
    StackCase((_r(QUERY_LOG, "zone-queries", {"cloudwatchLogGroupArn": "arn:aws:logs:us-east-1:1:log-group:q"},
                  account="dns"),), violates=True, note="no log resource policy for Route 53"),
    StackCase((_r(LOG_RESOURCE_POLICY, "route53-logs", {"policyDocument": '{"Principal": "route53.amazonaws.com"}'},
                  account="dns"),
               _r(QUERY_LOG, "zone-queries", {"cloudwatchLogGroupArn": "arn:aws:logs:us-east-1:1:log-group:q"},
                  account="dns", depends_on=("route53-logs",))), violates=False),
    StackCase((_r(DELIVERY_CHANNEL, "channel", {"s3BucketName": "lz-logs"}, account="app"),
               _r(CONFIG_RECORDER, "recorder", account="app"),
               _r(RECORDER_STATUS, "recorder-on", {"isEnabled": True}, account="app", depends_on=("recorder",))),
              violates=True, note="channel before its recorder, recorder started before the channel"),
    StackCase((_r(FLOW_LOG, "vpc-flow-log", {"logDestinationType": "s3", "logDestination": UNKNOWN}),),
              violates=False, unknown=True, note="destination unknown during preview"),
)


def _cluster(name: str, managed: Any = True, **props: Any) -> CaseResource:
    return _r(RDS_CLUSTER, name, {"engine": "aurora-mysql", "manageMasterUserPassword": managed, **props}, account="app")


DEP04_CASES = (
    StackCase((_cluster("primary"), _cluster("dr", managed=False, replicationSourceIdentifier="arn:aws:rds:x")),
              violates=False, note="managed password on a cluster nothing replicates (the DR one has its own)"),
    StackCase((_cluster("dr", replicationSourceIdentifier="arn:aws:rds:eu-west-1:1:cluster:primary"),),
              violates=True, note="cross-Region replica with a managed password"),
    StackCase((_cluster("primary", arn="arn:aws:rds:eu-west-1:1:cluster:primary"),
               _cluster("dr", managed=False, replicationSourceIdentifier="arn:aws:rds:eu-west-1:1:cluster:primary")),
              violates=True, note="the source of a cross-Region replica"),
    StackCase((_cluster("member", globalClusterIdentifier="global-1"),), violates=True, note="global database member"),
    StackCase((_cluster("member", managed=False, globalClusterIdentifier="global-1"),), violates=False),
    StackCase((_r(REDIS_GROUP, "redis", {"authToken": "[secret]", "transitEncryptionEnabled": False}, account="app"),),
              violates=True, note="AUTH without TLS"),
    StackCase((_r(REDIS_GROUP, "redis", {"authToken": "[secret]", "transitEncryptionEnabled": True}, account="app"),),
              violates=False),
    StackCase((_cluster("primary", managed=UNKNOWN),), violates=False, unknown=True),
)


def _vpn(**props: Any) -> CaseResource:
    return _r(CLIENT_VPN, "client-vpn", {"clientCidrBlock": "100.64.0.0/22", **props}, account="network")


NETWORK_ACCOUNT = "444444444444"


def _network_provider(created: bool = False) -> CaseResource:
    if created:
        return _provider("network", "eu-west-1", created="acct-network")
    return _r(PROVIDER, "network-eu-west-1-provider",
              {"region": "eu-west-1", "allowedAccountIds": f'["{NETWORK_ACCOUNT}"]'})


DEP05_CASES = (
    StackCase((_network_provider(), _vpn(
        serverCertificateArn="arn:aws:acm:eu-west-1:333333333333:certificate/server",
        authenticationOptions=[{"type": "federated-authentication",
                                "samlProviderArn": "arn:aws:iam::333333333333:saml-provider/idp"}])),
              violates=True, note="certificate and SAML provider in another account"),
    StackCase((_network_provider(), _vpn(
        serverCertificateArn=f"arn:aws:acm:eu-west-1:{NETWORK_ACCOUNT}:certificate/server",
        authenticationOptions=[{"type": "federated-authentication",
                                "samlProviderArn": f"arn:aws:iam::{NETWORK_ACCOUNT}:saml-provider/idp"}])),
              violates=False),
    StackCase((_network_provider(), _vpn(
        serverCertificateArn=f"arn:aws:acm:us-east-1:{NETWORK_ACCOUNT}:certificate/server")),
              violates=True, note="certificate in another Region"),
    StackCase((_account("acct-network"), _network_provider(created=True), _vpn(
        serverCertificateArn=f"arn:aws:acm:eu-west-1:{NETWORK_ACCOUNT}:certificate/server")),
              violates=True, note="a literal ARN cannot be in an account this run creates"),
    StackCase((_r(CERTIFICATE, "server-cert", {"privateKey": "[secret]"}, account="network"),
               _r(LISTENERS[0], "https", {"protocol": "HTTPS"}, refs={"certificateArn": "server-cert"}, account="app")),
              violates=True, note="listener using another account's certificate (by reference)"),
    StackCase((_r(CERTIFICATE, "server-cert", {"privateKey": "[secret]"}, account="network"),
               _r(CLIENT_VPN, "client-vpn", {"serverCertificateArn": UNKNOWN}, refs={"serverCertificateArn": "server-cert"},
                  account="network")),
              violates=False, note="certificate created in the endpoint's account and region"),
    StackCase((_r(CERTIFICATE, "cert", {"validationMethod": "DNS"}, account="network"),
               _r(CERTIFICATE_VALIDATION, "cert-validation", refs={"certificateArn": "cert"}, account="network"),
               _r(LISTENERS[0], "https", {"protocol": "HTTPS"}, refs={"certificateArn": "cert-validation"},
                  account="app")),
              violates=True, note="another account's certificate, through its validation (preview)"),
)

RULES = [
    StackRule(
        id="DEP-01", name="dep-01-opt-in-regions-enabled-first",
        title="Providers of created accounts in opt-in regions wait for the region's enablement",
        description="Every pulumi:providers:aws of an account this stack creates (its assumed role or allowed account "
                    "references an organizations/account of the stack), configured for an opt-in region, and every "
                    "resource whose own region argument is one, waits (transitively, through components) for an "
                    "account/region:Region with that regionName, enabled=true and accountId referencing the account.",
        refs="AWS Account Management: enable or disable Regions in your organization",
        checks=(opt_in_regions_enabled_first,), cases=DEP01_CASES,
        params={"optInRegions": Param("array", list(OPT_IN_REGIONS), "regions disabled in new accounts",
                                      items="string")}),
    StackRule(
        id="DEP-02", name="dep-02-no-lookup-in-created-accounts",
        title="No lookup through the provider of an account this stack creates",
        description="Every landing-zone:index:Lookup marker (components/lookups.py registers one per invoke) whose "
                    "provider belongs to an account this stack creates must be a lookup that answers the same in "
                    "every account: safeTokens, ec2 getAmi with only public owners, ssm getParameter of a public "
                    "parameter.",
        refs="issue 11; Pulumi invokes run before any resource of the update exists",
        checks=(no_lookup_in_created_accounts,), cases=DEP02_CASES,
        params={"safeTokens": Param("array", SAFE_TOKENS, "invoke tokens that answer the same in every account",
                                    items="string"),
                "publicAmiOwners": Param("array", PUBLIC_AMI_OWNERS, "AMI owners whose images are public",
                                         items="string"),
                "publicParameterPrefixes": Param("array", ["/aws/service/"], "public SSM parameter prefixes",
                                                 items="string")}),
    StackRule(
        id="DEP-03", name="dep-03-creation-order",
        title="Resources wait for what AWS checks when they are created",
        description="A table of (dependent, prerequisite, why, documentation) rows checked against the dependency "
                    "graph: " + "; ".join(f"{'/'.join(_short(t) for t in row.types[:2])} -> {row.prerequisite}"
                                          for row in ORDERINGS) + ". See docs/deploy-readiness.md.",
        refs="; ".join(dict.fromkeys(row.doc for row in ORDERINGS)),
        checks=(creation_order_respected,), cases=DEP03_CASES),
    StackRule(
        id="DEP-04", name="dep-04-compatible-settings",
        title="No combination of settings AWS refuses",
        description="An RDS-managed master password (manageMasterUserPassword) is not used on a cluster in a global "
                    "database, a cross-Region read replica, the source of one, or Aurora Serverless v1; an "
                    "ElastiCache AUTH token comes with in-transit encryption.",
        refs="https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-secrets-manager.html; "
             "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth.html",
        checks=(settings_compatible,), cases=DEP04_CASES),
    StackRule(
        id="DEP-05", name="dep-05-credentials-in-place",
        title="Certificates and identity providers a resource names live in its account and region",
        description="Client VPN server and root certificates and load-balancer listener certificates are ACM "
                    "certificates of the same account and region; Client VPN SAML providers are IAM SAML providers of "
                    "the same account. Compared by ARN with the account of the resource's provider (allowedAccountIds "
                    "or assumed role), or, for an output, with the referenced resource's provider.",
        refs="https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html; "
             "https://docs.aws.amazon.com/vpn/latest/clientvpn-admin/client-authentication.html",
        checks=(credentials_in_place,), cases=DEP05_CASES),
]
