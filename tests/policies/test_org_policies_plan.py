"""ORG-01 on the real prod plan (gRPC path, CI's policy config): the planned organization policies pass
(tests/landing_zone/test_verdict.py), and each way of switching one off, put back into the plan, fails `lz check`
with a mandatory ORG-01 violation naming what to fix."""

from __future__ import annotations

import json

import pytest
from plan_breaks import check_broken_prod, named, prod_pack, set_state

ORG = "aws:organizations/organization:Organization"
ATTACHMENT = "aws:organizations/policyAttachment:PolicyAttachment"


def _drop(plan: dict, name: str) -> None:
    plan["resources"] = [r for r in plan["resources"] if r["name"] != name]


def tag_policy_detached(plan: dict) -> str:
    _drop(plan, "organization-policy-tag-policy-root")
    return "organization"


def type_not_enabled(plan: dict) -> str:
    org = named(plan, "organization", ORG)
    set_state(org, "enabledPolicyTypes", [t for t in org["inputs"]["enabledPolicyTypes"] if t != "BACKUP_POLICY"])
    return "organization"


def backup_below_floor(plan: dict) -> str:
    policy = named(plan, "organization-policy-backup-policy")
    document = json.loads(policy["inputs"]["content"])
    for backup in document["plans"].values():
        backup["rules"]["daily"]["lifecycle"]["delete_after_days"]["@@assign"] = "7"
    set_state(policy, "content", json.dumps(document))
    return "organization-policy-backup-policy"


def vpc_bpa_off(plan: dict) -> str:
    policy = named(plan, "organization-policy-ec2-declarative")
    document = json.loads(policy["inputs"]["content"])
    document["ec2_attributes"]["vpc_block_public_access"]["internet_gateway_block"]["mode"]["@@assign"] = "off"
    set_state(policy, "content", json.dumps(document))
    return "organization-policy-ec2-declarative"


@pytest.fixture(scope="module")
def pack():
    yield from prod_pack()


@pytest.mark.parametrize("breaks", [tag_policy_detached, type_not_enabled, backup_below_floor, vpc_bpa_off],
                         ids=lambda f: f.__name__)
def test_switching_an_organization_policy_off_fails_the_gate(pack, breaks):
    name, mandatory = check_broken_prod(pack, breaks)
    found = [v for v in mandatory if v.policy == "org-01-organization-policies-everywhere"]
    assert found, [v.policy for v in mandatory]
    assert any(v.name == name for v in found), [(v.name, v.message) for v in found]
