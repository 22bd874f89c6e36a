"""Organization policies beyond SCPs, the Suspended OU and centralized root access, as planned from the config."""

import json

import pytest
from core_harness import config, of_type, plan_config, stack_plan
from stack_plans import full_plan, variant_plan

from landing_zone.config import ConfigError, parse
from landing_zone.organization_policies import DENY_ALL_SCP, POLICY_TYPES
from landing_zone.organization_policy_models import BACKUP_FLOOR_DAYS

POLICY = "aws:organizations/policy:Policy"
ATTACHMENT = "aws:organizations/policyAttachment:PolicyAttachment"
OU = "aws:organizations/organizationalUnit:OrganizationalUnit"


def _by_type(plan):
    return {r["inputs"]["type"]: r for r in of_type(plan, POLICY)}


def _attachments_of(plan, policy):
    return [a for a in of_type(plan, ATTACHMENT) if policy["urn"] in a["property_dependencies"].get("policyId", [])]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_management_policy_is_attached_to_the_root_after_its_type_is_enabled(stack):
    plan = stack_plan(stack)
    org = of_type(plan, "aws:organizations/organization:Organization")[0]
    policies = _by_type(plan)
    assert set(POLICY_TYPES.values()) <= set(policies)
    for type_ in POLICY_TYPES.values():
        assert type_ in org["inputs"]["enabledPolicyTypes"]
        assert org["urn"] in policies[type_]["dependencies"], type_  # enabled on the root first
        attachments = _attachments_of(plan, policies[type_])
        assert [a["inputs"]["targetId"] for a in attachments] == ["r-exam"], type_


def test_tag_policy_enforces_the_provider_tag_keys_and_environment_values():
    cfg, plan = config("prod"), stack_plan("prod")
    tags = json.loads(_by_type(plan)["TAG_POLICY"]["inputs"]["content"])["tags"]
    assert set(tags) == {"environment", "account", *cfg.organization.tags}
    assert tags["environment"]["tag_value"]["@@assign"] == ["prod", "nonprod", "sandbox", "core"]
    assert "ec2:instance" in tags["account"]["enforced_for"]["@@assign"]
    assert "tag_value" not in tags["account"]  # a new account never waits for a policy update


def test_backup_policy_keeps_the_floor_in_every_landing_zone_region():
    cfg, plan = config("prod"), stack_plan("prod")
    plans = json.loads(_by_type(plan)["BACKUP_POLICY"]["inputs"]["content"])["plans"]
    [(name, backup)] = plans.items()
    assert backup["regions"]["@@assign"] == cfg.regions
    assert backup["rules"]["daily"]["lifecycle"]["delete_after_days"]["@@assign"] == str(BACKUP_FLOOR_DAYS)
    assert "$account" in backup["selections"]["tags"]["tagged"]["iam_role_arn"]["@@assign"]


def test_backup_retention_below_the_floor_is_refused():
    data = config("dev").model_dump(mode="json")
    data["organization"]["policies"] = {"backup_retention_days": 7}
    with pytest.raises(ConfigError) as err:
        parse(data, from_engine=True)
    assert any("organization.policies.backup_retention_days" in e for e in err.value.errors), err.value.errors


def test_declarative_policy_blocks_public_sharing_serial_console_imdsv1_and_igws():
    attributes = json.loads(_by_type(stack_plan("prod"))["DECLARATIVE_POLICY_EC2"]["inputs"]["content"])["ec2_attributes"]
    assert attributes["snapshot_block_public_access"]["state"]["@@assign"] == "block_all_sharing"
    assert attributes["image_block_public_access"]["state"]["@@assign"] == "block_new_sharing"
    assert attributes["serial_console_access"]["status"]["@@assign"] == "disabled"
    assert attributes["instance_metadata_defaults"]["http_tokens"]["@@assign"] == "required"
    assert attributes["vpc_block_public_access"]["internet_gateway_block"]["mode"]["@@assign"] == "block_ingress"


def test_public_subnets_are_excluded_from_vpc_block_public_access():
    plan = full_plan("prod")
    exclusions = of_type(plan, "aws:ec2/vpcBlockPublicAccessExclusion:VpcBlockPublicAccessExclusion")
    public = [s for s in of_type(plan, "aws:ec2/subnet:Subnet") if s["inputs"]["tags"].get("tier") == "public"]
    assert exclusions and public
    excluded = {u for e in exclusions for u in e["property_dependencies"]["subnetId"]}
    igw_vpcs = {u for g in of_type(plan, "aws:ec2/internetGateway:InternetGateway") for u in g["property_dependencies"]["vpcId"]}
    for subnet in public:
        if set(subnet["property_dependencies"]["vpcId"]) & igw_vpcs:
            assert subnet["urn"] in excluded, subnet["name"]
    assert {e["inputs"]["internetGatewayExclusionMode"] for e in exclusions} <= {"allow-bidirectional", "allow-egress"}
    assert "allow-bidirectional" in {e["inputs"]["internetGatewayExclusionMode"] for e in exclusions}  # the edge


