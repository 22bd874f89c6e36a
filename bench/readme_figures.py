"""Every figure README.md and docs/ quote, computed from the tools and written between markers, never typed.

    python -m bench.readme_figures [--plan out/prod/plan.json]   # rewrite every marked region (or: make figures)
    python -m bench.readme_figures --check                       # exit 1 naming each stale region

A region is `<!-- figures:NAME -->...<!-- /figures:NAME -->`, inside a sentence or around whole lines; NAME is a
key of FIGURES and may appear in several places. The figures are those of the prod stack as the tools see it: its
plan (`lz plan`), its cost (`lz cost`), its check (`lz check`) and its topology (`lz diagram`).
tests/landing_zone/test_readme_figures.py fails when a committed region differs from what this computes.
Measured timings (docs/benchmarks.md) are not figures of this kind: they are measurements, dated where they stand.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from landing_zone import cost
from landing_zone.check import CheckError, run_check
from landing_zone.check_result import CheckResult
from landing_zone.config import ConfigError, LandingZoneConfig, load_stack
from landing_zone.cost.report import money, price_status_totals, share
from landing_zone.diagram import to_mermaid, topology
from landing_zone.policy_config import load_policy_config
from landing_zone.reports import render_text
from landing_zone.summary import counts

STACK = "prod"
ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = ("README.md", "docs/*.md", "examples/*/README.md")
REGION = re.compile(r"<!-- figures:(?P<name>[\w-]+) -->(?P<body>.*?)<!-- /figures:(?P=name) -->", re.S)
TOP_KINDS = 8


@dataclass(frozen=True)
class Sources:
    """What the tools say about the stack: its config, plan, cost estimate and check result."""

    config: LandingZoneConfig
    plan: Mapping[str, Any]
    estimate: cost.Estimate
    check: CheckResult


def sources(plan: Mapping[str, Any] | None = None, root: Path = ROOT) -> Sources:
    """Plan the stack (or take `plan`), then cost and check it as `lz cost` and `lz check` do by default."""
    from landing_zone.plan import run_plan

    cfg = load_stack(STACK, root)
    plan = plan if plan is not None else run_plan(STACK, root)
    org = cfg.organization
    estimate = cost.estimate(plan, cost.load_table(cost.DEFAULT_TABLE), cfg.cost, home_region=org.home_region,
                             dr_region=org.dr_region)
    policy_config = root / "policy-config.json"
    result = run_check(plan, root / "policies", load_policy_config(policy_config) if policy_config.exists() else None,
                       STACK, root)
    return Sources(cfg, plan, estimate, result)


# --- the figures -------------------------------------------------------------------------------------------------


def _resources(s: Sources) -> str:
    return f"{counts(s.plan)['total']:,}"


def _accounts(s: Sources) -> str:
    return str(len(counts(s.plan)["by_account"]))


def _policies(s: Sources) -> str:
    return str(len(s.check.policies))


def _verdict(s: Sources) -> str:
    """The last line `lz check` prints, as a text block."""
    return f"```\n{render_text(s.check).rstrip().splitlines()[-1]}\n```\n"


def _cost_total(s: Sources) -> str:
    return money(s.estimate.total)


def _cost(s: Sources) -> str:
    est = s.estimate
    statuses = price_status_totals(est)
    unverified = share(statuses.get("unverified", 0.0), sum(statuses.values()))
    rows = [f"| **total** | **{money(est.total)}** ({money(est.fixed_total())} fixed + "
            f"{money(est.total - est.fixed_total())} estimated usage) |"]
    for kind, usd in list(est.total_by(lambda line: line.kind).items())[:TOP_KINDS]:
        n = len({line.urn for line in est.lines if line.kind == kind})
        rows.append(f"| `{kind}` ({n}) | {money(usd)} |")
    for label, usd in _optional(est).items():
        rows.append(f"| {label} | {money(usd)} |")
    intro = (f"**Estimate of {est.stack}, planned offline** (`lz cost --stack {est.stack}`; list prices of "
             f"{est.price_date}, USD per month, on-demand, no free tier, discounts or data transfer out; {unverified} "
             "of the total rests on prices marked `unverified` in the table: run `--refresh` before using the numbers "
             "for a budget decision). The largest kinds (number of resources) and what the optional features add:")
    return textwrap.fill(intro, 118, break_on_hyphens=False, break_long_words=False) + "\n\n| | monthly |\n|---|---|\n" + "\n".join(rows) + "\n"


def _optional(est: cost.Estimate) -> dict[str, float]:
    """`lz cost`'s optional features, those of one kind summed (NAT per AZ of three VPCs is one row)."""
    grouped: dict[str, list[cost.estimate.Feature]] = {}
    for feature in cost.features(est):
        grouped.setdefault(feature.name.split(":")[0], []).append(feature)
    return {f"optional: {name} ({found[0].note if len(found) == 1 else f'{len(found)} VPCs'})":
            round(sum(f.usd for f in found), 2) for name, found in grouped.items()}


