"""drift.yml: a scheduled, read-only refresh preview of every stack, behind its environment, reported by a job that
runs no repository code. The same properties as landing-zone.yml's (test_workflow.py), checked on this file."""

import json
import re

import pytest

from bootstrap import roles
from tests.pipeline.test_workflow import (
    _SECRET,
    _SHA_PIN,
    ROOT,
    load,
    runs_repository_code,
    script,
    steps,
    writes,
    zizmor,
)

DRIFT = ROOT / ".github" / "workflows" / roles.DRIFT_WORKFLOW
PERMISSIONS = {"drift": {"contents": "read", "id-token": "write"}, "notify": {"issues": "write"}}


@pytest.fixture
def drift() -> dict:
    return load(DRIFT.read_text())


def problems(doc: dict) -> list[str]:
    """Least permissions; secrets and the OIDC token only behind the drift environment; main only; the role is the
    drift role; every stack previewed with --refresh --expect-no-changes and nothing that writes."""
    found = [] if doc.get("permissions") == {} else ["top-level permissions must be {}"]
    if set(doc["on"]) != {"schedule", "workflow_dispatch"} or not doc["on"]["schedule"][0].get("cron"):
        found.append(f"triggers {sorted(doc['on'])}: a cron schedule (and manual runs) only")
    for name, job in doc["jobs"].items():
        if job.get("permissions") != PERMISSIONS.get(name):
            found.append(f"job {name}: permissions {job.get('permissions')} != {PERMISSIONS.get(name)}")
        secrets = set(_SECRET.findall(json.dumps(job)))
        if (secrets or "id-token" in writes(job)) and job.get("environment") != roles.DRIFT_ENVIRONMENT:
            found.append(f"job {name} reads {sorted(secrets)} / an OIDC token outside the drift environment")
        if runs_repository_code(job) and writes(job) - {"id-token"}:
            found.append(f"job {name} runs repository code with write permissions")
    job = doc["jobs"]["drift"]
    if job.get("if") != "github.ref == 'refs/heads/main'":
        found.append("drift: main only (the drift role trusts refs/heads/main)")
    roles_used = set(re.findall(r"vars\.(AWS_\w*ROLE\w*)", json.dumps(job)))
    if roles_used != {"AWS_DRIFT_ROLE_ARN_DEV", "AWS_DRIFT_ROLE_ARN_PROD"}:
        found.append(f"drift: assumes {sorted(roles_used)}, not the drift roles")
    text = " ".join(script(job).split())
    if "pulumi preview --stack \"$stack\" --refresh --expect-no-changes" not in text:
        found.append("drift: no `pulumi preview --refresh --expect-no-changes` per stack")
    if re.search(r"pulumi (up|refresh|destroy|import|state|stack rm)\b", text):
        found.append("drift: a pulumi command that writes")
    if "GITHUB_STEP_SUMMARY" not in text or job["env"].get("LZ_ACCESS_ROLE_NAME") != "landing-zone-preview":
        found.append("drift: job summary and the read-only member role")
    notify = doc["jobs"]["notify"]
    if runs_repository_code(notify) or notify.get("needs") != "drift" or "failure" not in notify.get("if", ""):
        found.append("notify: after a failed drift job, with no checkout")
    return found


def test_drift_is_scheduled_read_only_and_behind_its_environment(drift):
    assert problems(drift) == []


@pytest.mark.parametrize("breaks", [
    lambda d: d["jobs"]["drift"]["permissions"].update(contents="write"),
    lambda d: d["jobs"]["drift"].pop("environment"),
    lambda d: d["jobs"]["drift"].pop("if"),
    lambda d: d["on"].update(pull_request=None),
    lambda d: d["jobs"]["drift"]["env"].update(ROLE_ARN="${{ vars.AWS_PREVIEW_ROLE_ARN_PROD }}"),
    lambda d: d["jobs"]["drift"]["steps"][-2].update(run="pulumi refresh --yes --stack \"$stack\""),
    lambda d: d["jobs"]["notify"]["steps"].insert(0, {"uses": "actions/checkout@" + "0" * 40}),
    lambda d: d["jobs"]["notify"]["permissions"].update(contents="write"),
], ids=["write", "no-environment", "any-branch", "pull-request", "preview-role", "refresh-writes", "notify-checkout",
        "notify-writes"])
def test_the_checks_catch(breaks, drift):
    breaks(drift)
    assert problems(drift)


def test_the_drift_role_trusts_this_file_and_its_environment(drift):
    sub = roles.drift_subject("example-org/landing-zone")
    assert f"environment:{drift['jobs']['drift']['environment']}:" in sub
    assert sub.endswith(f".github/workflows/{DRIFT.name}@refs/heads/main")


def test_actions_pinned_checkouts_without_credentials_installs_hashed_no_expressions_in_scripts(drift):
    for name, step in steps(drift):
        if "uses" in step:
            assert _SHA_PIN.match(step["uses"]), f"{name}: {step['uses']}"
        if "actions/checkout" in step.get("uses", ""):
            assert step["with"]["persist-credentials"] is False
        assert "${{" not in step.get("run", ""), name
        if "pip install" in step.get("run", ""):
            assert "--require-hashes" in step["run"], name


@pytest.mark.parametrize("persona", [(), ("--persona", "auditor")], ids=["regular", "auditor"])
def test_zizmor_reports_nothing_medium_or_high(persona):
    assert zizmor(DRIFT, *persona) == []
