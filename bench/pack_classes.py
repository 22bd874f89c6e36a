"""Benchmark: the pack's analysis of a plan in-process (no gRPC transport), and the held-out corpus's catch rate.

    python -m bench.pack_classes [--plan out/prod/plan.json] [--stack prod] [--repeat 3] [--corpus]

Times every Analyze request and the AnalyzeStack request the way `lz check` sends them, through the servicer the
pack serves with (CPU seconds of this process, so a loaded machine skews it less than wall time). With --corpus, also
appends tests/fixtures/pack/corpus.json to the plan and prints which held-out resources the pack catches. Prints
numbers; asserts nothing (tests/policies/test_pack_corpus.py asserts the catch rate).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2

from landing_zone.check import analyze_request, index_by_urn, pack_environment, stack_resource

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "policies"))


@dataclass(frozen=True)
class Finding:
    urn: str
    policy: str
    enforcement: str


LEVELS = {analyzer_pb2.ADVISORY: "advisory", analyzer_pb2.MANDATORY: "mandatory"}


def analyze_plan(plan: dict, stack: str) -> tuple[list, float, float]:
    """(diagnostics, cpu seconds, wall seconds) of one full analysis of `plan` by a fresh in-process servicer."""
    env = pack_environment(plan, stack, ROOT)
    os.environ["PULUMI_CONFIG"] = json.dumps(dict(env.config))
    from lz_policies import analyzer_servicer

    service = analyzer_servicer()
    service.GetAnalyzerInfo(empty_pb2.Empty(), None)
    index = index_by_urn(plan)
    providers: dict = {}
    cpu, wall = time.process_time(), time.perf_counter()
    diagnostics = []
    for resource in plan["resources"]:
        response = service.Analyze(analyze_request(index, resource, providers), None)
        diagnostics += [Finding(d.urn or resource["urn"], d.policyName, LEVELS.get(d.enforcementLevel, ""))
                        for d in response.diagnostics]
    request = analyzer_pb2.AnalyzeStackRequest(resources=[stack_resource(index, r, providers) for r in plan["resources"]])
    diagnostics += [Finding(d.urn, d.policyName, LEVELS.get(d.enforcementLevel, ""))
                    for d in service.AnalyzeStack(request, None).diagnostics]
    return diagnostics, time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plan", default="out/prod/plan.json")
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpus", action="store_true")
    args = parser.parse_args()
    plan = json.loads(Path(args.plan).read_text())
    runs = [analyze_plan(plan, args.stack) for _ in range(args.repeat)]
    cpu = min(r[1] for r in runs)
    wall = min(r[2] for r in runs)
    print(f"{len(plan['resources'])} resources: {cpu:.2f} s CPU, {wall:.2f} s wall (best of {args.repeat}), "
          f"{len(runs[0][0])} diagnostics")
    if args.corpus:
        sys.path.insert(0, str(ROOT / "tests" / "policies"))
        from corpus import catch_report

        caught, missed = catch_report(plan, lambda p: analyze_plan(p, args.stack)[0])
        for name, policies in caught:
            print(f"caught  {name}: {', '.join(policies)}")
        for name in missed:
            print(f"MISSED  {name}")
        print(f"catch rate {len(caught)}/{len(caught) + len(missed)}")


if __name__ == "__main__":
    main()
