"""Identity (CONTROLS.md §1): IAM-01, 02 and 04..08 - identity policies, role trust, users, instances.

IAM documents are parsed (JSON string or object), never grepped. IAM-03 (permission sets) is identity_permission_sets,
IAM-09/10 (trust policies) identity_trust, IAM-11 (resource policies) identity_resource_policies.
"""

from __future__ import annotations

from collections.abc import Iterator

from . import iam
from .iam import action_matches, actions, allows, resources, statements
from .identity_common import BUCKET_ARN, EC2_TRUST, KEY_ARN, allow_statement, policy_document
from .rules import Case, Param, ResourceRule
from .types import (
    ACCESS_KEY,
    GROUP_POLICY,
    INSTANCE,
    LAUNCH_TEMPLATE,
    POLICY,
    ROLE,
    ROLE_POLICY,
    SSO_INLINE,
    USER,
    USER_POLICY,
)
from .values import as_list, dig
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


RULES = [
    ResourceRule(
        id="IAM-01", name="iam-01-no-full-admin-policies",
        title="No policy allows * on *",
        description="IAM policies, role inline policies and Identity Center inline policies never Allow "
                    "Action \"*\" on Resource \"*\".",
        refs="CIS 1.16; SH IAM.1; CKV_AWS_62",
        types=POLICY_TYPES, checks=(no_full_admin,),
        cases=(
            Case({"policy": policy_document(allow_statement("*"))}, violates=True),
            Case({"role": "r", "policy": {"Version": "2012-10-17", "Statement": allow_statement(["*"], ["*"])}},
                 type=ROLE_POLICY, violates=True, note="object document, Statement as dict"),
            Case({"instanceArn": "i", "permissionSetArn": "p", "inlinePolicy": policy_document(allow_statement("*"))}, type=SSO_INLINE,
                 violates=True),
            Case({"assumeRolePolicy": EC2_TRUST, "inlinePolicies": [{"name": "x", "policy": policy_document(allow_statement("*"))}]},
                 type=ROLE, violates=True),
            Case({"policy": policy_document(allow_statement("s3:GetObject", BUCKET_ARN))}, violates=False),
            Case({"policy": policy_document({"Effect": "Deny", "Action": "*", "Resource": "*"})}, violates=False),
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
            Case({"policy": policy_document(allow_statement("s3:*", BUCKET_ARN))}, violates=True),
            Case({"policy": policy_document(allow_statement(["sqs:SendMessage"], "*"))}, violates=True),
            Case({"policy": policy_document(allow_statement(["ec2:DescribeInstances", "s3:GetObject"], BUCKET_ARN),
                                 allow_statement("ec2:DescribeInstances"))}, violates=False),
        ),
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
            Case({"assumeRolePolicy": policy_document({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})},
                 type=ROLE, violates=True),
            Case({"policy": policy_document(allow_statement(["iam:PassRole", "ec2:RunInstances"]))}, violates=True),
            Case({"policy": policy_document(allow_statement("secretsmanager:GetSecretValue"))}, violates=True),
            Case({"assumeRolePolicy": policy_document({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
                                            "Condition": {"Bool": {"aws:SecureTransport": "true"}}})},
                 type=ROLE, violates=True, note="a condition that does not limit the caller"),
            Case({"assumeRolePolicy": policy_document({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
                                            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg1"}}})},
                 type=ROLE, violates=False),
            Case({"assumeRolePolicy": EC2_TRUST}, type=ROLE, violates=False),
            Case({"policy": policy_document(allow_statement("iam:PassRole", "arn:aws:iam::111111111111:role/app"))}, violates=False),
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
            Case({"policy": policy_document(allow_statement("kms:Decrypt"))}, violates=True),
            Case({"policy": policy_document(allow_statement("kms:*"))}, violates=True),
            Case({"policy": policy_document(allow_statement("kms:Decrypt", KEY_ARN))}, violates=False),
            Case({"policy": policy_document(allow_statement("kms:Decrypt", Condition={
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
]
