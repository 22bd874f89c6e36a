"""The frame of `lz preflight`: findings, the check registry, the AWS session and what several checks share.

A check is one function `(Context) -> Iterable[Finding]` registered with `@check("name")`; adding a check to the
table is writing one such function. Checks only read (Describe/List/Get); an AWS error inside a check becomes a
failed finding of that check, except a credential problem, which stops the whole run (exit 2: nothing was checked).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from landing_zone.models import Account, LandingZoneConfig
from landing_zone.plan_index import account_of, index_by_urn, provider_urn

Status = Literal["pass", "warn", "fail"]

# Errors that say "these credentials do not work at all", as opposed to "this call is not allowed".
CREDENTIAL_ERROR_CODES = frozenset({
    "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException",
    "SignatureDoesNotMatch", "InvalidSignatureException", "RequestExpired", "InvalidToken",
})  # fmt: skip
ACCESS_DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})


@dataclass(frozen=True)
class Finding:
    check: str
    status: Status
    detail: str
    action: str = ""
    commands: tuple[str, ...] = ()
    """Exact commands to run (e.g. `pulumi import ...`), printed after the table."""

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "commands": list(self.commands)}


class CredentialsProblem(Exception):
    """No usable credentials: preflight cannot say anything about the organization."""


def credentials_problem(exc: BaseException) -> CredentialsProblem | None:
    """The CredentialsProblem an exception from boto3 means, or None when it is an ordinary API error."""
    from botocore import exceptions as bx

    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return CredentialsProblem(f"no AWS credentials found ({exc}); set AWS_PROFILE, run `aws sso login`, "
                                  "or export the management account's credentials")
    if isinstance(exc, bx.ProfileNotFound):
        return CredentialsProblem(f"{exc}; check AWS_PROFILE and ~/.aws/config")
    if isinstance(exc, bx.TokenRetrievalError | bx.SSOError):
        return CredentialsProblem(f"the SSO session cannot give credentials ({exc}); run `aws sso login`")
    if isinstance(exc, bx.EndpointConnectionError | bx.ConnectTimeoutError):
        return CredentialsProblem(f"cannot reach AWS ({exc})")
    if isinstance(exc, bx.ClientError) and error_code(exc) in CREDENTIAL_ERROR_CODES:
        return CredentialsProblem(f"the AWS credentials were refused ({error_code(exc)}: "
                                  f"{exc.response.get('Error', {}).get('Message', '')}); refresh them")
    return None


def error_code(exc: BaseException) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", "")) if hasattr(exc, "response") else ""


# --- the check registry -------------------------------------------------------------------------------------------

CheckFn = Callable[["Context"], Iterable[Finding]]
CHECKS: dict[str, CheckFn] = {}


def check(name: str) -> Callable[[CheckFn], CheckFn]:
    """Register a check under `name` (its findings carry that name unless they say otherwise)."""

    def register(fn: CheckFn) -> CheckFn:
        CHECKS[name] = fn
        return fn

    return register


def run_checks(ctx: Context, names: Iterable[str] | None = None) -> list[Finding]:
    findings: list[Finding] = []
    for name in names or list(CHECKS):
        findings += run_one(ctx, name, CHECKS[name])
    return findings


def run_one(ctx: Context, name: str, fn: CheckFn) -> list[Finding]:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return list(fn(ctx))
    except (ClientError, BotoCoreError) as exc:
        problem = credentials_problem(exc)
        if problem:
            raise problem from None
        return [api_failure(name, exc)]
    except Exception as exc:  # noqa: BLE001 (a bug or an unexpected answer: that check fails, the others still run)
        return [Finding(name, "fail", f"the check itself failed: {type(exc).__name__}: {exc}",
                        "report it with this line; check this prerequisite by hand")]


def api_failure(name: str, exc: BaseException) -> Finding:
    code = error_code(exc)
    operation = getattr(exc, "operation_name", "") or "the call"
    if code in ACCESS_DENIED_CODES:
        return Finding(name, "fail", f"access denied to {operation}: could not be checked",
                       "run preflight with the management account's administrator (or read-only) credentials")
    return Finding(name, "fail", f"{operation} failed: {code or type(exc).__name__}: {exc}",
                   "fix the cause and run preflight again")


# --- context ------------------------------------------------------------------------------------------------------


@dataclass
class Context:
    """What the checks share: the config, the offline plan, a boto3 session of the management account's caller."""

    cfg: LandingZoneConfig
    plan: Mapping[str, Any]
    session: Any
    caller_account: str = ""
    caller_arn: str = ""
    """sts:GetCallerIdentity's Arn (an assumed-role session, an IAM user...)."""
    root: Path = Path(".")
    """Project root: relative files the config names (SAML metadata) are read from here."""
    clients: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    imported: list[dict] = field(default_factory=list)
    """Plan resources an import command was printed for (see imports.prepare_command)."""
    _member_sessions: dict[str, Any] = field(default_factory=dict)

    @property
    def home(self) -> str:
        return self.cfg.organization.home_region

    def client(self, service: str, region: str | None = None, account: str | None = None) -> Any:
        """A client in `region` (default home) of the caller's account, or of member `account` through the access
        role (None when that role cannot be assumed). Cached: tests put stubbed clients in `clients`."""
        region, account = region or self.home, account or self.caller_account
        key = (service, region, account)
        if key not in self.clients:
            session = self.session if account == self.caller_account else self.member_session(account)
            self.clients[key] = session.client(service, region_name=region) if session is not None else None
        return self.clients[key]

    # --- the organization as it is ---

    @functools.cached_property
    def organization(self) -> dict | None:
        """DescribeOrganization's Organization, or None when the caller's account is in no organization."""
        from botocore.exceptions import ClientError

        try:
            return self.client("organizations").describe_organization()["Organization"]
        except ClientError as exc:
            if error_code(exc) == "AWSOrganizationsNotInUseException":
                return None
            raise

    @functools.cached_property
    def org_accounts(self) -> list[dict]:
        if self.organization is None:
            return []
        pages = self.client("organizations").get_paginator("list_accounts").paginate()
        return [a for page in pages for a in page["Accounts"]]

    @functools.cached_property
    def existing_accounts(self) -> dict[str, str]:
        """Config account name -> id of the accounts that exist already: adopted by id, or found by e-mail."""
        by_email = {a["Email"].lower(): a["Id"] for a in self.org_accounts if a.get("Status") != "SUSPENDED"}
        found = {}
        for account in self.cfg.accounts:
            account_id = account.account_id or by_email.get(account.email.lower())
            if account_id:
                found[account.name] = account_id
        return found

    def account_with_role(self, role: str) -> Account:
        return self.cfg.account_with_role(role)

    def member_session(self, account_id: str) -> Any:
        """A session in a member account through the landing zone's access role (read-only use), or None."""
        import boto3
        from botocore.exceptions import ClientError

        if account_id == self.caller_account:
            return self.session
        if account_id not in self._member_sessions:
            role = f"arn:aws:iam::{account_id}:role/{self.cfg.organization.access_role_name}"
            try:
                creds = self.client("sts").assume_role(RoleArn=role, RoleSessionName="lz-preflight",
                                                       DurationSeconds=900)["Credentials"]
            except ClientError as exc:
                if credentials_problem(exc):
                    raise
                self._member_sessions[account_id] = None
            else:
                self._member_sessions[account_id] = boto3.Session(
                    aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                    aws_session_token=creds["SessionToken"])
        return self._member_sessions[account_id]

    # --- the plan ---

    @functools.cached_property
    def plan_index(self) -> dict[str, dict]:
        return index_by_urn(self.plan)

    @functools.cached_property
    def by_type(self) -> dict[str, list[dict]]:
        index: dict[str, list[dict]] = {}
        for r in self.plan.get("resources", []):
            index.setdefault(r.get("type"), []).append(r)
        return index

    def planned(self, type_: str, account: str | None = None, region: str | None = None) -> list[dict]:
        """Plan resources of a type, optionally in a config account ('management' for the management account)."""
        found = []
        for r in self.by_type.get(type_, []):
            if account is not None and account_of(self.plan_index, r) != account:
                continue
            if region is not None and self.region_of(r) != region:
                continue
            found.append(r)
        return found

    def region_of(self, resource: Mapping[str, Any]) -> str:
        provider = self.plan_index.get(provider_urn(resource.get("provider", "")), {})
        region = provider.get("inputs", {}).get("region")
        return region if isinstance(region, str) else ""
