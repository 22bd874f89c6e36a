"""The split of SecurityBaseline into service components must not replace anything on an existing stack: every
resource that was a direct child of the baseline, and now lives under a service component, carries an alias to the
URN it had there (what the engine matches against the state), and the plan still has one resource per old URN."""

import pytest
from core_harness import stack_plan

BASELINE = "landing-zone:security:SecurityBaseline"


def urn_under(parent_urn: str, resource: dict) -> str:
    """The URN `resource` gets as a direct child of `parent_urn` (the plan's URN form: the parent's type, `$`, its own)."""
    return f"{parent_urn.rsplit('::', 1)[0]}${resource['type']}::{resource['name']}"


def services(plan: dict) -> dict[str, dict]:
    """The baseline's service components, by URN."""
    (baseline,) = [r for r in plan["resources"] if r["type"] == BASELINE]
    return {r["urn"]: r for r in plan["resources"] if r["parent"] == baseline["urn"]
            and r["type"].startswith("landing-zone:security:")}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_moved_resource_is_aliased_to_its_urn_under_the_baseline(stack):
    plan = stack_plan(stack)
    by_service = services(plan)
    assert len(by_service) == 9  # every service of the sample stacks is on
    moved = [r for r in plan["resources"] if r["parent"] in by_service]
    assert len(moved) > 200
    for r in moved:
        baseline_urn = by_service[r["parent"]]["parent"]
        assert r["options"].get("aliases") == [urn_under(baseline_urn, r)], r["urn"]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_old_urn_is_still_planned_or_the_alias_of_exactly_one_resource(stack):
    plan = stack_plan(stack)
    by_service = services(plan)
    urns = {r["urn"] for r in plan["resources"]}
    old_urns = [urn_under(by_service[r["parent"]]["parent"], r) if r["parent"] in by_service else r["urn"]
                for r in plan["resources"] if r["urn"] not in by_service]
    aliases = [a for r in plan["resources"] for a in r["options"].get("aliases", [])]
    assert len(old_urns) == len(set(old_urns))  # no two resources claim the same old URN
    for old in old_urns:
        assert (old in urns) != (aliases.count(old) == 1), old  # present, or the alias of exactly one resource
    assert not urns & set(aliases)  # an alias never names a resource that still exists


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_children_of_moved_components_move_with_them(stack):
    """A HardenedBucket moved under the log archive takes its children along: their URNs carry the whole new parent
    chain, as the engine computes them, and they declare no alias of their own: the engine derives their former URN
    from their parent's alias (the parent's former type chain + their own type and name)."""
    plan = stack_plan(stack)
    by_service = services(plan)
    buckets = {r["urn"]: r for r in plan["resources"] if r["type"] == "landing-zone:storage:HardenedBucket"
               and r["parent"] in by_service}
    assert len(buckets) == (5 if stack == "prod" else 3)  # prod: + the DR region's ELB log and access-log buckets
    children = [r for r in plan["resources"] if r["parent"] in buckets]
    assert children
    urns = {r["urn"] for r in plan["resources"]}
    for child in children:
        bucket = buckets[child["parent"]]
        assert child["urn"] == f"{bucket['urn'].rsplit('::', 1)[0]}${child['type']}::{child['name']}"
        assert not child["options"].get("aliases")
        [bucket_alias] = bucket["options"]["aliases"]
        derived = f"{bucket_alias.rsplit('::', 1)[0]}${child['type']}::{child['name']}"
        assert "landing-zone:security:SecurityBaseline$landing-zone:storage:HardenedBucket$" in derived
        assert derived not in urns  # the former URN is free: the engine renames, it does not collide
