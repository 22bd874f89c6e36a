"""SCP documents: each statement's actions and conditions, the access-role exemption, and the size limit."""

import fnmatch
import json

import pytest
from core_harness import REPO_ROOT, of_type, stack_plan

from landing_zone import scp_documents as scp
from landing_zone.config import load_stack
from landing_zone.organization_policies import DENY_ALL_SCP
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
    security = set(statements(scp.security_services(cfg))["ProtectSecurityServices"]["Action"])
    assert {"guardduty:Delete*", "guardduty:Update*", "securityhub:Disable*", "securityhub:BatchDisableStandards",
            "access-analyzer:DeleteAnalyzer", "inspector2:Disable*"} <= security
    assert set(s["DenyIdentityProviders"]["Action"]) >= {"iam:CreateSAMLProvider", "iam:CreateOpenIDConnectProvider",
                                                          "iam:UpdateSAMLProvider", "rolesanywhere:*"}
    baseline = set(s["ProtectAccountBaseline"]["Action"])
    assert {"ec2:DisableEbsEncryptionByDefault", "ec2:ModifyEbsDefaultKmsKeyId", "s3:PutAccountPublicAccessBlock",
            "ec2:CreateDefaultVpc", "ec2:CreateDefaultSubnet", "ec2:ModifyInstanceMetadataDefaults"} <= baseline
    kms = s["DenyShortKmsKeyDeletion"]
    assert kms["Action"] == "kms:ScheduleKeyDeletion"
    assert kms["Condition"] == {"NumericLessThan": {"kms:ScheduleKeyDeletionPendingWindowInDays": "30"}}


def test_protections_exempt_only_the_landing_zone_access_role(cfg):
    exempt = {"ArnNotLike": {"aws:PrincipalArn": ["arn:*:iam::*:role/OrganizationAccountAccessRole"]}}
    s = statements(scp.guardrails(cfg))
    for sid in ("ProtectCloudTrail", "ProtectConfig", "DenyIdentityProviders", "ProtectAccountBaseline",
                "ProtectExemptedPrincipals"):
        assert s[sid]["Condition"] == exempt, sid
    assert statements(scp.security_services(cfg))["ProtectSecurityServices"]["Condition"] == exempt
    for sid in ("DenyLeaveOrganization", "DenyRootUser", "DenyShortKmsKeyDeletion", "DenyIamUsers",
                "DenyExternalResourceShares", "DenyAssociationsToExternalShares", "DenyExternalShareInvitations"):
        assert "ArnNotLike" not in s[sid].get("Condition", {}), sid
    renamed = cfg.model_copy(update={"organization": cfg.organization.model_copy(update={"access_role_name": "LzPipeline"})})
    lock = scp.network_lockdown(renamed)["Statement"][0]
    assert lock["Condition"] == {"ArnNotLike": {"aws:PrincipalArn": ["arn:*:iam::*:role/LzPipeline"]}}


def _exemptions(doc: dict) -> set[str]:
    """Exempted principals, less Identity Center's roles (only Identity Center may change them, as X-18 knows)."""
    return {p for st in doc["Statement"] for p in st.get("Condition", {}).get("ArnNotLike", {}).get("aws:PrincipalArn", [])
            if "/aws-reserved/sso.amazonaws.com/" not in p}


def test_only_the_admin_permission_sets_and_the_pipeline_start_sessions(cfg):
    assert cfg.security.session_manager is not None
    s = statements(scp.guardrails(cfg))["SessionsOnlyForAdmins"]
    assert s["Effect"] == "Deny" and set(s["Action"]) == {"ssm:StartSession", "ssm:ResumeSession"}
    assert s["Condition"]["ArnNotLike"]["aws:PrincipalArn"] == [
        "arn:*:iam::*:role/OrganizationAccountAccessRole",
        "arn:*:iam::*:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_AdministratorAccess_*"]
    off = cfg.model_copy(update={"security": cfg.security.model_copy(update={"session_manager": None})})
    assert "SessionsOnlyForAdmins" not in statements(scp.guardrails(off))


