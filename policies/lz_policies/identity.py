"""Identity (CONTROLS.md §1, IAM-01..IAM-11). IAM documents are parsed (JSON string or object), never grepped.

IAM-09 (web-identity trusts), IAM-10 (trusts of accounts outside the organization, stack level: the accounts of the
organization are only known from the whole stack) and IAM-11 (resource policies of any type open to everyone) read
statements through `documents`, which knows which conditions actually limit the caller.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from . import iam
from .graph import Graph, Res
from .iam import action_matches, actions, allows, resources, statements
from .rules import Case, CaseResource, Param, ResourceRule, StackCase, StackRule
from .tags import STRICTEST_ENVIRONMENT
from .types import (
    ACCESS_KEY,
    ACCESS_POINT_POLICY,
    ACCOUNT_ASSIGNMENT,
    ACMPCA_POLICY,
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
    FILE_SYSTEM_POLICY,
    GLUE_RESOURCE_POLICY,
    GROUP_POLICY,
    IDENTITY_POLICY,
    INSTANCE,
    KINESIS_RESOURCE_POLICY,
    KMS_KEY,
    KMS_KEY_POLICY,
    KMS_REPLICA_KEY,
    LAMBDA_PERMISSION,
    LAMBDA_RESOURCE_POLICY,
    LAUNCH_TEMPLATE,
    LOG_DESTINATION_POLICY,
    LOG_RESOURCE_POLICY,
    NETWORKFIREWALL_RESOURCE_POLICY,
    OBJECT_LAMBDA_ACCESS_POINT_POLICY,
    ORG_ACCOUNT,
    ORGANIZATIONS_RESOURCE_POLICY,
    PERMISSION_SET,
    POLICY,
    QUEUE_POLICY,
    REDSHIFT_RESOURCE_POLICY,
    REDSHIFTSERVERLESS_RESOURCE_POLICY,
    REGISTRY_POLICY,
    REPOSITORY_PERMISSIONS_POLICY,
    REPOSITORY_POLICY,
    RESOURCE_POLICY,
    REST_API,
    REST_API_POLICY,
    ROLE,
    ROLE_ATTACHMENT,
    ROLE_POLICY,
    S3CONTROL_BUCKET_POLICY,
    SCHEMAS_REGISTRY_POLICY,
    SECRET,
    SECRET_POLICY,
    SINK_POLICY,
    SNS_TOPIC,
    SQS,
    SSO_INLINE,
    SSO_MANAGED,
    TABLE_BUCKET_POLICY,
    TABLE_POLICY,
    TOPIC_POLICY,
    USER,
    USER_POLICY,
    VAULT,
    VAULT_POLICY,
    VPC_ENDPOINT,
    VPC_ENDPOINT_POLICY,
    VPCLATTICE_RESOURCE_POLICY,
    XRAY_RESOURCE_POLICY,
)
from .values import UNKNOWN, as_list, cannot_verify, decode_json_string, dig, is_unknown
from .views import Subject

POLICY_TYPES = (POLICY, ROLE_POLICY, USER_POLICY, GROUP_POLICY, SSO_INLINE, ROLE)

RESTRICTABLE_ACTIONS = [
    "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:DeleteBucket", "kms:Decrypt", "kms:Encrypt",
    "kms:GenerateDataKey", "secretsmanager:GetSecretValue", "ssm:GetParameter", "ssm:GetParameters",
    "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "sqs:SendMessage", "sqs:ReceiveMessage",
    "sns:Publish", "lambda:InvokeFunction", "iam:PassRole", "sts:AssumeRole", "ecr:BatchGetImage",
    "logs:PutLogEvents", "rds:DeleteDBCluster", "ec2:TerminateInstances",
]
ESCALATION_ACTIONS = [
    "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:AttachUserPolicy", "iam:AttachRolePolicy",
    "iam:AttachGroupPolicy", "iam:PutUserPolicy", "iam:PutRolePolicy", "iam:PutGroupPolicy", "iam:CreateAccessKey",
    "iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:UpdateAssumeRolePolicy", "iam:AddUserToGroup",
    "iam:PassRole",
]
EXFILTRATION_ACTIONS = [
    "s3:GetObject", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath",
    "secretsmanager:GetSecretValue",
]


def documents(r: Subject) -> Iterator[tuple[str, object]]:
    """(where, policy document) of every permission policy the resource carries."""
    if r.type == ROLE:
        for i, inline in enumerate(as_list(r.get("inlinePolicies"))):
            yield f"inlinePolicies[{i}]", dig(inline, "policy")
    elif r.type == SSO_INLINE:
        yield "inlinePolicy", r.get("inlinePolicy")
    else:
        yield "policy", r.get("policy")


def allow_statements(r: Subject) -> Iterator[tuple[str, dict]]:
    for where, document in documents(r):
        for i, statement in enumerate(statements(document)):
            if allows(statement):
                yield f"{where} Statement[{i}]", statement


def _covers(statement: dict, action: str) -> bool:
    return any(action_matches(pattern, action) for pattern in actions(statement))


def _on_everything(statement: dict) -> bool:
    return "*" in resources(statement)


# IAM-01 ---------------------------------------------------------------------------------------------------------
def no_full_admin(r: Subject) -> Iterator[str]:
    for where, statement in allow_statements(r):
        if "*" in actions(statement) and _on_everything(statement):
            yield f"{where} allows Action \"*\" on Resource \"*\" (full admin); grant only the actions needed"


# IAM-02 ---------------------------------------------------------------------------------------------------------
def no_service_wildcards(r: Subject) -> Iterator[str]:
    for where, statement in allow_statements(r):
        wild = [a for a in actions(statement) if a != "*" and a.endswith(":*")]
        if wild:
            yield f"{where} allows service wildcards {wild}; list the actions the workload needs"
        if _on_everything(statement):
            hit = [a for a in r.cfg["restrictableActions"] if _covers(statement, a)]
            if hit and "*" not in actions(statement):
                yield (f"{where} allows {hit[:4]} on Resource \"*\"; these actions support resource ARNs, "
                       "name the resources")


# IAM-03 (stack) -------------------------------------------------------------------------------------------------
# A stack rule: whether a permission set reaches prod is only known from its account assignments and the
# environment of the accounts they target.
# AWS managed policies that read data (ReadOnlyAccess: s3:Get* reads every object, ssm:Get* parameter values,
# dynamodb:GetItem/Query/Scan, sqs:ReceiveMessage...): ViewOnlyAccess or a custom set is least privilege for people.
DATA_READING_POLICIES = [
    "arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess",
]


def no_administrator_access(s) -> Iterator[tuple[str | None, str]]:
    g = s.graph()
    unknown: list[str] = []
    for res in g.of_type(ROLE_ATTACHMENT, SSO_MANAGED):
        prop = "policyArn" if res.type == ROLE_ATTACHMENT else "managedPolicyArn"
        arn = res.get(prop)
        if is_unknown(arn):
            unknown.append(f"{res.name}.{prop}")
        elif str(arn or "").endswith(":policy/AdministratorAccess") and not (
                res.type == SSO_MANAGED and s.cfg["allowOnPermissionSets"]):
            yield res.urn, (f"{res.name}: AdministratorAccess is attached; attach a scoped policy (or PowerUserAccess "
                            "plus the IAM actions needed) instead")
    if unknown:
        raise cannot_verify(unknown)


def prod_permission_sets_do_not_read_data(s) -> Iterator[tuple[str | None, str]]:
    g = s.graph()
    unknown: list[str] = []
    environments = _account_environments(g)
    forbidden = {str(a) for a in s.cfg["dataReadingPolicies"]}
    reading: dict[str, list[str]] = {}  # permission set (URN or ARN) -> data-reading policies attached to it
    for attachment in g.of_type(SSO_MANAGED):
        arn = attachment.get("managedPolicyArn")
        if is_unknown(arn):
            unknown.append(f"{attachment.name}.managedPolicyArn")
        elif str(arn) in forbidden:
            for key in _permission_set_keys(g, attachment, unknown):
                reading.setdefault(key, []).append(str(arn).rsplit("/", 1)[-1])
    for assignment in g.of_type(ACCOUNT_ASSIGNMENT):
        policies = sorted({p for key in _permission_set_keys(g, assignment, []) for p in reading.get(key, [])})
        if not policies or assignment.get("targetType", "AWS_ACCOUNT") != "AWS_ACCOUNT":
            continue
        account, env = _target_environment(g, assignment, environments)
        if env is None and account is None:
            unknown.append(f"{assignment.name}.targetId")
        elif (env or STRICTEST_ENVIRONMENT) in list(s.cfg["dataEnvironments"]):
            yield assignment.urn, (f"{assignment.name} assigns a permission set with {', '.join(policies)} to "
                                   f"{env or 'untagged (counted as prod)'} account {account}: it reads data (S3 "
                                   "objects, parameters, table items); give people ViewOnlyAccess or a custom set "
                                   "there, data access through audited roles")
    if unknown:
        raise cannot_verify(unknown)


def _permission_set_keys(g: Graph, res: Res, unknown: list[str]) -> set[str]:
    """What identifies the permission set `res.permissionSetArn` names: its ARN, and the resource's URN."""
    keys = {p.urn for p in g.resolve(res, "permissionSetArn", (PERMISSION_SET,))}
    arn = res.get("permissionSetArn")
    if isinstance(arn, str) and not is_unknown(arn):
        keys.add(arn)
    elif not keys:
        unknown.append(f"{res.name}.permissionSetArn")
    return keys


