"""Organization defaults for rule parameters, read from the landing-zone stack config the engine passes to the pack."""

from __future__ import annotations

import ipaddress
import json
import os
import re
from collections.abc import Mapping
from typing import Any

# The engine starts a policy pack with the stack's config in the environment. Verified in pulumi/pulumi,
# sdk/go/common/resource/plugin/analyzer_plugin.go: NewPolicyAnalyzer -> constructEnv(opts, runtime) sets
# PULUMI_CONFIG = constructConfig(opts), i.e. json.Marshal(PropertyMapToConfig(opts.Config)): a JSON object of
# full keys ("landing-zone:network") to STRING values, objects and lists JSON-encoded; an empty config sets no
# variable. (ConfigureStack also carries the config, but pulumi-policy 1.21's Python servicer ignores it, and its
# _configure_runtime_settings reads the same PULUMI_CONFIG.) `lz check` (landing_zone/check.py) sets PULUMI_CONFIG
# the same way from Pulumi.<stack>.yaml. Explicit policy config always wins over these defaults.
STACK_NAMESPACE = "landing-zone"
STACK_DEFAULT_SOURCES = {
    "intent": "landing-zone:network.reachability",
    "adminCidrs": ("landing-zone:network.client_vpn.cidr plus the network account's home-region VPC "
                   "(the Client VPN source-NATs its clients to its interfaces there)"),
    "adminPorts": "landing-zone:network.admin_ports: [ssh, rdp] (each 22 / 3389 when not set)",
    "logRetentionDays": "landing-zone:security.log_retention_days",
    "allowedRegions": "landing-zone:organization.allowed_regions",
    "organizationAccountIds": ("landing-zone:organization.management_account_id plus the account_id of every "
                               "landing-zone:accounts entry that names one"),
    "protectedCidrs": "the VPC CIDRs of every landing-zone:accounts entry whose environment is prod or core",
    "accessRoleName": "landing-zone:organization.access_role_name",
    "accessRoleAssumers": "landing-zone:organization.access_role_assumers",
    "externalSecrets": "account name -> landing-zone:accounts[].workloads.ecs.external_secrets",
}
_stack_defaults_cache: tuple[str | None, dict[str, Any]] = (None, {})


def stack_defaults() -> dict[str, Any]:
    """Organization defaults derived from the engine's PULUMI_CONFIG (parsed once per distinct value)."""
    global _stack_defaults_cache
    raw = os.environ.get("PULUMI_CONFIG")
    cached_raw, cached = _stack_defaults_cache
    if raw != cached_raw:
        cached = landing_zone_defaults(parse_config_env(raw))
        _stack_defaults_cache = (raw, cached)
    return cached


def split_part(raw: str | None = None) -> str | None:
    """This stack's part of a split organization (`landing-zone:stack`: organization, network or account), None for a
    single stack. Read from PULUMI_CONFIG unless `raw` is given."""
    raw = os.environ.get("PULUMI_CONFIG") if raw is None else raw
    role = decoded(parse_config_env(raw).get(f"{STACK_NAMESPACE}:stack"))
    if isinstance(role, Mapping):
        return str(role.get("part") or "") or None
    return role if isinstance(role, str) and role else None


def landing_zone_stack() -> tuple[bool, str]:
    """(is this a landing-zone stack?, the project) from the engine's PULUMI_PROJECT and PULUMI_CONFIG: the project
    is landing-zone, or its config has landing-zone: keys. An app team's stack (examples/app-team) is neither; a run
    that says nothing (in-process tests) is judged as a landing zone."""
    project, raw = os.environ.get("PULUMI_PROJECT"), os.environ.get("PULUMI_CONFIG")
    if project == STACK_NAMESPACE or any(k.startswith(f"{STACK_NAMESPACE}:") for k in parse_config_env(raw)):
        return True, project or STACK_NAMESPACE
    return project is None and raw is None, project or "unknown"


def parse_config_env(raw: str | None) -> dict[str, Any]:
    """PULUMI_CONFIG as a dict; {} when unset or not a JSON object (never an error: the defaults stay)."""
    try:
        config = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return config if isinstance(config, dict) else {}


