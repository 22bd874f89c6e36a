"""The member accounts' preview role, as planned for dev and prod: the pull request's code reaches member accounts only
through it, so it must answer to the management account's preview role alone and read no data; and the workflow's
preview job must assume exactly the role the program creates (else the preview falls back to nothing, or worse, to a
name someone else controls)."""

from __future__ import annotations

import json

import pytest
import yaml
from stack_plans import ROOT, STACKS, full_plan, of_type

from bootstrap import roles
from landing_zone.config import load_stack, stack_config
from landing_zone.plan_index import account_of, index_by_urn

ROLE, POLICY = "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
WORKFLOW = ROOT / ".github" / "workflows" / "landing-zone.yml"
READ_VERBS = ("Describe", "Get", "List")
DATA_READS = {"s3:GetObject*", "secretsmanager:GetSecretValue", "ssm:GetParameter*", "kms:Decrypt",
              "kms:GenerateDataKey*", "dynamodb:GetItem", "dynamodb:Scan", "logs:GetLogEvents"}


def preview_resources(stack: str) -> dict[str, dict[str, list[dict]]]:
    """account -> type -> the preview role's resources there (the role, its policy and its attachments)."""
    cfg, plan = load_stack(stack, ROOT), full_plan(stack)
    index, name = index_by_urn(plan), cfg.organization.preview_role_name
    found: dict[str, dict[str, list[dict]]] = {}
    for t in (ROLE, POLICY, ATTACHMENT):
        for r in of_type(plan, t):
            if r["inputs"].get("name" if t == ROLE else "role") == name:
                found.setdefault(account_of(index, r), {}).setdefault(t, []).append(r)
    return found


def actions(statement: dict) -> list[str]:
    return statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]


@pytest.mark.parametrize("stack", STACKS)
def test_every_member_account_and_only_those_have_one_preview_role(stack):
    cfg = load_stack(stack, ROOT)
    found = preview_resources(stack)
    assert sorted(found) == sorted(a.name for a in cfg.accounts)  # not the management account: it runs the program
    for account, by_type in found.items():
        assert [len(by_type.get(t, [])) for t in (ROLE, POLICY, ATTACHMENT)] == [1, 1, 2], account


@pytest.mark.parametrize("stack", STACKS)
def test_the_preview_role_trusts_exactly_the_management_accounts_preview_and_drift_roles(stack):
    mgmt = load_stack(stack, ROOT).organization.management_account_id
    # the name the bootstrap renders and bootstrap/README.md tells the administrator to create
    assert roles.preview_role_name(stack) == f"landing-zone-preview-{stack}"
    assert "--role-name landing-zone-preview-prod " in (ROOT / "bootstrap" / "README.md").read_text()
    expected = [f"arn:aws:iam::{mgmt}:role/landing-zone-preview-{stack}",
                f"arn:aws:iam::{mgmt}:role/landing-zone-drift-{stack}"]  # the scheduled drift check (drift.yml)
    for account, by_type in preview_resources(stack).items():
        (statement,) = json.loads(by_type[ROLE][0]["inputs"]["assumeRolePolicy"])["Statement"]
        # the two roles themselves: no account root, no wildcard, no condition that could widen it
        assert statement["Principal"] == {"AWS": expected}, account
        assert (statement["Effect"], statement["Action"], "Condition" in statement) == ("Allow", "sts:AssumeRole", False)


@pytest.mark.parametrize("stack", STACKS)
def test_the_preview_role_reads_configuration_and_no_data(stack):
    for account, by_type in preview_resources(stack).items():
        # configuration metadata only: what a preview's invokes and a drift check's refresh read
        assert sorted(a["inputs"]["policyArn"] for a in by_type[ATTACHMENT]) == [
            "arn:aws:iam::aws:policy/SecurityAudit", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"], account
        statements = json.loads(by_type[POLICY][0]["inputs"]["policy"])["Statement"]
        for statement in (s for s in statements if s["Effect"] == "Allow"):
            wrong = [a for a in actions(statement) if not a.split(":")[1].startswith(READ_VERBS)]
            assert not wrong, f"{account}: the preview role may not {wrong}"
        denied = {a for s in statements if s["Effect"] == "Deny" and s.get("Resource") == "*" for a in actions(s)}
        assert DATA_READS <= denied, f"{account}: data reads not denied: {sorted(DATA_READS - denied)}"


def test_the_member_policy_is_the_bootstraps_deny_not_a_copy():
    """One deny builder: the rendered bootstrap JSON and the program's policy are the same document."""
    on_disk = json.loads((ROOT / "bootstrap" / "policies" / "member-preview-permissions.json").read_text())
    planned = json.loads(preview_resources("prod")["prod-apps"][POLICY][0]["inputs"]["policy"])
    assert planned == on_disk == roles.member_preview_permissions()


def test_the_workflow_previews_as_the_role_the_program_creates():
    preview = yaml.safe_load(WORKFLOW.read_text())["jobs"]["preview"]
    names = {stack: load_stack(stack, ROOT).organization.preview_role_name for stack in STACKS}
    assert preview["env"]["LZ_ACCESS_ROLE_NAME"] == names["dev"] == names["prod"], (
        "the preview job's LZ_ACCESS_ROLE_NAME must be organization.preview_role_name of every stack")
    # and the management preview role may assume it (bootstrap's MemberAccountPreviewRoles statement)
    for stack in STACKS:
        allowed = json.loads((ROOT / "bootstrap" / "policies" / f"preview-{stack}-permissions.json").read_text())
        (assume,) = [s for s in allowed["Statement"] if s["Action"] == "sts:AssumeRole"]
        assert assume["Resource"] == f"arn:aws:iam::*:role/{names[stack]}"



def test_a_preview_role_named_like_the_access_role_is_refused_naming_the_field(tmp_path):
    """Else the pull request's code would assume the access role, which administers every member account."""
    from typer.testing import CliRunner

    from landing_zone.cli import app

    doc = {"config": stack_config("dev", ROOT)}
    doc["config"]["landing-zone:organization"]["preview_role_name"] = "OrganizationAccountAccessRole"
    (tmp_path / "Pulumi.t.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    result = CliRunner().invoke(app, ["validate", "--stack", "t", "--root", str(tmp_path)])
    assert result.exit_code == 2 and "organization.preview_role_name: OrganizationAccountAccessRole is the access role" in " ".join(result.output.split())
    assert "Traceback" not in result.output
