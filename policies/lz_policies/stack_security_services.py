"""Stack rule X-15: GuardDuty, Config, Security Hub and Inspector run in every account and region used."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .graph import Graph
from .rules import CaseResource, Param, StackCase, StackRule
from .stack_helpers import case_resource, is_true, items_of
from .types import (
    CONFIG_RECORDER,
    GUARDDUTY,
    GUARDDUTY_ADMIN,
    GUARDDUTY_ORG,
    INSPECTOR,
    INSPECTOR_ADMIN,
    INSPECTOR_ORG,
    ORG_DELEGATED_ADMIN,
    PROVIDER,
    SECURITY_HUB,
    SECURITY_HUB_ADMIN,
    SECURITY_HUB_AGGREGATOR,
    SECURITY_HUB_ORG,
)

# --------------------------------------------------------------------------- X-15 security services everywhere
SERVICES = {
    "GuardDuty detector": (GUARDDUTY, GUARDDUTY_ORG, (GUARDDUTY_ADMIN,), "guardduty.amazonaws.com"),
    "AWS Config recorder": (CONFIG_RECORDER, None, (), "config.amazonaws.com"),
    "Security Hub": (SECURITY_HUB, SECURITY_HUB_ORG, (SECURITY_HUB_ADMIN,), "securityhub.amazonaws.com"),
    "Inspector enabler": (INSPECTOR, INSPECTOR_ORG, (INSPECTOR_ADMIN,), "inspector2.amazonaws.com"),
}
CONFIG_KEYS = {"GuardDuty detector": "security.guardduty", "AWS Config recorder": "security.config",
               "Security Hub": "security.security_hub", "Inspector enabler": "security.inspector"}


def _scopes(g: Graph) -> dict[tuple[str, str], str]:
    """(account, region) -> the URN of a resource seen there (providers with an `account` tag)."""
    seen: dict[tuple[str, str], str] = {}
    for res in g.resources:
        account, region = g.account(res), g.region(res)
        if res.type != PROVIDER and account and region:
            seen.setdefault((account, region), res.urn)
    return seen


def _org_auto_enabled(g: Graph, org_type: str | None) -> set[str]:
    """Regions where an organization configuration auto-enables the service for every member."""
    regions = set()
    for conf in g.of_type(org_type) if org_type else []:
        auto = conf.get("autoEnableOrganizationMembers") == "ALL" or is_true(conf.get("autoEnable")) or (
            isinstance(conf.get("autoEnable"), Mapping) and any(is_true(v) for v in conf.get("autoEnable").values()))
        central = (conf.get("organizationConfiguration") or {}).get("configurationType") == "CENTRAL" if isinstance(
            conf.get("organizationConfiguration"), Mapping) else False
        if auto or central:
            regions.add(g.region(conf))
        if central:
            regions |= _linked_regions(g)
    return regions


def _linked_regions(g: Graph) -> set[str | None]:
    """Regions a Security Hub finding aggregator links: central configuration applies there too."""
    regions: set[str | None] = set()
    for aggregator in g.of_type(SECURITY_HUB_AGGREGATOR):
        mode = aggregator.get("linkingMode")
        if mode == "SPECIFIED_REGIONS":
            regions |= {str(r) for r in items_of(aggregator.get("specifiedRegions"))}
        elif mode in ("ALL_REGIONS", "ALL_REGIONS_EXCEPT_SPECIFIED"):
            excluded = set(items_of(aggregator.get("specifiedRegions"))) if mode.endswith("SPECIFIED") else set()
            regions |= {region for (_, region) in _scopes(g) if region not in excluded}
    return regions


def _has_delegated_admin(g: Graph, admin_types: tuple[str, ...], principal: str) -> bool:
    if g.of_type(*admin_types):
        return True
    return any(d.get("servicePrincipal") == principal for d in g.of_type(ORG_DELEGATED_ADMIN))


def security_services_everywhere(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, cfg = stack.graph(), stack.cfg
    scopes = _scopes(g)
    if not scopes:
        return
    for service, (type_, org_type, admin_types, principal) in SERVICES.items():
        enabled = {(g.account(r), g.region(r)) for r in g.of_type(type_)}
        auto_regions = _org_auto_enabled(g, org_type) if cfg["acceptOrgAutoEnable"] else set()
        for (account, region), urn in sorted(scopes.items()):
            if (account, region) not in enabled and region not in auto_regions:
                yield urn, (f"account {account} in {region} has resources ({g.by_urn[urn].name}) but no {service}: "
                            f"enable it there (or auto-enable it for the organization from the delegated admin); in "
                            f"the landing zone's config: {CONFIG_KEYS[service]}: true")
        if cfg["requireDelegatedAdmin"] and not _has_delegated_admin(g, admin_types, principal):
            yield None, (f"{service}: no delegated administrator in the stack: delegate {principal} to the "
                         f"security account ({CONFIG_KEYS[service]}: true does)")


def _everywhere(account_tags: dict[str, str], skip: str | None = None, region: str | None = None) -> list[CaseResource]:
    props = {"region": region} if region else {}
    types = {"guardduty": GUARDDUTY, "config": CONFIG_RECORDER, "hub": SECURITY_HUB, "inspector": INSPECTOR}
    return [case_resource(t, f"{account_tags['account']}-{key}{'-' + region if region else ''}", dict(props),
                  provider_tags=account_tags) for key, t in types.items() if key != skip]


_PROD_TAGS = {"environment": "prod", "account": "prod-apps"}
_ADMINS = (case_resource(GUARDDUTY_ADMIN, "gd-admin", {"adminAccountId": "111111111111"}, provider_tags=_PROD_TAGS),
           case_resource(SECURITY_HUB_ADMIN, "sh-admin", {"adminAccountId": "111111111111"}, provider_tags=_PROD_TAGS),
           case_resource(INSPECTOR_ADMIN, "insp-admin", {"accountId": "111111111111"}, provider_tags=_PROD_TAGS),
           case_resource(ORG_DELEGATED_ADMIN, "config-admin", {"servicePrincipal": "config.amazonaws.com",
                                                        "accountId": "111111111111"}, provider_tags=_PROD_TAGS))
X15_CASES = (
    StackCase((*_everywhere(_PROD_TAGS, skip="guardduty"), *_ADMINS), violates=True, note="no GuardDuty in prod-apps"),
    StackCase((*_everywhere(_PROD_TAGS), *_everywhere(_PROD_TAGS, skip="inspector", region="eu-central-1"),
               *_ADMINS), violates=True, note="second region without Inspector"),
    StackCase(tuple(_everywhere(_PROD_TAGS)), violates=True, note="no delegated admins"),
    StackCase((*_everywhere(_PROD_TAGS), *_ADMINS), violates=False),
    StackCase((*_everywhere(_PROD_TAGS, skip="guardduty"), *_ADMINS,
               case_resource(GUARDDUTY_ORG, "gd-org", {"autoEnableOrganizationMembers": "ALL"}, provider_tags=_PROD_TAGS)),
              violates=False, note="GuardDuty auto-enabled for the organization in the region"),
    StackCase((*_everywhere(_PROD_TAGS), *_everywhere(_PROD_TAGS, skip="hub", region="eu-central-1"), *_ADMINS,
               case_resource(SECURITY_HUB_ORG, "sh-org", {"organizationConfiguration": {"configurationType": "CENTRAL"}},
                     provider_tags=_PROD_TAGS),
               case_resource(SECURITY_HUB_AGGREGATOR, "sh-aggregator", {"linkingMode": "SPECIFIED_REGIONS",
                                                                "specifiedRegions": ["eu-central-1"]},
                     provider_tags=_PROD_TAGS)),
              violates=False, note="Security Hub central configuration reaches the linked region"),
)


RULES = [
    StackRule(
        id="X-15", name="x-15-security-services-everywhere",
        whole_organization=True,
        title="GuardDuty, Config, Security Hub and Inspector in every account and region, with a delegated admin",
        description="For every account x region that has resources (provider default tag `account` and region), a "
                    "GuardDuty detector, a Config recorder, a Security Hub account and an Inspector enabler exist (or "
                    "an organization configuration auto-enables the service in that region); each service has a "
                    "delegated administrator.",
        refs="SH GuardDuty.1, Config.1, SecurityHub; CIS 4.16 (v3.0)",
        checks=(security_services_everywhere,), cases=X15_CASES,
        params={"acceptOrgAutoEnable": Param("boolean", True, "organization auto-enable covers member accounts"),
                "requireDelegatedAdmin": Param("boolean", True, "require a delegated administrator per service")}),
]
