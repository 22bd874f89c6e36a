"""Access analysis of every resource policy and sharing attribute (IAM-10, IAM-11), from one table.

POLICY_INPUTS says which input of which type holds a policy document; SHARING reads the attributes that share a
resource without a document (snapshot and AMI permissions, SSM document sharing, KMS grants, Lambda and EventBridge
permissions, function URLs, RAM shares). Whether a statement is open to the internet is policyuniverse's judgement
(Netflix's internet-accessibility analysis: principal and ARN wildcards, condition keys that pin an account,
organization, ARN, user id, network); iam.py only hands it the condition entries that apply whatever the request
(positive operators, not IfExists / ForAllValues, see iam.py) and the newer organization keys it does not know.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from policyuniverse.arn import ARN
from policyuniverse.statement import Statement

from . import iam
from .types import (
    ACCESS_POINT_POLICY,
    ACMPCA_POLICY,
    AMI_LAUNCH_PERMISSION,
    AMP_RESOURCE_POLICY,
    AUTH_POLICY,
    BUCKET_POLICY,
    CLUSTER_POLICY,
    CODEBUILD_RESOURCE_POLICY,
    CONTAINER_POLICY,
    DOMAIN,
    DOMAIN_PERMISSIONS,
    DOMAIN_POLICY,
    DSQL_CLUSTER_POLICY,
    ECRPUBLIC_REPOSITORY_POLICY,
    ELASTICSEARCH_DOMAIN,
    ELASTICSEARCH_DOMAIN_POLICY,
    EMAIL_IDENTITY_POLICY,
    EVENT_BUS_POLICY,
    EVENT_PERMISSION,
    FILE_SYSTEM_POLICY,
    GLUE_RESOURCE_POLICY,
    IDENTITY_POLICY,
    KINESIS_RESOURCE_POLICY,
    KMS_GRANT,
    KMS_KEY,
    KMS_KEY_POLICY,
    KMS_REPLICA_KEY,
    LAMBDA_FUNCTION_URL,
    LAMBDA_PERMISSION,
    LAMBDA_RESOURCE_POLICY,
    LOG_DESTINATION_POLICY,
    LOG_RESOURCE_POLICY,
    NETWORKFIREWALL_RESOURCE_POLICY,
    OBJECT_LAMBDA_ACCESS_POINT_POLICY,
    ORGANIZATIONS_RESOURCE_POLICY,
    QUEUE_POLICY,
    RAM_PRINCIPAL,
    RAM_SHARE,
    RDS_CLUSTER_SNAPSHOT,
    RDS_SNAPSHOT,
    REDSHIFT_RESOURCE_POLICY,
    REDSHIFTSERVERLESS_RESOURCE_POLICY,
    REGISTRY_POLICY,
    REPOSITORY_PERMISSIONS_POLICY,
    REPOSITORY_POLICY,
    RESOURCE_POLICY,
    REST_API,
    REST_API_POLICY,
    ROLE,
    S3CONTROL_BUCKET_POLICY,
    SCHEMAS_REGISTRY_POLICY,
    SECRET,
    SECRET_POLICY,
    SINK_POLICY,
    SNAPSHOT_CREATE_VOLUME_PERMISSION,
    SNS_TOPIC,
    SQS,
    SSM_DOCUMENT,
    TABLE_BUCKET_POLICY,
    TABLE_POLICY,
    TOPIC_POLICY,
    VAULT,
    VAULT_POLICY,
    VPC_ENDPOINT,
    VPC_ENDPOINT_POLICY,
    VPCLATTICE_RESOURCE_POLICY,
    XRAY_RESOURCE_POLICY,
)
from .values import as_list, dig, truthy

# Every type that carries a policy document, and the input holding it (pulumi-aws 7.x argument names).
POLICY_INPUTS = {
    BUCKET_POLICY: "policy", S3CONTROL_BUCKET_POLICY: "policy", ACCESS_POINT_POLICY: "policy",
    OBJECT_LAMBDA_ACCESS_POINT_POLICY: "policy", TABLE_BUCKET_POLICY: "resourcePolicy", TABLE_POLICY: "resourcePolicy",
    SNS_TOPIC: "policy", TOPIC_POLICY: "policy", SQS: "policy", QUEUE_POLICY: "policy",
    KMS_KEY: "policy", KMS_KEY_POLICY: "policy", KMS_REPLICA_KEY: "policy",
    REPOSITORY_POLICY: "policy", REGISTRY_POLICY: "policy", ECRPUBLIC_REPOSITORY_POLICY: "policy",
    SECRET: "policy", SECRET_POLICY: "policy",
    LOG_RESOURCE_POLICY: "policyDocument", LOG_DESTINATION_POLICY: "accessPolicy", EVENT_BUS_POLICY: "policy",
    VAULT_POLICY: "policy", VAULT: "accessPolicy", FILE_SYSTEM_POLICY: "policy",
    REST_API: "policy", REST_API_POLICY: "policy",
    DOMAIN: "accessPolicies", DOMAIN_POLICY: "accessPolicies", ELASTICSEARCH_DOMAIN: "accessPolicies",
    ELASTICSEARCH_DOMAIN_POLICY: "accessPolicies",
    RESOURCE_POLICY: "policy", KINESIS_RESOURCE_POLICY: "policy", GLUE_RESOURCE_POLICY: "policy",
    REPOSITORY_PERMISSIONS_POLICY: "policyDocument", DOMAIN_PERMISSIONS: "policyDocument",
    CODEBUILD_RESOURCE_POLICY: "policy", LAMBDA_RESOURCE_POLICY: "policy", CONTAINER_POLICY: "policy",
    CLUSTER_POLICY: "policy", NETWORKFIREWALL_RESOURCE_POLICY: "policy", SINK_POLICY: "policy",
    REDSHIFT_RESOURCE_POLICY: "policy", REDSHIFTSERVERLESS_RESOURCE_POLICY: "policy",
    SCHEMAS_REGISTRY_POLICY: "policy", IDENTITY_POLICY: "policy", EMAIL_IDENTITY_POLICY: "policy",
    AUTH_POLICY: "policy", VPCLATTICE_RESOURCE_POLICY: "policy", XRAY_RESOURCE_POLICY: "policyDocument",
    ACMPCA_POLICY: "policy", AMP_RESOURCE_POLICY: "policyDocument", DSQL_CLUSTER_POLICY: "policy",
    ORGANIZATIONS_RESOURCE_POLICY: "content", VPC_ENDPOINT: "policy", VPC_ENDPOINT_POLICY: "policy",
    ROLE: "assumeRolePolicy",  # public trusts are IAM-04's; IAM-10 judges trusts of accounts outside
}
PUBLIC_CHECKED = tuple(t for t in POLICY_INPUTS if t != ROLE)
ENDPOINT_TYPES = (VPC_ENDPOINT, VPC_ENDPOINT_POLICY)
# Keys policyuniverse does not know that pin the caller's organization as aws:PrincipalOrgID does; on a VPC endpoint
# policy, pinning the resource's organization or account limits what the endpoint reaches.
ORG_ALIASES = {"aws:sourceorgid": "aws:principalorgid", "aws:sourceorgpaths": "aws:principalorgpaths"}
ENDPOINT_ALIASES = {"aws:resourceorgid": "aws:principalorgid", "aws:resourceorgpaths": "aws:principalorgpaths",
                    "aws:resourceaccount": "aws:sourceaccount"}
POLICYUNIVERSE_OPERATORS = (*iam.POSITIVE_OPERATORS, "ipaddress")
# Conditions that keep a grant inside the organization (IAM-10); a trust may name a third party with sts:ExternalId.
ORG_KEYS = ("aws:principalorgid", "aws:principalorgpaths", "aws:sourceorgid", "aws:sourceorgpaths",
            "aws:resourceorgid")
TRUST_KEYS = ("sts:externalid",)
ACCOUNT_CONDITION_KEYS = ("aws:sourceaccount", "aws:principalaccount", "aws:sourceowner", "kms:calleraccount")
ARN_CONDITION_KEYS = ("aws:sourcearn", "aws:principalarn")
ACCOUNT_ID = re.compile(r"^(?:arn:[^:]+:(?:iam|sts)::)?(\d{12})(?::|$)")
EVERYONE = ("*", "all")


def analysed(statement: Mapping[str, Any], endpoint: bool = False) -> Statement:
    """The statement as policyuniverse sees it: only the condition entries that hold whatever the request."""
    aliases = {**ORG_ALIASES, **(ENDPOINT_ALIASES if endpoint else {})}
    condition: dict[str, dict[str, list[str]]] = {}
    for operator, key, values in iam.condition_entries(statement):
        base, limiting = iam.base_operator(operator)
        if not limiting or base not in POLICYUNIVERSE_OPERATORS or any(v.strip() in ("*", "") for v in values):
            continue  # a bare wildcard limits nothing (policyuniverse reads some keys' "*" as a name)
        if key == "kms:calleraccount" and not iam.pins(statement, "kms:viaservice"):
            continue  # one account's callers, but through any service: the pattern of AWS managed keys needs both
        block = condition.setdefault("IpAddress" if base == "ipaddress" else "StringEquals", {})
        block.setdefault(aliases.get(key, key), []).extend(values)
    return Statement({**statement, "Condition": condition})


def public_statements(type_: str, document: Any) -> Iterator[tuple[int, str]]:
    """(index, who) of every Allow statement of the document open to the internet."""
    endpoint = type_ in ENDPOINT_TYPES
    for i, statement in enumerate(iam.statements(document)):
        if statement.get("Effect") != "Allow" or not analysed(statement, endpoint).is_internet_accessible():
            continue
        if endpoint and "*" not in iam.resources(statement):
            continue  # an endpoint policy naming its resources limits what the endpoint reaches
        who = iam.allows_everyone(statement) or ", ".join(iam.principal_values(statement)) or "everyone"
        yield i, who


def account_of(value: str) -> str | None:
    """The account id of an account id, root or principal ARN (policyuniverse parses the ARN)."""
    match = ACCOUNT_ID.match(value)
    if match:
        return match[1]
    arn = ARN(value)
    return None if arn.error or not arn.account_number or arn.account_number == "*" else arn.account_number


def statement_accounts(statement: Mapping[str, Any], trust: bool) -> set[str] | None:
    """Accounts an Allow statement grants (principals and account or ARN conditions); None when a condition keeps it
    inside the organization (or, in a trust, names the third party with sts:ExternalId)."""
    keys = ORG_KEYS + (TRUST_KEYS if trust else ())
    if statement.get("Effect") != "Allow" or any(iam.pins(statement, key) for key in keys):
        return None
    values = iam.principal_values(statement, "AWS")
    for key in ACCOUNT_CONDITION_KEYS + ARN_CONDITION_KEYS:
        values += iam.positive_values(statement, key) or []
    return {a for a in (account_of(v) for v in values) if a}


@dataclass(frozen=True)
class Grant:
    """Access a sharing attribute gives: `grantee` is "*" (everyone), an account id or a principal ARN."""

    where: str
    grantee: str
    limited: bool = False  # a condition keeps it inside the organization


def _rds_snapshot(get: Callable) -> list[Grant]:
    return [Grant("sharedAccounts", str(a)) for a in as_list(get("sharedAccounts"))]


def _ssm_document(get: Callable) -> list[Grant]:
    ids = str(get("permissions", "accountIds", default="") or "")
    return [Grant("permissions.accountIds", a.strip()) for a in ids.split(",") if a.strip()]


def _volume_permission(get: Callable) -> list[Grant]:
    return [Grant("accountId", str(get("accountId")))] if get("accountId") else []


def _ami_permission(get: Callable) -> list[Grant]:
    grants = [Grant("accountId", str(get("accountId")))] if get("accountId") else []
    return grants + ([Grant("group", "*")] if str(get("group", default="")).lower() == "all" else [])


def _kms_grant(get: Callable) -> list[Grant]:
    return [Grant(k, str(get(k))) for k in ("granteePrincipal", "retiringPrincipal") if get(k)]


def _lambda_permission(get: Callable) -> list[Grant]:
    principal = str(get("principal", default=""))
    if principal.endswith(".amazonaws.com"):  # a service: sourceAccount / sourceArn say for whom
        return [Grant("sourceAccount", str(get("sourceAccount")))] if get("sourceAccount") else []
    limited = bool(get("principalOrgId")) or (principal == "*" and bool(get("sourceAccount") or get("sourceArn")))
    return [Grant("principal", principal, limited)]


def _event_permission(get: Callable) -> list[Grant]:
    org = str(get("condition", "key", default="")).lower() == "aws:principalorgid" and get("condition", "value")
    return [Grant("principal", str(get("principal", default="")), bool(org))]


def _function_url(get: Callable) -> list[Grant]:
    return [Grant("authorizationType NONE", "*")] if str(get("authorizationType", default="")) == "NONE" else []


def _ram_share(get: Callable) -> list[Grant]:
    return [Grant("allowExternalPrincipals", "*")] if truthy(get("allowExternalPrincipals", default=False)) else []


def _ram_principal(get: Callable) -> list[Grant]:
    principal = str(get("principal", default=""))
    return [] if ":organizations::" in principal else [Grant("principal", principal)]


SHARING: dict[str, Callable[[Callable], list[Grant]]] = {
    RDS_SNAPSHOT: _rds_snapshot, RDS_CLUSTER_SNAPSHOT: _rds_snapshot, SSM_DOCUMENT: _ssm_document,
    SNAPSHOT_CREATE_VOLUME_PERMISSION: _volume_permission, AMI_LAUNCH_PERMISSION: _ami_permission,
    KMS_GRANT: _kms_grant, LAMBDA_PERMISSION: _lambda_permission, EVENT_PERMISSION: _event_permission,
    LAMBDA_FUNCTION_URL: _function_url, RAM_SHARE: _ram_share, RAM_PRINCIPAL: _ram_principal,
}


def grants(type_: str, props: Mapping[str, Any]) -> list[Grant]:
    """The grants of a SHARING type's inputs (plain or pulumi-policy's proxies)."""
    reader = SHARING.get(type_)
    return reader(lambda *path, default=None: dig(props, *path, default=default)) if reader else []


def is_everyone(grant: Grant) -> bool:
    return grant.grantee.strip().lower() in EVERYONE and not grant.limited


