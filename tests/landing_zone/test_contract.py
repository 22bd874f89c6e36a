"""The app-team contract: models, versions, the schema snapshot and its compatibility, and the real outputs."""

from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path

import pytest

from landing_zone import contract

ROOT = Path(__file__).resolve().parents[2]


def sample_outputs(version: str = contract.CONTRACT_VERSION) -> dict:
    arn = "arn:aws:ecs:ap-south-1:123456789012:cluster/prod-apps"
    return {
        "contract_version": version,
        "organization": {"name": "acme", "home_region": "ap-south-1", "dr_region": "ap-south-2"},
        "accounts": {
            "prod-apps": {
                "name": "prod-apps", "id": "123456789012", "environment": "prod", "ou": "Prod", "role": "workload",
                "segment": "prod", "deployment_role_arn": "arn:aws:iam::123456789012:role/deploy",
                "regions": {"ap-south-1": {
                    "vpc": {"id": "vpc-1", "cidr": "10.1.0.0/16", "subnet_ids": {"private": ["subnet-1", "subnet-2"]}},
                    "kms_key_arns": {"data": "arn:aws:kms:ap-south-1:123456789012:key/1"},
                    "workloads": {"ecs": {"cluster_arn": arn, "cluster_name": "prod-apps", "service_names": ["web"]}},
                }},
            },
        },
        "network": {"transit_gateways": {"ap-south-1": {"id": "tgw-1", "route_table_ids": {"prod": "tgw-rtb-1"}}}},
        "kubeconfigs": {"prod-data": {"ap-south-1": {contract.SECRET_SIG_KEY: contract.SECRET_SIG, "value": "apiVersion: v1"}}},
    }


# --- parsing and versions ---------------------------------------------------------------------------------------


def test_parse_gives_typed_outputs_and_unwraps_secrets():
    c = contract.parse(sample_outputs())
    apps = c.account("prod-apps")
    assert apps.region("ap-south-1").vpc.subnet_ids["private"] == ["subnet-1", "subnet-2"]
    assert apps.region("ap-south-1").workloads.ecs.service_names == ["web"]
    assert c.kubeconfigs["prod-data"]["ap-south-1"].get_secret_value() == "apiVersion: v1"
    assert "apiVersion" not in repr(c)  # the kubeconfig never shows in logs


def test_unknown_account_and_region_name_what_exists():
    c = contract.parse(sample_outputs())
    with pytest.raises(contract.ContractError, match=r"no account 'payments' \(the landing zone has: prod-apps\)"):
        c.account("payments")
    with pytest.raises(contract.ContractError, match=r"accounts.prod-apps.regions: no region 'eu-west-1' \(.*ap-south-1"):
        c.account("prod-apps").region("eu-west-1")


def test_invalid_outputs_name_the_field():
    outputs = sample_outputs()
    del outputs["accounts"]["prod-apps"]["regions"]["ap-south-1"]["vpc"]["cidr"]
    outputs["accounts"]["prod-apps"]["id"] = "12345"
    with pytest.raises(contract.ContractError) as e:
        contract.parse(outputs)
    assert "accounts.prod-apps.regions.ap-south-1.vpc.cidr: Field required" in str(e.value)
    assert "accounts.prod-apps.id: String should match pattern" in str(e.value)


@pytest.mark.parametrize(("version", "message"), [
    ("2.0", r"publishes contract 2.0, this reader supports 1.x: upgrade the landing-zone package"),
    ("0.9", r"publishes contract 0.9, older than the 1.x this reader supports: update the landing-zone stack"),
    ("one", r"'one' is not MAJOR.MINOR"),
    (None, r"None is not MAJOR.MINOR; is the referenced stack a landing zone"),
])
def test_other_major_versions_are_refused_saying_which_side_to_upgrade(version, message):
    with pytest.raises(contract.ContractVersionError, match=message):
        contract.parse(sample_outputs(version))


def test_newer_minor_is_readable_with_a_warning_and_unknown_fields_ignored():
    outputs = sample_outputs("1.7")
    outputs["accounts"]["prod-apps"]["regions"]["ap-south-1"]["vpc"]["ipv6_cidr"] = "2001:db8::/56"  # a 1.7 field
    seen: list[str] = []
    c = contract.parse(outputs, warn=seen.append)
    assert c.account("prod-apps").region("ap-south-1").vpc.cidr == "10.1.0.0/16"
    assert len(seen) == 1 and "newer than 1.0: readable" in seen[0]
    with pytest.warns(contract.ContractVersionWarning):
        contract.parse(outputs)


