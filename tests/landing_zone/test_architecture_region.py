"""docs/architecture.md, "How to add a region", walked through: the region tables agree with each other and with the
pack's generated facts, and a stack moved to another opt-in region validates, plans (every member account enables
the region before its providers use it) and passes the pack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from stack_plans import ROOT, plan_stack_file

from landing_zone import check
from landing_zone.check_result import exit_code
from landing_zone.config import stack_config
from landing_zone.log_delivery import ELB_ACCOUNT_IDS
from landing_zone.policy_config import load_policy_config
from landing_zone.regions import AWS_REGIONS, OPT_IN_REGIONS

OLD, NEW = "ap-south-2", "eu-south-2"  # dev's DR region, and another opt-in region to move it to
REGION_SETTING = "aws:account/region:Region"


def test_step_1_and_2_every_region_table_names_known_regions():
    assert OPT_IN_REGIONS <= AWS_REGIONS
    assert set(ELB_ACCOUNT_IDS) <= AWS_REGIONS
    assert not set(ELB_ACCOUNT_IDS) & {NEW}, "a region launched after August 2022 writes ELB logs as a service"


def test_step_3_the_pack_carries_the_generated_opt_in_regions():
    facts = json.loads((ROOT / "policies" / "lz_policies" / "facts.json").read_text())
    assert set(facts["optInRegions"]) == OPT_IN_REGIONS


@pytest.fixture(scope="module")
def moved(tmp_path_factory) -> tuple[Path, dict]:
    """Step 4: the dev stack with its DR region moved from ap-south-2 to eu-south-2 (both opt-in)."""
    assert OLD in OPT_IN_REGIONS and NEW in OPT_IN_REGIONS
    folder = tmp_path_factory.mktemp("region")
    text = yaml.safe_dump({"config": stack_config("dev", ROOT)}, sort_keys=False)
    assert OLD in text
    (folder / "Pulumi.dev.yaml").write_text(text.replace(OLD, NEW))
    return folder, plan_stack_file("dev", folder)


def test_step_4_the_moved_stack_enables_the_new_region_in_every_member_account(moved):
    _, plan = moved
    enabled = [r for r in plan["resources"] if r["type"] == REGION_SETTING and r["inputs"].get("regionName") == NEW]
    assert enabled, "no account enables the new opt-in region"
    assert not [r for r in plan["resources"] if OLD in json.dumps(r["inputs"])], "the old region is still used"
    providers = [r for r in plan["resources"] if r["type"] == "pulumi:providers:aws" and r["inputs"].get("region") == NEW]
    assert providers and all(r["dependencies"] for r in providers), "a provider of the new region waits for nothing"


def test_step_4_the_moved_stack_passes_the_pack(moved):
    folder, plan = moved
    result = check.run_check(plan, ROOT / "policies", load_policy_config(ROOT / "policy-config.json"), "dev",
                             root=folder)
    assert exit_code(result) == 0, [v.message for v in result.mandatory]
