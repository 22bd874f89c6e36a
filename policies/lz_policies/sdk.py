"""The pack's one adapter to pulumi-policy's private internals.

analyzer.PackAnalyzer extends pulumi-policy's `_PolicyAnalyzerServicer` (private, with name-mangled state) and
installs itself where PolicyPack looks the servicer up. Everything it needs from that class is reached through
`ServicerBase`'s plainly named members, here, and checked against the pulumi-policy version it was written for:

- a version outside `SUPPORTED`, or a private member that is gone: `compatible()` says why, and the pack serves
  with pulumi-policy's own servicer (same answers, slower) after an SdkVersionWarning naming the versions;
- a newer minor version inside `SUPPORTED`: served as usual after an SdkVersionWarning (run `make compat`, and when
  the pack tests pass, raise TESTED here and the pin in requirements.txt).
"""

from __future__ import annotations

import importlib.metadata
import re
import warnings
from typing import Any

from pulumi_policy import EnforcementLevel, StackValidationPolicy
from pulumi_policy import policy as _policy
from pulumi_policy import proxy as _proxy

TESTED = "1.21.0"  # the pulumi-policy this module was last checked against (requirements.txt pins it)
SUPPORTED = ((1, 21), (2, 0))  # [lowest, first unsupported) (major, minor)

StockServicer = _policy._PolicyAnalyzerServicer  # PolicyPack builds its servicer from this module global
NotApplicableError = _policy._NotApplicableError  # a policy's "does not apply to this resource"
_MANGLED = "_PolicyAnalyzerServicer__"
_PRIVATE_ATTRIBUTES = ("policies", "policy_pack_name", "policy_pack_version", "stack_tags")
_PRIVATE_METHODS = ("_configure_runtime_settings", "_get_enforcement_level", "_create_report_violation",
                    "_get_resource_options", "_get_policy_config", "_map_enforcement_level")


class SdkVersionWarning(UserWarning):
    """The installed pulumi-policy is not the one this adapter was tested with."""


class ServicerBase(StockServicer):
    """pulumi-policy's servicer, its private state and helpers under plain names."""

    @property
    def policies(self) -> list:
        return getattr(self, _MANGLED + "policies")

    @property
    def pack_name(self) -> str:
        return getattr(self, _MANGLED + "policy_pack_name")

    @property
    def pack_version(self) -> str:
        return getattr(self, _MANGLED + "policy_pack_version")

    @property
    def stack_tags(self) -> Any:
        return getattr(self, _MANGLED + "stack_tags")

    def configure_runtime(self) -> None:
        """Read the engine's PULUMI_* environment into the runtime (project, stack, config)."""
        self._configure_runtime_settings()

    def enforcement_level(self, policy: Any) -> EnforcementLevel:
        return self._get_enforcement_level(policy)

    def report_violation(self, response: Any, policy: Any, level: EnforcementLevel) -> Any:
        """The `report_violation` callback a policy gets, appending to `response` at `level`."""
        return self._create_report_violation(response, policy.name, policy.description, level, policy.severity)

    def resource_options(self, request: Any) -> Any:
        return self._get_resource_options(request)

    def policy_config(self, policy_name: str) -> Any:
        return self._get_policy_config(policy_name)

    def wire_level(self, level: EnforcementLevel) -> Any:
        """`level` as the Analyzer protocol's enum."""
        return self._map_enforcement_level(level)


def _major_minor(version: str) -> tuple[int, int]:
    match = re.match(r"(\d+)\.(\d+)", version)
    return (int(match[1]), int(match[2])) if match else (0, 0)


def version_problem(installed: str) -> tuple[str, str] | None:
    """("unsupported" | "untested", message) when `installed` is not the pulumi-policy this was tested with."""
    (low, high), release = SUPPORTED, _major_minor(installed)
    if not (low <= release < high):
        return "unsupported", (
            f"lz_policies/sdk.py was written for pulumi-policy >={low[0]}.{low[1]},<{high[0]}.{high[1]} (tested "
            f"with {TESTED}); pulumi-policy {installed} is installed: the pack serves with pulumi-policy's own "
            "servicer (same results, slower). Install the pinned version, or run `make compat` and adapt "
            "lz_policies/sdk.py.")
    if release > _major_minor(TESTED):
        return "untested", (
            f"lz_policies/sdk.py was tested with pulumi-policy {TESTED}; pulumi-policy {installed} is installed. "
            "Run `make compat`, and when the pack tests pass, raise TESTED in lz_policies/sdk.py (and the pin).")
    return None


def compatibility(installed: str | None = None) -> tuple[bool, str | None]:
    """(ServicerBase serves with the installed pulumi-policy, what to tell the user about it)."""
    installed = installed or importlib.metadata.version("pulumi-policy")
    problem = version_problem(installed)
    if problem and problem[0] == "unsupported":
        return False, problem[1]
    missing = [name for name in _PRIVATE_METHODS if not callable(getattr(StockServicer, name, None))]
    try:
        probe = StockServicer("probe", "0.0.1", [_PROBE_POLICY], EnforcementLevel.ADVISORY)
    except Exception as err:  # noqa: BLE001 - any change of the constructor means "not compatible"
        missing.append(f"the servicer's constructor ({type(err).__name__}: {err})")
    else:
        missing += [_MANGLED + name for name in _PRIVATE_ATTRIBUTES if not hasattr(probe, _MANGLED + name)]
    if missing:
        return False, (f"pulumi-policy {installed} lacks {', '.join(missing)}: the pack serves with pulumi-policy's "
                       "own servicer (same results, slower); adapt lz_policies/sdk.py.")
    return True, problem[1] if problem else None


def usable(installed: str | None = None) -> bool:
    """True when ServicerBase works with the installed pulumi-policy; warns (SdkVersionWarning) about anything else."""
    ok, message = compatibility(installed)
    if message:
        warnings.warn(message, SdkVersionWarning, stacklevel=2)
    return ok


def install(servicer: type) -> None:
    """Make PolicyPack (which builds its servicer from pulumi_policy.policy's module global) serve with `servicer`."""
    _policy._PolicyAnalyzerServicer = servicer


_PROBE_POLICY = StackValidationPolicy(name="probe", description="probe", validate=lambda args, report: None)



def proxied_target(value: Any) -> Any:
    """The plain dict or list under one of pulumi-policy's read-only proxies (its private `__target`; nested values
    stay proxies), unknowns left as the engine's sentinel strings; any other value as it is. For read-only walks over
    every input (SEC-01), where copying through the proxies costs more than the check."""
    if isinstance(value, _proxy._DictProxy):
        return value._DictProxy__target
    if isinstance(value, _proxy._ListProxy):
        return value._ListProxy__target
    return value
