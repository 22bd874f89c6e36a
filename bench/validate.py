"""Benchmark: validation time and peak memory for organizations of 10, 100 and 1000 accounts.

    python -m bench.validate [--accounts 10 100 1000]

Target: 1000 accounts validated in under 1 s on a 2-core machine. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

from bench.orgs import generate_stack
from landing_zone.config import namespaced, parse


def measure(accounts: int) -> tuple[float, float]:
    """Seconds of an untraced run, then peak memory of a traced one (tracing slows the run it measures)."""
    config = generate_stack(accounts)["config"]
    start = time.perf_counter()
    parse(namespaced(config))
    seconds = time.perf_counter() - start
    tracemalloc.start()
    parse(namespaced(config))
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, nargs="+", default=[10, 100, 1000])
    args = parser.parse_args()
    print(f"{'accounts':>8} {'seconds':>8} {'peak MiB':>9}")
    for n in args.accounts:
        parse(namespaced(generate_stack(min(n, 10))["config"]))  # warm up imports and pydantic schemas
        seconds, peak = measure(n)
        print(f"{n + 3:>8} {seconds:>8.3f} {peak:>9.1f}")


if __name__ == "__main__":
    main()
