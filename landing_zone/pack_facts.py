"""Facts the policy pack shares with landing_zone, generated into the pack (which never imports landing_zone).

`python -m landing_zone.pack_facts` writes policies/lz_policies/facts.json; tests/landing_zone/test_pack_facts.py
fails when the file is stale, so a change here reaches the pack in the same commit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, get_args

from landing_zone import baseline_controls
from landing_zone.log_delivery import ELB_ACCOUNT_IDS
from landing_zone.models import DEFAULT_REACHABILITY, DEFAULT_SEGMENTS, SEGMENT_OF_ENVIRONMENT, Environment
from landing_zone.regions import OPT_IN_REGIONS

ROOT = Path(__file__).resolve().parents[1]
FACTS_FILE = ROOT / "policies" / "lz_policies" / "facts.json"


def facts(root: Path = ROOT) -> dict[str, Any]:
    """What the pack must agree on with the program: environments, segments and their defaults, opt-in regions,
    the baseline the gate requires, ELB log accounts, and who each stack of the repository deploys as under which
    SCPs and RCPs (landing_zone/deploy_facts.py)."""
    from landing_zone.deploy_facts import repository_facts

    return {
        "environments": list(get_args(Environment)),
        "segments": list(DEFAULT_SEGMENTS),
        "segmentOfEnvironment": dict(SEGMENT_OF_ENVIRONMENT),
        "defaultReachability": {segment: list(peers) for segment, peers in DEFAULT_REACHABILITY.items()},
        "optInRegions": sorted(OPT_IN_REGIONS),
        "baseline": baseline_controls.facts(),  # REQ-01 to REQ-03: the validator's predicate, as data
        "elbLogDeliveryAccounts": sorted(ELB_ACCOUNT_IDS.values()),  # AWS's, granted ALB log delivery (IAM-10)
        "deploy": repository_facts(root),
    }


def render() -> str:
    return json.dumps(facts(), indent=2) + "\n"


def main() -> int:
    FACTS_FILE.write_text(render())
    print(f"wrote {FACTS_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
