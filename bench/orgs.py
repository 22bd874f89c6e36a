"""Generate valid organizations of any size, for benchmarks: the prod stack's core plus N workload accounts.

Written like the repository's stacks: the config in an ESC environment file, a stack file importing it."""

from __future__ import annotations

import copy
import ipaddress
from pathlib import Path

import yaml

from landing_zone.config import stack_config
from landing_zone.environments import ENVIRONMENTS_DIR, environment_definition

ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENTS = [("prod", "Prod"), ("nonprod", "NonProd"), ("sandbox", "Sandbox")]


def generate_stack(workload_accounts: int, with_workloads: bool = False) -> dict:
    """The prod stack's config (``{"config": ...}``) with its workload accounts replaced by ``workload_accounts``
    generated ones.

    Each gets a /20 VPC carved in order from 10.64.0.0/10 (room for 1024), so appending never moves a range.
    """
    doc = {"config": copy.deepcopy(stack_config("prod", ROOT))}
    config = doc["config"]
    core = [a for a in config["landing-zone:accounts"] if a.get("role", "workload") != "workload"]
    pool = ipaddress.IPv4Network("10.64.0.0/10").subnets(new_prefix=20)
    accounts = []
    for i in range(workload_accounts):
        env, ou = ENVIRONMENTS[i % len(ENVIRONMENTS)]
        account = {
            "name": f"{env}-app-{i:04d}",
            "email": f"aws+{env}-app-{i:04d}@example.com",
            "ou": ou,
            "environment": env,
            "vpcs": {"ap-south-1": {"cidr": str(next(pool)), "azs": 3 if env == "prod" else 2}},
        }
        if with_workloads:
            account["workloads"] = {"ecs": {"services": [{"name": "api"}]}, "queues": [{"name": "events"}],
                                    "monitoring": {}}  # fmt: skip
        accounts.append(account)
    config["landing-zone:accounts"] = core + accounts
    config["landing-zone:identity"]["assignments"] = [
        a for a in config["landing-zone:identity"]["assignments"] if not a.get("accounts")
    ]
    config["landing-zone:network"]["direct_connect"]["accounts"] = []
    budgets = config.get("landing-zone:cost", {}).get("budgets", {})  # the generated accounts get the default
    for name in [n for n in budgets if n not in {"management", *(a["name"] for a in core)}]:
        del budgets[name]
    return doc


def write_stack(doc: dict, root: Path, stack: str) -> Path:
    """`Pulumi.<stack>.yaml` importing the ESC environment `bench/<stack>`, written next to it with doc's config."""
    environment = root / ENVIRONMENTS_DIR / "bench" / f"{stack}.yaml"
    environment.parent.mkdir(parents=True, exist_ok=True)
    environment.write_text(yaml.safe_dump(environment_definition(doc["config"]), sort_keys=False))
    path = root / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump({"environment": [f"bench/{stack}"]}, sort_keys=False))
    return path
