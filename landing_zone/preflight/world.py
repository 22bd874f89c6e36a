"""Checks of what the config points to in the world: Identity Center and its groups, opt-in regions, the edges'
public zone (the Client VPN's credentials: client_vpn.py)."""

from __future__ import annotations

from collections.abc import Iterator

from landing_zone.preflight.core import Context, Finding, check, error_code
from landing_zone.regions import OPT_IN_REGIONS

ENABLED = {"ENABLED", "ENABLED_BY_DEFAULT"}


# --- IAM Identity Center ------------------------------------------------------------------------------------------


@check("identity-center")
def identity_center(ctx: Context) -> Iterator[Finding]:
    instances = ctx.client("sso-admin").list_instances().get("Instances", [])
    if not instances:
        yield Finding("identity-center", "fail", f"no IAM Identity Center instance in {ctx.home} (the home region)",
                      f"enable IAM Identity Center for the organization in {ctx.home} (console, management account)")
        return
    store = instances[0]["IdentityStoreId"]
    yield Finding("identity-center", "pass", f"instance {instances[0]['InstanceArn']} in {ctx.home}, store {store}")
    groups = list(dict.fromkeys(a.group for a in ctx.cfg.identity.assignments))
    missing = [g for g in groups if not _group_exists(ctx, store, g)]
    for group in missing:
        yield Finding("identity-groups", "fail", f"group {group!r} (identity.assignments) is not in identity store "
                      f"{store}", "create it, or let the directory sync it (SCIM), with exactly this display name")
    if groups and not missing:
        yield Finding("identity-groups", "pass", f"all {len(groups)} groups exist: {', '.join(groups)}")


