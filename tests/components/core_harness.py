"""Plans the organization and the security baseline of __main__.py for a stack, once per stack and test session,
under the shared recording mocks. The account baselines and Identity Center are tested alone with small typed args
(test_baseline.py, test_identity.py: tests/component_plans.py); network and workloads are left out (the whole program
is planned by `lz plan`, and shared by the other tests through tests/stack_plans.py).

Why a partial program here: these tests count everything of a type in the plan (every bucket, key, role), which the
full plan mixes with network and workload resources; and the variants (`plan_config`) are config objects that need
not pass the stack-level cross-checks (e.g. a home region whose workload VPCs are not declared), so they cannot be
written as a stack file and planned by the real program."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from component_plans import plan_program
from stack_plans import of_type  # noqa: F401  (tests read it as h.of_type)

from components.organization import Organization, organization_args
from components.security import SecurityBaseline, SecurityBaselineArgs
from landing_zone import plan_index
from landing_zone.config import load_stack
from landing_zone.models import LandingZoneConfig
from landing_zone.plan_index import index_by_urn

REPO_ROOT = Path(__file__).resolve().parents[2]


def build(cfg: LandingZoneConfig) -> None:
    """The organization and security sections of __main__.py."""
    organization = Organization("organization", organization_args(cfg))
    SecurityBaseline("security", SecurityBaselineArgs.from_config(
        cfg, organization.accounts, organization.management, organization.root_id,
        org_ready=(organization.organization, *organization.delegated_admins)))


def plan_config(cfg: LandingZoneConfig, stack: str = "test") -> dict:
    return plan_program(lambda: build(cfg), stack=stack, region=cfg.organization.home_region).plan


@functools.cache
def stack_plan(stack: str) -> dict:
    return plan_config(load_stack(stack, REPO_ROOT), stack)


def config(stack: str) -> LandingZoneConfig:
    return load_stack(stack, REPO_ROOT)


def account_of(plan: Mapping[str, Any], resource: Mapping[str, Any]) -> str:
    return plan_index.account_of(index_by_urn(plan), resource)


def region_of(plan: Mapping[str, Any], resource: Mapping[str, Any]) -> str:
    provider = index_by_urn(plan).get(resource["provider"].rsplit("::", 1)[0], {})
    return provider.get("inputs", {}).get("region", "")
