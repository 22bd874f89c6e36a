"""Build the landing zone's stack outputs (the app-team contract, landing_zone/contract.py) from the handles.

`contract_outputs` assembles the outputs from what the other components expose (account handles, VPC handles,
hubs, workloads, deployment roles, the log archive); `export_contract` exports them with pulumi.export and publishes
each workload account's slice to its Parameter Store (`/landing-zone/contract`), so pipelines that do not run Pulumi
read the same facts with the deployment role. `vpc_handle` goes the other way: a VpcHandle from a contract account,
for components run in another stack (one stack per account).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.context import AccountContext, LogArchive, VpcHandle
from components.workloads import DR_KEY_PREFIX, Workloads
from landing_zone import contract
from landing_zone.models import LandingZoneConfig

CONTRACT_PARAMETER = "/landing-zone/contract"


@dataclass
class ContractSources:
    """Everything the contract reads; any part may be missing (a stack without workloads, without a network)."""

    cfg: LandingZoneConfig
    accounts: Mapping[str, AccountContext]
    log_archive: LogArchive | None = None
    trail_arn: pulumi.Input[str] | None = None
    security_alarm_topic_arn: pulumi.Input[str] | None = None
    vpcs: Mapping[tuple[str, str], VpcHandle] = field(default_factory=dict)
    network: Any = None  # components.network.Network: hubs, hybrid, client_vpn
    workloads: Mapping[str, Workloads] = field(default_factory=dict)  # account -> its workloads
    deployment_role_arns: Mapping[str, pulumi.Input[str] | None] = field(default_factory=dict)
    repository_role_arns: Mapping[str, Mapping[str, pulumi.Input[str]]] = field(default_factory=dict)  # account -> repo -> ARN


def contract_outputs(src: ContractSources) -> dict[str, Any]:
    """The stack outputs, as Inputs (Outputs resolve when exported). Keys are landing_zone.contract.Contract's."""
    org = src.cfg.organization
    outputs: dict[str, Any] = {
        "contract_version": contract.CONTRACT_VERSION,
        "organization": {"name": org.name, "home_region": org.home_region, "dr_region": org.dr_region},
        "accounts": {a.name: _account(src, a.name) for a in src.cfg.accounts if a.name in src.accounts},
        "network": _network(src),
        "kubeconfigs": pulumi.Output.secret(_kubeconfigs(src)),
    }
    if src.log_archive is not None:
        outputs["logging"] = {
            "bucket_name": src.log_archive.bucket_name, "bucket_arn": src.log_archive.bucket_arn,
            "kms_key_arn": src.log_archive.kms_key_arn, "trail_arn": src.trail_arn,
        }
    return outputs


def export_contract(src: ContractSources) -> dict[str, Any]:
    """pulumi.export every contract output and publish each deployable account's slice to its Parameter Store."""
    outputs = contract_outputs(src)
    for key, value in outputs.items():
        pulumi.export(key, value)
    for name in src.deployment_role_arns:
        publish_account(src.accounts[name], src.cfg.organization.home_region, outputs, name)
    return outputs


def publish_account(account: AccountContext, region: str, outputs: Mapping[str, Any], name: str) -> aws.ssm.Parameter:
    """`/landing-zone/contract` in the account: {contract_version, organization, account} as JSON (no secrets)."""
    document = pulumi.Output.from_input({
        "contract_version": outputs["contract_version"], "organization": outputs["organization"],
        "account": outputs["accounts"][name],
    }).apply(lambda d: json.dumps(d, sort_keys=True, separators=(",", ":")))
    return aws.ssm.Parameter(
        account.resource_name(region, "contract-parameter"),
        name=CONTRACT_PARAMETER,
        type="String",  # nothing secret: ids, ARNs and endpoints an app team needs
        tier="Intelligent-Tiering",  # standard up to 4 KB, advanced above, chosen by size
        description="The landing-zone contract of this account (landing_zone/contract.py)",
        insecure_value=document,  # `value` would be stored as a secret: this is meant to be read
        opts=account.opts(region),
    )


# --- the parts ------------------------------------------------------------------------------------------------------


def _account(src: ContractSources, name: str) -> dict[str, Any]:
    ctx, cfg_account = src.accounts[name], src.cfg.account(name)
    wl = src.workloads.get(name)
    regions = list(dict.fromkeys([*cfg_account.vpcs, *([wl.region] if wl is not None else [])]))
    if cfg_account.role == "security" and src.security_alarm_topic_arn is not None:
        regions = list(dict.fromkeys([*regions, src.cfg.organization.home_region]))
    return {
        "name": name, "id": ctx.account_id, "environment": cfg_account.environment, "ou": cfg_account.ou,
        "role": cfg_account.role, "segment": cfg_account.network_segment,
        "deployment_role_arn": src.deployment_role_arns.get(name),
        "deployment_role_arns": dict(src.repository_role_arns.get(name, {})),
        "private_zone": _private_zones(src).get(cfg_account.environment),
        "regions": {region: _region(src, name, region) for region in regions},
    }


