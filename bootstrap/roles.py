"""The pipeline's roles, rendered as IAM JSON: a read-only preview role per stack, a deploy role per stack.

They live outside the stack (the stack cannot create the role that creates the stack), so this module renders their
trust and permission policies to bootstrap/policies/ for an administrator to apply once (bootstrap/README.md).

Who may assume what. AWS evaluates only the `aud` and `sub` claims of GitHub's OIDC token, so the repository's
subject template (`github-oidc-subject.json`, set once with GitHub's API) puts the ref and the workflow file into
`sub`: `repo:ORG/REPO:environment:ENV:ref:REF:job_workflow_ref:ORG/REPO/.github/workflows/FILE@REF`.
- `landing-zone-deploy-<stack>`: StringEquals on the `<stack>` environment, ref `refs/heads/main` and the reusable
  workflow deploy-layer.yml at main. A workflow on another branch (even one calling main's deploy-layer.yml) has
  another `ref`; one declaring `environment: dev` still waits for the environment's rules.
- `landing-zone-preview-<stack>`: `pulumi preview` runs the pull request's own Python, and any token that previews
  can read the stack's secrets, so previews run in their own environment `preview-<stack>` (required reviewers):
  StringLike on that environment, a pull request's merge ref and landing-zone.yml at that ref (the `*` stands only
  for the pull request's number). The role reads configuration (ViewOnlyAccess, the program's invokes, the state
  backend) and writes nothing; it assumes only the member accounts' `landing-zone-preview` roles inside its own
  organization, read-only too (the program creates those: components/preview_role.py, with member_preview_trust /
  member_preview_permissions from here).
- `landing-zone-drift-<stack>`: the scheduled drift check (drift.yml: `pulumi preview --refresh --expect-no-changes`
  of every stack of the organization) on main only: StringEquals on the `drift` environment, refs/heads/main and
  drift.yml at main. Read-only like the preview role, plus SecurityAudit (a refresh reads every resource's
  configuration: policies, encryption, lifecycle; no object data, no secret values); it assumes the same member
  preview roles, which trust it beside the preview role (so it must exist before the deploy too).

Usage: python -m bootstrap.roles --repository example-org/landing-zone --account-id 111111111111 [--stack prod]
       [--state-bucket NAME] [--out bootstrap/policies]
A split organization (one stack per layer and account; bootstrap/split.py): a role pair per stack, each least-privilege:
       python -m bootstrap.roles --repository example-org/landing-zone --organization-stack prod.organization
       [--config-root .] [--account-ids ids.json] [--state-bucket NAME] [--out bootstrap/policies/prod]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from landing_zone.models import MEMBER_PREVIEW_ROLE  # the program creates it (organization.preview_role_name)

ISSUER = "token.actions.githubusercontent.com"
AUDIENCE = "sts.amazonaws.com"
# The repository's OIDC subject template (PUT /repos/ORG/REPO/actions/oidc/customization/sub), in this order.
SUBJECT_CLAIMS = ["repo", "context", "ref", "job_workflow_ref"]
MAIN = "refs/heads/main"
PULL_REQUEST_REF = "refs/pull/*/merge"  # a pull request's merge ref; `*` is its number
WORKFLOWS = ".github/workflows"
DEPLOY_WORKFLOW = "deploy-layer.yml"  # the reusable workflow every deploy job runs (its job_workflow_ref)
PREVIEW_WORKFLOW = "landing-zone.yml"  # the preview job's workflow
DRIFT_WORKFLOW = "drift.yml"  # the scheduled drift check
DRIFT_ENVIRONMENT = "drift"  # its GitHub environment: holds PULUMI_DRIFT_ACCESS_TOKEN, deployment branch main only
STACKS = ("dev", "prod")
VIEW_ONLY_POLICY = "job-function/ViewOnlyAccess"  # AWS managed: describes and lists, reads no data
VIEW_ONLY = f"arn:aws:iam::aws:policy/{VIEW_ONLY_POLICY}"
SECURITY_AUDIT_POLICY = "SecurityAudit"  # AWS managed: reads configuration metadata (what a refresh compares)
DEPLOY_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"  # creates the organization, accounts, SCPs, roles
_REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
_ACCOUNT = re.compile(r"^\d{12}$")
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")  # IAM role names: no wildcard, no path

# The invokes of the program (`get_*` data sources: grep components/) and what the providers call. Read-only calls
# that return no data; ViewOnlyAccess lacks most Get* actions.
PREVIEW_INVOKES = [
    "ec2:DescribeAvailabilityZones", "ec2:DescribeImages", "iam:ListRoles", "identitystore:ListGroups",
    "identitystore:GetGroupId", "route53:ListHostedZones", "route53:GetHostedZone", "secretsmanager:GetRandomPassword",
    "sso:ListInstances", "sts:GetCallerIdentity", "organizations:DescribeOrganization",
    "organizations:ListAccounts", "organizations:ListRoots", "eks:DescribeAddonVersions",
]
# Data a preview never needs, denied even where an attached AWS policy would allow it.
DATA_READS = [
    "s3:GetObject*", "secretsmanager:GetSecretValue", "ssm:GetParameter*", "kms:Decrypt", "kms:GenerateDataKey*",
    "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan", "sqs:ReceiveMessage",
    "logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery", "athena:GetQueryResults",
    "rds-data:ExecuteStatement", "ec2:GetPasswordData", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage",
    "lambda:GetFunction", "cloudformation:GetTemplate", "secretsmanager:BatchGetSecretValue", "dynamodb:PartiQLSelect",
    "kinesis:GetRecords", "rds:DownloadDBLogFilePortion", "es:ESHttpGet",
]


class BootstrapError(ValueError):
    """Bad input, naming the argument."""


def validate(repository: str, account_id: str, member_role: str = MEMBER_PREVIEW_ROLE) -> None:
    if not _REPOSITORY.match(repository) or "*" in repository:
        raise BootstrapError(f"--repository: {repository!r} is not OWNER/NAME (no wildcards)")
    if not _ACCOUNT.match(account_id):
        raise BootstrapError(f"--account-id: {account_id!r} is not a 12-digit AWS account id")
    if not _ROLE_NAME.match(member_role):
        raise BootstrapError(f"--member-preview-role: {member_role!r} is not an IAM role name")


def preview_role_name(stack: str) -> str:
    """The management account's preview role of a stack: what the member accounts' preview roles trust."""
    return f"landing-zone-preview-{stack}"


def deploy_role_name(stack: str) -> str:
    return f"landing-zone-deploy-{stack}"


def drift_role_name(stack: str) -> str:
    """The management account's drift role of an organization (its base stack: dev, prod)."""
    return f"landing-zone-drift-{stack}"


