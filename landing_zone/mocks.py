"""Deterministic AWS mocks for the offline plan and the test suite.

One implementation serves `lz plan` and every test (through tests/conftest.py). The mocks answer the way AWS and
the pulumi-aws provider would: account ids are stable fake 12-digit numbers, ARNs carry the partition, region and
account the resource lives in (the account its provider assumes a role into), ids carry AWS's prefixes, and the
invokes the program uses return realistic shapes.

Extending: add a row to RESOURCE_MOCKS (type token -> ResourceMock) or INVOKE_MOCKS (token -> function). Types not in
the table still get a stable id and, for AWS types, a plausible ARN.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi

from landing_zone.wire import RESOURCE_SIG, SIG_KEY, contains_secret, secret, unwrap_secret, unwrap_secrets

MANAGEMENT_ACCOUNT_ID = "111111111111"
DEFAULT_PARTITION = "aws"
DEFAULT_REGION = "us-east-1"
ORGANIZATION_ID = "o-exampleorg1"
ROOT_ID = "r-exam"
SSO_INSTANCE_ARN = "arn:aws:sso:::instance/ssoins-1111111111111111"
IDENTITY_STORE_ID = "d-1111111111"


# --- deterministic values ---------------------------------------------------------------------------------------


def digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def fake_hex(seed: str, length: int) -> str:
    return (digest(seed) * 2)[:length]


def fake_account_id(name: str) -> str:
    """A stable 12-digit account id for an account name (never starts with 0, never the management id)."""
    value = str(100000000000 + int(digest("account", name), 16) % 899999999999)
    return value if value != MANAGEMENT_ACCOUNT_ID else "222222222222"


def fake_uuid(seed: str) -> str:
    return str(uuid.UUID(fake_hex(seed, 32)))


def account_of_role_arn(role_arn: Any) -> str | None:
    role_arn = unwrap_secret(role_arn)
    if isinstance(role_arn, str) and role_arn.startswith("arn:") and role_arn.count(":") >= 5:
        account = role_arn.split(":")[4]
        return account if account.isdigit() else None
    return None


def provider_account_and_region(provider_inputs: Mapping[str, Any] | None) -> tuple[str | None, str | None]:
    """Read the account (from the assumed role) and region an aws.Provider targets.

    Provider inputs reach the engine JSON-encoded for non-string values (`assumeRoles` is a JSON string).
    """
    if not provider_inputs:
        return None, None
    region = unwrap_secret(provider_inputs.get("region"))
    roles = _maybe_json(unwrap_secret(provider_inputs.get("assumeRoles") or provider_inputs.get("assumeRole")))
    if isinstance(roles, Mapping):
        roles = [roles]
    if not isinstance(roles, list | tuple):  # unknown during preview (the account id is not known yet)
        roles = []
    account = None
    for role in roles:
        if isinstance(role, Mapping):
            account = account_of_role_arn(role.get("roleArn") or role.get("role_arn")) or account
    return account, region if isinstance(region, str) else None


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# --- context handed to each mock --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Where:
    """Where a resource or invoke lives: partition, region and account."""

    partition: str = DEFAULT_PARTITION
    region: str = DEFAULT_REGION
    account: str = MANAGEMENT_ACCOUNT_ID


@dataclass(frozen=True)
class ResourceCall:
    type: str
    name: str
    urn: str
    inputs: Mapping[str, Any]
    where: Where

    @property
    def seed(self) -> str:
        return self.urn or f"{self.type}::{self.name}"

    def get(self, key: str, default: Any = None) -> Any:
        return unwrap_secret(self.inputs.get(key, default))

    def physical_name(self, *keys: str) -> str:
        """The name AWS will know: an explicit input, else Pulumi's auto-name (logical name + 7 hex)."""
        for key in keys or ("name",):
            value = self.get(key)
            if isinstance(value, str) and value:
                return value
        prefix = self.get("namePrefix")
        base = prefix if isinstance(prefix, str) and prefix else f"{self.name}-"
        return base + fake_hex(self.seed + "autoname", 7)


@dataclass(frozen=True)
class ResourceMock:
    """How to fabricate one resource type.

    id: "vpc-" style prefix (gets 17 hex digits), or a callable(call, name) -> id; empty means the physical name.
    arn: template with {partition} {region} {account} {id} {name}; None means no ARN output.
    name_keys: inputs that hold the physical name (first present wins; else an auto-name).
    extra: callable(call, id, name) -> more outputs (computed attributes such as endpoints).
    """

    id: str | Callable[[ResourceCall, str], str] = ""
    arn: str | None = None
    name_keys: tuple[str, ...] = ("name",)
    extra: Callable[[ResourceCall, str, str], dict] | None = None


def _prefixed(prefix: str) -> Callable[[ResourceCall, str], str]:
    return lambda call, _name: prefix + fake_hex(call.seed, 17)


def _uuid_id(call: ResourceCall, _name: str) -> str:
    return fake_uuid(call.seed)


def _hex32(call: ResourceCall, _name: str) -> str:
    return fake_hex(call.seed, 32)


def _account_resource_id(call: ResourceCall, name: str) -> str:
    return fake_account_id(call.get("name") or call.name)


def _region_account_id(call: ResourceCall, _name: str) -> str:
    return call.where.account


def _arn(service: str, resource: str, regional: bool = True, account: bool = True) -> str:
    region = "{region}" if regional else ""
    acct = "{account}" if account else ""
    return f"arn:{{partition}}:{service}:{region}:{acct}:{resource}"


def _vpc_extra(call: ResourceCall, rid: str, _name: str) -> dict:
    return {
        "defaultSecurityGroupId": "sg-" + fake_hex(rid + "sg", 17),
        "defaultRouteTableId": "rtb-" + fake_hex(rid + "rtb", 17),
        "mainRouteTableId": "rtb-" + fake_hex(rid + "rtb", 17),
        "defaultNetworkAclId": "acl-" + fake_hex(rid + "acl", 17),
        "ownerId": call.where.account,
        "ipv6CidrBlock": "",
    }


def _tgw_extra(call: ResourceCall, rid: str, _name: str) -> dict:
    rtb = "tgw-rtb-" + fake_hex(rid + "default-rtb", 17)
    return {"associationDefaultRouteTableId": rtb, "propagationDefaultRouteTableId": rtb, "ownerId": call.where.account}


def _account_extra(call: ResourceCall, rid: str, _name: str) -> dict:
    return {"status": "ACTIVE", "govcloudId": "", "joinedMethod": "CREATED"}


