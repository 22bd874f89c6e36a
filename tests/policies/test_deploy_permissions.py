"""The deploy-permission proof (DEP-06..DEP-08, `lz permissions`): its table against the IAM catalogue and the shipped
plans, every stack of both modes permitted, and each fix of issue 21 removed once to watch `lz check` fail."""

from __future__ import annotations

import pytest
from lz_policies.deploy_proof import ACTIONS, Proof
from lz_policies.graph import Graph
from lz_policies.iam_eval import Request, Unsupported, condition_holds, evaluate_levels
from policy_sentry.querying.all import get_all_actions

import bootstrap.split
from landing_zone.check import run_check
from landing_zone.config import load_stack
from landing_zone.deploy_facts import config_facts
from landing_zone.stack_graph import organization_of
from landing_zone.stacks import graph, unadmitted_deploy_role
from tests.split_plans import split_plans
from tests.stack_plans import ROOT, full_plan

PACK = ROOT / "policies"
BASES = ("dev", "prod")


def test_every_action_of_the_table_is_in_the_iam_catalogue():
    catalogue = {a.lower() for a in get_all_actions()}
    names = [a for row in ACTIONS["resources"].values() for kind in ("create", "tag", "update") for a in row[kind]]
    names += [a for actions in ACTIONS["invokes"].values() for a in actions]
    assert len(names) > 300
    assert [a for a in names if a.lower() not in catalogue] == []


@pytest.mark.parametrize("base", BASES)
def test_every_type_and_invoke_of_the_shipped_plans_has_a_row(base):
    plans = [full_plan(base), *split_plans(base).values()]
    types = {r["type"] for p in plans for r in p["resources"] if r["type"].startswith("aws:")}
    tokens = {i["token"] for p in plans for i in p.get("invokes", [])}
    assert len(types) > 100 and tokens
    assert sorted(types - set(ACTIONS["resources"])) == []
    assert sorted(tokens - set(ACTIONS["invokes"])) == []


@pytest.mark.parametrize("base", BASES)
def test_every_stack_of_both_modes_is_permitted(base):
    plans = {base: full_plan(base), **split_plans(base)}
    for stack, plan in plans.items():
        rows = list(Proof(Graph(plan["resources"])).rows())
        assert {r.stack for r in rows} == {stack}
        assert {r.check for r in rows} >= {"assume", "guardrail"}, stack  # it proved something
        assert [r.message() for r in rows if not r.decision.allowed] == [], stack


def _check(stack: str, plan: dict, policy: str, facts: dict) -> list[str]:
    result = run_check(plan, PACK, {policy: {"deployFacts": facts}}, stack)
    return [v.message for v in result.mandatory if v.policy == policy]


def test_without_the_assumer_fix_check_fails_naming_principal_action_and_rcp():
    cfg = load_stack("prod", ROOT)
    single_only = [a for a in cfg.organization.access_role_assumers if "landing-zone-deploy/" not in a]
    assert single_only and single_only != cfg.organization.access_role_assumers
    broken = cfg.model_copy(update={"organization": cfg.organization.model_copy(
        update={"access_role_assumers": single_only})})
    facts = config_facts(broken, "prod", graph(broken, "prod"), split=True)
    messages = _check("prod.network", split_plans("prod")["prod.network"], "dep-06-role-assumptions-permitted", facts)
    assert messages
    assert all("role/landing-zone-deploy/landing-zone-deploy-prod.network" in m and "sts:AssumeRole" in m
               and "RCP data-perimeter#RestrictAccessRoleAssumption" in m for m in messages), messages
    assert unadmitted_deploy_role(broken, "prod.network", split=True)  # and `lz validate` refuses the config
    assert unadmitted_deploy_role(cfg, "prod.network", split=True) is None


