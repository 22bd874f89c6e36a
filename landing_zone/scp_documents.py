"""Service control policy documents generated from the config (CONTROLS.md §3), and AWS's size limit on them.

Pure: no pulumi import, so `lz validate` checks the documents the program will attach. One implementation serves
components/organization.py (the Policy resources) and landing_zone/validation.py (the limit check).

The six bundles (models.ScpName; action catalogues in scp_actions.py):
- guardrails: never leave the organization, no root user, no IAM users, no outside identity provider (SAML, OIDC,
  Roles Anywhere), keep CloudTrail / Config / EBS default encryption / the S3 account public access block / IMDS
  defaults / alternate contacts as the landing zone set them, no default VPC, KMS keys deleted only after >= 30 days.
- security-services: GuardDuty / Security Hub / Inspector / Access Analyzer / Macie / DNS Firewall and Resolver
  query logging stay enabled, associated and unsuppressed (no filters, IP sets, archive or automation rules).
- region-restriction: nothing outside organization.allowed_regions, except truly global services.
- data-protection: IMDSv2 only, no unencrypted RDS / EFS, data written only into resources of the caller's own
  organization (aws:ResourceOrgID). (No deny of S3 PutObject without an encryption header: it breaks SDK / CLI /
  Athena uploads that rely on bucket default encryption, and S3 encrypts every new object.)
- protect-logs-and-backups: the log archive buckets, the log archive KMS key and AWS Backup stay as configured; no
  principal bypasses object-lock GOVERNANCE retention.
- network-lockdown: only the landing zone changes the network (LZA GRNETSEC2, completed to routes, route-table
  associations, endpoints, subnet attributes, network ACLs and DHCP options).
guardrails also denies RAM sharing outside the organization and protects every exempted principal (below).
At most SCPS_PER_TARGET of them on the root or one OU (`lz validate`).

Exemptions. Statements that protect what the landing zone itself manages exempt the landing zone's access role
(organization.access_role_name, the role the pipeline assumes in every member account), always in one shape:
`"Condition": {"ArnNotLike": {"aws:PrincipalArn": [<patterns of exempted_principals(cfg)>]}}`; everything else
applies to every principal. An exemption is only as strong as the exempted role: guardrails (attached at the root,
so in every member account; `lz validate` requires that wherever an exempting SCP is attached) carries
`ProtectExemptedPrincipals`, which denies every IAM change to those roles (trust policy, policies, boundary, tags,
deletion, re-creation) with `"Resource"` = the same patterns, except by the roles themselves.
SCPs never apply to the management account or to service-linked roles.

Resource control policies (RCP_NAMES, attached at the root): the TLS-only and organization-only data perimeter on
the resources of every member account (aws-samples data-perimeter-policy-examples, AWS's RCP examples), and, when
organization.access_role_assumers is set, who may assume the access role. SCPs cannot do the latter: the callers
are management-account principals and SCPs do not apply to the management account; RCPs apply to the member
account's role whoever calls.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from landing_zone.log_delivery import elb_delivery_accounts
from landing_zone.models import LandingZoneConfig, ScpName
from landing_zone.scp_actions import (
    BACKUP_ACTIONS,
    BASELINE_ACTIONS,
    CLOUDTRAIL_ACTIONS,
    CONFIG_ACTIONS,
    DATA_WRITE_ACTIONS,
    DEFAULT_VPC_ACTIONS,
    IAM_USER_ACTIONS,
    IDENTITY_PROVIDER_ACTIONS,
    LOG_BUCKET_ACTIONS,
    LOG_KEY_ACTIONS,
    LOG_KEY_ALIAS,
    LOG_KEY_ALIAS_ACTIONS,
    NETWORK_ACTIONS,
    REGION_EXEMPT_ACTIONS,
    ROLE_PROTECTION_ACTIONS,
    SECURITY_SERVICE_ACTIONS,
)

__all__ = ["LOG_KEY_ALIAS"]  # components/security/ names the log archive key with it
SCP_MAX_CHARACTERS = 5120  # AWS counts the document without whitespace outside strings (RCPs: the same limit)
# At most five SCPs per root, OU or account; AWS's FullAWSAccess (the allow every deny-list SCP strategy needs)
# holds one of them, so four of ours.
SCPS_PER_TARGET = 5 - 1
SCP_NAMES: tuple[ScpName, ...] = (
    "guardrails", "security-services", "region-restriction", "data-protection", "protect-logs-and-backups",
    "network-lockdown",
)  # fmt: skip

DESCRIPTIONS: dict[str, str] = {
    "guardrails": "Stay in the organization, no root user, no IAM users or outside identity providers, keep "
                  "CloudTrail, Config and the account baseline intact",
    "security-services": "GuardDuty, Security Hub, Inspector, Access Analyzer, Macie and DNS Firewall stay as the "
                         "landing zone set them; findings are not suppressed",
    "region-restriction": "Deny requests outside the allowed regions (global services exempt)",
    "data-protection": "IMDSv2 only; no unencrypted RDS or EFS; data written only into the organization's resources",
    "protect-logs-and-backups": "The log archive buckets and key and AWS Backup cannot be changed; no object-lock bypass",
    "network-lockdown": "Only the landing zone pipeline changes VPCs, subnets, routes, gateways, endpoints and the TGW",
}

class ScpTooLarge(ValueError):
    """A generated SCP exceeds AWS's size limit."""


