"""The offline plan's one adapter to the Pulumi SDK's private internals.

`lz plan` sits where the engine sits: it needs the SDK's mock runtime (MockMonitor, MockSettings, settings.configure),
its serializer run synchronously, and three patches (a cheaper source position, a linear `wait_for_rpcs`, the wire
form of secret invoke args). None of that is public API, so all of it lives here, checked at import against the SDK
version it was written for (`SUPPORTED`, tested with the pin of requirements.txt):

- an SDK outside `SUPPORTED` (older, or another major version) is refused with SdkVersionError;
- a newer minor version inside it warns once (SdkVersionWarning): run `make compat`, and when the plan and pack
  tests pass there, raise `TESTED` (and the pin);
- a private name that is gone is refused naming it, except the two speed-ups (`_get_stack_trace`, `wait_for_rpcs`):
  without them the plan falls back to the SDK's own behaviour, identical and slower.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import re
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime import mocks as _mocks
from pulumi.runtime import resource as _resource
from pulumi.runtime import rpc as _rpc
from pulumi.runtime import settings as _settings
from pulumi.runtime import stack as _stack
from pulumi.runtime import sync_await as _sync
from pulumi.runtime.proto import source_pb2

from landing_zone import wire

TESTED = "3.272.0"  # the pulumi this module was last checked against (requirements.txt pins it)
SUPPORTED = ((3, 272), (4, 0))  # [lowest, first unsupported) (major, minor) of pulumi
UNKNOWN = _rpc.UNKNOWN  # public: the engine's "unknown during preview" sentinel


class SdkVersionError(RuntimeError):
    """The installed pulumi is one this adapter was not written for, or lacks a private name it needs."""


class SdkVersionWarning(UserWarning):
    """The installed pulumi is newer than the one this adapter was tested with."""


def _major_minor(version: str) -> tuple[int, int]:
    match = re.match(r"(\d+)\.(\d+)", version)
    return (int(match[1]), int(match[2])) if match else (0, 0)


def version_problem(installed: str) -> tuple[str, str] | None:
    """("error" | "warning", message) when `installed` is not the pulumi this adapter was tested with."""
    (low, high), release = SUPPORTED, _major_minor(installed)
    supported = f">={low[0]}.{low[1]},<{high[0]}.{high[1]}"
    if not (low <= release < high):
        return "error", (f"landing_zone/engine.py was written for pulumi {supported} (tested with {TESTED}); "
                         f"pulumi {installed} is installed. Install the pinned SDK (pip install -r requirements.txt), "
                         "or run `make compat` and adapt landing_zone/engine.py to the new SDK.")
    if release > _major_minor(TESTED):
        return "warning", (f"landing_zone/engine.py was tested with pulumi {TESTED}; pulumi {installed} is "
                           "installed. `lz plan` relies on private SDK internals: run `make compat`, and when the plan "
                           "and pack tests pass, raise TESTED in landing_zone/engine.py (and the pin).")
    return None


def check_sdk(installed: str | None = None) -> None:
    """Refuse (SdkVersionError) or warn (SdkVersionWarning) about the installed pulumi; see the module docstring."""
    installed = installed or importlib.metadata.version("pulumi")
    problem = version_problem(installed)
    if problem and problem[0] == "error":
        raise SdkVersionError(problem[1])
    if problem:
        warnings.warn(problem[1], SdkVersionWarning, stacklevel=2)
    missing = [f"{module.__name__}.{name}" for module, name in _REQUIRED if not hasattr(module, name)]
    if missing:
        raise SdkVersionError(f"pulumi {installed} lacks {', '.join(missing)}, which `lz plan` needs: install the "
                              "pinned SDK (pip install -r requirements.txt) or adapt landing_zone/engine.py.")
    changed = [name for name, ours in _WIRE if getattr(_rpc, name, ours) != ours]
    if changed:
        raise SdkVersionError(f"pulumi {installed} changed its wire markers ({', '.join(changed)}): update "
                              "landing_zone/wire.py to the SDK's values.")


_REQUIRED = ((_mocks, "MockMonitor"), (_mocks, "MockSettings"), (_mocks, "MockEngine"), (_mocks, "_ensure_event_loop"),
             (_settings, "configure"), (_settings, "ROOT"), (_rpc, "serialize_properties"),
             (_sync, "_sync_await"), (_rpc, "_unwrap_rpc_secret_struct_properties"))
_WIRE = (("_special_sig_key", wire.SIG_KEY), ("_special_secret_sig", wire.SECRET_SIG),
         ("_special_resource_sig", wire.RESOURCE_SIG))

check_sdk()

# --- what plan_monitor.py builds on ----------------------------------------------------------------------------------

MockMonitor = _mocks.MockMonitor  # the monitor the recording one extends (make_urn, resources, Invoke, ...)
ResourceRegistration = _mocks.MockMonitor.ResourceRegistration
MockResourceArgs = _mocks.MockResourceArgs


def ensure_event_loop() -> None:
    """The monitor's thread needs an event loop of its own to serialize state (as MockMonitor does)."""
    _mocks._ensure_event_loop()


