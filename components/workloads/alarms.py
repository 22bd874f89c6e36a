"""What a workload piece asks Monitoring to watch: alarms, dashboard widgets and EC2 instances to status-check.

Each piece declares its own (`Piece.watch`), next to its component; Monitoring merges them in registry order.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi


@dataclass(frozen=True)
class AlarmSpec:
    purpose: str
    namespace: str
    metric: str
    dimensions: dict[str, pulumi.Input[str]]
    threshold: float
    statistic: str = "Average"
    comparison: str = "GreaterThanThreshold"
    periods: int = 3
    period: int = 300
    description: str = ""


@dataclass(frozen=True)
class Widget:
    """A dashboard graph: its title and CloudWatch metric rows."""

    title: str
    metrics: list


@dataclass(frozen=True)
class Watch:
    alarms: tuple[AlarmSpec, ...] = ()
    widgets: tuple[Widget, ...] = ()
    instance_ids: tuple[pulumi.Input[str], ...] = ()  # EC2 status-check alarms (instance and system)
    prometheus: bool = False  # an Amazon Managed Prometheus workspace (EKS)

    def __add__(self, other: Watch) -> Watch:
        return Watch(self.alarms + other.alarms, self.widgets + other.widgets, self.instance_ids + other.instance_ids,
                     self.prometheus or other.prometheus)