def _target_environment(g: Graph, assignment: Res,
                        environments: dict[str, str]) -> tuple[str | None, str | None]:
    """(account id or name, environment) of an assignment's target: the organizations/account it names (its own
    environment tag), else the environment of the provider deploying to that account id."""
    for account in g.resolve(assignment, "targetId", (ORG_ACCOUNT,)):
        env = account.tags.get("environment")
        if isinstance(env, str) and not is_unknown(env):
            return account.name, env
    target = assignment.get("targetId")
    if isinstance(target, str) and not is_unknown(target):
        return target, environments.get(target)
    return None, None


def _account_environments(g: Graph) -> dict[str, str]:
    """Account id -> environment, from the providers (allowedAccountIds / assumed role) and their default tags."""
    found: dict[str, str] = {}
    seen: set[int] = set()
    for res in g.resources:  # each resource's provider, as IAM-10 reads them (one pass per distinct provider)
        props = g.provider_props(res)
        env = g.provider_tags(res).get("environment") if id(props) not in seen else None
        seen.add(id(props))
        for account in _provider_accounts(props) if env else ():
            found.setdefault(account, env)
    return found


# IAM-04 ---------------------------------------------------------------------------------------------------------
def trust_not_public(r: Subject) -> Iterator[str]:
    if r.type != ROLE:
        return
    for i, statement in enumerate(statements(r.get("assumeRolePolicy"))):
        # A Condition that does not limit the caller (aws:SecureTransport, an ...IfExists) does not make it private.
        if iam.allows_everyone(statement) and not iam.limits_callers(statement, ("sts:externalid",)):
            yield (f"assumeRolePolicy Statement[{i}] trusts everyone ({iam.allows_everyone(statement)}) without a "
                   "condition that limits the caller; name the account, role or service that may assume the role, "
                   "or add aws:PrincipalOrgID")


def no_escalation_or_exfiltration(r: Subject) -> Iterator[str]:
    for where, statement in allow_statements(r):
        if not _on_everything(statement) or "*" in actions(statement):
            continue  # "*" on "*" is IAM-01's finding
        escalation = [a for a in ESCALATION_ACTIONS if _covers(statement, a)]
        if escalation:
            yield f"{where} allows privilege escalation {escalation[:4]} on Resource \"*\"; scope or remove them"
        exfiltration = [a for a in EXFILTRATION_ACTIONS if _covers(statement, a)]
        if exfiltration and not statement.get("Condition"):
            yield f"{where} allows data exfiltration {exfiltration[:3]} on Resource \"*\"; name the resources"


# IAM-05 ---------------------------------------------------------------------------------------------------------
def no_kms_decrypt_on_all_keys(r: Subject) -> Iterator[str]:
    for where, statement in allow_statements(r):
        if _on_everything(statement) and _covers(statement, "kms:Decrypt") and not statement.get("Condition"):
            yield (f"{where} allows kms:Decrypt on every key (Resource \"*\"); name the key ARNs or add a "
                   "kms:ViaService condition")


# IAM-06 ---------------------------------------------------------------------------------------------------------
def no_iam_users(r: Subject) -> Iterator[str]:
    if r.type == USER and str(r.get("name", default=r.name)) in list(r.cfg["allowedUsers"]):
        return
    what = "IAM user" if r.type == USER else "IAM access key"
    yield f"an {what} is defined; use IAM Identity Center (people) or roles (workloads) instead of long-lived users"


# IAM-07 ---------------------------------------------------------------------------------------------------------
def imdsv2_required(r: Subject) -> Iterator[str]:
    options = r.get("metadataOptions", default={})
    if str(dig(options, "httpEndpoint", default="enabled")) == "disabled":
        return
    if dig(options, "httpTokens") != "required":
        yield "metadataOptions.httpTokens is not \"required\"; enforce IMDSv2 (httpTokens=\"required\")"
    hops = dig(options, "httpPutResponseHopLimit")
    if hops is not None and int(hops) > int(r.cfg["maxHopLimit"]):
        yield (f"metadataOptions.httpPutResponseHopLimit={hops} above {int(r.cfg['maxHopLimit'])}; lower it so "
               "containers cannot reach the instance credentials")