def _group_exists(ctx: Context, store: str, name: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        ctx.client("identitystore").get_group_id(IdentityStoreId=store, AlternateIdentifier={
            "UniqueAttribute": {"AttributePath": "DisplayName", "AttributeValue": name}})
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return False
        raise
    return True


# --- opt-in regions -----------------------------------------------------------------------------------------------


def configured_regions(ctx: Context) -> dict[str, list[str]]:
    """Config account name ('management' too) -> regions it uses (providers in home/DR, VPCs, VPN gateways)."""
    cfg = ctx.cfg
    used = {"management": list(cfg.regions)}
    for account in cfg.accounts:
        used[account.name] = list(dict.fromkeys([*cfg.regions, *account.vpcs]))
    for gateway in cfg.network.vpn:
        network = cfg.account_with_role("network").name
        if gateway.region and gateway.region not in used[network]:
            used[network].append(gateway.region)
    return used


@check("opt-in-regions")
def opt_in_regions(ctx: Context) -> Iterator[Finding]:
    used = {a: [r for r in regions if r in OPT_IN_REGIONS] for a, regions in configured_regions(ctx).items()}
    if not any(used.values()):
        yield Finding("opt-in-regions", "pass", "the config uses no opt-in region")
        return
    accounts = {"management": ctx.cfg.organization.management_account_id, **ctx.existing_accounts}
    client = ctx.client("account", "us-east-1")
    new: dict[str, list[str]] = {}
    for name, regions in used.items():
        account_id = accounts.get(name)
        for region in regions:
            if account_id is None:
                new.setdefault(region, []).append(name)
                continue
            yield _region_status(ctx, client, name, account_id, region)
    for region, names in new.items():
        yield Finding("opt-in-regions", "pass", f"{region} in the new accounts {', '.join(names)}: the program "
                      "enables it")


def _region_status(ctx: Context, client, name: str, account_id: str, region: str) -> Finding:
    from botocore.exceptions import ClientError

    if account_id == ctx.caller_account:
        status = client.get_region_opt_status(RegionName=region)["RegionOptStatus"]
        return _region_finding(name, account_id, region, status, ctx.home)
    try:
        status = client.get_region_opt_status(RegionName=region, AccountId=account_id)["RegionOptStatus"]
    except ClientError as exc:
        if error_code(exc) not in ("AccessDeniedException", "AccessDenied"):
            raise
        # a member's status needs trusted access for account.amazonaws.com, which the program may be the one to enable
        return Finding("opt-in-regions", "warn", f"{region} in {name} ({account_id}): status not readable "
                       f"({error_code(exc)})", "the program enables it; or check trusted access for "
                       "account.amazonaws.com")
    return _region_finding(name, account_id, region, status, ctx.home)


def _region_finding(name: str, account_id: str, region: str, status: str, home: str) -> Finding:
    where = f"{region} in {name} ({account_id}): {status}"
    if status in ENABLED:
        return Finding("opt-in-regions", "pass", where)
    if status == "ENABLING":
        return Finding("opt-in-regions", "warn", where, "wait until it is ENABLED (minutes, up to hours) before `pulumi up`")
    if name == "management" and region == home:  # the program runs there: nothing of it works before
        return Finding("opt-in-regions", "fail", where,
                       f"enable it: `aws account enable-region --region-name {region}` (management account), then "
                       "wait until `aws account get-region-opt-status` says ENABLED")
    # every other account x region: an aws.account.Region (the management account's own without AccountId)
    return Finding("opt-in-regions", "warn", where, "the program enables it (aws.account.Region) before its provider "
                   "there; a first run waits for it (minutes to hours)")


# --- the edges' public zone ---------------------------------------------------------------------------------------


@check("dns-zone")
def dns_zone(ctx: Context) -> Iterator[Finding]:
    """network.dns names the existing public zone the edges' ACM validation records and ALB aliases are written into,
    through its owner's provider: it must exist in that account with that id and name, and be public."""
    dns = ctx.cfg.network.dns
    if dns is None:
        yield Finding("dns-zone", "pass", "the config names no hosted zone (no edge)")
        return
    account_id = ctx.caller_account if dns.account == "management" else ctx.existing_accounts.get(dns.account)
    where = f"{dns.account} ({account_id})"
    route53 = ctx.client("route53", "us-east-1", account_id) if account_id else None
    if route53 is None:
        yield Finding("dns-zone", "fail", f"network.dns: zone {dns.zone_id} in {where}: cannot assume "
                      f"{ctx.cfg.organization.access_role_name} to read it", "give that account the access role")
        return
    yield _zone_finding(route53, dns.zone_id, dns.zone_name, where)


def _zone_finding(route53, zone_id: str, zone_name: str, where: str) -> Finding:
    from botocore.exceptions import ClientError

    want = zone_name.lower().rstrip(".") + "."
    try:
        zone = route53.get_hosted_zone(Id=zone_id)["HostedZone"]
    except ClientError as exc:
        if error_code(exc) not in ("NoSuchHostedZone", "InvalidInput"):
            raise
        others = [z["Id"].split("/")[-1] for z in route53.list_hosted_zones_by_name(DNSName=want)["HostedZones"]
                  if z["Name"] == want and not z["Config"].get("PrivateZone")]
        hint = f"; {want} is zone {', '.join(others)} there" if others else ""
        return Finding("dns-zone", "fail", f"network.dns.zone_id: hosted zone {zone_id} ({want}) not found in {where}"
                       f"{hint}", "fix network.dns (zone_id, account), or create the public zone and its delegation")
    if zone["Name"].lower() != want:
        return Finding("dns-zone", "fail", f"network.dns: zone {zone_id} in {where} is {zone['Name']}, not "
                       f"zone_name {want}", "fix network.dns.zone_id or zone_name")
    if zone["Config"].get("PrivateZone"):
        return Finding("dns-zone", "fail", f"network.dns: zone {want} ({zone_id}) in {where} is private: public ACM "
                       "validation and the ALB names need a public zone", "name a public hosted zone")
    return Finding("dns-zone", "pass", f"public zone {want} ({zone_id}) exists in {where}")
