"""Rule registry and the helpers every policy family shares.

A rule is declared once, as data plus small check functions:

    RULES = [
        ResourceRule(
            id="NET-05", name="net-05-default-sg-has-no-rules",
            title="Default security group has no rules",
            description="...", refs="CIS 5.4; SH EC2.2; CKV2_AWS_12",
            types=("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",),
            checks=(default_sg_has_no_rules,),
            cases=(Case({"ingress": [...]}, violates=True), Case({}, violates=False)),
        ),
    ]

A resource check is `check(r: Subject) -> Iterable[str]` and yields one message per problem found (what is
wrong and how to fix it, naming the property). A stack check is `check(s: Stack) -> Iterable[(urn | None, str)]`.
The framework turns each rule into pulumi_policy policy objects (`Rule.policies()`), merges the policy config
with the declared defaults, reads the environment of each resource and turns values that are unknown during
preview into an ADVISORY "cannot verify during preview" diagnostic instead of a crash or a silent pass.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ResourceValidationArgs,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, _is_unknown

from . import reachability
from .analyzer import TypedResourcePolicy

MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY
ENVIRONMENTS = ("prod", "nonprod", "sandbox", "core")
# Environment assumed when a resource carries no environment tag: the strictest one, so that a missing tag
# never relaxes a rule.
STRICTEST_ENVIRONMENT = "prod"
RELAXED_SUFFIX = "-relaxed"
UNKNOWN = UNKNOWN_STRING_VALUE  # what test cases use to plant a value that is unknown during preview
GRAPH_MEMO_KEY = "reachability-graph"


# ----------------------------------------------------------------------------------------------------------------
# Declarations
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Param:
    """One tunable threshold of a rule (a property of its policy config schema).

    `stack` names an organization-specific default read from the landing-zone stack config (a key of
    STACK_DEFAULT_SOURCES); `default` then only applies when the stack config does not say. `stack_at_most_default`
    caps the stack value at `default` (a relaxed threshold, e.g. sandbox retention, never exceeds the main one).
    """

    type: str  # JSON schema type: integer | number | string | boolean | array | object
    default: Any
    description: str
    items: str | None = None  # JSON schema type of array items
    stack: str | None = None
    stack_at_most_default: bool = False

    def __post_init__(self) -> None:
        if self.stack is not None and self.stack not in STACK_DEFAULT_SOURCES:
            raise ValueError(f"unknown stack default {self.stack!r} (known: {', '.join(STACK_DEFAULT_SOURCES)})")

    def schema(self) -> dict[str, Any]:
        if self.stack is None:
            schema: dict[str, Any] = {"type": self.type, "default": self.default, "description": self.description}
        else:
            # No "default" in the schema: the engine copies schema defaults into the policy config it sends
            # (ReconcilePolicyPackConfig), which would make them indistinguishable from an explicit value and hide
            # the stack-derived default. The default is resolved in Rule.merged_config instead.
            schema = {"type": self.type, "description": f"{self.description} (default: {self.default_text()})"}
        if self.items:
            schema["items"] = {"type": self.items}
        return schema

    def default_text(self) -> str:
        """Where the default comes from, for schemas and the README."""
        if self.stack is None:
            return repr(self.default)
        capped = f", at most {self.default!r}" if self.stack_at_most_default else ""
        return f"{STACK_DEFAULT_SOURCES[self.stack]}{capped}; without it {self.default!r}"

    def resolve_default(self, stack_defaults: Mapping[str, Any]) -> Any:
        """The value used when the policy config does not set this parameter."""
        derived = stack_defaults.get(self.stack) if self.stack else None
        if derived is None:
            return self.default
        return min(self.default, derived) if self.stack_at_most_default else derived


# ----------------------------------------------------------------------------------------------------------------
# Defaults from the landing-zone stack config
# ----------------------------------------------------------------------------------------------------------------
# The engine starts a policy pack with the stack's config in the environment. Verified in pulumi/pulumi,
# sdk/go/common/resource/plugin/analyzer_plugin.go: NewPolicyAnalyzer -> constructEnv(opts, runtime) sets
# PULUMI_CONFIG = constructConfig(opts), i.e. json.Marshal(PropertyMapToConfig(opts.Config)): a JSON object of
# full keys ("landing-zone:network") to STRING values, objects and lists JSON-encoded; an empty config sets no
# variable. (ConfigureStack also carries the config, but pulumi-policy 1.21's Python servicer ignores it, and its
# _configure_runtime_settings reads the same PULUMI_CONFIG.) `lz check` (landing_zone/check.py) sets PULUMI_CONFIG
# the same way from Pulumi.<stack>.yaml. Explicit policy config always wins over these defaults.
STACK_NAMESPACE = "landing-zone"
STACK_DEFAULT_SOURCES = {
    "intent": "landing-zone:network.reachability",
    "adminCidrs": ("landing-zone:network.client_vpn.cidr plus the network account's home-region VPC "
                   "(the Client VPN source-NATs its clients to its interfaces there)"),
    "logRetentionDays": "landing-zone:security.log_retention_days",
    "allowedRegions": "landing-zone:organization.allowed_regions",
    "organizationAccountIds": ("landing-zone:organization.management_account_id plus the account_id of every "
                               "landing-zone:accounts entry that names one"),
    "protectedCidrs": "the VPC CIDRs of every landing-zone:accounts entry whose environment is prod or core",
}
_stack_defaults_cache: tuple[str | None, dict[str, Any]] = (None, {})


def stack_defaults() -> dict[str, Any]:
    """Organization defaults derived from the engine's PULUMI_CONFIG (parsed once per distinct value)."""
    global _stack_defaults_cache
    raw = os.environ.get("PULUMI_CONFIG")
    cached_raw, cached = _stack_defaults_cache
    if raw != cached_raw:
        cached = landing_zone_defaults(_parse_config_env(raw))
        _stack_defaults_cache = (raw, cached)
    return cached


