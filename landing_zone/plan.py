"""Offline plan: run the real `__main__.py` under Pulumi's mocks and record what the engine would receive.

The RecordingMonitor sits where the engine's resource monitor sits. Every RegisterResource request is recorded as
the engine gets it (camelCase inputs in wire form: secrets as the secret envelope, unknowns as the unknown sentinel,
resource references as references), together with the id and state the mocks return. Resources without an explicit
provider get the engine's default provider (`default_<version>`, configured from the stack's `<pkg>:*` config), so
every custom resource has a provider reference exactly as in a real snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import heapq
import importlib.metadata
import json
import logging
import os
import runpy
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pulumi
import yaml
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import resource_pb2

from landing_zone import engine
from landing_zone.engine import UNKNOWN
from landing_zone.mocks import REMOTE_CHILD_PACKAGE, LandingZoneMocks, fake_uuid
from landing_zone.wire import RESOURCE_SIG, SIG_KEY, unwrap_secret
from landing_zone.wire import is_secret as is_secret  # re-exported: plan readers ask plan.is_secret

PROJECT = "landing-zone"
STACK_TYPE = "pulumi:pulumi:Stack"
GET_RESOURCE = "pulumi:pulumi:getResource"  # the engine's own lookup behind a resource reference, not a data source


class PlanError(Exception):
    """The program failed for a reason other than invalid config (a bug, or a missing mock)."""


# --- stack config, the way the engine hands it to the program ----------------------------------------------------


def read_stack_config(stack: str, root: Path, project: str = PROJECT) -> tuple[dict[str, str], list[str]]:
    """Return (config, secret_keys) as the engine sets them: full keys, non-strings JSON-encoded.

    A `secure:` value stays as its ciphertext (no key to decrypt offline), and its whole key is marked secret so it
    travels as a secret, as the engine does with decrypted values.
    """
    path = root / f"Pulumi.{stack}.yaml"
    data = yaml.safe_load(path.read_text()) if path.exists() else None
    raw = (data or {}).get("config") or {}
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in raw.items():
        full_key = key if ":" in key else f"{project}:{key}"
        plain, is_secret = _strip_secure(value)
        config[full_key] = plain if isinstance(plain, str) else json.dumps(plain)
        if is_secret:
            secret_keys.append(full_key)
    return config, sorted(secret_keys)


def _strip_secure(value: Any) -> tuple[Any, bool]:
    if isinstance(value, dict) and set(value) == {"secure"}:
        return value["secure"], True
    if isinstance(value, dict):
        items = {k: _strip_secure(v) for k, v in value.items()}
        return {k: v for k, (v, _) in items.items()}, any(s for _, s in items.values())
    if isinstance(value, list):
        items = [_strip_secure(v) for v in value]
        return [v for v, _ in items], any(s for _, s in items)
    return value, False


# --- wire-form helpers ------------------------------------------------------------------------------------------


def _struct_to_dict(struct: Any) -> dict:
    return _normalize(json_format.MessageToDict(struct)) if struct is not None else {}


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


def _provider_urn(ref: str) -> str:
    return ref.rsplit("::", 1)[0] if ref else ""


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
        inputs_wire = _struct_to_dict(request.object)
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
        outputs = _struct_to_dict(obj_proto)
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

    def RegisterResourceOutputs(self, request):  # noqa: N802
        outputs = _struct_to_dict(request.outputs)
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
                self.invokes.append({"token": request.tok, "args": _struct_to_dict(wire),
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
            deps = {r["parent"], _provider_urn(r["provider"]), *r["dependencies"],
                    *(_provider_urn(ref) for ref in r["providers"].values())}
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


# --- running the program ----------------------------------------------------------------------------------------


class _CollectingHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append((record.levelname.lower(), record.getMessage()))


@contextlib.contextmanager
def _program_environment(root: Path) -> Iterator[None]:
    """cwd = repo root and the root importable (as the language host does); restored afterwards."""
    old_cwd, old_path = os.getcwd(), list(sys.path)
    os.chdir(root)
    sys.path.insert(0, str(root))
    try:
        yield
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path


def run_program(program: Path | Callable[[], Any], stack: str, config: Mapping[str, str], secret_keys: list[str],
                preview: bool = False, project: str = PROJECT, mocks: LandingZoneMocks | None = None) -> RecordingMonitor:
    """Run a Pulumi program (a `__main__.py` path, or a callable for tests) under the recording monitor.

    Fresh runtime state each time, so one process can plan many programs (the test suite does).
    """
    region = config.get("aws:region") or "us-east-1"
    mocks = mocks or LandingZoneMocks(region=region, preview=preview)
    mocks.preview = preview
    monitor = RecordingMonitor(mocks, config, project, stack)
    logger = logging.getLogger(f"landing_zone.plan.{stack}")
    logger.propagate = False
    handler = _CollectingHandler()
    logger.handlers[:] = [handler]
    engine.configure(monitor, logger, project, stack, preview)
    pulumi.runtime.set_all_config(dict(config), list(secret_keys))
    monitor.log_messages = handler.messages

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        with engine.patched_runtime(monitor.remember_secret_args):
            if callable(program):
                loop.run_until_complete(pulumi.runtime.run_in_stack(program))
            else:
                with _program_environment(program.parent):
                    loop.run_until_complete(pulumi.runtime.run_in_stack(
                        lambda: runpy.run_path(str(program), run_name="__main__")))
    finally:
        with contextlib.suppress(Exception):
            loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
        asyncio.set_event_loop(None)
        engine.reset_root()
    return monitor


def encode_config(values: Mapping[str, Any], project: str = PROJECT) -> dict[str, str]:
    """Test/bench helper: {key: python value} -> engine config (namespaced keys, non-strings JSON-encoded)."""
    return {(k if ":" in k else f"{project}:{k}"): (v if isinstance(v, str) else json.dumps(v)) for k, v in values.items()}


def build_plan(monitor: RecordingMonitor) -> dict:
    return {
        "project": monitor.project,
        "stack": monitor.stack,
        "resources": monitor.ordered_records(),
        "outputs": monitor.stack_outputs,
        "invokes": monitor.ordered_invokes(),
    }


def run_plan(stack: str, root: Path, preview: bool = False) -> dict:
    """Validate the stack's config, then plan it. Raises ConfigError (invalid config) or PlanError (program failed)."""
    from landing_zone.config import ConfigError, load_stack

    root = Path(root).resolve()
    load_stack(stack, root)  # raises ConfigError with one line per problem, before any resource exists
    config, secret_keys = read_stack_config(stack, root)
    try:
        monitor = run_program(root / "__main__.py", stack, config, secret_keys, preview=preview)
    except ConfigError:
        raise
    except Exception as exc:  # a program bug or a missing mock: say what and where, without a traceback wall
        raise PlanError(f"the program failed while planning stack {stack!r}: {type(exc).__name__}: {exc}") from exc
    return build_plan(monitor)


