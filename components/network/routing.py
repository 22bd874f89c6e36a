"""Segment routing of one hub: associations, propagations, static and blackhole routes from landing_zone.routing.

The plan says which attachment goes where; this component only creates the resources, in the network account.
Logical names carry the table's segment and the attachment key or destination, so appending an account adds
resources and never renames existing ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountComponent
from components.network.hub import OnHubArgs
from landing_zone.routing import RegionPlan


def _slug(text: str) -> str:
    return text.replace(":", "-").replace("/", "_")


@dataclass(frozen=True, kw_only=True)
class SegmentRoutingArgs(OnHubArgs):
    plan: RegionPlan  # the hub region's plan (landing_zone.routing.region_plan)
    attachment_ids: Mapping[str, pulumi.Input[str]]  # attachment key -> TGW attachment id (accepted), every key of the plan


class SegmentRouting(AccountComponent[SegmentRoutingArgs]):
    TOKEN = "network:SegmentRouting"

    def __init__(self, name: str, args: SegmentRoutingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        plan, attachment_ids = args.plan, args.attachment_ids
        missing = sorted({k for t in plan.tables.values() for k in [*t.associate, *t.propagate, *t.static.values()]}
                         - set(attachment_ids))
        if missing:
            raise ValueError(f"segment routing of {self.region}: no attachment for {', '.join(missing)}")
        self.associations, self.propagations, self.routes = [], [], []
        for segment, table in plan.tables.items():
            table_id = args.hub.route_table_ids[segment]
            opts_ = self.child_opts()
            for key in table.associate:
                self.associations.append(aws.ec2transitgateway.RouteTableAssociation(
                    self.child_name(f"tgw-assoc-{_slug(key)}"),
                    transit_gateway_attachment_id=attachment_ids[key], transit_gateway_route_table_id=table_id,
                    replace_existing_association=True, opts=opts_))
            for key in table.propagate:
                self.propagations.append(aws.ec2transitgateway.RouteTablePropagation(
                    self.child_name(f"tgw-prop-{segment}-{_slug(key)}"),
                    transit_gateway_attachment_id=attachment_ids[key], transit_gateway_route_table_id=table_id,
                    opts=opts_))
            for cidr, key in table.static.items():
                self.routes.append(aws.ec2transitgateway.Route(
                    self.child_name(f"tgw-route-{segment}-{_slug(cidr)}"),
                    destination_cidr_block=cidr, transit_gateway_attachment_id=attachment_ids[key],
                    transit_gateway_route_table_id=table_id, opts=opts_))
            for cidr in table.blackhole:
                self.routes.append(aws.ec2transitgateway.Route(
                    self.child_name(f"tgw-blackhole-{segment}-{_slug(cidr)}"),
                    destination_cidr_block=cidr, blackhole=True, transit_gateway_route_table_id=table_id,
                    opts=opts_))
        self.register_outputs({"associations": len(self.associations), "propagations": len(self.propagations),
                               "routes": len(self.routes)})
