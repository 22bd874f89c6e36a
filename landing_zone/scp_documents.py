"""Service control policy documents generated from the config (CONTROLS.md §3), and AWS's size limit on them.

Pure: no pulumi import, so `lz validate` checks the documents the program will attach. One implementation serves
components/organization.py (the Policy resources) and landing_zone/validation.py (the limit check).

The five bundles (models.ScpName):
- guardrails: never leave the organization, no root user, keep CloudTrail / Config / GuardDuty / Security Hub /
  Inspector / Access Analyzer / EBS default encryption / the S3 account public access block / IMDS defaults as the
  landing zone set them, no default VPC, KMS keys deleted only after >= 30 days.
- region-restriction: nothing outside organization.allowed_regions, except global services (Control Tower's list).
- data-protection: IMDSv2 only, no unencrypted RDS / EFS, no S3 PutObject without server-side encryption.
- protect-logs-and-backups: the log archive buckets and AWS Backup stay as configured.
- network-lockdown: only the landing zone changes the network (LZA GRNETSEC2).

Statements that protect what the landing zone itself manages exempt the landing zone's access role
(organization.access_role_name, the role the pipeline assumes in every member account); everything else applies to
every principal. SCPs never apply to the management account or to service-linked roles.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from landing_zone.models import LandingZoneConfig, ScpName

SCP_MAX_CHARACTERS = 5120  # AWS counts the document without whitespace outside strings
SCP_NAMES: tuple[ScpName, ...] = (
    "guardrails", "region-restriction", "data-protection", "protect-logs-and-backups", "network-lockdown",
)  # fmt: skip

DESCRIPTIONS: dict[str, str] = {
    "guardrails": "Stay in the organization, no root user, keep the security services and account baseline intact",
    "region-restriction": "Deny requests outside the allowed regions (global services exempt)",
    "data-protection": "IMDSv2 only; no unencrypted RDS, EFS or S3 objects",
    "protect-logs-and-backups": "The log archive buckets and AWS Backup cannot be changed or deleted",
    "network-lockdown": "Only the landing zone pipeline changes VPCs, subnets, routes, gateways and the TGW",
}

# Control Tower's region deny (GRREGIONDENY / CT.MULTISERVICE.PV.1): global services and the calls that must reach
# us-east-1 whatever the caller's region.
REGION_EXEMPT_ACTIONS = (
    "a4b:*", "access-analyzer:*", "account:*", "acm:*", "activate:*", "artifact:*", "aws-marketplace-management:*",
    "aws-marketplace:*", "aws-portal:*", "billing:*", "billingconductor:*", "budgets:*", "ce:*", "chatbot:*",
    "chime:*", "cloudfront:*", "cloudtrail:LookupEvents", "compute-optimizer:*", "config:*", "consoleapp:*",
    "consolidatedbilling:*", "cur:*", "devicefarm:*", "directconnect:*", "ec2:DescribeRegions",
    "ec2:DescribeTransitGateways", "ec2:DescribeVpnGateways", "ecr-public:*", "fms:*", "freetier:*",
    "globalaccelerator:*", "health:*", "iam:*", "importexport:*", "invoicing:*", "iq:*", "kms:*", "lightsail:Get*",
    "networkmanager:*", "notifications:*", "organizations:*", "payments:*", "pricing:*", "resource-explorer-2:*",
    "route53-recovery-cluster:*", "route53-recovery-control-config:*", "route53-recovery-readiness:*", "route53:*",
    "route53domains:*", "s3:CreateMultiRegionAccessPoint", "s3:DeleteMultiRegionAccessPoint",
    "s3:DescribeMultiRegionAccessPointOperation", "s3:GetAccountPublicAccessBlock", "s3:GetBucketLocation",
    "s3:GetMultiRegionAccessPoint", "s3:GetMultiRegionAccessPointPolicy", "s3:GetMultiRegionAccessPointPolicyStatus",
    "s3:GetStorageLensConfiguration", "s3:GetStorageLensDashboard", "s3:ListAllMyBuckets",
    "s3:ListMultiRegionAccessPoints", "s3:ListStorageLensConfigurations", "s3:PutAccountPublicAccessBlock",
    "s3:PutMultiRegionAccessPointPolicy", "savingsplans:*", "shield:*", "sso:*", "sts:*", "support:*",
    "supportapp:*", "supportplans:*", "sustainability:*", "tag:GetResources", "tax:*", "trustedadvisor:*",
    "vendor-insights:ListEntitledSecurityProfiles", "waf-regional:*", "waf:*", "wafv2:*",
)  # fmt: skip

CLOUDTRAIL_ACTIONS = ("cloudtrail:DeleteTrail", "cloudtrail:PutEventSelectors", "cloudtrail:StopLogging",
                      "cloudtrail:UpdateTrail")  # fmt: skip
CONFIG_ACTIONS = (
    "config:DeleteConfigurationRecorder", "config:DeleteDeliveryChannel", "config:DeleteRetentionConfiguration",
    "config:PutConfigurationRecorder", "config:PutDeliveryChannel", "config:PutRetentionConfiguration",
    "config:StopConfigurationRecorder", "config:PutConfigRule", "config:DeleteConfigRule",
    "config:DeleteEvaluationResults", "config:PutConfigurationAggregator", "config:DeleteConfigurationAggregator",
)  # fmt: skip
SECURITY_SERVICE_ACTIONS = (
    "guardduty:AcceptInvitation", "guardduty:CreateMembers", "guardduty:DeclineInvitations", "guardduty:Delete*",
    "guardduty:Disassociate*", "guardduty:DisableOrganizationAdminAccount", "guardduty:InviteMembers",
    "guardduty:StopMonitoringMembers", "guardduty:UpdateDetector", "guardduty:UpdateFindingsFeedback",
    "guardduty:UpdateOrganizationConfiguration", "guardduty:UpdatePublishingDestination",
    "securityhub:AcceptInvitation", "securityhub:BatchDisableStandards", "securityhub:CreateMembers",
    "securityhub:DeclineInvitations", "securityhub:DeleteActionTarget", "securityhub:DeleteInsight",
    "securityhub:DeleteInvitations", "securityhub:DeleteMembers", "securityhub:Disassociate*", "securityhub:Disable*",
    "securityhub:InviteMembers", "securityhub:UpdateSecurityHubConfiguration", "securityhub:UpdateStandardsControl",
    "inspector2:Disable", "inspector2:DisassociateMember", "access-analyzer:DeleteAnalyzer",
)  # fmt: skip
BASELINE_ACTIONS = (
    "account:EnableRegion", "account:DisableRegion", "account:DeleteAlternateContact",
    "ec2:DisableEbsEncryptionByDefault", "ec2:ModifyEbsDefaultKmsKeyId", "ec2:ModifyInstanceMetadataDefaults",
    "ec2:DisableImageBlockPublicAccess", "ec2:DisableSnapshotBlockPublicAccess", "s3:PutAccountPublicAccessBlock",
    "iam:UpdateAccountPasswordPolicy", "iam:DeleteAccountPasswordPolicy",
)  # fmt: skip
DEFAULT_VPC_ACTIONS = ("ec2:CreateDefaultVpc", "ec2:CreateDefaultSubnet")
LOG_BUCKET_ACTIONS = (
    "s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:PutBucketPolicy", "s3:PutEncryptionConfiguration",
    "s3:PutBucketLogging", "s3:PutLifecycleConfiguration", "s3:PutBucketVersioning", "s3:PutBucketObjectLockConfiguration",
    "s3:PutBucketPublicAccessBlock", "s3:PutBucketAcl", "s3:PutBucketOwnershipControls", "s3:PutReplicationConfiguration",
    "s3:BypassGovernanceRetention", "s3:DeleteObjectVersion",
)  # fmt: skip
BACKUP_ACTIONS = (
    "backup:DeleteBackupPlan", "backup:DeleteBackupSelection", "backup:DeleteBackupVault",
    "backup:DeleteBackupVaultAccessPolicy", "backup:DeleteBackupVaultNotifications", "backup:DeleteBackupVaultLockConfiguration",
    "backup:DeleteRecoveryPoint", "backup:PutBackupVaultAccessPolicy", "backup:PutBackupVaultNotifications",
    "backup:UpdateBackupPlan", "backup:UpdateRecoveryPointLifecycle", "backup:UpdateRegionSettings",
)  # fmt: skip
# LZA GRNETSEC2: the network is the landing zone's; accounts consume it (the IPAM actions included).
NETWORK_ACTIONS = (
    "ec2:AcceptTransitGateway*", "ec2:AcceptVpc*", "ec2:AllocateAddress", "ec2:AssociateAddress",
    "ec2:AttachInternetGateway", "ec2:AttachVpnGateway", "ec2:CreateEgressOnlyInternetGateway",
    "ec2:CreateInternetGateway", "ec2:CreateNatGateway", "ec2:CreateRoute*", "ec2:CreateSubnet",
    "ec2:CreateTransitGateway*", "ec2:CreateVpc", "ec2:CreateVpcEndpoint", "ec2:CreateVpcPeeringConnection",
    "ec2:CreateVpn*", "ec2:DeleteFlowLogs", "ec2:DeleteRoute*", "ec2:DeleteSubnet", "ec2:DeleteTransitGateway*",
    "ec2:DeleteVpc", "ec2:ModifyTransitGateway*", "ec2:AllocateIpamPoolCidr", "ec2:CreateIpam*", "ec2:DeleteIpam*",
    "ec2:ModifyIpam*", "ec2:ReleaseIpamPoolAllocation",
)  # fmt: skip


class ScpTooLarge(ValueError):
    """A generated SCP exceeds AWS's size limit."""


