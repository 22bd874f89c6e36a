"""The network hub of one region, in the network account: Transit Gateway, RAM share, one route table per segment.

The TGW never associates or propagates by default and never auto-accepts shared attachments: every attachment is
accepted explicitly from the network account and wired to its segment's table by SegmentRouting (routing.py), from
the plan derived in landing_zone/routing.py. A CMK-encrypted log-group key serves the hub's VPN and Client VPN logs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountArgs, AccountComponent
from components.context import AccountContext
from components.lookups import lookup


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


@dataclass(frozen=True, kw_only=True)
class OnHubArgs:
    """Args of a component that lives on a hub: in the network account, in the hub's region."""

    hub: HubHandle

    @property
    def account(self) -> AccountContext:
        return self.hub.network

    @property
    def region(self) -> str:
        return self.hub.region


@dataclass(frozen=True, kw_only=True)
class NetworkHubArgs(AccountArgs):
    """account: the network account. route_table_segments: the segments (and the peering's `transit` table)."""

    organization_name: str  # prefix of the physical names
    amazon_side_asn: int
    route_table_segments: tuple[str, ...]
    organization_arn: pulumi.Input[str]  # the RAM share's principal
    # RAM sharing with the organization (a share to the organization is refused before it); an arg because
    # children do not inherit a component's depends_on
    sharing_enabled: tuple[pulumi.Resource, ...] = ()


class NetworkHub(AccountComponent[NetworkHubArgs]):
    """TGW + RAM share + segment route tables of one region."""

    TOKEN = "network:NetworkHub"

    def __init__(self, name: str, args: NetworkHubArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        org_name, region = args.organization_name, args.region
        self.transit_gateway = aws.ec2transitgateway.TransitGateway(
            self.child_name("tgw"),
            description=f"{org_name} landing zone hub ({region})",
            amazon_side_asn=args.amazon_side_asn,
            auto_accept_shared_attachments="disable",  # NET-09: attachments are accepted explicitly (vpc.py)
            default_route_table_association="disable",  # every attachment gets its segment's table
            default_route_table_propagation="disable",
            dns_support="enable",
            vpn_ecmp_support="enable",
            multicast_support="disable",
            tags={"Name": f"{org_name}-{region}-tgw"},
            opts=self.child_opts(protect=True),
        )
        self.share, self.share_links = self._share_with_organization()
        self.route_tables = self._segment_tables()
        self.log_key = self._log_key()
        self.handle = HubHandle(
            region=region,
            network=self.account,
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

    def _share_with_organization(self):
        share = aws.ram.ResourceShare(
            self.child_name("tgw-share"),
            name=f"{self.args.organization_name}-{self.region}-tgw",
            allow_external_principals=False,  # only accounts of the organization may attach
            opts=self.child_opts(),
        )
        resource = aws.ram.ResourceAssociation(
            self.child_name("tgw-share-tgw"), resource_arn=self.transit_gateway.arn, resource_share_arn=share.arn,
            opts=self.child_opts(),
        )
        principal = aws.ram.PrincipalAssociation(
            self.child_name("tgw-share-org"), principal=self.args.organization_arn, resource_share_arn=share.arn,
            opts=self.child_opts(depends_on=list(self.args.sharing_enabled)),
        )
        return share, [resource, principal]

    def _segment_tables(self) -> dict[str, aws.ec2transitgateway.RouteTable]:
        return {
            segment: aws.ec2transitgateway.RouteTable(
                self.child_name(f"tgw-rt-{segment}"),
                transit_gateway_id=self.transit_gateway.id,
                # the policy pack and `lz reach` read the segment from this tag
                tags={"Name": f"{self.args.organization_name}-{self.region}-{segment}", "segment": segment},
                opts=self.child_opts(),
            )
            for segment in self.args.route_table_segments
        }

    def _log_key(self) -> aws.kms.Key:
        """CMK for the hub's log groups (VPN tunnels, Client VPN connections): rotation on, explicit policy."""
        partition = lookup(aws.get_partition_output, account=self.account, region=self.region, parent=self)
        policy = pulumi.Output.all(partition.partition, self.account.account_id).apply(
            lambda args: json.dumps(log_key_policy(args[0], args[1], self.region)))
        key = aws.kms.Key(
            self.child_name("network-logs-key"),
            description=f"CloudWatch Logs of the network hub ({self.region})",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=policy,
            opts=self.child_opts(),
        )
        aws.kms.Alias(self.child_name("network-logs-key-alias"), name="alias/landing-zone/network-logs",
                      target_key_id=key.key_id, opts=self.child_opts())
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
