"""The pack's facts.json is generated from landing_zone (the pack never imports it): a stale file fails here."""

import json

from landing_zone.models import DEFAULT_REACHABILITY
from landing_zone.pack_facts import FACTS_FILE, render
from landing_zone.regions import OPT_IN_REGIONS


def test_pack_facts_are_current():
    assert FACTS_FILE.read_text() == render(), "run: venv/bin/python -m landing_zone.pack_facts"


def test_pack_facts_carry_what_the_pack_would_otherwise_copy():
    facts = json.loads(render())
    assert set(facts["optInRegions"]) == set(OPT_IN_REGIONS)
    assert facts["defaultReachability"] == DEFAULT_REACHABILITY
