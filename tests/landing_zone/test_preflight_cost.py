"""`lz preflight` finds an AWS-services cost anomaly monitor that exists already (one per account: the program's
creation would fail) and prints its import. Cost Explorer is answered by a botocore Stubber (moto 5 does not implement
anomaly monitors); the rest of the world is test_preflight's moto organization."""

from __future__ import annotations

import pytest
import test_preflight as base
from test_preflight import MGMT, anomaly_monitors, of

from landing_zone.preflight import exit_code

aws = base.aws  # the moto organization's fixture


@pytest.fixture
def world(aws) -> base.World:
    return base.World(aws)

ARN = f"arn:aws:ce::{MGMT}:anomalymonitor/0a1b2c3d-4e5f-6789-abcd-ef0123456789"


def _monitor(monitor_type: str = "DIMENSIONAL", dimension: str | None = "SERVICE") -> dict:
    monitor = {"MonitorArn": ARN, "MonitorName": "Default-Services-Monitor", "MonitorType": monitor_type}
    return {**monitor, "MonitorDimension": dimension} if dimension else monitor


def test_no_monitor_yet_passes(world):
    [finding] = of(world.run(), "cost-anomaly-monitor")
    assert finding.status == "pass" and not finding.commands


def test_an_existing_services_monitor_prints_its_import(world):
    world.stubbed[("ce", "us-east-1", MGMT)] = anomaly_monitors(world.session, _monitor())
    findings = world.run()
    [finding] = of(findings, "cost-anomaly-monitor")
    assert finding.status == "warn" and "AWS allows one per account" in finding.detail
    assert "'Default-Services-Monitor'" in finding.detail and "'landing-zone-services'" in finding.detail
    [command] = finding.commands
    assert command.startswith("pulumi import --stack dev aws:costexplorer/anomalyMonitor:AnomalyMonitor "
                              f"management-ap-south-1-cost-anomaly-monitor {ARN} --yes")
    assert "--parent budgets=urn:pulumi:dev::landing-zone::landing-zone:cost:Budgets::budgets " in command
    assert "--provider 'management-ap-south-1=" in command
    assert exit_code(findings) == 0  # importable: a warning with the command, not a failure


def test_a_custom_monitor_is_not_the_one_aws_limits(world):
    world.stubbed[("ce", "us-east-1", MGMT)] = anomaly_monitors(world.session, _monitor("CUSTOM", None))
    [finding] = of(world.run(), "cost-anomaly-monitor")
    assert finding.status == "pass"
