"""Opt-in regions: every account x configured opt-in region is enabled from the management account, and every
provider of that account and region waits for it (a disabled region refuses the provider's role assumption)."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path

import pytest
from component_plans import plan_program

from components.organization import Organization, organization_args
from components.regions import opt_in
from landing_zone.config import namespaced, parse
from landing_zone.config import stack_config as config_of
from landing_zone.models import LandingZoneConfig
from landing_zone.regions import OPT_IN_REGIONS

REPO_ROOT = Path(__file__).resolve().parents[2]
REGION_ENABLED = "aws:account/region:Region"
PROVIDER = "pulumi:providers:aws"


def stack_config(stack: str, dr_region: str | None = None) -> LandingZoneConfig:
    """The stack's config; with dr_region, every DR-region VPC moves to that region."""
    doc = config_of(stack, REPO_ROOT)
    if dr_region:
        doc = copy.deepcopy(doc)
        org = doc["landing-zone:organization"]
        old, org["dr_region"] = org["dr_region"], dr_region
        org["allowed_regions"] = [org["home_region"], dr_region]
        for account in doc["landing-zone:accounts"]:
            if old in account.get("vpcs", {}):
                account["vpcs"][dr_region] = account["vpcs"].pop(old)
        lists = doc["landing-zone:network"].get("resolver", {}).get("firewall_managed_lists", {})
        if old in lists:
            lists[dr_region] = lists.pop(old)
    return parse(namespaced(doc))


@functools.cache
def organization_plan(stack: str, dr_region: str | None = None) -> tuple[LandingZoneConfig, dict]:
    cfg = stack_config(stack, dr_region)
    plan = plan_program(lambda: Organization("organization", organization_args(cfg)), stack=stack,
                        region=cfg.organization.home_region).plan
    return cfg, plan


def _of_type(plan: dict, type_: str) -> list[dict]:
    return [r for r in plan["resources"] if r["type"] == type_]


CASES = [("prod", None), ("dev", None), ("prod", "eu-south-2")]  # any opt-in region a user configures


@pytest.mark.parametrize(("stack", "dr_region"), CASES, ids=["prod", "dev", "prod-with-eu-south-2"])
def test_every_provider_in_an_opt_in_region_waits_for_its_enablement(stack, dr_region):
    cfg, plan = organization_plan(stack, dr_region)
    management_id = cfg.organization.management_account_id
    enablements = _of_type(plan, REGION_ENABLED)
    providers = _of_type(plan, PROVIDER)
    waiting = [p for p in providers if p["inputs"]["region"] in OPT_IN_REGIONS]
    assert waiting and len(enablements) == len(waiting) == (len(cfg.accounts) + 1) * len(opt_in(cfg.regions))
    for provider in waiting:
        region = provider["inputs"]["region"]
        (account_id,) = json.loads(provider["inputs"]["allowedAccountIds"])
        # the management account enables its own regions without naming itself (EnableRegion refuses its own id)
        expected_id = None if account_id == management_id else account_id
        (enablement,) = [e for e in enablements
                         if e["inputs"]["regionName"] == region and e["inputs"].get("accountId") == expected_id]
        assert enablement["urn"] in provider["dependencies"], provider["name"]
        assert enablement["inputs"]["enabled"] is True and enablement["protect"] is True
        # AWS: "can take several hours"; pulumi-aws waits 60 minutes unless told (DEP-01 checks the class)
        assert enablement["options"]["customTimeouts"] == {"create": "5h", "update": "5h"}, enablement["name"]
    for provider in providers:
        if provider["inputs"]["region"] not in OPT_IN_REGIONS:
            assert not any(d in {e["urn"] for e in enablements} for d in provider["dependencies"]), provider["name"]


@pytest.mark.parametrize(("stack", "dr_region"), CASES, ids=["prod", "dev", "prod-with-eu-south-2"])
def test_enablements_run_in_the_management_account_after_trusted_access(stack, dr_region):
    cfg, plan = organization_plan(stack, dr_region)
    (organization,) = _of_type(plan, "aws:organizations/organization:Organization")
    assert "account.amazonaws.com" in organization["inputs"]["awsServiceAccessPrincipals"]
    home_provider = next(p for p in _of_type(plan, PROVIDER) if p["name"] == f"management-{cfg.organization.home_region}")
    for enablement in _of_type(plan, REGION_ENABLED):
        assert enablement["provider"].startswith(home_provider["urn"]), enablement["name"]
        if "accountId" in enablement["inputs"]:  # a member: EnableRegion with AccountId needs trusted access
            assert organization["urn"] in enablement["dependencies"], enablement["name"]


def test_no_enablement_without_an_opt_in_region():
    cfg, plan = organization_plan("prod", "ap-southeast-1")
    assert opt_in(cfg.regions) == [] and _of_type(plan, REGION_ENABLED) == []
