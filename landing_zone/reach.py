"""`lz reach --stack S`: which segments can exchange traffic, computed from the plan, against the config's intent.

The computation is the policy pack's (policies/lz_policies/routing/): the pack is
self-contained, so this module puts policies/ on sys.path and imports it; X-17 and `lz reach` can never disagree.
Exit codes: 0 computed == intent; 1 any difference (or a reference the computation could not resolve); 2 invalid
config, unreadable plan, or a program that fails to plan.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from rich.console import Console
from rich.table import Table

from landing_zone.config import ConfigError
from landing_zone.segments import Intent

OK, DIFFERENT, INVALID = 0, 1, 2


def pack_module(root: Path, name: str) -> ModuleType:
    """lz_policies.<name> from the project's policies/ folder: the pack's own code (stdlib only), not a duplicate."""
    policies = str((Path(root) / "policies").resolve())
    if policies not in sys.path:
        sys.path.insert(0, policies)
    return importlib.import_module(f"lz_policies.{name}")


def routing_module(root: Path) -> ModuleType:
    """The pack's TGW routing algorithm (lz_policies.routing)."""
    return pack_module(root, "routing")


@dataclass
class ReachReport:
    segments: tuple[str, ...]
    intent: dict[tuple[str, str], bool]
    computed: Any  # lz_policies.routing.Reachability
    differences: list  # lz_policies.routing.Difference

    @property
    def ok(self) -> bool:
        return not self.differences and not self.computed.unresolved


def analyze(plan: Mapping[str, Any], intent: Mapping[str, list[str]], root: Path, segments: list[str] | None = None) -> ReachReport:
    """Compute the plan's reachability and compare it with `intent` (segment -> segments, symmetric)."""
    rch = routing_module(root)
    computed = rch.compute(plan["resources"])
    shown = list(dict.fromkeys([*(segments or []), *computed.segments]))
    present = [s for s in shown if s in computed.segments]
    return ReachReport(tuple(present), Intent(intent).matrix(present), computed, rch.compare(computed, intent))


def _cell(report: ReachReport, a: str, b: str) -> str:
    wanted = report.intent[(a, b)]
    sends, back = report.computed.can_send(a, b), report.computed.can_send(b, a)
    if a == b:
        return "[green]✓[/]" if sends else "[dim]·[/]"  # intra-segment: allowed, not required
    if sends and back:
        return "[green]✓[/]" if wanted else "[bold red]✗ leak[/]"
    if sends or back:
        return "[bold red]→ one-way[/]" if sends else "[bold red]← one-way[/]"
    return "[bold yellow]missing[/]" if wanted else "[dim]·[/]"


def render(report: ReachReport, console: Console, stack: str) -> None:
    table = Table(title=f"segment reachability of stack {stack} (rows reach columns)", show_lines=False)
    table.add_column("from \\ to", style="bold")
    for s in report.segments:
        table.add_column(s, justify="center")
    for a in report.segments:
        table.add_row(a, *[_cell(report, a, b) for b in report.segments])
    console.print(table)
    console.print("[dim]✓ exchanges traffic, as intended · neither intended nor possible[/]")
    for route in report.computed.dns_routes:  # DNS only: the on-premises resolvers <-> the resolver endpoints
        console.print(f"[cyan]dns path[/] {route.describe()}", soft_wrap=True, markup=True)
    for d in report.differences:
        console.print(f"[red]difference[/] ({d.kind}) {d.explanation}", soft_wrap=True)
    for note in report.computed.unresolved:
        console.print(f"[red]unresolved[/] {note}", soft_wrap=True)
    for note in report.computed.notes:
        console.print(f"[yellow]note[/] {note}", soft_wrap=True)
    if report.ok:
        console.print(f"[green]{stack}: reachability equals the intent[/]")
    else:
        console.print(f"[red]{stack}: {len(report.differences)} difference(s), "
                      f"{len(report.computed.unresolved)} unresolved reference(s)[/]")


def main(stack: str, root: Path, plan_file: Path | None = None, console: Console | None = None) -> int:
    """The `lz reach` command: 0 equal, 1 different, 2 invalid config / plan."""
    from landing_zone.plan import PlanError, input_errors, stack_and_plan
    from landing_zone.plan_file import PlanFileError

    out = console or Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True) if console is None else console
    try:
        cfg, plan = stack_and_plan(stack, Path(root), plan_file)
    except (ConfigError, PlanFileError, PlanError) as e:
        for line in input_errors(e):
            err.print(line, markup=False)
        return INVALID
    report = analyze(plan, cfg.network.reachability, root, list(cfg.network.segments))
    render(report, out, stack)
    return OK if report.ok else DIFFERENT
