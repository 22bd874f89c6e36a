"""SCP documents: each statement's actions and conditions, the access-role exemption, and the size limit."""

import json

import pytest
from core_harness import REPO_ROOT, of_type, stack_plan

from landing_zone import scp_documents as scp
from landing_zone.config import load_stack
from landing_zone.regions import AWS_REGIONS


@pytest.fixture(scope="module")
def cfg():
    return load_stack("prod", REPO_ROOT)


def statements(doc: dict) -> dict[str, dict]:
    return {s["Sid"]: s for s in doc["Statement"]}


def test_every_document_is_deny_only_and_sids_unique(cfg):
    for name in scp.SCP_NAMES:
        doc = scp.scp_document(name, cfg)
        assert doc["Version"] == "2012-10-17"
        assert all(s["Effect"] == "Deny" for s in doc["Statement"]), name
        assert len(statements(doc)) == len(doc["Statement"]), name


def test_guardrails_statements(cfg):
    s = statements(scp.guardrails(cfg))
    assert s["DenyLeaveOrganization"]["Action"] == "organizations:LeaveOrganization"
    assert "Condition" not in s["DenyLeaveOrganization"]
    root = s["DenyRootUser"]
    assert root["Action"] == "*"
    assert root["Condition"] == {"ArnLike": {"aws:PrincipalArn": "arn:*:iam::*:root"}, "Null": {"aws:AssumedRoot": "true"}}
    assert set(s["ProtectCloudTrail"]["Action"]) == {"cloudtrail:DeleteTrail", "cloudtrail:PutEventSelectors",
                                                     "cloudtrail:StopLogging", "cloudtrail:UpdateTrail"}
    assert {"config:StopConfigurationRecorder", "config:DeleteDeliveryChannel", "config:DeleteConfigRule"} <= set(s["ProtectConfig"]["Action"])
    security = set(s["ProtectSecurityServices"]["Action"])
    assert {"guardduty:Delete*", "guardduty:UpdateDetector", "securityhub:Disable*", "securityhub:BatchDisableStandards",
            "access-analyzer:DeleteAnalyzer", "inspector2:Disable"} <= security
    baseline = set(s["ProtectAccountBaseline"]["Action"])
    assert {"ec2:DisableEbsEncryptionByDefault", "ec2:ModifyEbsDefaultKmsKeyId", "s3:PutAccountPublicAccessBlock",
            "ec2:CreateDefaultVpc", "ec2:CreateDefaultSubnet", "ec2:ModifyInstanceMetadataDefaults"} <= baseline
    kms = s["DenyShortKmsKeyDeletion"]
    assert kms["Action"] == "kms:ScheduleKeyDeletion"
    assert kms["Condition"] == {"NumericLessThan": {"kms:ScheduleKeyDeletionPendingWindowInDays": "30"}}


def test_protections_exempt_only_the_landing_zone_access_role(cfg):
    exempt = {"ArnNotLike": {"aws:PrincipalArn": "arn:*:iam::*:role/OrganizationAccountAccessRole"}}
    s = statements(scp.guardrails(cfg))
    for sid in ("ProtectCloudTrail", "ProtectConfig", "ProtectSecurityServices", "ProtectAccountBaseline"):
        assert s[sid]["Condition"] == exempt, sid
    for sid in ("DenyLeaveOrganization", "DenyRootUser", "DenyShortKmsKeyDeletion"):
        assert "ArnNotLike" not in s[sid].get("Condition", {}), sid
    renamed = cfg.model_copy(update={"organization": cfg.organization.model_copy(update={"access_role_name": "LzPipeline"})})
    lock = scp.network_lockdown(renamed)["Statement"][0]
    assert lock["Condition"] == {"ArnNotLike": {"aws:PrincipalArn": "arn:*:iam::*:role/LzPipeline"}}


def test_region_restriction_uses_allowed_regions_and_exempts_global_services(cfg):
    (stmt,) = scp.region_restriction(cfg)["Statement"]
    assert "Action" not in stmt
    assert stmt["Condition"] == {"StringNotEquals": {"aws:RequestedRegion": ["ap-south-1", "ap-south-2"]}}
    exempt = set(stmt["NotAction"])
    assert {"iam:*", "organizations:*", "sts:*", "sso:*", "route53:*", "cloudfront:*", "support:*", "kms:*",
            "s3:ListAllMyBuckets", "cloudtrail:LookupEvents", "ec2:DescribeRegions"} <= exempt
    assert "ec2:*" not in exempt and "s3:*" not in exempt