def _organization_extra(call: ResourceCall, rid: str, _name: str) -> dict:
    p = call.where.partition
    return {
        "masterAccountId": MANAGEMENT_ACCOUNT_ID,
        "masterAccountArn": f"arn:{p}:organizations::{MANAGEMENT_ACCOUNT_ID}:account/{ORGANIZATION_ID}/{MANAGEMENT_ACCOUNT_ID}",
        "masterAccountEmail": "management@example.com",
        "roots": [{"id": ROOT_ID, "name": "Root", "arn": f"arn:{p}:organizations::{MANAGEMENT_ACCOUNT_ID}:root/{ORGANIZATION_ID}/{ROOT_ID}", "policyTypes": []}],
        "accounts": [],
        "nonMasterAccounts": [],
    }


def _ou_id(call: ResourceCall, _name: str) -> str:
    return f"ou-{ROOT_ID[2:]}-{fake_hex(call.seed, 8)}"


def _eip_extra(call: ResourceCall, rid: str, _name: str) -> dict:
    h = int(digest(rid), 16)
    return {"publicIp": f"203.0.113.{h % 250 + 1}", "allocationId": rid, "domain": "vpc"}


def _instance_extra(call: ResourceCall, rid: str, _name: str) -> dict:
    h = int(digest(rid), 16)
    return {"privateIp": f"10.{h % 200}.{h // 200 % 250}.{h // 50000 % 250 + 4}", "instanceState": "running",
            "primaryNetworkInterfaceId": "eni-" + fake_hex(rid + "eni", 17)}


def _endpoint_host(call: ResourceCall, name: str, service: str) -> str:
    return f"{name}.{fake_hex(call.seed, 12)}.{call.where.region}.{service}.amazonaws.com"


def _rds_cluster_extra(call: ResourceCall, rid: str, name: str) -> dict:
    w = call.where
    out = {"endpoint": _endpoint_host(call, name, "rds"), "readerEndpoint": _endpoint_host(call, name + "-ro", "rds"),
           "port": 3306, "clusterResourceId": "cluster-" + fake_hex(rid, 26).upper()}
    if call.get("manageMasterUserPassword"):
        secret = f"arn:{w.partition}:secretsmanager:{w.region}:{w.account}:secret:rds!cluster-{fake_uuid(rid)}-{fake_hex(rid, 6)}"
        out["masterUserSecrets"] = [{"secretArn": secret, "secretStatus": "active", "kmsKeyId": call.get("masterUserSecretKmsKeyId") or ""}]
    return out


def _eks_cluster_extra(call: ResourceCall, rid: str, name: str) -> dict:
    oidc = f"https://oidc.eks.{call.where.region}.amazonaws.com/id/{fake_hex(rid, 32).upper()}"
    return {"endpoint": f"https://{fake_hex(rid, 32).upper()}.gr7.{call.where.region}.eks.amazonaws.com",
            "certificateAuthority": {"data": "LS0tLS1CRUdJTi1GQUtFLUNBLS0tLS0="},
            "identities": [{"oidcs": [{"issuer": oidc}]}], "status": "ACTIVE", "clusterId": fake_uuid(rid)}


def _lb_extra(call: ResourceCall, rid: str, name: str) -> dict:
    return {"dnsName": f"{name}-{int(digest(rid), 16) % 10**10}.{call.where.region}.elb.amazonaws.com",
            "zoneId": "Z35SXDOTRQ7X7K", "arnSuffix": f"app/{name}/{fake_hex(rid, 16)}"}


def _acm_extra(call: ResourceCall, rid: str, name: str) -> dict:
    domain = call.get("domainName") or "example.com"
    return {"domainValidationOptions": [{"domainName": domain, "resourceRecordName": f"_{fake_hex(rid, 32)}.{domain}.",
                                         "resourceRecordType": "CNAME",
                                         "resourceRecordValue": f"_{fake_hex(rid + 'v', 32)}.acm-validations.aws."}],
            "status": "ISSUED"}


def _zone_extra(call: ResourceCall, rid: str, name: str) -> dict:
    return {"nameServers": [f"ns-{i}.awsdns-{i:02d}.example.net" for i in (101, 202, 303, 404)], "zoneId": rid}


def child_urn(parent_urn: str, type_: str, name: str) -> str:
    """The URN the engine gives a child registered by a component: the parent's type chain, then the child's."""
    prefix, _, parent_rest = parent_urn.partition("::")  # "urn:pulumi:<stack>", "<project>::<types>::<name>"
    project, parent_types, _parent_name = parent_rest.split("::", 2)
    return f"{prefix}::{project}::{parent_types}${type_}::{name}"


def resource_ref(urn: str, rid: str = "") -> dict:
    """A resource reference in wire form (what a remote component returns for a child resource output)."""
    ref = {SIG_KEY: RESOURCE_SIG, "urn": urn, "packageVersion": ""}
    if rid:
        ref["id"] = rid
    return ref


@dataclass(frozen=True)
class RemoteComponent:
    """A remote component's outputs and the children its provider creates (urn -> (id, state)).

    Under mocks the children are not registered by anyone, yet a component's outputs reference them (pulumi-eks's
    `eksCluster`, `core`): the monitor keeps them so the SDK can hydrate those references, as the engine would.
    """

    outputs: dict
    children: dict[str, tuple[str, dict]]


