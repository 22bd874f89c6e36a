"""Security services already enabled in the management account outside the stack: the program would create them
again and fail (one GuardDuty detector and one Config recorder / delivery channel per region, Security Hub enabled
once), so each must be imported under the plan's logical name first."""

from __future__ import annotations

from collections.abc import Iterator

from landing_zone.preflight.core import Context, Finding, check, error_code
from landing_zone.preflight.imports import import_command

MGMT = "management"


def _planned_one(ctx: Context, type_: str, region: str) -> dict | None:
    found = ctx.planned(type_, MGMT, region)
    return found[0] if found else None


def _adopt(ctx: Context, what: str, type_: str, region: str, resource_id: str, name: str | None = None) -> Finding:
    """A finding for an existing `what`: the import command when the plan has it, a conflict when names differ."""
    resource = _planned_one(ctx, type_, region)
    if resource is None:
        return Finding("security-services", "pass", f"{what} in {region} exists; the program does not manage it")
    planned_name = resource.get("inputs", {}).get("name")
    if name is not None and isinstance(planned_name, str) and planned_name != name:
        # only one per region and the name forces replacement: importing it would not help
        return Finding("security-services", "fail", f"{what} {name!r} in {region} exists; the program creates "
                       f"{planned_name!r} and AWS allows one per region",
                       f"delete {name!r} (after checking who relies on it), or rename the program's")
    return Finding("security-services", "warn", f"{what} in {region} exists ({resource_id}): creating it again fails",
                   "import it before the first `pulumi up`", (import_command(ctx, resource, resource_id),))


@check("security-services")
def security_services(ctx: Context) -> Iterator[Finding]:
    found = False
    for region in ctx.cfg.regions:
        for finding in [*_guardduty(ctx, region), *_security_hub(ctx, region), *_config(ctx, region)]:
            found = True
            yield finding
    for finding in _organization_trails(ctx):
        found = True
        yield finding
    if not found:
        yield Finding("security-services", "pass", "no GuardDuty detector, Security Hub, Config recorder or "
                      "organization trail in the management account: nothing to import")


def _guardduty(ctx: Context, region: str) -> Iterator[Finding]:
    for detector_id in ctx.client("guardduty", region).list_detectors()["DetectorIds"]:
        yield _adopt(ctx, "GuardDuty detector", "aws:guardduty/detector:Detector", region, detector_id)


def _security_hub(ctx: Context, region: str) -> Iterator[Finding]:
    from botocore.exceptions import ClientError

    try:
        ctx.client("securityhub", region).describe_hub()
    except ClientError as exc:
        if error_code(exc) in ("InvalidAccessException", "ResourceNotFoundException"):
            return  # not enabled
        raise
    yield _adopt(ctx, "Security Hub", "aws:securityhub/account:Account", region, ctx.caller_account)


def _config(ctx: Context, region: str) -> Iterator[Finding]:
    config = ctx.client("config", region)
    for recorder in config.describe_configuration_recorders()["ConfigurationRecorders"]:
        name = recorder["name"]
        yield _adopt(ctx, "Config recorder", "aws:cfg/recorder:Recorder", region, name, name)
        status = _planned_one(ctx, "aws:cfg/recorderStatus:RecorderStatus", region)
        if status is not None and status.get("inputs", {}).get("name") in (name, None):
            yield Finding("security-services", "warn", f"Config recorder status of {name!r} in {region}",
                          "import it with the recorder", (import_command(ctx, status, name),))
    for channel in config.describe_delivery_channels()["DeliveryChannels"]:
        name = channel["name"]
        yield _adopt(ctx, "Config delivery channel", "aws:cfg/deliveryChannel:DeliveryChannel", region, name, name)


def _organization_trails(ctx: Context) -> Iterator[Finding]:
    trails = ctx.client("cloudtrail", ctx.home).describe_trails(includeShadowTrails=True)["trailList"]
    planned = ctx.planned("aws:cloudtrail/trail:Trail", MGMT)
    planned_names = {r.get("inputs", {}).get("name"): r for r in planned}
    for trail in trails:
        if not trail.get("IsOrganizationTrail"):
            continue
        resource = planned_names.get(trail["Name"])
        if resource is not None:
            yield Finding("security-services", "warn", f"organization trail {trail['Name']!r} exists: creating it "
                          "again fails", "import it", (import_command(ctx, resource, trail["TrailARN"]),))
        else:
            yield Finding("security-services", "warn", f"another organization trail {trail['Name']!r} "
                          f"({trail['TrailARN']}) exists: two organization trails record every event twice",
                          "delete it once the landing zone's trail delivers, or keep it knowingly (cost)")
