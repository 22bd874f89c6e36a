"""Identity Center: permission sets (builtin + config), groups by display name, assignments with OUs expanded.

The component is planned alone, in the management account, from each stack's identity section (its assignments
expanded, account ids the mocks' stable fake ids)."""

import functools
import json

import pytest
from component_plans import management, plan_program
from core_harness import config

from components.identity import Identity as IdentityCenter
from components.identity import IdentityArgs, all_permission_sets, descendant_ous, expand_assignments
from landing_zone.mocks import fake_account_id
from landing_zone.models import BUILTIN_PERMISSION_SETS, Assignment, Identity

STACKS = ["dev", "prod"]


@functools.cache
def identity_plan(stack: str):
    cfg = config(stack)
    return plan_program(lambda: IdentityCenter("identity", IdentityArgs(
        account=management(organization=cfg.organization), region=cfg.organization.home_region,
        permission_sets=all_permission_sets(cfg.identity.permission_sets), assignments=tuple(expand_assignments(cfg)),
        account_ids={a.name: fake_account_id(a.name) for a in cfg.accounts})), stack=stack)


def stack_plan(stack: str):
    return identity_plan(stack).plan


def of_type(plan: dict, type_token: str) -> list[dict]:
    return [r for r in plan["resources"] if r["type"] == type_token]


def test_ou_expansion_includes_nested_ous():
    cfg = config("prod")
    assert descendant_ous(cfg, "Workloads") == {"Workloads", "Prod", "NonProd"}
    assert descendant_ous(cfg, "Prod") == {"Prod"}
    triples = expand_assignments(cfg)
    view_only = sorted(a for g, ps, a in triples if (g, ps) == ("AWS-Developers", "ViewOnlyAccess"))
    assert view_only == ["prod-apps", "prod-data"]
    admins = sorted(a for g, ps, a in triples if ps == "AdministratorAccess")
    assert admins == sorted(a.name for a in cfg.accounts)  # every OU listed: every account, once
    assert len(triples) == len(set(triples))


def test_duplicate_targets_from_account_and_ou_collapse():
    cfg = config("dev")
    identity = Identity(assignments=[Assignment(group="G", permission_set="ReadOnlyAccess", accounts=["prod-apps"], ous=["Prod"])])
    triples = expand_assignments(cfg.model_copy(update={"identity": identity}))
    assert sorted(triples) == [("G", "ReadOnlyAccess", "prod-apps"), ("G", "ReadOnlyAccess", "prod-data")]


@pytest.mark.parametrize("stack", STACKS)
def test_permission_sets(stack):
    cfg, plan = config(stack), stack_plan(stack)
    sets = {r["inputs"]["name"]: r for r in of_type(plan, "aws:ssoadmin/permissionSet:PermissionSet")}
    assert set(sets) == set(BUILTIN_PERMISSION_SETS) | {p.name for p in cfg.identity.permission_sets}
    assert all(r["inputs"]["instanceArn"].startswith("arn:aws:sso:::instance/") for r in sets.values())
    attachments = {r["inputs"]["managedPolicyArn"]: r for r in of_type(plan, "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment")}
    for policy in ("AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "job-function/Billing",
                   "job-function/NetworkAdministrator", "SecurityAudit"):
        assert f"arn:aws:iam::aws:policy/{policy}" in attachments
    assert sets["AdministratorAccess"]["inputs"]["sessionDuration"] == "PT1H"


def test_config_defined_permission_set_with_inline_and_managed_policies():
    cfg, plan = config("prod"), stack_plan("prod")
    ps = next(r for r in of_type(plan, "aws:ssoadmin/permissionSet:PermissionSet") if r["inputs"]["name"] == "DataEngineer")
    assert ps["inputs"]["sessionDuration"] == "PT8H"
    (inline,) = of_type(plan, "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy")
    assert inline["inputs"]["permissionSetArn"] == ps["id"]
    assert json.loads(inline["inputs"]["inlinePolicy"]) == cfg.identity.permission_sets[0].inline_policy
    managed = [r for r in of_type(plan, "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment")
               if r["inputs"]["permissionSetArn"] == ps["id"]]
    assert [m["inputs"]["managedPolicyArn"] for m in managed] == ["arn:aws:iam::aws:policy/AmazonAthenaFullAccess"]