def test_switching_a_policy_off_removes_it_and_its_type():
    cfg = config("dev")
    cfg = cfg.model_copy(update={"organization": cfg.organization.model_copy(update={
        "policies": cfg.organization.policies.model_copy(update={"tag_policy": False, "root_access_management": False})})})
    plan = plan_config(cfg, "no-tags")
    assert "TAG_POLICY" not in _by_type(plan)
    org = of_type(plan, "aws:organizations/organization:Organization")[0]
    assert "TAG_POLICY" not in org["inputs"]["enabledPolicyTypes"]
    assert "iam.amazonaws.com" not in org["inputs"]["awsServiceAccessPrincipals"]
    assert of_type(plan, "aws:iam/organizationsFeatures:OrganizationsFeatures") == []


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_root_access_is_centralized_after_iam_trusted_access(stack):
    plan = stack_plan(stack)
    [features] = of_type(plan, "aws:iam/organizationsFeatures:OrganizationsFeatures")
    assert features["inputs"]["enabledFeatures"] == ["RootCredentialsManagement", "RootSessions"]
    org = of_type(plan, "aws:organizations/organization:Organization")[0]
    assert "iam.amazonaws.com" in org["inputs"]["awsServiceAccessPrincipals"]
    assert org["urn"] in features["dependencies"]


# --- account lifecycle ---------------------------------------------------------------------------------------------
def _suspend(config_values):
    account = next(a for a in config_values["landing-zone:accounts"] if a["name"] == "nonprod-apps")
    account["state"] = "suspended"


def test_suspended_account_moves_to_the_deny_all_ou_and_its_workloads_leave_the_plan():
    cfg, plan = config("prod"), variant_plan("prod", _suspend)
    ous = {r["inputs"]["name"]: r for r in of_type(plan, OU)}
    suspended = ous["Suspended"]
    assert suspended["inputs"]["parentId"] == "r-exam"
    account = next(r for r in of_type(plan, "aws:organizations/account:Account")
                   if r["inputs"]["email"] == cfg.account("nonprod-apps").email)
    assert account["inputs"]["parentId"] == suspended["id"]
    assert account["protect"] is True and account["inputs"]["closeOnDeletion"] is False
    deny_all = next(p for p in of_type(plan, POLICY) if p["inputs"]["name"].endswith(DENY_ALL_SCP))
    [attachment] = _attachments_of(plan, deny_all)
    assert attachment["inputs"]["targetId"] == suspended["id"]
    [statement] = json.loads(deny_all["inputs"]["content"])["Statement"]
    assert (statement["Effect"], statement["Action"], statement["Resource"]) == ("Deny", "*", "*")
    # only the teardown (access) role and the read-only preview role that previews and drift checks read through
    assert statement["Condition"] == {"ArnNotLike": {"aws:PrincipalArn": [
        f"arn:*:iam::*:role/{cfg.organization.access_role_name}",
        f"arn:*:iam::*:role/{cfg.organization.preview_role_name}"]}}
    for type_ in ("aws:ec2/vpc:Vpc", "aws:rds/cluster:Cluster", "aws:ecs/service:Service"):
        assert of_type(full_plan("prod"), type_, account="nonprod-apps"), type_
        assert of_type(plan, type_, account="nonprod-apps") == [], type_


@pytest.mark.parametrize(("edit", "field"), [
    (lambda d: d["accounts"][0].update(state="suspended"), "accounts[0].state"),  # log-archive
    (lambda d: d["accounts"][3].update(state="suspended", account_id="333344445555"), "accounts[3].state"),
    (lambda d: d["organization"].setdefault("policies", {}).update(suspended_ou="Prod"), "organization.policies.suspended_ou"),
])
def test_lifecycle_mistakes_are_named(edit, field):
    data = config("prod").model_dump(mode="json")
    edit(data)
    with pytest.raises(ConfigError) as err:
        parse(data, from_engine=True)
    assert any(e.startswith(field) for e in err.value.errors), err.value.errors


def test_the_declarative_policy_owns_the_imds_defaults_or_every_account_sets_them():
    """With the EC2 declarative policy, EC2 refuses ModifyInstanceMetadataDefaults (managedBy: declarative-policy), so
    the baselines leave them out; without it, every account and region sets them itself."""
    imds = "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults"
    assert of_type(full_plan("prod"), imds) == []

    def declarative_off(config_values):
        config_values["landing-zone:organization"]["policies"] = {"ec2_declarative_policy": False}

    cfg, plan = config("prod"), variant_plan("prod", declarative_off)
    assert len(of_type(plan, imds)) == len(cfg.regions) * (len(cfg.accounts) + 1)  # and the management account