def test_every_exempted_principal_is_protected_from_iam_changes_but_by_itself(cfg):
    """X-18's shape: each ArnNotLike aws:PrincipalArn pattern of any SCP is the Resource of a guardrails statement
    that denies changing that role's trust, policies, boundary and tags, or deleting it, to everyone else."""
    exempted = set().union(*(_exemptions(scp.scp_document(n, cfg)) for n in scp.SCP_NAMES))
    assert exempted == {"arn:*:iam::*:role/OrganizationAccountAccessRole"}
    protect = statements(scp.guardrails(cfg))["ProtectExemptedPrincipals"]
    assert set(protect["Resource"]) == exempted
    assert protect["Condition"]["ArnNotLike"]["aws:PrincipalArn"] == sorted(exempted)
    assert {"iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePolicy",
            "iam:DeleteRolePolicy", "iam:DeleteRole", "iam:CreateRole", "iam:UpdateRole", "iam:PutRolePermissionsBoundary",
            "iam:DeleteRolePermissionsBoundary", "iam:TagRole", "iam:UntagRole"} <= set(protect["Action"])


def test_an_exempting_scp_without_guardrails_at_the_root_is_a_config_error(cfg):
    org = cfg.organization.model_copy(update={"scps": ["region-restriction"]})
    errors = list(scp.check_scp_sizes(cfg.model_copy(update={"organization": org})))
    assert len(errors) == 1
    assert errors[0].startswith("organization.scps: add guardrails: data-protection, protect-logs-and-backups, "
                                "network-lockdown exempt OrganizationAccountAccessRole")
    nothing_exempt = cfg.model_copy(update={"organization": org, "organizational_units": [
        ou.model_copy(update={"scps": []}) for ou in cfg.organizational_units]})
    assert list(scp.check_scp_sizes(nothing_exempt)) == []


def test_guardrails_deny_iam_users_external_sharing_and_turning_macie_off(cfg):
    s = statements(scp.guardrails(cfg))
    assert set(s["DenyIamUsers"]["Action"]) == {"iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile"}
    assert "Condition" not in s["DenyIamUsers"]  # nobody, the pipeline included: Identity Center is the way in
    assert set(s["DenyExternalResourceShares"]["Action"]) == {"ram:CreateResourceShare", "ram:UpdateResourceShare"}
    assert s["DenyExternalResourceShares"]["Condition"] == {"Bool": {"ram:RequestedAllowsExternalPrincipals": "true"}}
    assert s["DenyAssociationsToExternalShares"]["Action"] == "ram:AssociateResourceShare"
    assert s["DenyAssociationsToExternalShares"]["Condition"] == {"Bool": {"ram:AllowsExternalPrincipals": "true"}}
    assert s["DenyExternalShareInvitations"]["Action"] == "ram:AcceptResourceShareInvitation"
    assert {"macie2:DisableMacie", "macie2:DisassociateFromAdministratorAccount", "macie2:DeleteMember",
            "macie2:DisableOrganizationAdminAccount"} <= set(statements(scp.security_services(cfg))["ProtectSecurityServices"]["Action"])


def test_access_role_assumers_are_management_account_arns(cfg):
    org = cfg.organization.model_copy(update={"access_role_assumers": [
        "arn:aws:iam::111111111111:role/lz-deploy-prod", "arn:aws:iam::999999999999:role/elsewhere"]})
    errors = list(scp.check_scp_sizes(cfg.model_copy(update={"organization": org})))
    assert errors == ["organization.access_role_assumers[1]: arn:aws:iam::999999999999:role/elsewhere is not in the "
                      "management account 111111111111; the access role trusts only the management account"]