def dumps_plan(plan: Mapping[str, Any]) -> str:
    """Canonical JSON: sorted keys, fixed indentation, trailing newline (two plans of a stack are byte-identical)."""
    return json.dumps(plan, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_plan(plan: Mapping[str, Any], path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps_plan(plan))
    return path


# --- the plan format: a published JSON Schema, checked on every read ---------------------------------------------

# Definitions are inlined, not $ref'd, and without anyOf: validating the prod plan stays well under a second.
_URN = {"type": "string", "pattern": "^urn:pulumi:"}
_OPTIONAL_URN = {"type": "string", "pattern": "^(urn:pulumi:|$)"}
_PROVIDER_REF = {"type": "string", "pattern": "^urn:pulumi:[^:]+::[^:]+::(.+[$])?pulumi:providers:[^:]+::.+::.+$",
                 "description": "`<provider urn>::<provider id>`, as the engine passes a provider reference"}
_OPTIONAL_PROVIDER_REF = {**_PROVIDER_REF, "pattern": f"({_PROVIDER_REF['pattern']})|^$"}
PLAN_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://example.com/landing-zone/plan.schema.json",
    "title": "landing-zone offline plan (`lz plan`)",
    "description": "What the engine would receive from the program, recorded under mocks: every RegisterResource "
                   "(wire form: secrets as Pulumi's secret envelope, unknowns as the unknown sentinel) and every "
                   "Invoke. Extra keys are allowed (older readers ignore what they do not know).",
    "type": "object",
    "required": ["project", "stack", "resources", "outputs", "invokes"],
    "properties": {
        "project": {"type": "string", "minLength": 1},
        "stack": {"type": "string", "minLength": 1},
        "resources": {"type": "array", "items": {"$ref": "#/$defs/resource"},
                      "description": "in a stable topological order: parents, providers and dependencies first"},
        "outputs": {"type": "object", "description": "the stack outputs (wire form)"},
        "invokes": {"type": "array", "items": {"$ref": "#/$defs/invoke"},
                    "description": "every Invoke (data source lookup) the program issued, sorted by token, "
                                   "provider and args"},
    },
    "$defs": {
        "resource": {
            "type": "object",
            "required": ["urn", "type", "name", "custom", "parent", "provider", "providers", "dependencies",
                         "property_dependencies", "protect", "inputs", "id", "outputs", "options"],
            "properties": {
                "urn": _URN,
                "type": {"type": "string", "pattern": "^[^:]+:[^:]*:[^:]+$"},
                "name": {"type": "string", "minLength": 1},
                "custom": {"type": "boolean"},
                "parent": _OPTIONAL_URN,
                "provider": {**_OPTIONAL_PROVIDER_REF,
                             "description": "the resource's provider; for a remote component, the provider its "
                                            "children get (e.g. an eks:index:Cluster's `aws` provider)"},
                "providers": {"type": "object", "additionalProperties": _PROVIDER_REF,
                              "description": "package -> provider reference, as sent for a component"},
                "dependencies": {"type": "array", "items": _URN},
                "property_dependencies": {"type": "object", "additionalProperties": {"type": "array", "items": _URN}},
                "protect": {"type": "boolean"},
                "inputs": {"type": "object"},
                "id": {"type": "string"},
                "outputs": {"type": "object"},
                "options": {"type": "object"},
            },
        },
        "invoke": {
            "type": "object",
            "required": ["token", "args", "provider"],
            "additionalProperties": False,
            "properties": {
                "token": {"type": "string", "pattern": "^[^:]+:[^:]*:[^:]+$"},
                "args": {"type": "object"},
                "provider": {"type": ["string", "null"], "pattern": _PROVIDER_REF["pattern"],
                             "description": "null: the engine's default provider of the package"},
            },
        },
    },
}
MAX_PLAN_ERRORS = 20


