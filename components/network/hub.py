"""The network hub of one region, in the network account: Transit Gateway, RAM share, one route table per segment.

The TGW never associates or propagates by default and never auto-accepts shared attachments: every attachment is
accepted explicitly from the network account and wired to its segment's table by SegmentRouting (routing.py), from
the plan derived in landing_zone/routing.py. A CMK-encrypted log-group key serves the hub's VPN and Client VPN logs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.context import AccountContext
from components.lookups import lookup
from landing_zone.models import LandingZoneConfig
from landing_zone.routing import PEERING_TABLE, dr_transit_gateway_asn


@dataclass(frozen=True)
class HubHandle:
    """What spokes, hybrid connectivity and routing need from a hub."""

    region: str
    network: AccountContext
    transit_gateway_id: pulumi.Output[str]
    transit_gateway_arn: pulumi.Output[str]
    route_table_ids: dict[str, pulumi.Output[str]]  # segment (and `transit` for the peering) -> TGW route table id
    log_key_arn: pulumi.Output[str]  # CMK for the hub's CloudWatch log groups
    shared: list[pulumi.Resource]  # depend on these before attaching from another account (the RAM share)


class NetworkHub(pulumi.ComponentResource):
    """TGW + RAM share + segment route tables of one region."""

    def __init__(self, name: str, *, cfg: LandingZoneConfig, network: AccountContext, region: str,
                 organization_arn: pulumi.Input[str], sharing_enabled: Sequence[pulumi.Resource] = (),
                 opts: pulumi.ResourceOptions | None = None):
        """sharing_enabled: RAM sharing with the organization (a share to the organization is refused before it);
        named here because children do not inherit a component's depends_on."""
        super().__init__("landing-zone:network:NetworkHub", name, None, opts)
        self.region = region
        self._cfg, self._network = cfg, network
        asn = cfg.network.transit_gateway_asn if region == cfg.organization.home_region else dr_transit_gateway_asn(cfg)
        self.transit_gateway = aws.ec2transitgateway.TransitGateway(
            network.resource_name(region, "tgw"),
            description=f"{cfg.organization.name} landing zone hub ({region})",
            amazon_side_asn=asn,
            auto_accept_shared_attachments="disable",  # NET-09: attachments are accepted explicitly (vpc.py)
            default_route_table_association="disable",  # every attachment gets its segment's table
            default_route_table_propagation="disable",
            dns_support="enable",
            vpn_ecmp_support="enable",
            multicast_support="disable",
            tags={"Name": f"{cfg.organization.name}-{region}-tgw"},
            opts=network.opts(region, parent=self, protect=True),
        )
        self.share, self.share_links = self._share_with_organization(organization_arn, list(sharing_enabled))
        self.route_tables = self._segment_tables()
        self.log_key = self._log_key()
        self.handle = HubHandle(
            region=region,
            network=network,
            transit_gateway_id=self.transit_gateway.id,
            transit_gateway_arn=self.transit_gateway.arn,
            route_table_ids={segment: table.id for segment, table in self.route_tables.items()},
            log_key_arn=self.log_key.arn,
            shared=[*self.share_links],
        )
        self.register_outputs({
            "transitGatewayId": self.transit_gateway.id,
            "routeTableIds": self.handle.route_table_ids,
            "resourceShareArn": self.share.arn,
        })

    def _logical(self, purpose: str) -> str:
        return self._network.resource_name(self.region, purpose)

    def _child_opts(self, **kwargs) -> pulumi.ResourceOptions:
        return self._network.opts(self.region, parent=self, **kwargs)

    def _share_with_organization(self, organization_arn: pulumi.Input[str], sharing_enabled: list[pulumi.Resource]):
        share = aws.ram.ResourceShare(
            self._logical("tgw-share"),
            name=f"{self._cfg.organization.name}-{self.region}-tgw",
            allow_external_principals=False,  # only accounts of the organization may attach
            opts=self._child_opts(),
        )
        resource = aws.ram.ResourceAssociation(
            self._logical("tgw-share-tgw"), resource_arn=self.transit_gateway.arn, resource_share_arn=share.arn,
            opts=self._child_opts(),
        )
        principal = aws.ram.PrincipalAssociation(
            self._logical("tgw-share-org"), principal=organization_arn, resource_share_arn=share.arn,
            opts=self._child_opts(depends_on=sharing_enabled),
        )
        return share, [resource, principal]

    def _segment_tables(self) -> dict[str, aws.ec2transitgateway.RouteTable]:
        segments = list(self._cfg.network.segments)
        if self._cfg.organization.dr_region and self._cfg.network.dr_peering:
            segments.append(PEERING_TABLE)
        return {
            segment: aws.ec2transitgateway.RouteTable(
                self._logical(f"tgw-rt-{segment}"),
                transit_gateway_id=self.transit_gateway.id,
                # the policy pack and `lz reach` read the segment from this tag
                tags={"Name": f"{self._cfg.organization.name}-{self.region}-{segment}", "segment": segment},
                opts=self._child_opts(),
            )
            for segment in segments
        }

    def _log_key(self) -> aws.kms.Key:
        """CMK for the hub's log groups (VPN tunnels, Client VPN connections): rotation on, explicit policy."""
        partition = lookup(aws.get_partition_output, account=self._network, region=self.region, parent=self)
        policy = pulumi.Output.all(partition.partition, self._network.account_id).apply(
            lambda args: json.dumps(log_key_policy(args[0], args[1], self.region)))
        key = aws.kms.Key(
            self._logical("network-logs-key"),
            description=f"CloudWatch Logs of the network hub ({self.region})",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=policy,
            opts=self._child_opts(),
        )
        aws.kms.Alias(self._logical("network-logs-key-alias"), name="alias/landing-zone/network-logs", target_key_id=key.key_id,
                      opts=self._child_opts())
        return key


def log_key_policy(partition: str, account_id: str, region: str) -> dict:
    """The account administers the key; CloudWatch Logs may use it only for this account's log groups."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministers",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "CloudWatchLogsOfThisAccount",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                "Resource": "*",
                "Condition": {"ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": f"arn:{partition}:logs:{region}:{account_id}:log-group:*"}},
            },
        ],
    }