def test_region_restriction_uses_allowed_regions_and_exempts_global_services(cfg):
    (stmt,) = scp.region_restriction(cfg)["Statement"]
    assert "Action" not in stmt
    assert stmt["Condition"] == {"StringNotEquals": {"aws:RequestedRegion": ["ap-south-1", "ap-south-2"]}}
    exempt = set(stmt["NotAction"])
    assert {"iam:*", "organizations:*", "sts:*", "route53:*", "cloudfront:*", "support:*", "budgets:*", "ce:*",
            "s3:ListAllMyBuckets", "ec2:DescribeRegions"} <= exempt
    # regional services work in the allowed regions only (they were exempt in Control Tower's list)
    regional = {"kms:*", "config:*", "acm:*", "access-analyzer:*", "wafv2:*", "directconnect:*", "sso:*", "fms:*",
                "cloudtrail:LookupEvents", "compute-optimizer:*", "tag:GetResources", "lightsail:Get*"}
    assert not regional & exempt
    assert not any(a.split(":")[0] in ("ec2", "s3") and a.endswith("*") for a in exempt)


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
    # uploads relying on bucket default encryption (SDK, CLI, Athena results) are not refused
    puts = [sid for sid, st in s.items() if st["Action"] == "s3:PutObject" or "s3:PutObject" in st["Action"]]
    assert puts == ["DenyWritesOutsideOrganization"]
    # ... only writes into resources outside the caller's organization are
    perimeter = s["DenyWritesOutsideOrganization"]
    assert perimeter["Condition"] == {"StringNotEqualsIfExists": {"aws:ResourceOrgID": "${aws:PrincipalOrgID}"}}
    assert {"s3:PutObject", "sqs:SendMessage", "sns:Publish", "kinesis:PutRecord*", "dynamodb:PutItem"} <= set(
        perimeter["Action"])


def test_protect_logs_and_backups_targets_the_log_archive_buckets(cfg):
    s = statements(scp.protect_logs_and_backups(cfg))
    logs = s["ProtectLogArchiveBuckets"]
    assert logs["Resource"] == ["arn:*:s3:::acme-log-archive-*", "arn:*:s3:::acme-log-archive-*/*"]
    assert {"s3:DeleteBucket", "s3:PutBucketPolicy", "s3:PutLifecycleConfiguration"} <= set(logs["Action"])
    # GOVERNANCE retention (backup buckets) holds for everyone, the pipeline included; lock settings only by it
    assert s["DenyObjectLockBypass"] == {"Sid": "DenyObjectLockBypass", "Effect": "Deny",
                                         "Action": "s3:BypassGovernanceRetention", "Resource": "*"}
    assert s["ProtectObjectLockSettings"]["Action"] == "s3:PutBucketObjectLockConfiguration"
    assert "ArnNotLike" in s["ProtectObjectLockSettings"]["Condition"]
    assert {"backup:DeleteBackupVault", "backup:DeleteRecoveryPoint", "backup:UpdateBackupPlan",
            "backup:PutBackupVaultAccessPolicy"} <= set(s["ProtectBackups"]["Action"])


def test_log_archive_key_cannot_be_disabled_deleted_or_handed_out_but_by_the_pipeline(cfg):
    s = statements(scp.protect_logs_and_backups(cfg))
    key = s["ProtectLogArchiveKey"]
    assert {"kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:CreateGrant"} <= set(key["Action"])
    assert key["Condition"] == {"ArnNotLike": {"aws:PrincipalArn": ["arn:*:iam::*:role/OrganizationAccountAccessRole"]},
                                "ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/landing-zone/log-archive"}}
    alias = s["ProtectLogArchiveKeyAlias"]  # the key is found by its alias: the alias cannot be moved or deleted
    assert set(alias["Action"]) == {"kms:DeleteAlias", "kms:UpdateAlias"}
    assert alias["Resource"] == "arn:*:kms:*:*:alias/landing-zone/log-archive"


