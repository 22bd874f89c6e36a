"""Offline plan: run the real `__main__.py` under Pulumi's mocks and the RecordingMonitor (landing_zone/plan_monitor.py)
and return what the engine would receive, as the plan JSON (landing_zone/plan_file.py reads and writes it)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import runpy
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pulumi

from landing_zone import engine
from landing_zone.config import stack_config, stack_file
from landing_zone.mocks import LandingZoneMocks
from landing_zone.plan_file import read_plan
from landing_zone.plan_monitor import RecordingMonitor

PROJECT = "landing-zone"


class PlanError(Exception):
    """The program failed for a reason other than invalid config (a bug, or a missing mock)."""


# --- stack config, the way the engine hands it to the program ----------------------------------------------------


def read_stack_config(stack: str, root: Path, project: str = PROJECT) -> tuple[dict[str, str], list[str]]:
    """Return (config, secret_keys) as the engine sets them: full keys, non-strings JSON-encoded.

    The config is the stack file's merged with the ESC environments it imports (config.stack_config). A `secure:`
    value (or an environment's `fn::secret`) stays as its ciphertext (no key to decrypt offline), and its whole key
    is marked secret so it travels as a secret, as the engine does with decrypted values. No stack file: no config.
    """
    raw = stack_config(stack, root) if stack_file(stack, root).exists() else {}
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in raw.items():
        full_key = key if ":" in key else f"{project}:{key}"
        plain, is_secret = _strip_secure(value)
        config[full_key] = plain if isinstance(plain, str) else json.dumps(plain)
        if is_secret:
            secret_keys.append(full_key)
    return config, sorted(secret_keys)


def _strip_secure(value: Any) -> tuple[Any, bool]:
    if isinstance(value, dict) and set(value) == {"secure"}:
        return value["secure"], True
    if isinstance(value, dict):
        items = {k: _strip_secure(v) for k, v in value.items()}
        return {k: v for k, (v, _) in items.items()}, any(s for _, s in items.values())
    if isinstance(value, list):
        items = [_strip_secure(v) for v in value]
        return [v for v, _ in items], any(s for _, s in items)
    return value, False


# --- running the program ----------------------------------------------------------------------------------------


class _CollectingHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append((record.levelname.lower(), record.getMessage()))


@contextlib.contextmanager
def _program_environment(root: Path) -> Iterator[None]:
    """cwd = repo root and the root importable (as the language host does); restored afterwards."""
    old_cwd, old_path = os.getcwd(), list(sys.path)
    os.chdir(root)
    sys.path.insert(0, str(root))
    try:
        yield
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path


def run_program(program: Path | Callable[[], Any], stack: str, config: Mapping[str, str], secret_keys: list[str],
                preview: bool = False, project: str = PROJECT, mocks: LandingZoneMocks | None = None) -> RecordingMonitor:
    """Run a Pulumi program (a `__main__.py` path, or a callable for tests) under the recording monitor.

    Fresh runtime state each time, so one process can plan many programs (the test suite does).
    """
    region = config.get("aws:region") or "us-east-1"
    mocks = mocks or LandingZoneMocks(region=region, preview=preview)
    mocks.preview = preview
    monitor = RecordingMonitor(mocks, config, project, stack)
    logger = logging.getLogger(f"landing_zone.plan.{stack}")
    logger.propagate = False
    handler = _CollectingHandler()
    logger.handlers[:] = [handler]
    engine.configure(monitor, logger, project, stack, preview)
    pulumi.runtime.set_all_config(dict(config), list(secret_keys))
    monitor.log_messages = handler.messages

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        with engine.patched_runtime(monitor.remember_secret_args):
            if callable(program):
                loop.run_until_complete(pulumi.runtime.run_in_stack(program))
            else:
                with _program_environment(program.parent):
                    loop.run_until_complete(pulumi.runtime.run_in_stack(
                        lambda: runpy.run_path(str(program), run_name="__main__")))
    finally:
        with contextlib.suppress(Exception):
            loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
        asyncio.set_event_loop(None)
        engine.reset_root()
    return monitor


def encode_config(values: Mapping[str, Any], project: str = PROJECT) -> dict[str, str]:
    """Test/bench helper: {key: python value} -> engine config (namespaced keys, non-strings JSON-encoded)."""
    return {(k if ":" in k else f"{project}:{k}"): (v if isinstance(v, str) else json.dumps(v)) for k, v in values.items()}


def build_plan(monitor: RecordingMonitor) -> dict:
    return {
        "project": monitor.project,
        "stack": monitor.stack,
        "resources": monitor.ordered_records(),
        "outputs": monitor.stack_outputs,
        "invokes": monitor.ordered_invokes(),
    }


def run_plan(stack: str, root: Path, preview: bool = False) -> dict:
    """Validate the stack's config, then plan it. Raises ConfigError (invalid config) or PlanError (program failed)."""
    return plan_with_key(stack, root, preview)[0]


def plan_with_key(stack: str, root: Path, preview: bool = False) -> tuple[dict, str]:
    """(the stack's plan, its freshness key: landing_zone/freshness.py plan_key)."""
    inputs = stack_inputs(stack, root, preview)
    return plan_program(root, stack, *inputs[:2], preview, *inputs[2:4]), inputs[4]


def stack_inputs(stack: str, root: Path, preview: bool = False) -> tuple:
    """(config, secret_keys, upstream outputs, base, key): what planning `stack` reads, validated first (ConfigError,
    one line per problem, before any resource exists). A stack of a split organization reads its upstream stacks'
    planned outputs (from out/, fresh ones only) and is seeded with the organization's base name."""
    from landing_zone.config import load_stack_and_role
    from landing_zone.freshness import plan_key

    root = Path(root).resolve()
    cfg, role = load_stack_and_role(stack, root)
    config, secret_keys = read_stack_config(stack, root)
    upstream = base = None
    if role is not None:
        from landing_zone.stacks import base_of, graph

        base = base_of(stack, role)
        nodes = {n.name: n for n in graph(cfg, base)}
        upstream = upstream_outputs(root, stack, nodes[stack].reads, nodes, base)
    return config, secret_keys, upstream, base, plan_key(root, stack, config, secret_keys, preview, upstream, base)


def planned_or_reused(stack: str, root: Path, out: Path | None = None) -> tuple[dict, bool]:
    """(the stack's plan, reused?): out/<stack>/plan.json when its key is the current one (a cold plan would be the
    same), else a plan made now and written there with its key, for the next command."""
    from landing_zone.freshness import is_fresh
    from landing_zone.plan_file import write_plan

    path = Path(out or Path(root) / "out" / stack / "plan.json")
    config, secret_keys, upstream, base, key = stack_inputs(stack, root)
    if is_fresh(path, key):
        return json.loads(path.read_text()), True
    plan = plan_program(Path(root).resolve(), stack, config, secret_keys, False, upstream, base)
    write_plan(plan, path, key)
    return plan, False


def plan_program(root: Path, stack: str, config: Mapping[str, str], secret_keys: list[str], preview: bool = False,
                 upstream: Mapping[str, Mapping[str, Any]] | None = None, base: str | None = None) -> dict:
    """The plan of the project's `__main__.py` for one stack. A stack of a split organization (`base`) has its
    StackReferences answered from `upstream` (stack -> planned outputs) and its fake values seeded as `base`'s.
    Raises ConfigError, or PlanError naming the stack when the program fails."""
    from landing_zone.config import ConfigError

    mocks = None
    if base is not None:
        mocks = LandingZoneMocks(region=config.get("aws:region") or "us-east-1", preview=preview,
                                 stack_outputs=dict(upstream or {}), seed_stack=(stack, base))
    try:
        monitor = run_program(Path(root) / "__main__.py", stack, config, secret_keys, preview=preview, mocks=mocks)
    except ConfigError:
        raise
    except Exception as exc:  # a program bug or a missing mock: say what and where, without a traceback wall
        raise PlanError(f"the program failed while planning stack {stack!r}: {type(exc).__name__}: {exc}") from exc
    return build_plan(monitor)


def upstream_outputs(root: Path, stack: str, reads: tuple[str, ...], nodes: Mapping[str, Any] | None = None,
                     base: str | None = None) -> dict[str, dict]:
    """The planned outputs of the stacks `stack` reads, from their out/<stack>/plan.json; ConfigError when one has
    none, or (given the organization's `nodes` and `base`) when one is stale: planned from other code or config."""
    from landing_zone.config import ConfigError

    outputs, missing = {}, []
    for upstream in reads:
        path = Path(root) / "out" / upstream / "plan.json"
        if path.exists() and (nodes is None or _fresh(root, upstream, nodes, base)):
            outputs[upstream] = read_plan(path, upstream).get("outputs") or {}
        else:
            missing.append(upstream)
    if missing:
        raise ConfigError([f"{stack} reads {', '.join(missing)}: not planned yet, or planned from other code or config "
                           f"(out/<stack>/plan.json missing or stale); `lz plan --stack {stack} --all` plans the "
                           f"whole organization in order (then this stack alone works too)"])
    return outputs


def _fresh(root: Path, stack: str, nodes: Mapping[str, Any], base: str | None) -> bool:
    """Whether out/<stack>/plan.json is what planning `stack` now would write (its upstream plans fresh too)."""
    from landing_zone.config import ConfigError
    from landing_zone.freshness import is_fresh, plan_key

    try:
        upstream = upstream_outputs(root, stack, nodes[stack].reads, nodes, base)
        config, secret_keys = read_stack_config(stack, root)
    except ConfigError:
        return False
    return is_fresh(Path(root) / "out" / stack / "plan.json",
                    plan_key(root, stack, config, secret_keys, False, upstream, base))


def stack_and_plan(stack: str, root: Path, plan_file: Path | None = None) -> tuple:
    """(the stack's validated config, its plan: read from plan_file, or planned now), for the commands that report
    on the whole organization (reach, dr, diagram): a stack of a split organization gets the organization's merged
    plan. Raises ConfigError, PlanFileError or PlanError; `input_errors` turns any of them into lines."""
    from landing_zone.config import load_stack_and_role

    cfg, role = load_stack_and_role(stack, root)
    if plan_file:
        return cfg, read_plan(plan_file, stack)
    from landing_zone.progress import progress

    with progress(f"planning {stack} offline (unless out/ holds a fresh plan)"):
        if role is not None:
            from landing_zone.stack_graph import organization_plan

            return cfg, organization_plan(stack, Path(root))
        plan, reused = planned_or_reused(stack, root)
    say_reused(stack, reused)
    return cfg, plan


def say_reused(what: str, reused: bool | str) -> None:
    """The one line a reporting command prints about where its plan came from (stderr: stdout is the report)."""
    where = f"out/{what}/plan.json"
    text = (f"{what}: reusing {where} (fresh: planned from the current code and config)" if reused is True else
            reused or f"{what}: no fresh plan in out/: planned offline now -> {where}")
    print(text, file=sys.stderr)


def input_errors(error: Exception) -> list[str]:
    """`error: ...` lines for a ConfigError / PlanFileError (one per problem) or a PlanError."""
    return [f"error: {line}" for line in getattr(error, "errors", None) or [str(error)]]


