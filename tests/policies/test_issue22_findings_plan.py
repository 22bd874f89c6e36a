"""Each issue-22 guardrail finding, put back into the real prod plan, makes `lz check` fail (gRPC path, the policy
config CI uses) with a mandatory violation of the expected rule that names the resource and says what to fix. The
unbroken prod plan passes (tests/landing_zone/test_verdict.py), so each failure is the break's."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from plan_breaks import assert_break_named, named, prod_pack, set_state


def _edit_scp(plan: dict, name: str, edit: Callable[[list[dict]], list[dict]]) -> None:
    policy = named(plan, name)
    document = json.loads(policy["inputs"]["content"])
    document["Statement"] = edit(document["Statement"])
    set_state(policy, "content", json.dumps(document))


def _without_sid(sid: str) -> Callable[[list[dict]], list[dict]]:
    return lambda statements: [s for s in statements if s["Sid"] != sid]


def _without_actions(*actions: str) -> Callable[[list[dict]], list[dict]]:
    def edit(statements: list[dict]) -> list[dict]:
        for s in statements:
            if isinstance(s["Action"], list):
                s["Action"] = [a for a in s["Action"] if a not in actions]
        return statements
    return edit


def _detach(plan: dict, attachment: str) -> None:
    plan["resources"].remove(named(plan, attachment))


def route_table_swap(plan: dict) -> str:
    _edit_scp(plan, "organization-scp-network-lockdown", _without_actions("ec2:ReplaceRoute*", "ec2:AssociateRoute*"))
    return "account-prod-apps"


def sandbox_without_network_lockdown(plan: dict) -> str:
    _detach(plan, "organization-scp-network-lockdown-ou-sandbox")
    return "account-sandbox"


def nonprod_without_backup_protection(plan: dict) -> str:
    _detach(plan, "organization-scp-protect-logs-and-backups-ou-nonprod")
    return "account-nonprod-apps"


def findings_closed_by_automation(plan: dict) -> str:
    _edit_scp(plan, "organization-scp-security-services",
              _without_actions("securityhub:CreateAutomationRule*", "guardduty:CreateIPSet"))
    return "account-prod-data"


def outside_identity_provider(plan: dict) -> str:
    _edit_scp(plan, "organization-scp-guardrails", _without_sid("DenyIdentityProviders"))
    return "account-nonprod-data"


def writes_to_outside_buckets(plan: dict) -> str:
    _edit_scp(plan, "organization-scp-data-protection", _without_sid("DenyWritesOutsideOrganization"))
    return "account-sandbox"


def rcp_without_confused_deputy(plan: dict) -> str:
    _edit_scp(plan, "organization-rcp-data-perimeter", _without_sid("EnforceConfusedDeputyProtection"))
    return "organization"


def rcp_without_access_role_restriction(plan: dict) -> str:
    _edit_scp(plan, "organization-rcp-data-perimeter", _without_sid("RestrictAccessRoleAssumption"))
    return "organization"


def trail_prefix_exclusion(plan: dict) -> str:
    trail = named(plan, "management-ap-south-1-organization-trail")
    selectors = json.loads(json.dumps(trail["inputs"]["advancedEventSelectors"]))
    arn = next(f for f in selectors[1]["fieldSelectors"] if f["field"] == "resources.ARN")
    assert arn["notStartsWiths"] and all(v.endswith("/") for v in arn["notStartsWiths"])  # exact buckets today
    arn["notStartsWiths"] = ["arn:aws:s3:::acme-log-archive-"]
    set_state(trail, "advancedEventSelectors", selectors)
    return "management-ap-south-1-organization-trail"


def endpoint_caller_side_only(plan: dict) -> str:
    endpoint = named(plan, "prod-apps-ap-south-1-vpce-secretsmanager")
    document = json.loads(endpoint["inputs"]["policy"])
    assert document["Statement"][0]["Condition"]["StringEquals"].pop("aws:ResourceOrgID")
    set_state(endpoint, "policy", json.dumps(document))
    return "prod-apps-ap-south-1-vpce-secretsmanager"


def promotion_pull_grant(plan: dict) -> str:
    """The old `*-promotion` grant: prod pulls nonprod-apps' images by tag."""
    repo = named(plan, "nonprod-apps-ap-south-1-ecr-web", "aws:ecr/repository:Repository")
    prod = named(plan, "account-prod-apps")["id"]
    grant = {"Version": "2012-10-17", "Statement": [{"Sid": "PromotionPull", "Effect": "Allow",
             "Principal": {"AWS": [f"arn:aws:iam::{prod}:root"]}, "Action": ["ecr:BatchGetImage"]}]}
    plan["resources"].append({**repo, "urn": repo["urn"].replace("ecr/repository:Repository", "ecr/repositoryPolicy:RepositoryPolicy") + "-promotion",
                              "type": "aws:ecr/repositoryPolicy:RepositoryPolicy", "name": "nonprod-apps-ap-south-1-ecr-web-promotion",
                              "inputs": {"repository": repo["outputs"]["name"], "policy": json.dumps(grant)},
                              "outputs": {"repository": repo["outputs"]["name"], "policy": json.dumps(grant)},
                              "dependencies": [repo["urn"]], "property_dependencies": {"repository": [repo["urn"]]}})
    return "nonprod-apps-ap-south-1-ecr-web"


def prod_repository_writable(plan: dict) -> str:
    plan["resources"].remove(named(plan, "prod-apps-ap-south-1-ecr-web-writers"))
    return "prod-apps-ap-south-1-ecr-web"


BREAKS: dict[str, tuple[Callable[[dict], str], str, str]] = {
    # finding: (how it is put back, the rule that must catch it, what its message must say)
    "route table association swap": (route_table_swap, "x-20", "ec2:ReplaceRouteTableAssociation"),
    "sandbox network lockdown": (sandbox_without_network_lockdown, "x-20", "ec2:ModifyVpcEndpoint"),
    "nonprod backups": (nonprod_without_backup_protection, "x-20", "backup:DeleteRecoveryPoint"),
    "security services blinded": (findings_closed_by_automation, "x-20", "securityhub:CreateAutomationRule"),
    "identity providers": (outside_identity_provider, "x-20", "iam:CreateSAMLProvider"),
    "resource perimeter": (writes_to_outside_buckets, "x-20", "s3:PutObject"),
    "trail data-event exclusion by prefix": (trail_prefix_exclusion, "log-04", "exact ARN"),
    "endpoint resource perimeter": (endpoint_caller_side_only, "x-14", "aws:ResourceOrgID"),
    "promotion pull grant": (promotion_pull_grant, "x-22", "promote by copying the digest"),
    "prod repository writable": (prod_repository_writable, "x-22", "ecr:PutImage"),
    "confused deputy": (rcp_without_confused_deputy, "x-21", "EnforceConfusedDeputyProtection"),
    "access role assumers": (rcp_without_access_role_restriction, "x-21", "RestrictAccessRoleAssumption"),
}


pack = pytest.fixture(scope="module")(prod_pack)


@pytest.mark.parametrize("finding", BREAKS)
def test_putting_a_finding_back_into_the_prod_plan_fails_the_check_naming_the_resource(pack, finding):
    assert_break_named(pack, *BREAKS[finding])
