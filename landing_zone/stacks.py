"""The landing zone as a graph of stacks (split mode): which stacks an organization has, what each reads, in what order.

Single mode (the default) is one stack with the whole organization. Split mode is one Pulumi project with several
stacks built from the same components, each named `<base>.<part>` and told its part by `landing-zone:stack` in its
stack file (the organization's config itself is shared: see landing_zone/environments.py):

- `<base>.organization`  layer 0: Organizations, OUs, accounts, SCPs/RCPs, Identity Center, delegated admins, the
                         organization-wide security services, budgets, the core accounts' baselines;
- `<base>.network`       layer 1, reads organization: Transit Gateway hubs and segment tables, hybrid links, DR
                         peering, Client VPN, the resolver and private zones, the network account's VPCs;
- `<base>.<account>`     layer 2, reads organization and network, one per workload account: its baseline, spoke VPCs
                         and their TGW attachment (hub side through the network account), workloads, deployment
                         roles and contract outputs.

Pure: no Pulumi import. The program (components/stacks/), `lz stacks` and the offline graph planner read it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from landing_zone.models import Account, LandingZoneConfig

STACK_KEY = "stack"  # `landing-zone:stack` in a stack file: this stack's part of a split organization
ORGANIZATION, NETWORK, ACCOUNT = "organization", "network", "account"
Part = Literal["organization", "network", "account"]


class StackRole(BaseModel):
    """`landing-zone:stack`: {part: organization | network} or {part: account, account: <workload account>}."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    part: Part
    account: str | None = None

    @model_validator(mode="after")
    def _account_only_for_account_stacks(self) -> StackRole:
        if (self.part == ACCOUNT) != (self.account is not None):
            raise ValueError("`account` names the workload account of an account stack (part: account), and only then")
        return self

    @property
    def suffix(self) -> str:
        return self.account if self.part == ACCOUNT else self.part


class StackRoleError(ValueError):
    """A stack's `landing-zone:stack` that does not fit its name or the organization's config."""


