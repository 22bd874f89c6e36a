"""Each deployability fix of the program, taken out of the real prod plan, makes `lz check` fail (gRPC path) with a
message naming the resource and what it waits for or why AWS refuses it. The unbroken prod plan passes
(test_verdict.py), so each failure here is the break's alone."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest
from plan_breaks import check_broken_prod, named, prod_pack, set_state

PROVIDERS = "urn:pulumi:prod::landing-zone::landing-zone:organization:Organization$pulumi:providers:aws::"


def _drop_dependency(resource: dict, type_fragment: str) -> None:
    resource["dependencies"] = [u for u in resource["dependencies"] if type_fragment not in u]
    for key, urns in resource["property_dependencies"].items():
        resource["property_dependencies"][key] = [u for u in urns if type_fragment not in u]


def provider_before_region_enablement(plan: dict) -> str:
    _drop_dependency(named(plan, "prod-apps-ap-south-2", "pulumi:providers:aws"), "aws:account/region:Region")
    return "prod-apps-ap-south-2"


def flow_log_before_bucket_policy(plan: dict) -> str:
    flow_log = named(plan, "network-ap-south-1-flow-log", "aws:ec2/flowLog:FlowLog")
    _drop_dependency(flow_log, "aws:s3/bucketPolicy:BucketPolicy")
    return "network-ap-south-1-flow-log"


def zone_lookup_in_a_created_account(plan: dict) -> str:
    """What the edge did before the DNS redesign: get_zone through the workload account's own provider."""
    marker = copy.deepcopy(named(plan, "prod-apps-ap-south-1-lookup-partition", "landing-zone:index:Lookup"))
    trace = {"token": "aws:route53/getZone:getZone", "args": {"name": "example.com", "privateZone": False},
             "provider": PROVIDERS + "prod-apps-ap-south-1"}
    marker.update(name="prod-apps-ap-south-1-lookup-zone", inputs=trace, outputs=trace,
                  urn=marker["urn"].replace("lookup-partition", "lookup-zone"))
    plan["resources"].append(marker)
    return "prod-apps-ap-south-1-lookup-zone"


def managed_password_in_a_global_database(plan: dict) -> str:
    cluster = named(plan, "prod-apps-ap-south-1-aurora-cluster", "aws:rds/cluster:Cluster")
    set_state(cluster, "manageMasterUserPassword", True)
    return "prod-apps-ap-south-1-aurora-cluster"


def client_vpn_certificate_in_another_account(plan: dict) -> str:
    endpoint = named(plan, "network-ap-south-1-client-vpn", "aws:ec2clientvpn/endpoint:Endpoint")
    set_state(endpoint, "serverCertificateArn", "arn:aws:acm:ap-south-1:333333333333:certificate/"
                                           "00000000-0000-4000-8000-000000000001")
    endpoint["property_dependencies"]["serverCertificateArn"] = []
    endpoint["dependencies"] = [u for u in endpoint["dependencies"] if "aws:acm/certificate" not in u]
    return "network-ap-south-1-client-vpn"


BREAKS: dict[str, tuple[Callable[[dict], str], str, str]] = {
    # break: (how, the rule that must catch it, what its message must say)
    "region enablement": (provider_before_region_enablement, "dep-01", "account/region"),
    "flow log wait": (flow_log_before_bucket_policy, "dep-03", "s3/bucketPolicy"),
    "zone lookup": (zone_lookup_in_a_created_account, "dep-02", "aws:route53/getZone:getZone"),
    "aurora credentials": (managed_password_in_a_global_database, "dep-04", "manageMasterUserPassword"),
    "client vpn certificate": (client_vpn_certificate_in_another_account, "dep-05", "333333333333"),
}


pack = pytest.fixture(scope="module")(prod_pack)


@pytest.mark.parametrize("broken", BREAKS)
def test_taking_a_fix_out_of_the_prod_plan_fails_the_check_naming_the_resource(pack, broken):
    how, rule, says = BREAKS[broken]
    name, found = check_broken_prod(pack, how)
    assert [(v.policy[:len(rule)], v.name) for v in found] == [(rule, name)], found
    assert says in found[0].message
