"""Where a resource lives: environment and account from its provider's default tags (else its own tags).

components/providers.py sets `environment` and `account` default tags on every account provider; the pack reads them
here, once per distinct provider encoding, and never guesses from names.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from .facts import ENVIRONMENTS
from .values import decode_json, dig, is_unknown, plain

# Environment assumed when a resource carries no environment tag: the strictest one, so that a missing tag
# never relaxes a rule.
STRICTEST_ENVIRONMENT = "prod"


def provider_default_tags(provider_props: Mapping[str, Any] | None) -> dict[str, str]:
    """Default tags of an aws.Provider, whichever way the engine encodes provider inputs (object or JSON string)."""
    if not provider_props:
        return {}
    try:
        raw = provider_props.get("defaultTags")
    except UnknownValueError:
        return {}
    if isinstance(raw, str):
        return dict(_default_tags_of_json(raw))
    return _default_tags(raw)


@functools.lru_cache(maxsize=1024)
def _default_tags_of_json(raw: str) -> tuple[tuple[str, str], ...]:
    """The engine sends provider inputs as JSON strings and every resource of an account carries the same one:
    parse each distinct string once (immutable result, copied into a dict by the caller)."""
    return tuple(_default_tags(raw).items())


def _default_tags(raw: Any) -> dict[str, str]:
    try:
        default_tags = decode_json(raw)
    except UnknownValueError:
        return {}
    tags = dig(default_tags, "tags", default={})
    tags = decode_json(tags) if isinstance(tags, str) else tags
    if not isinstance(tags, Mapping):
        return {}
    return {str(k): str(v) for k, v in tags.items() if not is_unknown(v)}  # an unknown tag tells nothing


def own_tags(props: Mapping[str, Any]) -> dict[str, str]:
    """The resource's own tags (tags, else tagsAll). Raises UnknownValueError when they are unknown."""
    for key in ("tags", "tagsAll"):
        if key in props and props[key] is not None:
            tags = plain(props[key])
            if isinstance(tags, Mapping):
                return {str(k): str(v) for k, v in tags.items()}
    return {}


def environment_of(props: Mapping[str, Any], provider_props: Mapping[str, Any] | None) -> str | None:
    """prod | nonprod | sandbox | core, from the provider's default tags, else the resource's own tags.

    Never guessed from names. None when neither carries a recognised `environment` tag.
    """
    env = provider_default_tags(provider_props).get("environment")
    if env not in ENVIRONMENTS:
        try:
            env = own_tags(props).get("environment")
        except UnknownValueError:
            env = None
    return env if env in ENVIRONMENTS else None