def test_same_or_older_minor_reads_silently():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert contract.parse(sample_outputs("1.0")).contract_version == "1.0"
    assert contract.check_version("1.0", supported="1.3") is None


# --- the schema and its compatibility -----------------------------------------------------------------------------


def live() -> dict:
    return json.loads(contract.schema_json())


def test_schema_json_is_a_json_schema_carrying_the_version():
    schema = live()
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["x-contract-version"] == contract.CONTRACT_VERSION
    assert {"contract_version", "accounts", "network", "logging", "kubeconfigs"} <= set(schema["properties"])
    assert schema["$defs"]["Eks"]["required"] == ["cluster_name", "endpoint", "oidc_provider_arn"]


def test_checked_in_snapshot_is_current():
    snapshot = (ROOT / "contract" / "schema.json").read_text()
    assert snapshot == contract.schema_json(), (
        "contract/schema.json is stale: run `lz contract --schema > contract/schema.json` "
        "(and bump CONTRACT_VERSION: minor for added optional fields, major for anything else)")


def test_current_version_is_released_and_live_schema_breaks_no_release_of_its_major():
    released = contract.released_schemas(ROOT)
    assert contract.CONTRACT_VERSION in released, "add contract/released/<version>.json when bumping the version"
    assert contract.compatibility_errors(released, live()) == []


def _vpc(schema: dict) -> dict:
    return schema["$defs"]["Vpc"]


def test_removing_a_field_is_caught():
    schema = live()
    del _vpc(schema)["properties"]["cidr"]
    _vpc(schema)["required"].remove("cidr")
    errors = contract.compatibility_errors({"1.0": live()}, schema)
    assert errors == ["breaks contract 1.0 without a major bump: $.accounts.*.regions.*.vpc.cidr: removed"]


def test_renaming_a_field_is_caught_and_hinted():
    schema = live()
    _vpc(schema)["properties"]["cidr_block"] = _vpc(schema)["properties"].pop("cidr")
    assert contract.breaking_changes(live(), schema) == ["$.accounts.*.regions.*.vpc.cidr: removed (renamed to cidr_block?)"]


def test_type_change_and_loosened_requirement_are_caught():
    schema = live()
    schema["$defs"]["Aurora"]["properties"]["port"] = {"type": "string"}
    schema["$defs"]["Eks"]["required"].remove("endpoint")
    changes = contract.breaking_changes(live(), schema)
    assert "$.accounts.*.regions.*.workloads.eks.endpoint: was required, now optional (readers of the old version rely on it)" in changes
    assert "$.accounts.*.regions.*.workloads.aurora.port: type changed from integer to string" in changes


def test_adding_an_optional_field_stays_compatible_but_a_required_one_does_not():
    schema = live()
    _vpc(schema)["properties"]["ipv6_cidr"] = {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}
    assert contract.compatibility_errors({"1.0": live()}, schema) == []
    _vpc(schema)["required"].append("ipv6_cidr")
    assert contract.breaking_changes(live(), schema) == [
        "$.accounts.*.regions.*.vpc.ipv6_cidr: new required field (stacks of the old version lack it; give it a default)"]


def test_a_major_bump_allows_breaking_changes():
    schema = live()
    del _vpc(schema)["properties"]["cidr"]
    schema["x-contract-version"] = "2.0"
    assert contract.compatibility_errors({"1.0": live()}, schema) == []


def test_a_real_model_change_is_caught(monkeypatch):
    """Not only hand-edited dicts: a field dropped from the pydantic model shows up as removed."""
    from pydantic import create_model

    fields = {n: (f.annotation, f) for n, f in contract.Redis.model_fields.items() if n != "port"}
    smaller = create_model("Redis", __base__=contract.Model, **fields)
    monkeypatch.setitem(contract.Workloads.model_fields, "redis", copy.copy(contract.Workloads.model_fields["redis"]))
    contract.Workloads.model_fields["redis"].annotation = smaller | None
    contract.Workloads.model_rebuild(force=True)
    contract.Region.model_rebuild(force=True)
    contract.Account.model_rebuild(force=True)
    contract.Contract.model_rebuild(force=True)
    try:
        changes = contract.breaking_changes(contract.released_schemas(ROOT)["1.0"], live())
    finally:
        monkeypatch.undo()
        for model in (contract.Workloads, contract.Region, contract.Account, contract.Contract):
            model.model_rebuild(force=True)
    assert changes == ["$.accounts.*.regions.*.workloads.redis.port: removed"]
    assert contract.breaking_changes(contract.released_schemas(ROOT)["1.0"], live()) == []
