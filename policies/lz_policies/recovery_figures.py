"""The figures DR-01 and `lz dr` derive RPO and RTO from, and AWS Backup schedule arithmetic (STDLIB ONLY).

Every key of FIGURES is a row of docs/disaster-recovery.md's Sources table (tests/landing_zone/test_dr.py checks it);
the keys in ESTIMATES are engineering estimates and say so there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Figures by source key (minutes); every key is a row of docs/disaster-recovery.md (test_dr checks it).
SECOND = 1 / 60
FIGURES = {
    "aurora-global-lag": SECOND,  # AWS: typical replication latency under one second
    "aurora-global-failover": 1.0,  # AWS: promote a secondary region in under a minute
    "backup-copy": 60.0,  # estimate: backup job completion plus the cross-region copy
    "aurora-restore": 60.0,  # estimate: restore a cluster and its writer from a snapshot copy
    "ebs-restore": 30.0,  # estimate: volumes from snapshot copies, attached to new hosts
    "elasticache-global-lag": SECOND,  # AWS DR workshop: generally under one second
    "elasticache-global-promote": 1.0,  # AWS DR workshop: RTO 1 minute
    "elasticache-rebuild": 30.0,  # estimate: create an empty replication group
    "secret-replica": 1.0,  # estimate: asynchronous replication of each new version; replica readable in DR
    "ecs-warm": 5.0,  # estimate: scale out from the running minimum (tasks start, pass ALB health checks)
    "ecs-pilot": 10.0,  # estimate: start from zero (image pull from the replicated ECR, health checks)
    "redeploy": 240.0,  # estimate: build the DR compute (ALB, cluster, services, images) with `pulumi up`
    "dns-manual": 15.0,  # estimate: an operator re-points the record (plus the record's TTL)
    "alb-ttl": 1.0,  # AWS: an ALB's DNS records have a 60 s TTL
    "backup-min-interval": 60.0,  # AWS Backup refuses rules less than 60 minutes apart
}
ESTIMATES = frozenset({"backup-copy", "aurora-restore", "ebs-restore", "elasticache-rebuild", "secret-replica",
                       "ecs-warm", "ecs-pilot", "redeploy", "dns-manual"})
R53_INTERVAL, R53_THRESHOLD = 30, 3  # Route 53 health check defaults (seconds, consecutive failures)



@dataclass(frozen=True)
class Figure:
    minutes: float | None  # None: nothing in the DR region recovers it
    source: str  # key of FIGURES / row of docs/disaster-recovery.md ("none" when minutes is None)

    @property
    def estimate(self) -> bool:
        return self.source in ESTIMATES


NONE = Figure(None, "none")


def fmt(minutes: float | None) -> str:
    """'~1 s', '2.5 min', '26 h', 'none'."""
    if minutes is None:
        return "none"
    if minutes < 1:
        return f"~{round(minutes * 60)} s"
    if minutes < 120:
        return f"{minutes:g} min"
    return f"{minutes / 60:g} h"


# --------------------------------------------------------------------------- schedules
def schedule_interval(expression: Any) -> float | None:
    """The longest gap in minutes between runs of an AWS Backup cron expression; None when it is not understood."""
    match = re.fullmatch(r"cron\((.+)\)", expression.strip()) if isinstance(expression, str) else None
    fields = match[1].split() if match else []
    if len(fields) != 6:
        return None
    _, hours, day_of_month, _, day_of_week, _ = fields
    if day_of_month not in ("*", "?"):
        return 31 * 1440.0  # monthly (or a few days a month): at most a month apart
    if day_of_week not in ("*", "?"):
        days = _values(day_of_week, 7)
        return 7 * 1440.0 / len(days) if days else None
    step = re.fullmatch(r"(?:\*|\d+)/(\d+)", hours)
    if hours == "*":
        return 60.0
    if step:
        return int(step[1]) * 60.0
    values = _values(hours, 24)
    if not values:
        return None
    gaps = [(b - a) % 24 or 24 for a, b in zip(values, values[1:] + values[:1], strict=True)]
    return max(gaps) * 60.0


def _values(field_: str, modulo: int) -> list[int]:
    out: list[int] = []
    for part in field_.split(","):
        if part.isdigit():
            out.append(int(part) % modulo)
        elif re.fullmatch(r"[A-Z]{3}", part):
            out.append(len(out))  # a named day: only the count matters
        else:
            return []
    return sorted(set(out))


def schedule_words(rule: Mapping[str, Any]) -> str:
    interval = schedule_interval(rule.get("schedule"))
    words = {60.0: "hourly", 1440.0: "daily", 10080.0: "weekly"}
    return words.get(interval, f"every {fmt(interval)}") if interval else f"schedule {rule.get('schedule')}"
