"""A plan summary a person can read at a glance: resources by account and by kind (rich tables)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.table import Table

from landing_zone.plan_index import account_of, index_by_urn, plan_is_preview, provider_tags

# Kinds a platform engineer thinks in, from type tokens (first match wins; anything else shows its module).
KINDS = (
    ("pulumi:providers:", "providers"), ("aws:organizations/", "organization"), ("aws:ssoadmin/", "identity"),
    ("aws:identitystore/", "identity"), ("aws:iam/", "iam"), ("aws:ec2transitgateway/", "transit gateway"),
    ("aws:ec2clientvpn/", "vpn"), ("aws:directconnect/", "vpn"), ("aws:ec2/vpn", "vpn"), ("aws:ec2/customerGateway", "vpn"),
    ("aws:ec2/instance", "compute"), ("aws:ec2/launchTemplate", "compute"), ("aws:ec2/", "network"),
    ("aws:vpc/", "network"), ("aws:ram/", "network"), ("aws:route53", "dns"), ("aws:eks/", "eks"), ("eks:", "eks"),
    ("aws:ecs/", "ecs"), ("aws:ecr/", "ecs"), ("aws:rds/", "database"), ("aws:elasticache/", "database"),
    ("aws:lb/", "edge"), ("aws:acm/", "edge"), ("aws:wafv2/", "edge"), ("aws:s3/", "storage"), ("aws:kms/", "keys"),
    ("aws:cloudtrail/", "logging"), ("aws:cloudwatch/", "monitoring"), ("aws:sns/", "monitoring"),
    ("aws:cfg/", "detection"), ("aws:guardduty/", "detection"), ("aws:securityhub/", "detection"),
    ("aws:inspector2/", "detection"), ("aws:accessanalyzer/", "detection"), ("aws:backup/", "backup"),
    ("aws:ssm/", "operations"), ("aws:secretsmanager/", "secrets"),
)


def kind_of(type_token: str) -> str:
    for prefix, kind in KINDS:
        if type_token.startswith(prefix):
            return kind
    parts = type_token.split(":")
    return parts[1].split("/")[0] if len(parts) > 2 else type_token


def counts(plan: Mapping[str, Any]) -> dict:
    """{"total", "custom", "components", "by_account": {account: n}, "by_account_kind": {(account, kind): n}}."""
    index = index_by_urn(plan)
    custom = [r for r in plan["resources"] if r["custom"]]
    by_account_kind = Counter((account_of(index, r), kind_of(r["type"])) for r in custom)
    return {
        "total": len(plan["resources"]),
        "custom": len(custom),
        "components": len(plan["resources"]) - len(custom),
        "by_account": dict(sorted(Counter(a for a, _ in by_account_kind.elements()).items())),
        "by_account_kind": dict(sorted(by_account_kind.items())),
    }


def resources_text(c: Mapping[str, int]) -> str:
    """How every command counts a plan (`lz plan`, `lz check`, `lz cost`): all it registers, of which cloud resources
    and components."""
    return f"{c['total']} resources ({c['custom']} custom resources, {c['components']} components)"


def render_summary(plan: Mapping[str, Any], console: Console | None = None) -> str:
    """Print two narrow tables (accounts, then kinds) and return them as text: readable in an 80-column terminal."""
    console = console or Console(record=True, width=100, highlight=False)
    c = counts(plan)
    index = index_by_urn(plan)
    environments = {account_of(index, r): provider_tags(index, r).get("environment", "")
                    for r in plan["resources"] if r["custom"]}
    accounts = Table(title=f"plan {plan['project']}/{plan['stack']}: {resources_text(c)} in "
                           f"{len(c['by_account'])} accounts", title_justify="left")
    for name, justify in (("account", "left"), ("environment", "left"), ("resources", "right"), ("largest kinds", "left")):
        accounts.add_column(name, justify=justify)
    for account, total in c["by_account"].items():
        mine = sorted(((n, k) for (a, k), n in c["by_account_kind"].items() if a == account), reverse=True)
        accounts.add_row(account, environments.get(account, ""), str(total), ", ".join(f"{k} {n}" for n, k in mine[:4]))
    kinds = Table(title="resources by kind", title_justify="left")
    for name, justify in (("kind", "left"), ("resources", "right"), ("accounts", "right")):
        kinds.add_column(name, justify=justify)
    per_kind = Counter()
    spread = Counter()
    for (_, kind), n in c["by_account_kind"].items():
        per_kind[kind] += n
        spread[kind] += 1
    for kind, n in per_kind.most_common():
        kinds.add_row(kind, str(n), str(spread[kind]))
    console.print(accounts)
    console.print(kinds)
    if plan_is_preview(plan):
        console.print("[yellow]preview:[/] computed values (ids, ARNs, endpoints) are unknown until deployment.")
    return console.export_text() if console.record else ""
