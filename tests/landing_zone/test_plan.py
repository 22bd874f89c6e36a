"""The offline plan records the graph exactly as the engine would receive it, deterministically."""

import difflib
import json
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest

from landing_zone import mocks, plan, wire
from landing_zone.config import ConfigError
from landing_zone.engine import UNKNOWN
from landing_zone.plan_file import dumps_plan, write_plan
from landing_zone.plan_index import plan_is_preview

REPO_ROOT = Path(__file__).resolve().parents[2]
GRAPH = REPO_ROOT / "tests" / "fixtures" / "programs" / "graph" / "__main__.py"
GRAPH_CONFIG = {"network": {"cidr": "10.9.0.0/16"}, "db_password": "v1:AAAAciphertext"}
WORKLOAD_ACCOUNT = "123456789012"


@pytest.fixture
def graph(record):
    return record(GRAPH, config=GRAPH_CONFIG, secret_keys=("db_password",))


def test_component_children_are_parented_to_the_component(graph):
    stack = graph.one("pulumi:pulumi:Stack")
    box = graph.one("test:index:Box")
    vpc, subnet = graph.one("aws:ec2/vpc:Vpc"), graph.one("aws:ec2/subnet:Subnet")
    assert box["custom"] is False and box["parent"] == stack["urn"]
    assert vpc["parent"] == box["urn"] and subnet["parent"] == box["urn"]
    # the engine qualifies a child's URN type with its parent's type, but never with the root stack's
    assert vpc["urn"] == "urn:pulumi:test::landing-zone::test:index:Box$aws:ec2/vpc:Vpc::workload-ap-south-1-box-vpc"
    assert box["urn"] == "urn:pulumi:test::landing-zone::test:index:Box::workload-ap-south-1-box"
    assert box["outputs"] == {"vpcId": vpc["id"]}  # registered component outputs


def test_dependencies_property_dependencies_protect_and_providers(graph):
    vpc, subnet = graph.one("aws:ec2/vpc:Vpc"), graph.one("aws:ec2/subnet:Subnet")
    workload = graph.named("workload-ap-south-1")
    assert workload["type"] == "pulumi:providers:aws"
    assert vpc["provider"] == subnet["provider"] == f"{workload['urn']}::{workload['id']}"
    assert subnet["dependencies"] == [vpc["urn"]]
    assert subnet["property_dependencies"] == {"vpcId": [vpc["urn"]]}
    assert subnet["protect"] is True and vpc["protect"] is False
    assert vpc["dependencies"] == [] and vpc["property_dependencies"] == {}
    assert subnet["inputs"]["vpcId"] == vpc["id"]


def test_resources_without_a_provider_get_the_engines_default_provider(graph):
    bucket = graph.one("aws:s3/bucket:Bucket")
    default = graph.named("default_7_51_1")
    assert bucket["provider"] == f"{default['urn']}::{default['id']}"
    assert default["inputs"] == {"region": "ap-south-1", "version": "7.51.1"}
    assert graph.account_of(bucket) == "management"


def test_mocks_place_ids_and_arns_in_the_providers_account_and_region(graph):
    vpc = graph.one("aws:ec2/vpc:Vpc")
    assert vpc["id"].startswith("vpc-") and len(vpc["id"]) == len("vpc-") + 17
    assert vpc["outputs"]["arn"] == f"arn:aws:ec2:ap-south-1:{WORKLOAD_ACCOUNT}:vpc/{vpc['id']}"
    assert graph.one("aws:ec2/subnet:Subnet")["id"].startswith("subnet-")
    assert graph.account_of(vpc) == "workload"
    tokens = [token for token, _ in graph.invokes]
    assert "aws:index/getAvailabilityZones:getAvailabilityZones" in tokens
    bucket = graph.one("aws:s3/bucket:Bucket")
    assert json.loads(bucket["inputs"]["tags"]["purpose"]) == ["ap-south-1a", "ap-south-1b", "ap-south-1c"]


def test_secrets_stay_in_the_secret_envelope(graph):
    parameter = graph.one("aws:ssm/parameter:Parameter")
    envelope = wire.secret("v1:AAAAciphertext")
    assert parameter["inputs"]["value"] == envelope
    assert graph.outputs["dbPassword"] == envelope


def test_preview_leaves_computed_values_unknown(record):
    rec = record(GRAPH, config=GRAPH_CONFIG, secret_keys=("db_password",), preview=True)
    vpc, subnet = rec.one("aws:ec2/vpc:Vpc"), rec.one("aws:ec2/subnet:Subnet")
    assert vpc["id"] == "" and "arn" not in vpc["outputs"]
    assert subnet["inputs"]["vpcId"] == UNKNOWN
    assert rec.outputs["vpcId"] == UNKNOWN
    assert plan_is_preview(rec.plan)


