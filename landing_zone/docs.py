"""The config reference (docs/configuration.md), generated from the models so it cannot drift.

    python -m landing_zone.docs            # rewrite the section between the markers in docs/configuration.md
    python -m landing_zone.docs --check    # exit 1 when docs/configuration.md is stale (the tests run this)
"""

from __future__ import annotations

import json
import sys
import types
import typing
from pathlib import Path

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from landing_zone.config import NAMESPACE
from landing_zone.models import LandingZoneConfig

BEGIN, END = "<!-- config-reference:begin -->", "<!-- config-reference:end -->"
REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def reference() -> str:
    sections: list[str] = []
    seen: set[type] = set()
    for key, field in LandingZoneConfig.model_fields.items():
        _model_sections(f"{NAMESPACE}:{key}", field.annotation, sections, seen)
    return "\n".join(sections)


def _model_sections(title: str, annotation, sections: list[str], seen: set[type]) -> None:
    model = _model_in(annotation)
    if model is None or model in seen:
        return
    seen.add(model)
    rows = ["| key | type | default | meaning |", "|---|---|---|---|"]
    nested = []
    for name, field in model.model_fields.items():
        default = "required" if field.is_required() else _show(field.get_default(call_default_factory=True))
        rows.append(f"| `{name}` | {_type_name(field.annotation)} | {default} | {(field.description or '').replace('|', '/')} |")
        if _model_in(field.annotation):
            nested.append((f"{title}.{name}", field.annotation))
    doc = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ and model.__module__ == "landing_zone.models" else ""
    sections += [f"#### `{title}`" + (f" — {doc}" if doc else ""), "", *rows, ""]
    for sub_title, sub in nested:
        _model_sections(sub_title, sub, sections, seen)


def _model_in(annotation):
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found:
            return found
    return None


def _type_name(annotation) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin is typing.Literal:
        return " / ".join(f"`{a}`" for a in args)
    if origin in (types.UnionType, typing.Union):
        return " or ".join(_type_name(a) for a in args if a is not type(None)) + " (optional)"
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"map {_type_name(args[0])} → {_type_name(args[1])}"
    return getattr(annotation, "__name__", str(annotation))


def _show(value) -> str:
    if value is None or value is PydanticUndefined:
        return "–"
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", exclude_defaults=True) or "defaults"
    if isinstance(value, list):
        value = [v.model_dump(mode="json", exclude_defaults=True) if isinstance(v, BaseModel) else v for v in value]
    return f"`{json.dumps(value) if not isinstance(value, str) else value}`".replace("|", "/")


def render_reference(text: str) -> str:
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{reference()}\n{END}{tail}"


def main() -> int:
    text = REFERENCE.read_text()
    fresh = render_reference(text)
    if "--check" in sys.argv:
        return 0 if fresh == text else 1
    REFERENCE.write_text(fresh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
