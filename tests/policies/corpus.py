"""The held-out corpus of issue 23 (tests/fixtures/pack/corpus.json) appended to a plan, and what the pack catches.

Each corpus resource goes into the plan through the provider of a prod workload account (so environment-aware rules
judge it as prod); "@vpc:<environment>" in its inputs becomes the id of a VPC of that environment (with the property
dependency the engine would record). A resource is caught when a mandatory violation of its expected policy names it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "pack" / "corpus.json"
PROVIDER = "pulumi:providers:aws"


def corpus() -> list[dict]:
    return json.loads(CORPUS.read_text())["resources"]


def _tags(provider: Mapping[str, Any]) -> dict:
    tags = provider.get("inputs", {}).get("defaultTags") or "{}"
    return (json.loads(tags) if isinstance(tags, str) else tags).get("tags", {})


def with_corpus(plan: Mapping[str, Any], entries: Iterable[dict] | None = None) -> tuple[dict, dict[str, dict]]:
    """(a copy of `plan` with the corpus appended, {urn: corpus entry})."""
    plan = copy.deepcopy(plan)
    providers = [r for r in plan["resources"] if r["type"] == PROVIDER]
    env_of = {p["urn"]: _tags(p).get("environment") for p in providers}
    provider = next(p for p in providers if _tags(p).get("environment") == "prod")
    vpcs = {}
    for r in plan["resources"]:
        if r["type"] == "aws:ec2/vpc:Vpc":
            vpcs.setdefault(env_of.get(r["provider"].rsplit("::", 1)[0]), r)
    by_urn = {}
    for entry in entries if entries is not None else corpus():
        deps: dict[str, list[str]] = {}
        inputs = {}
        for key, value in entry["inputs"].items():
            if isinstance(value, str) and value.startswith("@vpc:"):
                vpc = vpcs[value.split(":", 1)[1]]
                value, deps[key] = vpc["id"], [vpc["urn"]]
            inputs[key] = value
        urn = f"urn:pulumi:{plan['stack']}::{plan['project']}::{entry['type']}::{entry['name']}"
        plan["resources"].append({
            "urn": urn, "type": entry["type"], "name": entry["name"], "custom": True, "parent": "",
            "provider": f"{provider['urn']}::{provider['id']}", "dependencies": sorted({u for v in deps.values() for u in v}),
            "property_dependencies": deps, "protect": False, "inputs": inputs, "id": f"{entry['name']}-id",
            "outputs": inputs})
        by_urn[urn] = entry
    return plan, by_urn


def catch_report(plan: Mapping[str, Any], analyze: Callable[[dict], list]) -> tuple[list, list]:
    """([(name, [policies])] caught, [names] missed) of the corpus appended to `plan`. `analyze(plan)` returns
    violations with .urn, .policy (or .policyName) and .enforcement (or .enforcementLevel)."""
    full, by_urn = with_corpus(plan)
    found: dict[str, set[str]] = {}
    for v in analyze(full):
        policy = getattr(v, "policy", None) or getattr(v, "policyName", "")
        level = getattr(v, "enforcement", None) or ("mandatory" if getattr(v, "enforcementLevel", 0) == 1 else "")
        if v.urn in by_urn and level == "mandatory":
            found.setdefault(v.urn, set()).add(policy)
    caught = [(e["name"], sorted(found[u])) for u, e in by_urn.items()
              if any(p.startswith(e["expect"]) for p in found.get(u, ()))]
    missed = [e["name"] for u, e in by_urn.items() if not any(p.startswith(e["expect"]) for p in found.get(u, ()))]
    return caught, missed