class PlanFileError(Exception):
    """A plan file that cannot be used: one line per problem, `<file>: <json path>: <what is wrong>`."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def stack_and_plan(stack: str, root: Path, plan_file: Path | None = None) -> tuple:
    """(the stack's validated config, its plan: read from plan_file, or planned now), for the commands that report
    on a plan. Raises ConfigError, PlanFileError or PlanError; `input_errors` turns any of them into lines."""
    from landing_zone.config import load_stack

    cfg = load_stack(stack, root)
    return cfg, read_plan(plan_file, stack) if plan_file else run_plan(stack, root)


def input_errors(error: Exception) -> list[str]:
    """`error: ...` lines for a ConfigError / PlanFileError (one per problem) or a PlanError."""
    return [f"error: {line}" for line in getattr(error, "errors", None) or [str(error)]]


def plan_schema_json() -> str:
    """The plan's JSON Schema (what `lz plan --schema` prints and landing_zone/plan.schema.json holds)."""
    return json.dumps(PLAN_SCHEMA, indent=2, sort_keys=True) + "\n"


def read_plan(path: Path, stack: str | None = None) -> dict:
    """Read and validate a plan file (every command that reads a plan goes through here).

    Raises PlanFileError: unreadable file, invalid JSON, not a plan (against PLAN_SCHEMA), or the plan of another
    stack than `stack`.
    """
    try:
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as e:
        raise PlanFileError([f"{path}: cannot read the plan: {getattr(e, 'strerror', None) or e}"]) from None
    try:
        data = json.loads(text)
    except ValueError as e:
        where = f"line {e.lineno} column {e.colno}" if isinstance(e, json.JSONDecodeError) else "$"
        raise PlanFileError([f"{path}: {where}: not JSON: {getattr(e, 'msg', e)}"]) from None
    errors = plan_errors(data, stack)
    if errors:
        shown = [f"{path}: {line}" for line in errors[:MAX_PLAN_ERRORS]]
        if len(errors) > MAX_PLAN_ERRORS:
            shown.append(f"{path}: ... and {len(errors) - MAX_PLAN_ERRORS} more problem(s)")
        raise PlanFileError(shown)
    return data


def plan_errors(data: Any, stack: str | None = None) -> list[str]:
    """`<json path>: <what is wrong>` for each way `data` is not a plan (of `stack`, when given)."""
    errors = sorted(((tuple(map(str, [*e.absolute_path, *key])), _json_path([*e.absolute_path, *key]), _describe(e))
                     for e in _validator().iter_errors(data) for key in _error_keys(e)),
                    key=lambda x: ([p.zfill(9) if p.isdigit() else p for p in x[0]], x[2]))
    lines = list(dict.fromkeys(f"{where}: {what}" for _, where, what in errors))
    if lines:
        return lines
    if stack is not None and data["stack"] != stack:
        lines.append(f"$.stack: this is a plan of stack {data['stack']!r}, not of --stack {stack!r}")
    seen: set[str] = set()
    for i, resource in enumerate(data["resources"]):
        if resource["urn"] in seen:
            lines.append(f"$.resources[{i}].urn: duplicate URN {resource['urn']!r}")
        seen.add(resource["urn"])
    return lines


@functools.cache
def _validator() -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(PLAN_SCHEMA)


def _error_keys(error: Any) -> list[list[str]]:
    """A missing required key is reported at the key's own path, not at the object that lacks it."""
    if error.validator == "required" and isinstance(error.instance, dict):
        return [[k] for k in error.validator_value if k not in error.instance]
    return [[]]


def _json_path(parts: list[Any]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number",
               float: "a number", type(None): "null"}


def _describe(error: Any) -> str:
    """What is wrong, in a line: never the whole offending value (it can be the entire plan)."""
    got = _JSON_TYPES.get(type(error.instance), type(error.instance).__name__)
    if error.validator == "required":
        return "missing (required)"
    if error.validator == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return f"expected {' or '.join(expected)}, got {got}"
    if error.validator == "additionalProperties":
        return error.message
    if error.validator in ("pattern", "minLength"):
        shown = json.dumps(error.instance)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        wanted = "a non-empty string" if error.validator == "minLength" else f"a string matching {error.validator_value}"
        return f"expected {wanted}, got {shown}"
    return error.message[:200]


# --- reading a plan ---------------------------------------------------------------------------------------------


def contains_unknowns(value: Any) -> bool:
    if value == UNKNOWN:
        return True
    if isinstance(value, Mapping):
        return any(contains_unknowns(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknowns(v) for v in value)
    return False


def plan_is_preview(plan: Mapping[str, Any]) -> bool:
    return any(contains_unknowns(r.get("inputs")) or (r.get("custom") and not r.get("id")) for r in plan["resources"]
               if not r["type"].startswith("pulumi:providers:"))


def provider_tags(plan_index: Mapping[str, Mapping], resource: Mapping[str, Any]) -> dict:
    """The default tags of a resource's provider (provider inputs carry them JSON-encoded)."""
    provider = plan_index.get(_provider_urn(resource.get("provider", "")))
    if not provider:
        return {}
    raw = unwrap_secret(provider.get("inputs", {}).get("defaultTags"))
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    tags = raw.get("tags") if isinstance(raw, Mapping) else None
    return {k: v for k, v in (tags or {}).items() if isinstance(v, str)}


def account_of(plan_index: Mapping[str, Mapping], resource: Mapping[str, Any]) -> str:
    """The config account a resource lives in: its provider's default tag `account`; management otherwise."""
    if not resource.get("provider"):
        return "-" if not resource.get("custom") else "management"
    return provider_tags(plan_index, resource).get("account") or "management"


def index_by_urn(plan: Mapping[str, Any]) -> dict[str, dict]:
    return {r["urn"]: r for r in plan["resources"]}