def drift_subject(repository: str) -> str:
    """The drift job: its environment, on main, from drift.yml at main (a schedule runs on the default branch)."""
    return (f"repo:{repository}:environment:{DRIFT_ENVIRONMENT}:ref:{MAIN}:job_workflow_ref:"
            f"{repository}/{WORKFLOWS}/{DRIFT_WORKFLOW}@{MAIN}")


def preview_environment(stack: str) -> str:
    """The GitHub environment a stack's previews run in: its required reviewers approve each preview."""
    return f"preview-{stack}"


def subject(repository: str, stack: str | None, *, environment: str | None = None) -> str:
    """The only `sub` a role trusts (the template SUBJECT_CLAIMS): previews (stack None: `environment` names the
    preview environment) from a pull request's merge ref and landing-zone.yml; deploys from the stack's environment
    on main and deploy-layer.yml at main."""
    if stack is None:
        env, ref, workflow = environment, PULL_REQUEST_REF, PREVIEW_WORKFLOW
    else:
        env, ref, workflow = stack, MAIN, DEPLOY_WORKFLOW
    return f"repo:{repository}:environment:{env}:ref:{ref}:job_workflow_ref:{repository}/{WORKFLOWS}/{workflow}@{ref}"


def subject_template() -> dict:
    """The body of GitHub's `PUT /repos/ORG/REPO/actions/oidc/customization/sub` the trusts above need."""
    return {"use_default": False, "include_claim_keys": SUBJECT_CLAIMS}


def github_trust(account_id: str, sub: str) -> dict:
    """StringEquals on `aud`; on `sub` too, or StringLike when it holds a wildcard (a pull request's number only)."""
    conditions = {"StringEquals": {f"{ISSUER}:aud": AUDIENCE}}
    conditions.setdefault("StringLike" if "*" in sub else "StringEquals", {})[f"{ISSUER}:sub"] = sub
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "GitHubActionsOidc",
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::{account_id}:oidc-provider/{ISSUER}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": conditions,
    }]}


def program_invokes() -> dict:
    return {"Sid": "ProgramInvokes", "Effect": "Allow", "Action": sorted(PREVIEW_INVOKES), "Resource": "*"}


def no_data_reads(state_bucket: str | None = None) -> dict:
    """The deny of every preview role: data a preview never needs, even where an attached AWS policy allows it. The
    Pulumi state (a self-managed backend's objects) is the one object a preview must read."""
    scope = {"NotResource": [f"arn:aws:s3:::{state_bucket}/.pulumi/*"]} if state_bucket else {"Resource": "*"}
    return {"Sid": "NoDataReads", "Effect": "Deny", "Action": sorted(DATA_READS), **scope}


def preview_permissions(state_bucket: str | None, member_role: str = MEMBER_PREVIEW_ROLE) -> dict:
    """Inline policy of the preview role (beside ViewOnlyAccess): invokes, member preview roles, state; no writes."""
    statements: list[dict] = [
        program_invokes(),
        # any account's role of that name, but only inside the role's own organization
        {"Sid": "MemberAccountPreviewRoles", "Effect": "Allow", "Action": "sts:AssumeRole",
         "Resource": f"arn:aws:iam::*:role/{member_role}",
         "Condition": {"StringEquals": {"aws:ResourceOrgID": "${aws:PrincipalOrgID}"}}},
    ]
    if state_bucket:
        statements.append({"Sid": "ReadPulumiState", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                           "Resource": [f"arn:aws:s3:::{state_bucket}", f"arn:aws:s3:::{state_bucket}/.pulumi/*"]})
    statements.append(no_data_reads(state_bucket))
    return {"Version": "2012-10-17", "Statement": statements}


