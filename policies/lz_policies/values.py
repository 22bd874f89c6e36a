"""Reading property values as the engine sends them: unknowns during preview, secrets, JSON strings, proxies.

The engine's wire signatures live here and nowhere else in the pack (pulumi_policy's public UNKNOWN_* constants for
unknowns; the secret envelope's signature key and value, which the SDK keeps private, copied once).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

UNKNOWN = UNKNOWN_STRING_VALUE  # what test cases use to plant a value that is unknown during preview
ENGINE_UNKNOWNS = frozenset({
    UNKNOWN_BOOLEAN_VALUE, UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE, UNKNOWN_ARRAY_VALUE, UNKNOWN_ASSET_VALUE,
    UNKNOWN_ARCHIVE_VALUE, UNKNOWN_OBJECT_VALUE,
})
# The secret envelope {SIG_KEY: SECRET_SIG, "value": ...} (pulumi.runtime.rpc._special_sig_key / _special_secret_sig).
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


class _NotYetKnown:
    """A value the engine does not know yet (preview) in a snapshot - distinct from None (absent)."""

    _instance: _NotYetKnown | None = None

    def __new__(cls) -> _NotYetKnown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


NOT_YET_KNOWN = _NotYetKnown()


def is_unknown(value: Any) -> bool:
    """True for an engine sentinel of a value only known after apply (or its snapshot marker)."""
    return value is NOT_YET_KNOWN or (isinstance(value, str) and value in ENGINE_UNKNOWNS)


def unknown_path(err: UnknownValueError) -> str:
    return ".".join(str(p) for p in err.props) or "a value"


def cannot_verify(paths: Sequence[str]) -> UnknownValueError:
    """The exception the engine reports as an ADVISORY diagnostic (pulumi-policy catches UnknownValueError)."""
    err = UnknownValueError(UNKNOWN_STRING_VALUE, list(paths[:1]))
    err.message = (
        f"cannot verify during preview: {', '.join(dict.fromkeys(paths))} is unknown; "
        "the rule is checked again when the value is known (pulumi up)"
    )
    return err


def require_known(value: Any, path: str) -> Any:
    """Raise the preview advisory when `value` is an unknown sentinel (for values read outside the proxies)."""
    if is_unknown(value):
        raise cannot_verify([path])
    return value


def plain(value: Any) -> Any:
    """Copy pulumi-policy's read-only proxies into plain dicts and lists (raises UnknownValueError on unknowns)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return {key: plain(value[key]) for key in value}
    if isinstance(value, Sequence):
        return [plain(item) for item in value]
    return value


def dig(value: Any, *path: Any, default: Any = None) -> Any:
    """value[path[0]][path[1]]...; `default` when a step is missing or of the wrong shape.

    A list is walked by index (int step); the first element is NOT implied.
    """
    current = value
    for step in path:
        if isinstance(step, int):
            if isinstance(current, str) or not isinstance(current, Sequence) or not -len(current) <= step < len(current):
                return default
        elif not isinstance(current, Mapping) or step not in current:
            return default
        current = current[step]
    return default if current is None else current


def as_list(value: Any) -> list:
    """None -> [], scalar -> [scalar], sequence -> list (strings are scalars)."""
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Sequence):
        return [value]
    return list(value)


def decode_json(value: Any) -> Any:
    """A JSON document given either as a string or as an object. Returns None when it cannot be parsed."""
    if value is None:
        return None
    if isinstance(value, str):
        require_known(value, "document")
        try:
            return json.loads(value)
        except ValueError:
            return None
    return plain(value)


def truthy(value: Any) -> bool:
    """Booleans arrive as bools, or as "true"/"false" strings from provider inputs."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def is_set(value: Any) -> bool:
    """A value is given: known and non-empty, or unknown until apply (a reference to a resource not yet created)."""
    return is_unknown(value) or bool(value)


def read_member(container: Any, key: Any) -> Any:
    # pulumi_policy's proxies raise UnknownValueError on reading an unknown: a present key that cannot be read
    # counts as unknown (a snapshot never raises).
    try:
        return container[key]
    except Exception:  # noqa: BLE001 - see comment above
        return NOT_YET_KNOWN


def snapshot(value: Any) -> Any:
    """Deep copy into plain dict/list/str, unknowns as NOT_YET_KNOWN, secret envelopes opened (never raises)."""
    if isinstance(value, str):
        return NOT_YET_KNOWN if value in ENGINE_UNKNOWNS else value
    if value is NOT_YET_KNOWN or value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, Mapping):
        out = {str(k): snapshot(read_member(value, k)) for k in list(value)}
        if out.get(SIG_KEY) == SECRET_SIG:
            return out.get("value")
        return out
    if isinstance(value, Sequence) or isinstance(value, (set, frozenset)):
        items = value if isinstance(value, (set, frozenset)) else [read_member(value, i) for i in range(len(value))]
        return [snapshot(v) for v in items]
    return value


def decode_json_string(value: Any) -> Any:
    """The engine may send provider inputs JSON-encoded as strings ("{\"tags\": {...}}")."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return snapshot(json.loads(value))
        except ValueError:
            return value
    return value


class SecretText(str):
    """A string the engine sent as a Pulumi secret (inside the secret envelope): never reported as a plaintext secret.

    pulumi-policy's deserialize_properties unwraps envelopes into plain values, so analyzer.decode marks them first.
    """


def mark_secrets(value: Any, inside: bool = False) -> Any:
    """Raw (MessageToDict) properties with every string inside a secret envelope turned into SecretText."""
    if isinstance(value, str):
        return SecretText(value) if inside else value
    if isinstance(value, list):
        return [mark_secrets(v, inside) for v in value]
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            return mark_secrets(value.get("value"), True)
        return {k: mark_secrets(v, inside) for k, v in value.items()}
    return value
