"""Offline policy check: start the CrossGuard pack exactly as the engine does and drive it over the Analyzer protocol.

The engine (pkg/resource/plugin/analyzer_plugin.go, pkg/resource/deploy/step_generator.go) starts a Python pack as
`python -u -m pulumi.policy <engine-address> <pack-dir>` in the pack directory, reads the port it prints, then calls
GetAnalyzerInfo, ConfigureStack, Configure (each policy's schema defaults merged with --policy-pack-config), Analyze
for every registered resource (inputs, options, provider inputs) and AnalyzeStack once with every resource's outputs,
parent, dependencies and property dependencies. Properties travel with unknowns and secrets kept and resource
references flattened to their id (or URN), as the engine marshals them for analyzers.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from concurrent import futures
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import grpc
import yaml
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, engine_pb2, engine_pb2_grpc

from landing_zone import plan as plan_mod
from landing_zone import wire
from landing_zone.check_result import (
    SEVERITY_ORDER,
    CheckError,
    CheckResult,
    PolicyInfo,
    Violation,
    redact,
    secret_values,
)
from landing_zone.plan_index import account_of, index_by_urn, plan_is_preview, provider_urn
from landing_zone.plan_monitor import message_to_dict
from landing_zone.policy_config import ENFORCEMENT_NAMES, policy_config_request

PACK_START_TIMEOUT_S = 60
_MAX_MESSAGE = 400 * 1024 * 1024
_GRPC_OPTIONS = [("grpc.max_receive_message_length", _MAX_MESSAGE), ("grpc.max_send_message_length", _MAX_MESSAGE)]
SEVERITY_NAMES = {analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED: "unspecified", analyzer_pb2.POLICY_SEVERITY_LOW: "low",
                  analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium", analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
                  analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical"}
PREVIEW_ADVISORY_MARK = "during preview:"


# --- the engine side: a tiny Engine service the pack can log to -------------------------------------------------


class _EngineLog(engine_pb2_grpc.EngineServicer):
    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def Log(self, request, context):  # noqa: N802
        severity = {0: "debug", 1: "info", 2: "warning", 3: "error"}.get(request.severity, "info")
        with self._lock:
            self.messages.append((severity, request.message))
        return empty_pb2.Empty()

    def GetRootResource(self, request, context):  # noqa: N802
        return engine_pb2.GetRootResourceResponse(urn="")

    def SetRootResource(self, request, context):  # noqa: N802
        return engine_pb2.SetRootResourceResponse()


# --- marshalling, as the engine marshals properties for analyzers -----------------------------------------------


def marshal_value(value: Any) -> Any:
    """KeepUnknowns + KeepSecrets + SkipInternalKeys; resource references become their id (else URN)."""
    if isinstance(value, Mapping):
        sig = value.get(wire.SIG_KEY)
        if sig == wire.RESOURCE_SIG:
            return value.get("id") or value.get("urn", "")
        if sig == wire.SECRET_SIG:
            return wire.secret(marshal_value(value.get("value")))
        return {k: marshal_value(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [marshal_value(v) for v in value]
    return value


def to_struct(props: Mapping[str, Any] | None) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    if props:
        struct.update(marshal_value(dict(props)))
    return struct


def _options(resource: Mapping[str, Any], with_parent: bool) -> analyzer_pb2.AnalyzerResourceOptions:
    opts = resource.get("options") or {}
    timeouts = opts.get("customTimeouts") or {}
    message = analyzer_pb2.AnalyzerResourceOptions(
        protect=bool(resource.get("protect")),
        ignoreChanges=opts.get("ignoreChanges", []),
        deleteBeforeReplace=bool(opts.get("deleteBeforeReplace", False)),
        deleteBeforeReplaceDefined="deleteBeforeReplace" in opts,
        additionalSecretOutputs=opts.get("additionalSecretOutputs", []),
        aliases=opts.get("aliases", []),
        customTimeouts=analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(
            create=float(_seconds(timeouts.get("create"))), update=float(_seconds(timeouts.get("update"))),
            delete=float(_seconds(timeouts.get("delete")))),
        parent=resource.get("parent", "") if with_parent else "",
    )
    return message


def _seconds(value: Any) -> float:
    """Custom timeouts arrive as Go durations ("5m", "1h30m"); the analyzer wants seconds."""
    if not value:
        return 0.0
    total, number = 0.0, ""
    for ch in str(value):
        if ch.isdigit() or ch == ".":
            number += ch
        else:
            total += float(number or 0) * {"h": 3600, "m": 60, "s": 1}.get(ch, 0)
            number = ""
    return total + float(number or 0)


ProviderMessages = dict[str, "analyzer_pb2.AnalyzerProviderResource | None"]


def _provider_message(index: Mapping[str, Mapping], resource: Mapping[str, Any],
                      cache: ProviderMessages | None = None) -> analyzer_pb2.AnalyzerProviderResource | None:
    """The resource's provider as analyzers see it. Pass `cache` (one per check) to marshal each provider once:
    every resource of an account shares its provider, and protobuf copies the message into each request."""
    urn = provider_urn(resource.get("provider", ""))
    if cache is not None and urn in cache:
        return cache[urn]
    provider = index.get(urn)
    message = None if provider is None else analyzer_pb2.AnalyzerProviderResource(
        type=provider["type"], urn=provider["urn"], name=provider["name"], properties=to_struct(provider.get("inputs")))
    if cache is not None:
        cache[urn] = message
    return message


def analyze_request(index: Mapping[str, Mapping], resource: Mapping[str, Any],
                    providers: ProviderMessages | None = None) -> analyzer_pb2.AnalyzeRequest:
    return analyzer_pb2.AnalyzeRequest(
        type=resource["type"], urn=resource["urn"], name=resource["name"], properties=to_struct(resource.get("inputs")),
        options=_options(resource, with_parent=True), provider=_provider_message(index, resource, providers))


def stack_resource(index: Mapping[str, Mapping], resource: Mapping[str, Any],
                   providers: ProviderMessages | None = None) -> analyzer_pb2.AnalyzerResource:
    return analyzer_pb2.AnalyzerResource(
        type=resource["type"], urn=resource["urn"], name=resource["name"], properties=to_struct(resource.get("outputs")),
        options=_options(resource, with_parent=False), provider=_provider_message(index, resource, providers),
        parent=resource.get("parent", ""), dependencies=resource.get("dependencies", []),
        propertyDependencies={k: analyzer_pb2.AnalyzerPropertyDependencies(urns=v)
                              for k, v in (resource.get("property_dependencies") or {}).items() if v})


# --- the pack process -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackEnvironment:
    project: str
    stack: str
    dry_run: bool
    config: tuple[tuple[str, str], ...] = ()
    secret_keys: tuple[str, ...] = ()
    organization: str = "organization"


def _pack_venv(pack_dir: Path) -> Path | None:
    """The pack's own virtualenv, as the engine uses, once its install finished."""
    venv = Path(pack_dir) / "venv"
    ready = venv.joinpath("bin", "python").exists() and any(venv.glob("lib/python*/site-packages/pulumi_policy"))
    return venv if ready else None