# IAM-08 ---------------------------------------------------------------------------------------------------------
def instance_has_profile(r: Subject) -> Iterator[str]:
    if not r.get("iamInstanceProfile"):
        yield "no iamInstanceProfile; attach a least-privilege instance profile (SSM needs one)"


# IAM-09 ---------------------------------------------------------------------------------------------------------
# An OIDC trust is only as narrow as its conditions: without `<issuer>:aud` any token the issuer mints for another
# audience works, without `<issuer>:sub` every identity of the issuer (every GitHub repository in the world, every
# service account of the cluster) may assume the role.
GITHUB_ISSUER = "token.actions.githubusercontent.com"
COGNITO_ISSUER = "cognito-identity.amazonaws.com"
EKS_ISSUER = re.compile(r"^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/id/", re.I)
GITHUB_SUBJECT = re.compile(r"^repo:(?P<owner>[^/:]*)/(?P<repo>[^:]*):(?P<context>.*)$")
EKS_SUBJECT = re.compile(r"^system:serviceaccount:(?P<namespace>[^:]*):(?P<account>[^:]+)$")
WILDCARDS = re.compile(r"[*?]")


def _issuer(federated: str) -> str | None:
    """The OIDC issuer (host/path) of a Federated principal; None for a SAML provider."""
    if ":saml-provider/" in federated:
        return None
    return federated.split(":oidc-provider/", 1)[1] if ":oidc-provider/" in federated else federated


def web_identity_trusts(r: Subject) -> Iterator[tuple[int, dict, str]]:
    """(index, statement, issuer) of every Allow statement of the trust policy that a web identity can use."""
    for i, statement in enumerate(statements(r.get("assumeRolePolicy"))):
        if not allows(statement):
            continue
        for federated in iam.principal_values(statement, "Federated"):
            issuer = _issuer(federated)  # every Federated principal but a SAML provider is a web identity
            if issuer is not None:
                yield i, statement, issuer


def web_identity_pinned(r: Subject) -> Iterator[str]:
    for i, statement, issuer in web_identity_trusts(r):
        where = f"assumeRolePolicy Statement[{i}] ({issuer})"
        if not iam.pins(statement, f"{issuer}:aud"):
            yield (f"{where} has no audience condition; add StringEquals \"{issuer}:aud\": "
                   f"\"{_expected_audience(issuer)}\"")
        elif _expected_audience(issuer) == "sts.amazonaws.com" and iam.positive_values(
                statement, f"{issuer}:aud") != ["sts.amazonaws.com"]:
            yield f"{where} accepts audience {iam.positive_values(statement, f'{issuer}:aud')}; require sts.amazonaws.com"
        subject_key = "amr" if issuer == COGNITO_ISSUER else "sub"
        subjects = iam.positive_values(statement, f"{issuer}:{subject_key}")
        if not iam.pins(statement, f"{issuer}:{subject_key}"):
            yield (f"{where} has no subject condition (\"{issuer}:{subject_key}\"), so every identity of the issuer "
                   f"can assume the role; {_subject_hint(issuer)}")
        elif issuer == GITHUB_ISSUER:
            yield from (f"{where}: {problem}" for problem in _github_subject_problems(subjects or [], r.strict_env,
                                                                                   r.cfg))
        elif EKS_ISSUER.match(issuer):
            yield from (f"{where}: {problem}" for problem in _eks_subject_problems(subjects or []))


def one_repository_per_role(r: Subject) -> Iterator[str]:
    """A role several GitHub repositories may assume lets each deploy the other's services (and pass the other's task
    roles): one deployment role per repository."""
    repositories = sorted({f"{m['owner']}/{m['repo']}" for _, statement, issuer in web_identity_trusts(r)
                           if issuer == GITHUB_ISSUER
                           for subject in iam.positive_values(statement, f"{issuer}:sub") or []
                           if (m := GITHUB_SUBJECT.match(subject)) and m["owner"] and m["repo"]})
    if len(repositories) > 1:
        yield (f"assumeRolePolicy trusts {len(repositories)} GitHub repositories ({', '.join(repositories)}): each "
               "can deploy the other's services with this role; give every repository its own role scoped to its own "
               "resources")


def _expected_audience(issuer: str) -> str:
    if issuer == COGNITO_ISSUER:
        return "<identity pool id>"
    return "sts.amazonaws.com" if issuer == GITHUB_ISSUER or EKS_ISSUER.match(issuer) else "<client id>"


def _subject_hint(issuer: str) -> str:
    if issuer == GITHUB_ISSUER:
        return "add StringEquals \"token.actions.githubusercontent.com:sub\": \"repo:ORG/REPO:environment:NAME\""
    if EKS_ISSUER.match(issuer):
        return f"add StringEquals \"{issuer}:sub\": \"system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT\""
    return f"add a StringEquals condition on \"{issuer}:sub\" naming the identities allowed"


def _github_subject_problems(subjects: list[str], env: str, cfg: Mapping[str, Any]) -> Iterator[str]:
    pinned_envs = list(cfg["environmentPinnedIn"])
    for subject in subjects:
        match = GITHUB_SUBJECT.match(subject)
        if match is None or not match["owner"] or not match["repo"] or WILDCARDS.search(
                f"{match['owner']}/{match['repo']}"):
            yield (f"subject {subject!r} does not name one repository (wildcard or missing organization/repository "
                   "part); use \"repo:ORG/REPO:...\" without wildcards before the context")
        elif env in pinned_envs and not re.fullmatch(r"environment:[^*?]+", match["context"]):
            yield (f"{env} role trusts subject {subject!r}, which is not pinned to a GitHub environment (branch and "
                   "pull-request subjects skip the environment's reviewers); use "
                   f"\"repo:{match['owner']}/{match['repo']}:environment:{env}\"")


def _eks_subject_problems(subjects: list[str]) -> Iterator[str]:
    for subject in subjects:
        match = EKS_SUBJECT.match(subject)
        if match is None or not match["namespace"] or WILDCARDS.search(match["namespace"]):
            yield (f"subject {subject!r} does not name a service account in one namespace; use "
                   "\"system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT\" without a wildcard in the namespace")


# IAM-10 (stack) -------------------------------------------------------------------------------------------------
# Which accounts belong to the organization is only known from the whole stack: the accounts it creates
# (organizations/account ids), the accounts its providers deploy to (allowedAccountIds, assumed role ARNs) and the
# organization accounts the stack config names (management_account_id, account ids of adopted accounts).
ACCOUNT_ID = re.compile(r"^(?:arn:[^:]+:(?:iam|sts)::)?(\d{12})(?::|$)")
OUTSIDE_LIMITING_KEYS = ("sts:externalid", "aws:principalorgid", "aws:principalorgpaths")


