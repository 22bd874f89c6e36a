"""What `lz check` concludes, independent of how the pack was driven: the policies, the violations, the exit code, and
the secret plaintexts every message is redacted of (reports.py renders a CheckResult in each format)."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from landing_zone import wire
from landing_zone.engine import UNKNOWN

SEVERITY_ORDER = ["critical", "high", "medium", "low", "unspecified"]
REDACTED = "[secret]"
SCALAR_SECRET_MIN = 4  # a whole secret value (a password, a key) from this length on
STRUCTURED_LEAF_MIN = 8  # a leaf of a structured secret (see secret_values)


class CheckError(Exception):
    """The check could not run: invalid policy config, or a pack that fails to start or crashes (exit 2)."""


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    description: str
    enforcement: str
    severity: str
    kind: str  # "resource" | "stack"
    remediation: str = ""
    url: str = ""
    tags: tuple[str, ...] = ()
    schema: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Violation:
    policy: str
    enforcement: str
    severity: str
    urn: str
    name: str
    type: str
    message: str
    account: str
    preview_unknown: bool = False  # the policy could not run because a value is unknown until deployment

    def as_json(self) -> dict:
        return {"policy": self.policy, "enforcement": self.enforcement, "severity": self.severity, "urn": self.urn,
                "name": self.name, "type": self.type, "account": self.account, "message": self.message,
                "preview_unknown": self.preview_unknown}


@dataclass
class CheckResult:
    stack: str
    pack_name: str
    pack_version: str
    policies: list[PolicyInfo]
    violations: list[Violation]
    resources_checked: int
    preview: bool
    not_applicable: list[tuple[str, str]] = field(default_factory=list)
    logs: list[tuple[str, str]] = field(default_factory=list)

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement == "mandatory"]

    @property
    def advisory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement != "mandatory"]

    def to_json(self) -> dict:
        """Everything, for a cache of results (`lz check --all` reuses an unchanged stack's)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CheckResult:
        return cls(**{**data, "policies": [PolicyInfo(**{**p, "tags": tuple(p["tags"])}) for p in data["policies"]],
                      "violations": [Violation(**v) for v in data["violations"]],
                      "not_applicable": [tuple(x) for x in data["not_applicable"]],
                      "logs": [tuple(x) for x in data["logs"]]})


def exit_code(result: CheckResult) -> int:
    """0 when no mandatory violation, 1 when any (invalid config / pack failures raise instead: exit 2)."""
    return 1 if result.mandatory else 0

def secret_values(plan: Mapping[str, Any]) -> list[str]:
    """Every plaintext under a secret envelope in the plan (longest first), so reports can never print one.

    A secret that is a structure (a kubeconfig) has leaves that are its vocabulary, not its secret ("Config", "v1",
    "exec"): those are redacted only from STRUCTURED_LEAF_MIN characters on, or every "Config" in a message would be.
    """
    found: set[str] = set()

    def walk(value: Any, inside_secret: bool, min_length: int) -> None:
        if wire.is_secret(value):
            inner = value.get("value")
            walk(inner, True, STRUCTURED_LEAF_MIN if isinstance(inner, Mapping | list) else SCALAR_SECRET_MIN)
        elif isinstance(value, Mapping):
            for v in value.values():
                walk(v, inside_secret, STRUCTURED_LEAF_MIN if inside_secret else min_length)
        elif isinstance(value, list):
            for v in value:
                walk(v, inside_secret, STRUCTURED_LEAF_MIN if inside_secret else min_length)
        elif inside_secret and value not in (None, "", True, False) and value != UNKNOWN:
            text = value if isinstance(value, str) else json.dumps(value)
            if len(text) >= min_length:
                found.add(text)
            if isinstance(value, str) and value[:1] in "[{":
                with contextlib.suppress(ValueError):
                    walk(json.loads(value), True, STRUCTURED_LEAF_MIN)

    for resource in plan.get("resources", []):
        walk(resource.get("inputs"), False, SCALAR_SECRET_MIN)
        walk(resource.get("outputs"), False, SCALAR_SECRET_MIN)
    walk(plan.get("outputs"), False, SCALAR_SECRET_MIN)
    return sorted(found, key=len, reverse=True)


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text

