"""Organization policies beyond SCPs, generated from the config: tag, backup, AI services opt-out and EC2
declarative policies (attached at the root), and the deny-all SCP of the Suspended OU.

Pure: no pulumi import. components/organization_policies.py creates and attaches them; the policy pack checks
(ORG-01) that every account reaches each one through its OU path and that the root enables every type used.
Management policies (everything but SCPs and RCPs) also apply to the management account.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from landing_zone.models import LandingZoneConfig
from landing_zone.scp_documents import exempted_principals

POLICY_TYPES = {
    "tag-policy": "TAG_POLICY",
    "backup-policy": "BACKUP_POLICY",
    "ai-services-opt-out": "AISERVICES_OPT_OUT_POLICY",
    "ec2-declarative": "DECLARATIVE_POLICY_EC2",
}
DESCRIPTIONS = {
    "tag-policy": "Landing-zone tag keys and environment values, enforced for the supported resource types",
    "backup-policy": "Organization backup plan: daily, kept at least the organization's floor",
    "ai-services-opt-out": "No AWS AI service stores or uses this organization's content",
    "ec2-declarative": "Snapshot and AMI public sharing blocked, serial console off, IMDSv2 defaults, VPC BPA",
}
DENY_ALL_SCP = "suspended-deny-all"
ENVIRONMENTS = ("prod", "nonprod", "sandbox", "core")  # models.Environment: the environment tag's only values
BACKUP_TAG_VALUE = "organization-daily"


@dataclass(frozen=True)
class OrgPolicy:
    name: str
    type: str
    description: str
    content: str  # minified JSON


def _assign(value) -> dict:
    return {"@@assign": value}


def tag_policy(cfg: LandingZoneConfig) -> dict:
    """Key capitalization for every provider tag key; values only for `environment` (a fixed set: an account added
    to the config never waits for a policy update before its resources can be tagged)."""
    enforced = _assign(list(cfg.organization.policies.tag_enforced_for))
    keys = ["environment", "account", *sorted(cfg.organization.tags)]
    tags = {}
    for key in keys:
        entry = {"tag_key": _assign(key), "enforced_for": enforced}
        if key == "environment":
            entry["tag_value"] = _assign(list(ENVIRONMENTS))
        tags[key.lower()] = entry
    return {"tags": tags}


def backup_policy(cfg: LandingZoneConfig) -> dict:
    p = cfg.organization.policies
    rule = {
        "schedule_expression": _assign("cron(0 2 ? * * *)"),
        "start_backup_window_minutes": _assign("60"),
        "complete_backup_window_minutes": _assign("1440"),
        "target_backup_vault_name": _assign(p.backup_vault_name),
        "lifecycle": {"delete_after_days": _assign(str(p.backup_retention_days))},
    }
    return {"plans": {"landing-zone-organization": {
        "regions": _assign(list(cfg.regions)),
        "rules": {"daily": rule},
        "selections": {"tags": {"tagged": {
            "iam_role_arn": _assign(f"arn:aws:iam::$account:role/{p.backup_role_name}"),
            "tag_key": _assign(p.backup_selection_tag),
            "tag_value": _assign([BACKUP_TAG_VALUE]),
        }}},
    }}}


def ai_services_opt_out(_cfg: LandingZoneConfig) -> dict:
    return {"services": {"default": {"opt_out_policy": _assign("optOut")}}}


def ec2_declarative(cfg: LandingZoneConfig) -> dict:
    """IMDS values match components/baseline.py's per-account defaults (hop limit 1; EKS nodes set 2 in their launch
    template, which overrides the default)."""
    attributes = {
        "snapshot_block_public_access": {"state": _assign("block_all_sharing")},
        "image_block_public_access": {"state": _assign("block_new_sharing")},
        "serial_console_access": {"status": _assign("disabled")},
        "instance_metadata_defaults": {
            "http_tokens": _assign("required"), "http_put_response_hop_limit": _assign("1"),
            "http_endpoint": _assign("enabled"), "instance_metadata_tags": _assign("disabled"),
        },
        "vpc_block_public_access": {"internet_gateway_block": {
            "mode": _assign(cfg.organization.policies.vpc_block_public_access),
            "exclusions_allowed": _assign("enabled"),
        }},
    }
    return {"ec2_attributes": attributes}


BUILDERS = {"tag-policy": tag_policy, "backup-policy": backup_policy, "ai-services-opt-out": ai_services_opt_out,
            "ec2-declarative": ec2_declarative}
SWITCHES = {"tag-policy": "tag_policy", "backup-policy": "backup_policy",
            "ai-services-opt-out": "ai_services_opt_out", "ec2-declarative": "ec2_declarative_policy"}


def _minified(document: dict) -> str:
    return json.dumps(document, separators=(",", ":"), sort_keys=True)


def organization_policies(cfg: LandingZoneConfig) -> list[OrgPolicy]:
    """The management policies the config switches on, in a stable order."""
    p = cfg.organization.policies
    return [OrgPolicy(name, POLICY_TYPES[name], DESCRIPTIONS[name], _minified(BUILDERS[name](cfg)))
            for name in BUILDERS if getattr(p, SWITCHES[name])]


def enabled_policy_types(cfg: LandingZoneConfig) -> list[str]:
    """What the root must enable before any attachment: SCPs and RCPs always, plus each management policy type used."""
    return sorted({"SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"} | {p.type for p in organization_policies(cfg)})


def deny_all_scp(cfg: LandingZoneConfig) -> str:
    """The Suspended OU's SCP: every principal denied everything, except the landing zone's access role, which the
    program still needs to delete the suspended account's resources (and which the data-perimeter RCP and
    guardrails keep to the pipeline), and the read-only preview role (organization.preview_role_name), which the
    previews and the drift check read the account through: without it they would fail on every suspended account.
    The statement also denies any change to those two roles by anyone else. SCPs never apply to service-linked
    roles."""
    exempt = list(exempted_principals(cfg))
    if cfg.organization.preview_role_name:
        exempt.append(f"arn:*:iam::*:role/{cfg.organization.preview_role_name}")
    statement = {"Sid": "DenyAllSuspended", "Effect": "Deny", "Action": "*", "Resource": "*",
                 "Condition": {"ArnNotLike": {"aws:PrincipalArn": exempt}}}
    return _minified({"Version": "2012-10-17", "Statement": [statement]})
