"""The action catalogues the SCPs deny (CONTROLS.md §3), one tuple per idea. Pure data: scp_documents.py builds
the documents from them, tests/components/test_scp_classes.py checks each class against botocore's operation list.
"""

from __future__ import annotations

# Region deny: only services whose API is global (one endpoint, whatever the caller's region) or whose calls must
# reach us-east-1 / us-west-2 (billing, support, health, marketplace, Route 53, CloudFront, Global Accelerator,
# Network Manager, ECR Public, the S3 account-level and Multi-Region Access Point calls). Regional services (KMS,
# Config, ACM, Access Analyzer, WAFv2, Direct Connect, ...) are not exempt: they work in the allowed regions only.
# The pipeline needs nothing else outside them: budgets and Cost Explorer (components/budgets.py) call us-east-1
# and are listed; every other resource is created in an allowed region.
REGION_EXEMPT_ACTIONS = (
    "account:*", "artifact:*", "aws-marketplace-management:*", "aws-marketplace:*", "aws-portal:*", "billing:*",
    "billingconductor:*", "budgets:*", "ce:*", "chatbot:*", "cloudfront:*", "consolidatedbilling:*", "cur:*",
    "ec2:DescribeRegions", "ecr-public:*", "freetier:*", "globalaccelerator:*", "health:*", "iam:*", "invoicing:*",
    "networkmanager:*", "notifications:*", "organizations:*", "payments:*", "pricing:*",
    "route53-recovery-control-config:*", "route53-recovery-readiness:*", "route53:*", "route53domains:*",
    "s3:CreateMultiRegionAccessPoint", "s3:DeleteMultiRegionAccessPoint",
    "s3:DescribeMultiRegionAccessPointOperation", "s3:GetAccountPublicAccessBlock", "s3:GetBucketLocation",
    "s3:GetMultiRegionAccessPoint", "s3:GetMultiRegionAccessPointPolicy", "s3:GetMultiRegionAccessPointPolicyStatus",
    "s3:ListAllMyBuckets", "s3:ListMultiRegionAccessPoints", "s3:PutAccountPublicAccessBlock",
    "s3:PutMultiRegionAccessPointPolicy", "savingsplans:*", "shield:*", "sts:*", "support:*", "supportapp:*",
    "supportplans:*", "sustainability:*", "tax:*", "trustedadvisor:*", "waf:*",
)  # fmt: skip

CLOUDTRAIL_ACTIONS = ("cloudtrail:DeleteTrail", "cloudtrail:PutEventSelectors", "cloudtrail:StopLogging",
                      "cloudtrail:UpdateTrail")  # fmt: skip