@pytest.mark.parametrize("stack", STACKS)
def test_assignments_target_the_expanded_accounts(stack):
    cfg, plan = config(stack), stack_plan(stack)
    ids = {a.name: fake_account_id(a.name) for a in cfg.accounts}
    sets = {r["id"]: r["inputs"]["name"] for r in of_type(plan, "aws:ssoadmin/permissionSet:PermissionSet")}
    assignments = of_type(plan, "aws:ssoadmin/accountAssignment:AccountAssignment")
    got = sorted((sets[r["inputs"]["permissionSetArn"]], r["inputs"]["targetId"]) for r in assignments)
    assert got == sorted((ps, ids[a]) for _, ps, a in expand_assignments(cfg))
    assert all(r["inputs"]["principalType"] == "GROUP" and r["inputs"]["targetType"] == "AWS_ACCOUNT" for r in assignments)
    principals = {r["inputs"]["principalId"] for r in assignments}
    assert len(principals) == len({a.group for a in cfg.identity.assignments})  # one looked-up group id per display name


@pytest.mark.parametrize("stack", STACKS)
def test_people_in_prod_get_view_only_not_readonly(stack):
    """ReadOnlyAccess reads S3 objects and SSM parameters: nobody gets it in a prod account (ViewOnlyAccess instead);
    the break-glass AdministratorAccess stays."""
    cfg, plan = config(stack), stack_plan(stack)
    prod = {a.name for a in cfg.accounts if a.environment == "prod"}
    triples = expand_assignments(cfg)
    assert not [t for t in triples if t[1] == "ReadOnlyAccess" and t[2] in prod]
    assert {a for _, ps, a in triples if ps == "ViewOnlyAccess"} >= prod
    assert {a for _, ps, a in triples if ps == "AdministratorAccess"} >= prod
    sets = {r["inputs"]["name"]: r["id"] for r in of_type(plan, "aws:ssoadmin/permissionSet:PermissionSet")}
    (view_only,) = [r for r in of_type(plan, "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment")
                    if r["inputs"]["permissionSetArn"] == sets["ViewOnlyAccess"]]
    assert view_only["inputs"]["managedPolicyArn"] == "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"


def test_readonly_access_on_a_prod_account_is_a_config_error():
    from landing_zone.validation import cross_check

    cfg = config("prod")
    bad = [Assignment(group="G", permission_set="ReadOnlyAccess", ous=["Workloads"]),
           Assignment(group="G", permission_set="ReadOnlyAccess", accounts=["nonprod-apps"])]  # nonprod: fine
    identity = cfg.identity.model_copy(update={"assignments": [*cfg.identity.assignments, *bad]})
    errors = cross_check(cfg.model_copy(update={"identity": identity}))
    n = len(cfg.identity.assignments)
    assert errors == [f"identity.assignments[{n}].permission_set: ReadOnlyAccess reads data (S3 objects, SSM "
                      "parameters, DynamoDB items) in prod accounts prod-apps, prod-data; use ViewOnlyAccess or a "
                      "custom permission set"]


def test_everything_lives_in_the_management_accounts_home_region_and_assignments_wait_for_policies():
    rec = identity_plan("dev")
    custom = [r for r in rec.resources if r["custom"] and not r["type"].startswith("pulumi:providers:")]
    assert {(rec.account_of(r), rec.region_of(r)) for r in custom} == {("management", "ap-south-1")}
    attachment_urns = {r["urn"] for r in rec.of_type("aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment")}
    for assignment in rec.of_type("aws:ssoadmin/accountAssignment:AccountAssignment"):
        assert set(assignment["dependencies"]) & attachment_urns  # provisioning a set needs its policies attached