def member_preview_trust(management_account_id: str, stack: str, partition: str = "aws") -> dict:
    """The member accounts' read-only role (the program creates it, components/preview_role.py): only the management
    account's preview and drift roles of the stack. IAM stores those principals as the roles' unique ids, so both
    management roles must exist first (else CreateRole: "Invalid principal in policy") and re-creating one breaks
    this trust."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "ManagementPreviewRole", "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": [f"arn:{partition}:iam::{management_account_id}:role/{name(stack)}"
                              for name in (preview_role_name, drift_role_name)]},
    }]}


def member_preview_permissions() -> dict:
    """Inline policy of the member accounts' preview role, beside ViewOnlyAccess."""
    return {"Version": "2012-10-17", "Statement": [program_invokes(), no_data_reads()]}


def render(repository: str, account_id: str, stack: str, state_bucket: str | None = None,
           member_role: str = MEMBER_PREVIEW_ROLE) -> dict[str, dict]:
    """File name -> policy document of one stack's roles (member_role: the stack's organization.preview_role_name)."""
    validate(repository, account_id, member_role)
    return {
        f"preview-{stack}-trust.json": github_trust(account_id, subject(repository, None,
                                                                         environment=preview_environment(stack))),
        f"preview-{stack}-permissions.json": preview_permissions(state_bucket, member_role),
        f"deploy-{stack}-trust.json": github_trust(account_id, subject(repository, stack)),
        f"drift-{stack}-trust.json": github_trust(account_id, drift_subject(repository)),
        f"drift-{stack}-permissions.json": preview_permissions(state_bucket, member_role),
        f"member-preview-{stack}-trust.json": member_preview_trust(account_id, stack),
        "member-preview-permissions.json": member_preview_permissions(),
        "github-oidc-subject.json": subject_template(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bootstrap.roles", description=__doc__.split("\n")[0])
    parser.add_argument("--repository", required=True, help="OWNER/NAME of the landing-zone repository")
    parser.add_argument("--account-id", help="the management account of the stack (single mode)")
    parser.add_argument("--stack", choices=STACKS, action="append", help="default: dev and prod")
    parser.add_argument("--state-bucket", help="S3 bucket of a self-managed Pulumi backend")
    parser.add_argument("--member-preview-role", default=MEMBER_PREVIEW_ROLE,
                        help="the stack's organization.preview_role_name (default: %(default)s)")
    parser.add_argument("--organization-stack", help="split mode: any stack of the organization, e.g. "
                        "prod.organization (its config gives the management account and the accounts)")
    parser.add_argument("--config-root", type=Path, default=Path("."), help="where the Pulumi.<stack>.yaml files are")
    parser.add_argument("--account-ids", type=Path, help="split mode: JSON {name: id} of the accounts the "
                        "organization stack created (`pulumi stack output accounts --stack <base>.organization --json`)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "policies")
    args = parser.parse_args(argv)
    try:
        documents, notes = (split_documents(args) if args.organization_stack else (single_documents(args), []))
    except BootstrapError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for name, document in sorted(documents.items()):
        (args.out / name).write_text(json.dumps(document, indent=2) + "\n")
    for note in notes:
        print(note, file=sys.stderr)
    print(f"wrote {len(documents)} policy documents to {args.out}")
    return 0


def single_documents(args: argparse.Namespace) -> dict[str, dict]:
    if not args.account_id:
        raise BootstrapError("--account-id: required (or --organization-stack for a split organization)")
    return {name: doc for stack in args.stack or STACKS
            for name, doc in render(args.repository, args.account_id, stack, args.state_bucket,
                                    args.member_preview_role).items()}


def split_documents(args: argparse.Namespace) -> tuple[dict[str, dict], list[str]]:
    """The documents of every stack of a split organization, and what the reader must know (pending, warnings)."""
    from bootstrap.split import read_account_ids, render_split
    from landing_zone.config import ConfigError
    from landing_zone.stack_graph import organization_of

    try:
        org = organization_of(args.organization_stack, args.config_root)
    except ConfigError as e:
        raise BootstrapError(f"--organization-stack: {'; '.join(e.errors)}") from None
    cfg, nodes = org.cfg, org.nodes
    if not org.split:
        raise BootstrapError(f"--organization-stack: {args.organization_stack} has no `landing-zone:stack`: it is a "
                             f"single-mode stack (use --stack and --account-id)")
    validate(args.repository, cfg.organization.management_account_id, args.member_preview_role)
    ids = read_account_ids(args.account_ids) if args.account_ids else {}
    rendering = render_split(args.repository, cfg, nodes, ids, args.state_bucket, args.member_preview_role)
    notes = [f"warning: {w}" for w in rendering.warnings]
    if rendering.pending:
        notes.append(f"pending (account id unknown until the organization stack's first `pulumi up`; then run again "
                     f"with --account-ids): {', '.join(rendering.pending)}")
    return rendering.documents, notes


if __name__ == "__main__":
    sys.exit(main())
