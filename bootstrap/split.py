"""The pipeline's roles of a split organization: a deploy role per stack, each able to reach only what its stack
manages, and the organization's one read-only preview role (bootstrap/README.md, "Split organization").

- `<base>.organization`: what a single-mode stack has today (AdministratorAccess in the management account: it creates
  the organization, the accounts, SCPs and Identity Center);
- `<base>.network`: assumes only the network account's access role;
- `<base>.<account>`: assumes only its account's access role and, in the network account, its own
  `landing-zone-attach-<account>` (components/network/attach_roles.py); in the management account only its edge's
  records (edge_records) and the invokes it makes with its own credentials (own_invokes).
With `--state-bucket`, each stack may write only its own state objects and read the state of the stacks it reads.

Deploy roles live under the IAM path /landing-zone-deploy/ (landing_zone.stacks.DEPLOY_ROLE_PATH): one
organization.access_role_assumers pattern, `arn:aws:iam::<management>:role/landing-zone-deploy/*`, admits them all to
the access roles through the data-perimeter RCP. Every role trusts the `<base>` environment on main through deploy-layer.yml at main
(bootstrap/roles.py, `subject`): GitHub environments are per organization (the `prod` approval gates every prod
stack), roles per stack.

An account created by the organization stack has no id until that stack's first `pulumi up`: its roles are rendered
once the id is known, from the config (`account_id`) or from `--account-ids FILE`, e.g.
`pulumi stack output accounts --stack prod.organization --json > ids.json` (the contract's accounts, {name: {id}})
or a plain {name: id} mapping. Until then `render_split` lists the stack as pending (and its job cannot deploy yet).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from bootstrap.roles import BootstrapError, drift_subject, github_trust, preview_environment, subject, subject_template
from bootstrap.roles import preview_permissions as single_preview_permissions
from landing_zone.models import LandingZoneConfig
from landing_zone.stacks import ACCOUNT, NETWORK, ORGANIZATION, StackNode, network_role_name

PROJECT = "landing-zone"  # Pulumi.yaml's name: the state backend keys its objects by project and stack


@dataclass
class SplitRendering:
    """Policy documents by file name; the stacks whose accounts have no id yet; warnings for the reader."""

    documents: dict[str, dict] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_account_ids(path: Path) -> dict[str, str]:
    """{name: id} from a plain mapping or the contract's `accounts` output ({name: {"id": ...}})."""
    try:
        raw = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise BootstrapError(f"--account-ids: {path}: {e}") from None
    if not isinstance(raw, dict):
        raise BootstrapError(f"--account-ids: {path}: expected a JSON object of account name -> id")
    ids = {name: value["id"] if isinstance(value, dict) else value for name, value in raw.items()}
    bad = [name for name, value in ids.items() if not (isinstance(value, str) and value.isdigit() and len(value) == 12)]
    if bad:
        raise BootstrapError(f"--account-ids: {path}: {', '.join(bad)}: not a 12-digit account id")
    return ids


def known_ids(cfg: LandingZoneConfig, given: dict[str, str]) -> dict[str, str]:
    """Account ids: adopted accounts' from the config, created accounts' from --account-ids."""
    return {**given, **{a.name: a.account_id for a in cfg.accounts if a.account_id}}


def role_arn(account_id: str, role: str) -> str:
    return f"arn:aws:iam::{account_id}:role/{role}"


def state_objects(bucket: str, stack: str) -> list[str]:
    """A self-managed backend's objects of one stack: its checkpoint, history, backups and lock."""
    prefix = f"arn:aws:s3:::{bucket}/.pulumi"
    return [f"{prefix}/stacks/{PROJECT}/{stack}.json*", f"{prefix}/history/{PROJECT}/{stack}/*",
            f"{prefix}/backups/{PROJECT}/{stack}/*", f"{prefix}/locks/{PROJECT}/{stack}/*"]


def state_statements(bucket: str, node: StackNode) -> list[dict]:
    """Write its own state; read the state of the stacks it reads (StackReference) and the backend's metadata."""
    prefixes = [f".pulumi/{kind}/{PROJECT}/{node.name}*" for kind in ("stacks", "history", "backups", "locks")]
    prefixes += [f".pulumi/stacks/{PROJECT}/{read}.json*" for read in node.reads] + [".pulumi/meta.yaml"]
    reads = [f"arn:aws:s3:::{bucket}/.pulumi/stacks/{PROJECT}/{read}.json*" for read in node.reads]
    return [
        {"Sid": "ListItsStatePrefixes", "Effect": "Allow", "Action": "s3:ListBucket",
         "Resource": f"arn:aws:s3:::{bucket}", "Condition": {"StringLike": {"s3:prefix": prefixes}}},
        {"Sid": "WriteItsOwnState", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
         "Resource": state_objects(bucket, node.name)},
        {"Sid": "ReadTheStateItReads", "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": [*reads, f"arn:aws:s3:::{bucket}/.pulumi/meta.yaml"]},
    ]