def _parse_config_env(raw: str | None) -> dict[str, Any]:
    """PULUMI_CONFIG as a dict; {} when unset or not a JSON object (never an error: the defaults stay)."""
    try:
        config = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return config if isinstance(config, dict) else {}


def landing_zone_defaults(config: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults by STACK_DEFAULT_SOURCES key from a stack config (full keys, values JSON-encoded or not).

    A missing or malformed value yields no entry, so the rule's own default stays (the program's config
    validation reports malformed values; the pack must not crash on them).
    """
    organization = _section(config, "organization")
    network = _section(config, "network")
    security = _section(config, "security")
    accounts = _decoded(config.get(f"{STACK_NAMESPACE}:accounts"))
    accounts = [a for a in accounts if isinstance(a, Mapping)] if isinstance(accounts, list) else []
    derived = {
        "intent": _intent(network.get("reachability")),
        "adminCidrs": _admin_cidrs(network, organization, accounts),
        "logRetentionDays": _positive_int(security.get("log_retention_days")),
        "allowedRegions": _strings(organization.get("allowed_regions")),
        "organizationAccountIds": _organization_account_ids(organization, accounts),
        "protectedCidrs": _environment_cidrs(accounts, ("prod", "core")),
    }
    return {key: value for key, value in derived.items() if value is not None}


def _decoded(value: Any) -> Any:
    """Config values arrive as strings, objects and lists JSON-encoded; plain strings stay strings."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _section(config: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = _decoded(config.get(f"{STACK_NAMESPACE}:{name}"))
    return value if isinstance(value, Mapping) else {}


def _strings(value: Any) -> list[str] | None:
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return list(value)
    return None