CONFIG_ACTIONS = (
    "config:DeleteConfigurationRecorder", "config:DeleteDeliveryChannel", "config:DeleteRetentionConfiguration",
    "config:PutConfigurationRecorder", "config:PutDeliveryChannel", "config:PutRetentionConfiguration",
    "config:StopConfigurationRecorder", "config:PutConfigRule", "config:DeleteConfigRule",
    "config:DeleteEvaluationResults", "config:PutConfigurationAggregator", "config:DeleteConfigurationAggregator",
    "config:DeleteOrganizationConfigRule", "config:PutOrganizationConfigRule",
    "config:DeleteOrganizationConformancePack", "config:PutOrganizationConformancePack",
)  # fmt: skip
# LZA GRSEC, and everything else an account administrator could use to blind a detective service while leaving it
# "enabled": member detectors' features, trusted IP lists and suppression filters, archive rules, automation rules
# and configuration policies that close or suppress findings, delegated administration, DNS Firewall and query-log
# associations.
SECURITY_SERVICE_ACTIONS = (
    "guardduty:Accept*", "guardduty:ArchiveFindings", "guardduty:CreateFilter", "guardduty:CreateIPSet",
    "guardduty:CreateMembers", "guardduty:DeclineInvitations", "guardduty:Delete*", "guardduty:Disassociate*",
    "guardduty:DisableOrganizationAdminAccount", "guardduty:InviteMembers", "guardduty:StopMonitoringMembers",
    "guardduty:Update*",
    "securityhub:Accept*", "securityhub:BatchDeleteAutomationRules", "securityhub:BatchDisableStandards",
    "securityhub:BatchUpdateAutomationRules", "securityhub:BatchUpdateFindings*",
    "securityhub:BatchUpdateStandardsControlAssociations", "securityhub:CreateAutomationRule*",
    "securityhub:CreateConfigurationPolicy", "securityhub:CreateMembers", "securityhub:DeclineInvitations",
    "securityhub:Delete*", "securityhub:Disassociate*", "securityhub:Disable*", "securityhub:InviteMembers",
    "securityhub:StartConfigurationPolicy*", "securityhub:UpdateAggregatorV2", "securityhub:UpdateAutomationRule*",
    "securityhub:UpdateConfigurationPolicy", "securityhub:UpdateConnector*", "securityhub:UpdateFindings",
    "securityhub:UpdateFindingAggregator", "securityhub:UpdateOrganizationConfiguration",
    "securityhub:UpdateSecurityControl", "securityhub:UpdateSecurityHubConfiguration",
    "securityhub:UpdateStandardsControl",
    "inspector2:CreateFilter", "inspector2:Disable*", "inspector2:DisassociateMember",
    "inspector2:EnableDelegatedAdminAccount", "inspector2:UpdateConfiguration", "inspector2:UpdateFilter",
    "inspector2:UpdateOrganizationConfiguration",
    "access-analyzer:ApplyArchiveRule", "access-analyzer:CreateArchiveRule", "access-analyzer:DeleteAnalyzer",
    "access-analyzer:DeleteArchiveRule", "access-analyzer:UpdateArchiveRule", "access-analyzer:UpdateFindings",
    "route53resolver:DeleteFirewall*", "route53resolver:DeleteResolverQueryLogConfig",
    "route53resolver:DisassociateFirewallRuleGroup", "route53resolver:DisassociateResolverQueryLogConfig",
    "route53resolver:UpdateFirewall*",
    "macie2:DisableMacie", "macie2:DisableOrganizationAdminAccount", "macie2:DisassociateFromAdministratorAccount",
    "macie2:DisassociateFromMasterAccount", "macie2:DisassociateMember", "macie2:DeleteMember",
    "macie2:UpdateMacieSession",
)  # fmt: skip
# Identity Center is the way in (CONTROLS IAM-06): no IAM users, no long-lived keys, no console passwords.
IAM_USER_ACTIONS = ("iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile")
# Nor another way in that outlives an Identity Center revocation: an outside SAML or OIDC identity provider, or a
# Roles Anywhere trust anchor (certificates from a CA the account administrator holds).
IDENTITY_PROVIDER_ACTIONS = (
    "iam:AddClientIDToOpenIDConnectProvider", "iam:CreateOpenIDConnectProvider", "iam:CreateSAMLProvider",
    "iam:UpdateOpenIDConnectProviderThumbprint", "iam:UpdateSAMLProvider", "rolesanywhere:*",
)  # fmt: skip
# Control Tower's role protection: everything that changes who can assume a role or what it may do, or removes it
# (CreateRole: a deleted role re-created with another trust policy).
ROLE_PROTECTION_ACTIONS = (
    "iam:AttachRolePolicy", "iam:CreateRole", "iam:DeleteRole", "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy",
    "iam:UpdateAssumeRolePolicy", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:TagRole", "iam:UntagRole",
)  # fmt: skip
BASELINE_ACTIONS = (
    "account:EnableRegion", "account:DisableRegion", "account:DeleteAlternateContact", "account:PutAlternateContact",
    "ec2:DisableEbsEncryptionByDefault", "ec2:ModifyEbsDefaultKmsKeyId", "ec2:ModifyInstanceMetadataDefaults",
    "ec2:DisableImageBlockPublicAccess", "ec2:DisableSnapshotBlockPublicAccess", "s3:PutAccountPublicAccessBlock",
    "iam:UpdateAccountPasswordPolicy", "iam:DeleteAccountPasswordPolicy",
)  # fmt: skip
DEFAULT_VPC_ACTIONS = ("ec2:CreateDefaultVpc", "ec2:CreateDefaultSubnet")
LOG_BUCKET_ACTIONS = (
    "s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:PutBucketPolicy", "s3:PutEncryptionConfiguration",
    "s3:PutBucketLogging", "s3:PutLifecycleConfiguration", "s3:PutBucketVersioning", "s3:PutBucketObjectLockConfiguration",
    "s3:PutBucketPublicAccessBlock", "s3:PutBucketAcl", "s3:PutBucketOwnershipControls", "s3:PutReplicationConfiguration",
    "s3:DeleteObjectVersion",
)  # fmt: skip
LOG_KEY_ALIAS = "alias/landing-zone/log-archive"  # components/security/ names the log archive key so
# Everything that makes the log archive key unusable or hands it to someone else (CreateGrant, a policy change).
LOG_KEY_ACTIONS = (
    "kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:CreateGrant", "kms:DisableKeyRotation",
    "kms:UpdatePrimaryRegion", "kms:ReplicateKey",
)  # fmt: skip
LOG_KEY_ALIAS_ACTIONS = ("kms:DeleteAlias", "kms:UpdateAlias")  # the alias is what the key statement matches on
BACKUP_ACTIONS = (
    "backup:DeleteBackupPlan", "backup:DeleteBackupSelection", "backup:DeleteBackupVault",
    "backup:DeleteBackupVaultAccessPolicy", "backup:DeleteBackupVaultNotifications", "backup:DeleteBackupVaultLockConfiguration",
    "backup:DeleteRecoveryPoint", "backup:PutBackupVaultAccessPolicy", "backup:PutBackupVaultNotifications",
    "backup:UpdateBackupPlan", "backup:UpdateRecoveryPointLifecycle", "backup:UpdateRegionSettings",
)  # fmt: skip
# LZA GRNETSEC2, completed to the whole class (tests/components/test_scp_classes.py walks botocore's EC2
# operations): whatever creates, replaces, associates or modifies a VPC, subnet, route, route table, gateway,
# endpoint, network ACL, DHCP option set, peering, Transit Gateway or IPAM object. Accounts consume the network;
# a data subnet moved onto a public route table, or an endpoint's policy opened, is a network change.
NETWORK_ACTIONS = (
    "ec2:Accept*TransitGateway*", "ec2:AcceptVpc*", "ec2:AllocateAddress", "ec2:AssociateAddress",
    "ec2:Associate*Gateway*", "ec2:AssociateDhcpOptions", "ec2:AssociateRoute*", "ec2:AssociateSubnetCidrBlock",
    "ec2:AssociateTransitGateway*", "ec2:AssociateVpcCidrBlock", "ec2:Attach*Gateway", "ec2:Create*Gateway",
    "ec2:CreateDhcpOptions", "ec2:CreateNetworkAcl*", "ec2:CreateRoute*", "ec2:Create*Subnet*",
    "ec2:CreateTransitGateway*", "ec2:CreateVpc*", "ec2:CreateVpn*", "ec2:Delete*Gateway", "ec2:DeleteDhcpOptions",
    "ec2:DeleteFlowLogs", "ec2:DeleteNetworkAcl*", "ec2:DeleteRoute*", "ec2:Delete*Subnet*",
    "ec2:DeleteTransitGateway*", "ec2:DeleteVpc*", "ec2:DeleteVpn*", "ec2:Detach*Gateway", "ec2:Disable*Propagation",
    "ec2:Disassociate*Gateway*", "ec2:DisassociateRoute*", "ec2:DisassociateSubnetCidrBlock",
    "ec2:DisassociateTransitGateway*", "ec2:DisassociateVpcCidrBlock", "ec2:Enable*Propagation", "ec2:ModifyRoute*",
    "ec2:ModifySubnetAttribute", "ec2:ModifyTransitGateway*", "ec2:ModifyVpc*", "ec2:Reject*TransitGateway*",
    "ec2:RejectVpc*", "ec2:ReplaceNetworkAcl*", "ec2:ReplaceRoute*", "ec2:ReplaceTransitGatewayRoute",
    "ec2:ReplaceVpnTunnel", "ec2:AllocateIpamPoolCidr", "ec2:CreateIpam*", "ec2:DeleteIpam*",
    "ec2:ModifyIpam*", "ec2:ReleaseIpamPoolAllocation", "ec2:AssociateIpam*", "ec2:DisassociateIpam*",
    "ec2:EnableIpam*", "ec2:DisableIpam*", "ec2:CreateLocalGateway*", "ec2:DeleteLocalGateway*",
    "ec2:ModifyLocalGateway*",
)  # fmt: skip
# The resource side of the data perimeter (AWS data-perimeter guidance, resource_perimeter_scp): the calls that put
# data into a resource, allowed only into the organization's own resources. A task's own credentials can then no
# longer copy data to an outside bucket, queue, topic or stream; reads of AWS-owned resources (ECR layers, package
# repositories) stay possible.
DATA_WRITE_ACTIONS = (
    "s3:PutObject", "s3:PutObjectAcl", "s3:ReplicateObject", "sqs:SendMessage", "sns:Publish",
    "kinesis:PutRecord*", "firehose:PutRecord*", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem",
    "secretsmanager:PutSecretValue", "logs:PutLogEvents", "lambda:InvokeFunction",
)  # fmt: skip
