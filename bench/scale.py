"""Benchmark: validate, plan and check an organization of N workload accounts, each phase timed separately.

    python -m bench.scale --accounts 200 [--workloads] [--pack policies] [--preview]

Prints resources, seconds, resources/s and peak memory per phase (targets, 2 cores: prod planned and checked in
under 10 s; 200 accounts in under 60 s; time linear in resources). Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from bench.orgs import generate_stack, write_stack
from landing_zone import check, plan
from landing_zone.config import load_stack
from landing_zone.graph_plan import link_program
from landing_zone.policy_config import load_policy_config

ROOT = Path(__file__).resolve().parents[1]


def _peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def staged_root(accounts: int, workloads: bool) -> tuple[tempfile.TemporaryDirectory, str]:
    """A temporary project root linking the real program, with a generated Pulumi.<stack>.yaml."""
    tmp = tempfile.TemporaryDirectory(prefix="lz-bench-")
    root = Path(tmp.name)
    link_program(ROOT, root)
    stack = f"bench{accounts}"
    write_stack(generate_stack(accounts, with_workloads=workloads), root, stack)
    return tmp, stack


def run(accounts: int, workloads: bool, pack_dir: Path, preview: bool) -> list[tuple[str, int, float, float]]:
    tmp, stack = staged_root(accounts, workloads)
    root = Path(tmp.name)
    rows = []
    with tmp:
        start = time.perf_counter()
        cfg = load_stack(stack, root)
        rows.append(("validate", len(cfg.accounts), time.perf_counter() - start, _peak_mb()))

        start = time.perf_counter()
        config, secret_keys = plan.read_stack_config(stack, root)
        planned = plan.build_plan(plan.run_program(root / "__main__.py", stack, config, secret_keys, preview=preview))
        rows.append(("plan", len(planned["resources"]), time.perf_counter() - start, _peak_mb()))

        start = time.perf_counter()
        reviewed = load_policy_config(ROOT / "policy-config.json")  # the exceptions `lz check` applies
        result = check.run_check(planned, pack_dir, reviewed, stack, root=root)
        elapsed = time.perf_counter() - start
        rows.append(("check", result.resources_checked, elapsed, max(_peak_mb(), _peak_mb(resource.RUSAGE_CHILDREN))))
        print(f"check verdict: {len(result.mandatory)} mandatory, {len(result.advisory)} advisory "
              f"({len(result.policies)} policies)")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, nargs="+", default=[10, 50, 200])
    parser.add_argument("--workloads", action="store_true", help="give every generated account ECS, a queue, monitoring")
    parser.add_argument("--pack", type=Path, default=ROOT / "policies")
    parser.add_argument("--preview", action="store_true")
    args = parser.parse_args()
    print(f"{'accounts':>8} {'phase':>8} {'items':>8} {'seconds':>8} {'items/s':>9} {'peak MB':>8}")
    for n in args.accounts:
        for phase, items, seconds, peak in run(n, args.workloads, args.pack, args.preview):
            print(f"{n:>8} {phase:>8} {items:>8} {seconds:>8.2f} {items / seconds if seconds else 0:>9.0f} {peak:>8.0f}")


if __name__ == "__main__":
    main()
