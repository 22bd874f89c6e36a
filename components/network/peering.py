"""TGW peering between the home and the DR hub (both in the network account).

The peering attachment is requested from the home hub and accepted in the DR region; on each side it is associated
with the hub's `transit` table, and the per-segment static routes to the peer's ranges (landing_zone.routing) point at it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountComponent
from components.network.hub import HubHandle, OnHubArgs


@dataclass(frozen=True, kw_only=True)
class HubPeeringArgs(OnHubArgs):
    """hub: the home hub, which requests the peering; dr: the DR hub, which accepts it."""

    dr: HubHandle


class HubPeering(AccountComponent[HubPeeringArgs]):
    TOKEN = "network:HubPeering"

    def __init__(self, name: str, args: HubPeeringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        home, dr = args.hub, args.dr
        tags = {"Name": f"{home.region}-{dr.region}-tgw-peering"}
        self.attachment = aws.ec2transitgateway.PeeringAttachment(
            self.child_name(f"tgw-peering-{dr.region}"),
            transit_gateway_id=home.transit_gateway_id, peer_transit_gateway_id=dr.transit_gateway_id,
            peer_region=dr.region, peer_account_id=self.account.account_id, tags=tags, opts=self.child_opts())
        self.accepter = aws.ec2transitgateway.PeeringAttachmentAccepter(
            self.child_name(f"tgw-peering-{home.region}-accept", region=dr.region),
            transit_gateway_attachment_id=self.attachment.id, tags=tags, opts=self.child_opts(region=dr.region))
        # Routes and associations may only use the attachment once it is accepted: both ids wait for the accepter.
        self.home_attachment_id: pulumi.Output[str] = pulumi.Output.all(self.attachment.id, self.accepter.id).apply(
            lambda ids: ids[0])
        self.dr_attachment_id: pulumi.Output[str] = self.accepter.id
        self.register_outputs({"peeringAttachmentId": self.attachment.id})
