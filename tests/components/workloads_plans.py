"""Plans of the workloads section (tests/components/workloads_program) for the stacks and config variants.

A partial program on purpose: it exports each Workloads composite's `exports()` (the full program exports the
contract instead) and gives the workloads stand-in VPC and log-archive handles. Each distinct (stack, variant) is
planned once per test session (functools.cache); variants go through tests/stack_plans.variant_plan (a copy of the
stack's YAML, edited as a person would, planned from a temp dir).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path

import stack_plans

from landing_zone import plan as plan_mod

REPO_ROOT = Path(__file__).resolve().parents[2]
PROGRAM = Path(__file__).resolve().parent / "workloads_program" / "__main__.py"
ACCOUNTS_KEY = "landing-zone:accounts"


def _plan_config_dir(stack: str, root: Path) -> dict:
    return stack_plans.plan_stack_file(stack, root, PROGRAM)


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
    for repository in w["deployment"]["repositories"]:  # on EKS a repository deploys to its namespace
        repository.pop("services", None)


@variant("no-data-hosts")
def _no_data_hosts(accounts: list[dict]) -> None:
    for a in accounts:
        a.get("workloads", {}).pop("data_hosts", None)


@variant("prod-apps-images-published")
def _images_published(accounts: list[dict]) -> None:
    """The pipeline has pushed an image for every service of prod-apps and the config names its tag."""
    for service in next(a for a in accounts if a["name"] == "prod-apps")["workloads"]["ecs"]["services"]:
        service["image_tag"] = "1.4.2"


@variant("prod-data-eks-admins")
def _eks_admins(accounts: list[dict]) -> None:
    """Identity Center's administrator role, provisioned by an earlier run, given cluster admin by its exact ARN."""
    next(a for a in accounts if a["name"] == "prod-data")["workloads"]["eks"]["admin_role_arns"] = [
        "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/ap-south-1/AWSReservedSSO_AdministratorAccess_0a1b2c3d4e5f6a7b"]


@functools.cache
def variant_plan(stack: str, name: str) -> dict:
    return stack_plans.variant_plan(stack, lambda config: VARIANTS[name](config[ACCOUNTS_KEY]), PROGRAM)


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
