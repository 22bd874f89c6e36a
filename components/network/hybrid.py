"""Hybrid connectivity on a hub: site-to-site VPNs, the Direct Connect gateway, and the Client VPN (the SSL VPN).

VPN and Direct Connect attachments belong to the `hybrid` segment (SegmentRouting associates them with its table);
the Client VPN lives in the network account's home VPC and reaches the segments it is authorized for through the
TGW. Every log group is CMK-encrypted (the hub's key) with the configured retention.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountComponent
from components.network.hub import HubHandle, OnHubArgs
from landing_zone.client_vpn import CLIENT_VPN_MAX_ASSOCIATIONS
from landing_zone.models import ClientVpn, CustomerGateway, DirectConnect
from landing_zone.segments import HYBRID
from landing_zone.validation import ALL_USERS, project_path

STATIC_CGW_ASN = 65000  # AWS needs an ASN on every customer gateway, even with static routing


def _log_group(name: str, hub: HubHandle, log_name: str, retention_days: int, parent: pulumi.Resource):
    return aws.cloudwatch.LogGroup(
        name, name=log_name, retention_in_days=retention_days, kms_key_id=hub.log_key_arn,
        opts=hub.network.opts(hub.region, parent=parent))


@dataclass(frozen=True, kw_only=True)
class HybridConnectivityArgs(OnHubArgs):
    vpn: tuple[CustomerGateway, ...]  # the site-to-site VPNs that terminate on this hub (landing_zone.routing.vpn_region)
    direct_connect: DirectConnect | None = None  # on the home hub only
    direct_connect_prefixes: tuple[str, ...] = ()  # advertised on-premises (landing_zone.routing.direct_connect_prefixes)
    organization_name: str  # prefix of the Direct Connect gateway's name
    log_retention_days: int


class HybridConnectivity(AccountComponent[HybridConnectivityArgs]):
    """Site-to-site VPNs of a region and, in the home region, the Direct Connect gateway association."""

    TOKEN = "network:HybridConnectivity"

    def __init__(self, name: str, args: HybridConnectivityArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        self.attachment_ids: dict[str, pulumi.Output[str]] = {}  # attachment key (landing_zone.routing) -> TGW attachment id
        self.vpn_connections: dict[str, aws.ec2.VpnConnection] = {}
        for gw in args.vpn:
            self._vpn(gw)
        self.dx_association = None
        if args.direct_connect:
            self._direct_connect(args.direct_connect)
        self.register_outputs({"attachmentIds": self.attachment_ids})

    def _vpn(self, gw: CustomerGateway) -> None:
        customer_gateway = aws.ec2.CustomerGateway(
            self.child_name(f"cgw-{gw.name}"), bgp_asn=str(gw.bgp_asn or STATIC_CGW_ASN), ip_address=gw.ip_address,
            type="ipsec.1", tags={"Name": self.child_name(f"cgw-{gw.name}")}, opts=self.child_opts())
        log_group = _log_group(self.child_name(f"vpn-{gw.name}-logs"), self.args.hub,
                               f"/landing-zone/network/vpn/{gw.name}", self.args.log_retention_days, self)
        tunnel: dict = {}
        for i in (1, 2):
            tunnel[f"tunnel{i}_log_options"] = {"cloudwatch_log_options": {
                "log_enabled": True, "log_group_arn": log_group.arn, "log_output_format": "json"}}
            tunnel[f"tunnel{i}_ike_versions"] = ["ikev2"]
            tunnel[f"tunnel{i}_phase1_encryption_algorithms"] = ["AES256-GCM-16", "AES256"]
            tunnel[f"tunnel{i}_phase2_encryption_algorithms"] = ["AES256-GCM-16", "AES256"]
            tunnel[f"tunnel{i}_phase1_integrity_algorithms"] = ["SHA2-256", "SHA2-384", "SHA2-512"]
            tunnel[f"tunnel{i}_phase2_integrity_algorithms"] = ["SHA2-256", "SHA2-384", "SHA2-512"]
            tunnel[f"tunnel{i}_phase1_dh_group_numbers"] = [20, 21]
            tunnel[f"tunnel{i}_phase2_dh_group_numbers"] = [20, 21]
            if gw.tunnel_preshared_keys:
                # from the stack's secrets; never in plaintext state
                tunnel[f"tunnel{i}_preshared_key"] = pulumi.Output.secret(gw.tunnel_preshared_keys[i - 1].get_secret_value())
        vpn = aws.ec2.VpnConnection(
            self.child_name(f"vpn-{gw.name}"),
            customer_gateway_id=customer_gateway.id,
            transit_gateway_id=self.args.hub.transit_gateway_id,
            type="ipsec.1",
            static_routes_only=gw.bgp_asn is None,
            tags={"Name": self.child_name(f"vpn-{gw.name}"), "segment": HYBRID},
            **tunnel,
            opts=self.child_opts(additional_secret_outputs=["tunnel1PresharedKey", "tunnel2PresharedKey"]),
        )
        self.vpn_connections[gw.name] = vpn
        self.attachment_ids[f"vpn:{gw.name}"] = vpn.transit_gateway_attachment_id

    def _direct_connect(self, dx: DirectConnect) -> None:
        gateway = aws.directconnect.Gateway(
            self.child_name(f"dxgw-{dx.name}"), name=f"{self.args.organization_name}-{dx.name}",
            amazon_side_asn=str(dx.amazon_side_asn), opts=self.child_opts())
        # Only the data-warehouse accounts' ranges are advertised on-premises.
        self.dx_association = aws.directconnect.GatewayAssociation(
            self.child_name(f"dxgw-{dx.name}-tgw"), dx_gateway_id=gateway.id,
            associated_gateway_id=self.args.hub.transit_gateway_id,
            allowed_prefixes=list(self.args.direct_connect_prefixes), opts=self.child_opts())
        self.attachment_ids[f"dx:{dx.name}"] = self.dx_association.transit_gateway_attachment_id


def group_slug(group: str) -> str:
    """A logical-name-safe form of an IdP group; a hash keeps two groups that differ only in odd characters apart."""
    if group == ALL_USERS:
        return "all-users"
    slug = re.sub(r"[^A-Za-z0-9._-]", "_", group)
    return slug if slug == group else f"{slug}-{hashlib.sha256(group.encode()).hexdigest()[:8]}"


@dataclass(frozen=True, kw_only=True)
class ClientVpnEndpointArgs(OnHubArgs):
    """hub: the home hub (the endpoint lives in the network account's home VPC)."""

    client_vpn: ClientVpn
    authorized_ranges: Mapping[str, Sequence[str]]  # identity-provider group -> its ranges (authorization_ranges)
    routes: Sequence[str]  # pushed to clients (client_vpn_routes of every authorized range)
    vpc_id: pulumi.Input[str]
    vpc_cidr: str
    subnet_ids: Sequence[pulumi.Input[str]]  # the VPC's private subnets: the first CLIENT_VPN_MAX_ASSOCIATIONS
    organization_name: str
    log_retention_days: int


class ClientVpnEndpoint(AccountComponent[ClientVpnEndpointArgs]):
    """The administrators' SSL VPN, in the network account's home VPC (private subnets), split tunnel.

    Its server certificate (ACM) and SAML provider (IAM) are created here, in the network account and home region,
    unless the config adopts existing ones (validated to be in that account and region): AWS accepts no other.
    Each identity-provider group is authorized for its own ranges only (NET-11); routes cover every authorized range
    and client route enforcement keeps clients from overriding them.
    """

    TOKEN = "network:ClientVpnEndpoint"

    def __init__(self, name: str, args: ClientVpnEndpointArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        cvpn, vpc_id, subnet_ids = args.client_vpn, args.vpc_id, args.subnet_ids
        rules = {group: list(ranges) for group, ranges in args.authorized_ranges.items()}
        authorized = list(dict.fromkeys(c for ranges in rules.values() for c in ranges))
        self.security_group = aws.ec2.SecurityGroup(
            self.child_name("client-vpn-sg"), vpc_id=vpc_id,
            description="Client VPN: clients reach only the authorized segments",
            ingress=[],  # nothing connects to the endpoint's ENIs from the VPC side
            egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": [c],
                     "description": f"Client VPN to authorized range {c}"} for c in authorized],
            tags={"Name": self.child_name("client-vpn-sg")}, opts=self.child_opts())
        log_group = _log_group(self.child_name("client-vpn-logs"), args.hub, "/landing-zone/network/client-vpn",
                               args.log_retention_days, self)
        log_stream = aws.cloudwatch.LogStream(self.child_name("client-vpn-log-stream"), name="connections",
                                              log_group_name=log_group.name, opts=self.child_opts())
        self.server_certificate_arn = self._server_certificate(cvpn)
        if cvpn.authentication == "saml":
            auth = {"type": "federated-authentication", "saml_provider_arn": self._saml_provider(cvpn)}
        else:  # clients issued by the server certificate's CA unless a client CA is named (AWS mutual-auth guide)
            auth = {"type": "certificate-authentication",
                    "root_certificate_chain_arn": cvpn.client_root_certificate_arn or self.server_certificate_arn}
        self.endpoint = aws.ec2clientvpn.Endpoint(
            self.child_name("client-vpn"),
            description=f"{args.organization_name} administrators' VPN",
            client_cidr_block=cvpn.cidr,
            server_certificate_arn=self.server_certificate_arn,
            authentication_options=[auth],
            split_tunnel=cvpn.split_tunnel,
            session_timeout_hours=cvpn.session_timeout_hours,
            transport_protocol="udp",
            vpn_port=443,
            self_service_portal="disabled",
            vpc_id=vpc_id,
            security_group_ids=[self.security_group.id],
            # clients may not add or change routes that steer VPN traffic elsewhere (AWS client 5.2+)
            client_route_enforcement_options={"enforced": True},
            connection_log_options={"enabled": True, "cloudwatch_log_group": log_group.name,
                                    "cloudwatch_log_stream": log_stream.name},
            tags={"Name": self.child_name("client-vpn")},
            opts=self.child_opts(),
        )
        self.associations = [
            aws.ec2clientvpn.NetworkAssociation(self.child_name(f"client-vpn-assoc-{i}"),
                                                client_vpn_endpoint_id=self.endpoint.id, subnet_id=subnet_id,
                                                opts=self.child_opts())
            for i, subnet_id in enumerate(subnet_ids[:CLIENT_VPN_MAX_ASSOCIATIONS])
        ]
        self.authorization_rules = [
            aws.ec2clientvpn.AuthorizationRule(
                self.child_name(f"client-vpn-authz-{group_slug(group)}-{cidr.replace('/', '_')}"),
                client_vpn_endpoint_id=self.endpoint.id, target_network_cidr=cidr,
                **({"authorize_all_groups": True} if group == ALL_USERS else {"access_group_id": group}),
                description=f"{'every user' if group == ALL_USERS else group} may reach {cidr}",
                # the endpoint serves clients only once a subnet is associated: rules follow the associations
                opts=self.child_opts(depends_on=self.associations))
            for group, ranges in rules.items() for cidr in ranges
        ]
        vpc_net = ipaddress.IPv4Network(args.vpc_cidr)
        for block in args.routes:
            if ipaddress.IPv4Network(block).subnet_of(vpc_net):
                continue  # the VPC's own range is routed by the association itself
            for i, association in enumerate(self.associations):
                aws.ec2clientvpn.Route(
                    self.child_name(f"client-vpn-route-{block.replace('/', '_')}-{i}"),
                    client_vpn_endpoint_id=self.endpoint.id, destination_cidr_block=block,
                    target_vpc_subnet_id=association.subnet_id,
                    description=f"{block} through the VPC and the Transit Gateway", opts=self.child_opts())
        self.register_outputs({"endpointId": self.endpoint.id, "dnsName": self.endpoint.dns_name})

    def _server_certificate(self, cvpn: ClientVpn) -> pulumi.Input[str]:
        """The configured certificate imported into ACM here (the key stays a secret in the state), or the adopted ARN."""
        cert = cvpn.server_certificate
        if cert is None:
            return cvpn.server_certificate_arn  # type: ignore[return-value]
        imported = aws.acm.Certificate(
            self.child_name("client-vpn-server-certificate"),
            certificate_body=project_path(cert.certificate_file).read_text(),
            certificate_chain=project_path(cert.chain_file).read_text() if cert.chain_file else None,
            private_key=pulumi.Output.secret(cert.private_key.get_secret_value()),
            tags={"Name": self.child_name("client-vpn-server-certificate")},
            opts=self.child_opts(additional_secret_outputs=["privateKey"]))
        return imported.arn

    def _saml_provider(self, cvpn: ClientVpn) -> pulumi.Input[str]:
        """The IAM SAML provider made from the IdP's metadata in the network account, or the adopted ARN."""
        if cvpn.saml_metadata_file is None:
            return cvpn.saml_provider_arn  # type: ignore[return-value]
        provider = aws.iam.SamlProvider(
            self.child_name("client-vpn-saml"), name=f"{self.args.organization_name}-client-vpn",
            saml_metadata_document=project_path(cvpn.saml_metadata_file).read_text(),
            opts=self.child_opts())
        return provider.arn
