"""Segment routing of one hub: associations, propagations, static and blackhole routes from landing_zone.routing.

The plan says which attachment goes where; this component only creates the resources, in the network account.
Logical names carry the table's segment and the attachment key or destination, so appending an account adds
resources and never renames existing ones.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.network.hub import HubHandle
from landing_zone.routing import RegionPlan


def _slug(text: str) -> str:
    return text.replace(":", "-").replace("/", "_")


class SegmentRouting(pulumi.ComponentResource):
    def __init__(self, name: str, *, hub: HubHandle, plan: RegionPlan, attachment_ids: dict[str, pulumi.Input[str]],
                 opts: pulumi.ResourceOptions | None = None):
        """attachment_ids: attachment key (landing_zone.routing) -> TGW attachment id (accepted), for every key of the plan."""
        super().__init__("landing-zone:network:SegmentRouting", name, None, opts)
        missing = sorted({k for t in plan.tables.values() for k in [*t.associate, *t.propagate, *t.static.values()]}
                         - set(attachment_ids))
        if missing:
            raise ValueError(f"segment routing of {hub.region}: no attachment for {', '.join(missing)}")
        self.associations, self.propagations, self.routes = [], [], []
        network, region = hub.network, hub.region
        for segment, table in plan.tables.items():
            table_id = hub.route_table_ids[segment]
            opts_ = network.opts(region, parent=self)
            for key in table.associate:
                self.associations.append(aws.ec2transitgateway.RouteTableAssociation(
                    network.resource_name(region, f"tgw-assoc-{_slug(key)}"),
                    transit_gateway_attachment_id=attachment_ids[key], transit_gateway_route_table_id=table_id,
                    replace_existing_association=True, opts=opts_))
            for key in table.propagate:
                self.propagations.append(aws.ec2transitgateway.RouteTablePropagation(
                    network.resource_name(region, f"tgw-prop-{segment}-{_slug(key)}"),
                    transit_gateway_attachment_id=attachment_ids[key], transit_gateway_route_table_id=table_id,
                    opts=opts_))
            for cidr, key in table.static.items():
                self.routes.append(aws.ec2transitgateway.Route(
                    network.resource_name(region, f"tgw-route-{segment}-{_slug(cidr)}"),
                    destination_cidr_block=cidr, transit_gateway_attachment_id=attachment_ids[key],
                    transit_gateway_route_table_id=table_id, opts=opts_))
            for cidr in table.blackhole:
                self.routes.append(aws.ec2transitgateway.Route(
                    network.resource_name(region, f"tgw-blackhole-{segment}-{_slug(cidr)}"),
                    destination_cidr_block=cidr, blackhole=True, transit_gateway_route_table_id=table_id,
                    opts=opts_))
        self.register_outputs({"associations": len(self.associations), "propagations": len(self.propagations),
                               "routes": len(self.routes)})
