"""Organization: OUs (nested), accounts created or adopted, protected, providers per account x region."""

import json

import pytest
from core_harness import config, of_type, plan_config, stack_plan

from components.organization import SERVICE_ACCESS_PRINCIPALS, ou_order
from landing_zone.models import OrganizationalUnit

STACKS = ["dev", "prod"]


@pytest.mark.parametrize("stack", STACKS)
def test_organization_is_protected_with_all_features_and_scps(stack):
    org = of_type(stack_plan(stack), "aws:organizations/organization:Organization")
    assert len(org) == 1
    inputs = org[0]["inputs"]
    assert org[0]["protect"] is True
    assert inputs["featureSet"] == "ALL"
    assert inputs["enabledPolicyTypes"] == ["AISERVICES_OPT_OUT_POLICY", "BACKUP_POLICY", "DECLARATIVE_POLICY_EC2",
                                            "RESOURCE_CONTROL_POLICY", "SERVICE_CONTROL_POLICY", "TAG_POLICY"]
    assert set(inputs["awsServiceAccessPrincipals"]) == {*SERVICE_ACCESS_PRINCIPALS, "iam.amazonaws.com"}
    assert {"guardduty.amazonaws.com", "securityhub.amazonaws.com", "config.amazonaws.com", "sso.amazonaws.com",
            "inspector2.amazonaws.com", "access-analyzer.amazonaws.com", "cloudtrail.amazonaws.com"} <= set(SERVICE_ACCESS_PRINCIPALS)


@pytest.mark.parametrize("stack", STACKS)
def test_ous_are_nested_under_their_parents(stack):
    cfg, plan = config(stack), stack_plan(stack)
    ous = {r["inputs"]["name"]: r for r in of_type(plan, "aws:organizations/organizationalUnit:OrganizationalUnit")}
    assert set(ous) == {ou.name for ou in cfg.organizational_units} | {cfg.organization.policies.suspended_ou}
    for ou in cfg.organizational_units:
        parent = ous[ou.name]["inputs"]["parentId"]
        assert parent == ("r-exam" if ou.parent is None else ous[ou.parent]["id"]), ou.name


def test_ou_order_puts_parents_first_whatever_the_config_order():
    ous = [OrganizationalUnit(name="Leaf", parent="Mid"), OrganizationalUnit(name="Mid", parent="Top"),
           OrganizationalUnit(name="Top")]
    assert [o.name for o in ou_order(ous)] == ["Top", "Mid", "Leaf"]


@pytest.mark.parametrize("stack", STACKS)
def test_accounts_are_created_protected_and_never_closed(stack):
    cfg, plan = config(stack), stack_plan(stack)
    accounts = {r["inputs"]["email"]: r for r in of_type(plan, "aws:organizations/account:Account")}
    assert set(accounts) == {a.email for a in cfg.accounts}
    ous = {r["inputs"]["name"]: r["id"] for r in of_type(plan, "aws:organizations/organizationalUnit:OrganizationalUnit")}
    for a in cfg.accounts:
        r = accounts[a.email]
        assert r["protect"] is True
        assert r["options"].get("retainOnDelete") is True
        assert set(r["options"]["ignoreChanges"]) == {"roleName", "iamUserAccessToBilling"}
        assert r["inputs"]["closeOnDeletion"] is False
        assert r["inputs"]["roleName"] == cfg.organization.access_role_name
        assert r["inputs"]["parentId"] == ous[a.ou]


@pytest.mark.parametrize("stack", STACKS)
def test_one_provider_per_account_and_region_assuming_the_access_role(stack):
    cfg, plan = config(stack), stack_plan(stack)
    providers = {r["name"]: r for r in of_type(plan, "pulumi:providers:aws") if not r["name"].startswith("default")}
    expected = {f"{a}-{r}" for a in ["management", *(a.name for a in cfg.accounts)] for r in cfg.regions}
    assert set(providers) == expected
    for a in cfg.accounts:
        for region in cfg.regions:
            p = providers[f"{a.name}-{region}"]["inputs"]
            roles = json.loads(p["assumeRoles"])
            assert roles[0]["roleArn"].endswith(f":role/{cfg.organization.access_role_name}")
            tags = json.loads(p["defaultTags"])["tags"]
            assert tags["environment"] == a.environment and tags["account"] == a.name
            assert p["region"] == region
    assert "assumeRoles" not in providers[f"management-{cfg.organization.home_region}"]["inputs"]


def test_adopted_account_has_no_account_resource_and_uses_its_id():
    cfg = config("prod")
    adopted = cfg.accounts[3].model_copy(update={"account_id": "333344445555"})
    cfg = cfg.model_copy(update={"accounts": [*cfg.accounts[:3], adopted, *cfg.accounts[4:]]})
    plan = plan_config(cfg, "adopt")
    emails = {r["inputs"]["email"] for r in of_type(plan, "aws:organizations/account:Account")}
    assert adopted.email not in emails and len(emails) == len(cfg.accounts) - 1
    provider = next(r for r in of_type(plan, "pulumi:providers:aws") if r["name"] == f"{adopted.name}-ap-south-1")
    assert "arn:aws:iam::333344445555:role/" in provider["inputs"]["assumeRoles"]


@pytest.mark.parametrize("stack", STACKS)
def test_organization_level_delegated_admins_go_to_the_security_account(stack):
    plan = stack_plan(stack)
    security_id = next(r["id"] for r in of_type(plan, "aws:organizations/account:Account") if r["inputs"]["name"].endswith("-security"))
    admins = of_type(plan, "aws:organizations/delegatedAdministrator:DelegatedAdministrator")
    assert {a["inputs"]["servicePrincipal"] for a in admins} == {
        "config.amazonaws.com", "config-multiaccountsetup.amazonaws.com", "access-analyzer.amazonaws.com"}
    assert all(a["inputs"]["accountId"] == security_id for a in admins)


def test_disabled_services_delegate_nothing():
    cfg = config("dev")
    cfg = cfg.model_copy(update={"security": cfg.security.model_copy(update={
        "config": False, "access_analyzer": False, "guardduty": False, "security_hub": False, "inspector": False,
        "cloudtrail": False})})
    plan = plan_config(cfg, "disabled")
    for t in ("aws:organizations/delegatedAdministrator:DelegatedAdministrator", "aws:guardduty/detector:Detector",
              "aws:securityhub/account:Account", "aws:inspector2/enabler:Enabler", "aws:cfg/recorder:Recorder",
              "aws:cloudtrail/trail:Trail", "aws:accessanalyzer/analyzer:Analyzer",
              "aws:cloudwatch/metricAlarm:MetricAlarm"):
        assert of_type(plan, t) == [], t
    assert len(of_type(plan, "aws:s3/bucket:Bucket")) == 3  # log archive, its access-log bucket, the ELB log bucket