def access_role_pattern(cfg: LandingZoneConfig) -> str:
    """The landing zone's role in every member account, in any partition."""
    return f"arn:*:iam::*:role/{cfg.organization.access_role_name}"


def log_bucket_pattern(cfg: LandingZoneConfig) -> str:
    """Every bucket of the log archive (components/security.py names them `<org>-log-archive-...`)."""
    return f"arn:*:s3:::{log_bucket_prefix(cfg)}*"


def log_bucket_prefix(cfg: LandingZoneConfig) -> str:
    return f"{cfg.organization.name}-log-archive-"


def _deny(sid: str, actions: tuple[str, ...] | str, condition: dict | None = None, resource: Any = "*") -> dict:
    statement: dict[str, Any] = {"Sid": sid, "Effect": "Deny", "Action": list(actions) if isinstance(actions, tuple) else actions,
                                 "Resource": resource}  # fmt: skip
    if condition:
        statement["Condition"] = condition
    return statement


def _unless_access_role(cfg: LandingZoneConfig) -> dict:
    return {"ArnNotLike": {"aws:PrincipalArn": access_role_pattern(cfg)}}


def _document(statements: list[dict]) -> dict:
    return {"Version": "2012-10-17", "Statement": statements}


def guardrails(cfg: LandingZoneConfig) -> dict:
    pipeline_only = _unless_access_role(cfg)
    return _document([
        _deny("DenyLeaveOrganization", "organizations:LeaveOrganization"),
        # LZA GRRU: a root session opened with sts:AssumeRoot (centralized root access) carries aws:AssumedRoot
        _deny("DenyRootUser", "*", {"ArnLike": {"aws:PrincipalArn": "arn:*:iam::*:root"}, "Null": {"aws:AssumedRoot": "true"}}),
        _deny("ProtectCloudTrail", CLOUDTRAIL_ACTIONS, pipeline_only),
        _deny("ProtectConfig", CONFIG_ACTIONS, pipeline_only),
        _deny("ProtectSecurityServices", SECURITY_SERVICE_ACTIONS, pipeline_only),
        _deny("ProtectAccountBaseline", BASELINE_ACTIONS + DEFAULT_VPC_ACTIONS, pipeline_only),
        _deny("DenyShortKmsKeyDeletion", "kms:ScheduleKeyDeletion",
              {"NumericLessThan": {"kms:ScheduleKeyDeletionPendingWindowInDays": "30"}}),
    ])  # fmt: skip


