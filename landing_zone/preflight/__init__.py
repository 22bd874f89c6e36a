"""`lz preflight`: the one credentialed, read-only look at the live organization before the first `pulumi up`.

It checks what the program assumes about the world (organization with all features, the management account,
trusted access and delegated admins, the access role in adopted accounts and who may assume it once the RCP is
attached, Identity Center and its groups, opt-in regions, the public zone of the edges, the Client VPN's certificate
and SAML metadata (or the adopted ARNs), vCPU quotas of existing accounts, security services and the cost anomaly monitor
that must be imported) and prints a
table of checks with what to do. Exit 0 ready, 1 not ready (any failed check), 2 bad input or unusable credentials.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

# the check modules register themselves in CHECKS when imported
from landing_zone.preflight import access, capacity, client_vpn, cost, organization, services, world  # noqa: F401
from landing_zone.preflight.core import CHECKS, Context, CredentialsProblem, Finding, credentials_problem, run_checks
from landing_zone.preflight.imports import prepare_command

__all__ = ["CHECKS", "Context", "CredentialsProblem", "Finding", "exit_code", "preflight", "render_json", "render_table"]

STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red"}
# The table's order: what a platform engineer fixes first comes first.
ORDER = ("organization", "trusted-access", "delegated-admins", "access-role", "access-role-assumers", "identity-center",
         "opt-in-regions", "dns-zone", "certificates", "saml", "account-quota", "vcpu-quota", "security-services", "cost-anomaly-monitor")


def preflight(cfg: Any, plan: Mapping[str, Any], session: Any, root: Path = Path("."),
              clients: dict | None = None) -> list[Finding]:
    """Run every check; raises CredentialsProblem when the credentials do not work at all.

    `clients` pre-seeds the client cache ((service, region, account id) -> client), e.g. with Stubber-backed clients
    for the APIs an emulator lacks."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        identity = session.client("sts", region_name=cfg.organization.home_region).get_caller_identity()
    except (ClientError, BotoCoreError) as exc:
        raise (credentials_problem(exc) or CredentialsProblem(f"cannot identify the caller: {exc}")) from None
    caller = identity["Account"]
    ctx = Context(cfg=cfg, plan=plan, session=session, caller_account=caller, caller_arn=identity.get("Arn", ""),
                  root=Path(root), clients=dict(clients or {}))
    findings = [Finding("credentials", "pass", f"caller account {caller}"),
                *run_checks(ctx, ORDER + tuple(n for n in CHECKS if n not in ORDER))]
    prepare = prepare_command(ctx)
    if prepare:  # `pulumi import --parent/--provider` needs both in the state: a new stack has neither
        findings.append(Finding("imports", "warn", f"{len(ctx.imported)} existing resources to import; a new stack "
                                "first needs their parent components and providers", "run the commands below, in order",
                                (prepare,)))
    return findings


def commands_in_order(findings: Iterable[Finding]) -> list[str]:
    """The prepare step first, then every import."""
    ordered = sorted(findings, key=lambda f: f.check != "imports")
    return [c for f in ordered for c in f.commands]


def exit_code(findings: Iterable[Finding]) -> int:
    return 1 if any(f.status == "fail" for f in findings) else 0


def render_table(findings: list[Finding], console: Console, stack: str) -> None:
    table = Table(title=f"lz preflight --stack {stack}", show_lines=False)
    for column in ("check", "status", "detail", "what to do"):
        table.add_column(column, overflow="fold")
    for f in findings:
        table.add_row(f.check, f"[{STYLE[f.status]}]{f.status}[/]", f.detail, f.action)
    console.print(table)
    commands = commands_in_order(findings)
    if commands:
        console.print("\nBefore the first full `pulumi up`, in this order:")
        for command in commands:
            console.print(command, markup=False, highlight=False, soft_wrap=True)
    failed = sum(f.status == "fail" for f in findings)
    verdict = "[bold red]NOT READY[/]" if failed else "[green]READY[/]"
    console.print(f"\n{stack}: {verdict} ({failed} failed, {sum(f.status == 'warn' for f in findings)} warnings)")


def render_json(findings: list[Finding], stack: str) -> str:
    return json.dumps({"stack": stack, "ready": exit_code(findings) == 0,
                       "checks": [f.as_json() for f in findings],
                       "commands": commands_in_order(findings)}, indent=2) + "\n"


def main(stack: str, root: Path, plan_file: Path | None, fmt: str, out: Console, err: Console) -> int:
    """`lz preflight`: 0 ready, 1 not ready, 2 bad input (config, plan, --format) or credentials that do not work."""
    import boto3
    from botocore.exceptions import BotoCoreError

    from landing_zone.cli import planned, validated  # exit 2 with one line per error, as every `lz` command

    if fmt not in ("text", "json"):
        err.print(f"error: --format: {fmt!r} is not one of text, json", markup=False)
        return 2
    cfg = validated(stack, root)
    plan = planned(stack, root, plan_file)
    if not isinstance(plan, Mapping) or plan.get("stack") not in (None, stack):
        err.print(f"error: {plan_file}: not a plan of stack {stack!r}", markup=False)
        return 2
    try:
        findings = preflight(cfg, plan, boto3.Session(), root)
    except BotoCoreError as exc:  # e.g. a profile that does not exist, raised when the session resolves it
        problem = credentials_problem(exc)
        err.print(f"error: {problem or exc}", markup=False)
        return 2
    except CredentialsProblem as exc:
        err.print(f"error: {exc}", markup=False)
        return 2
    if fmt == "json":
        out.print(render_json(findings, stack), markup=False, highlight=False, end="")
    else:
        render_table(findings, out, stack)
    return exit_code(findings)