def access_role_pattern(cfg: LandingZoneConfig) -> str:
    """The landing zone's role in every member account, in any partition."""
    return f"arn:*:iam::*:role/{cfg.organization.access_role_name}"


def exempted_principals(cfg: LandingZoneConfig) -> list[str]:
    """Every principal an SCP statement exempts (aws:PrincipalArn patterns): the pipeline's access role only. Each
    is a role ARN pattern, so the same string is the Resource of the statement that protects it."""
    return [access_role_pattern(cfg)]


def log_bucket_pattern(cfg: LandingZoneConfig) -> str:
    """Every bucket of the log archive (components/security/ names them `<org>-log-archive-...`)."""
    return f"arn:*:s3:::{log_bucket_prefix(cfg)}*"


def log_bucket_prefix(cfg: LandingZoneConfig) -> str:
    return f"{cfg.organization.name}-log-archive-"


def elb_logs_bucket_prefix(cfg: LandingZoneConfig) -> str:
    """The log archive's ELB access-log buckets (`...-elb-<account id>-<region>`), the only place outsiders write."""
    return f"{log_bucket_prefix(cfg)}elb-"


def _deny(sid: str, actions: tuple[str, ...] | str, condition: dict | None = None, resource: Any = "*") -> dict:
    statement: dict[str, Any] = {"Sid": sid, "Effect": "Deny", "Action": list(actions) if isinstance(actions, tuple) else actions,
                                 "Resource": resource}  # fmt: skip
    if condition:
        statement["Condition"] = condition
    return statement


def _unless_exempted(cfg: LandingZoneConfig, extra: dict | None = None) -> dict:
    """The one shape of every exemption (what pack rule X-18 reads)."""
    return {"ArnNotLike": {"aws:PrincipalArn": exempted_principals(cfg)}, **(extra or {})}


def _document(statements: list[dict]) -> dict:
    return {"Version": "2012-10-17", "Statement": statements}


def exempting_scps(cfg: LandingZoneConfig) -> list[str]:
    """The used SCPs with at least one exemption (they rely on guardrails' ProtectExemptedPrincipals)."""
    return [name for name in used_scps(cfg)
            if any("ArnNotLike" in s.get("Condition", {}) for s in scp_document(name, cfg)["Statement"])]


