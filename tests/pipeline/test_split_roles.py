"""The roles of a split organization (bootstrap/split.py): an account stack's roles act only in its account and on its
own hub attachment; the network stack's only in the network account."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from bootstrap import roles
from bootstrap.split import OWN_INVOKES
from landing_zone.config import stack_config

ROOT = Path(__file__).resolve().parents[2]
REPO, BUCKET = "example-org/landing-zone", "example-pulumi-state"
PROD = stack_config("prod", ROOT)  # resolved from its ESC environment
ACCOUNTS = PROD["landing-zone:accounts"]
IDS = {a["name"]: f"{900000000000 + i:012d}" for i, a in enumerate(ACCOUNTS)}
WORKLOADS = [a["name"] for a in ACCOUNTS if a.get("role", "workload") == "workload"]
MANAGEMENT = PROD["landing-zone:organization"]["management_account_id"]
ACCESS_ROLE = "OrganizationAccountAccessRole"
ZONE = f"arn:aws:route53:::hostedzone/{PROD['landing-zone:network']['dns']['zone_id']}"
AURORA = {a["name"]: bool(a.get("workloads", {}).get("aurora")) for a in ACCOUNTS}
EDGES = {a["name"]: a["workloads"]["edge"]["domain_name"] for a in ACCOUNTS if a.get("workloads", {}).get("edge")}


def split_prod(tmp_path: Path, assumers: list[str] | None = None) -> Path:
    doc = {"config": copy.deepcopy(PROD)}
    doc["config"]["landing-zone:stack"] = "organization"
    if assumers is not None:
        doc["config"]["landing-zone:organization"]["access_role_assumers"] = assumers
    (tmp_path / "Pulumi.prod.organization.yaml").write_text(yaml.safe_dump(doc))
    (tmp_path / "ids.json").write_text(json.dumps({name: {"id": i} for name, i in IDS.items()}))  # contract shape
    return tmp_path


def render(tmp_path: Path, *extra: str, assumers: list[str] | None = None) -> tuple[int, dict[str, dict]]:
    root = split_prod(tmp_path, assumers)
    out = tmp_path / "policies"
    code = roles.main(["--repository", REPO, "--organization-stack", "prod.organization", "--config-root", str(root),
                       "--state-bucket", BUCKET, "--out", str(out), *extra])
    return code, {p.name: json.loads(p.read_text()) for p in out.glob("*.json")}


def allows(document: dict) -> list[tuple[str, str]]:
    """(action, resource) of every Allow statement."""
    pairs = []
    for statement in document["Statement"]:
        if statement["Effect"] != "Allow":
            continue
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        pairs += [(a, r) for a in actions for r in resources]
    return pairs


@pytest.mark.parametrize("account", WORKLOADS)
def test_an_account_stacks_deploy_role_acts_only_in_its_account_and_on_its_attachment(tmp_path, account):
    code, documents = render(tmp_path, "--account-ids", str(tmp_path / "ids.json"))
    assert code == 0
    stack = f"prod.{account}"
    own_state = f"arn:aws:s3:::{BUCKET}/.pulumi/"
    for action, resource in allows(documents[f"deploy-{stack}-permissions.json"]):
        if action == "sts:AssumeRole":
            assert resource in {f"arn:aws:iam::{IDS[account]}:role/{ACCESS_ROLE}",
                                f"arn:aws:iam::{IDS['network']}:role/landing-zone-attach-{account}"}, resource
        elif action in ("s3:PutObject", "s3:DeleteObject"):
            assert resource.startswith(own_state) and f"/landing-zone/{stack}" in resource, resource
        elif action == "s3:GetObject":
            readable = (stack, "prod.organization", "prod.network")
            assert resource.startswith(own_state) and any(f"/landing-zone/{s}" in resource for s in readable) \
                or resource == f"{own_state}meta.yaml", resource
        elif action.startswith("route53:"):  # its edge's records in the management account's zone
            assert EDGES.get(account) and resource in (ZONE, "arn:aws:route53:::change/*", "*"), (action, resource)
            assert resource != "*" or "HealthCheck" in action or action.endswith("TagsForResource"), action
        elif action in OWN_INVOKES:  # the Aurora bootstrap password, made with its own credentials (no resource)
            assert resource == "*" and AURORA.get(account), (action, account)
        else:
            assert (action, resource) == ("s3:ListBucket", f"arn:aws:s3:::{BUCKET}"), (action, resource)
    assumed = {r for a, r in allows(documents[f"deploy-{stack}-permissions.json"]) if a == "sts:AssumeRole"}
    assert len(assumed) == 2


def test_the_network_stack_assumes_only_the_network_accounts_access_role(tmp_path):
    _, documents = render(tmp_path, "--account-ids", str(tmp_path / "ids.json"))
    assumed = {r for a, r in allows(documents["deploy-prod.network-permissions.json"]) if a == "sts:AssumeRole"}
    assert assumed == {f"arn:aws:iam::{IDS['network']}:role/{ACCESS_ROLE}"}


def test_every_role_of_the_organization_trusts_its_github_environment_not_the_stack_name(tmp_path):
    _, documents = render(tmp_path, "--account-ids", str(tmp_path / "ids.json"))
    deploy_trusts = {n: d for n, d in documents.items() if n.startswith("deploy-") and n.endswith("-trust.json")}
    assert len(deploy_trusts) == 2 + len(WORKLOADS)
    for document in deploy_trusts.values():
        (statement,) = document["Statement"]
        assert statement["Condition"]["StringEquals"][f"{roles.ISSUER}:sub"] == roles.subject(REPO, "prod")
        assert ":environment:prod:ref:refs/heads/main:job_workflow_ref:" in roles.subject(REPO, "prod")
        assert statement["Principal"]["Federated"].startswith(f"arn:aws:iam::{MANAGEMENT}:")
    assert "deploy-prod.organization-permissions.json" not in documents  # AdministratorAccess, as in single mode


def test_a_split_organization_previews_through_one_read_only_role_as_in_single_mode(tmp_path):
    code, documents = render(tmp_path, "--account-ids", str(tmp_path / "ids.json"))
    assert code == 0
    assert sorted(n for n in documents if n.startswith("preview-")) == ["preview-prod-permissions.json",
                                                                         "preview-prod-trust.json"]
    assert documents["preview-prod-permissions.json"] == roles.preview_permissions(BUCKET)
    assert documents["preview-prod-trust.json"] == roles.render(REPO, MANAGEMENT, "prod")["preview-prod-trust.json"]
    assert documents["github-oidc-subject.json"] == roles.subject_template()

def test_accounts_without_an_id_yet_are_pending_not_rendered_with_a_guess(tmp_path, capsys):
    code, documents = render(tmp_path)
    assert code == 0
    assert not any(name.startswith(f"deploy-prod.{WORKLOADS[0]}") for name in documents)
    assert "deploy-prod.organization-trust.json" in documents
    assert "pending (account id unknown" in capsys.readouterr().err


def test_an_rcp_that_would_stop_the_deploy_roles_is_refused_and_the_path_pattern_admits_them(tmp_path, capsys):
    single_only = [f"arn:aws:iam::{MANAGEMENT}:role/landing-zone-deploy-prod"]
    code, _ = render(tmp_path, "--account-ids", str(tmp_path / "ids.json"), assumers=single_only)
    assert code == 2
    assert "organization.access_role_assumers: does not admit" in capsys.readouterr().err
    code, _ = render(tmp_path, "--account-ids", str(tmp_path / "ids.json"),
                     assumers=[f"arn:aws:iam::{MANAGEMENT}:role/landing-zone-deploy/*"])
    assert code == 0
    assert "does not admit" not in capsys.readouterr().err


@pytest.mark.parametrize(("args", "field"), [
    (["--organization-stack", "prod"], "--organization-stack: prod has no `landing-zone:stack`"),
    (["--organization-stack", "prod.nowhere"], "--organization-stack:"),
])
def test_bad_split_input_names_the_option_and_exits_2(args, field, tmp_path, capsys):
    code = roles.main(["--repository", REPO, *args, "--config-root", str(ROOT), "--out", str(tmp_path / "out")])
    assert code == 2 and field in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_bad_account_ids_name_the_option(tmp_path, capsys):
    (tmp_path / "bad.json").write_text(json.dumps({"prod-apps": "12"}))
    code, _ = render(tmp_path, "--account-ids", str(tmp_path / "bad.json"))
    assert code == 2 and "--account-ids" in capsys.readouterr().err


def test_an_account_stack_writes_only_its_own_names_in_the_management_accounts_zone(tmp_path):
    _, documents = render(tmp_path, "--account-ids", str(tmp_path / "ids.json"))
    account, domain = next(iter(EDGES.items()))
    [change] = [st for st in documents[f"deploy-prod.{account}-permissions.json"]["Statement"]
                if st.get("Action") == "route53:ChangeResourceRecordSets"]
    names = change["Condition"]["ForAllValues:StringLike"]["route53:ChangeResourceRecordSetsNormalizedRecordNames"]
    assert change["Resource"] == ZONE and names == [domain, f"_*.{domain}"]
    others = [a for a in WORKLOADS if a not in EDGES]
    assert others and not any(a.startswith("route53:") for a, _ in allows(
        documents[f"deploy-prod.{others[0]}-permissions.json"]))
