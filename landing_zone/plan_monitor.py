"""The RecordingMonitor: it sits where the engine's resource monitor sits and records what the engine would receive.

Every RegisterResource request is recorded as the engine gets it (camelCase inputs in wire form: secrets as the
secret envelope, unknowns as the unknown sentinel, resource references as references), together with the id and
state the mocks return. Resources without an explicit provider get the engine's default provider
(`default_<version>`, configured from the stack's `<pkg>:*` config), so every custom resource has a provider
reference exactly as in a real snapshot.
"""

from __future__ import annotations

import heapq
import importlib.metadata
import json
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import resource_pb2

from landing_zone import engine
from landing_zone.mocks import REMOTE_CHILD_PACKAGE, LandingZoneMocks, fake_uuid
from landing_zone.plan_index import STACK_TYPE, provider_urn
from landing_zone.wire import RESOURCE_SIG, SIG_KEY

GET_RESOURCE = "pulumi:pulumi:getResource"  # the engine's own lookup behind a resource reference, not a data source


# --- wire-form helpers ------------------------------------------------------------------------------------------


def message_to_dict(message: Any) -> dict:
    """A protobuf message (a Struct of properties, a policy's config schema) as plain JSON values."""
    return _normalize(json_format.MessageToDict(message)) if message is not None else {}


