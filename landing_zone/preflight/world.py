"""Checks of what the config points to in the world: Identity Center and its groups, opt-in regions, DNS zones,
certificates, SAML providers and metadata."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

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
        return _region_finding(name, account_id, region, client.get_region_opt_status(RegionName=region)[
            "RegionOptStatus"])
    try:
        status = client.get_region_opt_status(RegionName=region, AccountId=account_id)["RegionOptStatus"]
    except ClientError as exc:
        if error_code(exc) not in ("AccessDeniedException", "AccessDenied"):
            raise
        # a member's status needs trusted access for account.amazonaws.com, which the program may be the one to enable
        return Finding("opt-in-regions", "warn", f"{region} in {name} ({account_id}): status not readable "
                       f"({error_code(exc)})", "the program enables it; or check trusted access for "
                       "account.amazonaws.com")
    return _region_finding(name, account_id, region, status)


def _region_finding(name: str, account_id: str, region: str, status: str) -> Finding:
    where = f"{region} in {name} ({account_id}): {status}"
    if status in ENABLED:
        return Finding("opt-in-regions", "pass", where)
    if status == "ENABLING":
        return Finding("opt-in-regions", "warn", where, "wait until it is ENABLED (minutes, up to hours) before `pulumi up`")
    if name == "management":  # the program's providers in the management account need it before anything else
        return Finding("opt-in-regions", "fail", where,
                       f"enable it: `aws account enable-region --region-name {region}` (management account)")
    return Finding("opt-in-regions", "warn", where, "the program enables it (aws.account.Region); a first run waits for it")


# --- references: zones, certificates, SAML ------------------------------------------------------------------------


@check("dns-zones")
def dns_zones(ctx: Context) -> Iterator[Finding]:
    """The parent zone the config names (if any) must exist and be public; its name must match."""
    dns = getattr(ctx.cfg.organization, "dns", None) or getattr(ctx.cfg.network, "dns", None)
    if dns is None:
        yield from _edge_zones(ctx)
        return
    zone_id, zone_name = getattr(dns, "parent_zone_id", None), getattr(dns, "parent_zone_name", None)
    route53 = _client_in(ctx, "route53", "us-east-1", getattr(dns, "account", None))
    if route53 is None:
        yield Finding("dns-zones", "fail", f"parent zone {zone_name}: its account cannot be read",
                      "the parent zone's account must exist and trust the management account's access role")
        return
    yield _zone_finding(route53, zone_id, zone_name)


def _client_in(ctx: Context, service: str, region: str, account: str | None):
    """A client in a config account (name), an account id, or the caller's account (None / 'management')."""
    if account in (None, "management", ctx.caller_account):
        return ctx.client(service, region)
    account_id = ctx.existing_accounts.get(str(account)) or (account if str(account).isdigit() else None)
    return ctx.client(service, region, account_id) if account_id else None


def _zone_finding(route53, zone_id: str | None, zone_name: str | None) -> Finding:
    from botocore.exceptions import ClientError

    want = (zone_name or "").rstrip(".") + "."
    try:
        if zone_id:
            zone = route53.get_hosted_zone(Id=zone_id)["HostedZone"]
        else:
            zones = route53.list_hosted_zones_by_name(DNSName=want)["HostedZones"]
            zone = next((z for z in zones if z["Name"] == want and not z["Config"].get("PrivateZone")), None)
    except ClientError as exc:
        if error_code(exc) != "NoSuchHostedZone":
            raise
        zone = None
    if zone is None:
        return Finding("dns-zones", "fail", f"hosted zone {zone_id or zone_name} not found",
                       "create the public zone (and its delegation) or fix the config")
    if zone_name and zone["Name"] != want:
        return Finding("dns-zones", "fail", f"zone {zone_id} is {zone['Name']}, the config says {want}", "fix the config")
    if zone["Config"].get("PrivateZone"):
        return Finding("dns-zones", "fail", f"zone {zone['Name']} is private: public names cannot be delegated from it",
                       "name a public hosted zone")
    return Finding("dns-zones", "pass", f"public zone {zone['Name']} ({zone['Id'].split('/')[-1]}) exists")