def pack_python(pack_dir: Path) -> str:
    venv = _pack_venv(pack_dir)
    return str(venv / "bin" / "python") if venv else sys.executable


def pack_site_packages(pack_dir: Path) -> Path | None:
    """Where the pack's interpreter imports its packages from (None: this interpreter's)."""
    venv = _pack_venv(pack_dir)
    return next(iter(venv.glob("lib/python*/site-packages")), None) if venv else None


# Linux refuses to start a process with an environment string over 128 KiB (MAX_ARG_STRLEN): ~400 accounts' config.
ENV_VALUE_MAX = 120_000


class PolicyPackProcess:
    """One started pack: reuse it across checks of the same stack (starting Python + the pack costs ~1 s)."""

    def __init__(self, pack_dir: Path, env: PackEnvironment):
        self.pack_dir = Path(pack_dir).resolve()
        self.env = env
        self.engine = _EngineLog()
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=2), options=_GRPC_OPTIONS)
        engine_pb2_grpc.add_EngineServicer_to_server(self.engine, self._server)
        self.engine_port = self._server.add_insecure_port("127.0.0.1:0")
        self._server.start()
        self.stderr_lines: list[str] = []
        self.process = self._spawn()
        port = self._read_port()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=_GRPC_OPTIONS)
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)

    def _python(self) -> str:
        return pack_python(self.pack_dir)

    def _spawn(self) -> subprocess.Popen:
        if not (self.pack_dir / "PulumiPolicy.yaml").exists():
            raise CheckError(f"{self.pack_dir}: not a policy pack (no PulumiPolicy.yaml)")
        env = dict(os.environ)
        env.update({
            "PULUMI_PROJECT": self.env.project,
            "PULUMI_STACK": self.env.stack,
            "PULUMI_DRY_RUN": "true" if self.env.dry_run else "false",
            "PULUMI_ORGANIZATION": self.env.organization,
            "PULUMI_CONFIG_SECRET_KEYS": json.dumps(list(self.env.secret_keys)),
        })
        config = json.dumps(dict(self.env.config), sort_keys=True)
        if len(config) < ENV_VALUE_MAX:  # a larger organization's config arrives by ConfigureStack only
            env["PULUMI_CONFIG"] = config
        command = [self._python(), "-u", "-m", "pulumi.policy", f"127.0.0.1:{self.engine_port}", str(self.pack_dir)]
        return subprocess.Popen(command, cwd=self.pack_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)

    def _read_port(self) -> int:
        """The pack prints its port as the first stdout line; anything else (or an exit) means it failed to start."""
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        ready = selector.select(timeout=PACK_START_TIMEOUT_S)
        line = self.process.stdout.readline().decode(errors="replace").strip() if ready else ""
        selector.close()
        stderr = threading.Thread(target=self._drain_stderr, daemon=True)
        stderr.start()
        if line.isdigit():
            threading.Thread(target=self._drain_stdout, daemon=True).start()
            return int(line)
        self.close()
        stderr.join(timeout=5)  # the process has ended: let the drain read its last words before quoting them
        silent = "exited without printing its port" if ready else f"no port printed within {PACK_START_TIMEOUT_S}s"
        text = "".join(self.stderr_lines).strip() or line or silent
        raise CheckError(f"policy pack {self.pack_dir} failed to start:\n{text}")

    def _drain_stderr(self) -> None:
        for raw in iter(self.process.stderr.readline, b""):
            self.stderr_lines.append(raw.decode(errors="replace"))

    def _drain_stdout(self) -> None:
        for _ in iter(self.process.stdout.readline, b""):
            pass

    def call(self, method: str, request: Any) -> Any:
        try:
            return getattr(self.stub, method)(request)
        except grpc.RpcError as exc:
            detail = exc.details() if hasattr(exc, "details") else str(exc)
            stderr = "".join(self.stderr_lines[-40:]).strip()
            raise CheckError(f"policy pack {self.pack_dir.name} failed in {method}: {detail}"
                             + (f"\n{stderr}" if stderr else "")) from None

    def close(self) -> None:
        """Ask the pack to cancel, then end its process group. SIGTERM, not SIGINT: the pack holds nothing to flush, and
        its graceful stop on SIGINT took ~0.8 s of every check."""
        if getattr(self, "stub", None) is not None and self.process.poll() is None:
            with contextlib.suppress(grpc.RpcError):
                self.stub.Cancel(empty_pb2.Empty(), timeout=2)
        if getattr(self, "channel", None) is not None:
            self.channel.close()
        if self.process.poll() is None:
            for sig, wait in ((signal.SIGTERM, 3), (signal.SIGKILL, 3)):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, sig)
                try:
                    self.process.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        self._server.stop(0)

    def __enter__(self) -> PolicyPackProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --- running a check ---------------------------------------------------------------------------------------------


