"""The deployment role's pure parts: which EKS namespaces a pipeline gets, which roles it may pass to ECS.
(The role, its access entry and policy as planned for dev and prod: tests/landing_zone/test_contract.py.)"""

from __future__ import annotations

import json

import pytest

from components.deployment import DEFAULT_NAMESPACE, eks_namespace, eks_namespaces, permissions_policy


@pytest.mark.parametrize(("subject", "namespace"), [
    ("repo:example-org/payments:ref:refs/heads/main", "payments"),
    ("repo:example-org/Data-Platform:environment:prod", "data-platform"),
    ("project_path:example-group/team/ledger:ref_type:branch:ref:main", "ledger"),
    ("repo:example-org/*:ref:refs/heads/main", DEFAULT_NAMESPACE),  # a wildcard names no namespace
    ("repo:example-org/my_service:ref:refs/heads/main", DEFAULT_NAMESPACE),  # not a DNS-1123 label
    ("repo", DEFAULT_NAMESPACE),
])
def test_a_subject_deploys_to_its_repository_namespace_or_the_default(subject, namespace):
    assert eks_namespace(subject) == namespace


def test_namespaces_are_unique_and_sorted():
    subjects = ["repo:example-org/los:ref:refs/heads/main", "repo:example-org/lms:ref:refs/heads/main",
                "repo:example-org/los:ref:refs/heads/develop"]
    assert eks_namespaces(subjects) == ["lms", "los"]


def test_pass_role_names_exactly_the_given_roles_and_only_to_ecs_tasks():
    roles = ["arn:aws:iam::111111111111:role/api-task", "arn:aws:iam::111111111111:role/api-execution"]
    policy = json.loads(permissions_policy(
        partition="aws", region="ap-south-1", account_id="111111111111", repository_arns=[], ecs_cluster_arn=None,
        ecs_cluster_name=None, pass_role_arns=roles, eks_cluster_name=None))
    (pass_role,) = [s for s in policy["Statement"] if s["Action"] == ["iam:PassRole"]]
    assert pass_role["Resource"] == sorted(roles)
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
