"""The `--all` / `--changed` forms of `lz plan` and `lz check`: the organization a stack belongs to, as a graph."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from landing_zone.config import ConfigError, stack_file
from landing_zone.graph_plan import StackPlan, plan_graph
from landing_zone.plan import PlanError
from landing_zone.progress import progress
from landing_zone.stack_graph import Organization, changed_stacks, check_graph, organization_of


def _organization(stack: str, root: Path, err: Console) -> Organization | None:
    try:
        return organization_of(stack, root)
    except ConfigError as e:
        for line in e.errors:
            err.print(f"error: {line}", markup=False)
        return None


def _missing_stack_files(org: Organization, root: Path) -> list[str]:
    return [f"error: Pulumi.{n.name}.yaml: not found: a split organization's stacks each have a stack file "
            f"(`lz stacks --stack {n.name} --write` writes them)"
            for n in org.nodes if not stack_file(n.name, root).exists()]


def plan_all(stack: str, root: Path, out_dir: Path, changed: str | None, jobs: int, out: Console,
             err: Console) -> tuple[int, Organization | None, dict[str, StackPlan]]:
    """Plan every stack of `stack`'s organization (or, with `changed`, what changed since that git ref and what
    reads from it, reusing the other stacks' plans in out_dir while they are fresh). Returns (exit code,
    organization, plans)."""
    org = _organization(stack, root, err)
    if org is None:
        return 2, None, {}
    missing = _missing_stack_files(org, root)
    if missing:
        for line in missing:
            err.print(line, markup=False)
        return 2, org, {}
    replan = None
    if changed:
        try:
            replan, why = changed_stacks(org, root, changed, stack)
        except ConfigError as e:
            err.print(f"error: {e.errors[0]}", markup=False)
            return 2, org, {}
        out.print(f"since {changed}: {why}; replanning {len(replan)} of {len(org.nodes)} stacks (and any other whose "
                  "plan in out/ is not fresh)", markup=False)
    table = Table("layer", "stack", "resources", "seconds", "peak MB", title=f"{org.base}: planned offline")
    start = time.perf_counter()

    try:
        with progress(f"planning {len(org.nodes)} stack{'s' * (len(org.nodes) > 1)} of {org.base} offline",
                      total=len(org.nodes) if org.split else None) as advance:
            def done(result: StackPlan) -> None:
                table.add_row(str(result.layer), result.stack, str(result.resources), f"{result.seconds:.1f}",
                              f"{result.peak_rss_mb:.0f}")
                advance(1)

            results = plan_graph(org.nodes, org.base, root, out_dir, jobs=jobs or None, replan=replan, on_done=done)
    except PlanError as e:
        err.print(f"error: {e}", markup=False)
        return 1, org, {}
    except ConfigError as e:
        for line in e.errors:
            err.print(f"error: {line}", markup=False)
        return 2, org, {}
    if org.split:
        out.print(table)
    else:  # one stack: what `lz plan` prints
        from landing_zone.summary import render_summary

        render_summary(json.loads(results[0].path.read_text()), out)
    reused = sum(1 for r in results if r.reused)
    across = " across their plans (a component several stacks build part of is in each)" if org.split else ""
    out.print(f"{org.base}: {len(results)} stack{'s' * (len(results) > 1)}, {sum(r.resources for r in results)} resources{across} "
              f"({reused} fresh plans reused) in {time.perf_counter() - start:.1f}s -> {out_dir}/<stack>/plan.json",
              markup=False)
    return 0, org, {r.stack: r for r in results}


def check_all(stack: str, root: Path, out_dir: Path, changed: str | None, jobs: int,
              policy_config: dict[str, Any] | None, out: Console, err: Console) -> tuple[int, Any, Any]:
    """plan_all, then every stack's check and the merged plan's. Returns (exit code, the organization's result, the
    organization)."""
    from landing_zone.check_result import CheckError, exit_code

    code, org, planned = plan_all(stack, root, out_dir, changed, jobs, out, err)
    if code:
        return code, None, org
    plans = {name: json.loads(p.path.read_text()) for name, p in planned.items()}
    table = Table("stack", "resources", "mandatory", "advisory", title=f"{org.base}: checked")

    def row(name: str, result: Any) -> None:
        table.add_row(name, str(result.resources_checked), str(len(result.mandatory)), str(len(result.advisory)))

    start = time.perf_counter()
    reused: list[str] = []
    try:
        with progress(f"checking {len(plans)} stack{'s' * (len(plans) > 1)} of {org.base} with the policy pack"):
            results, whole = check_graph(org, root, plans, policy_config, cache_dir=out_dir, on_result=row,
                                         jobs=jobs or os.cpu_count() or 1, reused=reused)
    except CheckError as e:
        err.print(f"error: {e}", markup=False)
        return 2, None, org
    if org.split:
        row(f"{org.base} (merged: the whole organization)", whole)
    out.print(table)
    out.print(f"checked in {time.perf_counter() - start:.1f}s ({len(reused)} of {len(plans)} stack results reused "
              f"from out/: same plan, config, pack and policy config)", markup=False)
    worst = max([exit_code(r) for r in results.values()] + [exit_code(whole)])
    return worst, whole, org



def print_migration(stack: str, root: Path, out: Console, err: Console) -> int:
    """`lz stacks --stack S --migrate`: the steps that split the single stack S, from S's plan and the plans of the
    split stacks it would become (planned in a staging root with the stack files `lz stacks --write` would write)."""
    import tempfile

    from landing_zone import stack_files
    from landing_zone.graph_plan import link_program
    from landing_zone.migration import commands, moves
    from landing_zone.plan import run_plan

    try:
        org = stack_files.split_stacks_of(stack, root)
        if not org.single:
            err.print(f"error: {stack} is already a stack of the split organization {org.base}", markup=False)
            return 2
        expected = stack_files.expected_files(org, root)
        single = run_plan(stack, root)
        with tempfile.TemporaryDirectory(prefix="lz-migrate-") as tmp:
            staged = Path(tmp)
            link_program(root, staged)
            for name in ("environments", f"Pulumi.{stack}.yaml"):
                (staged / name).symlink_to(Path(root).resolve() / name)
            for path, text in expected.items():
                (staged / path.name).write_text(text)
            planned = plan_graph(org.nodes, org.base, staged, staged / "out")
            split = {p.stack: json.loads(p.path.read_text()) for p in planned}
    except ConfigError as e:
        for line in e.errors:
            err.print(f"error: {line}", markup=False)
        return 2
    except PlanError as e:
        err.print(f"error: {e}", markup=False)
        return 1
    planned_moves, unplaced = moves(single, split, org.base)
    for step in commands(org.base, planned_moves):
        out.print(step, markup=False)
    for urn in unplaced:
        err.print(f"warning: no split stack declares {urn}: it would stay in {stack}", markup=False)
    return 1 if unplaced else 0
