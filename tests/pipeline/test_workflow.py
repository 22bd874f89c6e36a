"""The pipeline's own guarantees, which the policy pack cannot see: who gets which cloud role, and zizmor is clean.

A pull request runs its own code (`pulumi preview` executes the program), so no job a pull request can start may
reference a deploy role; deploy jobs run in their GitHub environment (the deploy roles trust only that subject), one
job per layer of the stack graph, each stack as its own role (deploy-layer.yml).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "landing-zone.yml"
DEPLOY_LAYER = ROOT / ".github" / "workflows" / "deploy-layer.yml"
DEPLOY_JOBS = {f"{env}-layer{n}": env for env in ("dev", "prod") for n in range(3)}
_SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
_ROLE_VARIABLE = re.compile(r"\bvars\.(AWS_\w*(?:ROLE|MANAGEMENT_ACCOUNT)\w*)")


def load(text: str) -> dict:
    workflow = yaml.safe_load(text)
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads the `on` key as True
    return workflow


@pytest.fixture(scope="module")
def workflow() -> dict:
    return load(WORKFLOW.read_text())


@pytest.fixture(scope="module")
def deploy_layer() -> dict:
    return load(DEPLOY_LAYER.read_text())


def runs_on_pull_requests(job: dict) -> bool:
    """A job without a push-only `if` runs for pull requests (the workflow triggers on pull_request)."""
    condition = str(job.get("if", ""))
    return "github.event_name == 'push'" not in condition


def role_variables(job: dict) -> set[str]:
    return set(_ROLE_VARIABLE.findall(json.dumps(job)))


def steps(workflow: dict):
    for name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield name, step


def test_pull_request_jobs_use_only_the_preview_roles(workflow):
    pr_jobs = {name: job for name, job in workflow["jobs"].items() if runs_on_pull_requests(job)}
    assert "preview" in pr_jobs
    for name, job in pr_jobs.items():
        wrong = {v for v in role_variables(job) if not v.startswith("AWS_PREVIEW_ROLE_ARN_")}
        assert not wrong, f"job {name} runs for pull requests but references {sorted(wrong)}: use a preview role"
    assert role_variables(pr_jobs["preview"]) == {"AWS_PREVIEW_ROLE_ARN_DEV", "AWS_PREVIEW_ROLE_ARN_PROD"}


def test_deploy_jobs_run_only_on_main_in_their_environment_with_their_own_management_account(workflow):
    for name, env in DEPLOY_JOBS.items():
        job = workflow["jobs"][name]
        assert job["uses"] == "./.github/workflows/deploy-layer.yml"
        assert job["with"]["environment"] == env, f"{name}: the deploy roles trust only environment:{env}"
        assert not runs_on_pull_requests(job) and "refs/heads/main" in job["if"]
        assert role_variables(job) == {f"AWS_MANAGEMENT_ACCOUNT_ID_{env.upper()}"}


def test_each_layer_waits_for_every_layer_before_it_and_prod_for_dev(workflow):
    order = list(DEPLOY_JOBS)  # dev-layer0..2, prod-layer0..2
    for i, name in enumerate(order):
        needs = workflow["jobs"][name]["needs"]
        needs = {needs} if isinstance(needs, str) else set(needs)
        assert needs == {"stacks", *order[:i]}, name
        if i:  # an earlier layer that failed or was cancelled stops it; an empty (skipped) one does not
            assert all(f in workflow["jobs"][name]["if"] for f in ("!contains(needs.*.result, 'failure')",
                                                                   "!contains(needs.*.result, 'cancelled')"))
        layer = name[-1]
        assert f".has_layer{layer}" in workflow["jobs"][name]["if"], "GitHub refuses an empty matrix"
        assert f").layer{layer})" in workflow["jobs"][name]["with"]["matrix"]


def test_the_matrices_come_from_the_stack_graph_of_each_organization(workflow):
    job = workflow["jobs"]["stacks"]
    assert not runs_on_pull_requests(job)
    script = "\n".join(step.get("run", "") for step in job["steps"])
    for stack in ("DEV_STACK", "PROD_STACK"):
        assert f'lz stacks --stack "${stack}" --github-matrix' in script
    assert job["env"] == {"DEV_STACK": "${{ vars.LZ_DEV_STACK || 'dev' }}",
                          "PROD_STACK": "${{ vars.LZ_PROD_STACK || 'prod' }}"}  # single mode by default


def test_each_stack_assumes_its_own_role_in_its_environment_and_runs_the_pack(deploy_layer):
    job = deploy_layer["jobs"]["up"]
    assert job["environment"] == "${{ inputs.environment }}"
    assert job["strategy"] == {"fail-fast": False, "matrix": "${{ fromJSON(inputs.matrix) }}"}
    (credentials,) = [s for s in job["steps"] if "configure-aws-credentials" in s.get("uses", "")]
    assert credentials["with"]["role-to-assume"] == (
        "arn:aws:iam::${{ inputs.management-account-id }}:role/${{ matrix.role }}")
    (up,) = [s for s in job["steps"] if "pulumi/actions" in s.get("uses", "")]
    assert up["with"] == {"command": "up", "stack-name": "${{ matrix.stack }}", "policyPacks": "policies",
                          "policyPackConfigs": "policy-config.json"}


def test_id_token_write_only_for_jobs_that_assume_a_role(workflow, deploy_layer):
    for document in (workflow, deploy_layer):
        assert document["permissions"] == {}, "top-level permissions: none; each job asks for its own"
        for name, job in document["jobs"].items():
            assert "permissions" in job, f"job {name} inherits permissions: give it its own"
    with_token = {name for name, job in workflow["jobs"].items()
                  if job.get("permissions", {}).get("id-token") == "write"}
    assuming = {name for name, step in steps(workflow) if "configure-aws-credentials" in step.get("uses", "")}
    callers = {name for name, job in workflow["jobs"].items() if job.get("uses") == "./.github/workflows/deploy-layer.yml"}
    assert assuming == {"preview"} and callers == set(DEPLOY_JOBS)
    assert with_token == assuming | callers
    assert {name for name, step in steps(deploy_layer) if "configure-aws-credentials" in step.get("uses", "")} == {
        name for name, job in deploy_layer["jobs"].items() if job["permissions"].get("id-token") == "write"} == {"up"}


@pytest.mark.parametrize("path", [WORKFLOW, DEPLOY_LAYER], ids=lambda p: p.name)
def test_actions_pinned_to_commit_shas_and_checkouts_keep_no_credentials(path):
    for name, step in steps(load(path.read_text())):
        if "uses" in step:
            assert _SHA_PIN.match(step["uses"]), f"{name}: {step['uses']} is not pinned to a full commit SHA"
        if "actions/checkout" in step.get("uses", ""):
            assert step.get("with", {}).get("persist-credentials") is False, f"{name}: persist-credentials: false"


@pytest.mark.parametrize("path", [WORKFLOW, DEPLOY_LAYER], ids=lambda p: p.name)
def test_no_expressions_in_run_scripts(path):
    """Template injection: values reach scripts through env, never spliced into the script text."""
    for name, step in steps(load(path.read_text())):
        assert "${{" not in step.get("run", ""), f"{name}: move the expression in `{step['run'][:40]}` to env"


def zizmor(path: Path) -> list[dict]:
    exe = shutil.which("zizmor", path=str(Path(sys.executable).parent)) or shutil.which("zizmor")
    if exe is None:
        pytest.fail("zizmor is not installed: pip install -r requirements-dev.txt")
    done = subprocess.run([exe, "--offline", "--min-severity", "medium", "--format", "json", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 11, 12, 13, 14), done.stderr  # 1x: findings of some severity; other: it broke
    return json.loads(done.stdout or "[]")


def test_zizmor_reports_no_medium_or_high_finding():
    findings = zizmor(WORKFLOW.parent)  # both workflows
    assert findings == [], [f["ident"] for f in findings]


def test_zizmor_catches_an_unpinned_action_and_persisted_credentials(tmp_path):
    """The zizmor test above can fail: the workflow with a tag-pinned checkout that keeps its token."""
    text = re.sub(r"actions/checkout@[0-9a-f]{40}.*", "actions/checkout@v4", WORKFLOW.read_text())
    text = text.replace("persist-credentials: false", "fetch-depth: 1")  # the default: keep the token
    broken = tmp_path / ".github" / "workflows" / "landing-zone.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(text)
    assert {"unpinned-uses", "artipacked"} <= {f["ident"] for f in zizmor(broken)}