def guardrails(cfg: LandingZoneConfig) -> dict:
    pipeline_only = _unless_exempted(cfg)
    return _document([
        _deny("DenyLeaveOrganization", "organizations:LeaveOrganization"),
        # LZA GRRU: a root session opened with sts:AssumeRoot (centralized root access) carries aws:AssumedRoot
        _deny("DenyRootUser", "*", {"ArnLike": {"aws:PrincipalArn": "arn:*:iam::*:root"}, "Null": {"aws:AssumedRoot": "true"}}),
        # Nobody edits the exempted roles but themselves: otherwise an account admin rewrites the access role's trust,
        # assumes it and every exemption below is theirs.
        _deny("ProtectExemptedPrincipals", ROLE_PROTECTION_ACTIONS, pipeline_only, resource=exempted_principals(cfg)),
        _deny("DenyIamUsers", IAM_USER_ACTIONS),
        # RAM: no share that allows external principals, no association to one, no invitation from outside
        # (shares inside the organization create no invitations)
        _deny("DenyExternalResourceShares", ("ram:CreateResourceShare", "ram:UpdateResourceShare"),
              {"Bool": {"ram:RequestedAllowsExternalPrincipals": "true"}}),
        _deny("DenyAssociationsToExternalShares", "ram:AssociateResourceShare", {"Bool": {"ram:AllowsExternalPrincipals": "true"}}),
        _deny("DenyExternalShareInvitations", "ram:AcceptResourceShareInvitation"),
        _deny("ProtectCloudTrail", CLOUDTRAIL_ACTIONS, pipeline_only),
        _deny("ProtectConfig", CONFIG_ACTIONS, pipeline_only),
        _deny("DenyIdentityProviders", IDENTITY_PROVIDER_ACTIONS, pipeline_only),
        _deny("ProtectAccountBaseline", BASELINE_ACTIONS + DEFAULT_VPC_ACTIONS, pipeline_only),
        _deny("DenyShortKmsKeyDeletion", "kms:ScheduleKeyDeletion",
              {"NumericLessThan": {"kms:ScheduleKeyDeletionPendingWindowInDays": "30"}}),
        # Every account's backup bucket has a GOVERNANCE-mode lock, not only those of the OUs that get
        # protect-logs-and-backups: the bypass is denied at the root too, without exemption (pack rule X-18).
        _deny("DenyObjectLockBypass", "s3:BypassGovernanceRetention"),
        *session_statement(cfg),
    ])  # fmt: skip


def security_services(cfg: LandingZoneConfig) -> dict:
    return _document([_deny("ProtectSecurityServices", SECURITY_SERVICE_ACTIONS, _unless_exempted(cfg))])


SESSION_ACTIONS = ("ssm:StartSession", "ssm:ResumeSession")


def sso_role_pattern(permission_set: str) -> str:
    """The role Identity Center provisions for a permission set in every account (AWS-protected path)."""
    return f"arn:*:iam::*:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_{permission_set}_*"


def session_statement(cfg: LandingZoneConfig) -> list[dict]:
    """security.session_manager: only the admin permission sets' roles (and the pipeline) open Session Manager
    shells. Who, not where: StartSession reaches the public SSM endpoint from the admin's laptop (split-tunnel
    Client VPN) or the console, so aws:SourceIp / aws:SourceVpc do not tell the VPN apart (docs/session-manager.md)."""
    sessions = cfg.security.session_manager
    if sessions is None:
        return []
    allowed = [*exempted_principals(cfg), *(sso_role_pattern(p) for p in sessions.admin_permission_sets)]
    return [_deny("SessionsOnlyForAdmins", SESSION_ACTIONS, {"ArnNotLike": {"aws:PrincipalArn": allowed}})]


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
        _deny("ProtectInstanceMetadataOptions", "ec2:ModifyInstanceMetadataOptions", _unless_exempted(cfg)),
        _deny("DenyUnencryptedRds", ("rds:CreateDBInstance", "rds:CreateDBCluster"), {"Bool": {"rds:StorageEncrypted": "false"}}),
        _deny("DenyUnencryptedEfs", "elasticfilesystem:CreateFileSystem", {"Bool": {"elasticfilesystem:Encrypted": "false"}}),
        # the resource perimeter: the caller's own organization, as a policy variable (no organization id needed)
        _deny("DenyWritesOutsideOrganization", DATA_WRITE_ACTIONS,
              {"StringNotEqualsIfExists": {"aws:ResourceOrgID": "${aws:PrincipalOrgID}"}}),
    ])  # fmt: skip


