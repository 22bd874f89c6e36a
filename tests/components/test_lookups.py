"""components.lookups: each invoke leaves a Lookup marker the policy pack can see (DEP-02), once per provider."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pytest

from components.lookups import LOOKUP_TYPE, TOKENS, lookup

PARTITION = "aws:index/getPartition:getPartition"
AZS = "aws:index/getAvailabilityZones:getAvailabilityZones"


@dataclass
class _Account:  # the two things lookup() uses of an AccountContext
    name: str
    providers: dict

    def resource_name(self, region: str, purpose: str) -> str:
        return f"{self.name}-{region}-{purpose}"


class _Caller(pulumi.ComponentResource):
    def __init__(self, name: str, account: _Account, extra=None):
        super().__init__("test:index:Caller", name, None, None)
        self.partition = lookup(aws.get_partition_output, account=account, region="eu-west-1", parent=self)
        if extra:
            extra(self, account)


def _account() -> _Account:
    provider = aws.Provider("app-eu-west-1", region="eu-west-1")
    return _Account("app", {"eu-west-1": provider})


def test_marker_names_token_args_and_provider(record):
    def program():
        account = _account()
        _Caller("a", account, lambda parent, acct: lookup(
            aws.get_availability_zones_output, account=acct, region="eu-west-1", parent=parent,
            state="available", filters=[{"name": "zone-type", "values": ["availability-zone"]}]))

    rec = record(program)
    markers = {m["name"]: m for m in rec.of_type(LOOKUP_TYPE)}
    provider = rec.one("pulumi:providers:aws")
    assert markers["app-eu-west-1-lookup-partition"]["inputs"] == {"token": PARTITION, "args": {},
                                                                   "provider": provider["urn"]}
    azs = markers["app-eu-west-1-lookup-availability-zones"]["inputs"]
    assert azs["token"] == AZS and azs["provider"] == provider["urn"]
    assert azs["args"] == {"state": "available", "filters": [{"name": "zone-type", "values": ["availability-zone"]}]}
    assert markers["app-eu-west-1-lookup-partition"]["outputs"] == markers["app-eu-west-1-lookup-partition"]["inputs"]
    assert markers["app-eu-west-1-lookup-partition"]["parent"].endswith("test:index:Caller::a")
    # every invoke the program made has its marker (same token, same provider)
    assert sorted(token for token, _ in rec.invokes) == sorted(m["inputs"]["token"] for m in markers.values())


def test_same_lookup_through_one_provider_is_made_once(record):
    def program():
        account = _account()
        _Caller("a", account)
        _Caller("b", account)

    rec = record(program)
    assert [m["name"] for m in rec.of_type(LOOKUP_TYPE)] == ["app-eu-west-1-lookup-partition"]
    assert [token for token, _ in rec.invokes] == [PARTITION]


def test_one_purpose_with_other_arguments_is_refused(record):
    def clash(parent, acct):
        for owner in ("amazon", "099720109477"):
            lookup(aws.ec2.get_ami_output, account=acct, region="eu-west-1", parent=parent, purpose="ami",
                   owners=[owner], most_recent=True)

    with pytest.raises(Exception, match="already used for aws:ec2/getAmi:getAmi"):
        record(lambda: _Caller("a", _account(), clash))


def test_an_invoke_without_a_known_token_is_refused():
    with pytest.raises(ValueError, match="no invoke token known for get_ami_ids_output"):
        lookup(aws.ec2.get_ami_ids_output, account=None, region="eu-west-1", parent=None)


def test_program_lookups_have_markers_through_planned_providers(stack_plan):
    plan = stack_plan("prod")
    providers = {r["urn"] for r in plan["resources"] if r["type"] == "pulumi:providers:aws"}
    markers = [r for r in plan["resources"] if r["type"] == LOOKUP_TYPE]
    assert markers
    assert {m["inputs"]["provider"] for m in markers} <= providers
    assert {m["inputs"]["token"] for m in markers} <= set(TOKENS.values())


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_invoke_the_program_makes_is_declared_by_a_marker(stack_plan, stack):
    """The pack sees lookups only through their markers (the engine never sends invokes to an analyzer): an invoke
    that bypasses components.lookups would be invisible to DEP-02. The recording mocks record every invoke, and
    lookup() makes exactly one invoke per marker, so the two multisets are equal."""
    plan = stack_plan(stack)

    def key(token: str, args: dict, provider: str | None) -> tuple[str, str, str]:
        return token, json.dumps(args, sort_keys=True), (provider or "default").split("::")[-2 if provider else 0]

    markers = Counter(key(m["inputs"]["token"], m["inputs"]["args"], m["inputs"]["provider"] + "::id")
                      for m in plan["resources"] if m["type"] == LOOKUP_TYPE)
    invokes = Counter(key(i["token"], i["args"], i["provider"]) for i in plan["invokes"])
    assert invokes
    undeclared = sorted((invokes - markers).elements())
    assert not undeclared, f"invokes without their own Lookup marker (use components.lookups.lookup): {undeclared}"