def _eks_component(call: ResourceCall, provider_ref: str) -> RemoteComponent:
    """pulumi-eks 4.4.0 `eks:index:Cluster` outputs, with the shapes its schema declares.

    The cluster is `name` when given (else `<logical name>-eksCluster-<7 hex>`, pulumi-eks's auto-name); the OIDC
    provider is an IAM resource of the account of the component's `aws` provider -- the member account, never the
    management account unless the program forgot `providers=`.
    """
    w = call.where
    name = call.get("name") or f"{call.name}-eksCluster-{fake_hex(call.seed, 7)}"
    oidc_id = fake_hex(call.seed, 32).upper()
    issuer_url = f"https://oidc.eks.{w.region}.amazonaws.com/id/{oidc_id}"
    issuer = issuer_url.removeprefix("https://")
    endpoint = f"https://{fake_hex(call.seed + 'endpoint', 32).upper()}.gr7.{w.region}.eks.amazonaws.com"
    oidc_arn = f"arn:{w.partition}:iam::{w.account}:oidc-provider/{issuer}"
    role_name = f"{call.name}-eksRole-role-{fake_hex(call.seed + 'role', 7)}"
    role_arn = f"arn:{w.partition}:iam::{w.account}:role/{role_name}"
    cluster_sg = "sg-" + fake_hex(call.seed + "cluster-sg", 17)
    subnets = list(call.get("privateSubnetIds") or call.get("subnetIds") or [])
    cluster_state = {
        "name": name, "arn": f"arn:{w.partition}:eks:{w.region}:{w.account}:cluster/{name}", "endpoint": endpoint,
        "version": call.get("version") or "", "roleArn": role_arn, "status": "ACTIVE", "platformVersion": "eks.1",
        "identities": [{"oidcs": [{"issuer": issuer_url}]}],
        "certificateAuthority": {"data": "LS0tLS1CRUdJTi1GQUtFLUNBLS0tLS0="},
        "vpcConfig": {"vpcId": call.get("vpcId") or "", "subnetIds": subnets, "clusterSecurityGroupId": cluster_sg,
                      "endpointPrivateAccess": bool(call.get("endpointPrivateAccess")),
                      "endpointPublicAccess": bool(call.get("endpointPublicAccess"))},
    }
    children = {
        child_urn(call.urn, "aws:eks/cluster:Cluster", f"{call.name}-eksCluster"): (name, cluster_state),
        child_urn(call.urn, "aws:iam/role:Role", f"{call.name}-eksRole-role"): (role_name, {"name": role_name, "arn": role_arn}),
        child_urn(call.urn, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", f"{call.name}-oidcProvider"): (
            oidc_arn, {"arn": oidc_arn, "url": issuer_url, "clientIdLists": ["sts.amazonaws.com"]}),
        child_urn(call.urn, "pulumi:providers:kubernetes", f"{call.name}-provider"): (fake_uuid(call.seed + "k8s"), {}),
    }
    ref = {urn.rsplit("::", 1)[1].removeprefix(call.name + "-"): resource_ref(urn, rid) for urn, (rid, _) in children.items()}
    kubeconfig = {"apiVersion": "v1", "kind": "Config", "clusters": [{"name": name, "cluster": {"server": endpoint}}]}
    aws_provider = {"awsProvider": resource_ref(*provider_ref.rsplit("::", 1))} if provider_ref else {}
    outputs = {
        "eksCluster": ref["eksCluster"],
        "core": {"cluster": ref["eksCluster"], "clusterIamRole": ref["eksRole-role"], "endpoint": endpoint,
                 "instanceRoles": [], "nodeGroupOptions": {}, "provider": ref["provider"], "subnetIds": subnets,
                 "privateSubnetIds": subnets, "vpcId": call.get("vpcId") or "", "oidcProvider": ref["oidcProvider"],
                 **aws_provider},
        **aws_provider,
        "kubeconfig": secret(kubeconfig),
        "kubeconfigJson": secret(json.dumps(kubeconfig, sort_keys=True)),
        "clusterSecurityGroupId": cluster_sg,
        "nodeSecurityGroupId": "sg-" + fake_hex(call.seed + "node-sg", 17),
        "oidcProviderArn": oidc_arn,
        "oidcProviderUrl": issuer_url,  # the issuer URL, with https:// (pulumi-eks schema)
        "oidcIssuer": issuer,  # the same without https://
    }
    return RemoteComponent(outputs, children)


REMOTE_COMPONENTS: dict[str, Callable[[ResourceCall, str], RemoteComponent]] = {
    "eks:index:Cluster": _eks_component,
}
# The package of the resources a remote component's provider creates for it: pulumi-eks builds with pulumi-aws, so
# an `eks:index:Cluster` lands where its `aws` provider (from its providers map) points.
REMOTE_CHILD_PACKAGE: dict[str, str] = {"eks": "aws"}


