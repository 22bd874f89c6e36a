"""`lz permissions`: the deploy-permission proof as a table (who each stack runs as, each role it assumes, each call
it makes, the verdict and the policy that decides). The proof is the pack's (policies/lz_policies/deploy_proof.py,
rules DEP-06..DEP-08), imported through the same bridge as `lz reach`, so the command and `lz check` never disagree.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from landing_zone.config import ConfigError
from landing_zone.reach import pack_module

OK, DENIED, INVALID = 0, 1, 2


def proof_rows(plan: dict, root: Path) -> list[Any]:
    graph = pack_module(root, "graph")
    proof = pack_module(root, "deploy_proof").Proof(graph.Graph(plan["resources"]))
    rows = list(proof.rows())
    if proof.missing:
        raise ConfigError([f"no deploy identity for stack {s} in policies/lz_policies/facts.json: run "
                           f"`python -m landing_zone.pack_facts`" for s in sorted(proof.missing)])
    return rows


def render(rows: list[Any], console: Console, every: bool) -> None:
    """Every role assumption and every denied call (all rows with `every`), then the counts per stack and check."""
    shown = [r for r in rows if every or r.check == "assume" or not r.decision.allowed]
    table = Table("stack", "principal", "provider / role", "action", "target", "verdict", "decided by")
    for r in shown:
        verdict = "[green]allow[/]" if r.decision.allowed else "[red]deny[/]"
        decided = r.decision.by + (f" ({r.decision.reason})" if r.decision.reason else "")
        table.add_row(r.stack, r.principal, r.via, r.action, r.target, verdict, decided)
    if shown:
        console.print(table)
    counts = Counter((r.stack, r.check, r.verdict) for r in rows)
    summary = Table("stack", "check", "allow", "deny")
    for stack, check in sorted({(s, c) for s, c, _ in counts}):
        summary.add_row(stack, check, str(counts[(stack, check, "allow")]), str(counts[(stack, check, "deny")]))
    console.print(summary)


def main(stack: str, root: Path, plan_file: Path | None, whole: bool, every: bool,
         console: Console | None = None) -> int:
    """0 every call permitted, 1 any denied, 2 invalid config or plan."""
    from landing_zone.plan import PlanError, input_errors, run_plan, stack_and_plan
    from landing_zone.plan_file import PlanFileError, read_plan

    # wide in a CI log (not a terminal): a row names two ARNs and a policy
    out = console or Console(highlight=False, width=None if sys.stdout.isatty() else 260)
    err = Console(stderr=True, highlight=False, soft_wrap=True) if console is None else console
    try:
        if whole:
            _, plan = stack_and_plan(stack, root, plan_file)
        else:
            from landing_zone.config import load_stack

            load_stack(stack, root)
            plan = read_plan(plan_file, stack) if plan_file else run_plan(stack, root)
        rows = proof_rows(plan, root)
    except (ConfigError, PlanFileError, PlanError) as e:
        for line in input_errors(e):
            err.print(line, markup=False)
        return INVALID
    if not whole:
        rows = [r for r in rows if r.stack == stack]
    render(rows, out, every)
    denied = sum(not r.decision.allowed for r in rows)
    out.print(f"{stack}: {len(rows)} calls checked, {denied} denied")
    return DENIED if denied else OK
