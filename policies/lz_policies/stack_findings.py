"""Stack rule X-24: findings reach people and the log archive.

Where the plan makes an account GuardDuty's organization administrator (guardduty/organizationConfiguration on its
detector), that detector exports its findings (guardduty/publishingDestination with a KMS key). Where it makes a
Security Hub administrator (securityhub/organizationConfiguration), an EventBridge rule of that account matches
Security Hub findings (source aws.securityhub) and has a target. Switching either off fails the gate.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from .graph import Graph, Res
from .rules import StackCase, StackRule
from .stack_helpers import Unknowns, case_resource
from .types import GUARDDUTY, GUARDDUTY_EXPORT, GUARDDUTY_ORG, SECURITY_HUB_ORG
from .values import is_unknown

EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"


def _exported_detectors(g: Graph, unknowns: Unknowns) -> set[str]:
    found = set()
    for export in g.of_type(GUARDDUTY_EXPORT):
        key = export.get("kmsKeyArn")
        if is_unknown(key) or key:
            found |= {d.urn for d in g.resolve(export, "detectorId", (GUARDDUTY,))}
    return found


def _matches_security_hub(rule: Res) -> bool:
    pattern = rule.get("eventPattern")
    try:
        pattern = json.loads(pattern) if isinstance(pattern, str) else pattern
    except ValueError:
        return False
    return isinstance(pattern, Mapping) and "aws.securityhub" in (pattern.get("source") or [])


def _routing_accounts(g: Graph, unknowns: Unknowns) -> set[str | None]:
    """Accounts with a Security Hub findings rule that has at least one target."""
    targeted = set()
    for target in g.of_type(EVENT_TARGET):
        targeted |= {r.urn for r in g.resolve(target, "rule", (EVENT_RULE,))}
    found = set()
    for rule in g.of_type(EVENT_RULE):
        if unknowns.check(rule, "eventPattern"):
            continue
        if _matches_security_hub(rule) and rule.urn in targeted:
            found.add(g.account(rule))
    return found


def findings_reach_people(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), Unknowns()
    exported = _exported_detectors(g, unknowns)
    for org in g.of_type(GUARDDUTY_ORG):
        for detector in g.resolve(org, "detectorId", (GUARDDUTY,)):
            if detector.urn not in exported:
                yield detector.urn, (f"GuardDuty administrator detector {detector.name} ({g.account(detector)}, "
                                     f"{g.region(detector)}) exports no findings: add a guardduty.PublishingDestination "
                                     "to the log archive bucket with a KMS key (security.findings.export_guardduty)")
    routed = _routing_accounts(g, unknowns)
    for org in g.of_type(SECURITY_HUB_ORG):
        if g.account(org) not in routed and not unknowns:
            yield org.urn, (f"Security Hub administrator {g.account(org)} routes no findings to people: add an "
                            "EventBridge rule on source aws.securityhub with a target (security.findings)")
    unknowns.raise_if_any()


_PATTERN = json.dumps({"source": ["aws.securityhub"], "detail-type": ["Security Hub Findings - Imported"]})
_DETECTOR = case_resource(GUARDDUTY, "gd", {"enable": True})
_GD_ORG = case_resource(GUARDDUTY_ORG, "gd-org", {"autoEnableOrganizationMembers": "ALL"}, {"detectorId": "gd"})
_EXPORT = case_resource(GUARDDUTY_EXPORT, "gd-export", {"destinationType": "S3", "kmsKeyArn": "arn:aws:kms:k"},
                        {"detectorId": "gd"})
_SH_ORG = case_resource(SECURITY_HUB_ORG, "sh-org", {"autoEnable": False})
_RULE = case_resource(EVENT_RULE, "findings", {"eventPattern": _PATTERN})
_TARGET = case_resource(EVENT_TARGET, "findings-target", {"arn": "arn:aws:sns:t"}, {"rule": "findings"})
X20_CASES = (
    StackCase((_DETECTOR, _GD_ORG), violates=True, note="administrator detector without export"),
    StackCase((_DETECTOR, _GD_ORG, case_resource(GUARDDUTY_EXPORT, "gd-export", {"destinationType": "S3"},
                                                 {"detectorId": "gd"})), violates=True, note="export without a key"),
    StackCase((_SH_ORG, _RULE), violates=True, note="findings rule without a target"),
    StackCase((_SH_ORG, case_resource(EVENT_RULE, "findings", {"eventPattern": json.dumps({"source": ["aws.health"]})}),
               _TARGET), violates=True, note="a rule on other events"),
    StackCase((_DETECTOR, _GD_ORG, _EXPORT, _SH_ORG, _RULE, _TARGET), violates=False),
)

RULES = [
    StackRule(
        id="X-24", name="x-24-findings-reach-people", title="Findings are exported and routed to people",
        description="Every GuardDuty organization-administrator detector (the detectorId of a guardduty/"
                    "organizationConfiguration) has a publishingDestination with a kmsKeyArn; every account with a "
                    "securityhub/organizationConfiguration has an EventBridge rule on source aws.securityhub with "
                    "at least one target.",
        refs="SH GuardDuty findings export; AWS SRA (security tooling account routes findings)",
        checks=(findings_reach_people,), cases=X20_CASES),
]