S = "arn:{partition}"
RESOURCE_MOCKS: dict[str, ResourceMock] = {
    # providers: ids are opaque uuids
    "pulumi:providers:aws": ResourceMock(id=_uuid_id),
    "pulumi:providers:eks": ResourceMock(id=_uuid_id),
    "pulumi:providers:kubernetes": ResourceMock(id=_uuid_id),
    # organizations
    "aws:organizations/organization:Organization": ResourceMock(
        id=lambda c, n: ORGANIZATION_ID, arn=f"{S}:organizations::{MANAGEMENT_ACCOUNT_ID}:organization/{ORGANIZATION_ID}",
        extra=_organization_extra),
    "aws:organizations/organizationalUnit:OrganizationalUnit": ResourceMock(
        id=_ou_id, arn=f"{S}:organizations::{MANAGEMENT_ACCOUNT_ID}:ou/{ORGANIZATION_ID}/{{id}}"),
    "aws:organizations/account:Account": ResourceMock(
        id=_account_resource_id, arn=f"{S}:organizations::{MANAGEMENT_ACCOUNT_ID}:account/{ORGANIZATION_ID}/{{id}}",
        extra=_account_extra),
    "aws:organizations/policy:Policy": ResourceMock(
        id=lambda c, n: "p-" + fake_hex(c.seed, 8),
        arn=f"{S}:organizations::{MANAGEMENT_ACCOUNT_ID}:policy/{ORGANIZATION_ID}/service_control_policy/{{id}}"),
    "aws:organizations/policyAttachment:PolicyAttachment": ResourceMock(
        id=lambda c, n: f"{c.get('targetId')}:{c.get('policyId')}"),
    "aws:organizations/delegatedAdministrator:DelegatedAdministrator": ResourceMock(
        id=lambda c, n: f"{c.get('accountId')}/{c.get('servicePrincipal')}"),
    # networking
    "aws:ec2/vpc:Vpc": ResourceMock(id=_prefixed("vpc-"), arn=_arn("ec2", "vpc/{id}"), extra=_vpc_extra),
    "aws:ec2/subnet:Subnet": ResourceMock(id=_prefixed("subnet-"), arn=_arn("ec2", "subnet/{id}"),
                                          extra=lambda c, i, n: {"ownerId": c.where.account}),
    "aws:ec2/routeTable:RouteTable": ResourceMock(id=_prefixed("rtb-"), arn=_arn("ec2", "route-table/{id}")),
    "aws:ec2/route:Route": ResourceMock(id=lambda c, n: f"r-{c.get('routeTableId')}{int(digest(c.seed), 16) % 10**10}"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ResourceMock(id=_prefixed("rtbassoc-")),
    "aws:ec2/internetGateway:InternetGateway": ResourceMock(id=_prefixed("igw-"), arn=_arn("ec2", "internet-gateway/{id}")),
    "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway": ResourceMock(id=_prefixed("eigw-")),
    "aws:ec2/natGateway:NatGateway": ResourceMock(id=_prefixed("nat-"), extra=lambda c, i, n: {
        "publicIp": _eip_extra(c, i, n)["publicIp"], "networkInterfaceId": "eni-" + fake_hex(i, 17)}),
    "aws:ec2/eip:Eip": ResourceMock(id=_prefixed("eipalloc-"), arn=_arn("ec2", "elastic-ip/{id}"), extra=_eip_extra),
    "aws:ec2/securityGroup:SecurityGroup": ResourceMock(id=_prefixed("sg-"), arn=_arn("ec2", "security-group/{id}"),
                                                        extra=lambda c, i, n: {"ownerId": c.where.account, "name": n}),
    "aws:ec2/securityGroupRule:SecurityGroupRule": ResourceMock(id=_prefixed("sgrule-")),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ResourceMock(
        id=_prefixed("sgr-"), arn=_arn("ec2", "security-group-rule/{id}"), extra=lambda c, i, n: {"securityGroupRuleId": i}),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ResourceMock(
        id=_prefixed("sgr-"), arn=_arn("ec2", "security-group-rule/{id}"), extra=lambda c, i, n: {"securityGroupRuleId": i}),
    "aws:ec2/networkAcl:NetworkAcl": ResourceMock(id=_prefixed("acl-"), arn=_arn("ec2", "network-acl/{id}")),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ResourceMock(id=_prefixed("vpce-"), arn=_arn("ec2", "vpc-endpoint/{id}"),
                                                    extra=lambda c, i, n: {"prefixListId": "pl-" + fake_hex(i, 8)}),
    "aws:ec2/flowLog:FlowLog": ResourceMock(id=_prefixed("fl-"), arn=_arn("ec2", "vpc-flow-log/{id}")),
    "aws:ec2/vpcDhcpOptions:VpcDhcpOptions": ResourceMock(id=_prefixed("dopt-")),
    "aws:ec2transitgateway/transitGateway:TransitGateway": ResourceMock(
        id=_prefixed("tgw-"), arn=_arn("ec2", "transit-gateway/{id}"), extra=_tgw_extra),
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": ResourceMock(
        id=_prefixed("tgw-attach-"), extra=lambda c, i, n: {"vpcOwnerId": c.where.account}),
    "aws:ec2transitgateway/vpcAttachmentAccepter:VpcAttachmentAccepter": ResourceMock(
        id=lambda c, n: c.get("transitGatewayAttachmentId") or "tgw-attach-" + fake_hex(c.seed, 17)),
    "aws:ec2transitgateway/routeTable:RouteTable": ResourceMock(
        id=_prefixed("tgw-rtb-"), arn=_arn("ec2", "transit-gateway-route-table/{id}")),
    "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation": ResourceMock(
        id=lambda c, n: f"{c.get('transitGatewayRouteTableId')}_{c.get('transitGatewayAttachmentId')}"),
    "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation": ResourceMock(
        id=lambda c, n: f"{c.get('transitGatewayRouteTableId')}_{c.get('transitGatewayAttachmentId')}"),
    "aws:ec2transitgateway/route:Route": ResourceMock(
        id=lambda c, n: f"{c.get('transitGatewayRouteTableId')}_{c.get('destinationCidrBlock')}"),
    "aws:ec2/customerGateway:CustomerGateway": ResourceMock(id=_prefixed("cgw-"), arn=_arn("ec2", "customer-gateway/{id}")),
    "aws:ec2/vpnConnection:VpnConnection": ResourceMock(
        id=_prefixed("vpn-"), arn=_arn("ec2", "vpn-connection/{id}"),
        extra=lambda c, i, n: {"transitGatewayAttachmentId": "tgw-attach-" + fake_hex(i + "attach", 17),
                               "tunnel1Address": "198.51.100.1", "tunnel2Address": "198.51.100.2"}),
    "aws:ec2/vpnGateway:VpnGateway": ResourceMock(id=_prefixed("vgw-"), arn=_arn("ec2", "vpn-gateway/{id}")),
    "aws:ec2clientvpn/endpoint:Endpoint": ResourceMock(
        id=_prefixed("cvpn-endpoint-"), arn=_arn("ec2", "client-vpn-endpoint/{id}"),
        extra=lambda c, i, n: {"dnsName": f"*.{i}.prod.clientvpn.{c.where.region}.amazonaws.com"}),
    "aws:ec2clientvpn/networkAssociation:NetworkAssociation": ResourceMock(id=_prefixed("cvpn-assoc-")),
    "aws:ec2clientvpn/authorizationRule:AuthorizationRule": ResourceMock(
        id=lambda c, n: f"{c.get('clientVpnEndpointId')},{c.get('targetNetworkCidr')}"),
    "aws:directconnect/gateway:Gateway": ResourceMock(id=_uuid_id, extra=lambda c, i, n: {"ownerAccountId": c.where.account}),
    "aws:directconnect/gatewayAssociation:GatewayAssociation": ResourceMock(
        id=lambda c, n: "ga-" + fake_uuid(c.seed),
        extra=lambda c, i, n: {"transitGatewayAttachmentId": "tgw-attach-" + fake_hex(i + "attach", 17)}),
    "aws:ram/resourceShare:ResourceShare": ResourceMock(id=lambda c, n: f"arn:{c.where.partition}:ram:{c.where.region}:{c.where.account}:resource-share/{fake_uuid(c.seed)}",
                                                        arn="{id}"),
    "aws:ram/principalAssociation:PrincipalAssociation": ResourceMock(id=lambda c, n: f"{c.get('resourceShareArn')},{c.get('principal')}"),
    "aws:ram/resourceAssociation:ResourceAssociation": ResourceMock(id=lambda c, n: f"{c.get('resourceShareArn')},{c.get('resourceArn')}"),
    "aws:ec2/instance:Instance": ResourceMock(id=_prefixed("i-"), arn=_arn("ec2", "instance/{id}"), extra=_instance_extra),
    "aws:ec2/launchTemplate:LaunchTemplate": ResourceMock(id=_prefixed("lt-"), arn=_arn("ec2", "launch-template/{id}"),
                                                          extra=lambda c, i, n: {"latestVersion": 1, "defaultVersion": 1}),
    "aws:ebs/volume:Volume": ResourceMock(id=_prefixed("vol-"), arn=_arn("ec2", "volume/{id}")),
    "aws:ec2/volumeAttachment:VolumeAttachment": ResourceMock(id=lambda c, n: f"vai-{int(digest(c.seed), 16) % 10**10}"),
    "aws:ec2/ebsEncryptionByDefault:EbsEncryptionByDefault": ResourceMock(id=lambda c, n: "default"),
    "aws:ec2/ebsDefaultKmsKey:EbsDefaultKmsKey": ResourceMock(id=lambda c, n: str(c.get("keyArn"))),
    "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults": ResourceMock(id=lambda c, n: c.where.region),
    # storage, keys, secrets
    "aws:s3/bucket:Bucket": ResourceMock(arn="arn:{partition}:s3:::{name}", name_keys=("bucket",),
                                         extra=lambda c, i, n: {"bucket": n, "bucketDomainName": f"{n}.s3.amazonaws.com",
                                                                "bucketRegionalDomainName": f"{n}.s3.{c.where.region}.amazonaws.com"}),
    "aws:s3/bucketV2:BucketV2": ResourceMock(arn="arn:{partition}:s3:::{name}", name_keys=("bucket",),
                                             extra=lambda c, i, n: {"bucket": n, "bucketDomainName": f"{n}.s3.amazonaws.com"}),
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock": ResourceMock(id=_region_account_id),
    "aws:kms/key:Key": ResourceMock(id=_uuid_id, arn=_arn("kms", "key/{id}"), extra=lambda c, i, n: {"keyId": i}),
    "aws:kms/alias:Alias": ResourceMock(arn=_arn("kms", "{name}"), extra=lambda c, i, n: {
        "targetKeyArn": f"arn:{c.where.partition}:kms:{c.where.region}:{c.where.account}:key/{c.get('targetKeyId')}"}),
    "aws:secretsmanager/secret:Secret": ResourceMock(id=lambda c, n: _secret_arn(c, n), arn="{id}"),
    "aws:ssm/parameter:Parameter": ResourceMock(extra=lambda c, i, n: {"version": 1, "arn": _parameter_arn(c.where, n)}),
    # identity and access
    "aws:iam/role:Role": ResourceMock(arn="arn:{partition}:iam::{account}:role/{name}",
                                      extra=lambda c, i, n: {"uniqueId": "AROA" + fake_hex(c.seed, 17).upper()}),
    "aws:iam/policy:Policy": ResourceMock(id=lambda c, n: f"arn:{c.where.partition}:iam::{c.where.account}:policy/{n}",
                                          arn="{id}", extra=lambda c, i, n: {"policyId": "ANPA" + fake_hex(c.seed, 17).upper()}),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ResourceMock(id=lambda c, n: f"{c.get('role')}-{fake_hex(c.seed, 8)}"),
    "aws:iam/instanceProfile:InstanceProfile": ResourceMock(arn="arn:{partition}:iam::{account}:instance-profile/{name}"),
    "aws:iam/accountPasswordPolicy:AccountPasswordPolicy": ResourceMock(id=lambda c, n: "iam-account-password-policy"),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ResourceMock(
        id=lambda c, n: f"arn:{c.where.partition}:iam::{c.where.account}:oidc-provider/{str(c.get('url', '')).removeprefix('https://')}",
        arn="{id}"),
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": ResourceMock(
        id=lambda c, n: f"arn:{c.where.partition}:iam::{c.where.account}:role/aws-service-role/{c.get('awsServiceName')}/{n}", arn="{id}"),
    "aws:ssoadmin/permissionSet:PermissionSet": ResourceMock(
        id=lambda c, n: f"arn:{c.where.partition}:sso:::permissionSet/{SSO_INSTANCE_ARN.rsplit('/', 1)[1]}/ps-{fake_hex(c.seed, 16)}",
        arn="{id}"),
    "aws:ssoadmin/accountAssignment:AccountAssignment": ResourceMock(
        id=lambda c, n: ",".join(str(c.get(k)) for k in ("principalId", "principalType", "targetId", "targetType", "permissionSetArn", "instanceArn"))),
    "aws:accessanalyzer/analyzer:Analyzer": ResourceMock(arn=_arn("access-analyzer", "analyzer/{name}"), name_keys=("analyzerName",)),
    # logging, detection
    "aws:cloudtrail/trail:Trail": ResourceMock(arn=_arn("cloudtrail", "trail/{name}"), extra=lambda c, i, n: {"homeRegion": c.where.region}),
    "aws:cloudwatch/logGroup:LogGroup": ResourceMock(arn=_arn("logs", "log-group:{name}")),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ResourceMock(arn=_arn("cloudwatch", "alarm:{name}")),
    "aws:cloudwatch/eventRule:EventRule": ResourceMock(arn=_arn("events", "rule/{name}")),
    "aws:sns/topic:Topic": ResourceMock(id=lambda c, n: f"arn:{c.where.partition}:sns:{c.where.region}:{c.where.account}:{n}", arn="{id}"),
    "aws:cfg/recorder:Recorder": ResourceMock(),
    "aws:cfg/deliveryChannel:DeliveryChannel": ResourceMock(),
    "aws:cfg/configurationAggregator:ConfigurationAggregator": ResourceMock(arn=_arn("config", "config-aggregator/config-aggregator-{id}")),
    "aws:guardduty/detector:Detector": ResourceMock(id=_hex32, arn=_arn("guardduty", "detector/{id}"), extra=lambda c, i, n: {"accountId": c.where.account}),
    "aws:securityhub/account:Account": ResourceMock(id=_region_account_id, arn=_arn("securityhub", "hub/default")),
    "aws:inspector2/enabler:Enabler": ResourceMock(id=lambda c, n: f"{c.where.account}-{fake_hex(c.seed, 6)}"),
    # workloads
    "aws:eks/cluster:Cluster": ResourceMock(arn=_arn("eks", "cluster/{name}"), extra=_eks_cluster_extra),
    "aws:eks/nodeGroup:NodeGroup": ResourceMock(arn=_arn("eks", "nodegroup/{name}/" + "{id}"), name_keys=("nodeGroupName",)),
    "aws:ecs/cluster:Cluster": ResourceMock(arn=_arn("ecs", "cluster/{name}")),
    "aws:ecs/service:Service": ResourceMock(arn=_arn("ecs", "service/{name}")),
    "aws:ecs/taskDefinition:TaskDefinition": ResourceMock(
        id=lambda c, n: str(c.get("family") or n), arn=_arn("ecs", "task-definition/{id}:1"), extra=lambda c, i, n: {"revision": 1}),
    "aws:ecr/repository:Repository": ResourceMock(arn=_arn("ecr", "repository/{name}"), extra=lambda c, i, n: {
        "repositoryUrl": f"{c.where.account}.dkr.ecr.{c.where.region}.amazonaws.com/{n}", "registryId": c.where.account}),
    "aws:rds/cluster:Cluster": ResourceMock(arn=_arn("rds", "cluster:{name}"), name_keys=("clusterIdentifier",), extra=_rds_cluster_extra),
    "aws:rds/clusterInstance:ClusterInstance": ResourceMock(arn=_arn("rds", "db:{name}"), name_keys=("identifier",),
                                                            extra=lambda c, i, n: {"endpoint": _endpoint_host(c, n, "rds"), "port": 3306}),
    "aws:rds/subnetGroup:SubnetGroup": ResourceMock(arn=_arn("rds", "subgrp:{name}")),
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": ResourceMock(arn=_arn("rds", "cluster-pg:{name}")),
    "aws:lb/loadBalancer:LoadBalancer": ResourceMock(id=lambda c, n: _lb_arn(c, n, "loadbalancer/app"), arn="{id}", extra=_lb_extra),
    "aws:lb/targetGroup:TargetGroup": ResourceMock(id=lambda c, n: _lb_arn(c, n, "targetgroup"), arn="{id}"),
    "aws:lb/listener:Listener": ResourceMock(id=lambda c, n: _lb_arn(c, n, "listener/app"), arn="{id}"),
    "aws:acm/certificate:Certificate": ResourceMock(
        id=lambda c, n: f"arn:{c.where.partition}:acm:{c.where.region}:{c.where.account}:certificate/{fake_uuid(c.seed)}",
        arn="{id}", extra=_acm_extra),
    "aws:wafv2/webAcl:WebAcl": ResourceMock(id=_uuid_id, arn=_arn("wafv2", "regional/webacl/{name}/{id}"),
                                            extra=lambda c, i, n: {"capacity": 700}),
    # Resolver ids as AWS forms them (rslvr-<kind>-<17 hex>): unique per region, as a rule of the same domain in two
    # regions must be (a stack reference resolves a value back to the one resource that holds it).
    "aws:route53/resolverRule:ResolverRule": ResourceMock(
        id="rslvr-rr-", arn="arn:{partition}:route53resolver:{region}:{account}:resolver-rule/{id}"),
    "aws:route53/resolverFirewallRuleGroup:ResolverFirewallRuleGroup": ResourceMock(
        id="rslvr-frg-", arn="arn:{partition}:route53resolver:{region}:{account}:firewall-rule-group/{id}"),
    "aws:route53/resolverQueryLogConfig:ResolverQueryLogConfig": ResourceMock(
        id="rslvr-rqlc-", arn="arn:{partition}:route53resolver:{region}:{account}:resolver-query-log-config/{id}"),
    "aws:route53/zone:Zone": ResourceMock(id=lambda c, n: "Z" + fake_hex(c.seed, 20).upper(), arn="arn:{partition}:route53:::hostedzone/{id}",
                                          extra=_zone_extra),
    "aws:route53/record:Record": ResourceMock(id=lambda c, n: f"{c.get('zoneId')}_{c.get('name')}_{c.get('type')}",
                                              extra=lambda c, i, n: {"fqdn": str(c.get("name") or "").rstrip(".")}),
    "aws:sqs/queue:Queue": ResourceMock(  # a queue's id is its URL
        id=lambda c, n: f"https://sqs.{c.where.region}.amazonaws.com/{c.where.account}/{n}", arn=_arn("sqs", "{name}"),
        extra=lambda c, i, n: {"url": i}),
    "aws:elasticache/replicationGroup:ReplicationGroup": ResourceMock(
        arn=_arn("elasticache", "replicationgroup:{name}"), name_keys=("replicationGroupId",),
        extra=lambda c, i, n: {"primaryEndpointAddress": f"master.{n}.{fake_hex(c.seed, 6)}.{c.where.region[:3]}1.cache.amazonaws.com",
                               "readerEndpointAddress": f"replica.{n}.{fake_hex(c.seed, 6)}.{c.where.region[:3]}1.cache.amazonaws.com",
                               "port": 6379}),
    # AWS prefixes the suffix with a region-specific code: the datastore's id and globalReplicationGroupId
    "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup": ResourceMock(
        id=lambda c, n: f"{fake_hex(c.seed, 5)}-{c.get('globalReplicationGroupIdSuffix')}",
        arn=_arn("elasticache", "globalreplicationgroup:{id}"), extra=lambda c, i, n: {"globalReplicationGroupId": i}),
    "aws:backup/vault:Vault": ResourceMock(arn=_arn("backup", "backup-vault:{name}")),
    "aws:backup/plan:Plan": ResourceMock(id=_uuid_id, arn=_arn("backup", "backup-plan:{id}"), extra=lambda c, i, n: {"version": fake_hex(i, 32)}),
    "aws:backup/selection:Selection": ResourceMock(id=_uuid_id),
    "aws:ssm/patchBaseline:PatchBaseline": ResourceMock(id=_prefixed("pb-"), arn=_arn("ssm", "patchbaseline/{id}")),
    "aws:ssm/maintenanceWindow:MaintenanceWindow": ResourceMock(id=_prefixed("mw-")),
    "aws:ssm/association:Association": ResourceMock(id=_uuid_id, extra=lambda c, i, n: {"associationId": i}),
}


