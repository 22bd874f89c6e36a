"""The one source of plans of the sample stacks for the whole test session.

Planning the whole program takes ~10 s a stack, the assertions are cheap: every test that needs the full plan of
dev or prod gets it from `full_plan(stack)` (or the session fixture `stack_plan` in tests/conftest.py), planned
once per session by `lz plan`'s own code (landing_zone.plan.run_plan). Config variants go through `variant_plan`:
a copy of the stack's YAML edited as a person would, written to a temp dir and planned the same way.

The cached plans are shared: tests read them and never mutate them (take `copy.deepcopy` first).
`mutated()`, checked at session end by tests/conftest.py, fails the session if one did.
"""

from __future__ import annotations

import functools
import hashlib
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from landing_zone import plan as plan_mod
from landing_zone.config import load_stack, stack_config
from landing_zone.plan import run_plan  # bound here: tests may monkeypatch plan_mod.run_plan to serve this cache
from landing_zone.plan_file import dumps_plan
from landing_zone.plan_index import account_of, index_by_urn

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = ROOT / "__main__.py"
STACKS = ("dev", "prod")

_fingerprints: dict[str, str] = {}


def _fingerprint(plan: dict) -> str:
    return hashlib.sha256(dumps_plan(plan).encode()).hexdigest()


def plan_stack_file(stack: str, config_dir: Path, program: Path = PROGRAM) -> dict:
    """Validate `config_dir/Pulumi.<stack>.yaml` and plan `program` with it (the repo's __main__.py by default)."""
    load_stack(stack, config_dir)  # a variant must still be a valid config
    config, secret_keys = plan_mod.read_stack_config(stack, config_dir)
    return plan_mod.build_plan(plan_mod.run_program(program, stack, config, secret_keys))


@functools.cache
def full_plan(stack: str) -> dict:
    """The plan `lz plan --stack <stack>` writes, once per session."""
    plan = run_plan(stack, ROOT)
    _fingerprints[stack] = _fingerprint(plan)
    return plan


def variant_plan(stack: str, edit: Callable[[dict], None], program: Path = PROGRAM) -> dict:
    """Plan the stack with `edit(config)` applied to a copy of its config (stack file + ESC environments)."""
    data = {"config": stack_config(stack, ROOT)}
    edit(data["config"])
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
        return plan_stack_file(stack, Path(tmp), program)


def mutated() -> list[str]:
    """Stacks whose shared plan a test changed (later tests would have seen a different plan)."""
    return [s for s, before in _fingerprints.items() if _fingerprint(full_plan(s)) != before]


def of_type(plan: Mapping[str, Any], type_token: str, account: str | None = None) -> list[dict]:
    """Resources of a type, optionally only those in one account (by its provider's `account` tag)."""
    found = [r for r in plan["resources"] if r["type"] == type_token]
    if account is not None:
        index = index_by_urn(plan)
        found = [r for r in found if account_of(index, r) == account]
    return found
