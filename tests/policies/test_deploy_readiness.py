"""Deploy-readiness rules DEP-01..DEP-05: what they name, the pieces they rely on, and the gRPC path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from harness import run_case, violations
from lz_policies import deploy_readiness as dep
from lz_policies import facts
from lz_policies import types as t
from lz_policies.deploy_readiness import accounts, ordering
from lz_policies.deploy_readiness.common import case_in_account
from lz_policies.rules import StackCase
from lz_policies.values import UNKNOWN

from landing_zone import check
from landing_zone.check_result import exit_code
from landing_zone.regions import OPT_IN_REGIONS

BY_ID = {rule.id: rule for rule in dep.RULES}
PACK = Path(__file__).resolve().parents[2] / "policies"
STACK = "urn:pulumi:test::landing-zone::"
ACCOUNT_ID = "222222222222"


def test_the_packs_opt_in_regions_are_the_programs():
    """The pack cannot import landing_zone (its venv holds only pulumi and pulumi-policy): it reads facts.json."""
    assert set(facts.OPT_IN_REGIONS) == set(OPT_IN_REGIONS)


@pytest.mark.parametrize("rule", dep.RULES, ids=lambda r: r.id)
def test_violations_name_the_offending_resource(rule):
    for case in (c for c in rule.cases if c.violates):
        names = {r.urn: r.name for r in case.resources}
        found = violations(run_case(rule, case))
        assert found, case.note
        for d in found:
            assert d.urn in names and names[d.urn] in d.message, d


def _messages(rule_id: str, case: StackCase) -> list[str]:
    return [d.message for d in violations(run_case(BY_ID[rule_id], case))]


def test_dep01_says_what_the_provider_waits_for_and_how_to_fix_it():
    not_waiting = next(c for c in accounts.DEP01_CASES if c.note.startswith("enabled, but"))
    [message] = _messages("DEP-01", not_waiting)
    assert "app-ap-south-2-provider" in message and "enable-ap-south-2" in message and "depends_on" in message
    [missing] = _messages("DEP-01", next(c for c in accounts.DEP01_CASES if c.note == "opt-in region never enabled"))
    assert "aws.account.Region" in missing and "ap-south-2" in missing


def test_dep03_names_the_prerequisite_and_its_documentation():
    [message] = _messages("DEP-03", ordering.DEP03_CASES[0])
    assert "vpc-flow-log" in message and "logs-policy" in message and ordering.DOC_FLOW_LOGS in message


def test_dep03_every_row_cites_aws_documentation():
    assert all(row.doc.startswith("https://docs.aws.amazon.com/") and row.why for row in ordering.ORDERINGS)


def test_dep05_unknown_certificate_without_a_reference_is_advisory():
    case = StackCase((case_in_account(t.CLIENT_VPN, "client-vpn", {"serverCertificateArn": UNKNOWN}, account="network"),),
                     violates=False)
    diagnostics = run_case(BY_ID["DEP-05"], case)
    assert not violations(diagnostics)
    assert any(d.is_cannot_verify and d.level == "advisory" for d in diagnostics)


# --------------------------------------------------------------------------- over gRPC, as the engine runs the pack
def _entry(type_: str, name: str, outputs: dict, *, custom: bool = True, provider: str = "", deps: tuple = (),
           prop_deps: dict | None = None) -> dict:
    return {"urn": f"{STACK}{type_}::{name}", "type": type_, "name": name, "custom": custom, "parent": "",
            "provider": f"{provider}::{name}-provider-id" if provider else "", "dependencies": list(deps),
            "property_dependencies": prop_deps or {}, "protect": False, "inputs": outputs, "outputs": outputs,
            "id": f"{name}-id" if custom else ""}


def _plan(*, enabled: bool, waits: bool, lookup: str) -> dict:
    tags = json.dumps({"tags": {"environment": "prod", "account": "app"}})
    account = _entry(t.ORG_ACCOUNT, "account-app", {"name": "app", "email": "app@example.com", "id": ACCOUNT_ID})
    region = _entry(t.REGION_SETTING, "app-ap-south-2", {"regionName": "ap-south-2", "enabled": enabled,
                                                           "accountId": ACCOUNT_ID},
                    prop_deps={"accountId": [account["urn"]]})
    region["options"] = {"customTimeouts": {"create": "5h", "update": "5h"}}  # as components/regions.py sets them
    role = f"arn:aws:iam::{ACCOUNT_ID}:role/OrganizationAccountAccessRole"
    provider = _entry(t.PROVIDER, "app-ap-south-2", {
        "region": "ap-south-2", "defaultTags": tags, "allowedAccountIds": json.dumps([ACCOUNT_ID]),
        "assumeRoles": json.dumps([{"roleArn": role}])},
        deps=(account["urn"], *((region["urn"],) if waits else ())),
        prop_deps={"assumeRoles": [account["urn"]], "allowedAccountIds": [account["urn"]]})
    provider["provider"] = ""
    marker = _entry(t.LOOKUP, "app-ap-south-2-lookup-zone", {"token": lookup, "args": {"name": "example.com"},
                                                               "provider": provider["urn"]},
                    custom=False, prop_deps={"provider": [provider["urn"]]})
    topic = _entry("aws:sns/topic:Topic", "app-ap-south-2-alerts", {"name": "alerts"}, provider=provider["urn"])
    return {"project": "landing-zone", "stack": "test", "outputs": {},
            "resources": [account, region, provider, marker, topic]}


@pytest.fixture(scope="module")
def pack():
    plan = _plan(enabled=True, waits=True, lookup="aws:index/getPartition:getPartition")
    with check.PolicyPackProcess(PACK, check.pack_environment(plan, "test", PACK)) as started:
        yield started


def _dep(result, prefix: str) -> list:
    return [v for v in result.violations if v.policy.startswith(prefix)]


def test_grpc_ready_stack_passes_the_deploy_readiness_rules(pack):
    result = check.run_check(_plan(enabled=True, waits=True, lookup="aws:index/getPartition:getPartition"), PACK,
                             None, "test", pack=pack)
    assert not _dep(result, "dep-")


def test_grpc_provider_before_region_enablement_and_lookup_in_new_account_fail(pack):
    result = check.run_check(_plan(enabled=True, waits=False, lookup="aws:route53/getZone:getZone"), PACK, None,
                             "test", pack=pack)
    [region] = _dep(result, "dep-01")
    assert region.enforcement == "mandatory" and region.name == "app-ap-south-2"
    assert "does not wait for account/region app-ap-south-2" in region.message
    [lookup] = _dep(result, "dep-02")
    assert lookup.name == "app-ap-south-2-lookup-zone" and "aws:route53/getZone:getZone" in lookup.message
    assert exit_code(result) == 1


def test_grpc_region_enablement_with_the_providers_default_wait_fails(pack):
    plan = _plan(enabled=True, waits=True, lookup="aws:index/getPartition:getPartition")
    region = next(r for r in plan["resources"] if r["type"] == t.REGION_SETTING)
    region["options"]["customTimeouts"] = {"create": "1h"}
    [late] = _dep(check.run_check(plan, PACK, None, "test", pack=pack), "dep-01")
    assert late.name == "app-ap-south-2" and "customTimeouts create 60 minutes" in late.message
    del region["options"]
    [late] = _dep(check.run_check(plan, PACK, None, "test", pack=pack), "dep-01")
    assert "no customTimeouts (the provider waits 60 minutes)" in late.message
