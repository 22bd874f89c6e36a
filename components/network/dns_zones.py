"""Private hosted zones per environment (network.resolver.private_zones), owned by the network account.

A private zone needs one VPC when it is created: the network account's home VPC (ignore_changes on `vpcs`, so the
zone never fights the ZoneAssociations). Every VPC of the zone's environment is then associated: a VPC of another
account first gets an authorization from the zone owner (VpcAssociationAuthorization, network account), then the
association is made by the VPC's owner (ZoneAssociation, its own provider), in that order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountArgs, AccountComponent
from components.context import AccountContext, VpcHandle
from components.network.dns import SpokeDns, domain_slug


@dataclass(frozen=True, kw_only=True)
class PrivateZonesArgs(AccountArgs):
    """account: the network account; region: its home region (the zones' first VPC)."""

    organization_name: str
    zones: Mapping[str, str]  # environment -> domain of its private zone (network.resolver.private_zones)
    first_vpc: VpcHandle | None  # the network account's VPC in the home region (None: zone_ids are given)
    vpcs: tuple[SpokeDns, ...]  # every VPC, every region
    zone_ids: Mapping[str, pulumi.Input[str]] | None = None  # split mode, an account stack: the zones the network
    # stack created (environment -> zone id); only `vpcs` are authorized and associated


class PrivateZones(AccountComponent[PrivateZonesArgs]):
    TOKEN = "network:PrivateZones"

    def __init__(self, name: str, args: PrivateZonesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        self.zone_ids: dict[str, pulumi.Input[str]] = dict(args.zone_ids or {})
        for env, domain in args.zones.items():
            if args.zone_ids is None:
                self.zone_ids[env] = aws.route53.Zone(
                    self.child_name(f"zone-{domain_slug(domain)}"), name=domain,
                    comment=f"{env} private zone of {args.organization_name}",
                    vpcs=[{"vpc_id": args.first_vpc.vpc_id, "vpc_region": self.region}],
                    tags={"Name": domain, "environment": env},
                    opts=self.child_opts(ignore_changes=["vpcs"])).zone_id
            for spoke in args.vpcs:
                if spoke.account.environment == env and spoke.vpc is not args.first_vpc:
                    self._associate(self.zone_ids[env], domain, spoke.account, spoke.vpc)
        self.register_outputs({"zoneIds": self.zone_ids} if args.zone_ids is None else {})

    def _associate(self, zone_id: pulumi.Input[str], domain: str, acct: AccountContext, vpc: VpcHandle) -> None:
        purpose = f"zone-{domain_slug(domain)}-assoc"
        wait: list[pulumi.Resource] = []
        if acct.name != self.account.name:  # another account's VPC: the zone owner authorizes it first
            wait.append(aws.route53.VpcAssociationAuthorization(
                self.child_name(f"zone-{domain_slug(domain)}-auth-{acct.name}", vpc.region), zone_id=zone_id,
                vpc_id=vpc.vpc_id, vpc_region=vpc.region, opts=self.child_opts(vpc.region)))
        aws.route53.ZoneAssociation(
            acct.resource_name(vpc.region, purpose), zone_id=zone_id, vpc_id=vpc.vpc_id, vpc_region=vpc.region,
            opts=acct.opts(vpc.region, parent=self, depends_on=wait))