def parse_role(value: Any, where: str = "landing-zone:stack") -> StackRole | None:
    """The stack's role from its (engine-encoded or YAML) value; None in single mode. Raises StackRoleError."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            value = {"part": value}  # `landing-zone:stack: network`
    try:
        return StackRole.model_validate(value)
    except ValidationError as e:
        first = e.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise StackRoleError(f"{where}{'.' + field if field else ''}: {first['msg'].removeprefix('Value error, ')}") from None


def split_accounts(cfg: LandingZoneConfig) -> list[Account]:
    """The accounts with a stack of their own: every workload account (the core accounts live in the organization
    and network stacks)."""
    return [a for a in cfg.accounts if a.role == "workload"]


def stack_name(base: str, role: StackRole) -> str:
    return f"{base}.{role.suffix}"


IAM_NAME_MAX = 64  # characters of an IAM role name
NETWORK_ROLE_PREFIX = "landing-zone-attach-"
DEPLOY_ROLE_PREFIX = "landing-zone-deploy-"
# The deploy roles of a split organization share one IAM path, so the data-perimeter RCP admits them all with one
# ArnLike pattern in organization.access_role_assumers (`arn:aws:iam::<management>:role/landing-zone-deploy/*`)
# instead of one ARN per stack (an RCP holds 5,120 characters). Single mode keeps its role at the root path.
DEPLOY_ROLE_PATH = "/landing-zone-deploy/"


def _role_name(prefix: str, suffix: str, field: str) -> str:
    name = f"{prefix}{suffix}"
    if len(name) > IAM_NAME_MAX:
        raise StackRoleError(f"{field}: {suffix!r} makes the IAM role name {name!r} {len(name)} characters long; IAM "
                             f"allows {IAM_NAME_MAX} (shorten it to {IAM_NAME_MAX - len(prefix)} characters)")
    return name


def network_role_name(account: str) -> str:
    """The role an account stack acts through in the network account (accept its TGW attachment, wire it to its
    segment's tables, authorize its VPCs on the private zones): `landing-zone-attach-<account>`."""
    return _role_name(NETWORK_ROLE_PREFIX, account, "accounts.name")


def deploy_role_name(stack: str) -> str:
    """The pipeline's role of a stack in the management account: `landing-zone-deploy-<stack>`."""
    return _role_name(DEPLOY_ROLE_PREFIX, stack, "stack")


def deploy_role_path(split: bool) -> str:
    return DEPLOY_ROLE_PATH if split else "/"


def deploy_role_arn(management_account_id: str, stack: str, split: bool, partition: str = "aws") -> str:
    """What the stack's pipeline job assumes (and what its network-account role trusts)."""
    return f"arn:{partition}:iam::{management_account_id}:role{deploy_role_path(split)}{deploy_role_name(stack)}"


def arn_like(pattern: str, arn: str) -> bool:
    """IAM's ArnLike: the six colon-separated parts compared one by one, `*` and `?` within a part."""
    pattern_parts, arn_parts = pattern.split(":", 5), arn.split(":", 5)
    if len(pattern_parts) != 6 or len(arn_parts) != 6:
        return False
    return all(re.fullmatch("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in p), a, re.S)
               for p, a in zip(pattern_parts, arn_parts, strict=True))


def unadmitted_deploy_role(cfg: LandingZoneConfig, stack: str, split: bool) -> str | None:
    """The error when organization.access_role_assumers is set and does not admit the stack's deploy role: the
    data-perimeter RCP's RestrictAccessRoleAssumption (ArnNotLike aws:PrincipalArn) would deny it the access role in
    every member account, so the first `pulumi up` fails at its first provider."""
    patterns = cfg.organization.access_role_assumers
    management = cfg.organization.management_account_id
    arn = deploy_role_arn(management, stack, split)
    if not patterns or any(arn_like(p, arn) for p in patterns):
        return None
    fix = f"arn:aws:iam::{management}:role{DEPLOY_ROLE_PATH}*" if split else arn
    return (f"organization.access_role_assumers: does not admit {arn}, the deploy role of stack {stack}: the "
            f"data-perimeter RCP (RestrictAccessRoleAssumption) would deny it sts:AssumeRole on "
            f"{cfg.organization.access_role_name} in every member account; add \"{fix}\"")


def base_of(stack: str, role: StackRole) -> str:
    """`prod` of `prod.network`; StackRoleError when the name does not follow `<base>.<part>`."""
    suffix = f".{role.suffix}"
    if not stack.endswith(suffix) or len(stack) == len(suffix):
        raise StackRoleError(f"landing-zone:stack: stack {stack!r} is the {role.suffix} part of an organization, so "
                             f"its name must be <base>{suffix} (e.g. prod{suffix})")
    return stack[: -len(suffix)]


def check_role(cfg: LandingZoneConfig, stack: str, role: StackRole) -> list[str]:
    """Errors (`field: what`) of a role against the organization's config and the stack's name."""
    errors = []
    if role.part == ACCOUNT:
        account = next((a for a in cfg.accounts if a.name == role.account), None)
        if account is None:
            errors.append(f"landing-zone:stack.account: {role.account!r} is not an account of the config")
        elif account.role != "workload":
            errors.append(f"landing-zone:stack.account: {role.account!r} is the {account.role} account; it lives in "
                          f"the {'network' if account.role == 'network' else 'organization'} stack")
        elif account.workloads.edge and cfg.network.dns and cfg.network.dns.account not in ("management", account.name):
            errors.append(f"network.dns.account: {cfg.network.dns.account!r} owns the zone {account.name}'s edge "
                          f"publishes in; an account stack reaches only its own account and the management account's "
                          f"zone (its deploy role's own credentials): use `management` or {account.name!r}")
    checks = [lambda: base_of(stack, role), lambda: deploy_role_name(stack)]  # each raises StackRoleError
    if role.part == ACCOUNT and role.account:
        checks.append(lambda: network_role_name(str(role.account)))
    for check in checks:
        try:
            check()
        except StackRoleError as e:
            errors.append(str(e))
    return errors


@dataclass(frozen=True)
class StackNode:
    """One stack of the graph: its name, role, layer (0 first) and the stacks whose outputs it reads."""

    name: str
    role: StackRole
    layer: int
    reads: tuple[str, ...]

    @property
    def account(self) -> str | None:
        return self.role.account


def roles(cfg: LandingZoneConfig) -> list[StackRole]:
    return [StackRole(part=ORGANIZATION), StackRole(part=NETWORK),
            *(StackRole(part=ACCOUNT, account=a.name) for a in split_accounts(cfg))]


def graph(cfg: LandingZoneConfig, base: str) -> list[StackNode]:
    """Every stack of the organization `base`, in deployment order."""
    org, net = stack_name(base, StackRole(part=ORGANIZATION)), stack_name(base, StackRole(part=NETWORK))
    reads = {ORGANIZATION: (), NETWORK: (org,), ACCOUNT: (org, net)}
    layer = {ORGANIZATION: 0, NETWORK: 1, ACCOUNT: 2}
    return [StackNode(stack_name(base, r), r, layer[r.part], reads[r.part]) for r in roles(cfg)]


def layers(nodes: list[StackNode]) -> list[list[StackNode]]:
    """The stacks of each layer, in order: a layer runs after every stack of the layers before it."""
    out: list[list[StackNode]] = []
    for node in nodes:
        while len(out) <= node.layer:
            out.append([])
        out[node.layer].append(node)
    return out


def downstream(nodes: list[StackNode], names: set[str]) -> set[str]:
    """`names` and every stack that reads (transitively) from one of them."""
    found = set(names)
    changed = True
    while changed:
        changed = False
        for node in nodes:
            if node.name not in found and found & set(node.reads):
                found.add(node.name)
                changed = True
    return found

