"""Config of the organization policies beyond SCPs and of the account lifecycle (`organization.policies`).

Its own module so that landing_zone/models.py (already long) only references it; no pulumi import.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

BACKUP_FLOOR_DAYS = 15  # the organization's backup retention floor (CONTROLS.md: backups kept 15 days)

# Tag policy enforcement: resource types whose create/tag calls AWS refuses when a tag value is not allowed
# ("Services and resource types that support enforcement", AWS Organizations user guide). Types not listed there
# are silently ignored by AWS at best and refused at worst, so the list is config with these documented defaults.
DEFAULT_TAG_ENFORCED_FOR = (
    "ec2:instance", "ec2:volume", "ec2:snapshot", "ec2:image", "ec2:vpc", "ec2:subnet", "ec2:security-group",
    "ec2:natgateway", "ec2:internet-gateway", "ec2:elastic-ip", "ec2:route-table", "ec2:network-acl",
    "ec2:launch-template", "ec2:transit-gateway", "rds:cluster", "rds:db", "secretsmanager:*",
)  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class OrganizationPolicies(_Strict):
    """Organization policies attached at the root (every member account) and the account lifecycle."""

    tag_policy: bool = True
    """Tag policy: the providers' tag keys (environment, account and organization.tags) with their capitalization,
    and the environment tag's values, enforced for `tag_enforced_for`."""
    tag_enforced_for: list[Annotated[str, Field(pattern=r"^[a-z0-9-]+:([a-z0-9-]+|\*|ALL_SUPPORTED)$")]] = list(
        DEFAULT_TAG_ENFORCED_FOR)
    """Resource types (service:type) on which a non-compliant tag value is refused."""
    backup_policy: bool = True
    """Backup policy: a daily plan in every member account and landing-zone region, kept `backup_retention_days`."""
    backup_retention_days: Annotated[int, Field(ge=BACKUP_FLOOR_DAYS)] = BACKUP_FLOOR_DAYS
    """Days the organization backup plan keeps each recovery point (the floor: 15)."""
    backup_vault_name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{2,50}$")] = "Default"
    """Vault the organization plan writes to in each account and region (it must exist there)."""
    backup_role_name: Annotated[str, Field(pattern=r"^[\w+=,.@/-]{1,128}$")] = "service-role/AWSBackupDefaultServiceRole"
    """Role (path/name) AWS Backup assumes in each account for the organization plan (it must exist there)."""
    backup_selection_tag: Annotated[str, Field(pattern=r"^[\w.:/=+@-]{1,128}$")] = "backup-policy"
    """Resources with this tag key (value `organization-daily`) are backed up by the organization plan."""
    ai_services_opt_out: bool = True
    """AI services opt-out: no AWS AI service stores or uses the organization's content to improve itself."""
    ec2_declarative_policy: bool = True
    """EC2 declarative policy: snapshot and AMI public sharing blocked, serial console off, IMDSv2 defaults, and
    VPC block public access (which blocks every default VPC's internet gateway)."""
    vpc_block_public_access: Literal["block_ingress", "block_bidirectional", "off"] = "block_ingress"
    """VPC BPA mode of the declarative policy; exclusions stay allowed so that a VPC's public subnets (the
    load balancers, NAT) can be excluded by the landing zone."""
    root_access_management: bool = True
    """Centralized root access: member accounts have no root credentials; privileged root sessions are taken from
    the management account (iam:AssumeRoot), independent of the identity provider."""
    suspended_ou: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9 _-]{0,63}$")] | None = "Suspended"
    """OU (directly under the root) that accounts with `state: suspended` move to; a deny-all SCP is attached to it."""
