"""Plan each sample stack once per test session (planning the whole program takes a while)."""

from __future__ import annotations

import functools
from pathlib import Path

from landing_zone.plan import run_plan

ROOT = Path(__file__).resolve().parents[2]
STACKS = ("dev", "prod")


@functools.cache
def plan_of(stack: str) -> dict:
    return run_plan(stack, ROOT)