def test_without_the_invoke_grant_check_fails_naming_principal_action_and_policy(monkeypatch):
    cfg = load_stack("prod", ROOT)
    assert bootstrap.split.own_invokes(cfg, graph(cfg, "prod")[2])  # prod-apps runs Aurora: granted
    monkeypatch.setattr(bootstrap.split, "own_invokes", lambda cfg, node: [])
    # as `lz check` runs: the facts come from the checked config and the code that renders the deploy roles
    result = run_check(split_plans("prod")["prod.prod-apps"], PACK, None, "prod.prod-apps", root=ROOT)
    messages = [v.message for v in result.mandatory if v.policy == "dep-07-own-credentials-permitted"]
    assert messages
    assert all("landing-zone-deploy-prod.prod-apps" in m and "secretsmanager:GetRandomPassword" in m
               and "deploy-prod.prod-apps-permissions" in m for m in messages), messages


def test_a_region_the_scps_deny_fails_the_guardrail_rule():
    cfg = load_stack("prod", ROOT)
    narrowed = cfg.model_copy(update={"organization": cfg.organization.model_copy(
        update={"allowed_regions": ["ap-south-1"]})})
    facts = config_facts(narrowed, "prod", graph(narrowed, "prod"), split=True)
    rows = [r for r in Proof(Graph(split_plans("prod")["prod.prod-data"]["resources"]), facts).rows()
            if not r.decision.allowed]
    assert rows and all(r.check == "guardrail" and "region-restriction" in r.decision.by for r in rows)


# --------------------------------------------------------------------------- the evaluator
def _req(**context) -> Request:
    return Request("arn:aws:iam::111111111111:role/x", "s3:PutObject", "arn:aws:s3:::b/k", context)


@pytest.mark.parametrize(("operator", "values", "context", "holds"), [
    ("StringNotEquals", ["a"], {}, True),  # negated, key absent: holds
    ("StringEquals", ["a"], {}, False),  # positive, key absent: does not
    ("StringEqualsIfExists", ["a"], {}, True),
    ("ForAllValues:StringLike", ["a*"], {}, True),
    ("ForAnyValue:StringEquals", ["a"], {}, False),
    ("ForAllValues:StringLike", ["a*"], {"k": ["ab", "b"]}, False),
    ("ForAnyValue:StringEquals", ["b"], {"k": ["a", "b"]}, True),
    ("ArnNotLike", ["arn:*:iam::*:role/x"], {"k": "arn:aws:iam::1:role/x"}, False),
    ("NumericLessThan", ["30"], {"k": "7"}, True),
    ("Bool", ["false"], {"k": True}, False),
    ("Null", ["true"], {}, True),
])
def test_condition_operators(operator, values, context, holds):
    assert condition_holds(operator, "k", values, _req(**context)) is holds


def test_the_resource_perimeter_compares_the_policy_variable_with_the_resource_organization():
    """data-protection's DenyWritesOutsideOrganization: `${aws:PrincipalOrgID}` takes the caller's organization."""
    perimeter = {"StringNotEqualsIfExists": {"aws:ResourceOrgID": "${aws:PrincipalOrgID}"}}
    ours = _req(**{"aws:PrincipalOrgID": "o-ours", "aws:ResourceOrgID": "o-ours"})
    theirs = _req(**{"aws:PrincipalOrgID": "o-ours", "aws:ResourceOrgID": "o-theirs"})
    outside = _req(**{"aws:PrincipalOrgID": "o-ours"})  # an account in no organization: the key is absent
    for request, denied in ((ours, False), (theirs, True), (outside, True)):
        (operator, keys), = perimeter.items()
        (key, value), = keys.items()
        assert condition_holds(operator, key, [value], request) is denied


def test_a_write_into_the_organization_passes_the_resource_perimeter():
    """The deploy's own writes (a secret's value in a member account) are inside the organization: the proof gives
    them the resource's organization, as AWS does for a member account's resources."""
    org = organization_of("prod", ROOT)
    facts = config_facts(org.cfg, org.base, org.nodes, org.split)
    rows = [r for r in Proof(Graph(full_plan("prod")["resources"]), facts).rows()
            if r.action == "secretsmanager:PutSecretValue"]
    assert rows and all(r.decision.allowed for r in rows), [r.decision.by for r in rows if not r.decision.allowed]


