"""Secrets the ECS services read: created (CMK, DR replica, rotation) unless the config declares them external."""

from __future__ import annotations

import json

import pytest
import workloads_harness as h

from landing_zone.models import Ecs

SECRET = "aws:secretsmanager/secret:Secret"
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
SERVICE = "aws:ecs/service:Service"


def test_a_read_secret_is_created_under_the_data_key_replicated_to_dr_and_rotated():
    p = h.workloads_plan("prod", "prod-apps-secrets-created")
    (secret,) = [s for s in h.of_type(p, SECRET, "prod-apps") if s["inputs"].get("name") == "los-api/db"]
    assert secret["inputs"]["kmsKeyId"].startswith("arn:aws:kms:ap-south-1:")
    (replica,) = secret["inputs"]["replicas"]
    assert replica["region"] == "ap-south-2" and replica["kmsKeyId"].startswith("arn:aws:kms:ap-south-2:")
    (rotation,) = [r for r in h.of_type(p, ROTATION, "prod-apps") if r["inputs"]["secretId"] == secret["id"]]
    assert rotation["inputs"]["rotationRules"]["automaticallyAfterDays"] <= 90
    # ECS starts a task only once its secrets exist: the reading service waits for the secret
    (service,) = [s for s in h.of_type(p, SERVICE, "prod-apps") if s["inputs"]["name"] == "los-api"
                  and s["name"].startswith("prod-apps-ap-south-1")]
    assert secret["urn"] in service["dependencies"]
    # the DR standby reads the replica: it creates no secret of its own
    assert not [s for s in h.of_type(p, SECRET, "prod-apps") if s["name"].startswith("prod-apps-ap-south-2-secret")]


def test_an_external_secret_is_read_but_not_created():
    p = h.workloads_plan("prod")
    tasks = [t for t in h.of_type(p, "aws:ecs/taskDefinition:TaskDefinition", "prod-apps")
             if "los-api/db" in t["inputs"]["containerDefinitions"]]
    assert tasks  # the reader exists: the rule X-23 has something to judge
    assert not [s for s in h.of_type(p, SECRET, "prod-apps") if s["inputs"].get("name") == "los-api/db"]


def test_a_secret_created_without_rotation_or_declared_but_unread_is_refused():
    service = {"name": "api", "secrets": ["api/db"]}
    with pytest.raises(ValueError, match="without rotation"):
        Ecs.model_validate({"services": [service]})
    with pytest.raises(ValueError, match="read by no service"):
        Ecs.model_validate({"services": [service], "external_secrets": ["api/db", "api/other"]})
    assert Ecs.model_validate({"services": [service], "external_secrets": ["api/db"]}).created_secrets() == []
    json.dumps(Ecs.model_validate({"services": [service], "secret_rotation_lambda_arn":
                                   "arn:aws:lambda:ap-south-1:111111111111:function:rot"}).created_secrets())


def test_x23_accepts_the_created_secret_and_its_dr_replica_and_fails_without_them():
    """Through the pack's gRPC path, on the workloads plan (stack `test`: no external_secrets in its config)."""
    from pathlib import Path

    from landing_zone import check

    pack_dir = Path(__file__).resolve().parents[2] / "policies"
    p = h.workloads_plan("prod", "prod-apps-secrets-created")
    readers = [t for t in h.of_type(p, "aws:ecs/taskDefinition:TaskDefinition", "prod-apps")
               if "los-api/db" in t["inputs"]["containerDefinitions"]]
    assert len(readers) == 2  # home and the DR standby: the second reads the replica
    x23 = [v for v in check.run_check(p, pack_dir, None, "test").violations if v.policy.startswith("x-23")]
    assert x23 == []
    without = {**p, "resources": [r for r in p["resources"] if r["type"] != SECRET or r["inputs"].get("name") != "los-api/db"]}
    x23 = [v for v in check.run_check(without, pack_dir, None, "test").violations if v.policy.startswith("x-23")]
    assert sorted(v.name for v in x23) == sorted(t["name"] for t in readers)
