"""Split-mode plans of the sample organizations, once per session (like tests/stack_plans.py for single mode).

`split_root(base)` is a project root whose stack files are the split organization of `base` (each stack's config is
the organization's, resolved as the engine would, plus its `landing-zone:stack`); `split_plans(base)` plans that
graph in this process with the planner `lz plan --all` uses.
"""

from __future__ import annotations

import functools
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import yaml

from landing_zone.config import load_stack, stack_config
from landing_zone.graph_plan import link_program, plan_graph
from landing_zone.stacks import StackNode, graph
from tests.stack_plans import ROOT

_roots: list[tempfile.TemporaryDirectory] = []


def write_split_root(base: str, root: Path, edit: Callable[[dict], None] | None = None) -> list[StackNode]:
    """Link the program into `root` and write the split stack files of `base` (config optionally edited)."""
    link_program(ROOT, root)
    values = stack_config(base, ROOT)  # resolved from its ESC environment, secrets still `secure:`
    if edit:
        edit(values)
    (root / f"Pulumi.{base}.yaml").write_text(yaml.safe_dump({"config": values}, sort_keys=False))
    nodes = graph(load_stack(base, root), base)
    for node in nodes:
        doc = {"config": {**values, "landing-zone:stack": node.role.model_dump(exclude_none=True)}}
        (root / f"Pulumi.{node.name}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    return nodes


def plan_split(base: str, root: Path, nodes: list[StackNode]) -> dict[str, dict]:
    out = root / "out"
    results = plan_graph(nodes, base, root, out, jobs=1)
    return {r.stack: json.loads(r.path.read_text()) for r in results}


@functools.cache
def split_root(base: str) -> tuple[Path, list[StackNode]]:
    tmp = tempfile.TemporaryDirectory(prefix=f"split-{base}-")
    _roots.append(tmp)
    root = Path(tmp.name)
    return root, write_split_root(base, root)


@functools.cache
def split_plans(base: str) -> dict[str, dict]:
    """stack -> plan of every stack of the split `base`, in graph order (shared: never mutate)."""
    root, nodes = split_root(base)
    return plan_split(base, root, nodes)