def _positive_int(value: Any) -> int | None:
    value = _decoded(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _intent(value: Any) -> dict[str, list[str]] | None:
    if not isinstance(value, Mapping) or not value:
        return None
    intent = {segment: _strings(peers) if peers else [] for segment, peers in value.items()}
    if not all(isinstance(s, str) and s and peers is not None for s, peers in intent.items()):
        return None
    return intent


def _cidr(value: Any) -> str | None:
    try:
        return str(ipaddress.ip_network(value, strict=False)) if isinstance(value, str) else None
    except ValueError:
        return None


def _admin_cidrs(network: Mapping[str, Any], organization: Mapping[str, Any], accounts: Any) -> list[str] | None:
    client_vpn = network.get("client_vpn")
    client_cidr = _cidr(client_vpn.get("cidr")) if isinstance(client_vpn, Mapping) else None
    if client_cidr is None:
        return None
    return [client_cidr, *_client_vpn_nat_cidrs(organization, accounts)]


def _client_vpn_nat_cidrs(organization: Mapping[str, Any], accounts: Any) -> list[str]:
    """The network account's home-region VPC range (all its VPCs when the home region is not configured)."""
    accounts = accounts if isinstance(accounts, list) else []
    network_account = next((a for a in accounts if isinstance(a, Mapping) and a.get("role") == "network"), {})
    vpcs = network_account.get("vpcs")
    if not isinstance(vpcs, Mapping):
        return []
    home = organization.get("home_region")
    if home is None:
        chosen = list(vpcs.values())
    else:
        chosen = [vpcs[home]] if isinstance(home, str) and home in vpcs else []
    cidrs = [_cidr(vpc.get("cidr")) for vpc in chosen if isinstance(vpc, Mapping)]
    return [c for c in cidrs if c]


def _account_id(value: Any) -> str | None:
    value = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    return value if isinstance(value, str) and re.fullmatch(r"\d{12}", value) else None


def _organization_account_ids(organization: Mapping[str, Any], accounts: list) -> list[str] | None:
    ids = [_account_id(organization.get("management_account_id"))]
    ids += [_account_id(a.get("account_id") or a.get("id")) for a in accounts]
    found = [i for i in ids if i]
    return found or None


def _environment_cidrs(accounts: list, environments: tuple[str, ...]) -> list[str] | None:
    """VPC ranges of the accounts in `environments` (None when no account declares a VPC: the rule's default)."""
    cidrs = []
    for account in accounts:
        vpcs = account.get("vpcs")
        if account.get("environment") in environments and isinstance(vpcs, Mapping):
            cidrs += [_cidr(vpc.get("cidr")) for vpc in vpcs.values() if isinstance(vpc, Mapping)]
    found = [c for c in cidrs if c]
    return found or None


@dataclass(frozen=True)
class Case:
    """A test fixture of a resource rule: the inputs the engine would send and the expected outcome."""

    props: Mapping[str, Any]
    violates: bool
    type: str | None = None  # defaults to the rule's first type
    env: str | None = "prod"  # environment in the provider's default tags (None: no environment tag)
    provider_tags: Mapping[str, str] | None = None  # full default tags; None -> {"environment", "account"}
    config: Mapping[str, Any] | None = None  # policy config properties for this case
    unknown: bool = False  # expects an advisory "cannot verify during preview" (and nothing else)
    note: str = ""


@dataclass(frozen=True)
class Res:
    """A resource of a stack test case. `parent`, `depends_on` and `property_deps` name other Res by name."""

    type: str
    name: str
    props: Mapping[str, Any] = field(default_factory=dict)
    env: str | None = "prod"
    provider_tags: Mapping[str, str] | None = None
    region: str = "eu-west-1"  # the provider's region
    parent: str | None = None
    depends_on: tuple[str, ...] = ()
    property_deps: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def urn(self) -> str:
        return case_urn(self.type, self.name)


@dataclass(frozen=True)
class StackCase:
    """A test fixture of a stack rule: a small resource graph and the expected outcome."""

    resources: tuple[Res, ...]
    violates: bool
    config: Mapping[str, Any] | None = None
    unknown: bool = False
    note: str = ""


def case_urn(type_: str, name: str) -> str:
    return f"urn:pulumi:test::landing-zone::{type_}::{name}"


def default_tags_for(env: str | None, provider_tags: Mapping[str, str] | None) -> dict[str, str]:
    """Default tags a test provider carries: what components/providers.py sets on every account provider."""
    if provider_tags is not None:
        return dict(provider_tags)
    return {"environment": env, "account": f"{env}-account"} if env else {}


@dataclass
class Rule:
    """Common part of resource and stack rules."""

    id: str  # catalogue id, e.g. "NET-01"
    name: str  # policy name (kebab case, starts with the lower-case id)
    title: str  # one line: what it checks
    description: str  # what a reviewer needs to understand the rule
    refs: str  # "CIS 5.2; SH EC2.13; CKV_AWS_24"
    checks: tuple[Callable, ...]
    cases: tuple = ()
    level: EnforcementLevel = MANDATORY
    params: Mapping[str, Param] = field(default_factory=dict)
    relaxed_in: frozenset[str] = frozenset()  # environments where the rule is only advisory
    severity: Severity = Severity.HIGH
    kind = "abstract"

    def __post_init__(self) -> None:
        if not self.name.startswith(self.id.lower() + "-"):
            raise ValueError(f"policy name {self.name!r} must start with {self.id.lower()!r}-")
        if not self.checks:
            raise ValueError(f"{self.id} declares no checks")
        self.relaxed_in = frozenset(self.relaxed_in)

    @property
    def full_description(self) -> str:
        text = f"[{self.id}] {self.title}. {self.description}"
        if self.relaxed_in:
            text += f" Advisory only in {', '.join(sorted(self.relaxed_in))} (policy {self.relaxed_name})."
        return f"{text} Refs: {self.refs}."

    @property
    def relaxed_name(self) -> str:
        return self.name + RELAXED_SUFFIX

    @property
    def policy_names(self) -> list[str]:
        return [self.name, self.relaxed_name] if self.relaxed_in else [self.name]

    def config_schema(self) -> PolicyConfigSchema | None:
        if not self.params:
            return None
        return PolicyConfigSchema({key: p.schema() for key, p in self.params.items()})

    def merged_config(self, given: Mapping[str, Any] | None) -> dict[str, Any]:
        """Declared defaults (or their landing-zone stack-config value), overridden by the policy config given."""
        derived = stack_defaults() if any(p.stack for p in self.params.values()) else {}
        config = {key: p.resolve_default(derived) for key, p in self.params.items()}
        config.update(dict(given or {}))
        return config

    def policies(self) -> list:
        raise NotImplementedError


@dataclass
class ResourceRule(Rule):
    types: tuple[str, ...] = ()  # full type tokens the rule applies to
    kind = "resource"

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.types:
            raise ValueError(f"{self.id} declares no resource types")
        self.types = tuple(self.types)
        self._type_set = frozenset(self.types)

    def policies(self) -> list[TypedResourcePolicy]:
        main = TypedResourcePolicy(
            types=self.types,
            name=self.name,
            description=self.full_description,
            validate=self._validator(relaxed=False),
            enforcement_level=self.level,
            config_schema=self.config_schema(),
            severity=self.severity,
        )
        if not self.relaxed_in:
            return [main]
        relaxed = TypedResourcePolicy(
            types=self.types,
            name=self.relaxed_name,
            description=f"[{self.id}] {self.title} (in {', '.join(sorted(self.relaxed_in))}). Refs: {self.refs}.",
            validate=self._validator(relaxed=True),
            enforcement_level=ADVISORY,
            config_schema=self.config_schema(),
            severity=Severity.LOW,
        )
        return [main, relaxed]

    def _validator(self, relaxed: bool) -> Callable[[ResourceValidationArgs, Callable], None]:
        def validate(args: ResourceValidationArgs, report_violation: Callable) -> None:
            if args.resource_type not in self._type_set:
                return
            subject = Subject(args, self.merged_config(args.get_config()))
            if (subject.env in self.relaxed_in) != relaxed:
                return  # the other policy of the pair (strict / relaxed) covers this environment
            unknown_paths: list[str] = []
            for check in self.checks:
                try:
                    for message in check(subject):
                        report_violation(f"{self.id} {check.__name__}: {message}", None)
                except UnknownValueError as err:
                    unknown_paths.append(_unknown_path(err))
            if unknown_paths:
                raise cannot_verify(unknown_paths)

        return validate


@dataclass
class StackRule(Rule):
    kind = "stack"

    def policies(self) -> list[StackValidationPolicy]:
        return [
            StackValidationPolicy(
                name=self.name,
                description=self.full_description,
                validate=self._validator(),
                enforcement_level=self.level,
                config_schema=self.config_schema(),
                severity=self.severity,
            )
        ]

    def _validator(self) -> Callable[[StackValidationArgs, Callable], None]:
        def validate(args: StackValidationArgs, report_violation: Callable) -> None:
            stack = Stack(args, self.merged_config(args.get_config()))
            unknown_paths: list[str] = []
            for check in self.checks:
                try:
                    for urn, message in check(stack):
                        report_violation(f"{self.id} {check.__name__}: {message}", urn)
                except UnknownValueError as err:
                    unknown_paths.append(_unknown_path(err))
            if unknown_paths:
                raise cannot_verify(unknown_paths)

        return validate


# ----------------------------------------------------------------------------------------------------------------
# Unknown values during preview
# ----------------------------------------------------------------------------------------------------------------
def is_unknown(value: Any) -> bool:
    """True for the sentinel pulumi-policy uses for a value that is only known after apply."""
    return _is_unknown(value)


def _unknown_path(err: UnknownValueError) -> str:
    return ".".join(str(p) for p in err.props) or "a value"


def cannot_verify(paths: Sequence[str]) -> UnknownValueError:
    """The exception the engine reports as an ADVISORY diagnostic (pulumi-policy catches UnknownValueError)."""
    err = UnknownValueError(UNKNOWN_STRING_VALUE, list(paths[:1]))
    err.message = (
        f"cannot verify during preview: {', '.join(dict.fromkeys(paths))} is unknown; "
        "the rule is checked again when the value is known (pulumi up)"
    )
    return err


def require_known(value: Any, path: str) -> Any:
    """Raise the preview advisory when `value` is an unknown sentinel (for values read outside the proxies)."""
    if is_unknown(value):
        raise cannot_verify([path])
    return value


# ----------------------------------------------------------------------------------------------------------------
# Reading values
# ----------------------------------------------------------------------------------------------------------------
def plain(value: Any) -> Any:
    """Copy pulumi-policy's read-only proxies into plain dicts and lists (raises UnknownValueError on unknowns)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return {key: plain(value[key]) for key in value}
    if isinstance(value, Sequence):
        return [plain(item) for item in value]
    return value


def dig(value: Any, *path: Any, default: Any = None) -> Any:
    """value[path[0]][path[1]]...; `default` when a step is missing or of the wrong shape.

    A list is walked by index (int step); the first element is NOT implied.
    """
    current = value
    for step in path:
        if isinstance(step, int):
            if isinstance(current, str) or not isinstance(current, Sequence) or not -len(current) <= step < len(current):
                return default
        elif not isinstance(current, Mapping) or step not in current:
            return default
        current = current[step]
    return default if current is None else current


def as_list(value: Any) -> list:
    """None -> [], scalar -> [scalar], sequence -> list (strings are scalars)."""
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Sequence):
        return [value]
    return list(value)


def decode_json(value: Any) -> Any:
    """A JSON document given either as a string or as an object. Returns None when it cannot be parsed."""
    if value is None:
        return None
    if isinstance(value, str):
        require_known(value, "document")
        try:
            return json.loads(value)
        except ValueError:
            return None
    return plain(value)


def truthy(value: Any) -> bool:
    """Booleans arrive as bools, or as "true"/"false" strings from provider inputs."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


# ----------------------------------------------------------------------------------------------------------------
# Environment and tags
# ----------------------------------------------------------------------------------------------------------------
def provider_default_tags(provider_props: Mapping[str, Any] | None) -> dict[str, str]:
    """Default tags of an aws.Provider, whichever way the engine encodes provider inputs (object or JSON string)."""
    if not provider_props:
        return {}
    try:
        raw = provider_props.get("defaultTags")
    except UnknownValueError:
        return {}
    if isinstance(raw, str):
        return dict(_default_tags_of_json(raw))
    return _default_tags(raw)


@functools.lru_cache(maxsize=1024)
def _default_tags_of_json(raw: str) -> tuple[tuple[str, str], ...]:
    """The engine sends provider inputs as JSON strings and every resource of an account carries the same one:
    parse each distinct string once (immutable result, copied into a dict by the caller)."""
    return tuple(_default_tags(raw).items())


def _default_tags(raw: Any) -> dict[str, str]:
    try:
        default_tags = decode_json(raw)
    except UnknownValueError:
        return {}
    tags = dig(default_tags, "tags", default={})
    tags = decode_json(tags) if isinstance(tags, str) else tags
    return {str(k): str(v) for k, v in tags.items()} if isinstance(tags, Mapping) else {}


def own_tags(props: Mapping[str, Any]) -> dict[str, str]:
    """The resource's own tags (tags, else tagsAll). Raises UnknownValueError when they are unknown."""
    for key in ("tags", "tagsAll"):
        if key in props and props[key] is not None:
            tags = plain(props[key])
            if isinstance(tags, Mapping):
                return {str(k): str(v) for k, v in tags.items()}
    return {}


def environment_of(props: Mapping[str, Any], provider_props: Mapping[str, Any] | None) -> str | None:
    """prod | nonprod | sandbox | core, from the provider's default tags, else the resource's own tags.

    Never guessed from names. None when neither carries a recognised `environment` tag.
    """
    env = provider_default_tags(provider_props).get("environment")
    if env not in ENVIRONMENTS:
        try:
            env = own_tags(props).get("environment")
        except UnknownValueError:
            env = None
    return env if env in ENVIRONMENTS else None


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


def short_type(type_: str) -> str:
    """aws:ec2/securityGroup:SecurityGroup -> ec2/securityGroup (the catalogue's notation)."""
    parts = type_.split(":")
    return parts[1] if len(parts) == 3 else type_


# ----------------------------------------------------------------------------------------------------------------
# Stack view (for stack rules)
# ----------------------------------------------------------------------------------------------------------------
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
    `memo` holds further derived structures the rules share (e.g. stack_rules' reachability graph).
    """

    def __init__(self, args: StackValidationArgs, config: Mapping[str, Any]) -> None:
        self.cfg: Mapping[str, Any] = config
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

    def graph(self) -> reachability.Graph:
        """The stack as a reachability.Graph (plain props, references resolved by id / ARN / name, else by property
        dependencies), built once per request and shared by every stack rule."""
        graph = self.memo.get(GRAPH_MEMO_KEY)
        if graph is None:
            graph = self.memo[GRAPH_MEMO_KEY] = reachability.Graph(self.resources)
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
    )


# ----------------------------------------------------------------------------------------------------------------
# IAM policy documents
# ----------------------------------------------------------------------------------------------------------------
def statements(document: Any) -> list[dict[str, Any]]:
    """The statements of an IAM policy document given as a JSON string or an object (Statement dict or list)."""
    doc = decode_json(document)
    if not isinstance(doc, Mapping):
        return []
    return [s for s in as_list(doc.get("Statement")) if isinstance(s, Mapping)]


def allows(statement: Mapping[str, Any]) -> bool:
    return statement.get("Effect") == "Allow"


def actions(statement: Mapping[str, Any]) -> list[str]:
    return [str(a) for a in as_list(statement.get("Action"))]


def resources(statement: Mapping[str, Any]) -> list[str]:
    return [str(a) for a in as_list(statement.get("Resource"))]


def principals(statement: Mapping[str, Any]) -> list[str]:
    """Every principal value of a statement ("*" for `Principal: "*"` or `{"AWS": "*"}`)."""
    principal = statement.get("Principal")
    if principal is None:
        return []
    if isinstance(principal, str):
        return [principal]
    values: list[str] = []
    if isinstance(principal, Mapping):
        for value in principal.values():
            values.extend(str(v) for v in as_list(value))
    return values


def action_matches(pattern: str, action: str) -> bool:
    """IAM wildcard match of an action pattern ("s3:*", "*", "kms:Decr*") against an action (case-insensitive)."""
    import fnmatch

    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


def iter_checks(*checks: Callable[[Subject], Iterable[str]]) -> Callable[[Subject], Iterator[str]]:
    """Combine several checks into one (rarely needed: prefer listing them in `checks=`)."""

    def combined(subject: Subject) -> Iterator[str]:
        for check in checks:
            yield from check(subject)

    return combined


# ----------------------------------------------------------------------------------------------------------------
# Secrets in names and values
# ----------------------------------------------------------------------------------------------------------------
SECRET_WORDS = frozenset({
    "password", "passwd", "pwd", "secret", "secrets", "token", "key", "apikey", "credential", "credentials",
    "auth", "privatekey", "passphrase", "dsn", "connectionstring",
})
# Words that make a "key" harmless (a key id, a key name, a key prefix...) rather than a key.
NOT_SECRET_WORDS = frozenset({"id", "arn", "name", "prefix", "alias", "path", "file", "region", "length", "type"})
SECRET_VALUE_PATTERNS = (
    re.compile(r"AKIA[0-9A-Z]{16}"),  # AWS access key id
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"\b(ghp|gho|github_pat|xox[abp]|sk_live)_[A-Za-z0-9_]{10,}"),
    re.compile(r"://[^/\s:@]+:[^/\s@]+@"),  # credentials inside a URL
)


def name_words(name: str) -> list[str]:
    """'DB_PASSWORD' / 'apiKey' / '/app/db-secret' -> lower-case words."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(name))
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def looks_secret_name(name: str) -> bool:
    """True when a name says it holds a secret (password, secret, token, api key...), not a key id or name."""
    words = name_words(name)
    joined = "".join(words)
    if any(w in NOT_SECRET_WORDS for w in words[-1:]):
        return False
    return any(w in SECRET_WORDS for w in words) or any(s in joined for s in ("password", "apikey", "secretkey"))


def looks_secret_value(value: Any) -> bool:
    """True when a literal value has the shape of a credential (access key, private key, token, URL password)."""
    return isinstance(value, str) and any(p.search(value) for p in SECRET_VALUE_PATTERNS)