def trusts_outside_organization(s) -> Iterator[tuple[str | None, str]]:
    g = s.graph()
    inside = _organization_accounts(g, s.cfg)
    unknown: list[str] = []
    for role in g.of_type(ROLE):
        policy = role.get("assumeRolePolicy")
        if is_unknown(policy):
            unknown.append(f"{role.name}.assumeRolePolicy")
            continue
        for i, statement in enumerate(statements(policy)):
            if not allows(statement) or any(iam.pins(statement, key) for key in OUTSIDE_LIMITING_KEYS):
                continue
            outside = sorted({a for a in _trusted_accounts(statement) if a not in inside})
            if outside:
                yield role.urn, (f"{role.name} assumeRolePolicy Statement[{i}] trusts account(s) {', '.join(outside)} "
                                 "outside the organization without sts:ExternalId; add StringEquals sts:ExternalId "
                                 "(a third party) or aws:PrincipalOrgID, or list the account in the stack config")
    if unknown:
        raise cannot_verify(unknown)


def _trusted_accounts(statement: Mapping[str, Any]) -> list[str]:
    accounts = []
    for value in iam.principal_values(statement, "AWS"):
        match = ACCOUNT_ID.match(value)
        if match:
            accounts.append(match[1])
    return accounts


def _organization_accounts(g: Graph, cfg: Mapping[str, Any]) -> set[str]:
    inside = {str(a) for a in cfg["organizationAccountIds"]}
    inside.update(a.id for a in g.of_type(ORG_ACCOUNT) if a.id and not is_unknown(a.id))
    seen: set[int] = set()
    for res in g.resources:
        props = g.provider_props(res)
        if id(props) in seen:
            continue
        seen.add(id(props))
        inside.update(_provider_accounts(props))
    return inside


def _provider_accounts(props: Mapping[str, Any]) -> set[str]:
    found: set[str] = set()
    for key in ("allowedAccountIds", "assumeRoles", "assumeRole"):
        value = decode_json_string(props.get(key))
        for item in value if isinstance(value, list) else [value]:
            text = item.get("roleArn") if isinstance(item, Mapping) else item
            match = ACCOUNT_ID.match(text) if isinstance(text, str) else None
            if match:
                found.add(match[1])
    return found


# IAM-11 ---------------------------------------------------------------------------------------------------------
# Resource policies, by type and the property that carries the document (pulumi-aws 7.x argument names).
RESOURCE_POLICY_PROPS = {
    BUCKET_POLICY: "policy",
    S3CONTROL_BUCKET_POLICY: "policy",
    ACCESS_POINT_POLICY: "policy",
    OBJECT_LAMBDA_ACCESS_POINT_POLICY: "policy",
    TABLE_BUCKET_POLICY: "resourcePolicy",
    TABLE_POLICY: "resourcePolicy",
    SNS_TOPIC: "policy",
    TOPIC_POLICY: "policy",
    SQS: "policy",
    QUEUE_POLICY: "policy",
    KMS_KEY: "policy",
    KMS_KEY_POLICY: "policy",
    KMS_REPLICA_KEY: "policy",
    REPOSITORY_POLICY: "policy",
    REGISTRY_POLICY: "policy",
    ECRPUBLIC_REPOSITORY_POLICY: "policy",
    SECRET: "policy",
    SECRET_POLICY: "policy",
    LOG_RESOURCE_POLICY: "policyDocument",
    LOG_DESTINATION_POLICY: "accessPolicy",
    EVENT_BUS_POLICY: "policy",
    VAULT_POLICY: "policy",
    VAULT: "accessPolicy",
    FILE_SYSTEM_POLICY: "policy",
    REST_API: "policy",
    REST_API_POLICY: "policy",
    DOMAIN: "accessPolicies",
    DOMAIN_POLICY: "accessPolicies",
    ELASTICSEARCH_DOMAIN: "accessPolicies",
    ELASTICSEARCH_DOMAIN_POLICY: "accessPolicies",
    RESOURCE_POLICY: "policy",
    KINESIS_RESOURCE_POLICY: "policy",
    GLUE_RESOURCE_POLICY: "policy",
    REPOSITORY_PERMISSIONS_POLICY: "policyDocument",
    DOMAIN_PERMISSIONS: "policyDocument",
    CODEBUILD_RESOURCE_POLICY: "policy",
    LAMBDA_RESOURCE_POLICY: "policy",
    CONTAINER_POLICY: "policy",
    CLUSTER_POLICY: "policy",
    NETWORKFIREWALL_RESOURCE_POLICY: "policy",
    SINK_POLICY: "policy",
    REDSHIFT_RESOURCE_POLICY: "policy",
    REDSHIFTSERVERLESS_RESOURCE_POLICY: "policy",
    SCHEMAS_REGISTRY_POLICY: "policy",
    IDENTITY_POLICY: "policy",
    EMAIL_IDENTITY_POLICY: "policy",
    AUTH_POLICY: "policy",
    VPCLATTICE_RESOURCE_POLICY: "policy",
    XRAY_RESOURCE_POLICY: "policyDocument",
    ACMPCA_POLICY: "policy",
    AMP_RESOURCE_POLICY: "policyDocument",
    DSQL_CLUSTER_POLICY: "policy",
    ORGANIZATIONS_RESOURCE_POLICY: "content",
    VPC_ENDPOINT: "policy",
    VPC_ENDPOINT_POLICY: "policy",
}
ENDPOINT_TYPES = (VPC_ENDPOINT, VPC_ENDPOINT_POLICY)
# An endpoint policy limits what can be reached through the endpoint: naming the organization's resources limits it.
RESOURCE_LIMITING_KEYS = ("aws:resourceorgid", "aws:resourceorgpaths", "aws:resourceaccount")


def resource_policy_not_public(r: Subject) -> Iterator[str]:
    if r.type == LAMBDA_PERMISSION:
        yield from _lambda_permission_not_public(r)
        return
    prop = RESOURCE_POLICY_PROPS[r.type]
    for i, statement in enumerate(statements(r.get(prop))):
        everyone = iam.allows_everyone(statement)
        if everyone is None or iam.limits_callers(statement):
            continue
        if r.type in ENDPOINT_TYPES and (any(iam.pins(statement, k) for k in RESOURCE_LIMITING_KEYS)
                                         or "*" not in resources(statement)):
            continue
        yield (f"{prop} Statement[{i}] allows {everyone} without a condition that limits callers; add "
               "aws:PrincipalOrgID (or aws:SourceAccount / aws:SourceArn for an AWS service), or name the principals")


# Log-delivery services write under their own prefix of a shared log bucket; a statement granting them the whole
# bucket lets delivery for one source (any account's flow logs) write into another's prefix (the CloudTrail logs).
OBJECT_ARN = re.compile(r"^arn:[^:]*:s3:::(?P<bucket>[^/]+)/(?P<key>.*)$")


