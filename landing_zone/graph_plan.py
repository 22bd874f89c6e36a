"""Plan a split organization offline, as a graph: layer after layer, the stacks of a layer in parallel processes.

Each stack is the real `__main__.py` under the mocks (landing_zone/plan.py), with its StackReferences answered from
the planned outputs of the stacks it reads, and its fake ids seeded with the organization's base name, so a resource
gets the same fake id in whichever stack it is planned (and in single mode). Workers are forked from a parent that
has already imported the program's modules, and a fresh pool serves each layer, so the organization stack's memory
never stays in the processes that plan the account stacks.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
import signal
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from landing_zone.freshness import PROGRAM_PATHS, is_fresh, plan_key
from landing_zone.plan import plan_program, read_stack_config
from landing_zone.plan_file import write_plan
from landing_zone.stacks import StackNode, layers


@dataclass(frozen=True)
class StackPlan:
    """One planned stack: where its plan was written and what it cost."""

    stack: str
    layer: int
    path: Path
    resources: int
    seconds: float
    peak_rss_mb: float  # the planning process's peak so far (a worker plans several stacks of its layer)
    outputs: Mapping[str, Any]
    reused: bool = False  # an earlier run's plan, fresh for the current code and config, not planned now


# What a staged project root links from the real one: the program, its pack and policy config.
PROGRAM_FILES = (*(p.rstrip("/") for p in PROGRAM_PATHS), "policies", "policy-config.json")


def link_program(source: Path, target: Path) -> None:
    """Make `target` a project root running `source`'s program (benchmarks, tests, `lz stacks --migrate`)."""
    for name in PROGRAM_FILES:
        if (Path(source) / name).exists() and not (Path(target) / name).exists():
            (Path(target) / name).symlink_to(Path(source).resolve() / name)


def plan_path(out_dir: Path, stack: str) -> Path:
    return Path(out_dir) / stack / "plan.json"


def _plan_task(task: tuple) -> StackPlan:
    """In the worker: the stack's config is read here (a worker's environment files are parsed once), so the parent
    never holds every stack's copy of the organization's config, nor forks it into the workers."""
    node, base, root, upstream, out_dir = task
    start = time.perf_counter()
    config, secret_keys = read_stack_config(node.name, root)
    plan = plan_program(root, node.name, config, secret_keys, upstream=upstream, base=base)
    key = plan_key(root, node.name, config, secret_keys, False, upstream, base)
    path = write_plan(plan, plan_path(out_dir, node.name), key)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return StackPlan(node.name, node.layer, path, len(plan["resources"]), time.perf_counter() - start, peak,
                     plan.get("outputs") or {})


def fresh(out_dir: Path, node: StackNode, base: str, root: Path, upstream: Mapping[str, Any]) -> StackPlan | None:
    """A stack's plan from an earlier run when it is what planning it now would write (its key is the current one:
    same program, config, upstream outputs), else None."""
    path = plan_path(out_dir, node.name)
    if not path.exists():
        return None
    config, secret_keys = read_stack_config(node.name, root)
    if not is_fresh(path, plan_key(root, node.name, config, secret_keys, False, upstream, base)):
        return None
    plan = json.loads(path.read_text())
    return StackPlan(node.name, node.layer, path, len(plan["resources"]), 0.0, 0.0, plan.get("outputs") or {},
                     reused=True)


def plan_graph(nodes: list[StackNode], base: str, root: Path, out_dir: Path, jobs: int | None = None,
               replan: Iterable[str] | None = None, on_done: Callable[[StackPlan], None] | None = None,
               reuse: bool = False) -> list[StackPlan]:
    """Plan every stack of `nodes` in dependency order, each with its stack file's config. `reuse`: an earlier plan
    that is fresh (landing_zone/freshness.py) stands in for planning; `replan` (`--changed`): these stacks are planned,
    the others reused when fresh. Returns the plans in graph order."""
    root = Path(root).resolve()
    jobs = jobs or os.cpu_count() or 1
    wanted = None if replan is None else set(replan)
    done: dict[str, StackPlan] = {}
    for layer in layers(nodes):
        todo = []
        for node in layer:
            upstream = {s: done[s].outputs for s in node.reads}
            may_reuse = reuse or (wanted is not None and node.name not in wanted)
            previous = fresh(out_dir, node, base, root, upstream) if may_reuse else None
            if previous is not None:
                done[node.name] = previous
                continue
            todo.append((node, base, root, upstream, out_dir))
        if todo:
            _preload(root)  # not when every plan is reused: importing the program costs seconds
        for result in _run(todo, jobs):
            done[result.stack] = result
            if on_done:
                on_done(result)
    return [done[n.name] for n in nodes]


def _run(tasks: list[tuple], jobs: int) -> Iterable[StackPlan]:
    if not tasks:
        return []
    if jobs == 1:  # in this process (tests: no fork under a test runner's threads)
        return [_plan_task(t) for t in tasks]
    if len(tasks) == 1:
        return [_in_child(tasks[0])]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context, initializer=_quiet) as pool:
        return list(pool.map(_plan_task, tasks, chunksize=1))


def _in_child(task: tuple) -> StackPlan:
    """One stack alone in its layer still gets its own process: its memory is returned when it ends."""
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_quiet) as pool:
        return pool.submit(_plan_task, task).result()


def _quiet() -> None:
    """A worker ends at once on Ctrl-C (the terminal sends it to every process of the group): no traceback of its
    own, the parent reports the interruption once. Nothing is half-written: plans are written atomically."""
    signal.signal(signal.SIGINT, lambda *_: os._exit(130))


def _preload(root: Path) -> None:
    """Import what every stack's program imports once, before forking (the workers share it); once per process."""
    import sys

    if "components.stacks" in sys.modules:
        return
    sys.path.insert(0, str(root))
    try:
        import components.stacks  # noqa: F401
    finally:
        sys.path.remove(str(root))
