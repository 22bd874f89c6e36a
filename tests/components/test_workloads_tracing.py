"""X-Ray tracing of ECS services (workloads.ecs.tracing): the daemon sidecar, the task role's write permissions, the
sampling rule and CMK encryption per region the services run in, the data key admitting X-Ray through the service
only, and the config refusing what could not work. prod traces prod-apps (with DR compute) and nonprod-apps; dev and
the other accounts trace nothing."""

from __future__ import annotations

import json

import pytest
from workloads_harness import REPO_ROOT, doc, named, workloads_plan
from workloads_harness import by_prefix as of_type
from workloads_harness import stack_plan as plan

from components.workloads.kms import key_policy
from components.workloads.tracing import DAEMON_ADDRESS, WRITE_ACTIONS
from landing_zone.config import ConfigError, namespaced, parse, read_stack_file, stack_file

TASK = "aws:ecs/taskDefinition:TaskDefinition"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SAMPLING = "aws:xray/samplingRule:SamplingRule"
ENCRYPTION = "aws:xray/encryptionConfig:EncryptionConfig"
TRACED = {"prod": {"prod-apps", "nonprod-apps"}, "dev": set()}
ACCOUNT_ID, REGION = "111122223333", "ap-south-1"


def account_of(resource: dict) -> str:
    return resource["name"].split("-ap-")[0]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_traced_tasks_run_the_pinned_daemon_beside_the_app(stack):
    tasks = of_type(plan(stack), TASK)
    assert {account_of(t) for t in tasks} >= TRACED[stack]
    for task in tasks:
        app, *sidecars = doc(task["inputs"]["containerDefinitions"])
        env = {e["name"]: e["value"] for e in app["environment"]}
        if account_of(task) not in TRACED[stack]:
            assert sidecars == [] and "AWS_XRAY_DAEMON_ADDRESS" not in env
            continue
        (daemon,) = sidecars
        repository, tag = daemon["image"].rsplit(":", 1)
        assert repository == "public.ecr.aws/xray/aws-xray-daemon" and tag[0].isdigit()  # pinned, never "latest"
        assert daemon["essential"] is False and app["essential"] is True
        assert daemon["portMappings"] == [{"containerPort": 2000, "protocol": "udp"}]
        assert env["AWS_XRAY_DAEMON_ADDRESS"] == DAEMON_ADDRESS == "127.0.0.1:2000"  # awsvpc: one network namespace
        # its logs go to the service's CMK-encrypted log group, in a stream of its own
        daemon_logs, app_logs = daemon["logConfiguration"]["options"], app["logConfiguration"]["options"]
        assert daemon_logs["awslogs-group"] == app_logs["awslogs-group"]
        assert daemon_logs["awslogs-stream-prefix"] != app_logs["awslogs-stream-prefix"]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_only_traced_task_roles_may_write_traces(stack):
    p = plan(stack)
    xray = [r for r in of_type(p, ROLE_POLICY) if "xray" in json.dumps(doc(r["inputs"]["policy"]))]
    assert {account_of(r) for r in xray} == TRACED[stack]
    for policy in xray:
        assert policy["name"].endswith("-task-xray-policy")  # the task role, never the execution role
        (statement,) = doc(policy["inputs"]["policy"])["Statement"]
        assert sorted(statement["Action"]) == sorted(WRITE_ACTIONS) and statement["Resource"] == "*"
    assert len(xray) == len([t for t in of_type(p, TASK) if account_of(t) in TRACED[stack]])  # one per service


def test_each_region_running_traced_services_samples_and_encrypts_with_its_data_key():
    p = workloads_plan("prod")
    rules = of_type(p, SAMPLING)
    # prod-apps runs DR compute (warm-standby) in ap-south-2: its standby tasks trace too
    assert sorted(r["name"] for r in rules) == ["nonprod-apps-ap-south-1-xray-sampling",
                                                "prod-apps-ap-south-1-xray-sampling",
                                                "prod-apps-ap-south-2-xray-sampling"]
    for rule in rules:
        assert rule["inputs"]["fixedRate"] == 0.05 and rule["inputs"]["reservoirSize"] == 1
        assert rule["inputs"]["priority"] < 10000  # ahead of the account's Default rule
    for rule in rules:
        prefix = rule["name"].removesuffix("-xray-sampling")
        encryption = named(p, f"{prefix}-xray-encryption")
        assert encryption["inputs"]["type"] == "KMS"
        assert encryption["inputs"]["keyId"] == named(p, f"{prefix}-data-key")["outputs"]["arn"]
    assert len(of_type(p, ENCRYPTION)) == len(rules)
    assert not of_type(workloads_plan("dev"), SAMPLING)


def _via_services(policy: dict) -> list[str]:
    return [svc for s in policy["Statement"] for svc in s.get("Condition", {}).get("StringEquals", {})
            .get("kms:ViaService", [])]


def test_tracing_admits_xray_to_the_data_key_only_through_the_service():
    plain = key_policy("data", ACCOUNT_ID, REGION, account_name="prod-apps")
    traced = key_policy("data", ACCOUNT_ID, REGION, account_name="prod-apps", tracing=True)
    assert f"xray.{REGION}.amazonaws.com" in _via_services(traced)
    assert "xray" not in json.dumps(plain)
    # nothing else widens: the same statements, principals and actions; only the ViaService list gains xray
    assert json.loads(json.dumps(traced).replace(f', "xray.{REGION}.amazonaws.com"', "")) == plain
    assert all("xray" not in json.dumps(s.get("Principal")) for s in traced["Statement"])
    for purpose in ("logs", "backup"):
        assert "xray" not in json.dumps(key_policy(purpose, ACCOUNT_ID, REGION, account_name="a", tracing=True))


def test_planned_data_keys_admit_xray_in_traced_accounts_only():
    p = workloads_plan("prod")
    for key in of_type(p, "aws:kms/key:Key"):
        policy = json.dumps(doc(key["inputs"]["policy"]))
        wanted = key["name"].endswith("-data-key") and account_of(key) in TRACED["prod"]
        assert ("xray." in policy) == wanted, key["name"]


def _prod_apps_values():
    values = namespaced(read_stack_file(stack_file("prod", REPO_ROOT)))
    index, account = next((i, a) for i, a in enumerate(values["accounts"]) if a["name"] == "prod-apps")
    return values, index, account


@pytest.mark.parametrize("field, value", [("sampling_rate", 1.5), ("sampling_rate", -0.1), ("reservoir", -1)])
def test_sampling_outside_its_range_is_a_config_error(field, value):
    values, index, account = _prod_apps_values()
    account["workloads"]["ecs"]["tracing"][field] = value
    with pytest.raises(ConfigError) as err:
        parse(values)
    assert any(e.startswith(f"accounts[{index}].workloads.ecs.tracing.{field}") for e in err.value.errors), \
        err.value.errors


def test_tracing_without_a_nat_is_a_config_error():
    values, index, account = _prod_apps_values()
    account["vpcs"]["ap-south-2"]["nat"] = "none"
    with pytest.raises(ConfigError) as err:
        parse(values)
    assert any(e.startswith(f"accounts[{index}].workloads.ecs.tracing.enabled") and "public.ecr.aws" in e
               and "vpcs.ap-south-2.nat" in e for e in err.value.errors), err.value.errors
    account["workloads"]["ecs"]["tracing"]["enabled"] = False
    parse(values)  # the same VPC without tracing is fine
