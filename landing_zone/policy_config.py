"""Policy config, in the format of `pulumi preview --policy-pack-config`: reading the file, and merging it with the
pack's schema defaults and levels into the Configure request."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pulumi.runtime.proto import analyzer_pb2

from landing_zone.check_result import CheckError, PolicyInfo

# enforcement levels, as the Analyzer protocol numbers them
ENFORCEMENT_NAMES = {analyzer_pb2.ADVISORY: "advisory", analyzer_pb2.MANDATORY: "mandatory",
                     analyzer_pb2.DISABLED: "disabled", analyzer_pb2.REMEDIATE: "remediate"}
ENFORCEMENT_CODES = {v: k for k, v in ENFORCEMENT_NAMES.items()}


def policy_config_request(policies: Iterable[PolicyInfo], user_config: Mapping[str, Any] | None) -> dict[str, analyzer_pb2.PolicyConfig]:
    """Schema defaults and the pack's levels, then the file's "all" level, then per-policy entries."""
    user_config = dict(user_config or {})
    known = {p.name for p in policies}
    unknown = sorted(k for k in user_config if k != "all" and k not in known)
    if unknown:
        raise CheckError(f"policy config names unknown policies: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    everything = user_config.get("all")
    result: dict[str, analyzer_pb2.PolicyConfig] = {}
    for policy in policies:
        level = policy.enforcement
        props = {k: s["default"] for k, s in (policy.schema.get("properties") or {}).items()
                 if isinstance(s, Mapping) and "default" in s}
        if isinstance(everything, str):
            level = everything
        elif isinstance(everything, Mapping) and "enforcementLevel" in everything:
            level = everything["enforcementLevel"]
        entry = user_config.get(policy.name)
        if isinstance(entry, str):
            level = entry
        elif isinstance(entry, Mapping):
            level = entry.get("enforcementLevel", level)
            props.update({k: v for k, v in entry.items() if k != "enforcementLevel"})
        if level not in ENFORCEMENT_CODES:
            raise CheckError(f"policy config {policy.name}: enforcementLevel {level!r} is not one of "
                             f"{', '.join(ENFORCEMENT_CODES)}")
        _check_required(policy, props)
        config = analyzer_pb2.PolicyConfig(enforcementLevel=ENFORCEMENT_CODES[level])
        config.properties.update(props)
        result[policy.name] = config
    return result


def _check_required(policy: PolicyInfo, props: Mapping[str, Any]) -> None:
    missing = [k for k in policy.schema.get("required") or [] if k not in props]
    if missing:
        raise CheckError(f"policy config {policy.name}: missing required {', '.join(missing)}")
    for key, value in props.items():
        expected = ((policy.schema.get("properties") or {}).get(key) or {}).get("type")
        python = {"string": str, "boolean": bool, "integer": int, "number": (int, float), "array": list, "object": dict}
        if expected in python and not isinstance(value, python[expected]):
            raise CheckError(f"policy config {policy.name}.{key}: expected {expected}, got {value!r}")


def load_policy_config(path: Path) -> dict:
    """Read a --policy-config file; CheckError (exit 2) naming the file when it is not a JSON object."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise CheckError(f"{path}: cannot read policy config: {exc}") from None
    if not isinstance(data, dict):
        raise CheckError(f"{path}: policy config must be a JSON object of policy name -> settings")
    return data