def _secret_arn(call: ResourceCall, name: str) -> str:
    w = call.where
    return f"arn:{w.partition}:secretsmanager:{w.region}:{w.account}:secret:{name}-{fake_hex(call.seed, 6)}"


def _parameter_arn(w: Where, name: str) -> str:
    return f"arn:{w.partition}:ssm:{w.region}:{w.account}:parameter{name if name.startswith('/') else '/' + name}"


def _lb_arn(call: ResourceCall, name: str, kind: str) -> str:
    w = call.where
    return f"arn:{w.partition}:elasticloadbalancing:{w.region}:{w.account}:{kind}/{name[:32]}/{fake_hex(call.seed, 16)}"


def _generic_mock(type_token: str) -> ResourceMock:
    """Fallback for types not in the table: a stable id and, for AWS types, an ARN under the module's service."""
    if not type_token.startswith("aws:"):
        return ResourceMock(id=lambda c, n: fake_hex(c.seed, 16) if not n else n)
    module = type_token.split(":")[1].split("/")[0]
    kind = type_token.rsplit(":", 1)[1].lower()
    return ResourceMock(arn=_arn(module, f"{kind}/{{name}}"))


def fabricate_resource(call: ResourceCall, preview: bool = False) -> tuple[str, dict]:
    """Return (id, outputs) for a registration: the inputs plus the computed attributes AWS would add.

    In preview the engine does not know computed values yet: the id is empty and only inputs come back, so the
    SDK resolves every other output as unknown, exactly as `pulumi preview` does.
    """
    outputs = dict(call.inputs)
    if preview:
        return "", outputs
    mock = RESOURCE_MOCKS.get(call.type) or _generic_mock(call.type)
    name = call.physical_name(*mock.name_keys)
    rid = mock.id(call, name) if callable(mock.id) else (mock.id + fake_hex(call.seed, 17) if mock.id else name)
    w = call.where
    if mock.arn:
        outputs.setdefault("arn", mock.arn.format(partition=w.partition, region=w.region, account=w.account, id=rid, name=name))
    if mock.extra:
        for key, value in mock.extra(call, rid, name).items():
            outputs.setdefault(key, value)
    if call.type.startswith("aws:"):
        tags = call.inputs.get("tags")
        if isinstance(tags, Mapping):
            outputs.setdefault("tagsAll", dict(tags))
        for key in mock.name_keys:
            if key not in outputs and call.type.split(":")[1].split("/")[0] not in ("ec2", "ec2transitgateway"):
                outputs[key] = name
                break
    return rid, outputs


