"""Pulumi's wire-format markers, as plans and state files keep them (pure: no pulumi import, so the app teams'
contract reader needs no SDK).

The SDK keeps these private (pulumi.runtime.rpc._special_*); this is their one definition on the landing_zone side,
and landing_zone/engine.py checks at import that the installed SDK still uses them. The unknown sentinel is public
(pulumi.runtime.rpc.UNKNOWN): engine.py takes it from the SDK.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SIG_KEY = "4dabf18193072939515e22adb298388d"  # the key whose value says what a wire object is
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"  # {SIG_KEY: SECRET_SIG, "value": ...}: a secret
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"  # {SIG_KEY: RESOURCE_SIG, "urn": ..., "id": ...}: a resource reference


def is_secret(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get(SIG_KEY) == SECRET_SIG


def unwrap_secret(value: Any) -> Any:
    """The value inside a secret envelope; anything else unchanged."""
    return value.get("value") if is_secret(value) else value


def unwrap_secrets(value: Any) -> Any:
    """`value` with every secret envelope inside it opened."""
    if isinstance(value, Mapping):
        if is_secret(value):
            return unwrap_secrets(value.get("value"))
        return {k: unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap_secrets(v) for v in value]
    return value


def contains_secret(value: Any) -> bool:
    if is_secret(value):
        return True
    if isinstance(value, Mapping):
        return any(contains_secret(v) for v in value.values())
    return isinstance(value, list) and any(contains_secret(v) for v in value)


def secret(value: Any) -> dict:
    """`value` in Pulumi's secret envelope."""
    return {SIG_KEY: SECRET_SIG, "value": value}