def test_data_perimeter_rcp(cfg):
    s = statements(scp.rcp_document("data-perimeter", cfg, "o-abcdef1234"))
    assert all(st["Principal"] == "*" and st["Effect"] == "Deny" for st in s.values())
    tls = s["EnforceSecureTransport"]
    assert set(tls["Action"]) == {"s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:*"}
    assert tls["Condition"] == {"BoolIfExists": {"aws:SecureTransport": "false"}}
    ident, elb = s["EnforceOrgIdentities"], s["EnforceOrgIdentitiesElbLogs"]
    outsiders = {"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}
    assert ident["Condition"] == {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abcdef1234"}, **outsiders}
    assert "sts:AssumeRole" in ident["Action"] and "sts:AssumeRoleWithWebIdentity" not in ident["Action"]
    # the ap-south-1 ELB account writes ALB access logs: the one outsider, let in on the ELB log objects only
    assert ident["NotResource"] == elb["Resource"] == "arn:*:s3:::acme-log-archive-elb-*/*" and "Resource" not in ident
    assert elb["Action"] == ["s3:*"]
    assert elb["Condition"] == {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abcdef1234",
                                                            "aws:PrincipalAccount": ["718504428378"]}, **outsiders}
    no_edge = cfg.model_copy(update={"accounts": [a.model_copy(update={"workloads": a.workloads.model_copy(
        update={"edge": None})}) if a.workloads else a for a in cfg.accounts]})
    plain = statements(scp.rcp_document("data-perimeter", no_edge, "o-abcdef1234"))
    assert "EnforceOrgIdentitiesElbLogs" not in plain and plain["EnforceOrgIdentities"]["Resource"] == "*"
    deputy = s["EnforceConfusedDeputyProtection"]
    assert deputy["Condition"] == {"StringNotEqualsIfExists": {"aws:SourceOrgID": "o-abcdef1234"},
                                   "Null": {"aws:SourceAccount": "false"}, "Bool": {"aws:PrincipalIsAWSService": "true"}}
    # prod names its deploy roles (single mode's, and every split stack's under /landing-zone-deploy/): only they
    # assume the access role in member accounts
    assert s["RestrictAccessRoleAssumption"]["Condition"] == {
        "ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::111111111111:role/landing-zone-deploy-prod",
                                            "arn:aws:iam::111111111111:role/landing-zone-deploy/*"]}}
    unset = cfg.model_copy(update={"organization": cfg.organization.model_copy(update={"access_role_assumers": []})})
    assert "RestrictAccessRoleAssumption" not in statements(scp.rcp_document("data-perimeter", unset))


def test_rcp_restricts_who_assumes_the_access_role_when_configured(cfg):
    org = cfg.organization.model_copy(update={"access_role_assumers": ["arn:aws:iam::111111111111:role/lz-deploy-*"]})
    s = statements(scp.rcp_document("data-perimeter", cfg.model_copy(update={"organization": org})))
    assert s["RestrictAccessRoleAssumption"] == {
        "Sid": "RestrictAccessRoleAssumption", "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole",
        "Resource": "arn:*:iam::*:role/OrganizationAccountAccessRole",
        "Condition": {"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::111111111111:role/lz-deploy-*"]}}}


def test_rcp_fits_with_the_longest_organization_id(cfg):
    text = scp.check_size("RCP data-perimeter", scp.rcp_document("data-perimeter", cfg))
    assert scp.ORG_ID_PLACEHOLDER in text and len(text) <= scp.SCP_MAX_CHARACTERS
    with pytest.raises(scp.ScpTooLarge, match=r"^RCP data-perimeter is \d+ characters"):
        scp.check_size("RCP data-perimeter", scp.rcp_document("data-perimeter", cfg), limit=100)


