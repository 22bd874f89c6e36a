"""The Redis AUTH rotation function's four steps against fake Secrets Manager / ElastiCache clients (no AWS)."""

from __future__ import annotations

import importlib
import sys
import types

import pytest


class FakeSecrets:
    class exceptions:  # noqa: N801 - boto3's shape
        class ResourceNotFoundException(Exception):
            pass

    def __init__(self):
        self.versions = {"v1": (["AWSCURRENT"], "old-token"), "v2": (["AWSPENDING"], None)}

    def describe_secret(self, SecretId):  # noqa: N803
        return {"VersionIdsToStages": {v: stages for v, (stages, _) in self.versions.items()}}

    def get_secret_value(self, SecretId, VersionId, VersionStage):  # noqa: N803
        stages, value = self.versions[VersionId]
        if value is None or VersionStage not in stages:
            raise self.exceptions.ResourceNotFoundException()
        return {"SecretString": value}

    def get_random_password(self, **kwargs):
        assert kwargs["ExcludePunctuation"] is True
        return {"RandomPassword": "n" * kwargs["PasswordLength"]}

    def put_secret_value(self, SecretId, ClientRequestToken, SecretString, VersionStages):  # noqa: N803
        self.versions[ClientRequestToken] = (VersionStages, SecretString)

    def update_secret_version_stage(self, SecretId, VersionStage, MoveToVersionId, RemoveFromVersionId):  # noqa: N803
        old_stages, old_value = self.versions[RemoveFromVersionId]
        self.versions[RemoveFromVersionId] = ([s for s in old_stages if s != VersionStage], old_value)
        stages, value = self.versions[MoveToVersionId]
        self.versions[MoveToVersionId] = ([*stages, VersionStage], value)


class FakeElastiCache:
    def __init__(self):
        self.modified = []

    def describe_replication_groups(self, ReplicationGroupId):  # noqa: N803
        return {"ReplicationGroups": [{"Status": "available"}]}

    def modify_replication_group(self, **kwargs):
        self.modified.append(kwargs)


@pytest.fixture
def rotation(monkeypatch):
    secrets, cache, dr_cache = FakeSecrets(), FakeElastiCache(), FakeElastiCache()

    def client(name, region_name=None):  # the DR region's ElastiCache by region_name
        return dr_cache if region_name == "ap-south-2" else {"secretsmanager": secrets, "elasticache": cache}[name]
    fake_boto3 = types.SimpleNamespace(client=client)
    monkeypatch.setitem(sys.modules, "boto3", fake_boto3)
    monkeypatch.setenv("REPLICATION_GROUP_ID", "prod-apps-ap-south-1-redis")
    sys.modules.pop("components.workloads.redis_rotation", None)
    # import_module, not `from ... import`: that would return the package's attribute, the module bound to an
    # earlier test's fakes
    redis_rotation = importlib.import_module("components.workloads.redis_rotation")
    redis_rotation.dr_cache = dr_cache  # the fake the DR secondary's calls reach (tests read it)
    yield redis_rotation, secrets, cache
    sys.modules.pop("components.workloads.redis_rotation", None)


def run(module, step, token="v2"):
    module.handler({"SecretId": "arn:secret", "ClientRequestToken": token, "Step": step}, None)


def test_a_rotation_sets_the_new_token_with_rotate_and_then_makes_it_current(rotation):
    module, secrets, cache = rotation
    for step in ("createSecret", "setSecret", "testSecret", "finishSecret"):
        run(module, step)
    new_stages, new_token = secrets.versions["v2"]
    assert new_token == "n" * 64 and "AWSCURRENT" in new_stages
    assert "AWSCURRENT" not in secrets.versions["v1"][0]
    # ROTATE: the old token stays valid beside the new one, so running clients are not cut off
    assert cache.modified == [{"ReplicationGroupId": "prod-apps-ap-south-1-redis", "AuthToken": new_token,
                               "AuthTokenUpdateStrategy": "ROTATE", "ApplyImmediately": True}]


def test_a_version_that_is_not_pending_is_refused(rotation):
    module, secrets, _ = rotation
    secrets.versions["v3"] = ([], "x")
    with pytest.raises(ValueError, match="not pending rotation"):
        run(module, "createSecret", token="v3")


def test_with_a_global_datastore_the_token_is_set_on_the_dr_secondary_too(rotation, monkeypatch):
    module, secrets, cache = rotation
    monkeypatch.setenv("DR_REPLICATION_GROUP_ID", "prod-apps-ap-south-2-redis")
    monkeypatch.setenv("DR_REGION", "ap-south-2")
    for step in ("createSecret", "setSecret", "testSecret", "finishSecret"):
        run(module, step)
    token = secrets.versions["v2"][1]
    assert [c["ReplicationGroupId"] for c in cache.modified] == ["prod-apps-ap-south-1-redis"]
    assert module.dr_cache.modified == [{"ReplicationGroupId": "prod-apps-ap-south-2-redis", "AuthToken": token,
                                         "AuthTokenUpdateStrategy": "ROTATE", "ApplyImmediately": True}]
