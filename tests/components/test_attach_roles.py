"""The network account's `landing-zone-attach-<account>` roles: an account stack touches only its own attachment."""

from __future__ import annotations

import functools
import json

import pytest
from component_plans import DR, HOME, account, plan_program

from components.network.attach_roles import AttachingAccount, AttachRoles, AttachRolesArgs
from landing_zone.config import load_stack
from landing_zone.mocks import fake_account_id
from landing_zone.routing import attachment_tables, region_plan
from landing_zone.stacks import deploy_role_arn

PROD = load_stack("prod")
MANAGEMENT = PROD.organization.management_account_id
NETWORK_ID = fake_account_id("network")
SEGMENTS = ("prod", "nonprod", "sandbox", "shared", "hybrid", "transit")
TABLE_IDS = {region: {s: f"tgw-rtb-{region[-1]}{s}" for s in SEGMENTS} for region in (HOME, DR)}
ZONE_IDS = {"prod": "ZPROD", "sandbox": "ZSANDBOX"}


def attaching(name: str) -> AttachingAccount:
    """An account of the prod config, wired as its routing plan says."""
    acct = PROD.account(name)
    tables = {region: attachment_tables(region_plan(PROD, region), f"vpc:{name}") for region in acct.vpcs}
    return AttachingAccount(name=name, segment=acct.network_segment, environment=acct.environment,
                            deploy_role_arn=deploy_role_arn(MANAGEMENT, f"prod.{name}", split=True), tables=tables)


@functools.cache
def roles_plan():
    def program():
        network = account("network", environment="core", role="network")
        AttachRoles("attach-roles", AttachRolesArgs(
            account=network, region=HOME, accounts=(attaching("prod-apps"), attaching("sandbox")),
            route_table_ids=TABLE_IDS, private_zone_ids=ZONE_IDS))
    return plan_program(program)


def role_of(name: str) -> dict:
    return roles_plan().named(f"network-{HOME}-attach-role-{name}")


def policy_of(name: str) -> dict:
    return json.loads(roles_plan().named(f"network-{HOME}-attach-role-{name}-policy")["inputs"]["policy"])


def resources(statement: dict) -> list[str]:
    return statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]


def test_one_role_per_account_in_the_network_account_trusting_only_that_account_stacks_deploy_role():
    for name in ("prod-apps", "sandbox"):
        role = role_of(name)
        assert role["inputs"]["name"] == f"landing-zone-attach-{name}"
        assert roles_plan().account_of(role) == "network"
        (statement,) = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"]
        assert statement["Principal"] == {
            "AWS": f"arn:aws:iam::{MANAGEMENT}:role/landing-zone-deploy/landing-zone-deploy-prod.{name}"}
        assert statement["Action"] == "sts:AssumeRole"


def test_a_sandbox_stack_never_reaches_the_prod_segments_table_or_zone():
    policy = policy_of("sandbox")
    named = {r for s in policy["Statement"] for r in resources(s)}
    prod_tables = {t for t in named if t.endswith(("tgw-rtb-1prod", "tgw-rtb-2prod"))}
    assert not prod_tables
    assert not any("ZPROD" in r for r in named)
    tables = {r.rsplit("/", 1)[1] for r in named if ":transit-gateway-route-table/" in r}
    assert tables == {"tgw-rtb-1sandbox", "tgw-rtb-1shared", "tgw-rtb-1transit"}  # the sandbox VPC is in HOME only


def test_it_associates_only_in_its_own_segments_table_and_routes_only_where_its_segment_is_reached():
    by_sid = {s["Sid"]: s for s in policy_of("prod-apps")["Statement"]}
    assert by_sid["AssociateInItsSegmentsTable"]["Resource"] == [
        f"arn:aws:ec2:{r}:{NETWORK_ID}:transit-gateway-route-table/tgw-rtb-{r[-1]}prod" for r in (HOME, DR)]
    routed = {r.rsplit("-", 1)[1] for r in by_sid["RouteTowardItInTheTablesThatReachIt"]["Resource"]}
    assert routed == {"1shared", "1hybrid", "1transit", "2shared", "2hybrid", "2transit"}


def test_every_write_is_in_the_network_account_and_attachments_are_wired_only_with_its_segment_tag():
    for statement in policy_of("prod-apps")["Statement"]:
        for resource in resources(statement):
            if resource != "*":
                assert f":{NETWORK_ID}:" in resource or resource == "arn:aws:route53:::hostedzone/ZPROD", resource
        writes = [a for a in statement["Action"] if not a.split(":")[1].startswith(("Describe", "Get", "List", "Search"))]
        touches_attachments = any(":transit-gateway-attachment/" in r for r in resources(statement))
        if writes and touches_attachments and statement["Sid"] != "AcceptAttachments":  # no key scopes Accept
            condition = json.dumps(statement["Condition"])
            assert '"aws:ResourceTag/segment": "prod"' in condition, statement["Sid"]
        if resources(statement) == ["*"]:
            assert not writes, statement["Sid"]


def test_it_authorizes_only_vpcs_of_its_regions_on_its_environments_zone():
    by_sid = {s["Sid"]: s for s in policy_of("prod-apps")["Statement"]}
    authorize = by_sid["AuthorizeVpcsOfItsRegionsOnItsZone"]
    assert authorize["Resource"] == "arn:aws:route53:::hostedzone/ZPROD"
    assert authorize["Condition"]["ForAllValues:StringLike"]["route53:VPCs"] == [
        f"VPCId=vpc-*,VPCRegion={r}" for r in (HOME, DR)]


def test_missing_route_table_ids_are_named():
    def program():
        network = account("network", environment="core", role="network")
        AttachRoles("attach-roles", AttachRolesArgs(account=network, region=HOME, accounts=(attaching("sandbox"),),
                                                    route_table_ids={HOME: {"sandbox": "tgw-rtb-x"}}))
    with pytest.raises(Exception, match=f"no route table ids for sandbox: {HOME}"):
        plan_program(program)
