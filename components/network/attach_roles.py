"""The network account's roles of a split organization: one `landing-zone-attach-<account>` per workload account.

An account stack (landing_zone/stacks.py, layer 2) builds its spoke VPCs in its own account, but the hub side of
their Transit Gateway attachment lives in the network account: accepting the attachment, wiring it to the route
tables the routing plan names (landing_zone.routing.attachment_tables), and authorizing its VPCs on its environment's
private zone. It does that through this role, never the network account's access role, so its pipeline job can touch
nothing of another account's attachment or of a segment it is not wired to. Only that stack's deploy role (management
account, bootstrap/roles.py) may assume it.

What IAM lets us scope (Service Authorization Reference, EC2 and Route 53):
- route tables: the exact ARNs of the tables its attachment is associated with, propagated to, or routed from; the
  association and propagation only in its own segment's table, static routes only in the tables that route to it;
- attachments: wiring, tagging and deleting only an attachment tagged with its own `segment` (the accepter tags it);
  a `segment` tag is set only where there is none or it is its own;
- private zones: only its environment's zone, only for VPCs of its regions (`route53:VPCs`).
What it cannot scope (no condition key exists):
- AcceptTransitGatewayVpcAttachment: a pending attachment carries no tag in the TGW owner's account, and the action has
  no key for the requesting VPC or account: it may accept any pending attachment of the hub's regions (accepting wires
  nothing: an attachment routes only once associated, and that needs its segment tag);
- CreateTransitGatewayRoute/DeleteTransitGatewayRoute: no key for the destination CIDR: in the tables it may route in,
  it could add or delete a route to another CIDR (the network stack's plan and `lz reach` show such a drift);
- route53:VPCs names a VPC id the network stack cannot know (the account stack creates the VPC later): any VPC of
  its regions.
- Describe*/Get*/Search* of the Transit Gateway have no resource-level permissions: reads are limited to its regions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.base import AccountArgs, AccountComponent
from components.lookups import lookup
from landing_zone.routing import AttachmentTables
from landing_zone.stacks import network_role_name

# What an account stack creates in the network account, i.e. what the policy below must allow (a test checks every
# account stack's plan against it: a resource of another type there would be refused on the first `pulumi up`).
ATTACH_ROLE_RESOURCES = (
    "aws:ec2transitgateway/vpcAttachmentAccepter:VpcAttachmentAccepter",
    "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation",
    "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation",
    "aws:ec2transitgateway/route:Route",
    "aws:route53/vpcAssociationAuthorization:VpcAssociationAuthorization",
)
SEGMENT_TAG = "segment"  # what the accepter tags the attachment with (components/network/vpc.py)
TGW_READS = ("ec2:DescribeTransitGateways", "ec2:DescribeTransitGatewayAttachments",
             "ec2:DescribeTransitGatewayVpcAttachments", "ec2:DescribeTransitGatewayRouteTables",
             "ec2:GetTransitGatewayRouteTableAssociations", "ec2:GetTransitGatewayRouteTablePropagations",
             "ec2:SearchTransitGatewayRoutes", "ec2:DescribeTags")
ASSOCIATE = ("ec2:AssociateTransitGatewayRouteTable", "ec2:DisassociateTransitGatewayRouteTable")
PROPAGATE = ("ec2:EnableTransitGatewayRouteTablePropagation", "ec2:DisableTransitGatewayRouteTablePropagation")
ROUTE = ("ec2:CreateTransitGatewayRoute", "ec2:DeleteTransitGatewayRoute")
ZONE_AUTHORIZATIONS = ("route53:CreateVPCAssociationAuthorization", "route53:DeleteVPCAssociationAuthorization")
ZONE_READS = ("route53:GetHostedZone", "route53:ListVPCAssociationAuthorizations")


@dataclass(frozen=True)
class AttachingAccount:
    """A workload account whose stack attaches to the hubs: who it is and where its attachments are wired."""

    name: str
    segment: str
    environment: str
    deploy_role_arn: str  # its stack's deploy role (landing_zone.stacks.deploy_role_arn): the only one trusted
    tables: Mapping[str, AttachmentTables]  # hub region -> landing_zone.routing.attachment_tables(plan, vpc:<name>)


@dataclass(frozen=True, kw_only=True)
class AttachRolesArgs(AccountArgs):
    """account: the network account; region: where its IAM calls go (IAM is global: each role once)."""

    accounts: tuple[AttachingAccount, ...]
    route_table_ids: Mapping[str, Mapping[str, pulumi.Input[str]]]  # hub region -> segment -> TGW route table id
    private_zone_ids: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)  # environment -> hosted zone id


class AttachRoles(AccountComponent[AttachRolesArgs]):
    TOKEN = "network:AttachRoles"

    def __init__(self, name: str, args: AttachRolesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        missing = [f"{a.name}: {region}" for a in args.accounts for region in a.tables
                   if not set(a.tables[region].all) <= set(args.route_table_ids.get(region, {}))]
        if missing:
            raise ValueError(f"attach roles: no route table ids for {', '.join(missing)}")
        partition = lookup(aws.get_partition_output, account=self.account, region=self.region, parent=self).partition
        self.roles = {a.name: self._role(a, partition) for a in args.accounts}
        self.register_outputs({"roleArns": {name: role.arn for name, role in self.roles.items()}})

    def _role(self, acct: AttachingAccount, partition: pulumi.Output[str]) -> aws.iam.Role:
        role = aws.iam.Role(
            self.child_name(f"attach-role-{acct.name}"),
            name=network_role_name(acct.name),
            description=f"The {acct.name} stack's hub side: its TGW attachments and private-zone authorizations",
            assume_role_policy=json.dumps(attach_trust(acct.deploy_role_arn)),
            max_session_duration=3600,
            opts=self.child_opts(),
        )
        tables = {region: {s: self.args.route_table_ids[region][s] for s in t.all} for region, t in acct.tables.items()}
        policy = pulumi.Output.all(
            network=self.account.account_id, partition=partition, tables=tables,
            zone=self.args.private_zone_ids.get(acct.environment),
        ).apply(lambda v: json.dumps(attach_policy(acct, v["network"], v["partition"], v["tables"], v["zone"])))
        aws.iam.RolePolicy(self.child_name(f"attach-role-{acct.name}-policy"), role=role.id, name="attach",
                           policy=policy, opts=self.child_opts())
        return role


def attach_trust(deploy_role_arn: str) -> dict:
    """Only the account stack's deploy role. IAM stores it as the role's unique id: the deploy role (bootstrap) must
    exist before the network stack creates this one, and a re-created deploy role is trusted again only after
    `pulumi up` of the network stack."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "AccountStackDeployRole", "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": deploy_role_arn},
    }]}


