"""`__main__.py` validates its config itself (as under `pulumi up`) and registers nothing when it is invalid."""

import json
from pathlib import Path

import pytest

from landing_zone import plan
from landing_zone.mocks import LandingZoneMocks

ROOT = Path(__file__).resolve().parents[2]


class CountingMocks(LandingZoneMocks):
    def __init__(self):
        super().__init__(region="ap-south-1")
        self.registered: list[str] = []

    def new_resource(self, args):
        self.registered.append(args.typ)
        return super().new_resource(args)


def test_invalid_config_registers_nothing_and_names_the_field():
    config, secret_keys = plan.read_stack_config("prod", ROOT)
    accounts = json.loads(config["landing-zone:accounts"])
    accounts[7]["vpcs"]["ap-south-1"]["cidr"] = "10.1.16.0/20"  # overlaps prod-apps
    config["landing-zone:accounts"] = json.dumps(accounts)
    mocks = CountingMocks()
    with pytest.raises(Exception, match=r"accounts\[7\]\.vpcs\.ap-south-1\.cidr: 10\.1\.16\.0/20 overlaps"):
        plan.run_program(ROOT / "__main__.py", "prod", config, secret_keys, mocks=mocks)
    assert [t for t in mocks.registered if t != "pulumi:pulumi:Stack"] == []
