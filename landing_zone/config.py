"""Load and validate the landing-zone config, from a stack file (CLI) or from pulumi.Config (the program).

Both paths hand the same ``{key: value}`` mapping to ``parse``, so the program and ``lz validate`` can never disagree.
Every offline reader of a stack's config goes through ``read_stack_file``: the stack file plus the Pulumi ESC
environments it imports (landing_zone/environments.py), merged as the engine merges them.
Errors come back as ``ConfigError.errors``: one ``"field.path: what is wrong"`` line each, all of them at once.
"""

from __future__ import annotations

import difflib
import functools
import json
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from landing_zone import stacks
from landing_zone.config_sources import account_names, locate, source_map
from landing_zone.environments import EscError, resolve_stack
from landing_zone.models import LandingZoneConfig
from landing_zone.validation import cross_check

NAMESPACE = "landing-zone"
KEYS = tuple(LandingZoneConfig.model_fields)
STACK_ROLE_KEY = f"{NAMESPACE}:{stacks.STACK_KEY}"  # not a config model key: the stack's part (landing_zone/stacks.py)


class ConfigError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


PROJECT_FILE = "Pulumi.yaml"
# Where lz reads stack files instead of Pulumi.yaml's `stackConfigDir` (e.g. the plain form of a self-managed backend:
# `LZ_STACK_CONFIG_DIR=self-managed lz check --stack prod`), relative to the project root.
STACK_CONFIG_DIR_ENV = "LZ_STACK_CONFIG_DIR"


def stack_file(stack: str, root: Path = Path(".")) -> Path:
    """Pulumi.<stack>.yaml where Pulumi reads it: in the project's `stackConfigDir` (Pulumi.yaml), else next to
    Pulumi.yaml; $LZ_STACK_CONFIG_DIR overrides both."""
    return stack_config_dir(root) / f"Pulumi.{stack}.yaml"


def stack_config_dir(root: Path = Path(".")) -> Path:
    override = os.environ.get(STACK_CONFIG_DIR_ENV)
    configured = override or project_settings(root).get("stackConfigDir")
    return Path(root) / configured if isinstance(configured, str) and configured else Path(root)