def _edge_zones(ctx: Context) -> Iterator[Finding]:
    """Without a parent zone in the config, each edge's zone must already exist (in the management account)."""
    names = sorted({a.workloads.edge.zone_name for a in ctx.cfg.accounts if a.workloads.edge})
    if not names:
        yield Finding("dns-zones", "pass", "the config names no hosted zone")
    route53 = ctx.client("route53", "us-east-1")
    for name in names:
        yield _zone_finding(route53, None, name)


def _arn_fields(ctx: Context) -> list[tuple[str, str]]:
    """(config path, ARN) of every certificate / SAML provider ARN the config names."""
    vpn = ctx.cfg.network.client_vpn
    found = []
    for field in ("server_certificate_arn", "client_root_certificate_arn", "saml_provider_arn"):
        value = getattr(vpn, field, None) if vpn else None
        if isinstance(value, str) and value.startswith("arn:"):
            found.append((f"network.client_vpn.{field}", value))
    return found


@check("certificates")
def certificates(ctx: Context) -> Iterator[Finding]:
    from botocore.exceptions import ClientError

    refs = [(p, a) for p, a in _arn_fields(ctx) if ":acm:" in a]
    if not refs:
        yield Finding("certificates", "pass", "the config names no existing certificate")
    for path, arn in refs:
        region, account = arn.split(":")[3], arn.split(":")[4]
        acm = _client_in(ctx, "acm", region, account)
        if acm is None:
            yield Finding("certificates", "fail", f"{path}: {arn} is in account {account}, outside the organization "
                          "preflight can read", "a certificate must be in the account and region of what uses it")
            continue
        try:
            cert = acm.describe_certificate(CertificateArn=arn)["Certificate"]
        except ClientError as exc:
            if error_code(exc) not in ("ResourceNotFoundException", "ValidationException"):
                raise
            yield Finding("certificates", "fail", f"{path}: {arn} not found", "import or request it, or fix the ARN")
            continue
        ok = cert.get("Status") == "ISSUED"
        yield Finding("certificates", "pass" if ok else "fail", f"{path}: {arn} is {cert.get('Status')}",
                      "" if ok else "use an ISSUED certificate")


@check("saml")
def saml(ctx: Context) -> Iterator[Finding]:
    from botocore.exceptions import ClientError

    refs = [(p, a) for p, a in _arn_fields(ctx) if ":saml-provider/" in a]
    files = _metadata_files(ctx)
    if not refs and not files:
        yield Finding("saml", "pass", "the config names no SAML provider or metadata")
    for path, arn in refs:
        iam = _client_in(ctx, "iam", "us-east-1", arn.split(":")[4])
        try:
            if iam is None:
                raise LookupError
            iam.get_saml_provider(SAMLProviderArn=arn)
        except (LookupError, ClientError) as exc:
            if isinstance(exc, ClientError) and error_code(exc) not in ("NoSuchEntity", "InvalidInput"):
                raise
            yield Finding("saml", "fail", f"{path}: {arn} not found (or in an account preflight cannot read)",
                          "create the SAML provider in the account of the endpoint, or fix the ARN")
            continue
        yield Finding("saml", "pass", f"{path}: {arn} exists")
    for path, file in files:
        yield _metadata_finding(path, file)


def _metadata_files(ctx: Context) -> list[tuple[str, Path]]:
    """(config path, file) of SAML metadata documents the config names (any `*metadata*` path field)."""
    vpn = ctx.cfg.network.client_vpn
    if vpn is None:
        return []
    return [(f"network.client_vpn.{name}", ctx.root / Path(value)) for name, value in vpn if "metadata" in name
            and isinstance(value, str | Path) and not str(value).lstrip().startswith("<")]


def _metadata_finding(path: str, file: Path) -> Finding:
    try:
        root = ElementTree.fromstring(file.read_text())
    except (OSError, ElementTree.ParseError) as exc:
        return Finding("saml", "fail", f"{path}: {file}: {exc}", "point it to the IdP's SAML metadata XML")
    if not root.tag.endswith("EntityDescriptor"):
        return Finding("saml", "fail", f"{path}: {file} is XML but not SAML metadata (root {root.tag})",
                       "download the metadata document from the IdP")
    return Finding("saml", "pass", f"{path}: {file} is SAML metadata of {root.get('entityID')}")