def landing_zone_defaults(config: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults by STACK_DEFAULT_SOURCES key from a stack config (full keys, values JSON-encoded or not).

    A missing or malformed value yields no entry, so the rule's own default stays (the program's config
    validation reports malformed values; the pack must not crash on them).
    """
    organization = _section(config, "organization")
    network = _section(config, "network")
    security = _section(config, "security")
    accounts = decoded(config.get(f"{STACK_NAMESPACE}:accounts"))
    accounts = [a for a in accounts if isinstance(a, Mapping)] if isinstance(accounts, list) else []
    derived = {
        "intent": _intent(network.get("reachability")),
        "adminCidrs": _admin_cidrs(network, organization, accounts),
        "adminPorts": _admin_ports(network.get("admin_ports")),
        "logRetentionDays": _positive_int(security.get("log_retention_days")),
        "allowedRegions": _strings(organization.get("allowed_regions")),
        "organizationAccountIds": _organization_account_ids(organization, accounts),
        "protectedCidrs": _environment_cidrs(accounts, ("prod", "core")),
        "accessRoleName": organization.get("access_role_name") if isinstance(organization.get("access_role_name"), str)
        else None,
        "accessRoleAssumers": _strings(organization.get("access_role_assumers")),
        "externalSecrets": _external_secrets(accounts),
    }
    return {key: value for key, value in derived.items() if value is not None}


def decoded(value: Any) -> Any:
    """Config values arrive as strings, objects and lists JSON-encoded; plain strings stay strings."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _section(config: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = decoded(config.get(f"{STACK_NAMESPACE}:{name}"))
    return value if isinstance(value, Mapping) else {}


def _strings(value: Any) -> list[str] | None:
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return list(value)
    return None


def _positive_int(value: Any) -> int | None:
    value = decoded(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _intent(value: Any) -> dict[str, list[str]] | None:
    if not isinstance(value, Mapping) or not value:
        return None
    intent = {segment: _strings(peers) if peers else [] for segment, peers in value.items()}
    if not all(isinstance(s, str) and s and peers is not None for s, peers in intent.items()):
        return None
    return intent


def _port(value: Any, default: int) -> int | None:
    if value is None:
        return default
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535 else None


def _admin_ports(value: Any) -> list[int] | None:
    """[ssh, rdp] from network.admin_ports (the program's defaults 22 / 3389 for a key it omits); None without it."""
    if not isinstance(value, Mapping):
        return None
    ports = [_port(value.get("ssh"), 22), _port(value.get("rdp"), 3389)]
    return [p for p in ports if p is not None] if None not in ports else None


def _cidr(value: Any) -> str | None:
    try:
        return str(ipaddress.ip_network(value, strict=False)) if isinstance(value, str) else None
    except ValueError:
        return None


def _admin_cidrs(network: Mapping[str, Any], organization: Mapping[str, Any], accounts: Any) -> list[str] | None:
    client_vpn = network.get("client_vpn")
    client_cidr = _cidr(client_vpn.get("cidr")) if isinstance(client_vpn, Mapping) else None
    if client_cidr is None:
        return None
    return [client_cidr, *_client_vpn_nat_cidrs(organization, accounts)]


def _client_vpn_nat_cidrs(organization: Mapping[str, Any], accounts: Any) -> list[str]:
    """The network account's home-region VPC range (all its VPCs when the home region is not configured)."""
    accounts = accounts if isinstance(accounts, list) else []
    network_account = next((a for a in accounts if isinstance(a, Mapping) and a.get("role") == "network"), {})
    vpcs = network_account.get("vpcs")
    if not isinstance(vpcs, Mapping):
        return []
    home = organization.get("home_region")
    if home is None:
        chosen = list(vpcs.values())
    else:
        chosen = [vpcs[home]] if isinstance(home, str) and home in vpcs else []
    cidrs = [_cidr(vpc.get("cidr")) for vpc in chosen if isinstance(vpc, Mapping)]
    return [c for c in cidrs if c]


def _account_id(value: Any) -> str | None:
    value = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    return value if isinstance(value, str) and re.fullmatch(r"\d{12}", value) else None


def _organization_account_ids(organization: Mapping[str, Any], accounts: list) -> list[str] | None:
    ids = [_account_id(organization.get("management_account_id"))]
    ids += [_account_id(a.get("account_id") or a.get("id")) for a in accounts]
    found = [i for i in ids if i]
    return found or None


def _environment_cidrs(accounts: list, environments: tuple[str, ...]) -> list[str] | None:
    """VPC ranges of the accounts in `environments` (None when no account declares a VPC: the rule's default)."""
    cidrs = []
    for account in accounts:
        vpcs = account.get("vpcs")
        if account.get("environment") in environments and isinstance(vpcs, Mapping):
            cidrs += [_cidr(vpc.get("cidr")) for vpc in vpcs.values() if isinstance(vpc, Mapping)]
    found = [c for c in cidrs if c]
    return found or None


def _external_secrets(accounts: list) -> dict[str, list[str]] | None:
    """Per account, the secrets its config says the app team provides (ecs.external_secrets)."""
    found = {}
    for account in accounts:
        ecs = account.get("workloads", {}).get("ecs") if isinstance(account.get("workloads"), Mapping) else None
        names = _strings(ecs.get("external_secrets")) if isinstance(ecs, Mapping) else None
        if names and isinstance(account.get("name"), str):
            found[account["name"]] = names
    return found or None
