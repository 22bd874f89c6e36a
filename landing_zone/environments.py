"""Offline resolution of the Pulumi ESC environments a stack file imports (its `environment:` key).

The organization's config is written once, in an ESC environment (`environments/<project>/<name>.yaml`, the same
document `esc env init <org>/<project>/<name> --file ...` uploads), and every stack of the organization imports it.
Offline there is no Pulumi Cloud to open it, so this module evaluates the local files the way ESC does:

- imports in order, each merged with JSON Merge Patch (RFC 7396: maps merge key by key, anything else - lists
  included - is replaced, null removes a key), then the environment's own `values` on top; nested `imports:` too;
- `fn::secret` (plaintext or `{ciphertext: ...}`) becomes a `secure:` value, so it stays secret exactly like a
  stack file's `secure:` value;
- the stack's own `config:` wins over the environments, key by key.

Only `values.pulumiConfig` is evaluated (it is all a stack reads); anything there offline cannot evaluate
(`${...}` interpolation, `fn::open::*` providers, `fn::rotate`, other functions) is an error naming file and path.
Pure: no Pulumi import.
"""

from __future__ import annotations

import copy
import functools
import re
from pathlib import Path
from typing import Any

import yaml

ENVIRONMENTS_DIR = "environments"
PULUMI_CONFIG = "pulumiConfig"
SECRET = "fn::secret"
SUPPORTED = "supported offline: literal values, fn::secret and imports"
_NAME_PART = re.compile(r"^[A-Za-z0-9._-]+$")


class EscError(ValueError):
    """An environment that cannot be resolved offline; the message names the file and the path."""


def environment_file(reference: str, root: Path) -> Path:
    """`environments/<project>/<name>.yaml` of an ESC reference: `<project>/<name>`, `<name>` (ESC's `default`
    project) or `<org>/<project>/<name>` (offline there is one organization, so the org is dropped)."""
    parts = reference.split("/") if isinstance(reference, str) else []
    if len(parts) == 1:
        parts = ["default", *parts]
    if not 2 <= len(parts) <= 3 or not all(_NAME_PART.match(p) and p not in (".", "..") for p in parts):
        raise EscError(f"environment {reference!r}: expected <project>/<name> (or <org>/<project>/<name>)")
    return Path(root) / ENVIRONMENTS_DIR / parts[-2] / f"{parts[-1]}.yaml"


def resolve_stack(doc: dict[str, Any], stack_path: Path, root: Path) -> dict[str, Any]:
    """The stack's config as the engine sees it: its environments' pulumiConfig, then its own `config:` on top."""
    environment = doc.get("environment")
    if isinstance(environment, list):  # the usual form: a list of imports
        environment = {"imports": environment}
    merged = _evaluate(environment or {}, str(stack_path), Path(root), chain=()) if environment else {}
    config = dict(merged.get(PULUMI_CONFIG) or {})
    config.update(doc.get("config") or {})
    return config


def environment_definition(config: dict[str, Any]) -> dict[str, Any]:
    """The ESC environment holding a stack's `config:` (its `secure:` values as fn::secret ciphertexts)."""
    return {"values": {PULUMI_CONFIG: _as_esc(config)}}


def _as_esc(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"secure"}:
        return {SECRET: {"ciphertext": value["secure"]}}
    if isinstance(value, dict):
        return {k: _as_esc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_esc(v) for v in value]
    return value


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON Merge Patch, as ESC merges imports and values."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _evaluate(definition: Any, where: str, root: Path, chain: tuple[str, ...]) -> dict[str, Any]:
    """An environment definition's value: its imports merged in order, then its own values."""
    if not isinstance(definition, dict):
        raise EscError(f"{where}: an environment is a mapping with `imports:` and `values:`")
    merged: dict[str, Any] = {}
    for entry in definition.get("imports") or []:
        reference, merge = _import_entry(entry, where)
        if merge:
            merged = merge_patch(merged, _load(reference, where, root, chain))
    values = definition.get("values") or {}
    pulumi_config = values.get(PULUMI_CONFIG) if isinstance(values, dict) else None
    if pulumi_config is not None:
        own = _literal(pulumi_config, where, f"values.{PULUMI_CONFIG}")
        merged = merge_patch(merged, {PULUMI_CONFIG: own})
    return merged


def _import_entry(entry: Any, where: str) -> tuple[str, bool]:
    """(reference, merge) of `- name` or `- name: {merge: false}`."""
    if isinstance(entry, str):
        return entry, True
    if isinstance(entry, dict) and len(entry) == 1:
        (reference, options), = entry.items()
        return reference, bool((options or {}).get("merge", True))
    raise EscError(f"{where}: imports: {entry!r} is not an environment name")


def _load(reference: str, importer: str, root: Path, chain: tuple[str, ...]) -> dict[str, Any]:
    if reference in chain:
        raise EscError(f"{importer}: environment import cycle: {' -> '.join([*chain, reference])}")
    try:
        path = environment_file(reference, root)
    except EscError as e:
        raise EscError(f"{importer}: {e}") from None
    shown = path.relative_to(root) if path.is_relative_to(root) else path
    if not path.exists():
        raise EscError(
            f"{importer}: imports ESC environment {reference!r}, but {shown} does not exist; offline, each imported "
            f"environment is read from {ENVIRONMENTS_DIR}/<project>/<name>.yaml: put its definition there (the file "
            f"`esc env init <org>/{reference} --file {shown}` creates it from on a real backend)")
    try:
        stat = path.stat()
        definition = copy.deepcopy(_parsed(path, stat.st_mtime_ns, stat.st_size))
    except yaml.YAMLError as e:
        raise EscError(f"{shown}: invalid YAML: {getattr(e, 'problem', None) or e}") from None
    return _evaluate(definition or {}, str(shown), root, (*chain, reference))


@functools.lru_cache(maxsize=32)
def _parsed(path: Path, _mtime_ns: int, _size: int) -> Any:
    """An environment file, parsed once while it is unchanged: every stack of a split organization imports the same
    one (`lz plan --all` resolves hundreds of stack files)."""
    return yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _literal(value: Any, where: str, path: str) -> Any:
    """The value with fn::secret turned into `secure:`; EscError on what only ESC itself can evaluate."""
    if isinstance(value, dict):
        functions = [k for k in value if str(k).startswith("fn::")]
        if functions:
            return _function(value, functions, where, path)
        if set(value) == {"secure"}:
            raise EscError(f"{where}: {path}: `secure:` is stack-file syntax; in an ESC environment write "
                                   f"`{SECRET}: <value>` (ESC encrypts it when the environment is saved)")
        return {k: _literal(v, where, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_literal(v, where, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, str) and "${" in value:
        raise EscError(f"{where}: {path}: `${{...}}` interpolation is not evaluated offline ({SUPPORTED})")
    return value


def _function(value: dict, functions: list[str], where: str, path: str) -> dict[str, str]:
    name = functions[0]
    if len(value) != 1:
        raise EscError(f"{where}: {path}: a function call ({name}) is a mapping with that single key")
    if name != SECRET:
        raise EscError(f"{where}: {path}: {name} cannot be evaluated offline ({SUPPORTED})")
    argument = value[name]
    if isinstance(argument, dict) and set(argument) == {"ciphertext"}:
        argument = argument["ciphertext"]
    if not isinstance(argument, str):
        raise EscError(f"{where}: {path}: {SECRET} takes a string or {{ciphertext: ...}}")
    return {"secure": argument}