# --- invokes ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvokeCall:
    token: str
    args: Mapping[str, Any]
    where: Where

    def get(self, key: str, default: Any = None) -> Any:
        return unwrap_secret(self.args.get(key, default))


def _caller_identity(call: InvokeCall) -> dict:
    w = call.where
    return {"accountId": w.account, "arn": f"arn:{w.partition}:sts::{w.account}:assumed-role/lz-offline/plan",
            "userId": f"AROA{fake_hex(w.account, 17).upper()}:plan", "id": w.account}


def _partition(call: InvokeCall) -> dict:
    p = call.where.partition
    suffix = {"aws-cn": "amazonaws.com.cn", "aws-us-gov": "amazonaws.com"}.get(p, "amazonaws.com")
    return {"partition": p, "dnsSuffix": suffix, "reverseDnsPrefix": ".".join(reversed(suffix.split("."))), "id": p}


def _region(call: InvokeCall) -> dict:
    region = call.get("region") or call.get("name") or call.where.region
    return {"name": region, "region": region, "endpoint": f"ec2.{region}.amazonaws.com",
            "description": region, "id": region}


def _availability_zones(call: InvokeCall) -> dict:
    region = call.where.region
    short = "".join(part[0] for part in region.split("-")[:-1]) + region.split("-")[-1]
    letters = "abc"
    return {"names": [region + x for x in letters], "zoneIds": [f"{short}-az{i}" for i in range(1, len(letters) + 1)],
            "groupNames": [region] * len(letters), "id": region, "state": call.get("state") or "available"}


