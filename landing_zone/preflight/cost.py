"""Cost anomaly detection already set up outside the stack: AWS allows one AWS-services monitor (DIMENSIONAL,
dimension SERVICE) per account, so when the management account has one, creating the program's fails (Cost
Management User Guide, "Cost Anomaly Detection": quotas). It must be imported under the plan's logical name first;
the import keeps the monitor's history, and the next `pulumi up` renames it to the program's name in place."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from landing_zone.preflight.core import Context, Finding, check
from landing_zone.preflight.imports import import_command

MONITOR = "aws:costexplorer/anomalyMonitor:AnomalyMonitor"
CE_REGION = "us-east-1"  # Cost Explorer has one endpoint
MGMT = "management"


def _services_monitor(monitor_type: Any, dimension: Any) -> bool:
    return monitor_type == "DIMENSIONAL" and dimension == "SERVICE"


def _existing(client: Any) -> Iterator[Mapping[str, Any]]:
    token = None
    while True:
        page = client.get_anomaly_monitors(**({"NextPageToken": token} if token else {}))
        yield from page.get("AnomalyMonitors", [])
        token = page.get("NextPageToken")
        if not token:
            return


@check("cost-anomaly-monitor")
def anomaly_monitor(ctx: Context) -> Iterator[Finding]:
    planned = [r for r in ctx.planned(MONITOR, MGMT)
               if _services_monitor(r.get("inputs", {}).get("monitorType"), r.get("inputs", {}).get("monitorDimension"))]
    if not planned:
        yield Finding("cost-anomaly-monitor", "pass", "the program creates no AWS-services anomaly monitor")
        return
    existing = [m for m in _existing(ctx.client("ce", CE_REGION))
                if _services_monitor(m.get("MonitorType"), m.get("MonitorDimension"))]
    if not existing:
        yield Finding("cost-anomaly-monitor", "pass", "no AWS-services anomaly monitor in the management account yet")
        return
    monitor, resource = existing[0], planned[0]
    yield Finding("cost-anomaly-monitor", "warn",
                  f"AWS-services anomaly monitor {monitor.get('MonitorName')!r} ({monitor['MonitorArn']}) exists in "
                  f"the management account: AWS allows one per account, so creating "
                  f"{resource.get('inputs', {}).get('name')!r} fails",
                  "import it before the first `pulumi up` (the program then renames it)",
                  (import_command(ctx, resource, monitor["MonitorArn"]),))