def test_an_unknown_operator_is_refused_not_guessed():
    with pytest.raises(Unsupported):
        condition_holds("DateLessThan", "k", ["2020-01-01"], _req(k="x"))


def test_scps_need_an_allow_at_every_level_and_no_deny():
    allow = ("FullAWSAccess", {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    deny = ("d", {"Statement": [{"Sid": "No", "Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}]})
    assert evaluate_levels([("root", [allow]), ("OU", [allow])], _req(), "SCP").allowed
    assert not evaluate_levels([("root", [allow]), ("OU", [])], _req(), "SCP").allowed  # FullAWSAccess detached
    decision = evaluate_levels([("root", [allow, deny]), ("OU", [allow])], _req(), "SCP")
    assert not decision.allowed and decision.by == "SCP d#No"


def test_lz_permissions_exit_codes(tmp_path):
    import copy
    import io
    import json

    from rich.console import Console

    from landing_zone import permissions

    def run(stack: str, plan: dict | str) -> tuple[int, str]:
        path = tmp_path / "plan.json"
        path.write_text(plan if isinstance(plan, str) else json.dumps(plan))
        text = io.StringIO()
        code = permissions.main(stack, ROOT, path, whole=False, every=False,
                                console=Console(file=text, width=400, highlight=False))
        return code, text.getvalue()

    plan = split_plans("prod")["prod.prod-apps"]
    assert run("prod.prod-apps", plan)[0] == 0
    broken = copy.deepcopy(plan)
    record = next(r for r in broken["resources"] if r["type"] == "aws:route53/record:Record")
    record["inputs"]["name"] = "elsewhere.example.org"  # not its edge's domain: the deploy policy refuses it
    code, text = run("prod.prod-apps", broken)
    assert code == 1
    assert "route53:ChangeResourceRecordSets" in text and "deploy-prod.prod-apps-permissions" in text
    assert run("prod.prod-apps", "not json")[0] == 2
    assert run("nowhere", plan)[0] == 2


@pytest.mark.parametrize(("stack", "kept"), [("prod.network", "landing-zone-deploy-prod"), ("prod", "landing-zone-deploy/")])
def test_lz_validate_refuses_a_deploy_role_the_rcp_would_deny(tmp_path, stack, kept):
    from typer.testing import CliRunner

    from landing_zone.cli import app
    from tests.split_plans import write_split_root

    def keep_one(values: dict) -> None:
        org = values["landing-zone:organization"]
        org["access_role_assumers"] = [a for a in org["access_role_assumers"] if kept in a]

    if stack == "prod":  # single mode: its stack file alone
        import yaml

        from landing_zone.config import stack_config

        values = stack_config("prod", ROOT)
        keep_one(values)
        (tmp_path / "Pulumi.prod.yaml").write_text(yaml.safe_dump({"config": values}, sort_keys=False))
    else:
        write_split_root("prod", tmp_path, keep_one)
    result = CliRunner().invoke(app, ["validate", "--stack", stack, "--root", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "organization.access_role_assumers: does not admit" in result.output
    assert "RestrictAccessRoleAssumption" in result.output and "Traceback" not in result.output


def test_the_merged_plan_attributes_each_call_to_its_stack_and_checks_the_attach_roles_trust():
    from landing_zone.graph_merge import merge_plans

    plans = split_plans("prod")
    rows = list(Proof(Graph(merge_plans(list(plans.values()), "prod")["resources"])).rows())
    assert rows and {r.stack for r in rows} == set(plans)  # never the base stack's single-mode identity
    attach = [r for r in rows if r.check == "assume" and "landing-zone-attach-" in r.target]
    assert attach and all(r.decision.allowed and not r.decision.reason for r in attach)  # trust from the plan
    assert not [r.message() for r in rows if not r.decision.allowed]