def pack_environment(plan: Mapping[str, Any], stack: str, root: Path | None = None) -> PackEnvironment:
    root = Path(root) if root else Path.cwd()
    config, secret_keys = plan_mod.read_stack_config(stack, root, plan.get("project", plan_mod.PROJECT))
    return PackEnvironment(project=plan.get("project", plan_mod.PROJECT), stack=stack,
                           dry_run=plan_is_preview(plan), config=tuple(sorted(config.items())),
                           secret_keys=tuple(secret_keys))


def _policies(info: analyzer_pb2.AnalyzerInfo) -> list[PolicyInfo]:
    policies = []
    for p in info.policies:
        schema = message_to_dict(p.configSchema) if p.HasField("configSchema") else {}
        policies.append(PolicyInfo(
            name=p.name, description=p.description, enforcement=ENFORCEMENT_NAMES.get(p.enforcementLevel, "advisory"),
            severity=SEVERITY_NAMES.get(p.severity, "unspecified"),
            kind="stack" if p.policy_type == analyzer_pb2.POLICY_TYPE_STACK else "resource",
            remediation=p.remediation_steps, url=p.url, tags=tuple(p.tags), schema=schema))
    return sorted(policies, key=lambda p: p.name)


def check_with(pack: PolicyPackProcess, plan: Mapping[str, Any], policy_config: Mapping[str, Any] | None,
               stack: str, env: PackEnvironment | None = None, analyze_resources: bool = True) -> CheckResult:
    """Drive one started pack through a full analysis of the plan, as the engine does during a preview/update.
    env: the stack's environment when it is not the one the pack was started for (one pack checks a whole graph);
    analyze_resources=False: the stack policies only (a split organization's merged plan: its resources were
    analyzed in their own stacks)."""
    info = pack.call("GetAnalyzerInfo", empty_pb2.Empty())
    policies = _policies(info)
    env = env or pack.env
    pack.call("ConfigureStack", analyzer_pb2.AnalyzerStackConfigureRequest(
        stack=stack, project=env.project, organization=env.organization, dry_run=env.dry_run,
        config=dict(env.config), config_secret_keys=list(env.secret_keys), tags={}))
    configured = policy_config_request(policies, policy_config)
    pack.call("Configure", analyzer_pb2.ConfigureAnalyzerRequest(policyConfig=configured))
    policies = [replace(p, enforcement=ENFORCEMENT_NAMES[configured[p.name].enforcementLevel]) for p in policies]

    resources = plan["resources"]
    index = index_by_urn(plan)
    by_policy = {p.name: p for p in policies}
    diagnostics: list[tuple[Any, Mapping[str, Any] | None]] = []
    not_applicable: list[tuple[str, str]] = []
    # Pipeline the per-resource calls (the pack serves 4 at a time) but keep results in plan order.
    providers: ProviderMessages = {}  # each provider marshalled once for the whole check
    window: list[tuple[Any, Mapping[str, Any]]] = []
    for resource in resources if analyze_resources else ():
        window.append((pack.stub.Analyze.future(analyze_request(index, resource, providers)), resource))
        if len(window) >= 8:
            _drain(pack, window.pop(0), diagnostics, not_applicable)
    while window:
        _drain(pack, window.pop(0), diagnostics, not_applicable)

    stack_response = pack.call("AnalyzeStack", analyzer_pb2.AnalyzeStackRequest(
        resources=[stack_resource(index, r, providers) for r in resources]))
    for diag in stack_response.diagnostics:
        diagnostics.append((diag, index.get(diag.urn)))
    not_applicable.extend((n.policy_name, n.reason) for n in stack_response.not_applicable)

    secrets = secret_values(plan)
    violations = [_violation(diag, resource, by_policy, index, secrets) for diag, resource in diagnostics]
    violations.sort(key=lambda v: (v.enforcement != "mandatory", SEVERITY_ORDER.index(v.severity), v.account,
                                   v.policy, v.urn, v.message))
    logs = [(sev, redact(msg, secrets)) for sev, msg in pack.engine.messages]
    return CheckResult(stack=stack, pack_name=info.name, pack_version=_manifest_version(pack.pack_dir) or info.version,
                       policies=policies,
                       violations=violations, resources_checked=len(resources), preview=env.dry_run,
                       not_applicable=sorted(set(not_applicable)), logs=logs)