def attach_policy(acct: AttachingAccount, network_account_id: str, partition: str,
                  table_ids: Mapping[str, Mapping[str, str]], zone_id: str | None) -> dict:
    """The inline policy of `landing-zone-attach-<account>` (module docstring: what is scoped and what cannot be)."""
    def ec2(region: str, resource: str) -> str:
        return f"arn:{partition}:ec2:{region}:{network_account_id}:{resource}"

    def tables(pick: str) -> list[str]:
        return [ec2(region, f"transit-gateway-route-table/{table_ids[region][segment]}")
                for region, wiring in acct.tables.items() for segment in getattr(wiring, pick)]

    regions = list(acct.tables)
    attachments = [ec2(region, "transit-gateway-attachment/*") for region in regions]
    its_segment = {f"aws:ResourceTag/{SEGMENT_TAG}": acct.segment}
    statements: list[dict[str, Any]] = [
        _allow("AcceptAttachments", ["ec2:AcceptTransitGatewayVpcAttachment"], attachments),
        _allow("TagOnlyItsSegment", ["ec2:CreateTags", "ec2:DeleteTags"], attachments,
               {"StringEqualsIfExists": {**its_segment, f"aws:RequestTag/{SEGMENT_TAG}": acct.segment}}),
        _allow("WireOnlyItsSegmentsAttachments", [*ASSOCIATE, *PROPAGATE, "ec2:CreateTransitGatewayRoute",
                                                  "ec2:DeleteTransitGatewayVpcAttachment"],
               attachments, {"StringEquals": its_segment}),
        _allow("AssociateInItsSegmentsTable", list(ASSOCIATE), tables("associate")),
        _allow("PropagateToItsTables", list(PROPAGATE), tables("propagate")),
        _allow("RouteTowardItInTheTablesThatReachIt", list(ROUTE), tables("route")),
    ]
    if regions:
        statements.append(_allow("ReadTheHubs", list(TGW_READS), "*", {"StringEquals": {"aws:RequestedRegion": regions}}))
    if zone_id:
        zone = f"arn:{partition}:route53:::hostedzone/{zone_id}"
        statements += [
            _allow("AuthorizeVpcsOfItsRegionsOnItsZone", list(ZONE_AUTHORIZATIONS), zone, {
                "ForAllValues:StringLike": {"route53:VPCs": [f"VPCId=vpc-*,VPCRegion={r}" for r in regions]},
                "Null": {"route53:VPCs": "false"}}),
            _allow("ReadItsZone", list(ZONE_READS), zone),
        ]
    return {"Version": "2012-10-17", "Statement": [s for s in statements if s["Resource"]]}


def _allow(sid: str, actions: list[str], resource: str | list[str], condition: dict | None = None) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource,
            **({"Condition": condition} if condition else {})}
