"""From one stack to many: the `pulumi` commands that split a single-stack organization, computed from the plans.

Every stack of the split organization takes its resources out of the single stack with `pulumi state move` (the
organization stack last: it takes what is left), then the emptied single stack is removed. Split mode builds every
resource with the URN it has in single mode (same components, names and parents; only the stack part differs) and
aliases the providers it creates at the top level to the Organization component's, so after the moves a preview finds
every cloud resource where the program declares it. Which resources go where comes from the offline plans of both
modes (`moves`); `lz stacks --stack S --migrate` prints the steps and tests/landing_zone/test_split_mode.py plans them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from landing_zone.graph_merge import STACK_REFERENCE, UrnMap, is_provider


@dataclass(frozen=True)
class Move:
    dest: str
    urns: tuple[str, ...]  # in the organization stack's naming; children and (--include-parents) parents follow


def _moved_kinds(record: Mapping[str, Any]) -> bool:
    """The cloud resources a stack owns: not its providers (copied by state move), components or references."""
    return record.get("custom", True) and not is_provider(record["urn"]) and record["type"] != STACK_REFERENCE


def moves(single: Mapping[str, Any], split: Mapping[str, Mapping[str, Any]], base: str) -> tuple[list[Move], list[str]]:
    """(the moves out of the single stack `base`, the organization stack's last; the single plan's resources that no
    split stack declares). `split`: stack -> plan, in graph order."""
    project = single["project"]
    declared = {stack: {UrnMap(project, stack, base)(r["urn"]) for r in plan["resources"] if _moved_kinds(r)}
                for stack, plan in split.items()}
    components = {stack: {UrnMap(project, stack, base)(r["urn"]) for r in plan["resources"] if _component(r)}
                  for stack, plan in split.items()}
    shared = {u for u, n in Counter(u for urns in components.values() for u in urns).items() if n > 1}  # in >1 stack
    parents = {r["urn"]: r.get("parent") or "" for r in single["resources"]}
    owned = [r["urn"] for r in single["resources"] if _moved_kinds(r)]
    unplaced = [u for u in owned if not any(u in urns for urns in declared.values())]
    order = [s for s in split if not s.endswith(".organization")] + [s for s in split if s.endswith(".organization")]
    result = []
    for stack in order:
        mine = {u for u in owned if u in declared[stack]} | (components[stack] - shared)
        top = [r["urn"] for r in single["resources"]  # a component of one stack moves with all its children
               if r["urn"] in mine and not _has_ancestor_in(r["urn"], mine, parents)]
        result.append(Move(stack, tuple(top)))
    return result, unplaced


def _component(record: Mapping[str, Any]) -> bool:
    return not record.get("custom", True) and record["type"] != "pulumi:pulumi:Stack"


def _has_ancestor_in(urn: str, chosen: set[str], parents: Mapping[str, str]) -> bool:
    parent = parents.get(urn, "")
    while parent:
        if parent in chosen:
            return True
        parent = parents.get(parent, "")
    return False


def commands(base: str, planned_moves: list[Move]) -> list[str]:
    """The shell steps, in order (with the deploy credentials, after a backup of the state)."""
    steps = [f"pulumi stack export --stack {base} --file {base}-before-split.json   # a backup of the state",
             f"lz stacks --stack {base} --write   # the split stacks' files, each with its landing-zone:stack"]
    for move in planned_moves:
        steps.append(f"pulumi stack init {move.dest}")
        urns = " \\\n    ".join(f"'{u}'" for u in move.urns)
        steps.append(f"pulumi state move --source {base} --dest {move.dest} --include-parents --yes \\\n    {urns}")
    steps.append(f"pulumi stack rm {base}   # only once `pulumi stack --stack {base} --show-urns` lists nothing "
                 "but the stack itself")
    steps.append(f"lz check --stack {base}.organization --all   # then `pulumi preview` every stack: no replace, "
                 "no delete")
    return steps
