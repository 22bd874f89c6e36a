"""The pack's Analyzer servicer: pulumi-policy's own, minus the work it repeats for every policy.

pulumi-policy 1.21's `_PolicyAnalyzerServicer` decodes a resource's properties and its provider's inputs (protobuf
Struct -> dict -> unknown-checking proxy) once PER POLICY: with ~90 resource policies an Analyze call decodes the
same resource ~90 times, and AnalyzeStack rebuilds every PolicyResource of the stack once per stack policy. On the
prod plan (1,883 resources) that was ~95% of the pack's CPU time.

`PackAnalyzer` answers the same requests with the same diagnostics, in the same order, but
  - decodes a request once and shares the read-only proxies across policies;
  - decodes each distinct provider once (many resources share one provider);
  - calls a resource policy only for the resource types it declares (`TypedResourcePolicy.types`); our policies
    return without a word for other types, so skipping them changes nothing;
  - gives every stack policy of one AnalyzeStack the same resources list, so views.py builds its stack view (and
    graph.py its resource graph) once per request instead of once per policy.

Policies that are not ours (no declared types) run for every resource, exactly as with the stock servicer.
`build_pack` installs it only when `compatible()` confirms the private pulumi-policy API it relies on is there
(sdk.py: the one place that touches pulumi-policy's internals, checked against the version it was written for);
otherwise the stock servicer runs, slower but identical.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Mapping
from inspect import isawaitable
from typing import Any

from google.protobuf import json_format
from pulumi.runtime import proto
from pulumi_policy import (
    EnforcementLevel,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.policy import PolicyProviderResource, PolicyResource
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from . import sdk
from .values import mark_secrets

# The environment configure_runtime reads: re-run it only when one of these changes.
_RUNTIME_ENV = ("PULUMI_CONFIG", "PULUMI_PROJECT", "PULUMI_STACK", "PULUMI_DRY_RUN", "PULUMI_ORGANIZATION")
_PROVIDER_CACHE_LIMIT = 4096


class TypedResourcePolicy(ResourceValidationPolicy):
    """A resource policy that declares the resource types it applies to (the analyzer skips the others)."""

    def __init__(self, *, types: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.types = EVERY_TYPE if ANY_TYPE in types else frozenset(types)


ANY_TYPE = "*"  # a rule declaring it applies to every resource type (e.g. secrets in any input)


class _EveryType(frozenset):
    def __contains__(self, item: object) -> bool:
        return True


EVERY_TYPE = _EveryType()


def decode(struct: Any) -> Mapping[str, Any]:
    """A protobuf Struct of properties as pulumi-policy hands them to policies (unknowns raise on access)."""
    return unknown_checking_proxy(deserialize_properties(mark_secrets(json_format.MessageToDict(struct))))


class PackAnalyzer(sdk.ServicerBase):
    """Drop-in `_PolicyAnalyzerServicer` that decodes each request once (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        policies = self.policies
        self._resource_policies = [p for p in policies if isinstance(p, ResourceValidationPolicy)]
        self._stack_policies = [p for p in policies if isinstance(p, StackValidationPolicy)]
        self._by_type: dict[str, list[ResourceValidationPolicy]] = {}
        self._lock = threading.Lock()
        self._providers: dict[bytes, PolicyProviderResource] = {}
        self._runtime_env: tuple | None = None

    # --- shared decoding -----------------------------------------------------------------------------------------
    def _policies_for(self, type_: str) -> list[ResourceValidationPolicy]:
        """Resource policies that apply to `type_`, in pack order (untyped policies apply to every type)."""
        found = self._by_type.get(type_)
        if found is None:
            found = [p for p in self._resource_policies if type_ in getattr(p, "types", (type_,))]
            self._by_type[type_] = found
        return found

    def _provider(self, request: Any) -> PolicyProviderResource | None:
        if not request.HasField("provider"):
            return None
        message = request.provider
        key = message.SerializeToString(deterministic=True)
        provider = self._providers.get(key)
        if provider is None:
            provider = PolicyProviderResource(message.type, decode(message.properties), message.urn, message.name)
            with self._lock:
                if len(self._providers) >= _PROVIDER_CACHE_LIMIT:
                    self._providers.clear()
                self._providers[key] = provider
        return provider

    def _configure_runtime_once(self) -> None:
        current = tuple(os.environ.get(name) for name in _RUNTIME_ENV)
        if current != self._runtime_env:
            self.configure_runtime()
            self._runtime_env = current

    def _run(self, policy: Any, args: Any, report_violation: Any, response: Any) -> None:
        """Call one policy as the stock servicer does: unknowns -> advisory diagnostic, not-applicable recorded."""
        try:
            result = policy.validate(args, report_violation)
            if isawaitable(result):
                loop = asyncio.new_event_loop()
                loop.run_until_complete(asyncio.Task(result, loop=loop))
                loop.close()
        except UnknownValueError as err:
            name, version = self.pack_name, self.pack_version
            response.diagnostics.append(proto.AnalyzeDiagnostic(
                policyName=policy.name, policyPackName=name, policyPackVersion=version,
                message=f"can't run policy '{policy.name}' from policy pack '{name}@v{version}' during preview: "
                        f"{err.message}",
                urn="", description=policy.description,
                enforcementLevel=self.wire_level(EnforcementLevel.ADVISORY),
            ))
        except sdk.NotApplicableError as err:
            response.not_applicable.append(proto.PolicyNotApplicable(policy_name=policy.name, reason=err.reason or ""))

    def _level(self, policy: Any) -> EnforcementLevel:
        level = self.enforcement_level(policy)
        # A remediation that still reports, and a stack policy (never remediated), report as mandatory.
        return EnforcementLevel.MANDATORY if level == EnforcementLevel.REMEDIATE else level

    # --- the Analyzer protocol -----------------------------------------------------------------------------------
    def ConfigureStack(self, request: Any, context: Any) -> Any:  # noqa: N802 - gRPC method name
        """The stack's config and name arrive here too (besides PULUMI_CONFIG at start): take them, so one pack process
        can check every stack of a split organization in turn (`lz check --all`) and see each one's own config."""
        if request.config:
            os.environ["PULUMI_CONFIG"] = json.dumps(dict(request.config), sort_keys=True)
        if request.stack:
            os.environ["PULUMI_STACK"] = request.stack
        return super().ConfigureStack(request, context)

    def Analyze(self, request: Any, _context: Any) -> Any:  # noqa: N802 - gRPC method name
        self._configure_runtime_once()
        response = proto.AnalyzeResponse()
        props = opts = provider = None
        for policy in self._policies_for(request.type):
            if self.enforcement_level(policy) == EnforcementLevel.DISABLED:
                continue
            if not policy.has_validation():
                response.not_applicable.append(proto.PolicyNotApplicable(
                    policy_name=policy.name, reason="Policy does not implement validate"))
                continue
            if props is None:
                props, opts, provider = decode(request.properties), self.resource_options(request), self._provider(request)
            report_violation = self.report_violation(response, policy, self._level(policy))
            args = ResourceValidationArgs(request.type, props, request.urn, request.name, opts, provider,
                                          self.policy_config(policy.name), self.stack_tags)
            self._run(policy, args, report_violation, response)
        return response

    def AnalyzeStack(self, request: Any, _context: Any) -> Any:  # noqa: N802 - gRPC method name
        self._configure_runtime_once()
        response = proto.AnalyzeResponse()
        enabled = [p for p in self._stack_policies if self.enforcement_level(p) != EnforcementLevel.DISABLED]
        if not enabled:
            return response
        resources = self._stack_resources(request)
        for policy in enabled:
            report_violation = self.report_violation(response, policy, self._level(policy))
            args = StackValidationArgs(resources, self.policy_config(policy.name), self.stack_tags)
            self._run(policy, args, report_violation, response)
        return response

    def _stack_resources(self, request: Any) -> list[PolicyResource]:
        """Every resource of the request, linked to its parent and dependencies (as the stock servicer links them)."""
        resources: list[PolicyResource] = []
        links = []
        for r in request.resources:
            resource = PolicyResource(r.type, decode(r.properties), r.urn, r.name, self.resource_options(r),
                                      self._provider(r), None, [], {})
            resources.append(resource)
            links.append((resource, r.parent, list(r.dependencies),
                          {k: list(v.urns) for k, v in r.propertyDependencies.items()}))
        by_urn = {r.urn: r for r in resources}
        for resource, parent, dependencies, property_dependencies in links:
            if parent in by_urn:
                resource.parent = by_urn[parent]
            resource.dependencies.extend(by_urn[d] for d in dependencies if d in by_urn)
            for prop, urns in property_dependencies.items():
                resource.property_dependencies[prop] = [by_urn[u] for u in urns if u in by_urn]
        return resources


def compatible() -> bool:
    """True when the installed pulumi-policy has the private API PackAnalyzer builds on (sdk.compatibility)."""
    return sdk.compatibility()[0]


def servicer_class() -> type:
    """The servicer the pack serves with: PackAnalyzer when compatible, else pulumi-policy's own (with a warning)."""
    return PackAnalyzer if sdk.usable() else sdk.StockServicer


def install() -> type:
    """Make PolicyPack serve with `servicer_class()`."""
    chosen = servicer_class()
    sdk.install(chosen)
    return chosen