def _normalize(value: Any) -> Any:
    """Protobuf numbers are doubles; show integral ones as ints so plans read like Pulumi state."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalize(v) for v in value]
    return value


def _mock_inputs(wire: Any) -> Any:
    """Inputs for the mocks: the wire form with resource references as their id (else URN), the way the SDK reads a
    reference it cannot hydrate. Hydrating one here would build Outputs on the monitor's thread, outside the
    program's event loop (a remote component's outputs reference its children)."""
    if isinstance(wire, dict):
        if wire.get(SIG_KEY) == RESOURCE_SIG:
            return wire.get("id") or wire.get("urn", "")
        return {k: _mock_inputs(v) for k, v in wire.items()}
    if isinstance(wire, list):
        return [_mock_inputs(v) for v in wire]
    return wire


# --- the recording monitor --------------------------------------------------------------------------------------


class RecordingMonitor(engine.MockMonitor):
    """A MockMonitor that records every registration as the engine receives it."""

    def __init__(self, mocks: LandingZoneMocks, config: Mapping[str, str], project: str, stack: str):
        super().__init__(mocks)
        self.mocks: LandingZoneMocks = mocks
        self.config = dict(config)
        self.project = project
        self.stack = stack
        self.records: dict[str, dict] = {}
        self.stack_outputs: dict = {}
        self._lock = threading.Lock()
        self._default_providers: dict[str, str] = {}
        self.invokes: list[dict] = []
        self._secret_args: dict[bytes, struct_pb2.Struct] = {}  # plain invoke args -> the same with secret envelopes

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """The URN the engine gives: the parent's whole qualified type chain, then this type (the SDK's MockMonitor
        keeps only the parent's last type, so its URNs differ from the engine's below the second level, and aliases
        and `pulumi import --parent` commands computed from them would name resources that do not exist). The
        engine does not qualify children of the root stack with the stack's type."""
        if not parent or parent.split("::")[2] == STACK_TYPE:
            return super().make_urn("", type_, name)
        return f"{parent[:parent.rindex('::')]}${type_}::{name}"

    # The stack resource is registered before any other; keep it as the engine does.
    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == STACK_TYPE:
            self._record(urn, request, provider_ref="", rid="", outputs={}, inputs={})
            return resource_pb2.RegisterResourceResponse(urn=urn)

        engine.ensure_event_loop()
        inputs_wire = message_to_dict(request.object)
        provider_ref = request.provider
        if not provider_ref and (request.custom or request.remote) and not request.type.startswith("pulumi:providers:"):
            provider_ref = self._default_provider(request.type.split(":")[0], request.version)
        if request.remote:
            provider_ref = self._remote_children_provider(request, provider_ref)

        moved_from = self.moved_from(request)
        if request.custom or request.remote:
            args = engine.MockResourceArgs(
                typ=request.type, name=request.name, inputs=_mock_inputs(inputs_wire),
                provider=provider_ref, resource_id=request.importId, custom=request.custom,
            )
            # ids and names are seeded by the URN so they are unique and stable; a resource that moved (aliased to
            # its former URN) is the same cloud resource, so it keeps the id and auto-name it had there
            args.urn = moved_from[0] if moved_from else urn
            rid, state = self.mocks.new_resource(args)
            rid = rid or ""
            self._keep_remote_children()
        else:
            rid, state = "", {}  # a local component: its outputs arrive with RegisterResourceOutputs
        obj_proto = engine.serialize_properties(state)
        outputs = message_to_dict(obj_proto)
        if request.type.startswith("pulumi:providers:"):
            self.mocks.remember_provider(f"{urn}::{rid}", _mock_inputs(inputs_wire))
        self.resources[urn] = engine.ResourceRegistration(urn, rid, state)
        self._record(urn, request, provider_ref=provider_ref, rid=rid, outputs=outputs, inputs=inputs_wire,
                     moved_from=moved_from)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=rid, object=obj_proto)

    def moved_from(self, request) -> list[str]:
        """The URNs a resource had before it moved: its aliases that give a whole URN or name a parent (or none),
        resolved as the engine resolves them (in this monitor's URN form). Type-only aliases, which the provider SDK
        adds to every resource of a renamed type (S3 `...V2`, `aws:alb` -> `aws:lb`), say nothing about this
        program and are left out."""
        urns = set(request.aliasURNs)
        for alias in request.aliases:
            spec = alias.spec
            if alias.WhichOneof("alias") == "urn":
                urns.add(alias.urn)
            elif spec.parentUrn or spec.noParent:
                urns.add(self.make_urn("" if spec.noParent else spec.parentUrn, spec.type or request.type,
                                       spec.name or request.name))
        return sorted(urns)

    def ReadResource(self, request):  # noqa: N802
        """A read (a StackReference, in split mode): recorded like the engine keeps it, an external resource."""
        response = super().ReadResource(request)
        record = {
            "urn": response.urn, "type": request.type, "name": request.name, "custom": True, "parent": request.parent,
            "provider": request.provider, "providers": {}, "dependencies": sorted(set(request.dependencies)),
            "property_dependencies": {}, "protect": False, "inputs": message_to_dict(request.properties),
            "id": request.id, "outputs": message_to_dict(response.properties), "options": {"external": True},
        }
        with self._lock:
            self.records[response.urn] = record
        return response

    def RegisterResourceOutputs(self, request):  # noqa: N802
        outputs = message_to_dict(request.outputs)
        with self._lock:
            record = self.records.get(request.urn)
            if record is not None:
                record["outputs"] = outputs
            if request.urn.split("::")[2] == STACK_TYPE:
                self.stack_outputs = outputs
        return super().RegisterResourceOutputs(request)

    def _remote_children_provider(self, request, own_ref: str) -> str:
        """The provider a remote component gives the resources its provider creates: the entry of its providers map
        for their package (pulumi-eks builds with aws), else that package's default provider -- where the engine
        would put them. Recorded as the component's `provider`, so tools and policies see the account they land in."""
        package = request.type.split(":")[0]
        child_package = REMOTE_CHILD_PACKAGE.get(package, package)
        if request.providers.get(child_package):
            return request.providers[child_package]
        if child_package == package:
            return own_ref
        return self._default_provider(child_package, _sdk_version(child_package))

    def _keep_remote_children(self) -> None:
        """Children of remote components, so the SDK can hydrate the resource references in their outputs."""
        for urn, (rid, state) in list(self.mocks.remote_children.items()):
            if urn not in self.resources:
                self.resources[urn] = engine.ResourceRegistration(urn, rid, state)

    def Invoke(self, request):  # noqa: N802
        if request.tok != GET_RESOURCE:
            key = request.args.SerializeToString(deterministic=True)
            with self._lock:
                wire = self._secret_args.get(key, request.args)
                self.invokes.append({"token": request.tok, "args": message_to_dict(wire),
                                     "provider": request.provider or None})
        return super().Invoke(request)

    def remember_secret_args(self, plain: struct_pb2.Struct, wire: struct_pb2.Struct) -> None:
        """The SDK strips secret envelopes from invoke args (it marks the result secret instead); keep them so the
        plan shows a secret argument as a secret, as it does for resource inputs."""
        with self._lock:
            self._secret_args[plain.SerializeToString(deterministic=True)] = wire

    def ordered_invokes(self) -> list[dict]:
        """Every invoke, in a stable order (the SDK issues them from several threads)."""
        return sorted(self.invokes, key=lambda i: (i["token"], i["provider"] or "", json.dumps(i["args"], sort_keys=True)))

    def _record(self, urn: str, request, provider_ref: str, rid: str, outputs: dict, inputs: dict,
                moved_from: Sequence[str] = ()) -> None:
        options: dict[str, Any] = {}
        if request.remote:
            options["remote"] = True
        if request.ignoreChanges:
            options["ignoreChanges"] = sorted(request.ignoreChanges)
        if request.additionalSecretOutputs:
            options["additionalSecretOutputs"] = sorted(request.additionalSecretOutputs)
        if moved_from:
            options["aliases"] = list(moved_from)
        if request.deleteBeforeReplaceDefined:
            options["deleteBeforeReplace"] = bool(request.deleteBeforeReplace)
        if request.retainOnDelete:
            options["retainOnDelete"] = True
        timeouts = {k: v for k, v in (("create", request.customTimeouts.create), ("update", request.customTimeouts.update),
                                      ("delete", request.customTimeouts.delete)) if v}
        if timeouts:
            options["customTimeouts"] = timeouts
        record = {
            "urn": urn,
            "type": request.type,
            "name": request.name,
            "custom": bool(request.custom),
            "parent": request.parent,
            "provider": provider_ref,
            # package -> provider ref, as sent for components (a remote one passes them to its children)
            "providers": dict(sorted(request.providers.items())),
            "dependencies": sorted(set(request.dependencies)),
            # the SDK sends every input key; keys without dependencies carry no information (the analyzer skips them)
            "property_dependencies": {k: sorted(set(v.urns)) for k, v in sorted(request.propertyDependencies.items()) if v.urns},
            "protect": bool(request.protect),
            "inputs": inputs,
            "id": rid,
            "outputs": outputs,
            "options": options,
        }
        with self._lock:
            self.records[urn] = record

    def _default_provider(self, package: str, version: str) -> str:
        """Register the engine's default provider for a package once, configured from the stack's `<pkg>:*` keys."""
        name = "default_" + version.replace(".", "_") if version else "default"
        urn = f"urn:pulumi:{self.stack}::{self.project}::pulumi:providers:{package}::{name}"
        with self._lock:
            if urn in self._default_providers:
                return self._default_providers[urn]
            inputs = {k.split(":", 1)[1]: v for k, v in sorted(self.config.items()) if k.startswith(package + ":")}
            if version:
                inputs["version"] = version
            rid = fake_uuid(urn)
            ref = f"{urn}::{rid}"
            # Registrations arrive on the SDK's executor threads: the mocks must know where the provider points
            # before another thread can get its ref from _default_providers and fabricate ARNs with it.
            self.mocks.remember_provider(ref, inputs)
            self._default_providers[urn] = ref
            self.resources[urn] = engine.ResourceRegistration(urn, rid, dict(inputs))
            self.records[urn] = {
                "urn": urn, "type": f"pulumi:providers:{package}", "name": name, "custom": True, "parent": "",
                "provider": "", "providers": {}, "dependencies": [], "property_dependencies": {}, "protect": False,
                "inputs": inputs, "id": rid, "outputs": dict(inputs), "options": {},
            }
        return ref

    def ordered_records(self) -> list[dict]:
        """Records in a stable topological order (parents, providers and dependencies first; URN breaks ties)."""
        records = self.records
        edges: dict[str, set[str]] = {}
        for urn, r in records.items():
            deps = {r["parent"], provider_urn(r["provider"]), *r["dependencies"],
                    *(provider_urn(ref) for ref in r["providers"].values())}
            for urns in r["property_dependencies"].values():
                deps.update(urns)
            edges[urn] = {d for d in deps if d and d in records and d != urn}
        dependents: dict[str, list[str]] = {u: [] for u in records}
        for urn, deps in edges.items():
            for d in deps:
                dependents[d].append(urn)
        remaining = {u: len(d) for u, d in edges.items()}
        ready = [u for u, n in remaining.items() if n == 0]
        heapq.heapify(ready)
        ordered: list[dict] = []
        while ready:
            urn = heapq.heappop(ready)
            ordered.append(records[urn])
            for child in dependents[urn]:
                remaining[child] -= 1
                if remaining[child] == 0:
                    heapq.heappush(ready, child)
        if len(ordered) != len(records):  # a cycle cannot come from a real program; keep everything anyway
            seen = {r["urn"] for r in ordered}
            ordered.extend(records[u] for u in sorted(records) if u not in seen)
        return ordered


def _sdk_version(package: str) -> str:
    """The version of an installed Pulumi SDK package (what its default provider is registered with)."""
    try:
        return importlib.metadata.version(f"pulumi_{package}")
    except importlib.metadata.PackageNotFoundError:
        return ""

