"""Organization policies beyond SCPs (landing_zone/organization_policies.py), the Suspended OU with its deny-all SCP,
and centralized root access: created in the management account by the Organization component.

Order AWS enforces: a management policy can be attached only once its type is enabled on the root
(Organization.enabled_policy_types, which the policies depend on); centralized root access needs trusted access for
iam.amazonaws.com (SERVICE_ACCESS_PRINCIPALS) first.
"""

from __future__ import annotations

from collections.abc import Callable

import pulumi
import pulumi_aws as aws

from landing_zone.organization_policies import DENY_ALL_SCP, OrgPolicy

ROOT_FEATURES = ["RootCredentialsManagement", "RootSessions"]


def attach_organization_policies(org_name: str, documents: list[OrgPolicy], root_id: pulumi.Input[str],
                                 opts: Callable[..., pulumi.ResourceOptions]) -> dict[str, aws.organizations.Policy]:
    """Each policy at the root: every account, the management account included, whatever its OU."""
    policies = {}
    for doc in documents:
        policies[doc.name] = aws.organizations.Policy(
            f"organization-policy-{doc.name}", name=f"{org_name}-{doc.name}", description=doc.description,
            type=doc.type, content=doc.content, opts=opts())
        aws.organizations.PolicyAttachment(f"organization-policy-{doc.name}-root", policy_id=policies[doc.name].id,
                                           target_id=root_id, opts=opts())
    return policies


def suspended_ou(name: str, org_name: str, deny_all: str, root_id: pulumi.Input[str], tags: dict[str, str],
                 opts: Callable[..., pulumi.ResourceOptions]) -> aws.organizations.OrganizationalUnit:
    """The OU suspended accounts move to, with a deny-all SCP (next to FullAWSAccess: 2 of the 5 SCPs per target)."""
    ou = aws.organizations.OrganizationalUnit("organization-ou-suspended", name=name, parent_id=root_id,
                                              tags={**tags, "managed-by": "landing-zone"}, opts=opts())
    scp = aws.organizations.Policy(
        f"organization-scp-{DENY_ALL_SCP}", name=f"{org_name}-{DENY_ALL_SCP}", type="SERVICE_CONTROL_POLICY",
        description="Suspended accounts: everything denied but the landing zone's teardown", content=deny_all,
        opts=opts())
    aws.organizations.PolicyAttachment(f"organization-scp-{DENY_ALL_SCP}-ou-suspended", policy_id=scp.id,
                                       target_id=ou.id, opts=opts())
    return ou


def centralized_root_access(opts: pulumi.ResourceOptions) -> aws.iam.OrganizationsFeatures:
    """Member accounts lose their root credentials; a management-account administrator takes a short root session
    (sts:AssumeRoot) when only root can act (an S3 or SQS policy that locks everyone out): break-glass that does
    not depend on the identity provider."""
    return aws.iam.OrganizationsFeatures("organization-root-access", enabled_features=ROOT_FEATURES, opts=opts)
