"""Put a problem back into the real prod plan and see `lz check` catch it (gRPC path, the policy config CI uses).

The unbroken prod plan passes (tests/landing_zone/test_verdict.py), so every violation a broken copy gets is the
break's. Shared by the deploy-readiness and the security-finding tests.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator

from stack_plans import ROOT
from stack_plans import full_plan as plan_of

from landing_zone import check
from landing_zone.check_result import exit_code
from landing_zone.policy_config import load_policy_config

PACK = ROOT / "policies"


def named(plan: dict, name: str, type_: str | None = None) -> dict:
    """The resource called `name` (of `type_`: a component and a resource may share a name)."""
    return next(r for r in plan["resources"] if r["name"] == name and type_ in (None, r["type"]))


def set_state(resource: dict, key: str, value: object) -> None:
    """Stack policies see a resource's state (outputs), resource policies its inputs: change both."""
    resource["inputs"][key] = resource["outputs"][key] = value


def prod_pack() -> Iterator[check.PolicyPackProcess]:
    """One pack process for a module's checks of the prod plan (use as a module-scoped fixture)."""
    with check.PolicyPackProcess(PACK, check.pack_environment(plan_of("prod"), "prod", root=ROOT)) as started:
        yield started


def check_broken_prod(pack: check.PolicyPackProcess, breaks: Callable[[dict], str]) -> tuple[str, list]:
    """Check a copy of the prod plan broken by `breaks` (which returns the name of the resource it broke): that
    name and the mandatory violations, after asserting `lz check` would exit 1."""
    plan = copy.deepcopy(plan_of("prod"))
    name = breaks(plan)
    result = check.run_check(plan, PACK, load_policy_config(ROOT / "policy-config.json"), "prod", root=ROOT,
                             pack=pack)
    assert exit_code(result) == 1
    return name, result.mandatory


def assert_break_named(pack: check.PolicyPackProcess, breaks: Callable[[dict], str], rule: str, says: str) -> None:
    """The broken prod plan fails only `rule`, on the resource `breaks` broke, with `says` in its message."""
    name, found = check_broken_prod(pack, breaks)
    assert {v.policy[:len(rule)] for v in found} == {rule}, found
    hit = [v for v in found if v.name == name]
    assert hit, [v.name for v in found]
    assert says in hit[0].message