def _manifest_version(pack_dir: Path) -> str:
    """Python packs always answer 0.0.1; like the engine, prefer PulumiPolicy.yaml's version."""
    try:
        manifest = yaml.safe_load((pack_dir / "PulumiPolicy.yaml").read_text()) or {}
    except (OSError, yaml.YAMLError):
        return ""
    return str(manifest.get("version") or "")


def _drain(pack: PolicyPackProcess, pending: tuple[Any, Mapping[str, Any]], diagnostics: list, not_applicable: list) -> None:
    future, resource = pending
    try:
        response = future.result()
    except grpc.RpcError as exc:
        stderr = "".join(pack.stderr_lines[-40:]).strip()
        raise CheckError(f"policy pack failed analyzing {resource['urn']}: {exc.details()}"
                         + (f"\n{stderr}" if stderr else "")) from None
    # The engine reports a resource policy's diagnostic against the resource it analyzed, whatever URN it carries.
    diagnostics.extend((diag, resource) for diag in response.diagnostics)
    not_applicable.extend((n.policy_name, n.reason) for n in response.not_applicable)


def _violation(diag: Any, resource: Mapping[str, Any] | None, policies: Mapping[str, PolicyInfo],
               index: Mapping[str, Mapping], secrets: list[str]) -> Violation:
    policy = policies.get(diag.policyName)
    enforcement = ENFORCEMENT_NAMES.get(diag.enforcementLevel, "advisory")
    if enforcement == "remediate":  # the engine downgrades a remediation that still violates to mandatory
        enforcement = "mandatory"
    severity = SEVERITY_NAMES.get(diag.severity, "unspecified")
    if severity == "unspecified" and policy is not None:
        severity = policy.severity
    message = diag.message
    if policy and policy.remediation and policy.remediation not in message:
        message = f"{message}\nFix: {policy.remediation}"
    resource = resource or {}
    urn = resource.get("urn") or diag.urn
    return Violation(
        policy=diag.policyName, enforcement=enforcement, severity=severity, urn=urn,
        name=resource.get("name") or (urn.rsplit("::", 1)[-1] if urn else "(stack)"),
        type=resource.get("type") or (urn.split("::")[2].split("$")[-1] if urn.count("::") >= 3 else ""),
        message=redact(message.strip(), secrets),
        account=account_of(index, resource) if resource else "-",
        preview_unknown=PREVIEW_ADVISORY_MARK in diag.message and diag.urn == "",
    )


def run_check(plan: Mapping[str, Any], pack_dir: Path, policy_config: Mapping[str, Any] | None, stack: str,
              root: Path | None = None, pack: PolicyPackProcess | None = None) -> CheckResult:
    """Check a plan against a pack. Raises CheckError (exit 2) for bad policy config or a pack that fails.

    Pass `pack` to reuse an already started pack (tests; several checks of one stack); otherwise one is started
    and stopped around this check.
    """
    if root is not None:  # prove the deploy permissions of the config being checked (deploy_facts.with_facts)
        from landing_zone.deploy_facts import with_stack_facts

        policy_config = with_stack_facts(policy_config, stack, root)
    if pack is not None:
        return check_with(pack, plan, policy_config, stack)
    with PolicyPackProcess(pack_dir, pack_environment(plan, stack, root)) as started:
        return check_with(started, plan, policy_config, stack)

