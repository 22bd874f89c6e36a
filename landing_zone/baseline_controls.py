"""What the gate always refuses in config: a baseline control switched off, a prod log archive kept under a year, and
isolated segments joined without a reviewed exception (pure, stdlib and models only).

One predicate for both sides: `lz validate` calls `refusals` on the parsed config; the policy pack (rules REQ-01 to
REQ-03, policies/lz_policies/stack_baseline.py) gets the same table and message templates through the generated
facts file (`facts()` below, landing_zone/pack_facts.py) and applies them to the raw stack config the engine hands
it. tests/landing_zone/test_baseline_controls.py proves the two give the same messages.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# security.<key> -> (what it builds, the benchmark that requires it)
REQUIRED_CONTROLS = {
    "cloudtrail": ("the organization trail", "CIS 3.1"),
    "config": ("an AWS Config recorder in every account and region", "CIS 3.5 / v3.0 3.3"),
    "guardduty": ("GuardDuty, auto-enabled for every member account", "SH GuardDuty.1"),
    "security_hub": ("Security Hub with at least one standard", "CIS 4.16 (v3.0)"),
    "inspector": ("Inspector for EC2 and ECR", "SH Inspector.1, Inspector.2"),
    "access_analyzer": ("IAM Access Analyzer for the organization", "CIS 1.20"),
}
PROD_ENVIRONMENT = "prod"  # a prod organization: one with an account of this environment
LOG_ARCHIVE_RETENTION_FLOOR_DAYS = 365
# security.<key> -> what a prod organization keeps at least LOG_ARCHIVE_RETENTION_FLOOR_DAYS days
RETENTIONS = {"log_archive_retention_days": "its log archive (trail, Config, access logs)",
              "log_retention_days": "its CloudWatch log groups (the trail's, flow logs, workloads)"}
# Segments the customer stories keep apart: no path between them without a reviewed exception.
ISOLATED_SEGMENTS = (("prod", "nonprod"), ("prod", "sandbox"), ("nonprod", "sandbox"))
ISOLATION_POLICY = "req-02-isolated-segments-stay-apart"  # its policy config holds the reviewed exceptions
EXCEPTION_FIELDS = ("segments", "reason", "reviewer", "reviewed")  # every exception names all four
POLICY_CONFIG = Path(__file__).resolve().parents[1] / "policy-config.json"  # what `lz check` uses by default

MESSAGES = {
    "control": "security.{key} is false: {what} is required ({ref}); set security.{key}: true",
    "standards": ("security.security_hub_standards is empty: Security Hub needs at least one standard (CIS 4.16); "
                  "list one, e.g. [fsbp, cis-3.0]"),
    "retention": ("security.{key} is {days}: a prod organization keeps {what} at least {floor} days; set "
                  "security.{key}: {floor} or more"),
    "isolation": ("network.reachability.{segment} lists {peer}: the {a} and {b} segments stay isolated; remove "
                  "{peer} from it, or record a reviewed exception in policy-config.json under "
                  "{policy}.exceptions ({fields})"),
}


@dataclass(frozen=True)
class Refusal:
    path: str  # the config key to change, e.g. security.cloudtrail
    message: str  # starts with the path


def facts() -> dict[str, Any]:
    """The table and templates, as the pack receives them (facts.json "baseline")."""
    return {
        "requiredControls": {key: {"what": what, "ref": ref} for key, (what, ref) in REQUIRED_CONTROLS.items()},
        "prodEnvironment": PROD_ENVIRONMENT,
        "logArchiveRetentionFloorDays": LOG_ARCHIVE_RETENTION_FLOOR_DAYS,
        "retentions": dict(RETENTIONS),
        "isolatedSegments": [list(pair) for pair in ISOLATED_SEGMENTS],
        "isolationPolicy": ISOLATION_POLICY,
        "exceptionFields": list(EXCEPTION_FIELDS),
        "messages": dict(MESSAGES),
    }


def refusals(security: Mapping[str, Any], environments: Iterable[str], reachability: Mapping[str, Iterable[str]],
             exceptions: Iterable[Mapping[str, Any]] = ()) -> list[Refusal]:
    """Everything the gate refuses, from the `security` section (explicit values; defaults are all on), the accounts'
    environments, `network.reachability` and the reviewed isolation exceptions."""
    found = [Refusal(f"security.{key}", MESSAGES["control"].format(key=key, what=what, ref=ref))
             for key, (what, ref) in REQUIRED_CONTROLS.items() if security.get(key) is False]
    if security.get("security_hub") is not False and security.get("security_hub_standards") == []:
        found.append(Refusal("security.security_hub_standards", MESSAGES["standards"]))
    prod = PROD_ENVIRONMENT in set(environments)
    for key, what in RETENTIONS.items():
        days = security.get(key)
        if prod and isinstance(days, int) and days < LOG_ARCHIVE_RETENTION_FLOOR_DAYS:
            found.append(Refusal(f"security.{key}", MESSAGES["retention"].format(
                key=key, what=what, days=days, floor=LOG_ARCHIVE_RETENTION_FLOOR_DAYS)))
    return found + joined_segments(reachability, exceptions)


def config_refusals(cfg: Any) -> list[str]:
    """`lz validate`'s check (a LandingZoneConfig): the problems of policy-config.json's exceptions, then `refusals`."""
    exceptions, problems = policy_exceptions()
    found = refusals(cfg.security.model_dump(), [a.environment for a in cfg.accounts], cfg.network.reachability,
                     exceptions)
    return problems + [r.message for r in found]


def joined_segments(reachability: Mapping[str, Iterable[str]],
                    exceptions: Iterable[Mapping[str, Any]] = ()) -> list[Refusal]:
    """Isolated pairs that `network.reachability` joins (either way round) without a reviewed exception."""
    seen = excepted_pairs(exceptions)  # each pair reported once (the config lists it both ways round)
    found = []
    for segment, peers in reachability.items():
        for peer in peers if isinstance(peers, list | tuple) else ():
            pair = isolated_pair(segment, peer)
            if pair and frozenset(pair) not in seen:
                seen.add(frozenset(pair))
                found.append(Refusal(f"network.reachability.{segment}", MESSAGES["isolation"].format(
                    segment=segment, peer=peer, a=pair[0], b=pair[1], policy=ISOLATION_POLICY,
                    fields=", ".join(EXCEPTION_FIELDS))))
    return found


def isolated_pair(a: str, b: str) -> tuple[str, str] | None:
    return next((pair for pair in ISOLATED_SEGMENTS if {a, b} == set(pair)), None)


def excepted_pairs(exceptions: Iterable[Mapping[str, Any]]) -> set[frozenset[str]]:
    """Pairs with a complete exception (all of EXCEPTION_FIELDS non-empty, two segments); the rest do not count."""
    pairs = set()
    for entry in exceptions or ():
        if not isinstance(entry, Mapping) or not all(entry.get(f) for f in EXCEPTION_FIELDS):
            continue
        segments = entry["segments"]
        if isinstance(segments, list) and len(segments) == 2 and all(isinstance(s, str) for s in segments):
            pairs.add(frozenset(segments))
    return pairs


def exception_problems(exceptions: Any, where: str) -> list[str]:
    """What is wrong with the exceptions list of the isolation policy's config (each entry names all four fields)."""
    if exceptions is None:
        return []
    if not isinstance(exceptions, list):
        return [f"{where}: expected a list of exceptions, got {exceptions!r}"]
    problems = []
    for i, entry in enumerate(exceptions):
        if not isinstance(entry, Mapping):
            problems.append(f"{where}[{i}]: expected a mapping with {', '.join(EXCEPTION_FIELDS)}")
            continue
        missing = [f for f in EXCEPTION_FIELDS if not entry.get(f)]
        if missing:
            problems.append(f"{where}[{i}]: missing {', '.join(missing)} (a reviewed exception names all of "
                            f"{', '.join(EXCEPTION_FIELDS)})")
        segments = entry.get("segments")
        if segments and not (isinstance(segments, list) and len(segments) == 2 and isolated_pair(*segments)):
            problems.append(f"{where}[{i}].segments: {segments!r} is not a pair of isolated segments "
                            f"({', '.join('/'.join(p) for p in ISOLATED_SEGMENTS)})")
    return problems


def policy_exceptions(path: Path | None = None) -> tuple[list[Mapping[str, Any]], list[str]]:
    """(the reviewed isolation exceptions of a policy config file, problems naming the file); none without the file."""
    path = path or POLICY_CONFIG
    if not path.exists():
        return [], []
    try:
        config = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        return [], [f"{path.name}: cannot read policy config: {exc}"]
    entry = config.get(ISOLATION_POLICY) if isinstance(config, dict) else None
    exceptions = entry.get("exceptions") if isinstance(entry, dict) else None
    problems = exception_problems(exceptions, f"{path.name}: {ISOLATION_POLICY}.exceptions")
    return (exceptions if isinstance(exceptions, list) else []), problems