def protect_logs_and_backups(cfg: LandingZoneConfig) -> dict:
    pipeline_only = _unless_exempted(cfg)
    bucket = log_bucket_pattern(cfg)
    return _document([
        _deny("ProtectLogArchiveBuckets", LOG_BUCKET_ACTIONS, pipeline_only, resource=[bucket, f"{bucket}/*"]),
        # The key every log is encrypted with, found by its alias (its ARN is random); the alias itself cannot move.
        _deny("ProtectLogArchiveKey", LOG_KEY_ACTIONS,
              _unless_exempted(cfg, {"ForAnyValue:StringEquals": {"kms:ResourceAliases": LOG_KEY_ALIAS}})),
        _deny("ProtectLogArchiveKeyAlias", LOG_KEY_ALIAS_ACTIONS, pipeline_only, resource=f"arn:*:kms:*:*:{LOG_KEY_ALIAS}"),
        # Object lock in GOVERNANCE mode (backup buckets, a GOVERNANCE log archive) holds only if nobody may bypass
        # it: no exemption, the pipeline never needs to. Lifting it takes detaching this SCP from the management
        # account, a reviewed change, which COMPLIANCE mode would not allow at all.
        _deny("DenyObjectLockBypass", "s3:BypassGovernanceRetention"),
        _deny("ProtectObjectLockSettings", "s3:PutBucketObjectLockConfiguration", pipeline_only),
        _deny("ProtectBackups", BACKUP_ACTIONS, pipeline_only),
    ])  # fmt: skip


def network_lockdown(cfg: LandingZoneConfig) -> dict:
    return _document([_deny("NetworkChangesOnlyByLandingZone", NETWORK_ACTIONS, _unless_exempted(cfg))])


BUILDERS = {
    "guardrails": guardrails,
    "security-services": security_services,
    "region-restriction": region_restriction,
    "data-protection": data_protection,
    "protect-logs-and-backups": protect_logs_and_backups,
    "network-lockdown": network_lockdown,
}


# --- resource control policies -------------------------------------------------------------------------------------
RCP_NAMES = ("data-perimeter",)
RCP_DESCRIPTIONS = {
    "data-perimeter": "TLS only; only the organization's principals (and AWS services acting for it) reach its resources",
}
# The services RCPs support that hold the landing zone's data and credentials (LZA's RCP, CONTROLS.md §3).
RCP_ACTIONS = ("s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:*")
# aws-samples identity_perimeter_rcp.json: the sts actions an outside principal could call on our resources
# (AssumeRoleWithWebIdentity / WithSAML are left out: CI and SSO federate through them, IAM-09 guards those trusts)
IDENTITY_PERIMETER_ACTIONS = (
    "s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:AssumeRole", "sts:DecodeAuthorizationMessage",
    "sts:GetAccessKeyInfo", "sts:GetFederationToken", "sts:GetServiceBearerToken", "sts:GetSessionToken",
    "sts:SetContext",
)  # fmt: skip
ORG_ID_PLACEHOLDER = "o-" + "x" * 32  # the longest organization id: what `lz validate` measures the RCP with


def data_perimeter(cfg: LandingZoneConfig, org_id: str) -> dict:
    """AWS's RCP examples (orgs_manage_policies_rcps_examples, aws-samples data-perimeter-policy-examples):
    - EnforceSecureTransport: no plain-HTTP call to S3, SQS, KMS, Secrets Manager or STS.
    - EnforceOrgIdentities: only principals of the organization (or AWS services) act on them; the regional ELB
      accounts that write ALB access logs are let in on the ELB log buckets' objects only (EnforceOrgIdentitiesElbLogs).
    - EnforceConfusedDeputyProtection: an AWS service acts on them only for an account of the organization.
    - RestrictAccessRoleAssumption (organization.access_role_assumers set): only those principals assume the access
      role (its trust policy, written by Organizations, lets every principal of the management account).
    RCPs do not apply to the management account, to service-linked roles, or to AWS managed KMS keys."""
    def outsiders_denied(sid: str, actions: tuple[str, ...], exempt: dict, **where: Any) -> dict:
        return {"Sid": sid, "Effect": "Deny", "Principal": "*", "Action": list(actions), **where,
                "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": org_id, **exempt},
                              "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}

    statements = [
        {"Sid": "EnforceSecureTransport", "Effect": "Deny", "Principal": "*", "Action": list(RCP_ACTIONS),
         "Resource": "*", "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}},
    ]  # fmt: skip
    if elb_accounts := elb_delivery_accounts(cfg):
        # the regional ELB accounts reach nothing but the objects of the ELB access-log buckets
        elb_objects = f"arn:*:s3:::{elb_logs_bucket_prefix(cfg)}*/*"
        statements += [
            outsiders_denied("EnforceOrgIdentities", IDENTITY_PERIMETER_ACTIONS, {}, NotResource=elb_objects),
            outsiders_denied("EnforceOrgIdentitiesElbLogs", ("s3:*",), {"aws:PrincipalAccount": elb_accounts},
                             Resource=elb_objects),
        ]
    else:
        statements.append(outsiders_denied("EnforceOrgIdentities", IDENTITY_PERIMETER_ACTIONS, {}, Resource="*"))
    statements += [
        {"Sid": "EnforceConfusedDeputyProtection", "Effect": "Deny", "Principal": "*", "Action": list(RCP_ACTIONS),
         "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:SourceOrgID": org_id},
                                        "Null": {"aws:SourceAccount": "false"},
                                        "Bool": {"aws:PrincipalIsAWSService": "true"}}},
    ]  # fmt: skip
    if cfg.organization.access_role_assumers:
        statements.append({
            "Sid": "RestrictAccessRoleAssumption", "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole",
            "Resource": access_role_pattern(cfg),
            "Condition": {"ArnNotLike": {"aws:PrincipalArn": list(cfg.organization.access_role_assumers)}},
        })  # fmt: skip
    return _document(statements)


