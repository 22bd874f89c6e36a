"""Drive pack policies exactly as the engine does, in-process: pulumi-policy's own Analyzer servicer receives
protobuf AnalyzeRequest / AnalyzeStackRequest messages (properties as Struct, unknowns as the engine's sentinels,
provider inputs with JSON-encoded default tags) and policy config through Configure.

Used by every pack test (including the stack-rule tests). The gRPC transport itself is covered by
test_pack_grpc.py through landing_zone.check.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from google.protobuf import json_format, struct_pb2
from lz_policies.analyzer import servicer_class
from lz_policies.rules import Case, CaseResource, Rule, StackCase, case_urn, default_tags_for
from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel

PROVIDER_TYPE = "pulumi:providers:aws"
LEVELS = {proto.ADVISORY: "advisory", proto.MANDATORY: "mandatory", proto.REMEDIATE: "remediate", proto.DISABLED: "disabled"}
LEVEL_VALUES = {"advisory": proto.ADVISORY, "mandatory": proto.MANDATORY, "disabled": proto.DISABLED}


@dataclass(frozen=True)
class Diagnostic:
    policy: str
    level: str  # advisory | mandatory
    message: str
    urn: str

    @property
    def is_cannot_verify(self) -> bool:
        return "during preview" in self.message


def struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    json_format.ParseDict(json.loads(json.dumps(value)), message)
    return message


def provider_message(env: str | None, provider_tags: Mapping[str, str] | None, region: str = "eu-west-1"):
    """The provider as the engine sends it: provider inputs are strings, so defaultTags arrives JSON-encoded."""
    tags = default_tags_for(env, provider_tags)
    props = {"region": region}
    if tags:
        props["defaultTags"] = json.dumps({"tags": tags})
    name = f"{tags.get('account', 'untagged')}-{region}-provider"
    return proto.AnalyzerProviderResource(
        type=PROVIDER_TYPE, properties=struct(props), urn=case_urn(PROVIDER_TYPE, name), name=name
    )


def servicer(policies: list, config: Mapping[str, Any] | None = None, cls: type | None = None):
    """An analyzer for `policies`, configured like `--policy-pack-config` would.

    config: {"policy-name": "disabled" | {"enforcementLevel": "...", "<param>": value}}.
    cls: the servicer class; by default the one the pack serves with (analyzer.PackAnalyzer).
    """
    unknown = sorted(set(config or {}) - {policy.name for policy in policies})
    if unknown:  # as `lz check` does: a misspelt name would silently compare defaults with defaults
        raise ValueError(f"policy config names unknown policies: {', '.join(unknown)}")
    service = (cls or servicer_class())("lz-test", "0.0.1", policies, EnforcementLevel.ADVISORY)
    if config:
        request = proto.ConfigureAnalyzerRequest()
        for name, value in config.items():
            value = {"enforcementLevel": value} if isinstance(value, str) else dict(value)
            level = value.pop("enforcementLevel", None)
            if level is None:
                level = _declared_level(policies, name)
            request.policyConfig[name].CopyFrom(proto.PolicyConfig(enforcementLevel=LEVEL_VALUES[level], properties=struct(value)))
        service.Configure(request, None)
    return service


def _declared_level(policies: list, name: str) -> str:
    policy = next(policy for policy in policies if policy.name == name)
    return (policy.enforcement_level or EnforcementLevel.ADVISORY).value


def _diagnostics(response) -> list[Diagnostic]:
    return [Diagnostic(d.policyName, LEVELS[d.enforcementLevel], d.message, d.urn) for d in response.diagnostics]


def analyze(service, type_: str, props: Mapping[str, Any], *, name: str = "subject", env: str | None = "prod",
            provider_tags: Mapping[str, str] | None = None) -> list[Diagnostic]:
    request = proto.AnalyzeRequest(
        type=type_, properties=struct(props), urn=case_urn(type_, name), name=name,
        provider=provider_message(env, provider_tags),
    )
    return _diagnostics(service.Analyze(request, None))


def analyze_stack(service, resources: Iterable[CaseResource]) -> list[Diagnostic]:
    request = proto.AnalyzeStackRequest()
    by_name = {r.name: r for r in resources}
    for r in by_name.values():
        message = request.resources.add()
        message.type, message.urn, message.name = r.type, r.urn, r.name
        message.properties.CopyFrom(struct(r.props))
        message.provider.CopyFrom(provider_message(r.env, r.provider_tags, r.region))
        message.options.customTimeouts.create = r.create_timeout_seconds
        if r.parent:
            message.parent = by_name[r.parent].urn
        message.dependencies.extend(by_name[d].urn for d in r.depends_on)
        for prop, names in r.property_deps.items():
            message.propertyDependencies[prop].urns.extend(by_name[n].urn for n in names)
    return _diagnostics(service.AnalyzeStack(request, None))


def run_case(rule: Rule, case: Case | StackCase, config_override: Mapping[str, Any] | None = None,
             cls: type | None = None) -> list[Diagnostic]:
    """Every diagnostic the rule's policies produce for one of its declared cases."""
    config = {}
    raw = dict(case.config or {})
    raw.update(config_override or {})
    if raw:
        config = {name: dict(raw) for name in rule.policy_names}
    service = servicer(rule.policies(), config, cls)
    if isinstance(case, StackCase):
        with stack_config(case.stack_config):
            return analyze_stack(service, case.resources)
    type_ = case.type or rule.types[0]
    return analyze(service, type_, case.props, env=case.env, provider_tags=case.provider_tags)


@contextlib.contextmanager
def stack_config(config: Mapping[str, str] | None):
    """PULUMI_CONFIG as the engine sets it for the pack, for the duration of one case (left as it is when None)."""
    if config is None:
        yield
        return
    saved = os.environ.pop("PULUMI_CONFIG", None)
    os.environ["PULUMI_CONFIG"] = json.dumps(dict(config))
    try:
        yield
    finally:
        os.environ.pop("PULUMI_CONFIG", None)
        if saved is not None:
            os.environ["PULUMI_CONFIG"] = saved


def violations(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if not d.is_cannot_verify]
