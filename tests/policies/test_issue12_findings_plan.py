"""Each issue-12 finding the pack catches since pack-sec2, put back into the real prod plan, makes `lz check` fail
(gRPC path, the policy config CI uses) with a mandatory violation of the expected rule that names the resource and
says what to fix. The unbroken prod plan passes (tests/landing_zone/test_verdict.py), so each failure is the break's.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from plan_breaks import assert_break_named, named, prod_pack, set_state


def _edit_document(resource: dict, key: str, edit: Callable[[list[dict]], list[dict]]) -> None:
    document = json.loads(resource["inputs"][key])
    document["Statement"] = edit(document["Statement"])
    set_state(resource, key, json.dumps(document))


def _without(sid: str) -> Callable[[list[dict]], list[dict]]:
    return lambda statements: [s for s in statements if s.get("Sid") != sid]


def kafka_plaintext_listener(plan: dict) -> str:
    sg = named(plan, "prod-data-ap-south-1-kafka-sg")
    client = dict(sg["inputs"]["ingress"][0], fromPort=9092, toPort=9092, description="kafka PLAINTEXT")
    set_state(sg, "ingress", [*sg["inputs"]["ingress"], client])
    return "prod-data-ap-south-1-kafka-sg"


def endpoint_without_policy(plan: dict) -> str:
    endpoint = named(plan, "prod-data-ap-south-1-vpce-s3")
    for state in ("inputs", "outputs"):
        endpoint[state].pop("policy", None)
    return "prod-data-ap-south-1-vpce-s3"


def client_routes_not_enforced(plan: dict) -> str:
    set_state(named(plan, "network-ap-south-1-client-vpn"), "clientRouteEnforcementOptions", {"enforced": False})
    return "network-ap-south-1-client-vpn"


def dr_cluster_without_iam_auth(plan: dict) -> str:
    set_state(named(plan, "prod-apps-ap-south-2-aurora-cluster"), "iamDatabaseAuthenticationEnabled", False)
    return "prod-apps-ap-south-2-aurora-cluster"


def instance_without_enhanced_monitoring(plan: dict) -> str:
    set_state(named(plan, "prod-apps-ap-south-2-aurora-writer"), "monitoringInterval", 0)
    return "prod-apps-ap-south-2-aurora-writer"


def account_without_public_access_block(plan: dict) -> str:
    plan["resources"].remove(named(plan, "prod-data-ap-south-1-s3-account-public-access-block"))
    return "account-prod-data"


def iam_users_allowed(plan: dict) -> str:
    _edit_document(named(plan, "organization-scp-guardrails"), "content", _without("DenyIamUsers"))
    return "organization"


def rcp_without_tls(plan: dict) -> str:
    _edit_document(named(plan, "organization-rcp-data-perimeter"), "content", _without("EnforceSecureTransport"))
    return "organization"


def governance_bypass_allowed(plan: dict) -> str:
    # the root's deny, and protect-logs-and-backups' (attached to NonProd since issue 22)
    for scp in ("organization-scp-guardrails", "organization-scp-protect-logs-and-backups"):
        _edit_document(named(plan, scp), "content", _without("DenyObjectLockBypass"))
    return "nonprod-apps-ap-south-1-backup-bucket-object-lock"


def flow_logs_write_anywhere(plan: dict) -> str:
    def whole_bucket(statements: list[dict]) -> list[dict]:
        for s in statements:
            if s.get("Sid") == "FlowLogsWrite":
                s["Resource"] = s["Resource"].split("/", 1)[0] + "/*"
        return statements

    _edit_document(named(plan, "log-archive-ap-south-1-log-bucket-policy"), "policy", whole_bucket)
    return "log-archive-ap-south-1-log-bucket-policy"


def developers_read_prod_data(plan: dict) -> str:
    attachment = named(plan, "management-ap-south-1-sso-permission-set-viewonlyaccess-viewonlyaccess")
    set_state(attachment, "managedPolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
    return "management-ap-south-1-sso-aws-developers-viewonlyaccess-prod-apps"


def shared_deployment_role(plan: dict) -> str:
    def second_repository(statements: list[dict]) -> list[dict]:
        condition = statements[0]["Condition"]["StringEquals"]
        condition["token.actions.githubusercontent.com:sub"] += ["repo:example-org/lms:environment:prod"]
        return statements

    _edit_document(named(plan, "prod-apps-ap-south-1-deploy-los-role"), "assumeRolePolicy", second_repository)
    return "prod-apps-ap-south-1-deploy-los-role"


BREAKS: dict[str, tuple[Callable[[dict], str], str, str]] = {
    # finding: (how it is put back, the rule that must catch it, what its message must say)
    "plaintext listener": (kafka_plaintext_listener, "x-04", "9092"),
    "endpoint policy": (endpoint_without_policy, "x-14", "has no endpoint policy"),
    "client route enforcement": (client_routes_not_enforced, "net-11", "clientRouteEnforcementOptions.enforced"),
    "DR cluster IAM auth": (dr_cluster_without_iam_auth, "dat-01", "global-database"),
    "enhanced monitoring": (instance_without_enhanced_monitoring, "log-11", "monitoringInterval"),
    "account public access block": (account_without_public_access_block, "x-11", "account prod-data"),
    "IAM users": (iam_users_allowed, "x-18", "iam:CreateUser"),
    "TLS-only RCP": (rcp_without_tls, "x-18", "aws:SecureTransport"),
    "governance bypass": (governance_bypass_allowed, "x-18", "s3:BypassGovernanceRetention"),
    "flow-log delivery prefix": (flow_logs_write_anywhere, "iam-11", "whole bucket"),
    "ReadOnlyAccess in prod": (developers_read_prod_data, "iam-03", "ReadOnlyAccess"),
    "shared deployment role": (shared_deployment_role, "iam-09", "example-org/lms, example-org/los"),
}


pack = pytest.fixture(scope="module")(prod_pack)


@pytest.mark.parametrize("finding", BREAKS)
def test_putting_a_finding_back_into_the_prod_plan_fails_the_check_naming_the_resource(pack, finding):
    assert_break_named(pack, *BREAKS[finding])
