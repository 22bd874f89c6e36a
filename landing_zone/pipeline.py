"""The deployment pipeline of an organization's stacks: one GitHub Actions matrix per layer (`lz stacks --github-matrix`).

The workflow (.github/workflows/landing-zone.yml) has one job per layer; each runs its layer's stacks in parallel, as
a matrix, after every stack of the layers before it. Its matrices come from here, computed from the graph
(landing_zone/stacks.py), so adding a workload account adds a matrix entry, never a job. Single mode is a graph of one
stack in layer 0. Each entry names the deploy role its job assumes (landing_zone.stacks.deploy_role_arn).

Pure: no Pulumi import.
"""

from __future__ import annotations

from landing_zone.stacks import StackNode, StackRoleError, deploy_role_name, deploy_role_path

LAYERS = 3  # organization, network, accounts: the workflow has one job per layer
SINGLE = "single"  # the part of a single-mode stack (the whole organization in one stack)


def matrix_entry(node: StackNode, split: bool) -> dict[str, str]:
    """What a deploy job needs: the stack, its part and account, and its deploy role (IAM path + name, the part of
    the ARN after `:role/`)."""
    return {
        "stack": node.name,
        "part": node.role.part if split else SINGLE,
        "account": node.account or "",
        "role": f"{deploy_role_path(split).lstrip('/')}{deploy_role_name(node.name)}",
    }


def github_matrix(nodes: list[StackNode], *, split: bool = True) -> dict:
    """`{"layer0": {"include": [...]}, "has_layer0": bool, ..., "stacks": N}`: GitHub refuses an empty matrix, so
    the workflow runs a layer's job only when its `has_layer<N>` is true (single mode: layer 0 only)."""
    deep = [n.name for n in nodes if n.layer >= LAYERS]
    if deep:
        raise StackRoleError(f"stacks {', '.join(deep)} are in layer {LAYERS} or deeper; the workflow deploys "
                             f"layers 0 to {LAYERS - 1}")
    out: dict = {}
    for layer in range(LAYERS):
        include = [matrix_entry(n, split) for n in nodes if n.layer == layer]
        out[f"layer{layer}"] = {"include": include}
        out[f"has_layer{layer}"] = bool(include)
    out["stacks"] = len(nodes)
    return out