def _topology(s: Sources) -> str:
    return f"```mermaid\n{to_mermaid(topology(s.config, s.plan)).rstrip()}\n```\n"


FIGURES: dict[str, Callable[[Sources], str]] = {
    "prod-resources": _resources, "prod-accounts": _accounts, "policies": _policies, "prod-check": _verdict,
    "cost-total": _cost_total, "cost": _cost, "topology": _topology,
}


# --- the marked regions ------------------------------------------------------------------------------------------


class FiguresError(Exception):
    pass


def documents(root: Path = ROOT) -> list[Path]:
    """The documents that may hold figures."""
    return sorted({p for pattern in DOCUMENTS for p in root.glob(pattern)})


def render(text: str, figures: Mapping[str, str], where: str = "") -> str:
    """`text` with every region's body replaced by its figure; an unknown region name is an error."""
    def fill(m: re.Match) -> str:
        name = m["name"]
        if name not in figures:
            raise FiguresError(f"{where}: unknown figure {name!r} (known: {', '.join(sorted(figures))})")
        value = figures[name]
        body = f"\n{value.rstrip()}\n" if "\n" in value else value
        return f"<!-- figures:{name} -->{body}<!-- /figures:{name} -->"

    return REGION.sub(fill, text)


def regions(text: str) -> list[str]:
    return [m["name"] for m in REGION.finditer(text)]


def stale(root: Path, figures: Mapping[str, str]) -> dict[Path, list[str]]:
    """Per document, the names of its regions that differ from the figures (each name once)."""
    found = {}
    for path in documents(root):
        text = path.read_text()
        fresh = render(text, figures, str(path.relative_to(root)))
        pairs = zip(REGION.finditer(text), REGION.finditer(fresh), strict=True)
        names = list(dict.fromkeys(old["name"] for old, new in pairs if old[0] != new[0]))
        if names:
            found[path] = names
    return found


def compute(s: Sources) -> dict[str, str]:
    return {name: figure(s) for name, figure in FIGURES.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.readme_figures", description=__doc__.splitlines()[0])
    parser.add_argument("--plan", type=Path, help="the prod plan JSON (default: plan it now)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a region is stale; write nothing")
    args = parser.parse_args(argv)
    from landing_zone.plan import PlanError
    from landing_zone.plan_file import PlanFileError, read_plan

    try:
        figures = compute(sources(read_plan(args.plan, STACK) if args.plan else None))
        if args.check:
            out_of_date = stale(ROOT, figures)
            for path, names in out_of_date.items():
                print(f"{path.relative_to(ROOT)}: stale figures {', '.join(names)}: run python -m bench.readme_figures")
            return 1 if out_of_date else 0
        # every document rendered before any is written: an unknown region leaves them all as they were
        texts = {path: path.read_text() for path in documents(ROOT)}
        fresh = {path: render(text, figures, str(path.relative_to(ROOT))) for path, text in texts.items()}
    except (ConfigError, PlanFileError) as e:
        return _fail(*e.errors)
    except (FiguresError, CheckError) as e:
        return _fail(str(e))
    except PlanError as e:  # the program failed under the mocks, as `lz plan` exits 1
        _fail(str(e))
        return 1
    for path, text in fresh.items():
        if text != texts[path]:
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


def _fail(*lines: str) -> int:
    for line in lines:
        print(f"error: {line}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
