"""The access role (organization.access_role_name): assumable in every adopted account, and by whom after the RCP.

- An account adopted by `accounts[].account_id` must have the access role BEFORE it joins the organization (and before
  the first `pulumi up`): the guardrails SCP at the root lets nobody but the role itself create or change it, and the
  program's providers in that account assume it.
- With organization.access_role_assumers set, the data-perimeter RCP the first `pulumi up` attaches denies
  sts:AssumeRole on the access role in every member account to any other principal (ArnNotLike aws:PrincipalArn).
  Nothing live to check before that; but a caller outside the list locks itself out of the member accounts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from landing_zone.preflight.core import Context, Finding, check
from landing_zone.stacks import arn_like


@check("access-role")
def access_role(ctx: Context) -> Iterator[Finding]:
    adopted = [a for a in ctx.cfg.accounts if a.account_id]
    if not adopted:
        yield Finding("access-role", "pass", "no adopted account: the program creates every account with "
                      f"{ctx.cfg.organization.access_role_name}")
        return
    members = {a["Id"] for a in ctx.org_accounts}
    role = ctx.cfg.organization.access_role_name
    for account in adopted:
        where = f"{account.name} ({account.account_id})"
        if ctx.member_session(account.account_id) is None:
            yield Finding("access-role", "fail", f"{where}: cannot assume {role} (missing, not trusting the "
                          f"management account {ctx.caller_account}, or denied)",
                          f"in {account.account_id}, create role {role} trusting arn:aws:iam::{ctx.caller_account}:root "
                          "with AdministratorAccess BEFORE the account joins (afterwards the guardrails SCP forbids it); if "
                          "the data-perimeter RCP is attached already, run as one of organization.access_role_assumers")
        elif ctx.organization is not None and account.account_id not in members:
            yield Finding("access-role", "fail", f"{where}: {role} can be assumed, but the account is not in the "
                          "organization", "invite it (`aws organizations invite-account-to-organization`) and accept "
                          "the invitation from the account before `pulumi up`")
        else:
            yield Finding("access-role", "pass", f"{where}: {role} can be assumed")


def principal_arn(caller_arn: str, role_arn_with_path: str | None = None) -> str:
    """aws:PrincipalArn of the caller: an assumed-role session is its role's ARN (with the role's path, which the
    session ARN leaves out: SSO roles live under /aws-reserved/sso.amazonaws.com/), an IAM user its user ARN."""
    if role_arn_with_path:
        return role_arn_with_path
    match = re.fullmatch(r"arn:(?P<p>[\w-]+):sts::(?P<a>\d{12}):assumed-role/(?P<role>[^/]+)/.+", caller_arn)
    if match:
        return f"arn:{match['p']}:iam::{match['a']}:role/{match['role']}"
    return re.sub(r"^arn:([\w-]+):sts::(\d{12}):user/", r"arn:\1:iam::\2:user/", caller_arn)  # moto's user ARN


def _role_arn(ctx: Context) -> str | None:
    """The caller's role ARN with its path (iam:GetRole), or None when the caller is no role or it cannot be read."""
    from botocore.exceptions import ClientError

    match = re.fullmatch(r"arn:[\w-]+:sts::\d{12}:assumed-role/(?P<role>[^/]+)/.+", ctx.caller_arn)
    if not match:
        return None
    try:
        return ctx.client("iam", "us-east-1").get_role(RoleName=match["role"])["Role"]["Arn"]
    except ClientError:
        return None


@check("access-role-assumers")
def access_role_assumers(ctx: Context) -> Iterator[Finding]:
    assumers, role = ctx.cfg.organization.access_role_assumers, ctx.cfg.organization.access_role_name
    if not assumers:
        yield Finding("access-role-assumers", "pass", "organization.access_role_assumers is empty: the RCP does not "
                      f"restrict who assumes {role}")
        return
    principal = principal_arn(ctx.caller_arn, _role_arn(ctx))
    if any(arn_like(p, principal) for p in assumers):
        yield Finding("access-role-assumers", "pass", f"the caller {principal} is in organization.access_role_assumers")
        return
    yield Finding("access-role-assumers", "warn", f"the caller {principal} is not in organization.access_role_assumers "
                  f"({', '.join(assumers)}): once the first `pulumi up` attaches the data-perimeter RCP, it can no "
                  f"longer assume {role} in member accounts (neither `pulumi up` nor preflight's member reads)",
                  "run `pulumi up` as one of those principals (the pipeline's deploy role), or add this one's ARN")
