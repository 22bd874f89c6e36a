"""Who each stack deploys as, and the guardrails on its path: the facts of the deploy-permission proof (pack rules
DEP-06..DEP-08, `lz permissions`), generated into policies/lz_policies/facts.json by landing_zone.pack_facts.

For every organization whose stack files are in the repository (single mode `<base>`, split mode `<base>.<part>`):
- each stack's principal (landing_zone.stacks.deploy_role_arn: the role its pipeline job assumes) and that role's
  identity policies: AdministratorAccess for a single stack and `<base>.organization`, the inline policy
  bootstrap/split.py renders for the network and account stacks, with the account ids as `{{<account name>}}`
  placeholders the pack resolves from the plan (a created account has no id before the organization's first deploy);
- the SCPs and RCPs scp_documents renders from the config, and where each applies: per account, the levels from the
  root down (FullAWSAccess / RCPFullAWSAccess at each, as AWS attaches them), none for the management account;
- the access role's trust as AWS Organizations writes it (every principal of the management account).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from landing_zone.models import LandingZoneConfig
from landing_zone.scp_documents import ORG_ID_PLACEHOLDER, RCP_NAMES, rcp_document, scp_document, used_scps
from landing_zone.stacks import ORGANIZATION, StackNode, deploy_role_arn

ADMINISTRATOR_ACCESS = "AdministratorAccess"  # AWS managed; its document is FULL_ACCESS
FULL_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
RCP_FULL = {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}  # RCPFullAWSAccess
SCP_FULL_ACCESS, RCP_FULL_ACCESS = "FullAWSAccess", "RCPFullAWSAccess"  # attached by AWS at every target


def placeholder(account: str) -> str:
    return "{{" + account + "}}"


def access_role_trust(management_account_id: str) -> dict:
    """What Organizations writes into OrganizationAccountAccessRole of an account it creates."""
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{management_account_id}:root"},
        "Action": "sts:AssumeRole"}]}


def _ou_chain(cfg: LandingZoneConfig, ou: str | None) -> list[str]:
    """OU names from the root down to `ou`."""
    parents = {o.name: o.parent for o in cfg.organizational_units}
    chain: list[str] = []
    while ou is not None and ou not in chain:
        chain.insert(0, ou)
        ou = parents.get(ou)
    return chain


def account_levels(cfg: LandingZoneConfig, account: str) -> dict[str, list]:
    """SCP and RCP levels of an account: [[target, [policy names]], ...] from the root down to the account."""
    ous = {o.name: o for o in cfg.organizational_units}
    acct = next(a for a in cfg.accounts if a.name == account)
    used = set(used_scps(cfg))
    scp = [["root", [SCP_FULL_ACCESS, *[n for n in cfg.organization.scps if n in used]]]]
    scp += [[f"OU {name}", [SCP_FULL_ACCESS, *ous[name].scps]] for name in _ou_chain(cfg, acct.ou) if name in ous]
    scp.append([f"account {account}", [SCP_FULL_ACCESS]])
    rcp = [["root", [RCP_FULL_ACCESS, *RCP_NAMES]]]
    rcp += [[f"OU {name}", [RCP_FULL_ACCESS]] for name in _ou_chain(cfg, acct.ou) if name in ous]
    rcp.append([f"account {account}", [RCP_FULL_ACCESS]])
    return {"scps": scp, "rcps": rcp}


def organization_facts(cfg: LandingZoneConfig) -> dict[str, Any]:
    org = cfg.organization
    return {
        "managementAccountId": org.management_account_id,
        "organizationId": ORG_ID_PLACEHOLDER,
        "accessRole": org.access_role_name,
        "accessRoleTrust": access_role_trust(org.management_account_id),
        "scps": {name: scp_document(name, cfg) for name in used_scps(cfg)},
        "rcps": {name: rcp_document(name, cfg, ORG_ID_PLACEHOLDER) for name in RCP_NAMES},
        "policies": {SCP_FULL_ACCESS: FULL_ACCESS, RCP_FULL_ACCESS: RCP_FULL, ADMINISTRATOR_ACCESS: FULL_ACCESS},
        "accounts": {a.name: {"id": a.account_id, **account_levels(cfg, a.name)} for a in cfg.accounts},
    }


def stack_facts(cfg: LandingZoneConfig, base: str, node: StackNode, split: bool) -> dict[str, Any]:
    """The stack's principal and its identity policies (name -> document)."""
    from bootstrap.split import assumable, deploy_permissions, edge_records, known_ids, own_invokes

    management = cfg.organization.management_account_id
    facts: dict[str, Any] = {"organization": base, "principal": deploy_role_arn(management, node.name, split)}
    if not split or node.role.part == ORGANIZATION:
        facts["policies"] = {ADMINISTRATOR_ACCESS: FULL_ACCESS}
        return facts
    ids = known_ids(cfg, {a.name: placeholder(a.name) for a in cfg.accounts})
    roles = assumable(cfg, node, ids)
    statements = edge_records(cfg, node) + own_invokes(cfg, node)
    facts["policies"] = {f"deploy-{node.name}-permissions": deploy_permissions(roles or [], None, node, statements)}
    return facts