def test_network_lockdown_covers_grnetsec2(cfg):
    (stmt,) = scp.network_lockdown(cfg)["Statement"]
    for action in ("ec2:CreateVpc", "ec2:CreateSubnet", "ec2:CreateInternetGateway", "ec2:CreateNatGateway",
                   "ec2:CreateRoute", "ec2:DeleteFlowLogs", "ec2:CreateTransitGatewayRoute", "ec2:AcceptVpcPeeringConnection",
                   "ec2:ReplaceRoute", "ec2:ReplaceRouteTableAssociation", "ec2:AssociateRouteTable",
                   "ec2:ModifyVpcEndpoint", "ec2:ModifySubnetAttribute"):
        assert any(fnmatch.fnmatchcase(action, pattern) for pattern in stmt["Action"]), action


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
    monkeypatch.setattr(scp, "SCP_MAX_CHARACTERS", 1600)
    errors = list(scp.check_scp_sizes(cfg))
    assert any(e.startswith("organization.scps: SCP guardrails is") for e in errors)
    assert any(e.startswith("organization.scps: SCP security-services is") for e in errors)
    assert any(e.startswith("organizational_units[0].scps: SCP protect-logs-and-backups is") for e in errors)
    assert not any("data-protection" in e for e in errors)  # 1530 characters: fits


def test_used_scps_follow_the_config(cfg):
    assert scp.used_scps(cfg) == list(scp.SCP_NAMES)
    dev = load_stack("dev", REPO_ROOT)
    assert scp.used_scps(dev) == list(scp.SCP_NAMES)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_policies_and_attachments_in_the_plan(stack):
    cfg = load_stack(stack, REPO_ROOT)
    plan = stack_plan(stack)
    policies = {r["inputs"]["name"]: r for r in of_type(plan, "aws:organizations/policy:Policy")
                if r["inputs"]["type"] == "SERVICE_CONTROL_POLICY"}
    # plus the Suspended OU's deny-all (landing_zone/organization_policies.py, tests/components/test_organization_policies.py)
    assert set(policies) == {f"{cfg.organization.name}-{n}" for n in (*scp.used_scps(cfg), DENY_ALL_SCP)}
    for name in scp.used_scps(cfg):
        p = policies[f"{cfg.organization.name}-{name}"]
        assert p["inputs"]["type"] == "SERVICE_CONTROL_POLICY"
        assert json.loads(p["inputs"]["content"]) == scp.scp_document(name, cfg)
    attachments = of_type(plan, "aws:organizations/policyAttachment:PolicyAttachment")
    expected = len(cfg.organization.scps) + sum(len(ou.scps) for ou in cfg.organizational_units) + 1  # deny-all
    scp_attachments = [a for a in attachments if a["name"].startswith("organization-scp-")]
    assert len(scp_attachments) == expected
    root_targets = [a for a in scp_attachments if a["name"].endswith("-root")]
    assert len(root_targets) == len(cfg.organization.scps)
    assert all(a["inputs"]["targetId"] == "r-exam" for a in root_targets)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_rcps_at_the_root_after_the_policy_type_is_enabled(stack):
    cfg, plan = load_stack(stack, REPO_ROOT), stack_plan(stack)
    (org,) = of_type(plan, "aws:organizations/organization:Organization")
    assert "RESOURCE_CONTROL_POLICY" in org["inputs"]["enabledPolicyTypes"]
    rcps = [p for p in of_type(plan, "aws:organizations/policy:Policy") if p["inputs"]["type"] == "RESOURCE_CONTROL_POLICY"]
    assert [p["inputs"]["name"] for p in rcps] == [f"{cfg.organization.name}-data-perimeter"]
    assert json.loads(rcps[0]["inputs"]["content"]) == scp.rcp_document("data-perimeter", cfg, org["id"])
    (attachment,) = [a for a in of_type(plan, "aws:organizations/policyAttachment:PolicyAttachment")
                     if a["name"] == "organization-rcp-data-perimeter-root"]
    assert attachment["inputs"]["targetId"] == "r-exam" and attachment["inputs"]["policyId"] == rcps[0]["id"]
    # AWS refuses the attachment while the root has no RESOURCE_CONTROL_POLICY type: wait for the organization
    assert org["urn"] in attachment["dependencies"] and rcps[0]["urn"] in attachment["dependencies"]
