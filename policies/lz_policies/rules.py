"""Rule declarations: a rule is data plus small check functions, with its test cases beside it.

    RULES = [
        ResourceRule(
            id="NET-05", name="net-05-default-sg-has-no-rules",
            title="Default security group has no rules",
            description="...", refs="CIS 5.4; SH EC2.2; CKV2_AWS_12",
            types=(DEFAULT_SECURITY_GROUP,),
            checks=(default_sg_has_no_rules,),
            cases=(Case({"ingress": [...]}, violates=True), Case({}, violates=False)),
        ),
    ]

A resource check is `check(r: Subject) -> Iterable[str]` and yields one message per problem found (what is
wrong and how to fix it, naming the property). A stack check is `check(s: Stack) -> Iterable[(urn | None, str)]`.
A rule becomes pulumi_policy policy objects (`Rule.policies()`), merges the policy config with the declared
defaults (or their stack-config value, stack_config.py), reads the environment of each resource and turns values
that are unknown during preview into an ADVISORY "cannot verify during preview" diagnostic instead of a crash or a
silent pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
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
from pulumi_policy.proxy import UnknownValueError

from .analyzer import ANY_TYPE, TypedResourcePolicy
from .sdk import NotApplicableError
from .stack_config import STACK_DEFAULT_SOURCES, landing_zone_stack, split_part, stack_defaults
from .values import cannot_verify, unknown_path
from .views import Stack, Subject

MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY
RELAXED_SUFFIX = "-relaxed"


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
class CaseResource:
    """A resource of a stack test case. `parent`, `depends_on` and `property_deps` name other CaseResources by name."""

    type: str
    name: str
    props: Mapping[str, Any] = field(default_factory=dict)
    env: str | None = "prod"
    provider_tags: Mapping[str, str] | None = None
    region: str = "eu-west-1"  # the provider's region
    parent: str | None = None
    depends_on: tuple[str, ...] = ()
    property_deps: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    create_timeout_seconds: float = 0.0  # the customTimeouts create option the engine sends (0: none)

    @property
    def urn(self) -> str:
        return case_urn(self.type, self.name)


@dataclass(frozen=True)
class StackCase:
    """A test fixture of a stack rule: a small resource graph and the expected outcome."""

    resources: tuple[CaseResource, ...]
    violates: bool
    config: Mapping[str, Any] | None = None
    unknown: bool = False
    stack_config: Mapping[str, str] | None = None  # the engine's PULUMI_CONFIG for the case (full keys, JSON values)
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
    # Needs every stack of a split organization (coverage of every account, reachability, a reference across stacks):
    # in a member stack it does not apply, and `lz check --all` checks it on the organization's merged plan.
    whole_organization: bool = False
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

    def _run_checks(self, subject: Any, urn_and_message: Callable[[Any], tuple[str | None, str]],
                    report_violation: Callable) -> None:
        """Report every finding of every check; values unknown during preview become one advisory at the end."""
        unknown_paths: list[str] = []
        for check in self.checks:
            try:
                for finding in check(subject):
                    urn, message = urn_and_message(finding)
                    report_violation(f"{self.id} {check.__name__}: {message}", urn)
            except UnknownValueError as err:
                unknown_paths.append(unknown_path(err))
        if unknown_paths:
            raise cannot_verify(unknown_paths)


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
            if args.resource_type not in self._type_set and ANY_TYPE not in self._type_set:
                return
            subject = Subject(args, self.merged_config(args.get_config()))
            if (subject.env in self.relaxed_in) != relaxed:
                return  # the other policy of the pair (strict / relaxed) covers this environment
            self._run_checks(subject, lambda message: (None, message), report_violation)

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
            part = split_part() if self.whole_organization else None
            landing_zone, project = landing_zone_stack() if self.whole_organization else (True, "")
            if not landing_zone:
                raise NotApplicableError(f"{self.id}: not a landing-zone stack (project {project}): this rule "
                                         "judges the organization the landing zone builds; the resource rules and "
                                         "the stack rules of single resources still apply")
            if part is not None:
                raise NotApplicableError(f"{self.id} needs the whole organization: this is its {part} stack; "
                                         "`lz check --stack <stack> --all` checks it on the merged plan")
            given = args.get_config()
            stack = Stack(args, self.merged_config(given), given)
            self._run_checks(stack, lambda finding: finding, report_violation)

        return validate


def iter_checks(*checks: Callable[[Subject], Iterable[str]]) -> Callable[[Subject], Iterator[str]]:
    """Combine several checks into one (rarely needed: prefer listing them in `checks=`)."""

    def combined(subject: Subject) -> Iterator[str]:
        for check in checks:
            yield from check(subject)

    return combined
