"""Account baseline: every account (management included) in every region, global settings once per account."""

import json
from collections import Counter

import pytest
from core_harness import account_of, config, of_type, plan_config, region_of, stack_plan

STACKS = ["dev", "prod"]


def every(cfg):
    return ["management", *(a.name for a in cfg.accounts)]


@pytest.mark.parametrize("stack", STACKS)
def test_regional_baseline_in_every_account_and_region(stack):
    cfg, plan = config(stack), stack_plan(stack)
    expected = Counter((a, r) for a in every(cfg) for r in cfg.regions)
    for t in ("aws:ebs/encryptionByDefault:EncryptionByDefault", "aws:ebs/defaultKmsKey:DefaultKmsKey",
              "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults"):
        assert Counter((account_of(plan, r), region_of(plan, r)) for r in of_type(plan, t)) == expected, t
    assert all(r["inputs"]["enabled"] is True for r in of_type(plan, "aws:ebs/encryptionByDefault:EncryptionByDefault"))
    for imds in of_type(plan, "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults"):
        assert imds["inputs"]["httpTokens"] == "required" and imds["inputs"]["httpPutResponseHopLimit"] == 1
    analyzers = [a for a in of_type(plan, "aws:accessanalyzer/analyzer:Analyzer") if a["inputs"]["type"] == "ACCOUNT"]
    assert Counter((account_of(plan, a), region_of(plan, a)) for a in analyzers) == expected


@pytest.mark.parametrize("stack", STACKS)
def test_ebs_default_key_is_a_rotating_cmk_of_the_same_account_and_region(stack):
    plan = stack_plan(stack)
    keys = {r["urn"]: r for r in of_type(plan, "aws:kms/key:Key") if r["name"].endswith("-ebs-key")}
    by_arn = {k["outputs"]["arn"]: k for k in keys.values()}
    for default in of_type(plan, "aws:ebs/defaultKmsKey:DefaultKmsKey"):
        key = by_arn[default["inputs"]["keyArn"]]
        assert key["inputs"]["enableKeyRotation"] is True
        assert key["protect"] is True  # every encrypted volume of the account depends on it
        assert (account_of(plan, key), region_of(plan, key)) == (account_of(plan, default), region_of(plan, default))
        use = next(s for s in json.loads(key["inputs"]["policy"])["Statement"] if s["Sid"] == "UseThroughEc2")
        assert use["Condition"]["StringEquals"]["kms:ViaService"] == f"ec2.{region_of(plan, key)}.amazonaws.com"


@pytest.mark.parametrize("stack", STACKS)
def test_account_wide_settings_once_per_account(stack):
    cfg, plan = config(stack), stack_plan(stack)
    for t in ("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "aws:iam/accountPasswordPolicy:AccountPasswordPolicy",
              "aws:account/alternativeContact:AlternativeContact"):
        assert sorted(account_of(plan, r) for r in of_type(plan, t)) == sorted(every(cfg)), t
    for pab in of_type(plan, "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"):
        assert all(pab["inputs"][k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
    for policy in of_type(plan, "aws:iam/accountPasswordPolicy:AccountPasswordPolicy"):
        assert policy["inputs"]["minimumPasswordLength"] >= 14 and policy["inputs"]["passwordReusePrevention"] == 24
    for contact in of_type(plan, "aws:account/alternativeContact:AlternativeContact"):
        assert contact["inputs"]["alternateContactType"] == "SECURITY"
        assert contact["inputs"]["emailAddress"] == cfg.security.security_contact.email


@pytest.mark.parametrize("stack", STACKS)
def test_every_account_has_a_support_role(stack):
    cfg, plan = config(stack), stack_plan(stack)
    support = [r for r in of_type(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
               if r["inputs"]["policyArn"].endswith(":policy/AWSSupportAccess")]
    assert sorted(account_of(plan, r) for r in support) == sorted(every(cfg))


@pytest.mark.parametrize("stack", STACKS)
def test_a_preview_role_in_every_member_account_none_in_management(stack):
    """(Its trust and policy: tests/pipeline/test_preview_role.py.)"""
    cfg, plan = config(stack), stack_plan(stack)
    previews = [r for r in of_type(plan, "aws:iam/role:Role") if r["inputs"].get("name") == "landing-zone-preview"]
    assert sorted(account_of(plan, r) for r in previews) == sorted(a.name for a in cfg.accounts)


def test_preview_role_name_null_creates_none():
    cfg = config("dev")
    cfg = cfg.model_copy(update={"organization": cfg.organization.model_copy(update={"preview_role_name": None})})
    roles = [r["inputs"].get("name") for r in of_type(plan_config(cfg), "aws:iam/role:Role")]
    assert "landing-zone-preview" not in roles and "landing-zone-support" in roles