RCP_BUILDERS = {"data-perimeter": data_perimeter}


def rcp_document(name: str, cfg: LandingZoneConfig, org_id: str = ORG_ID_PLACEHOLDER) -> dict:
    return RCP_BUILDERS[name](cfg, org_id)


def rcp_documents(cfg: LandingZoneConfig, org_id: str) -> dict[str, str]:
    """name -> minified RCP for the organization `org_id`; raises ScpTooLarge (same 5,120-character limit)."""
    return {name: check_size(f"RCP {name}", rcp_document(name, cfg, org_id)) for name in RCP_NAMES}


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
        label = name if name.startswith("RCP ") else f"SCP {name}"
        raise ScpTooLarge(f"{label} is {len(text)} characters, over AWS's limit of {limit} (minified JSON); "
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
    """Validation hook (landing_zone.validation.cross_check): one error per SCP or RCP over the limit, and an
    exemption nothing protects, each naming its field."""
    for name in used_scps(cfg):
        try:
            check_size(name, scp_document(name, cfg))
        except ScpTooLarge as e:
            yield f"{_attached_at(cfg, name)}: {e}"
    for name in RCP_NAMES:
        try:
            check_size(f"RCP {name}", rcp_document(name, cfg))
        except ScpTooLarge as e:
            yield f"organization.access_role_assumers: {e}"
    yield from _unprotected_exemptions(cfg)
    yield from _too_many_per_target(cfg)
    mgmt = cfg.organization.management_account_id
    for i, arn in enumerate(cfg.organization.access_role_assumers):
        if arn.split(":")[4] != mgmt:
            yield (f"organization.access_role_assumers[{i}]: {arn} is not in the management account {mgmt}; "
                   f"the access role trusts only the management account")


def _unprotected_exemptions(cfg: LandingZoneConfig) -> Iterator[str]:
    """An SCP that exempts the access role is attached while guardrails, which protects that role, is not attached
    at the root (so not in every account the exemption reaches)."""
    if "guardrails" in cfg.organization.scps:
        return
    exempting = exempting_scps(cfg)
    if exempting:
        yield (f"organization.scps: add guardrails: {', '.join(exempting)} exempt "
               f"{cfg.organization.access_role_name}, and only guardrails at the root stops account administrators "
               f"from changing that role's trust policy and taking the exemption")


def _too_many_per_target(cfg: LandingZoneConfig) -> Iterator[str]:
    """AWS refuses a sixth SCP on a target, and FullAWSAccess is one of the five."""
    targets = [("organization.scps", cfg.organization.scps)]
    targets += [(f"organizational_units[{i}].scps", ou.scps) for i, ou in enumerate(cfg.organizational_units)]
    for field, names in targets:
        if len(set(names)) > SCPS_PER_TARGET:
            yield (f"{field}: {len(set(names))} SCPs, AWS allows 5 per target and FullAWSAccess holds one; attach at "
                   f"most {SCPS_PER_TARGET} (move some to a parent OU or the root)")


def _attached_at(cfg: LandingZoneConfig, name: str) -> str:
    if name in cfg.organization.scps:
        return "organization.scps"
    i = next(i for i, ou in enumerate(cfg.organizational_units) if name in ou.scps)
    return f"organizational_units[{i}].scps"