def delivery_scoped_to_prefix(r: Subject) -> Iterator[str]:
    if r.type != BUCKET_POLICY:
        return
    services = {str(x).lower() for x in r.cfg["prefixScopedServices"]}
    for i, statement in enumerate(statements(r.get("policy"))):
        writers = sorted(v for v in iam.principal_values(statement, "Service") if v.lower() in services)
        if not allows(statement) or not writers or not iam.covers_action(statement, "s3:PutObject"):
            continue
        whole = [arn for arn in resources(statement) if _whole_bucket(arn)]
        if whole:
            yield (f"policy Statement[{i}] lets {', '.join(writers)} write s3:PutObject on {', '.join(whole)}, the "
                   "whole bucket: scope each delivery service to its own prefix (e.g. "
                   "arn:aws:s3:::BUCKET/vpc-flow-logs/AWSLogs/ACCOUNT/*) so it cannot write over other logs")


def _whole_bucket(arn: str) -> bool:
    """An object ARN whose key pattern starts with a wildcard ("bucket/*", "bucket/*/AWSLogs/*"), or "*"."""
    if arn.strip() == "*":
        return True
    match = OBJECT_ARN.match(arn)
    return bool(match) and (match["key"] == "" or match["key"].startswith("*"))


def _lambda_permission_not_public(r: Subject) -> Iterator[str]:
    if str(r.get("principal", default="")) != "*":
        return
    if not any(r.get(key) for key in ("sourceAccount", "sourceArn", "principalOrgId")):
        yield ("principal=\"*\" lets any account invoke the function; name the principal, or set principalOrgId, "
               "sourceAccount or sourceArn")


def _doc(*statements_) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements_)})


def _allow(action, resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


BUCKET_ARN = "arn:aws:s3:::app-bucket/*"
KEY_ARN = "arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000001"
EC2_TRUST = _doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})

EKS_OIDC = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE0000000000000000000000000"


def _oidc_trust(issuer, sub="repo:example-org/app:environment:prod", aud="sts.amazonaws.com", operator="StringEquals",
                federated=None):
    condition = {}
    if aud is not None:
        condition.setdefault("StringEquals", {})[f"{issuer}:aud"] = aud
    if sub is not None:
        condition.setdefault(operator, {})[f"{issuer}:sub"] = sub
    principal = federated or f"arn:aws:iam::111111111111:oidc-provider/{issuer}"
    return _doc({"Effect": "Allow", "Principal": {"Federated": principal}, "Action": "sts:AssumeRoleWithWebIdentity",
                 **({"Condition": condition} if condition else {})})


def _account_trust(principal, condition=None):
    return _doc({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole",
                 **({"Condition": condition} if condition else {})})


def _public(condition=None):
    return _doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "*", "Resource": "*",
                 **({"Condition": condition} if condition else {})})


_SSO = "arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-"


def _permission_set(name: str, policy: str, account: str = "222222222222", env: str | None = "prod",
                    by_reference: bool = False) -> tuple[CaseResource, ...]:
    """A permission set with one managed policy, assigned to an organizations/account of environment `env`."""
    arn = f"{_SSO}{name}"
    target = {"targetId": UNKNOWN} if by_reference else {"targetId": account}
    return (
        CaseResource(PERMISSION_SET, name, {"name": name, "arn": arn}, env="core"),
        CaseResource(SSO_MANAGED, f"{name}-policy", {"instanceArn": "i", "permissionSetArn": arn,
                                            "managedPolicyArn": f"arn:aws:iam::aws:policy/{policy}"}, env="core"),
        CaseResource(ORG_ACCOUNT, f"account-{account}", {"id": account, "name": account,
                                                "tags": {"environment": env} if env else {}}, env="core"),
        CaseResource(ACCOUNT_ASSIGNMENT, f"{name}-to-{account}", {"instanceArn": "i", "permissionSetArn": arn,
                                                         "principalId": "g", "principalType": "GROUP",
                                                         "targetType": "AWS_ACCOUNT", **target}, env="core",
            property_deps={"targetId": (f"account-{account}",)} if by_reference else {}),
    )


