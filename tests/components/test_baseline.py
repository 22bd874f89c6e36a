"""Account baseline, built alone for a management and a member account with small typed args: the regional baseline
in every region of the account, account-wide settings once, a preview role in member accounts only."""

from __future__ import annotations

import functools
import json
from collections import Counter

from component_plans import DR, HOME, ORGANIZATION, account, management, plan_program

from components.baseline import AccountBaseline, AccountBaselineArgs
from landing_zone.models import Contact

CONTACT = Contact(name="Security team", email="security@example.com", phone="+91-0000000000")
ACCOUNTS = ["management", "dev-apps"]
REGIONS = [HOME, DR]


def baselines(organization=ORGANIZATION, access_analyzer: bool = True) -> None:
    for handle in (management(regions=(HOME, DR), organization=organization),
                   account("dev-apps", organization=organization)):
        AccountBaseline(f"{handle.name}-baseline", AccountBaselineArgs(
            account=handle, region=HOME, security_contact=CONTACT, access_analyzer=access_analyzer,
            organization=organization))


@functools.cache
def plan():
    return plan_program(baselines)


def test_regional_baseline_in_every_account_and_region():
    rec = plan()
    expected = Counter((a, r) for a in ACCOUNTS for r in REGIONS)
    for t in ("aws:ebs/encryptionByDefault:EncryptionByDefault", "aws:ebs/defaultKmsKey:DefaultKmsKey",
              "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults", "aws:accessanalyzer/analyzer:Analyzer"):
        assert Counter((rec.account_of(r), rec.region_of(r)) for r in rec.of_type(t)) == expected, t
    assert all(r["inputs"]["enabled"] is True for r in rec.of_type("aws:ebs/encryptionByDefault:EncryptionByDefault"))
    for imds in rec.of_type("aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults"):
        assert imds["inputs"]["httpTokens"] == "required" and imds["inputs"]["httpPutResponseHopLimit"] == 1
    assert {a["inputs"]["type"] for a in rec.of_type("aws:accessanalyzer/analyzer:Analyzer")} == {"ACCOUNT"}


def test_ebs_default_key_is_a_rotating_protected_cmk_of_the_same_account_and_region():
    rec = plan()
    by_arn = {k["outputs"]["arn"]: k for k in rec.of_type("aws:kms/key:Key") if k["name"].endswith("-ebs-key")}
    defaults = rec.of_type("aws:ebs/defaultKmsKey:DefaultKmsKey")
    assert len(defaults) == len(ACCOUNTS) * len(REGIONS)
    for default in defaults:
        key = by_arn[default["inputs"]["keyArn"]]
        assert key["inputs"]["enableKeyRotation"] is True
        assert key["protect"] is True  # every encrypted volume of the account depends on it
        assert (rec.account_of(key), rec.region_of(key)) == (rec.account_of(default), rec.region_of(default))
        use = next(s for s in json.loads(key["inputs"]["policy"])["Statement"] if s["Sid"] == "UseThroughEc2")
        assert use["Condition"]["StringEquals"]["kms:ViaService"] == f"ec2.{rec.region_of(key)}.amazonaws.com"


def test_account_wide_settings_once_per_account_in_the_home_region():
    rec = plan()
    for t in ("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
              "aws:iam/accountPasswordPolicy:AccountPasswordPolicy", "aws:account/alternativeContact:AlternativeContact"):
        assert sorted((rec.account_of(r), rec.region_of(r)) for r in rec.of_type(t)) == [(a, HOME) for a in
                                                                                          sorted(ACCOUNTS)], t
    for pab in rec.of_type("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"):
        assert all(pab["inputs"][k] is True
                   for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
    for policy in rec.of_type("aws:iam/accountPasswordPolicy:AccountPasswordPolicy"):
        assert policy["inputs"]["minimumPasswordLength"] >= 14 and policy["inputs"]["passwordReusePrevention"] == 24
    for contact in rec.of_type("aws:account/alternativeContact:AlternativeContact"):
        assert contact["inputs"]["alternateContactType"] == "SECURITY"
        assert contact["inputs"]["emailAddress"] == CONTACT.email


def test_every_account_has_a_support_role_behind_mfa():
    rec = plan()
    support = [r for r in rec.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
               if r["inputs"]["policyArn"].endswith(":policy/AWSSupportAccess")]
    assert sorted(rec.account_of(r) for r in support) == sorted(ACCOUNTS)
    for role in (r for r in rec.of_type("aws:iam/role:Role") if r["inputs"]["name"] == "landing-zone-support"):
        (statement,) = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"]
        assert statement["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def test_a_preview_role_in_member_accounts_none_in_management():
    """(Its trust and policy: tests/pipeline/test_preview_role.py.)"""
    rec = plan()
    previews = [r for r in rec.of_type("aws:iam/role:Role") if r["inputs"].get("name") == "landing-zone-preview"]
    assert [rec.account_of(r) for r in previews] == ["dev-apps"]


def test_preview_role_name_null_creates_none_and_no_analyzer_when_disabled():
    organization = ORGANIZATION.model_copy(update={"preview_role_name": None})
    rec = plan_program(lambda: baselines(organization, access_analyzer=False))
    roles = [r["inputs"].get("name") for r in rec.of_type("aws:iam/role:Role")]
    assert "landing-zone-preview" not in roles and "landing-zone-support" in roles
    assert rec.of_type("aws:accessanalyzer/analyzer:Analyzer") == []
