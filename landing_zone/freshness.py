"""When an earlier plan or check result may stand in for a cold run: a digest of everything that run reads.

A cache returns only what a cold run would, so each key covers every input of the result, not a sample of them:
- a plan (plan_key): the program's files (PROGRAM_PATHS, every file whatever its suffix), the interpreter and its
  installed packages, the stack's resolved config (stack file + ESC environments, as the engine hands it over) and
  secret keys, the files that config names (certificates, SAML metadata), the environment variables the program reads
  (LZ_*), preview or not, and for a stack of a split organization its base and the outputs it reads upstream;
- a check result (landing_zone/stack_graph.py ResultCache, check_key): the plan, every file of the pack (code,
  facts.json, data files, PulumiPolicy.yaml, requirements.txt), the packages of the interpreter the pack runs on, the
  tooling that drives it (landing_zone/), the policy config, and the stack environment the pack is configured with.
A plan written with its key gets a sidecar `<plan>.key` (the key, and the digest of the plan file); `lz reach|dr|cost|diagram` reuse out/<stack>/plan.json only
when that key equals the current one (landing_zone/plan.py planned_or_reused).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import sysconfig
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

# What the program is made of: a change here may change any stack's plan (bootstrap/: components/preview_role.py
# imports bootstrap.roles). `--changed REF` replans everything when one of them changed.
PROGRAM_PATHS = ("__main__.py", "Pulumi.yaml", "components/", "landing_zone/", "bootstrap/", "requirements.txt")
PROGRAM_ENV_PREFIX = "LZ_"  # e.g. LZ_ACCESS_ROLE_NAME (components/providers.py)
_SKIPPED_DIRS = {"__pycache__", "venv", ".venv", "node_modules", ".git", ".pytest_cache", ".ruff_cache", "out"}
TOOL_DIR = Path(__file__).resolve().parent  # the tooling that builds plans and drives the pack


def digest(*parts: Any) -> str:
    """sha256 of the parts as canonical JSON."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def files_digest(root: Path, paths: Iterable[str]) -> str:
    """Every file under `paths` (relative to `root`; files or folders, walked in order), by name and content."""
    root = Path(root)
    sha = hashlib.sha256()
    for name in paths:
        top = root / name.rstrip("/")
        files = [top] if top.is_file() else sorted(
            p for p in top.rglob("*") if p.is_file() and not _SKIPPED_DIRS & set(p.relative_to(top).parts)
            and p.suffix not in (".pyc", ".pyo"))
        for path in files:
            sha.update(f"\0{path.relative_to(root).as_posix()}\0".encode())
            sha.update(path.read_bytes())
    return sha.hexdigest()


def installed_packages(site_packages: Path | None = None) -> list[str]:
    """The distributions (name-version) an interpreter imports from: its site-packages' *.dist-info folders."""
    site = Path(site_packages or sysconfig.get_paths()["purelib"])
    return sorted(p.name for p in site.glob("*.dist-info")) if site.is_dir() else []


def named_files(config: Mapping[str, Any], root: Path) -> dict[str, str]:
    """Files the config names (a string value that is a file under the project root): name -> content digest."""
    found: dict[str, str] = {}

    def walk(value: Any) -> None:
        if isinstance(value, Mapping):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str) and value[:1] in ("{", "["):  # a JSON-encoded config value (the engine's form)
            try:
                walk(json.loads(value))
            except ValueError:
                pass
        elif isinstance(value, str) and 0 < len(value) < 256 and "\n" not in value:
            path = Path(root) / value
            try:  # a regular file inside the project (never /dev/..., never outside it)
                if not Path(value).is_absolute() and ".." not in Path(value).parts and path.is_file():
                    found[value] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:  # a name too long for a path, unreadable: not a file the program could read either
                pass

    walk(dict(config))
    return found


def program_env() -> dict[str, str]:
    return {k: v for k, v in sorted(os.environ.items()) if k.startswith(PROGRAM_ENV_PREFIX)}


def plan_key(root: Path, stack: str, config: Mapping[str, str], secret_keys: Iterable[str], preview: bool = False,
             upstream: Mapping[str, Any] | None = None, base: str | None = None) -> str:
    """The key of a stack's plan: equal keys, equal plans (what a cold `lz plan` would write)."""
    from landing_zone.validation import PROJECT_ROOT  # where the program opens the files the config names

    named = [named_files(config, r) for r in dict.fromkeys([Path(root).resolve(), PROJECT_ROOT])]
    seeded = base if base != stack else None  # a single stack is seeded with its own name either way
    return digest("plan", files_digest(root, PROGRAM_PATHS), sys.version, installed_packages(), stack, dict(config),
                  sorted(secret_keys), named, program_env(), bool(preview), upstream or {}, seeded)


def check_key(plan: Mapping[str, Any], pack_digest: str, policy_config: Mapping[str, Any] | None, env: Any) -> str:
    """The key of one stack's check result (`env`: the PackEnvironment the pack is configured with)."""
    return digest("check", pack_digest, policy_config or {}, env, plan)


def pack_digest(pack_dir: Path, pack_site_packages: Path | None = None) -> str:
    """Every file of the pack, the packages it runs on, and the tooling that starts and drives it."""
    return digest(files_digest(pack_dir, ["."]), installed_packages(pack_site_packages), sys.version,
                  files_digest(TOOL_DIR, ["."]))


# --- the key beside a plan file -------------------------------------------------------------------------------------


def key_path(plan_path: Path) -> Path:
    return Path(plan_path).with_name(Path(plan_path).name + ".key")


def key_record(key: str, plan_text: str) -> str:
    """What `<plan>.key` holds: the key the plan was planned from, and the digest of the plan file as written (an
    edited or replaced plan file is not the plan that key vouches for)."""
    return f"{key} {hashlib.sha256(plan_text.encode()).hexdigest()}\n"


def is_fresh(plan_path: Path, key: str) -> bool:
    """Whether the plan file is what planning now would write: written with this key, and unchanged since."""
    try:
        stored = key_path(plan_path).read_text().split()
        content = hashlib.sha256(Path(plan_path).read_bytes()).hexdigest()
    except OSError:  # no plan, or no key: never fresh
        return False
    return stored == [key, content]


def stored_key(plan_path: Path) -> str | None:
    """The key a plan file was written with, or None."""
    try:
        return (key_path(plan_path).read_text().split() or [None])[0]
    except OSError:
        return None
