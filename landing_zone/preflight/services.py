"""Security services already enabled outside the stack, in the management account and in every account that exists
already (adopted, or found by e-mail): the program would create them again and fail (one GuardDuty detector and one
Config recorder / delivery channel per account and region, Security Hub enabled once), so each must be imported
under the plan's logical name first. Member accounts are read through the landing zone's access role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from botocore.exceptions import ClientError

from landing_zone.preflight.core import Context, Finding, check, error_code
from landing_zone.preflight.imports import import_command

MGMT = "management"


@dataclass(frozen=True)
class Where:
    ctx: Context
    account: str
    """config account name ('management' for the management account)"""
    account_id: str
    region: str

    def client(self, service: str):
        return self.ctx.client(service, self.region, self.account_id)

    def planned(self, type_: str) -> dict | None:
        found = self.ctx.planned(type_, self.account, self.region)
        return found[0] if found else None

    def __str__(self) -> str:
        return f"{self.account} {self.region}"


def _adopt(where: Where, what: str, type_: str, resource_id: str, name: str | None = None) -> Finding:
    """A finding for an existing `what`: the import command when the plan has it, a conflict when names differ."""
    resource = where.planned(type_)
    if resource is None:
        return Finding("security-services", "pass", f"{what} in {where} exists; the program does not manage it")
    planned_name = resource.get("inputs", {}).get("name")
    if name is not None and isinstance(planned_name, str) and planned_name != name:
        # only one per account and region, and the name forces a replacement: importing it would not help
        return Finding("security-services", "fail", f"{what} {name!r} in {where} exists; the program creates "
                       f"{planned_name!r} and AWS allows one per account and region",
                       f"delete {name!r} (after checking who relies on it), or rename the program's")
    return Finding("security-services", "warn", f"{what} in {where} exists ({resource_id}): creating it again fails",
                   "import it before the first `pulumi up`", (import_command(where.ctx, resource, resource_id),))


@check("security-services")
def security_services(ctx: Context) -> Iterator[Finding]:
    found = False
    accounts = {MGMT: ctx.caller_account, **ctx.existing_accounts}
    for account, account_id in accounts.items():
        if ctx.client("guardduty", ctx.home, account_id) is None:
            found = True
            yield Finding("security-services", "warn", f"{account} ({account_id}): cannot assume "
                          f"{ctx.cfg.organization.access_role_name} to look for enabled services",
                          "check GuardDuty, Security Hub and Config in that account by hand")
            continue
        for region in ctx.cfg.regions:
            where = Where(ctx, account, account_id, region)
            for finding in [*_guardduty(where), *_security_hub(where), *_config(where)]:
                found = True
                yield finding
    for finding in _organization_trails(ctx):
        found = True
        yield finding
    if not found:
        yield Finding("security-services", "pass", f"no GuardDuty detector, Security Hub, Config recorder or "
                      f"organization trail in the {len(accounts)} existing accounts: nothing to import")


def _guardduty(where: Where) -> Iterator[Finding]:
    for detector_id in where.client("guardduty").list_detectors()["DetectorIds"]:
        yield _adopt(where, "GuardDuty detector", "aws:guardduty/detector:Detector", detector_id)


def _security_hub(where: Where) -> Iterator[Finding]:
    try:
        where.client("securityhub").describe_hub()
    except ClientError as exc:
        if error_code(exc) in ("InvalidAccessException", "ResourceNotFoundException"):
            return  # not enabled
        raise
    yield _adopt(where, "Security Hub", "aws:securityhub/account:Account", where.account_id)


def _config(where: Where) -> Iterator[Finding]:
    config = where.client("config")
    for recorder in config.describe_configuration_recorders()["ConfigurationRecorders"]:
        name = recorder["name"]
        yield _adopt(where, "Config recorder", "aws:cfg/recorder:Recorder", name, name)
        status = where.planned("aws:cfg/recorderStatus:RecorderStatus")
        if status is not None and status.get("inputs", {}).get("name") in (name, None):
            yield Finding("security-services", "warn", f"Config recorder status of {name!r} in {where}",
                          "import it with the recorder", (import_command(where.ctx, status, name),))
    for channel in config.describe_delivery_channels()["DeliveryChannels"]:
        name = channel["name"]
        yield _adopt(where, "Config delivery channel", "aws:cfg/deliveryChannel:DeliveryChannel", name, name)


def _organization_trails(ctx: Context) -> Iterator[Finding]:
    trails = ctx.client("cloudtrail", ctx.home).describe_trails(includeShadowTrails=True)["trailList"]
    planned = {r.get("inputs", {}).get("name"): r for r in ctx.planned("aws:cloudtrail/trail:Trail", MGMT)}
    for trail in trails:
        if not trail.get("IsOrganizationTrail"):
            continue
        resource = planned.get(trail["Name"])
        if resource is not None:
            yield Finding("security-services", "warn", f"organization trail {trail['Name']!r} exists: creating it "
                          "again fails", "import it", (import_command(ctx, resource, trail["TrailARN"]),))
        else:
            yield Finding("security-services", "warn", f"another organization trail {trail['Name']!r} "
                          f"({trail['TrailARN']}) exists: two organization trails record every event twice",
                          "delete it once the landing zone's trail delivers, or keep it knowingly (cost)")