def test_two_plans_of_the_same_program_are_byte_identical(record):
    first = dumps_plan(record(GRAPH, config=GRAPH_CONFIG, secret_keys=("db_password",)).plan)
    second = dumps_plan(record(GRAPH, config=GRAPH_CONFIG, secret_keys=("db_password",)).plan)
    assert first == second


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_two_plans_of_a_real_stack_are_byte_identical(stack, stack_plan, tmp_path):
    if not (REPO_ROOT / f"Pulumi.{stack}.yaml").exists():
        pytest.skip(f"no Pulumi.{stack}.yaml yet")
    # the session's plan of the stack (planned earlier in this process, by other tests' time) against a fresh one
    first = write_plan(stack_plan(stack), tmp_path / "a.json").read_bytes()
    second = write_plan(plan.run_plan(stack, REPO_ROOT), tmp_path / "b.json").read_bytes()
    if first != second:
        diff = difflib.unified_diff(first.decode().splitlines(), second.decode().splitlines(), lineterm="", n=4)
        pytest.fail("plans differ:\n" + "\n".join(list(diff)[:80]))
    assert json.loads(first)["stack"] == stack


def test_a_moved_resource_is_recorded_with_its_former_urn_and_keeps_its_identity(record):
    """A resource moved under a new component with an alias to its former parent: the plan lists the URN it had
    (what the engine matches the state with) and, being the same cloud resource, it keeps its id and ARN."""
    def program(moved: bool):
        outer = pulumi.ComponentResource("test:index:Outer", "outer")
        inner = pulumi.ComponentResource("test:index:Inner", "inner", None, pulumi.ResourceOptions(parent=outer))
        where = pulumi.ResourceOptions(parent=inner, aliases=[pulumi.Alias(parent=outer)]) if moved else \
            pulumi.ResourceOptions(parent=outer)
        aws.sns.Topic("alarms", opts=where)
        aws.s3.BucketVersioning("versioning", bucket="b", versioning_configuration={"status": "Enabled"},
                                opts=pulumi.ResourceOptions(parent=outer))  # the SDK's own type aliases: not moves

    before = record(lambda: program(False)).one("aws:sns/topic:Topic")
    after_rec = record(lambda: program(True))
    after = after_rec.one("aws:sns/topic:Topic")
    assert after["urn"] != before["urn"] and after["options"]["aliases"] == [before["urn"]]
    assert (after["id"], after["outputs"]["arn"]) == (before["id"], before["outputs"]["arn"])
    assert "aliases" not in after_rec.one("aws:s3/bucketVersioning:BucketVersioning")["options"]


def test_invalid_config_stops_before_planning(tmp_path):
    (tmp_path / "Pulumi.bad.yaml").write_text("config:\n  landing-zone:organisation: {}\n")
    with pytest.raises(ConfigError) as err:
        plan.run_plan("bad", tmp_path)
    assert any("organisation" in line for line in err.value.errors)


def test_secure_config_is_kept_as_ciphertext_and_marked_secret(tmp_path):
    (tmp_path / "Pulumi.s.yaml").write_text(
        "config:\n  aws:region: ap-south-1\n  landing-zone:identity:\n    scim_token:\n      secure: v1:abc\n")
    config, secret_keys = plan.read_stack_config("s", tmp_path)
    assert json.loads(config["landing-zone:identity"]) == {"scim_token": "v1:abc"}
    assert secret_keys == ["landing-zone:identity"] and config["aws:region"] == "ap-south-1"


def test_fake_account_ids_are_stable_twelve_digits():
    ids = {mocks.fake_account_id(f"workload-{i}") for i in range(500)}
    assert len(ids) == 500 and all(len(i) == 12 and i.isdigit() and i[0] != "0" for i in ids)
    assert mocks.fake_account_id("log-archive") == mocks.fake_account_id("log-archive")
    assert mocks.MANAGEMENT_ACCOUNT_ID not in ids


def test_policy_document_renders_like_the_provider():
    call = mocks.InvokeCall("aws:iam/getPolicyDocument:getPolicyDocument", {"statements": [
        {"sid": "Deny", "effect": "Deny", "actions": ["s3:*"], "resources": ["*"],
         "principals": [{"type": "*", "identifiers": ["*"]}],
         "conditions": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]},
        {"actions": ["s3:GetObject", "s3:ListBucket"], "principals": [{"type": "Service", "identifiers": ["cloudtrail.amazonaws.com"]}]},
    ]}, mocks.Where())
    doc = json.loads(mocks.INVOKE_MOCKS[call.token](call)["json"])
    assert doc == {"Version": "2012-10-17", "Statement": [
        {"Sid": "Deny", "Effect": "Deny", "Action": "s3:*", "Resource": "*", "Principal": "*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
         "Principal": {"Service": "cloudtrail.amazonaws.com"}},
    ]}


def test_identity_store_group_id_follows_the_display_name():
    lookup = mocks.INVOKE_MOCKS["aws:identitystore/getGroup:getGroup"]
    def group(name):
        args = {"identityStoreId": mocks.IDENTITY_STORE_ID,
                "alternateIdentifier": {"uniqueAttribute": {"attributePath": "DisplayName", "attributeValue": name}}}
        return lookup(mocks.InvokeCall("aws:identitystore/getGroup:getGroup", args, mocks.Where()))["groupId"]
    assert group("platform-admins") == group("platform-admins") != group("auditors")
