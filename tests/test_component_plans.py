"""The small-program fixture: the handles it builds put resources where a component test expects them."""

from __future__ import annotations

import json

import pulumi_aws as aws
from component_plans import DR, HOME, MANAGEMENT_ACCOUNT_ID, account, management, plan_program


def test_a_member_handle_builds_in_its_account_and_region_through_the_access_role():
    def program():
        apps = account("dev-apps")
        aws.sns.Topic("topic", opts=apps.opts(DR))

    rec = plan_program(program)
    topic = rec.named("topic")
    assert (rec.account_of(topic), rec.region_of(topic)) == ("dev-apps", DR)
    provider = rec.named(f"dev-apps-{DR}")
    assert "OrganizationAccountAccessRole" in json.loads(provider["inputs"]["assumeRoles"])[0]["roleArn"]


def test_the_management_handle_assumes_no_role():
    rec = plan_program(lambda: aws.sns.Topic("topic", opts=management().opts(HOME)))
    provider = rec.named(f"management-{HOME}")
    assert "assumeRoles" not in provider["inputs"]
    assert json.loads(provider["inputs"]["allowedAccountIds"]) == [MANAGEMENT_ACCOUNT_ID]
    assert rec.account_of(rec.named("topic")) == "management"
