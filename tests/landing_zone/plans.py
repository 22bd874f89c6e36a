"""The sample stacks' full plans for tests/landing_zone: the session's one plan cache (tests/stack_plans.py)."""

from __future__ import annotations

from stack_plans import ROOT, STACKS
from stack_plans import full_plan as plan_of

__all__ = ["ROOT", "STACKS", "plan_of"]
