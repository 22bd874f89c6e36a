"""The pipeline's own guarantees, which the policy pack cannot see (docs/pipeline.md, the threat model).

A pull request runs its own code (tests, `lz check`, `pulumi preview` all execute it) and its own copy of these files,
so what protects the cloud rests on the roles' trusts and the environments; what these tests hold the workflows to:
no secret handed from a caller, every job's permissions the least it needs (a job running pull-request code writes
nothing but its OIDC token, and only behind an environment), previews behind their environment, the deploy in its
environment from main with the ESC environment pushed before `pulumi up` and hash-pinned runtime requirements.
Each property is a function returning its problems: the real files have none, and each broken copy has some.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bootstrap import roles

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "landing-zone.yml"
DEPLOY_LAYER = ROOT / ".github" / "workflows" / "deploy-layer.yml"
LOCAL_DEPLOY = "./.github/workflows/deploy-layer.yml"
DEPLOY_JOBS = {f"{env}-layer{n}": env for env in ("dev", "prod") for n in range(3)}
_SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
_ROLE_VARIABLE = re.compile(r"\bvars\.(AWS_\w*(?:ROLE|MANAGEMENT_ACCOUNT)\w*)")
_SECRET = re.compile(r"\bsecrets\.(\w+)")
# Every job's permissions, exactly: anything more is a finding, anything less breaks the job.
PERMISSIONS = {
    "test": {"contents": "read"},
    "policy-check": {"contents": "read"},
    "code-scanning": {"security-events": "write", "actions": "read"},
    "preview": {"contents": "read", "id-token": "write"},
    "preview-comment": {"pull-requests": "write"},
    "stacks": {"contents": "read"},
    **{name: {"contents": "read", "id-token": "write"} for name in DEPLOY_JOBS},
}


def load(text: str) -> dict:
    workflow = yaml.safe_load(text)
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads the `on` key as True
    return workflow


@pytest.fixture
def workflow() -> dict:
    return load(WORKFLOW.read_text())


@pytest.fixture
def deploy_layer() -> dict:
    return load(DEPLOY_LAYER.read_text())


def runs_on_pull_requests(job: dict) -> bool:
    """A job without a push-only `if` runs for pull requests (the workflow triggers on pull_request)."""
    return "github.event_name == 'push'" not in str(job.get("if", ""))


def role_variables(job: dict) -> set[str]:
    return set(_ROLE_VARIABLE.findall(json.dumps(job)))


def steps(workflow: dict):
    for name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield name, step


def script(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job.get("steps", []))


def runs_repository_code(job: dict) -> bool:
    """The job checks out the repository (then any `run:`, install or action may execute what the commit holds)."""
    return any("actions/checkout" in step.get("uses", "") for step in job.get("steps", []))


def writes(job: dict) -> set[str]:
    return {scope for scope, level in (job.get("permissions") or {}).items() if level == "write"}


# --- the properties -------------------------------------------------------------------------------------------------

def secret_problems(workflow: dict, deploy_layer: dict) -> list[str]:
    """No secret crosses a workflow_call, and a secret is read only by a job that declares an environment (so the
    secret can be an environment secret, out of reach of any other job and of any branch's workflow)."""
    problems = []
    if "secrets" in (deploy_layer["on"]["workflow_call"] or {}):
        problems.append("deploy-layer.yml declares workflow_call secrets: a caller would pass the deploy token")
    for document in (workflow, deploy_layer):
        for name, job in document["jobs"].items():
            if "secrets" in job:
                problems.append(f"job {name} passes secrets to {job.get('uses')}")
            used = set(_SECRET.findall(json.dumps(job)))
            if used and "environment" not in job:
                problems.append(f"job {name} reads {sorted(used)} without declaring an environment")
    token_jobs = {name for name, job in deploy_layer["jobs"].items() if "secrets.PULUMI_ACCESS_TOKEN" in json.dumps(job)}
    if token_jobs != {"up"} or deploy_layer["jobs"]["up"].get("environment") != "${{ inputs.environment }}":
        problems.append(f"PULUMI_ACCESS_TOKEN must be read by deploy-layer's `up` job in its environment: {token_jobs}")
    if "secrets.PULUMI_ACCESS_TOKEN" in json.dumps(workflow):
        problems.append("landing-zone.yml reads the deploy token")
    return problems


def permission_problems(workflow: dict, deploy_layer: dict) -> list[str]:
    """Every job's permissions exactly as PERMISSIONS; and the class: a job that runs pull-request code writes nothing
    but its OIDC token, which it gets only behind an environment."""
    problems = [f"{path.name}: top-level permissions must be {{}}"
                for path, doc in ((WORKFLOW, workflow), (DEPLOY_LAYER, deploy_layer)) if doc.get("permissions") != {}]
    for name, job in workflow["jobs"].items():
        if job.get("permissions") != PERMISSIONS.get(name):
            problems.append(f"job {name}: permissions {job.get('permissions')} != {PERMISSIONS.get(name)}")
        if runs_on_pull_requests(job) and runs_repository_code(job):
            extra = writes(job) - {"id-token"}
            if extra:
                problems.append(f"job {name} runs pull-request code with {sorted(extra)}: write; split the job")
            if "id-token" in writes(job) and "environment" not in job:
                problems.append(f"job {name} runs pull-request code with id-token: write outside an environment")
    if deploy_layer["jobs"]["up"].get("permissions") != {"contents": "read", "id-token": "write"}:
        problems.append(f"deploy-layer up: permissions {deploy_layer['jobs']['up'].get('permissions')}")
    return problems


def preview_problems(workflow: dict) -> list[str]:
    """The preview runs only in its `preview-<stack>` environment (required reviewers), which the preview role's trust
    names, with the pull request's config; its token is that environment's."""
    job = workflow["jobs"]["preview"]
    problems = []
    if job.get("environment") != "preview-${{ matrix.stack }}":
        problems.append(f"preview: environment {job.get('environment')!r}, want preview-${{{{ matrix.stack }}}}")
    for stack in job["strategy"]["matrix"]["stack"]:
        trust = roles.render("example-org/landing-zone", "111111111111", stack)[f"preview-{stack}-trust.json"]
        sub = json.dumps(trust["Statement"][0]["Condition"])
        if roles.preview_environment(stack) != f"preview-{stack}" or f":environment:preview-{stack}:" not in sub:
            problems.append(f"preview role of {stack} does not trust the preview-{stack} environment")
    if job["env"].get("PULUMI_ACCESS_TOKEN") != "${{ secrets.PULUMI_PREVIEW_ACCESS_TOKEN }}":
        problems.append("preview: PULUMI_ACCESS_TOKEN must be the preview environment's PULUMI_PREVIEW_ACCESS_TOKEN")
    text = script(job)
    if 'landing_zone config --stack "$STACK" --out' not in text or '--config-file' not in text:
        problems.append("preview: preview with the pull request's config (lz config --out, --config-file)")
    if not runs_on_pull_requests(job) or "github.event_name == 'pull_request'" not in job["if"]:
        problems.append("preview: pull requests only")
    return problems


def deploy_problems(workflow: dict, deploy_layer: dict) -> list[str]:
    """Deploys run on main only, in their environment, with their management account; layer 0 pushes the ESC
    environment first, in the same job (the deploy identity), before `pulumi up`; runtime requirements only, by hash."""
    problems = []
    for name, env in DEPLOY_JOBS.items():
        job = workflow["jobs"][name]
        if job.get("uses") != LOCAL_DEPLOY or job["with"]["environment"] != env:
            problems.append(f"{name}: must call deploy-layer.yml in environment {env}")
        if runs_on_pull_requests(job) or "refs/heads/main" not in job["if"]:
            problems.append(f"{name}: main only")
        if role_variables(job) != {f"AWS_MANAGEMENT_ACCOUNT_ID_{env.upper()}"}:
            problems.append(f"{name}: its own management account only: {role_variables(job)}")
        if (job["with"].get("push-environment") is True) != name.endswith("layer0"):
            problems.append(f"{name}: layer 0 (and only it) pushes the ESC environment")
    up = deploy_layer["jobs"]["up"]
    names = [step.get("name", step.get("uses", "")) for step in up["steps"]]
    runs = [step.get("run", "") for step in up["steps"]]
    push = [i for i, text in enumerate(runs) if "pulumi env edit" in text]
    deploy = [i for i, text in enumerate(runs) if re.search(r"\bpulumi up\b", text)]
    if len(push) != 1 or len(deploy) != 1 or push[0] > deploy[0]:
        problems.append(f"deploy-layer up: push the ESC environment, then `pulumi up` ({names})")
    elif up["steps"][push[0]].get("env", {}).get("PUSH") != "${{ inputs.push-environment }}" or \
            '[ "$PUSH" = true ] || exit 0' not in runs[push[0]] or \
            'landing_zone config --stack "$STACK" --environments' not in runs[push[0]]:
        problems.append("deploy-layer up: the push runs when push-environment is set, for the stack's environments")
    problems += install_problems("deploy-layer up", up)
    return problems


def install_problems(name: str, job: dict) -> list[str]:
    """A job holding a deploy credential (or choosing the deploy roles) installs from the hash-pinned locks only."""
    problems = []
    text = script(job)
    if "make " in text or "requirements-dev" in text:
        problems.append(f"{name}: installs the dev requirements (make / requirements-dev.txt)")
    installs = re.findall(r"pip install[^\n]*", text)
    if not installs:
        problems.append(f"{name}: installs nothing (the query found no pip install)")
    for line in installs:
        if "--require-hashes" not in line or not re.search(r"-r \S+\.lock\b", line):
            problems.append(f"{name}: `{line}` is not a --require-hashes install of a lock file")
    return problems


# --- the real files -------------------------------------------------------------------------------------------------

def test_no_secret_is_passed_from_a_caller_and_each_is_read_behind_an_environment(workflow, deploy_layer):
    assert secret_problems(workflow, deploy_layer) == []


def test_every_job_has_the_least_permissions_and_pull_request_code_writes_nothing(workflow, deploy_layer):
    assert set(PERMISSIONS) == set(workflow["jobs"]), "a new job: add its permissions to PERMISSIONS"
    assert permission_problems(workflow, deploy_layer) == []


def test_previews_run_behind_their_environment_with_the_pull_requests_config(workflow):
    assert preview_problems(workflow) == []


def test_deploys_push_the_esc_environment_before_up_and_install_by_hash(workflow, deploy_layer):
    assert deploy_problems(workflow, deploy_layer) == []
    assert install_problems("stacks", workflow["jobs"]["stacks"]) == []  # its matrices choose the deploy roles


# --- each property, broken once -------------------------------------------------------------------------------------

def _pass_token_from_caller(w, d):
    w["jobs"]["prod-layer0"]["secrets"] = {"PULUMI_ACCESS_TOKEN": "${{ secrets.PULUMI_ACCESS_TOKEN }}"}
    d["on"]["workflow_call"]["secrets"] = {"PULUMI_ACCESS_TOKEN": {"required": False}}


def _token_outside_environment(w, d):
    del d["jobs"]["up"]["environment"]


def _preview_token_without_environment(w, d):
    del w["jobs"]["preview"]["environment"]


def _inherit_secrets(w, d):
    w["jobs"]["dev-layer1"]["secrets"] = "inherit"


@pytest.mark.parametrize("breaks", [_pass_token_from_caller, _token_outside_environment,
                                    _preview_token_without_environment, _inherit_secrets])
def test_secret_problems_catch(breaks, workflow, deploy_layer):
    breaks(workflow, deploy_layer)
    assert secret_problems(workflow, deploy_layer)


def _sarif_from_the_check(w, d):
    w["jobs"]["policy-check"]["permissions"]["security-events"] = "write"


def _comment_from_the_preview(w, d):
    w["jobs"]["preview"]["permissions"]["pull-requests"] = "write"


def _write_in_a_job_that_checks_out(w, d):  # the class rule, past the table
    job = copy.deepcopy(w["jobs"]["preview-comment"])
    job["steps"].insert(0, {"uses": "actions/checkout@" + "0" * 40})
    w["jobs"]["preview-comment"] = job


def _oidc_outside_environment(w, d):
    del w["jobs"]["preview"]["environment"]


@pytest.mark.parametrize("breaks", [_sarif_from_the_check, _comment_from_the_preview, _write_in_a_job_that_checks_out,
                                    _oidc_outside_environment])
def test_permission_problems_catch(breaks, workflow, deploy_layer):
    breaks(workflow, deploy_layer)
    assert permission_problems(workflow, deploy_layer)


def _preview_without_environment(w):
    w["jobs"]["preview"]["environment"] = "prod"


def _preview_with_services_config(w):
    for step in w["jobs"]["preview"]["steps"]:
        if "run" in step:
            step["run"] = step["run"].replace("--config-file", "--diff")


def _preview_with_a_repository_secret(w):
    w["jobs"]["preview"]["env"]["PULUMI_ACCESS_TOKEN"] = "${{ secrets.PULUMI_ACCESS_TOKEN }}"


@pytest.mark.parametrize("breaks", [_preview_without_environment, _preview_with_services_config,
                                    _preview_with_a_repository_secret])
def test_preview_problems_catch(breaks, workflow):
    breaks(workflow)
    assert preview_problems(workflow)


def _up_before_push(w, d):
    up = d["jobs"]["up"]["steps"]
    push = next(i for i, s in enumerate(up) if "pulumi env edit" in s.get("run", ""))
    up.append(up.pop(push))


def _no_push(w, d):
    d["jobs"]["up"]["steps"] = [s for s in d["jobs"]["up"]["steps"] if "pulumi env edit" not in s.get("run", "")]


def _layer0_without_push(w, d):
    del w["jobs"]["prod-layer0"]["with"]["push-environment"]


def _push_on_every_layer(w, d):
    for step in d["jobs"]["up"]["steps"]:
        step["run"] = step.get("run", "").replace('[ "$PUSH" = true ] || exit 0', "")


def _dev_requirements(w, d):
    for step in d["jobs"]["up"]["steps"]:
        if "pip install" in step.get("run", ""):
            step["run"] = "make venv/.installed\n" + step["run"]


def _unhashed(w, d):
    for step in d["jobs"]["up"]["steps"]:
        step["run"] = step.get("run", "").replace("--require-hashes ", "")


def _deploy_from_a_branch(w, d):
    w["jobs"]["dev-layer0"]["if"] = w["jobs"]["dev-layer0"]["if"].replace("github.event_name == 'push'", "true")


@pytest.mark.parametrize("breaks", [_up_before_push, _no_push, _layer0_without_push, _push_on_every_layer,
                                    _dev_requirements, _unhashed, _deploy_from_a_branch])
def test_deploy_problems_catch(breaks, workflow, deploy_layer):
    breaks(workflow, deploy_layer)
    assert deploy_problems(workflow, deploy_layer)


# --- roles, order, pins ---------------------------------------------------------------------------------------------

def test_pull_request_jobs_use_only_the_preview_roles(workflow):
    pr_jobs = {name: job for name, job in workflow["jobs"].items() if runs_on_pull_requests(job)}
    assert "preview" in pr_jobs
    for name, job in pr_jobs.items():
        wrong = {v for v in role_variables(job) if not v.startswith("AWS_PREVIEW_ROLE_ARN_")}
        assert not wrong, f"job {name} runs for pull requests but references {sorted(wrong)}: use a preview role"
    assert role_variables(pr_jobs["preview"]) == {"AWS_PREVIEW_ROLE_ARN_DEV", "AWS_PREVIEW_ROLE_ARN_PROD"}


def test_the_roles_trust_exactly_the_workflow_files_that_assume_them(workflow, deploy_layer):
    """bootstrap's subjects name the file each role is assumed from; renaming a file must fail here, not at deploy."""
    assuming = {path.name for path, doc in ((WORKFLOW, workflow), (DEPLOY_LAYER, deploy_layer))
                for _, step in steps(doc) if "configure-aws-credentials" in step.get("uses", "")}
    assert assuming == {roles.PREVIEW_WORKFLOW, roles.DEPLOY_WORKFLOW}
    (credentials,) = [s for _, s in steps(deploy_layer) if "configure-aws-credentials" in s.get("uses", "")]
    assert "matrix.role" in credentials["with"]["role-to-assume"] and DEPLOY_LAYER.name == roles.DEPLOY_WORKFLOW
    assert {j["uses"] for j in workflow["jobs"].values() if "uses" in j} == {LOCAL_DEPLOY}


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
    for stack in ("DEV_STACK", "PROD_STACK"):
        assert f'landing_zone stacks --stack "${stack}" --github-matrix' in script(job)
    assert job["env"] == {"DEV_STACK": "${{ vars.LZ_DEV_STACK || 'dev' }}",
                          "PROD_STACK": "${{ vars.LZ_PROD_STACK || 'prod' }}"}  # single mode by default


def test_each_stack_assumes_its_own_role_in_its_environment_and_runs_the_pack(deploy_layer):
    job = deploy_layer["jobs"]["up"]
    assert job["environment"] == "${{ inputs.environment }}"
    assert job["strategy"] == {"fail-fast": False, "matrix": "${{ fromJSON(inputs.matrix) }}"}
    (credentials,) = [s for s in job["steps"] if "configure-aws-credentials" in s.get("uses", "")]
    assert credentials["with"]["role-to-assume"] == (
        "arn:aws:iam::${{ inputs.management-account-id }}:role/${{ matrix.role }}")
    up = " ".join(script(job).split())
    assert 'pulumi up --yes --non-interactive --stack "$STACK" --policy-pack policies ' \
           '--policy-pack-config policy-config.json' in up.replace("\\ ", "")


def test_self_managed_backends_skip_esc(workflow, deploy_layer):
    """LZ_CONFIG_SOURCE=plain: the stack files carry the config (lz stacks --write --plain); nothing is pushed to ESC
    and the preview uses the stack file itself."""
    up = deploy_layer["jobs"]["up"]
    (push,) = [s for s in up["steps"] if "pulumi env edit" in s.get("run", "")]
    text = push["run"]
    # not esc: nothing pushed, and a stack file that still imports an environment fails the deploy (fails closed)
    guard = text.index('if [ "$CONFIG_SOURCE" != esc ]')
    assert guard < text.index('[ -s environments.txt ]') < text.index("exit 1") < text.index("pulumi env edit")
    for job in (up, workflow["jobs"]["preview"]):
        assert job["env"]["CONFIG_SOURCE"] == "${{ vars.LZ_CONFIG_SOURCE || 'esc' }}"
        assert job["env"]["PULUMI_BACKEND_URL"] == "${{ vars.PULUMI_BACKEND_URL }}"
    preview = script(workflow["jobs"]["preview"])
    assert preview.index('if [ "$CONFIG_SOURCE" = esc ]') < preview.index("--environments)") < preview.index("exit 1")


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


def test_codeowners_cover_what_decides_who_deploys_what():
    owners = {}
    for line in (ROOT / ".github" / "CODEOWNERS").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            pattern, *teams = line.split()
            owners[pattern] = teams
    for path in ("/.github/", "/bootstrap/", "/policies/", "/policy-config.json", "/environments/",
                 "/requirements.lock"):
        assert owners.get(path), f"CODEOWNERS: no owner for {path}"


def zizmor(path: Path, *extra: str) -> list[dict]:
    exe = shutil.which("zizmor", path=str(Path(sys.executable).parent)) or shutil.which("zizmor")
    if exe is None:
        pytest.fail("zizmor is not installed: pip install -r requirements-dev.txt")
    done = subprocess.run([exe, "--offline", "--min-severity", "medium", "--format", "json", *extra, str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 11, 12, 13, 14), done.stderr  # 1x: findings of some severity; other: it broke
    assert "failed to parse" not in done.stderr, done.stderr  # an unparsable file is skipped, not reported
    return json.loads(done.stdout or "[]")


@pytest.mark.parametrize("persona", [(), ("--persona", "auditor")], ids=["regular", "auditor"])
def test_zizmor_reports_no_medium_or_high_finding(persona):
    findings = zizmor(WORKFLOW.parent, *persona)  # both workflows
    assert findings == [], [f["ident"] for f in findings]


def test_zizmor_catches_an_unpinned_action_and_persisted_credentials(tmp_path):
    """The zizmor test above can fail: the workflow with a tag-pinned checkout that keeps its token."""
    text = re.sub(r"actions/checkout@[0-9a-f]{40}.*", "actions/checkout@v4", WORKFLOW.read_text())
    text = text.replace("persist-credentials: false", "fetch-depth: 1")  # the default: keep the token
    broken = tmp_path / ".github" / "workflows" / "landing-zone.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(text)
    assert {"unpinned-uses", "artipacked"} <= {f["ident"] for f in zizmor(broken)}