def repository_facts(root: Path) -> dict[str, Any]:
    """Facts of every organization with stack files under `root` (single and split stacks)."""
    from landing_zone.config import load_stack_role
    from landing_zone.stack_graph import organization_of

    organizations: dict[str, Any] = {}
    stacks: dict[str, Any] = {}
    for path in sorted(root.glob("Pulumi.*.yaml")):
        stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
        role = load_stack_role(stack, root)
        if role is not None and role.part != ORGANIZATION:
            continue  # its organization stack lists it
        org = organization_of(stack, root)
        facts = config_facts(org.cfg, org.base, org.nodes, org.split)
        organizations.update(facts["organizations"])
        stacks.update(facts["stacks"])
    return {"organizations": organizations, "stacks": stacks}


def config_facts(cfg: LandingZoneConfig, base: str, nodes: list[StackNode], split: bool) -> dict[str, Any]:
    """The facts of one organization's stacks (tests break a config with it and check the proof fails)."""
    return {"organizations": {base: organization_facts(cfg)},
            "stacks": {node.name: stack_facts(cfg, base, node, split) for node in nodes}}


# The pack's policies that read the facts (policies/lz_policies/deploy_readiness/permissions.py).
DEPLOY_POLICIES = ("dep-06-role-assumptions-permitted", "dep-07-own-credentials-permitted",
                   "dep-08-guardrails-permit-the-deploy")


def with_facts(policy_config: Mapping[str, Any] | None, cfg: LandingZoneConfig, base: str, nodes: list[StackNode],
               split: bool) -> dict[str, Any]:
    """The policy config with the deploy facts of the config being checked, for DEP-06..08 (a given deployFacts
    wins): `lz check` proves the config it checks, not facts.json, which `pulumi preview` reads and a test keeps
    equal to the repository's configs."""
    facts = config_facts(cfg, base, nodes, split)
    out = dict(policy_config or {})
    for name in DEPLOY_POLICIES:
        value = out.get(name)
        if value == "disabled":
            continue
        value = {"enforcementLevel": value} if isinstance(value, str) else dict(value or {})
        value.setdefault("deployFacts", facts)
        out[name] = value
    return out


def with_stack_facts(policy_config: Mapping[str, Any] | None, stack: str, root: Path) -> dict[str, Any]:
    """with_facts for the organization `stack` belongs to (its stack file under `root`); unchanged without one."""
    from landing_zone.config import ConfigError
    from landing_zone.stack_graph import organization_of

    try:
        org = organization_of(stack, root)
    except (ConfigError, OSError):
        return dict(policy_config or {})
    return with_facts(policy_config, org.cfg, org.base, org.nodes, org.split)