def test_data_protection_statements(cfg):
    s = statements(scp.data_protection(cfg))
    assert s["RequireImdsV2"]["Action"] == "ec2:RunInstances"
    assert s["RequireImdsV2"]["Resource"] == "arn:*:ec2:*:*:instance/*"
    assert s["RequireImdsV2"]["Condition"] == {"StringNotEquals": {"ec2:MetadataHttpTokens": "required"}}
    assert s["MaxImdsHopLimit"]["Condition"] == {"NumericGreaterThan": {"ec2:MetadataHttpPutResponseHopLimit": "1"}}
    assert s["DenyImdsV1Credentials"]["Condition"] == {"NumericLessThan": {"ec2:RoleDelivery": "2.0"}}
    assert set(s["DenyUnencryptedRds"]["Action"]) == {"rds:CreateDBInstance", "rds:CreateDBCluster"}
    assert s["DenyUnencryptedRds"]["Condition"] == {"Bool": {"rds:StorageEncrypted": "false"}}
    assert s["DenyUnencryptedEfs"]["Condition"] == {"Bool": {"elasticfilesystem:Encrypted": "false"}}
    assert s["DenyS3PutObjectWithoutSse"]["Condition"] == {"Null": {"s3:x-amz-server-side-encryption": "true"}}


def test_protect_logs_and_backups_targets_the_log_archive_buckets(cfg):
    s = statements(scp.protect_logs_and_backups(cfg))
    logs = s["ProtectLogArchiveBuckets"]
    assert logs["Resource"] == ["arn:*:s3:::acme-log-archive-*", "arn:*:s3:::acme-log-archive-*/*"]
    assert {"s3:DeleteBucket", "s3:PutBucketPolicy", "s3:PutLifecycleConfiguration", "s3:BypassGovernanceRetention",
            "s3:PutBucketObjectLockConfiguration"} <= set(logs["Action"])
    assert {"backup:DeleteBackupVault", "backup:DeleteRecoveryPoint", "backup:UpdateBackupPlan",
            "backup:PutBackupVaultAccessPolicy"} <= set(s["ProtectBackups"]["Action"])


def test_network_lockdown_covers_grnetsec2(cfg):
    (stmt,) = scp.network_lockdown(cfg)["Statement"]
    assert {"ec2:CreateVpc", "ec2:CreateSubnet", "ec2:CreateInternetGateway", "ec2:CreateNatGateway",
            "ec2:CreateRoute*", "ec2:DeleteFlowLogs", "ec2:CreateTransitGateway*", "ec2:AcceptVpc*"} <= set(stmt["Action"])


def test_documents_fit_even_with_every_region_allowed(cfg):
    wide = cfg.model_copy(update={"organization": cfg.organization.model_copy(update={"allowed_regions": sorted(AWS_REGIONS)})})
    for name in scp.SCP_NAMES:
        text = scp.check_size(name, scp.scp_document(name, wide))
        assert len(text) <= scp.SCP_MAX_CHARACTERS
        assert json.loads(text) == scp.scp_document(name, wide)
        assert ", " not in text and ": " not in text  # minified as AWS counts it


def test_size_limit_error_names_the_scp_and_its_size(cfg):
    doc = scp.guardrails(cfg)
    size = len(scp.minified(doc))
    with pytest.raises(scp.ScpTooLarge, match=rf"SCP guardrails is {size} characters, over AWS's limit of 1000"):
        scp.check_size("guardrails", doc, limit=1000)
    assert scp.check_size("guardrails", doc, limit=size) == scp.minified(doc)  # exactly at the limit is fine


def test_validation_hook_reports_the_field(cfg, monkeypatch):
    assert list(scp.check_scp_sizes(cfg)) == []
    monkeypatch.setattr(scp, "SCP_MAX_CHARACTERS", 1500)
    errors = list(scp.check_scp_sizes(cfg))
    assert any(e.startswith("organization.scps: SCP guardrails is") for e in errors)
    assert any(e.startswith("organization.scps: SCP region-restriction is") for e in errors)
    assert not any("data-protection" in e for e in errors)  # 1243 characters: fits


def test_used_scps_follow_the_config(cfg):
    assert scp.used_scps(cfg) == list(scp.SCP_NAMES)
    dev = load_stack("dev", REPO_ROOT)
    assert scp.used_scps(dev) == ["guardrails", "region-restriction", "data-protection", "protect-logs-and-backups"]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_policies_and_attachments_in_the_plan(stack):
    cfg = load_stack(stack, REPO_ROOT)
    plan = stack_plan(stack)
    policies = {r["inputs"]["name"]: r for r in of_type(plan, "aws:organizations/policy:Policy")}
    assert set(policies) == {f"{cfg.organization.name}-{n}" for n in scp.used_scps(cfg)}
    for name in scp.used_scps(cfg):
        p = policies[f"{cfg.organization.name}-{name}"]
        assert p["inputs"]["type"] == "SERVICE_CONTROL_POLICY"
        assert json.loads(p["inputs"]["content"]) == scp.scp_document(name, cfg)
    attachments = of_type(plan, "aws:organizations/policyAttachment:PolicyAttachment")
    expected = len(cfg.organization.scps) + sum(len(ou.scps) for ou in cfg.organizational_units)
    assert len(attachments) == expected
    root_targets = [a for a in attachments if a["name"].endswith("-root")]
    assert len(root_targets) == len(cfg.organization.scps)
    assert all(a["inputs"]["targetId"] == "r-exam" for a in root_targets)