def serialize_properties(state: dict) -> struct_pb2.Struct:
    """`state` in wire form (the SDK's serializer, run to completion on the calling thread)."""
    return _sync._sync_await(_rpc.serialize_properties(state, {}))


def configure(monitor: Any, logger: Any, project: str, stack: str, preview: bool) -> None:
    """Point the SDK's runtime at `monitor`, without a root stack resource (run_in_stack registers it)."""
    _settings.configure(_mocks.MockSettings(
        monitor=monitor, monitor_features=set(monitor.GetDeploymentInfo(None).supportedFeatures),
        engine=_mocks.MockEngine(logger), project=project, stack=stack, dry_run=preview,
        organization="organization", callbacks=None,
    ))
    reset_root()


def reset_root() -> None:
    """Forget the root stack resource, so the next program registers its own."""
    _settings.ROOT.set(None)


@contextlib.contextmanager
def patched_runtime(remember_secret_args: Callable[[struct_pb2.Struct, struct_pb2.Struct], None]) -> Iterator[None]:
    """The SDK, for the length of one program run, with the plan's three patches (restored afterwards)."""
    with contextlib.ExitStack() as stack:
        if hasattr(_resource, "_get_stack_trace"):
            # Source positions (a full traceback per resource) only feed engine diagnostics; plans have no use for them.
            stack.enter_context(_patched(_resource, "_get_stack_trace", source_pb2.StackTrace))
        if _linear_wait_supported():
            stack.enter_context(_patched(_stack, "wait_for_rpcs", _wait_for_rpcs_linear))
        stack.enter_context(_patched(_rpc, "_unwrap_rpc_secret_struct_properties",
                                     _secret_remembering_unwrap(remember_secret_args)))
        yield


@contextlib.contextmanager
def _patched(module: Any, name: str, value: Any) -> Iterator[None]:
    original = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, original)


def _secret_remembering_unwrap(remember: Callable[[struct_pb2.Struct, struct_pb2.Struct], None]):
    """rpc._unwrap_rpc_secret_struct_properties (the SDK's last step before an Invoke), telling `remember` the wire
    form of args that carried secrets (the SDK strips their envelopes and marks the result secret instead)."""
    original = _rpc._unwrap_rpc_secret_struct_properties

    def unwrap(value: Any) -> tuple[Any, bool]:
        plain, had_secrets = original(value)
        if had_secrets and isinstance(value, struct_pb2.Struct) and isinstance(plain, struct_pb2.Struct):
            remember(plain, value)
        return plain, had_secrets

    return unwrap


def _linear_wait_supported() -> bool:
    settings = getattr(_settings, "SETTINGS", None)
    return (hasattr(_stack, "wait_for_rpcs") and hasattr(_settings, "_get_rpc_manager")
            and hasattr(settings, "lock") and hasattr(settings, "outputs"))


async def _wait_for_rpcs_linear(await_all_outstanding_tasks: bool = True) -> None:
    """pulumi.runtime.stack.wait_for_rpcs with the same semantics, minus its quadratic cost.

    The SDK waits on the whole set of outstanding output tasks with FIRST_COMPLETED, over and over: every round
    adds and removes a callback on every pending task (1.5M callbacks for the prod stack, a third of the plan's
    time). Awaiting the tasks one after another waits for exactly the same set, in linear time.
    """
    rpc_manager = _settings._get_rpc_manager()
    while True:
        while rpc_manager.rpcs:
            await asyncio.sleep(0)
            try:
                await rpc_manager.rpcs.pop()
            except Exception as exn:
                if rpc_manager.unhandled_exception is not None:
                    cause = rpc_manager.unhandled_exception.with_traceback(rpc_manager.exception_traceback)
                    raise exn from cause
                raise
        if rpc_manager.unhandled_exception is not None:
            raise rpc_manager.unhandled_exception.with_traceback(rpc_manager.exception_traceback)
        if await_all_outstanding_tasks:
            while True:
                with _settings.SETTINGS.lock:
                    pending = list(_settings.SETTINGS.outputs)
                    _settings.SETTINGS.outputs.clear()
                if not pending:
                    break
                for task in pending:
                    await task
        if not rpc_manager.rpcs:
            break