def project_settings(root: Path = Path(".")) -> dict[str, Any]:
    """Pulumi.yaml as a mapping ({} when there is none); ConfigError when it is not valid YAML."""
    path = Path(root) / PROJECT_FILE
    try:
        stat = path.stat()
    except OSError:
        return {}
    return _project_settings(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _project_settings(path: Path, _mtime_ns: int, _size: int) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        raise ConfigError([f"{path}: invalid YAML: {getattr(e, 'problem', None) or e}"]) from None
    return doc if isinstance(doc, dict) else {}


def read_stack_document(path: Path) -> dict[str, Any]:
    """The stack file as written (its `config:` and `environment:` keys), or ConfigError naming the file."""
    if not path.exists():
        raise ConfigError([f"{path}: stack file not found (expected Pulumi.<stack>.yaml in the project root, or in Pulumi.yaml's stackConfigDir or $LZ_STACK_CONFIG_DIR)"])
    try:
        doc = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise ConfigError([f"{path}{where}: invalid YAML: {getattr(e, 'problem', None) or e}"]) from None
    if not isinstance(doc, dict) or not (isinstance(doc.get("config"), dict) or doc.get("environment")):
        raise ConfigError([f"{path}: no `config:` mapping nor `environment:` imports (is the file empty?)"])
    if not isinstance(doc.get("config") or {}, dict):
        raise ConfigError([f"{path}: `config:` must be a mapping"])
    return doc


def read_stack_file(path: Path, root: Path | None = None) -> dict[str, Any]:
    """The stack's full config (``{"ns:key": value}``): the ESC environments its ``environment:`` imports, read from
    ``environments/`` of the project root (default: the file's folder), with its own ``config:`` on top; or
    ConfigError naming the file."""
    try:
        return resolve_stack(read_stack_document(path), path, path.parent if root is None else Path(root))
    except EscError as e:
        raise ConfigError([str(e)]) from None


def stack_config(stack: str, root: Path = Path(".")) -> dict[str, Any]:
    """The stack's full config (stack file + its ESC environments): what every offline reader starts from."""
    return read_stack_file(stack_file(stack, root), root)


def namespaced(config: dict[str, Any]) -> dict[str, Any]:
    """``landing-zone:<key>`` entries as {key: value}; unknown landing-zone keys are errors with a suggestion."""
    errors, values = [], {}
    for full_key, value in config.items():
        namespace, _, key = str(full_key).partition(":")
        if namespace != NAMESPACE or key == stacks.STACK_KEY:
            continue
        if key not in KEYS:
            errors.append(f"{full_key}: unknown key{_did_you_mean(key, KEYS, prefix=NAMESPACE + ':')}")
        values[key] = value
    if errors:
        raise ConfigError(errors)
    return values


def parse(values: dict[str, Any], *, from_engine: bool = False) -> LandingZoneConfig:
    """from_engine: the values come decrypted from the engine (secrets arrive as plain strings, not `secure:`)."""
    try:
        cfg = LandingZoneConfig.model_validate(values, context={"from_engine": from_engine})
    except ValidationError as e:
        raise ConfigError([_format(err) for err in e.errors()]) from None
    errors = cross_check(cfg)
    if errors:
        raise ConfigError(errors)
    return cfg


def load_stack(stack: str, root: Path = Path(".")) -> LandingZoneConfig:
    """The stack's validated config; its `landing-zone:stack` role (split mode) is validated too."""
    return load_stack_and_role(stack, root)[0]


def load_stack_role(stack: str, root: Path = Path(".")) -> stacks.StackRole | None:
    """The stack's part of a split organization (None in single mode), validated against its name and config."""
    return load_stack_and_role(stack, root)[1]


def load_stack_and_role(stack: str, root: Path = Path(".")) -> tuple[LandingZoneConfig, stacks.StackRole | None]:
    """Errors name the file and line of the value (stack file or ESC environment) and each account by its name."""
    config = stack_config(stack, root)
    try:
        cfg = parse(namespaced(config))
        role = checked_role(config.get(STACK_ROLE_KEY), cfg, stack)
    except ConfigError as e:
        sources = source_map(stack_file(stack, root), Path(root))
        raise ConfigError(locate(e.errors, sources, account_names(config))) from None
    # the tooling's path (validate, plan, check, bootstrap): the pipeline's role of this stack must get past the RCP
    if unadmitted := stacks.unadmitted_deploy_role(cfg, stack, split=role is not None):
        raise ConfigError([unadmitted])
    return cfg, role


def checked_role(value: Any, cfg: LandingZoneConfig, stack: str) -> stacks.StackRole | None:
    """`landing-zone:stack` parsed and checked against the organization's config and the stack's name."""
    try:
        role = stacks.parse_role(value, STACK_ROLE_KEY)
    except stacks.StackRoleError as e:
        raise ConfigError([str(e)]) from None
    errors = stacks.check_role(cfg, stack, role) if role else []
    if errors:
        raise ConfigError(errors)
    return role


def from_pulumi() -> LandingZoneConfig:
    """The program's path: the same keys read through pulumi.Config (decrypted by the engine)."""
    import pulumi

    config = pulumi.Config(NAMESPACE)
    values = {key: config.get_object(key) for key in KEYS}
    return parse({k: v for k, v in values.items() if v is not None}, from_engine=True)


def role_from_pulumi(cfg: LandingZoneConfig | None = None) -> stacks.StackRole | None:
    """The program's path to `landing-zone:stack` (None in single mode), validated like load_stack_role."""
    import pulumi

    value = pulumi.Config(NAMESPACE).get(stacks.STACK_KEY)  # the raw text: parse_role reads JSON and `network` alike
    return checked_role(value, cfg or from_pulumi(), pulumi.get_stack())


# --- error messages -----------------------------------------------------------------------------------------------


def _format(err: dict[str, Any]) -> str:
    loc = err["loc"]
    path = _path(loc)
    if err["type"] == "extra_forbidden":
        return f"{path}: unknown key{_did_you_mean(str(loc[-1]), _fields_at(loc[:-1]))}"
    msg = err["msg"].removeprefix("Value error, ")
    value = err.get("input")
    hidden = err["type"] == "missing" or isinstance(value, dict | list) or (err.get("ctx") or {}).get("secret")
    shown = "" if hidden else f" (got {json.dumps(value, default=str)})"
    if err["type"] == "missing":
        msg = "required"
    return f"{path}: {msg}{shown}"


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after[_region(), str]",) or str(part).startswith("function-"):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "config"


def _fields_at(loc: tuple) -> tuple[str, ...]:
    """The field names of the model found at ``loc``, for "did you mean" on unknown keys."""
    model: Any = LandingZoneConfig
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if field is None:  # a dict key (e.g. a region under vpcs): keep the value model
            continue
        model = _inner_model(field.annotation)
    return tuple(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else ()


def _inner_model(annotation: Any) -> Any:
    """The BaseModel inside list[X], dict[str, X], X | None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in reversed(getattr(annotation, "__args__", ())):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _did_you_mean(key: str, candidates: tuple[str, ...], prefix: str = "") -> str:
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
    return f"; did you mean '{prefix}{close[0]}'?" if close else (f" (known: {', '.join(candidates)})" if candidates else "")