def region_restriction(cfg: LandingZoneConfig) -> dict:
    return _document([{
        "Sid": "DenyOutsideAllowedRegions", "Effect": "Deny", "NotAction": list(REGION_EXEMPT_ACTIONS), "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": sorted(cfg.organization.allowed_regions)}},
    }])  # fmt: skip


def data_protection(cfg: LandingZoneConfig) -> dict:
    return _document([
        _deny("RequireImdsV2", "ec2:RunInstances", {"StringNotEquals": {"ec2:MetadataHttpTokens": "required"}},
              resource="arn:*:ec2:*:*:instance/*"),
        _deny("MaxImdsHopLimit", "ec2:RunInstances", {"NumericGreaterThan": {"ec2:MetadataHttpPutResponseHopLimit": "1"}},
              resource="arn:*:ec2:*:*:instance/*"),
        # credentials fetched through IMDSv1 carry ec2:RoleDelivery 1.0: they are useless everywhere
        _deny("DenyImdsV1Credentials", "*", {"NumericLessThan": {"ec2:RoleDelivery": "2.0"}}),
        _deny("ProtectInstanceMetadataOptions", "ec2:ModifyInstanceMetadataOptions", _unless_access_role(cfg)),
        _deny("DenyUnencryptedRds", ("rds:CreateDBInstance", "rds:CreateDBCluster"), {"Bool": {"rds:StorageEncrypted": "false"}}),
        _deny("DenyUnencryptedEfs", "elasticfilesystem:CreateFileSystem", {"Bool": {"elasticfilesystem:Encrypted": "false"}}),
        # aws-samples: every upload names its encryption; AWS services delivering logs are not subject to SCPs
        _deny("DenyS3PutObjectWithoutSse", "s3:PutObject", {"Null": {"s3:x-amz-server-side-encryption": "true"}}),
    ])  # fmt: skip