def assumable(cfg: LandingZoneConfig, node: StackNode, ids: dict[str, str]) -> list[str] | None:
    """The roles a network or account stack's deploy role may assume, or None while an account id is unknown."""
    access = cfg.organization.access_role_name
    network = next(a.name for a in cfg.accounts if a.role == "network")
    if network not in ids or (node.role.part == ACCOUNT and node.account not in ids):
        return None
    if node.role.part == NETWORK:
        return [role_arn(ids[network], access)]
    return [role_arn(ids[str(node.account)], access), role_arn(ids[network], network_role_name(str(node.account)))]


def edge_records(cfg: LandingZoneConfig, node: StackNode) -> list[dict]:
    """An account stack whose edge publishes its name in network.dns's zone, owned by the management account, writes
    those records (and the failover health checks a record may only use from its own account) with its deploy
    role's own credentials: only its domain's names in that one zone (components/workloads/edge_dns.py)."""
    dns, account = cfg.network.dns, next((a for a in cfg.accounts if a.name == node.account), None)
    edge = account.workloads.edge if account is not None else None
    if dns is None or dns.account != "management" or edge is None:
        return []
    domain = edge.domain_name.lower().rstrip(".")
    zone = f"arn:aws:route53:::hostedzone/{dns.zone_id}"
    return [
        {"Sid": "ItsEdgeRecordsOnly", "Effect": "Allow", "Action": "route53:ChangeResourceRecordSets", "Resource": zone,
         "Condition": {"ForAllValues:StringLike": {
             "route53:ChangeResourceRecordSetsNormalizedRecordNames": [domain, f"_*.{domain}"]}}},
        {"Sid": "ReadTheZone", "Effect": "Allow",
         "Action": ["route53:GetHostedZone", "route53:ListResourceRecordSets", "route53:ListTagsForResource"],
         "Resource": zone},
        {"Sid": "ReadChanges", "Effect": "Allow", "Action": "route53:GetChange", "Resource": "arn:aws:route53:::change/*"},
        {"Sid": "FailoverHealthChecks", "Effect": "Allow",  # CreateHealthCheck has no resource-level permission
         "Action": ["route53:CreateHealthCheck", "route53:GetHealthCheck", "route53:UpdateHealthCheck",
                    "route53:DeleteHealthCheck", "route53:ChangeTagsForResource", "route53:ListTagsForResource"],
         "Resource": "*"},
    ]


# Invokes an account stack makes with its own credentials (the management account's provider), i.e. before its
# account's provider can be used in single mode: the Aurora bootstrap password (components/workloads/aurora.py).
# GetRandomPassword returns a random string and touches no resource, so it has no resource-level permission.
OWN_INVOKES = ("secretsmanager:GetRandomPassword",)


def own_invokes(cfg: LandingZoneConfig, node: StackNode) -> list[dict]:
    account = next((a for a in cfg.accounts if a.name == node.account), None)
    if account is None or account.workloads.aurora is None:
        return []
    return [{"Sid": "ProgramInvokes", "Effect": "Allow", "Action": list(OWN_INVOKES), "Resource": "*"}]


def deploy_permissions(roles: list[str], state_bucket: str | None, node: StackNode,
                       edge: list[dict] | None = None) -> dict:
    statements: list[dict] = [{"Sid": "AssumeOnlyItsAccountsRoles", "Effect": "Allow", "Action": "sts:AssumeRole",
                               "Resource": roles}, *(edge or [])]
    if state_bucket:
        statements += state_statements(state_bucket, node)
    return {"Version": "2012-10-17", "Statement": statements}


def render_split(repository: str, cfg: LandingZoneConfig, nodes: list[StackNode], account_ids: dict[str, str],
                 state_bucket: str | None, member_role: str) -> SplitRendering:
    """The trust and permission documents of every stack's preview and deploy role (module docstring)."""
    management = cfg.organization.management_account_id
    base = nodes[0].name.rsplit(".", 1)[0]
    ids = known_ids(cfg, account_ids)
    # One read-only preview role for the organization, as in single mode: the member accounts' preview roles trust
    # exactly `landing-zone-preview-<base>` (components/preview_role.py), whichever stack previews.
    out = SplitRendering(documents={
        f"preview-{base}-trust.json": github_trust(management, subject(repository, None,
                                                                       environment=preview_environment(base))),
        "github-oidc-subject.json": subject_template(),
        f"preview-{base}-permissions.json": single_preview_permissions(state_bucket, member_role),
        f"drift-{base}-trust.json": github_trust(management, drift_subject(repository)),
        f"drift-{base}-permissions.json": single_preview_permissions(state_bucket, member_role)})
    for node in nodes:
        deploy_trust = github_trust(management, subject(repository, base))
        if node.role.part == ORGANIZATION:  # as in single mode: AdministratorAccess
            out.documents[f"deploy-{node.name}-trust.json"] = deploy_trust
            continue
        roles = assumable(cfg, node, ids)
        if roles is None:
            out.pending.append(node.name)
            continue
        out.documents.update({
            f"deploy-{node.name}-trust.json": deploy_trust,
            f"deploy-{node.name}-permissions.json": deploy_permissions(roles, state_bucket, node,
                                                                      edge_records(cfg, node) + own_invokes(cfg, node)),
        })
    return out

