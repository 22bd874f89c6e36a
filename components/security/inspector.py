"""Amazon Inspector, administered from the security account in every region: the delegation, the organization's
auto-enable, each member's association, and scanning enabled for the administrator and every member.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.context import AccountContext
from components.security.service import DelegatedServiceArgs, SecurityService

INSPECTOR_RESOURCE_TYPES = ["EC2", "ECR", "LAMBDA"]


@dataclass(frozen=True, kw_only=True)
class InspectorArgs(DelegatedServiceArgs):
    members: tuple[AccountContext, ...]  # every other account of the organization


class Inspector(SecurityService[InspectorArgs]):
    TOKEN = "security:Inspector"

    def __init__(self, name: str, args: InspectorArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        mgmt, sec = args.management, args.administrator
        for region in args.regions:
            delegation = aws.inspector2.DelegatedAdminAccount(
                mgmt.resource_name(region, "inspector-admin"), account_id=sec.account_id,
                opts=self.opts_in(mgmt, region, depends_on=list(args.org_ready)))
            after = [delegation]
            aws.inspector2.OrganizationConfiguration(
                sec.resource_name(region, "inspector-organization"),
                auto_enable={"ec2": True, "ecr": True, "lambda_": True, "lambda_code": False},
                opts=self.opts_in(sec, region, depends_on=after))
            associations = [aws.inspector2.MemberAssociation(
                sec.resource_name(region, f"inspector-member-{a.name}"), account_id=a.account_id,
                opts=self.opts_in(sec, region, depends_on=after)) for a in args.members]
            aws.inspector2.Enabler(
                sec.resource_name(region, "inspector"), account_ids=[sec.account_id, *(a.account_id for a in args.members)],
                resource_types=INSPECTOR_RESOURCE_TYPES, opts=self.opts_in(sec, region, depends_on=after + associations))
        self.register_outputs({})
