"""Issue 23's held-out corpus (tests/fixtures/pack/corpus.json): insecure resources of every class the pack judges
(public access, access outside the organization, data stores, secrets, general rules), of other types or values
than the rules' own cases, appended to the prod plan and checked by the real pack over the Analyzer gRPC protocol."""

from pathlib import Path

import pytest
from corpus import catch_report, corpus, with_corpus
from stack_plans import full_plan

from landing_zone import check
from landing_zone.check_result import exit_code
from landing_zone.policy_config import load_policy_config

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "policies"
TARGET = 0.95


@pytest.fixture(scope="module")
def prod():
    return full_plan("prod")


CONFIG = load_policy_config(ROOT / "policy-config.json")  # what `lz check` passes by default


def _check(plan):
    return check.run_check(plan, PACK, CONFIG, "prod", ROOT).violations


def test_the_corpus_covers_every_class_with_enough_resources():
    entries = corpus()
    assert len(entries) >= 30
    assert {"public", "outside", "data-store", "secret", "iam", "password", "config", "dns", "network"} <= {
        e["class"] for e in entries}
    assert len({e["type"] for e in entries}) >= 30  # classes, not one type per rule


def test_the_pack_catches_the_held_out_corpus_on_the_prod_plan(prod):
    assert exit_code(check.run_check(prod, PACK, CONFIG, "prod", ROOT)) == 0  # the shipped plan is clean
    caught, missed = catch_report(prod, _check)
    rate = len(caught) / (len(caught) + len(missed))
    assert rate >= TARGET, f"caught {len(caught)}/{len(caught) + len(missed)}; missed {missed}"


def test_a_corpus_resource_made_compliant_is_not_reported(prod):
    """The catch is the resource's flaw, not its type: the same resource without the flaw passes."""
    fixed = [{**e, "inputs": {**e["inputs"], "authorizationType": "AWS_IAM"}} for e in corpus()
             if e["name"] == "corpus-url-none"]
    plan, by_urn = with_corpus(prod, fixed)
    assert by_urn
    # DEP-07/08 ask every type the landing zone deploys for a row of deploy actions (deploy_actions.json): a corpus
    # type the program never creates has none, which is the proof's table, not the resource's flaw
    assert not [v for v in _check(plan) if v.urn in by_urn and v.enforcement == "mandatory"
                and "deploy_actions.json" not in v.message]
