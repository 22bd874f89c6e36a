"""Plans of the workloads section (tests/components/workloads_program) for the stacks and config variants.

Each distinct (stack, variant) is planned once per test session (functools.cache): planning is the slow part, the
assertions are cheap. Variants edit a copy of the stack's YAML (as a person would) and plan that.
"""

from __future__ import annotations

import functools
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import yaml

from landing_zone import plan as plan_mod
from landing_zone.config import load_stack

REPO_ROOT = Path(__file__).resolve().parents[2]
PROGRAM = Path(__file__).resolve().parent / "workloads_program" / "__main__.py"
ACCOUNTS_KEY = "landing-zone:accounts"


def _plan_config_dir(stack: str, root: Path) -> dict:
    load_stack(stack, root)  # the variant must still be a valid config
    config, secret_keys = plan_mod.read_stack_config(stack, root)
    return plan_mod.build_plan(plan_mod.run_program(PROGRAM, stack, config, secret_keys))


@functools.cache
def plan(stack: str) -> dict:
    return _plan_config_dir(stack, REPO_ROOT)


VARIANTS: dict[str, Callable[[list[dict]], None]] = {}


def variant(name: str):
    def register(edit: Callable[[list[dict]], None]):
        VARIANTS[name] = edit
        return edit
    return register


@variant("prod-data-without-workloads")
def _no_workloads(accounts: list[dict]) -> None:
    next(a for a in accounts if a["name"] == "prod-data").pop("workloads")


@variant("nonprod-apps-on-eks")
def _eks_instead_of_ecs(accounts: list[dict]) -> None:
    w = next(a for a in accounts if a["name"] == "nonprod-apps")["workloads"]
    w.pop("ecs")
    w["eks"] = {"node_groups": [{"name": "apps", "instance_types": ["t3.large"], "min_size": 1, "max_size": 3,
                                 "desired_size": 1}]}


@variant("no-data-hosts")
def _no_data_hosts(accounts: list[dict]) -> None:
    for a in accounts:
        a.get("workloads", {}).pop("data_hosts", None)


@functools.cache
def variant_plan(stack: str, name: str) -> dict:
    data = yaml.safe_load((REPO_ROOT / f"Pulumi.{stack}.yaml").read_text())
    VARIANTS[name](data["config"][ACCOUNTS_KEY])
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
        return _plan_config_dir(stack, Path(tmp))


# --- reading plans ------------------------------------------------------------------------------------------------


def of_type(p: dict, type_token: str, account: str | None = None) -> list[dict]:
    return [r for r in p["resources"] if r["type"] == type_token
            and (account is None or r["name"].startswith(f"{account}-"))]


def named(p: dict, name: str) -> dict:
    found = [r for r in p["resources"] if r["name"] == name]
    assert len(found) == 1, f"expected one resource named {name}, found {len(found)}"
    return found[0]


def account_names(p: dict, type_token: str) -> set[str]:
    """Accounts (by the `<account>-<region>-` name prefix) that have a resource of the type."""
    return {r["name"].split("-ap-")[0] for r in of_type(p, type_token)}


def doc(value) -> dict | list:
    return json.loads(value) if isinstance(value, str) else value


def secret_value(value):
    assert plan_mod.is_secret(value), f"expected a secret, got {value!r}"
    return value["value"]