def _region(src: ContractSources, name: str, region: str) -> dict[str, Any]:
    wl = src.workloads.get(name)
    vpc = src.vpcs.get((name, region))
    out: dict[str, Any] = {"vpc": _vpc(vpc) if vpc else None, "kms_key_arns": _keys_in(wl, region, src.cfg)}
    alarm_topic = None
    if wl is not None and wl.region == region:
        alarm_topic = wl.monitoring.topic_arn if wl.monitoring else None
        out["workloads"] = wl.contract_fragment()
    if src.cfg.account(name).role == "security" and region == src.cfg.organization.home_region:
        alarm_topic = src.security_alarm_topic_arn
    out["alarm_topic_arn"] = alarm_topic
    return out


def _vpc(vpc: VpcHandle) -> dict[str, Any]:
    return {"id": vpc.vpc_id, "cidr": vpc.cidr, "subnet_ids": vpc.subnet_ids, "route_table_ids": vpc.route_table_ids,
            "tgw_attachment_id": vpc.tgw_attachment_id}


def _keys_in(wl: Workloads | None, region: str, cfg: LandingZoneConfig) -> dict[str, Any]:
    """The workloads' CMKs by purpose in this region (DR keys are `dr-<purpose>` on the Workloads component)."""
    if wl is None:
        return {}
    keys: dict[str, Any] = wl.kms_key_arns
    if region == wl.region:
        return {p: arn for p, arn in keys.items() if not p.startswith(DR_KEY_PREFIX)}
    if region == cfg.organization.dr_region:
        return {p.removeprefix(DR_KEY_PREFIX): arn for p, arn in keys.items() if p.startswith(DR_KEY_PREFIX)}
    return {}


def _network(src: ContractSources) -> dict[str, Any]:
    net = src.network
    if net is None:
        return {}
    out: dict[str, Any] = {
        "transit_gateways": {region: {"id": hub.handle.transit_gateway_id,
                                      "route_table_ids": dict(hub.handle.route_table_ids)}
                             for region, hub in net.hubs.items()},
        "client_vpn_endpoint_id": net.client_vpn.endpoint.id if net.client_vpn is not None else None,
        "vpn_connection_ids": {name: conn.id for hybrid in net.hybrid.values()
                               for name, conn in hybrid.vpn_connections.items()},
    }
    dx = next((h.dx_association for h in net.hybrid.values() if h.dx_association is not None), None)
    out["direct_connect_gateway_id"] = dx.dx_gateway_id if dx is not None else None
    dns = net.dns
    if dns is not None:
        out["resolvers"] = {region: {
            "inbound_endpoint_id": r.inbound.id if r.inbound else None, "inbound_ip_addresses": r.inbound_addresses or [],
            "outbound_endpoint_id": r.outbound.id if r.outbound else None,
            "forwarding_rule_ids": {domain: rule.id for domain, rule in r.rules.items()},
        } for region, r in dns.regions.items()}
        out["private_zones"] = _private_zones(src)
    return out


def _private_zones(src: ContractSources) -> dict[str, dict[str, Any]]:
    """environment -> {id, name} of its private hosted zone (hybrid DNS)."""
    dns = src.network.dns if src.network is not None else None
    if dns is None or dns.zones is None:
        return {}
    zones = dns.zones
    return {env: {"id": zone_id, "name": zones.args.zones[env]} for env, zone_id in zones.zone_ids.items()}


def _kubeconfigs(src: ContractSources) -> dict[str, dict[str, Any]]:
    return {name: {wl.region: wl.eks.kubeconfig} for name, wl in src.workloads.items() if wl.eks is not None}


# --- the other way: handles from another stack's contract ------------------------------------------------------------


def vpc_handle(account: contract.Account, region: str) -> VpcHandle:
    """A VpcHandle from a contract account, for components run in a stack of their own (one stack per account)."""
    vpc = account.region(region).vpc
    if vpc is None:
        raise contract.ContractError(f"accounts.{account.name}.regions.{region}.vpc: the account has no VPC there")
    return VpcHandle(account=account.name, region=region, cidr=vpc.cidr, vpc_id=vpc.id,
                     subnet_ids={t: list(ids) for t, ids in vpc.subnet_ids.items()},
                     route_table_ids={t: list(ids) for t, ids in vpc.route_table_ids.items()},
                     tgw_attachment_id=vpc.tgw_attachment_id)