def _sso_instances(call: InvokeCall) -> dict:
    return {"arns": [SSO_INSTANCE_ARN], "identityStoreIds": [IDENTITY_STORE_ID], "id": call.where.region}


def _identity_store_group(call: InvokeCall) -> dict:
    display_name = call.get("displayName")
    for flt in call.get("filter") and [call.get("filter")] or []:
        display_name = flt.get("attributeValue") or display_name
    alt = call.get("alternateIdentifier") or {}
    unique = alt.get("uniqueAttribute") if isinstance(alt, Mapping) else None
    if isinstance(unique, Mapping):
        display_name = unique.get("attributeValue") or display_name
    group_id = fake_uuid(f"group::{display_name}")
    return {"groupId": group_id, "displayName": display_name, "identityStoreId": call.get("identityStoreId") or IDENTITY_STORE_ID,
            "id": group_id, "description": "", "externalIds": []}


def _ami(call: InvokeCall) -> dict:
    seed = json.dumps(dict(call.args), sort_keys=True, default=str) + call.where.region
    ami = "ami-" + fake_hex(seed, 17)
    w = call.where
    return {"id": ami, "imageId": ami, "arn": f"arn:{w.partition}:ec2:{w.region}::image/{ami}", "name": "al2023-ami-2023.0-x86_64",
            "architecture": "x86_64", "rootDeviceName": "/dev/xvda", "ownerId": "137112412989", "state": "available"}


def _policy_statement(statement: Mapping[str, Any]) -> dict:
    def one_or_many(values: Any) -> Any:
        values = list(values or [])
        return values[0] if len(values) == 1 else sorted(values) if all(isinstance(v, str) for v in values) else values

    out: dict[str, Any] = {}
    if statement.get("sid"):
        out["Sid"] = statement["sid"]
    out["Effect"] = statement.get("effect") or "Allow"
    for key, name in (("actions", "Action"), ("notActions", "NotAction"), ("resources", "Resource"), ("notResources", "NotResource")):
        if statement.get(key):
            out[name] = one_or_many(statement[key])
    for key, name in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
        principals = statement.get(key) or []
        if principals:
            if len(principals) == 1 and principals[0].get("type") == "*" and list(principals[0].get("identifiers") or []) == ["*"]:
                out[name] = "*"
            else:
                merged: dict[str, list] = {}
                for p in principals:
                    merged.setdefault(p.get("type"), []).extend(p.get("identifiers") or [])
                out[name] = {k: one_or_many(v) for k, v in sorted(merged.items())}
    conditions = statement.get("conditions") or []
    if conditions:
        cond: dict[str, dict] = {}
        for c in conditions:
            cond.setdefault(c.get("test"), {})[c.get("variable")] = one_or_many(c.get("values"))
        out["Condition"] = cond
    return out


def _policy_document(call: InvokeCall) -> dict:
    """Render like the provider's aws_iam_policy_document: Version first, one value as a string, list otherwise."""
    statements: list[dict] = []
    for source in call.get("sourcePolicyDocuments") or []:
        statements.extend(_statements_of(source))
    by_sid = {s.get("Sid"): i for i, s in enumerate(statements) if s.get("Sid")}
    for statement in call.get("statements") or []:
        rendered = _policy_statement(statement)
        if rendered.get("Sid") in by_sid:
            statements[by_sid[rendered["Sid"]]] = rendered
        else:
            statements.append(rendered)
    for override in call.get("overridePolicyDocuments") or []:
        for statement in _statements_of(override):
            idx = next((i for i, s in enumerate(statements) if statement.get("Sid") and s.get("Sid") == statement.get("Sid")), None)
            if idx is None:
                statements.append(statement)
            else:
                statements[idx] = statement
    doc: dict[str, Any] = {"Version": call.get("version") or "2012-10-17"}
    if call.get("policyId"):
        doc["Id"] = call.get("policyId")
    doc["Statement"] = statements
    pretty = json.dumps(doc, indent=2)
    return {"json": pretty, "minifiedJson": json.dumps(doc, separators=(",", ":")), "id": str(int(digest(pretty), 16) % 10**10)}


def _statements_of(document: Any) -> list[dict]:
    parsed = _maybe_json(unwrap_secret(document))
    statements = parsed.get("Statement", []) if isinstance(parsed, Mapping) else []
    return [statements] if isinstance(statements, Mapping) else list(statements)


def _organization(call: InvokeCall) -> dict:
    outputs = _organization_extra(ResourceCall("", "", "", {}, call.where), ORGANIZATION_ID, "")
    return {**outputs, "id": ORGANIZATION_ID,
            "arn": f"arn:{call.where.partition}:organizations::{MANAGEMENT_ACCOUNT_ID}:organization/{ORGANIZATION_ID}",
            "featureSet": "ALL", "awsServiceAccessPrincipals": [], "enabledPolicyTypes": ["SERVICE_CONTROL_POLICY"]}


def _kms_key(call: InvokeCall) -> dict:
    key_id = str(call.get("keyId") or "alias/aws/ebs")
    kid = fake_uuid("kms::" + key_id)
    w = call.where
    return {"id": kid, "keyId": kid, "arn": f"arn:{w.partition}:kms:{w.region}:{w.account}:key/{kid}", "enabled": True,
            "keyManager": "CUSTOMER", "keyState": "Enabled", "keySpec": "SYMMETRIC_DEFAULT"}


def _kms_alias(call: InvokeCall) -> dict:
    name = str(call.get("name") or "alias/aws/ebs")
    w = call.where
    kid = fake_uuid("kms::" + name)
    return {"id": name, "name": name, "arn": f"arn:{w.partition}:kms:{w.region}:{w.account}:{name}", "targetKeyId": kid,
            "targetKeyArn": f"arn:{w.partition}:kms:{w.region}:{w.account}:key/{kid}"}