IAM03_CASES = (
    StackCase((CaseResource(ROLE_ATTACHMENT, "admin", {"role": "r", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),),
              violates=True),
    StackCase(_permission_set("admins", "AdministratorAccess", env="core"), violates=True),
    StackCase((CaseResource(ROLE_ATTACHMENT, "ro", {"role": "r", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),),
              violates=False, note="a role, not people in prod"),
    StackCase(_permission_set("admins", "AdministratorAccess", env="core"), config={"allowOnPermissionSets": True},
              violates=False),
    StackCase(_permission_set("developers", "ReadOnlyAccess"), violates=True,
              note="ReadOnlyAccess assigned to a prod account"),
    StackCase(_permission_set("developers", "ReadOnlyAccess", by_reference=True), violates=True,
              note="preview: the account id is unknown, the property dependency names the prod account"),
    StackCase(_permission_set("developers", "ReadOnlyAccess", env=None), violates=True,
              note="untagged account: strictest"),
    StackCase(_permission_set("developers", "ViewOnlyAccess"), violates=False),
    StackCase(_permission_set("developers", "ReadOnlyAccess", env="nonprod"), violates=False),
    StackCase((CaseResource(SSO_MANAGED, "x", {"instanceArn": "i", "permissionSetArn": "p", "managedPolicyArn": UNKNOWN}),),
              violates=False, unknown=True),
)


RULES = [
    ResourceRule(
        id="IAM-01", name="iam-01-no-full-admin-policies",
        title="No policy allows * on *",
        description="IAM policies, role inline policies and Identity Center inline policies never Allow "
                    "Action \"*\" on Resource \"*\".",
        refs="CIS 1.16; SH IAM.1; CKV_AWS_62",
        types=POLICY_TYPES, checks=(no_full_admin,),
        cases=(
            Case({"policy": _doc(_allow("*"))}, violates=True),
            Case({"role": "r", "policy": {"Version": "2012-10-17", "Statement": _allow(["*"], ["*"])}},
                 type=ROLE_POLICY, violates=True, note="object document, Statement as dict"),
            Case({"instanceArn": "i", "permissionSetArn": "p", "inlinePolicy": _doc(_allow("*"))}, type=SSO_INLINE,
                 violates=True),
            Case({"assumeRolePolicy": EC2_TRUST, "inlinePolicies": [{"name": "x", "policy": _doc(_allow("*"))}]},
                 type=ROLE, violates=True),
            Case({"policy": _doc(_allow("s3:GetObject", BUCKET_ARN))}, violates=False),
            Case({"policy": _doc({"Effect": "Deny", "Action": "*", "Resource": "*"})}, violates=False),
        ),
    ),
    ResourceRule(
        id="IAM-02", name="iam-02-no-service-wildcards",
        title="No service-wide action wildcards; resource-scoped actions name their resources",
        description="Allow statements do not use \"svc:*\" actions, and actions that support resource-level "
                    "permissions (`restrictableActions`) are not granted on Resource \"*\".",
        refs="SH IAM.21; CKV_AWS_63, CKV_AWS_355",
        types=POLICY_TYPES, checks=(no_service_wildcards,),
        params={"restrictableActions": Param("array", RESTRICTABLE_ACTIONS,
                                             "actions that must name resources, never \"*\"", items="string")},
        cases=(
            Case({"policy": _doc(_allow("s3:*", BUCKET_ARN))}, violates=True),
            Case({"policy": _doc(_allow(["sqs:SendMessage"], "*"))}, violates=True),
            Case({"policy": _doc(_allow(["ec2:DescribeInstances", "s3:GetObject"], BUCKET_ARN),
                                 _allow("ec2:DescribeInstances"))}, violates=False),
        ),
    ),
    StackRule(
        id="IAM-03", name="iam-03-no-administrator-access",
        title="AdministratorAccess is not attached; people in prod get no data-reading managed policy",
        description="Roles and Identity Center permission sets do not get the AWS managed AdministratorAccess "
                    "policy (`allowOnPermissionSets` opts a break-glass permission set in). A permission set with a "
                    "data-reading AWS managed policy (`dataReadingPolicies`: ReadOnlyAccess reads every S3 object and "
                    "parameter) is not assigned to an account of `dataEnvironments` (the environment tag of the "
                    "organizations/account the assignment targets, else of the providers deploying to that account "
                    "id; untagged counts as prod): ViewOnlyAccess or a custom set there. A stack rule because only "
                    "the assignments say where a permission set applies.",
        refs="CKV_AWS_274; AWS managed policies for job functions (ViewOnlyAccess)",
        checks=(no_administrator_access, prod_permission_sets_do_not_read_data),
        params={"allowOnPermissionSets": Param("boolean", False,
                                               "accept AdministratorAccess on Identity Center permission sets"),
                "dataReadingPolicies": Param("array", DATA_READING_POLICIES, "AWS managed policies that read data",
                                             items="string"),
                "dataEnvironments": Param("array", ["prod"], "environments where people get no data-reading policy",
                                          items="string")},
        cases=IAM03_CASES,
    ),
    ResourceRule(
        id="IAM-04", name="iam-04-no-public-trust-or-escalation",
        title="Roles are not assumable by anyone; policies do not allow escalation or exfiltration on *",
        description="Trust policies never Allow everyone (Principal \"*\", NotPrincipal) without a condition that "
                    "limits the caller (aws:PrincipalOrgID, aws:PrincipalArn, sts:ExternalId...; aws:SecureTransport "
                    "or MFA do not; web-identity trusts are IAM-09's); permission policies do not "
                    "grant privilege-escalation actions (iam:PassRole, iam:PutRolePolicy, iam:CreatePolicyVersion...) "
                    "or data-exfiltration actions (s3:GetObject, secretsmanager:GetSecretValue...) on Resource \"*\".",
        refs="CKV_AWS_60, CKV_AWS_61, CKV_AWS_286-290",
        types=POLICY_TYPES, checks=(trust_not_public, no_escalation_or_exfiltration),
        cases=(
            Case({"assumeRolePolicy": _doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})},
                 type=ROLE, violates=True),
            Case({"policy": _doc(_allow(["iam:PassRole", "ec2:RunInstances"]))}, violates=True),
            Case({"policy": _doc(_allow("secretsmanager:GetSecretValue"))}, violates=True),
            Case({"assumeRolePolicy": _doc({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
                                            "Condition": {"Bool": {"aws:SecureTransport": "true"}}})},
                 type=ROLE, violates=True, note="a condition that does not limit the caller"),
            Case({"assumeRolePolicy": _doc({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
                                            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg1"}}})},
                 type=ROLE, violates=False),
            Case({"assumeRolePolicy": EC2_TRUST}, type=ROLE, violates=False),
            Case({"policy": _doc(_allow("iam:PassRole", "arn:aws:iam::111111111111:role/app"))}, violates=False),
        ),
    ),
    ResourceRule(
        id="IAM-05", name="iam-05-no-kms-decrypt-on-all-keys",
        title="kms:Decrypt is not granted on every key",
        description="IAM policies do not Allow kms:Decrypt (or kms:*) on Resource \"*\" without a condition such "
                    "as kms:ViaService.",
        refs="SH KMS.1, KMS.2",
        types=POLICY_TYPES, checks=(no_kms_decrypt_on_all_keys,),
        cases=(
            Case({"policy": _doc(_allow("kms:Decrypt"))}, violates=True),
            Case({"policy": _doc(_allow("kms:*"))}, violates=True),
            Case({"policy": _doc(_allow("kms:Decrypt", KEY_ARN))}, violates=False),
            Case({"policy": _doc(_allow("kms:Decrypt", Condition={
                "StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}))}, violates=False),
        ),
    ),
    ResourceRule(
        id="IAM-06", name="iam-06-no-iam-users",
        title="No IAM users or access keys",
        description="People use IAM Identity Center and workloads use roles; iam.User and iam.AccessKey are not "
                    "created (`allowedUsers` lists justified exceptions by name).",
        refs="CIS 1.21, 1.15; CKV_AWS_273, CKV_AWS_40",
        types=(USER, ACCESS_KEY), checks=(no_iam_users,),
        params={"allowedUsers": Param("array", [], "IAM user names accepted as exceptions", items="string")},
        cases=(
            Case({"name": "deploy"}, violates=True),
            Case({"user": "deploy"}, type=ACCESS_KEY, violates=True),
            Case({"name": "deploy"}, config={"allowedUsers": ["deploy"]}, violates=False),
        ),
    ),
    ResourceRule(
        id="IAM-07", name="iam-07-imdsv2-required",
        title="Instances require IMDSv2 with a hop limit of 1",
        description="metadataOptions.httpTokens=\"required\" and httpPutResponseHopLimit at most `maxHopLimit` on "
                    "instances and launch templates.",
        refs="CIS 5.6 (v3.0); SH EC2.8, EC2.170; CKV_AWS_79, CKV_AWS_341",
        types=(INSTANCE, LAUNCH_TEMPLATE), checks=(imdsv2_required,),
        params={"maxHopLimit": Param("integer", 1, "maximum IMDS PUT response hop limit (2 for EKS nodes)")},
        cases=(
            Case({"ami": "ami-1"}, violates=True),
            Case({"metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 2}}, type=LAUNCH_TEMPLATE,
                 violates=True),
            Case({"ami": "ami-1", "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1}},
                 violates=False),
            Case({"metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 2}}, type=LAUNCH_TEMPLATE,
                 config={"maxHopLimit": 2}, violates=False),
        ),
    ),
    ResourceRule(
        id="IAM-08", name="iam-08-instance-profile",
        title="Instances run with an instance profile",
        description="Every EC2 instance has an iamInstanceProfile (least privilege, SSM access) instead of keys.",
        refs="CIS 1.18; CKV2_AWS_41",
        types=(INSTANCE,), checks=(instance_has_profile,),
        cases=(Case({"ami": "ami-1"}, violates=True), Case({"ami": "ami-1", "iamInstanceProfile": "p"}, violates=False)),
    ),
    ResourceRule(
        id="IAM-09", name="iam-09-web-identity-trust-pinned",
        title="Web-identity trusts pin audience and subject; prod GitHub roles pin an environment",
        description="A trust of a `Federated` web-identity provider (GitHub Actions, EKS IRSA, any OIDC issuer; SAML "
                    "providers excluded) needs a positive condition (StringEquals/StringLike, not IfExists) on "
                    "`<issuer>:aud` (sts.amazonaws.com for GitHub and EKS) and on `<issuer>:sub` (`amr` for Cognito) "
                    "that is not a bare \"*\". GitHub subjects name one repository (`repo:ORG/REPO:...`, no wildcard "
                    "in the organization or repository part) and, in `environmentPinnedIn` environments (from the "
                    "provider's default tags; untagged counts as prod), a GitHub environment "
                    "(`repo:ORG/REPO:environment:NAME`), so the environment's required reviewers gate the role. EKS "
                    "subjects name `system:serviceaccount:NAMESPACE:SA` with no wildcard in the namespace. A role trusts "
                    "at most one GitHub repository (a shared deployment role lets each repository deploy the other's "
                    "services). (IAM-04 "
                    "keeps Principal \"*\"; an OIDC trust without a subject is this rule's finding.)",
        refs="docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments/"
             "configuring-openid-connect-in-amazon-web-services; EKS IRSA; CKV_AWS_358 (GitHub only)",
        types=(ROLE,), checks=(web_identity_pinned, one_repository_per_role),
        params={"environmentPinnedIn": Param("array", ["prod"], "environments whose GitHub roles must trust a GitHub "
                                             "environment subject only", items="string")},
        cases=(
            Case({"assumeRolePolicy": _oidc_trust(GITHUB_ISSUER, sub=None)}, violates=True, note="no sub"),
            Case({"assumeRolePolicy": _oidc_trust(GITHUB_ISSUER, aud=None)}, violates=True, note="no aud"),
            Case({"assumeRolePolicy": _oidc_trust(GITHUB_ISSUER, sub="repo:example-org/*")}, env="nonprod",
                 violates=True, note="wildcard repository"),
            Case({"assumeRolePolicy": _oidc_trust(GITHUB_ISSUER, sub="repo:*/los:ref:refs/heads/main")},
                 env="nonprod", violates=True, note="wildcard organization"),
            Case({"assumeRolePolicy": _oidc_trust(GITHUB_ISSUER, sub="*")}, env="nonprod", violates=True),
            Case({"assumeRolePolicy": _oidc_trust(GITHUB_ISSUER, sub="repo:example-org/los:ref:refs/heads/main")},
                 violates=True, note="prod role pinned to a branch, not an environment"),
            Case({"assumeRolePolicy": _oidc_trust(GITHUB_ISSUER, sub="repo:example-org/los:environment:prod",
                                                  operator="StringEqualsIfExists")},
                 violates=True, note="IfExists matches a token without the claim"),
            Case({"assumeRolePolicy": _oidc_trust(EKS_OIDC, sub="system:serviceaccount:*:cluster-autoscaler")},
                 violates=True, note="EKS: wildcard namespace"),
            Case({"assumeRolePolicy": _oidc_trust(EKS_OIDC, sub="system:serviceaccount:kube-system:x", aud="*")},
                 violates=True, note="EKS: wildcard audience"),
            Case({"assumeRolePolicy": _oidc_trust("accounts.example.com", sub=None, aud="client-1",
                                                  federated="accounts.example.com")},
                 violates=True, note="any OIDC issuer without sub"),
            Case({"assumeRolePolicy": _oidc_trust(GITHUB_ISSUER, sub=["repo:example-org/los:environment:prod",
                                                                      "repo:example-org/pay:environment:prod"])},
                 violates=True, note="one role shared by two repositories"),
            Case({"assumeRolePolicy": _doc(*(json.loads(_oidc_trust(GITHUB_ISSUER, sub=f"repo:example-org/{repo}:"
                                                                                   "ref:refs/heads/main"))["Statement"][0]
                                             for repo in ("los", "pay")))}, env="nonprod", violates=True,
                 note="two repositories in two statements"),
            Case({"assumeRolePolicy": _oidc_trust(GITHUB_ISSUER, sub="repo:example-org/los:environment:prod")},
                 violates=False),
            Case({"assumeRolePolicy": _oidc_trust(GITHUB_ISSUER, sub=["repo:example-org/los:ref:refs/heads/main",
                                                                      "repo:example-org/los:pull_request"])},
                 env="nonprod", violates=False, note="several subjects of one repository"),
            Case({"assumeRolePolicy": _oidc_trust(GITHUB_ISSUER, sub="repo:example-org/los:ref:refs/heads/develop")},
                 env="nonprod", violates=False),
            Case({"assumeRolePolicy": _oidc_trust(EKS_OIDC, sub="system:serviceaccount:kube-system:cluster-autoscaler")},
                 violates=False),
            Case({"assumeRolePolicy": _doc({"Effect": "Allow", "Action": "sts:AssumeRoleWithSAML",
                                            "Principal": {"Federated": "arn:aws:iam::111111111111:saml-provider/idp"},
                                            "Condition": {"StringEquals": {
                                                "SAML:aud": "https://signin.aws.amazon.com/saml"}}})},
                 violates=False, note="SAML federation is not a web identity"),
            Case({"assumeRolePolicy": UNKNOWN}, violates=False, unknown=True),
        ),
    ),
    StackRule(
        id="IAM-10", name="iam-10-no-outside-account-trust-without-external-id",
        title="Roles trust accounts outside the organization only with sts:ExternalId",
        description="A role trust naming an AWS account (id, root or principal ARN) that is not part of the "
                    "organization needs a positive condition on sts:ExternalId (the confused-deputy protection for "
                    "third parties) or aws:PrincipalOrgID / aws:PrincipalOrgPaths. Inside the organization: the "
                    "accounts the stack creates (organizations/account), the accounts its providers deploy to "
                    "(allowedAccountIds, assumed role ARNs) and `organizationAccountIds`. A stack rule because only "
                    "the whole stack knows the organization's accounts; in a preview, trusts naming accounts "
                    "created in the same run are unknown and reported as advisories.",
        refs="IAM User Guide: 'The confused deputy problem' / sts:ExternalId; SH IAM (none); CKV (none)",
        checks=(trusts_outside_organization,),
        params={"organizationAccountIds": Param("array", [], "account ids of the organization the stack does not "
                                                "create", items="string", stack="organizationAccountIds")},
        cases=(
            StackCase((CaseResource(ROLE, "vendor", {"assumeRolePolicy": _account_trust("999999999999")}),), violates=True),
            StackCase((CaseResource(ROLE, "vendor", {"assumeRolePolicy": _account_trust(
                "arn:aws:iam::999999999999:root", {"Bool": {"aws:MultiFactorAuthPresent": "true"}})}),),
                violates=True, note="MFA is not a limit on which account"),
            StackCase((CaseResource(ROLE, "vendor", {"assumeRolePolicy": _account_trust(
                "arn:aws:iam::999999999999:role/vendor", {"StringEquals": {"sts:ExternalId": "ext-123"}})}),),
                violates=False),
            StackCase((CaseResource(ROLE, "support", {"assumeRolePolicy": _account_trust("arn:aws:iam::222222222222:root")}),
                       CaseResource(ORG_ACCOUNT, "member", {"id": "222222222222", "name": "member"})), violates=False,
                      note="an account the stack creates"),
            StackCase((CaseResource(ROLE, "support", {"assumeRolePolicy": _account_trust("111111111111")}),),
                      config={"organizationAccountIds": ["111111111111"]}, violates=False,
                      note="the management account from the stack config"),
            StackCase((CaseResource(ROLE, "support", {"assumeRolePolicy": UNKNOWN}),), violates=False, unknown=True),
        ),
    ),
    ResourceRule(
        id="IAM-11", name="iam-11-resource-policies-not-public",
        title="Resource policies do not allow everyone without a limiting condition",
        description="Every resource policy (S3, SNS, SQS, KMS, ECR, Secrets Manager, Lambda, CloudWatch Logs, "
                    "EventBridge, Backup, EFS, API Gateway, OpenSearch, VPC endpoints and the other types of "
                    "RESOURCE_POLICY_PROPS) that Allows Principal \"*\" / {\"AWS\": \"*\"} or uses NotPrincipal has a "
                    "positive condition that limits the caller: aws:PrincipalOrgID/OrgPaths, aws:PrincipalAccount, "
                    "aws:PrincipalArn, aws:SourceAccount/Arn/OrgID/OrgPaths/Owner, aws:SourceVpc(e), aws:userid, or "
                    "kms:CallerAccount together with kms:ViaService. Negated and ...IfExists operators, and "
                    "conditions such as aws:SecureTransport, do not limit who calls. Deny statements are fine. VPC "
                    "endpoint policies may instead limit the resources (aws:ResourceOrgID / ResourceAccount, or "
                    "named resources). A lambda permission with principal \"*\" needs principalOrgId, sourceAccount "
                    "or sourceArn. A bucket policy grants the log-delivery services (`prefixScopedServices`: "
                    "CloudTrail, Config, delivery.logs for flow logs) s3:PutObject only under a prefix, never on "
                    "the whole bucket (`BUCKET/*`).",
        refs="SH S3.2, S3.3, SNS.4, SQS.3, Lambda.1; CKV_AWS_70, CKV_AWS_168, CKV_AWS_169",
        types=(*RESOURCE_POLICY_PROPS, LAMBDA_PERMISSION), checks=(resource_policy_not_public, delivery_scoped_to_prefix),
        params={"prefixScopedServices": Param("array", ["cloudtrail.amazonaws.com", "config.amazonaws.com",
                                                        "delivery.logs.amazonaws.com"],
                                              "log-delivery service principals that may write only under their own "
                                              "prefix of a bucket", items="string")},
        cases=(
            Case({"bucket": "b", "policy": _public({"Bool": {"aws:SecureTransport": "true"}})}, violates=True,
                 note="a condition that does not limit callers"),
            Case({"arn": "t", "policy": _public()}, type=TOPIC_POLICY, violates=True),
            Case({"queueUrl": "q", "policy": _public({"StringNotEquals": {"aws:PrincipalOrgID": "o-exampleorg1"}})},
                 type=QUEUE_POLICY, violates=True, note="negated: matches everyone else"),
            Case({"keyId": "k", "policy": _public({"StringEquals": {"kms:CallerAccount": "111111111111"}})},
                 type=KMS_KEY_POLICY, violates=True, note="kms:CallerAccount without kms:ViaService"),
            Case({"policyDocument": _public(), "policyName": "p"},
                 type=LOG_RESOURCE_POLICY, violates=True),
            Case({"secretArn": "s", "policy": _public({"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-1"}})},
                 type=SECRET_POLICY, violates=True, note="IfExists"),
            Case({"bucket": "b", "policy": _public({"StringLike": {"aws:PrincipalOrgID": "*"}})}, violates=True,
                 note="a bare wildcard value limits nothing"),
            Case({"function": "f", "action": "lambda:InvokeFunction", "principal": "*"}, type=LAMBDA_PERMISSION,
                 violates=True),
            Case({"vpcId": "v", "serviceName": "com.amazonaws.eu-west-1.s3", "policy": _public()},
                 type=VPC_ENDPOINT, violates=True, note="gateway endpoint to every bucket"),
            Case({"bucket": "b", "policy": _public({"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg1"}})},
                 violates=False),
            Case({"bucket": "b", "policy": _doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                                 "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})},
                 violates=False, note="Deny statements are fine"),
            Case({"keyId": "k", "policy": _public({"StringEquals": {"kms:CallerAccount": "111111111111",
                                                                    "kms:ViaService": "s3.eu-west-1.amazonaws.com"}})},
                 type=KMS_KEY_POLICY, violates=False),
            Case({"function": "f", "action": "lambda:InvokeFunction", "principal": "*", "principalOrgId": "o-1"},
                 type=LAMBDA_PERMISSION, violates=False),
            Case({"vpcId": "v", "serviceName": "s3", "policy": _public({"StringEquals": {
                "aws:ResourceOrgID": "o-exampleorg1"}})}, type=VPC_ENDPOINT, violates=False),
            Case({"bucket": "logs", "policy": _doc(_allow("s3:PutObject", "arn:aws:s3:::logs/*", Principal={
                "Service": "delivery.logs.amazonaws.com"}, Condition={"StringEquals": {
                    "aws:SourceOrgID": "o-exampleorg1"}}))}, violates=True,
                 note="flow-log delivery may write anywhere in the bucket, the CloudTrail prefix included"),
            Case({"bucket": "logs", "policy": _doc(_allow(["s3:PutObject"], ["arn:aws:s3:::logs/*/AWSLogs/*"],
                                                          Principal={"Service": ["cloudtrail.amazonaws.com"]}))},
                 violates=True, note="a key pattern that starts with a wildcard"),
            Case({"bucket": "logs", "policy": _doc(_allow("s3:PutObject", "arn:aws:s3:::logs/vpc-flow-logs/AWSLogs/*",
                                                          Principal={"Service": "delivery.logs.amazonaws.com"}))},
                 violates=False),
            Case({"bucket": "access", "policy": _doc(_allow("s3:PutObject", "arn:aws:s3:::access/*", Principal={
                "Service": "logging.s3.amazonaws.com"}, Condition={"StringEquals": {
                    "aws:SourceAccount": "111111111111"}}))}, violates=False,
                 note="server access logs into their own bucket"),
            Case({"bucket": "b", "policy": UNKNOWN}, violates=False, unknown=True),
        ),
    ),
]
