"""The pipeline's roles (bootstrap/): who may assume each, and that the preview role cannot write or read data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bootstrap import roles

REPO, ACCOUNT = "example-org/landing-zone", "111111111111"
POLICIES = Path(roles.__file__).parent / "policies"
ISSUER = roles.ISSUER
READ_VERBS = ("Describe", "Get", "List")


def only_statement(document: dict) -> dict:
    (statement,) = document["Statement"]
    return statement


WORKFLOWS = f"{REPO}/.github/workflows"
DEPLOY_SUB = ("repo:{repo}:environment:{env}:ref:refs/heads/main:"
              "job_workflow_ref:{repo}/.github/workflows/deploy-layer.yml@refs/heads/main")
PREVIEW_SUB = ("repo:{repo}:environment:preview-{env}:ref:refs/pull/*/merge:"
               "job_workflow_ref:{repo}/.github/workflows/landing-zone.yml@refs/pull/*/merge")


@pytest.mark.parametrize(("name", "sub", "operator"), [
    ("deploy-prod-trust.json", DEPLOY_SUB.format(repo=REPO, env="prod"), "StringEquals"),
    ("deploy-dev-trust.json", DEPLOY_SUB.format(repo=REPO, env="dev"), "StringEquals"),
    ("preview-prod-trust.json", PREVIEW_SUB.format(repo=REPO, env="prod"), "StringLike"),
    ("preview-dev-trust.json", PREVIEW_SUB.format(repo=REPO, env="dev"), "StringLike"),
])
def test_each_role_trusts_exactly_one_subject_of_the_github_issuer(name, sub, operator):
    """A deploy role: its environment, on main, through deploy-layer.yml at main (a branch's workflow, even one calling
    main's deploy-layer.yml, has another `ref`). A preview role: its preview environment (required reviewers), a pull
    request's merge ref and landing-zone.yml there; the one wildcard stands for the pull request's number."""
    statement = only_statement(roles.render(REPO, ACCOUNT, name.split("-")[1].split("-")[0])[name])
    assert statement["Principal"] == {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER}"}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    expected = {"StringEquals": {f"{ISSUER}:aud": "sts.amazonaws.com"}}
    expected.setdefault(operator, {})[f"{ISSUER}:sub"] = sub
    assert statement["Condition"] == expected


def test_only_a_pull_requests_number_is_a_wildcard():
    for stack in roles.STACKS:
        documents = roles.render(REPO, ACCOUNT, stack)
        for name in (f"deploy-{stack}-trust.json", f"preview-{stack}-trust.json"):
            (sub,) = [v for c in only_statement(documents[name])["Condition"].values() for k, v in c.items()
                      if k.endswith(":sub")]
            assert sub.replace(roles.PULL_REQUEST_REF, "").count("*") == 0, sub
            assert not sub.startswith("repo:*") and f"repo:{REPO}:" in sub


def test_the_subject_template_renders_the_subjects_the_trusts_expect():
    """GitHub builds `sub` from the repository's template: each claim as `key:value`, `context` being
    `environment:NAME` for a job in an environment (docs.github.com, customizing the subject claims)."""
    template = roles.render(REPO, ACCOUNT, "prod")["github-oidc-subject.json"]
    assert template == {"use_default": False, "include_claim_keys": ["repo", "context", "ref", "job_workflow_ref"]}
    claims = {"repo": f"repo:{REPO}", "context": "environment:prod", "ref": "ref:refs/heads/main",
              "job_workflow_ref": f"job_workflow_ref:{WORKFLOWS}/deploy-layer.yml@refs/heads/main"}
    assert ":".join(claims[k] for k in template["include_claim_keys"]) == roles.subject(REPO, "prod")


def test_the_deploy_roles_and_the_preview_role_never_share_a_subject():
    dev, prod = roles.render(REPO, ACCOUNT, "dev"), roles.render(REPO, ACCOUNT, "prod")
    subs = [json.dumps(only_statement(d[n])["Condition"])
            for d, n in ((prod, "deploy-prod-trust.json"), (dev, "deploy-dev-trust.json"),
                         (prod, "preview-prod-trust.json"), (dev, "preview-dev-trust.json"))]
    assert len(set(subs)) == 4


@pytest.mark.parametrize("state_bucket", [None, "example-pulumi-state"])
def test_the_preview_role_allows_no_write_and_denies_data_reads(state_bucket):
    policy = roles.preview_permissions(state_bucket)
    for statement in policy["Statement"]:
        if statement["Effect"] != "Allow":
            continue
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        for action in actions:
            verb = action.split(":")[1]
            assert verb.startswith(READ_VERBS) or action == "sts:AssumeRole", f"{action} is not read-only"
            if action == "sts:AssumeRole":  # only the member accounts' read-only preview roles, in its organization
                assert statement["Resource"] == f"arn:aws:iam::*:role/{roles.MEMBER_PREVIEW_ROLE}"
                assert statement["Condition"] == {"StringEquals": {"aws:ResourceOrgID": "${aws:PrincipalOrgID}"}}
            if action == "s3:GetObject":
                assert statement["Resource"][1] == f"arn:aws:s3:::{state_bucket}/.pulumi/*"
    (deny,) = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert {"s3:GetObject*", "secretsmanager:GetSecretValue", "ssm:GetParameter*", "kms:Decrypt"} <= set(deny["Action"])


def test_member_preview_roles_trust_only_the_management_preview_and_drift_roles_of_their_stack():
    statement = only_statement(roles.render(REPO, ACCOUNT, "prod")["member-preview-prod-trust.json"])
    assert statement["Principal"] == {"AWS": [f"arn:aws:iam::{ACCOUNT}:role/landing-zone-preview-prod",
                                              f"arn:aws:iam::{ACCOUNT}:role/landing-zone-drift-prod"]}


def test_the_drift_role_answers_only_to_drift_yml_on_main_in_its_environment():
    documents = roles.render(REPO, ACCOUNT, "prod")
    statement = only_statement(documents["drift-prod-trust.json"])
    assert statement["Condition"]["StringEquals"][f"{roles.ISSUER}:sub"] == (
        f"repo:{REPO}:environment:drift:ref:refs/heads/main:job_workflow_ref:{REPO}/.github/workflows/drift.yml"
        "@refs/heads/main")
    assert "StringLike" not in statement["Condition"]  # no wildcard: no branch, no pull request
    assert documents["drift-prod-permissions.json"] == documents["preview-prod-permissions.json"]  # read-only


MANAGEMENT = {"dev": "222222222222", "prod": "111111111111"}  # the stacks' organization.management_account_id


def test_the_checked_in_policy_files_are_the_rendered_ones():
    rendered = {n: d for stack in roles.STACKS for n, d in roles.render(REPO, MANAGEMENT[stack], stack).items()}
    on_disk = {p.name: json.loads(p.read_text()) for p in POLICIES.glob("*.json")}
    assert on_disk == rendered, ("run: python -m bootstrap.roles --repository example-org/landing-zone "
                                 "--stack <stack> --account-id <its management account> (bootstrap/README.md)")


@pytest.mark.parametrize(("args", "field"), [
    (["--repository", "example-org/*", "--account-id", ACCOUNT], "--repository"),
    (["--repository", "example-org", "--account-id", ACCOUNT], "--repository"),
    (["--repository", REPO, "--account-id", "1111"], "--account-id"),
])
def test_bad_input_names_the_argument_and_exits_2(args, field, tmp_path, capsys):
    assert roles.main([*args, "--out", str(tmp_path)]) == 2
    assert field in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


_PINNED = re.compile(rf"^repo:{re.escape(REPO)}:environment:[\w.-]+:ref:(refs/heads/main|refs/pull/\*/merge):"
                     rf"job_workflow_ref:{re.escape(REPO)}/\.github/workflows/[\w.-]+\.yml@\1$")


def github_subjects(documents: dict[str, dict]) -> list[tuple[str, str, str]]:
    """(file, operator, sub) of every statement trusting GitHub's OIDC provider."""
    found = []
    for name, document in documents.items():
        for statement in document.get("Statement", []):
            if str(statement.get("Principal", {}).get("Federated", "")).endswith(f"/{ISSUER}"):
                assert statement["Condition"]["StringEquals"][f"{ISSUER}:aud"] == "sts.amazonaws.com", name
                found += [(name, op, values[f"{ISSUER}:sub"]) for op, values in statement["Condition"].items()
                          if f"{ISSUER}:sub" in values]
    return found


def test_every_github_trust_single_and_split_pins_environment_ref_and_workflow_file(tmp_path):
    """The class, over every trust bootstrap writes: checked in (single mode) and a split organization's."""
    assert roles.main(["--repository", REPO, "--organization-stack", "prod.organization",
                       "--config-root", str(POLICIES.parents[1]), "--out", str(tmp_path)]) == 0
    documents = {f"{p.parent.name}/{p.name}": json.loads(p.read_text())
                 for p in [*POLICIES.glob("*.json"), *tmp_path.glob("*.json")]}
    subjects = github_subjects(documents)
    assert len(subjects) >= 6, subjects  # 4 checked in, the split organization's deploy and preview trusts
    for name, operator, sub in subjects:
        assert _PINNED.match(sub), f"{name}: {sub} is not pinned to an environment, a ref and a workflow file"
        assert (operator == "StringLike") == ("*" in sub), f"{name}: {operator} {sub}"
        # deploys and the scheduled drift check run from main; previews from a pull request's ref
        assert ("refs/heads/main" in sub) == name.split("/")[1].startswith(("deploy-", "drift-")), f"{name}: main"


def test_the_class_check_catches_an_unpinned_subject():
    loose = roles.github_trust(ACCOUNT, f"repo:{REPO}:environment:dev")
    (_, _, sub), = github_subjects({"deploy-x-trust.json": loose})
    assert not _PINNED.match(sub)
