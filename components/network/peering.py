"""TGW peering between the home and the DR hub (both in the network account).

The peering attachment is requested from the home hub and accepted in the DR region; on each side it is associated
with the hub's `transit` table, and the per-segment static routes to the peer's ranges (landing_zone.routing) point at it.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.network.hub import HubHandle


class HubPeering(pulumi.ComponentResource):
    def __init__(self, name: str, *, home: HubHandle, dr: HubHandle, opts: pulumi.ResourceOptions | None = None):
        super().__init__("landing-zone:network:HubPeering", name, None, opts)
        network = home.network
        tags = {"Name": f"{home.region}-{dr.region}-tgw-peering"}
        self.attachment = aws.ec2transitgateway.PeeringAttachment(
            network.resource_name(home.region, f"tgw-peering-{dr.region}"),
            transit_gateway_id=home.transit_gateway_id, peer_transit_gateway_id=dr.transit_gateway_id,
            peer_region=dr.region, peer_account_id=network.account_id, tags=tags,
            opts=network.opts(home.region, parent=self))
        self.accepter = aws.ec2transitgateway.PeeringAttachmentAccepter(
            network.resource_name(dr.region, f"tgw-peering-{home.region}-accept"),
            transit_gateway_attachment_id=self.attachment.id, tags=tags,
            opts=network.opts(dr.region, parent=self))
        # Routes and associations may only use the attachment once it is accepted: both ids wait for the accepter.
        self.home_attachment_id: pulumi.Output[str] = pulumi.Output.all(self.attachment.id, self.accepter.id).apply(
            lambda ids: ids[0])
        self.dr_attachment_id: pulumi.Output[str] = self.accepter.id
        self.register_outputs({"peeringAttachmentId": self.attachment.id})
