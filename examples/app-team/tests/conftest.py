"""Run the app team's program under mocks whose StackReference answers with the landing zone's planned outputs.

The outputs are those of `lz plan --stack prod` of this repository: LZ_PLAN=<plan.json> reuses a plan file (the
main test suite passes one), otherwise the landing zone is planned here (a minute or two).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

EXAMPLE = Path(__file__).resolve().parents[1]
REPO = EXAMPLE.parents[1]
if str(REPO) not in sys.path:  # the landing_zone package (installed with `-e ../..` in a real project)
    sys.path.insert(0, str(REPO))

from landing_zone import plan as lz_plan  # noqa: E402
from landing_zone.contract import unwrap_secrets  # noqa: E402
from landing_zone.mocks import LandingZoneMocks  # noqa: E402
from landing_zone.plan_file import read_plan  # noqa: E402
from landing_zone.wire import is_secret  # noqa: E402

STACK_REFERENCE = "pulumi:pulumi:StackReference"


class StackReferenceMocks(LandingZoneMocks):
    """The landing-zone mocks, plus StackReference answered from a stack's outputs (secret names as the engine says)."""

    def __init__(self, outputs: Mapping[str, Any], secret_names: list[str], **kwargs):
        super().__init__(**kwargs)
        self.stack_outputs, self.secret_names = dict(outputs), secret_names
        self.references: list[str] = []

    def new_resource(self, args):
        if args.typ == STACK_REFERENCE:
            name = args.inputs.get("name") or args.name
            self.references.append(name)
            return name, {"name": name, "outputs": self.stack_outputs, "secretOutputNames": self.secret_names}
        return super().new_resource(args)


def plain_outputs(plan_outputs: Mapping[str, Any]) -> tuple[dict, list[str]]:
    """Stack outputs as a StackReference receives them: values in clear, secret ones named."""
    secret = sorted(k for k, v in plan_outputs.items() if is_secret(v))
    return {k: unwrap_secrets(v) for k, v in plan_outputs.items()}, secret


def plan_file(value: str) -> Path:
    """LZ_PLAN as given (relative to the directory pytest runs in); a missing file stops the session naming it."""
    path = Path(value)
    if not path.is_file():
        pytest.exit(f"LZ_PLAN={value}: no such file ({path.resolve()}); from the repository root `make plan "
                    f"STACK=prod` writes out/prod/plan.json, i.e. LZ_PLAN=../../out/prod/plan.json from {EXAMPLE.name}/",
                    returncode=2)
    return path


@pytest.fixture(scope="session")
def landing_zone_outputs() -> dict:
    path = os.environ.get("LZ_PLAN")
    plan = read_plan(plan_file(path)) if path else lz_plan.run_plan("prod", REPO)
    assert plan["outputs"].get("contract_version"), "the landing-zone plan has no contract outputs"
    return plan["outputs"]


def run_example(outputs: Mapping[str, Any], config: Mapping[str, Any] | None = None) -> tuple[dict, StackReferenceMocks]:
    """Plan the example program (as `pulumi preview` would see it) against these landing-zone outputs."""
    plain, secret = plain_outputs(outputs)
    mocks = StackReferenceMocks(plain, secret, region="ap-south-1")
    values = lz_plan.encode_config({"aws:region": "ap-south-1", **(config or {})}, project="app-team")
    monitor = lz_plan.run_program(EXAMPLE / "__main__.py", "prod", values, [], project="app-team", mocks=mocks)
    return lz_plan.build_plan(monitor), mocks


@pytest.fixture
def run_app() -> Callable[..., tuple[dict, StackReferenceMocks]]:
    return run_example
