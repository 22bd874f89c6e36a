"""What the pipeline hands Pulumi besides the code: the pull request's config and the environments main pushes (`lz config`).

`pulumi preview` and `pulumi up` read a stack's config from the service's copy of its ESC environments, while
`lz check` reads git's. Two things keep them the same (docs/pipeline.md):
- on main, before `pulumi up`, the deploy pushes every environment the stack imports (`--environments`: reference and
  file, nested imports first) with `pulumi env edit <org>/<reference> --file <file>`;
- a pull request's preview runs with `--config-file`, a stack settings file holding the pull request's resolved
  config inline (`--out FILE`). An ESC `fn::secret` ciphertext only ESC can decrypt (it is not the stack's `secure:`
  encryption), so a top-level key holding one keeps coming from the service's environment, which the file still
  imports: those keys are named, and a change to them shows only in the deploy.
Pure: no Pulumi import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from landing_zone.config import ConfigError, load_stack, read_stack_document, read_stack_file, stack_file
from landing_zone.environments import EscError, environment_file


def _holds_secret(value: Any) -> bool:
    if isinstance(value, dict):
        return set(value) == {"secure"} or any(_holds_secret(v) for v in value.values())
    return isinstance(value, list) and any(_holds_secret(v) for v in value)


def preview_settings(stack: str, root: Path) -> tuple[dict[str, Any], list[str]]:
    """The stack settings document for `pulumi preview --config-file`, and the keys left to the service's environment.
    Raises ConfigError (an invalid config is refused here too, naming the field)."""
    load_stack(stack, root)
    path = stack_file(stack, root)
    document, config = read_stack_document(path), read_stack_file(path)
    own = document.get("config") or {}  # the stack file's own `secure:` values are the stack's: they stay
    inline = {key: value for key, value in config.items() if key in own or not _holds_secret(value)}
    settings = {key: value for key, value in document.items() if key != "config"}
    return {**settings, "config": inline}, sorted(set(config) - set(inline))


def imported_environments(stack: str, root: Path) -> list[tuple[str, Path]]:
    """Every ESC environment the stack imports and its file, an environment's own imports before it. Raises ConfigError."""
    load_stack(stack, root)  # the config resolves (no missing file, no import cycle) and is valid
    found: list[tuple[str, Path]] = []

    def visit(entries: Any, where: str) -> None:
        for entry in entries or []:
            reference = entry if isinstance(entry, str) else next(iter(entry), None) if isinstance(entry, dict) else None
            if not isinstance(reference, str):
                raise ConfigError([f"{where}: imports: {entry!r} is not an environment name"])
            try:
                path = environment_file(reference, root)
            except EscError as e:
                raise ConfigError([f"{where}: {e}"]) from None
            if any(reference == seen for seen, _ in found):
                continue
            if not path.exists():
                raise ConfigError([f"{where}: imports {reference!r}, but {path} does not exist"])
            visit((yaml.safe_load(path.read_text()) or {}).get("imports"), str(path))
            found.append((reference, path))

    environment = read_stack_document(stack_file(stack, root)).get("environment")
    visit(environment.get("imports") if isinstance(environment, dict) else environment, str(stack_file(stack, root)))
    return found
