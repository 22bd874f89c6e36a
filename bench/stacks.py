"""Benchmark: a generated organization of N workload accounts as a split graph of stacks (one per workload account),
planned and checked offline the way `lz check --stack <base>.organization --all` does, then one account changed.

    python -m bench.stacks --accounts 200 1000 [--jobs 2] [--workloads]

Prints, per organization size: the whole graph's plan and check (seconds, resources), the peak memory of the process
that planned the organization stack, the network stack and the largest account stack, and the time to re-plan and
re-check after one account's config changed (its stack alone is replanned; the other stacks' plans and checks are
reused, the merged plan is checked again). Targets on 2 cores: 200 accounts under 60 s end to end; one changed
account under 10 s whatever the size; per-process memory flat in the number of accounts. Prints numbers; asserts
nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from bench.orgs import generate_stack, write_stack
from landing_zone import stack_files
from landing_zone.graph_plan import link_program, plan_graph
from landing_zone.policy_config import load_policy_config
from landing_zone.stack_graph import check_graph, organization_of

ROOT = Path(__file__).resolve().parents[1]


def write_split(doc: dict, root: Path, base: str) -> None:
    """The program linked into `root`, the organization `doc` describes in an ESC environment and `Pulumi.<base>.yaml`
    (bench/orgs.py), and its split stack files as `lz stacks --write` writes them."""
    link_program(ROOT, root)
    write_stack(doc, root, base)
    stack_files.write(stack_files.expected_files(stack_files.split_stacks_of(base, root), root))


def change_one_account(doc: dict, name: str) -> None:
    """A change inside one account's slice of the config: a queue more in its workloads."""
    account = next(a for a in doc["config"]["landing-zone:accounts"] if a["name"] == name)
    workloads = account.setdefault("workloads", {})
    workloads["queues"] = [*workloads.get("queues", []), {"name": "changed"}]


def run(accounts: int, jobs: int, workloads: bool) -> None:
    base = f"org{accounts}"
    doc = generate_stack(accounts, with_workloads=workloads)
    reviewed = load_policy_config(ROOT / "policy-config.json")
    with tempfile.TemporaryDirectory(prefix="lz-bench-stacks-") as tmp:
        root, out = Path(tmp), Path(tmp) / "out"
        write_split(doc, root, base)
        org = organization_of(f"{base}.organization", root)

        start = time.perf_counter()
        planned = plan_graph(org.nodes, base, root, out, jobs=jobs)
        plan_s = time.perf_counter() - start
        plans = {p.stack: json.loads(p.path.read_text()) for p in planned}
        start = time.perf_counter()
        _, whole = check_graph(org, root, plans, reviewed, cache_dir=out, jobs=jobs)
        check_s = time.perf_counter() - start

        by_part = {"organization": planned[0], "network": planned[1]}
        largest = max(planned[2:], key=lambda p: p.resources)
        resources = sum(p.resources for p in planned)
        print(f"{accounts} accounts, {len(planned)} stacks, {resources} resources: plan {plan_s:.1f}s, "
              f"check {check_s:.1f}s (every stack, then the merged plan: {whole.resources_checked} resources, "
              f"{len(whole.mandatory)} mandatory), end to end {plan_s + check_s:.1f}s on {jobs} processes")
        for part, p in [*by_part.items(), (f"largest account ({largest.stack})", largest)]:
            print(f"  {part}: {p.resources} resources, {p.seconds:.1f}s, peak {p.peak_rss_mb:.0f} MB")

        changed = next(n.account for n in org.nodes if n.account)
        change_one_account(doc, changed)
        write_split(doc, root, base)
        start = time.perf_counter()
        replanned = plan_graph(org.nodes, base, root, out, jobs=jobs, replan={f"{base}.{changed}"})
        replan_s = time.perf_counter() - start
        plans = {p.stack: json.loads(p.path.read_text()) for p in replanned}
        start = time.perf_counter()
        check_graph(org, root, plans, reviewed, cache_dir=out, jobs=jobs)
        recheck_s = time.perf_counter() - start
        print(f"  one account changed ({changed}): re-plan {replan_s:.1f}s (1 stack), re-check {recheck_s:.1f}s "
              f"(its stack, then the merged plan), total {replan_s + recheck_s:.1f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--jobs", type=int, default=0, help="processes per layer (default: every core)")
    parser.add_argument("--workloads", action="store_true", help="give every account ECS, a queue and monitoring")
    args = parser.parse_args()
    for n in args.accounts:
        run(n, args.jobs or os.cpu_count() or 1, args.workloads)


if __name__ == "__main__":
    main()