def protect_logs_and_backups(cfg: LandingZoneConfig) -> dict:
    pipeline_only = _unless_access_role(cfg)
    bucket = log_bucket_pattern(cfg)
    return _document([
        _deny("ProtectLogArchiveBuckets", LOG_BUCKET_ACTIONS, pipeline_only, resource=[bucket, f"{bucket}/*"]),
        _deny("ProtectBackups", BACKUP_ACTIONS, pipeline_only),
    ])  # fmt: skip


def network_lockdown(cfg: LandingZoneConfig) -> dict:
    return _document([_deny("NetworkChangesOnlyByLandingZone", NETWORK_ACTIONS, _unless_access_role(cfg))])


BUILDERS = {
    "guardrails": guardrails,
    "region-restriction": region_restriction,
    "data-protection": data_protection,
    "protect-logs-and-backups": protect_logs_and_backups,
    "network-lockdown": network_lockdown,
}


def scp_document(name: str, cfg: LandingZoneConfig) -> dict:
    return BUILDERS[name](cfg)


def minified(document: dict) -> str:
    """The document as AWS measures it: no whitespace outside strings."""
    return json.dumps(document, separators=(",", ":"))


def check_size(name: str, document: dict, limit: int | None = None) -> str:
    """The minified document, or ScpTooLarge naming the SCP, its size and the limit."""
    limit = limit or SCP_MAX_CHARACTERS
    text = minified(document)
    if len(text) > limit:
        raise ScpTooLarge(f"SCP {name} is {len(text)} characters, over AWS's limit of {limit} (minified JSON); "
                          f"split it or shorten its action lists")  # fmt: skip
    return text


def used_scps(cfg: LandingZoneConfig) -> list[str]:
    """The SCPs attached anywhere (root or an OU), in catalogue order."""
    used = set(cfg.organization.scps) | {name for ou in cfg.organizational_units for name in ou.scps}
    return [name for name in SCP_NAMES if name in used]


def scp_documents(cfg: LandingZoneConfig) -> dict[str, str]:
    """name -> minified document of every SCP the config attaches; raises ScpTooLarge."""
    return {name: check_size(name, scp_document(name, cfg)) for name in used_scps(cfg)}


def check_scp_sizes(cfg: LandingZoneConfig) -> Iterator[str]:
    """Validation hook (landing_zone.validation.cross_check): one error per SCP over the limit, naming its field."""
    for name in used_scps(cfg):
        try:
            check_size(name, scp_document(name, cfg))
        except ScpTooLarge as e:
            yield f"{_attached_at(cfg, name)}: {e}"


def _attached_at(cfg: LandingZoneConfig, name: str) -> str:
    if name in cfg.organization.scps:
        return "organization.scps"
    i = next(i for i, ou in enumerate(cfg.organizational_units) if name in ou.scps)
    return f"organizational_units[{i}].scps"
