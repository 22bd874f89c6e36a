"""Where each config value is written: a map from config path (`accounts[5].vpcs.ap-south-1.cidr`) to `file:line`,
kept through the merge of a stack file and the ESC environments it imports, so a validation error points at the
line to edit and names the account (`environments/landing-zone/prod.yaml:91: accounts[5] (analytics-prod).vpcs...`).

It follows landing_zone/environments.py's merge order: each environment's imports first, then its own
`values.pulumiConfig` (maps merge key by key, a list or scalar replaces what was there, null removes it), then the
stack file's `config:`, whose keys replace the environments' whole. Locating is best effort: an error whose path is
not found keeps its text, and a file that cannot be read leaves the map without it (loading reports that).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from landing_zone.environments import PULUMI_CONFIG, environment_file

NAMESPACE = "landing-zone:"
_PATH = re.compile(r"^(?P<path>[A-Za-z_][\w-]*(?::[\w-]+)?(?:\[\d+\]|\.[\w-]+)*)")
_ACCOUNT = re.compile(r"\baccounts\[(\d+)\](?! \()")


def source_map(stack_path: Path, root: Path) -> dict[str, str]:
    """{config path: "file:line"} of the stack file `stack_path` and the environments it imports."""
    sources: dict[str, str] = {}
    document = _compose(stack_path)
    if not isinstance(document, yaml.MappingNode):
        return sources
    top = _mapping(document)
    environment = top.get("environment")
    imports = environment[1] if environment else None
    if isinstance(imports, yaml.MappingNode):
        imports = _mapping(imports).get("imports", (None, None))[1]
    for reference in _references(imports):
        _environment(reference, root, sources, chain=())
    config = top.get("config")
    if config and isinstance(config[1], yaml.MappingNode):
        _walk(config[1], "", _shown(stack_path, root), sources, replace_top=True)
    return sources


def locate(errors: list[str], sources: Mapping[str, str], account_names: list[str]) -> list[str]:
    """Each error prefixed with the file:line of its path (the nearest written ancestor), with account names."""
    return [_locate(error, sources, account_names) for error in errors]


def _locate(error: str, sources: Mapping[str, str], names: list[str]) -> str:
    match = _PATH.match(error)
    where = None
    if match:
        path = match["path"].removeprefix(NAMESPACE)
        while path and where is None:
            where = sources.get(path)
            path = re.sub(r"(\[\d+\]|\.[^.\[]+)$", "", path) if re.search(r"(\[\d+\]|\.[^.\[]+)$", path) else ""
    named = _ACCOUNT.sub(lambda m: _named(m, names), error)
    return f"{where}: {named}" if where else named


def _named(match: re.Match, names: list[str]) -> str:
    index = int(match[1])
    return f"accounts[{index}] ({names[index]})" if index < len(names) and names[index] else match[0]


def account_names(config: Mapping[str, Any]) -> list[str]:
    """The accounts' names by index, from the raw stack config (before validation: names may be missing)."""
    accounts = config.get(f"{NAMESPACE}accounts")
    if not isinstance(accounts, list):
        return []
    return [str(a.get("name") or "") if isinstance(a, Mapping) else "" for a in accounts]


# --- walking the YAML nodes ----------------------------------------------------------------------------------------


def _compose(path: Path) -> yaml.Node | None:
    try:
        return yaml.compose(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError):
        return None


def _mapping(node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    return {str(key.value): (key, value) for key, value in node.value if isinstance(key, yaml.ScalarNode)}


def _references(node: yaml.Node | None) -> list[str]:
    if not isinstance(node, yaml.SequenceNode):
        return []
    found = []
    for item in node.value:
        if isinstance(item, yaml.ScalarNode):
            found.append(str(item.value))
        elif isinstance(item, yaml.MappingNode) and len(item.value) == 1:
            key, options = item.value[0]
            merge = _mapping(options).get("merge") if isinstance(options, yaml.MappingNode) else None
            if not (merge and str(merge[1].value).lower() == "false"):
                found.append(str(key.value))
    return found


def _shown(path: Path, root: Path) -> str:
    path, root = Path(path).resolve(), Path(root).resolve()
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _environment(reference: str, root: Path, sources: dict[str, str], chain: tuple[str, ...]) -> None:
    if reference in chain:
        return
    try:
        path = environment_file(reference, root)
    except ValueError:
        return
    document = _compose(path)
    if not isinstance(document, yaml.MappingNode):
        return
    top = _mapping(document)
    for nested in _references(top.get("imports", (None, None))[1]):
        _environment(nested, root, sources, (*chain, reference))
    values = top.get("values")
    config = _mapping(values[1]).get(PULUMI_CONFIG) if values and isinstance(values[1], yaml.MappingNode) else None
    if config and isinstance(config[1], yaml.MappingNode):
        _walk(config[1], "", _shown(path, root), sources, replace_top=False)


def _walk(node: yaml.MappingNode, prefix: str, file: str, sources: dict[str, str], replace_top: bool) -> None:
    for key, value in node.value:
        name = str(key.value).removeprefix(NAMESPACE) if not prefix else str(key.value)
        path = f"{prefix}.{name}" if prefix else name
        if replace_top or not isinstance(value, yaml.MappingNode) or _is_null(value):
            _drop(sources, path)  # a list, a scalar or the stack's own key replaces; null removes
        if _is_null(value):
            continue
        sources[path] = f"{file}:{key.start_mark.line + 1}"
        _record(value, path, file, sources)


def _record(value: yaml.Node, path: str, file: str, sources: dict[str, str]) -> None:
    if isinstance(value, yaml.MappingNode):
        _walk(value, path, file, sources, replace_top=False)
    elif isinstance(value, yaml.SequenceNode):
        for index, item in enumerate(value.value):
            sources[f"{path}[{index}]"] = f"{file}:{item.start_mark.line + 1}"
            _record(item, f"{path}[{index}]", file, sources)


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _drop(sources: dict[str, str], path: str) -> None:
    for key in [k for k in sources if k == path or k.startswith((f"{path}.", f"{path}["))]:
        del sources[key]