def _acm_certificate(call: InvokeCall) -> dict:
    domain = str(call.get("domain") or "example.com")
    w = call.where
    arn = f"arn:{w.partition}:acm:{w.region}:{w.account}:certificate/{fake_uuid('acm::' + domain)}"
    return {"id": arn, "arn": arn, "domain": domain, "status": "ISSUED"}


def _route53_zone(call: InvokeCall) -> dict:
    name = str(call.get("name") or "example.com").rstrip(".")
    zone_id = call.get("zoneId") or "Z" + fake_hex("zone::" + name, 20).upper()
    return {"id": zone_id, "zoneId": zone_id, "name": name, "arn": f"arn:{call.where.partition}:route53:::hostedzone/{zone_id}",
            "privateZone": bool(call.get("privateZone")), "nameServers": _zone_extra(None, zone_id, name)["nameServers"]}  # type: ignore[arg-type]


def _ssm_parameter(call: InvokeCall) -> dict:
    name = str(call.get("name"))
    value = "ami-" + fake_hex(name + call.where.region, 17) if "ami" in name else fake_hex(name, 12)
    w = call.where
    return {"id": name, "name": name, "value": value, "insecureValue": value, "type": "String", "version": 1,
            "arn": _parameter_arn(w, name)}


def _random_password(call: InvokeCall) -> dict:
    """Secrets Manager's generator: a stable stand-in of the requested length (letters and digits only)."""
    length = int(call.get("passwordLength") or 32)
    seed = json.dumps(dict(call.args), sort_keys=True, default=str) + call.where.account + call.where.region
    return {"randomPassword": (fake_hex(seed, 64) * (length // 64 + 1))[:length], "id": fake_hex(seed + "id", 16)}


def _iam_roles(call: InvokeCall) -> dict:
    """Roles by name pattern: Identity Center roles exist once their permission set is assigned to the account."""
    w, pattern = call.where, str(call.get("nameRegex") or "")
    arns, names = [], []
    if pattern.startswith("AWSReservedSSO_"):
        name = pattern.split(".*")[0].rstrip("_") + "_" + fake_hex(w.account + pattern, 16)
        names.append(name)
        arns.append(f"arn:{w.partition}:iam::{w.account}:role/aws-reserved/sso.amazonaws.com/{w.region}/{name}")
    return {"arns": arns, "names": names, "id": w.region}


def _generic_invoke(call: InvokeCall) -> dict:
    return {**{k: unwrap_secret(v) for k, v in call.args.items()}, "id": fake_hex(call.token + json.dumps(dict(call.args), sort_keys=True, default=str), 16)}


INVOKE_MOCKS: dict[str, Callable[[InvokeCall], dict]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getPartition:getPartition": _partition,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:ssoadmin/getInstances:getInstances": _sso_instances,
    "aws:identitystore/getGroup:getGroup": _identity_store_group,
    "aws:ec2/getAmi:getAmi": _ami,
    "aws:iam/getPolicyDocument:getPolicyDocument": _policy_document,
    "aws:organizations/getOrganization:getOrganization": _organization,
    "aws:kms/getKey:getKey": _kms_key,
    "aws:kms/getAlias:getAlias": _kms_alias,
    "aws:acm/getCertificate:getCertificate": _acm_certificate,
    "aws:route53/getZone:getZone": _route53_zone,
    "aws:ssm/getParameter:getParameter": _ssm_parameter,
    "aws:secretsmanager/getRandomPassword:getRandomPassword": _random_password,
    "aws:iam/getRoles:getRoles": _iam_roles,
}


# --- the pulumi Mocks ---------------------------------------------------------------------------------------------


@dataclass
class LandingZoneMocks(pulumi.runtime.Mocks):
    """pulumi Mocks backed by the tables above.

    `provider_inputs(ref)` tells where a provider points (the RecordingMonitor registers every provider it sees), so
    resources and invokes get ARNs in their own account and region.
    """

    partition: str = DEFAULT_PARTITION
    region: str = DEFAULT_REGION
    preview: bool = False
    providers: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    invokes: list[tuple[str, dict]] = field(default_factory=list)
    remote_children: dict[str, tuple[str, dict]] = field(default_factory=dict)  # see RemoteComponent
    # Split mode: the planned outputs of the stacks this one reads (stack name -> outputs), which answer its
    # StackReferences, and the name the fake values are seeded with (`<base>.<part>` -> `<base>`), so a resource
    # gets the same fake id and name in whichever stack of the organization it is planned (landing_zone/graph_plan.py).
    stack_outputs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    seed_stack: tuple[str, str] | None = None  # (this stack, the organization's base name)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def remember_provider(self, ref: str, inputs: Mapping[str, Any]) -> None:
        with self._lock:
            self.providers[ref] = inputs

    def where(self, provider_ref: str | None) -> Where:
        inputs = self.providers.get(provider_ref or "")
        account, region = provider_account_and_region(inputs)
        return Where(self.partition, region or self.region, account or MANAGEMENT_ACCOUNT_ID)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        if args.typ == "pulumi:pulumi:StackReference":
            return self._stack_reference(args.inputs.get("name") or args.name)
        call = ResourceCall(args.typ, args.name, self._seed_urn(getattr(args, "urn", "")), args.inputs,
                            self.where(args.provider))
        remote = REMOTE_COMPONENTS.get(args.typ)
        if remote is not None:  # `args.provider` is the provider its children get (see plan.RecordingMonitor)
            component = remote(call, args.provider or "")
            with self._lock:
                self.remote_children.update(component.children)
            return "", {**call.inputs, **component.outputs}
        # Providers and components have no computed state worth faking during preview either: keep them consistent.
        return fabricate_resource(call, preview=self.preview and bool(args.custom) and not args.typ.startswith("pulumi:providers:"))

    def _seed_urn(self, urn: str) -> str:
        if self.seed_stack is None:
            return urn
        stack, base = self.seed_stack
        return urn.replace(f"urn:pulumi:{stack}::", f"urn:pulumi:{base}::", 1)

    def _stack_reference(self, name: str) -> tuple[str, dict]:
        """A StackReference (`org/project/stack`) answered from the planned outputs of that stack."""
        stack = str(name).rsplit("/", 1)[-1]
        if stack not in self.stack_outputs:
            raise LookupError(f"stack reference {name!r}: stack {stack!r} has no planned outputs (plan it first: "
                              f"`lz plan --stack {stack} --all` plans a split organization in order)")
        outputs = {k: unwrap_secrets(v) for k, v in self.stack_outputs[stack].items()}
        secret = sorted(k for k, v in self.stack_outputs[stack].items() if contains_secret(v))
        return name, {"name": name, "outputs": outputs, "secretOutputNames": secret}

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict:
        handler = INVOKE_MOCKS.get(args.token, _generic_invoke)
        with self._lock:
            self.invokes.append((args.token, dict(args.args)))
        return handler(InvokeCall(args.token, args.args, self.where(args.provider)))
