"""The plan file: its published JSON Schema, writing it canonically, and reading it back (every command that reads a
plan file goes through read_plan: bad input becomes PlanFileError, one line per problem naming where it is wrong)."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def dumps_plan(plan: Mapping[str, Any]) -> str:
    """Canonical JSON: sorted keys, fixed indentation, trailing newline (two plans of a stack are byte-identical)."""
    return json.dumps(plan, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_atomic(path: Path, data: str | bytes) -> Path:
    """Write a file whole or not at all (Ctrl-C or a crash never leaves half a plan or report behind)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data.encode() if isinstance(data, str) else data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_plan(plan: Mapping[str, Any], path: Path, key: str | None = None) -> Path:
    """Write the plan; `key` (landing_zone/freshness.py plan_key): what it was planned from, so later commands may
    reuse it while it is fresh. The old key goes first: a plan is never left beside a key that is not its own."""
    from landing_zone.freshness import key_path, key_record

    key_path(path).unlink(missing_ok=True)
    text = dumps_plan(plan)
    write_atomic(path, text)
    if key:
        write_atomic(key_path(path), key_record(key, text))
    return Path(path)


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

