"""Report formats for `lz check`: text (rich), json, SARIF 2.1.0 (GitHub code scanning) and JUnit XML.

Every format names the resource (URN and name) of each violation. Messages were redacted of every secret plaintext
in the plan when the result was built (check_result.secret_values), so no format can print one.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from xml.etree import ElementTree as ET

from rich.console import Console
from rich.table import Table
from rich.text import Text

from landing_zone.check_result import SEVERITY_ORDER, CheckError, CheckResult, Violation

SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "unspecified": "dim"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# GitHub ranks code-scanning alerts by this number (critical >= 9.0, high >= 7.0, medium >= 4.0).
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "unspecified": "5.0"}


def summary(result: CheckResult) -> dict:
    real = [v for v in result.violations if not v.preview_unknown]
    return {
        "stack": result.stack,
        "pack": f"{result.pack_name}@{result.pack_version}",
        "preview": result.preview,
        "resources": result.resources_checked,
        "policies": len(result.policies),
        "violations": len(real),
        "mandatory": len([v for v in real if v.enforcement == "mandatory"]),
        "advisory": len([v for v in real if v.enforcement != "mandatory"]),
        "unknown_during_preview": len(result.violations) - len(real),
        "by_account": dict(sorted(Counter(v.account for v in real).items())),
        "by_severity": {s: n for s in SEVERITY_ORDER if (n := sum(1 for v in real if v.severity == s))},
        "passed": not result.mandatory,
    }


# --- text -------------------------------------------------------------------------------------------------------


STACK_LEVEL = "-"  # the account of a finding about the stack as a whole (Violation.account)


def render_text(result: CheckResult, width: int = 120) -> str:
    """Violations grouped by account, then severity; each names the resource and carries the fix. A policy's long
    description is printed once, with its first violation; stack-level findings print no empty resource fields."""
    console = Console(record=True, width=width, force_terminal=False, color_system=None, file=_NullFile())
    s = summary(result)
    real = [v for v in result.violations if not v.preview_unknown]
    groups: dict[tuple[str, str], list[Violation]] = defaultdict(list)
    for v in real:
        groups[(v.account, v.severity)].append(v)
    descriptions = {p.name: p.description for p in result.policies if p.description}
    described: set[str] = set()
    for account in sorted({a for a, _ in groups}):
        console.rule("stack-level findings" if account == STACK_LEVEL else f"account {account}", align="left")
        for severity in SEVERITY_ORDER:
            rows = sorted(groups.get((account, severity), []), key=lambda v: (v.enforcement != "mandatory", v.policy, v.urn))
            if not rows:
                continue
            console.print(Text(f"{severity.upper()} ({len(rows)})", style=SEVERITY_STYLE[severity]))
            for v in rows:
                subject = f": {v.name} ({v.type})" if v.urn else " (the stack as a whole)"
                console.print(f"  [{v.enforcement}] {v.policy}{subject}", markup=False, soft_wrap=True)
                if v.urn:
                    console.print(f"    urn: {v.urn}", markup=False, soft_wrap=True)
                for line in _message_lines(v, descriptions.get(v.policy), described):
                    console.print(f"    {line}", markup=False, soft_wrap=True)
    unknown = [v for v in result.violations if v.preview_unknown]
    if unknown:
        console.print(f"advisory: {len(unknown)} policy evaluation(s) could not run because values are unknown until "
                      "deployment (preview). They are not violations; plan without --preview (or run `pulumi up`) "
                      "to evaluate them:", markup=False)
        for policy, count in sorted(Counter(v.policy for v in unknown).items()):
            console.print(f"  - {policy}: {count} resource(s)", markup=False)
    if real:
        table = Table(title="violations by account and severity", title_justify="left")
        table.add_column("account")
        for severity in SEVERITY_ORDER[:-1]:
            table.add_column(severity, justify="right")
        table.add_column("mandatory", justify="right")
        by_account: dict[str, list[Violation]] = defaultdict(list)
        for v in real:
            by_account[v.account].append(v)
        for account, mine in sorted(by_account.items()):
            table.add_row("(stack)" if account == STACK_LEVEL else account, *(str(sum(1 for v in mine if v.severity == sev)) for sev in SEVERITY_ORDER[:-1]),
                          str(sum(1 for v in mine if v.enforcement == "mandatory")))
        console.print(table)
    verdict = "PASS" if s["passed"] else "FAIL"
    console.print(f"{verdict} stack {s['stack']}: {s['resources']} resources, {s['policies']} policies "
                  f"({s['pack']}), {s['mandatory']} mandatory and {s['advisory']} advisory violation(s)", markup=False)
    return console.export_text()


def _message_lines(v: Violation, description: str | None, described: set[str]) -> list[str]:
    """The violation's own lines; the policy's description (the SDK puts it first in every message) only the first
    time the policy appears."""
    message = v.message
    if description and message.startswith(description):
        message = message[len(description):].lstrip("\n")
        if v.policy not in described:
            described.add(v.policy)
            message = f"{description}\n{message}" if message else description
    return message.splitlines()


class _NullFile:
    def write(self, _text: str) -> int:
        return 0

    def flush(self) -> None:
        pass


# --- json -------------------------------------------------------------------------------------------------------


def render_json(result: CheckResult) -> str:
    doc = {
        "violations": [v.as_json() for v in result.violations],
        "summary": summary(result),
        "policies": [{"name": p.name, "kind": p.kind, "enforcement": p.enforcement, "severity": p.severity,
                      "description": p.description} for p in result.policies],
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


# --- SARIF 2.1.0 ------------------------------------------------------------------------------------------------


def _sarif_level(enforcement: str) -> str:
    return {"mandatory": "error", "advisory": "warning", "remediate": "error", "disabled": "none"}.get(enforcement, "warning")


def render_sarif(result: CheckResult, artifact: str | None = None) -> str:
    artifact = artifact or f"Pulumi.{result.stack}.yaml"
    rule_index = {p.name: i for i, p in enumerate(result.policies)}
    rules = []
    for p in result.policies:
        rule = {
            "id": p.name,
            "name": p.name,
            "shortDescription": {"text": p.description or p.name},
            "fullDescription": {"text": p.description or p.name},
            "help": {"text": p.remediation or p.description or p.name},
            "defaultConfiguration": {"level": _sarif_level(p.enforcement)},
            "properties": {"tags": ["security", "pulumi-policy", *p.tags], "kind": p.kind,
                           "security-severity": SECURITY_SEVERITY[p.severity], "enforcement": p.enforcement},
        }
        if p.url:
            rule["helpUri"] = p.url
        rules.append(rule)
    results = []
    for v in result.violations:
        entry = {
            "ruleId": v.policy,
            "level": "note" if v.preview_unknown else _sarif_level(v.enforcement),
            "message": {"text": f"{v.name} ({v.type}) in account {v.account}: {v.message}"},
            "locations": [{
                "physicalLocation": {"artifactLocation": {"uri": artifact}, "region": {"startLine": 1}},
                "logicalLocations": [{"fullyQualifiedName": v.urn, "name": v.name, "kind": "resource"}],
            }],
            "partialFingerprints": {"lzViolation/v1": hashlib.sha256(f"{v.policy}|{v.urn}|{v.message}".encode()).hexdigest()},
            "properties": {"urn": v.urn, "type": v.type, "account": v.account, "severity": v.severity},
        }
        if v.policy in rule_index:
            entry["ruleIndex"] = rule_index[v.policy]
        results.append(entry)
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": result.pack_name or "policy-pack", "version": result.pack_version or "0.0.0",
                                "informationUri": "https://www.pulumi.com/docs/using-pulumi/crossguard/",
                                "rules": rules}},
            "automationDetails": {"id": f"lz-check/{result.stack}/"},
            "results": results,
        }],
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


# --- JUnit XML --------------------------------------------------------------------------------------------------


def render_junit(result: CheckResult) -> str:
    """One test case per policy: failure when it has mandatory violations, skipped when disabled."""
    by_policy: dict[str, list[Violation]] = defaultdict(list)
    for v in result.violations:
        by_policy[v.policy].append(v)
    suite = ET.Element("testsuite", name=f"lz check {result.stack} ({result.pack_name})", tests=str(len(result.policies)))
    failures = skipped = 0
    for p in result.policies:
        case = ET.SubElement(suite, "testcase", classname=f"{result.pack_name}.{p.kind}", name=p.name)
        found = [v for v in by_policy.get(p.name, []) if not v.preview_unknown]
        mandatory = [v for v in found if v.enforcement == "mandatory"]
        lines = [f"[{v.enforcement}/{v.severity}] {v.account} {v.name} ({v.type}) {v.urn}: {v.message}" for v in found]
        if p.enforcement == "disabled":
            skipped += 1
            ET.SubElement(case, "skipped", message="disabled by policy config")
        elif mandatory:
            failures += 1
            failure = ET.SubElement(case, "failure", message=f"{len(mandatory)} mandatory violation(s)", type="mandatory")
            failure.text = "\n".join(lines)
        elif found:
            ET.SubElement(case, "system-out").text = "\n".join(lines)
    suite.set("failures", str(failures))
    suite.set("skipped", str(skipped))
    suite.set("errors", "0")
    root = ET.Element("testsuites", name="lz check", tests=str(len(result.policies)), failures=str(failures))
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render(result: CheckResult, fmt: str = "text") -> str:
    """The result in one of the formats above; CheckError (exit 2) for an unknown one."""
    renderers = {"text": render_text, "json": render_json, "sarif": render_sarif, "junit": render_junit}
    if fmt not in renderers:
        raise CheckError(f"unknown format {fmt!r} (choose one of: {', '.join(renderers)})")
    return renderers[fmt](result)
