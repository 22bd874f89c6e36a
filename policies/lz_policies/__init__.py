"""Landing-zone CrossGuard policy pack: the security catalogue of shared/CONTROLS.md as policies.

`all_rules()` collects the rules of every family module; `all_policies()` turns them into pulumi_policy objects;
`build_pack()` starts the pack (constructing a PolicyPack starts the analyzer server and never returns).
"""

from __future__ import annotations

import importlib

from .rules import Rule

# Family modules, in the order of the catalogue. A module that does not exist yet is skipped, so the pack can be
# assembled while families are still being written; an import error INSIDE a module is never swallowed.
FAMILIES = (
    "network",
    "encryption_at_rest",
    "encryption_in_transit",
    "logging",
    "logging_workloads",
    "identity",
    "identity_permission_sets",
    "identity_trust",
    "identity_resource_policies",
    "containers",
    "data_protection",
    "governance",
    "stack_network",
    "stack_edge",
    "stack_transit",
    "stack_logging",
    "stack_data",
    "stack_secrets",
    "stack_findings",
    "stack_sessions",
    "stack_endpoints",
    "stack_security_services",
    "stack_baseline",
    "stack_organization",
    "stack_guardrails",
    "stack_org_policies",
    "deploy_readiness",
    "cost_governance",
    "disaster_recovery",
    "dns",
    "data_stores",
    "secrets_anywhere",
    "general",
)

PACK_NAME = "landing-zone-security"
PACK_DESCRIPTION = "Landing-zone security catalogue (CIS AWS Foundations, Security Hub, checkov) as CrossGuard policies."


def _load_family(name: str):
    qualified = f"{__name__}.{name}"
    try:
        return importlib.import_module(qualified)
    except ModuleNotFoundError as err:
        if err.name == qualified:
            return None
        raise


def all_rules() -> list[Rule]:
    """Every rule of every family module, checked for duplicate ids and policy names."""
    rules: list[Rule] = []
    for family in FAMILIES:
        module = _load_family(family)
        if module is not None:
            rules.extend(getattr(module, "RULES", []))
    _check_unique(rules)
    return rules


def _check_unique(rules: list[Rule]) -> None:
    seen_ids: set[str] = set()
    seen_names: set[str] = set()
    for rule in rules:
        if rule.id in seen_ids:
            raise ValueError(f"duplicate rule id {rule.id}")
        seen_ids.add(rule.id)
        for name in rule.policy_names:
            if name in seen_names:
                raise ValueError(f"duplicate policy name {name}")
            seen_names.add(name)


def all_policies(rules: list[Rule] | None = None) -> list:
    """pulumi_policy policy objects for the rules (a rule relaxed in some environments yields two policies)."""
    return [policy for rule in (rules if rules is not None else all_rules()) for policy in rule.policies()]


def analyzer_servicer(policies: list | None = None):
    """The Analyzer servicer the pack serves with, unconfigured (tests and benchmarks drive it in-process)."""
    from pulumi_policy import EnforcementLevel

    from .analyzer import servicer_class

    return servicer_class()(PACK_NAME, "0.0.1", policies if policies is not None else all_policies(),
                            EnforcementLevel.ADVISORY, None, PACK_DESCRIPTION)


def build_pack() -> None:
    """Start the policy pack (blocks: serves the engine's Analyzer protocol until killed)."""
    from pulumi_policy import PolicyPack

    from .analyzer import install

    install()  # PolicyPack then serves with analyzer.PackAnalyzer (same answers, each request decoded once)
    PolicyPack(name=PACK_NAME, policies=all_policies(), description=PACK_DESCRIPTION)
