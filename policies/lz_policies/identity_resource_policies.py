"""IAM-10 and IAM-11: access analysis of every resource policy, trust and sharing attribute (tables in access.py).

IAM-11 (per resource): nothing is open to everyone - no policy statement policyuniverse finds internet-accessible, no
snapshot, AMI or document shared with all, no function URL without auth, no RAM share allowing external principals.
IAM-10 (stack): nothing is granted to an account outside the organization - only the whole stack (and its config)
knows the organization's accounts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from . import access, iam
from .facts import ELB_LOG_DELIVERY_ACCOUNTS
from .graph import Graph
from .iam import allows, resources, statements
from .identity_common import account_trust, allow_statement, policy_document, public_trust
from .rules import Case, CaseResource, Param, ResourceRule, StackCase, StackRule
from .sdk import NotApplicableError
from .stack_config import split_part
from .types import (
    AMI_LAUNCH_PERMISSION,
    BUCKET_POLICY,
    EVENT_PERMISSION,
    KMS_GRANT,
    KMS_KEY_POLICY,
    LAMBDA_FUNCTION_URL,
    LAMBDA_PERMISSION,
    LOG_RESOURCE_POLICY,
    ORG_ACCOUNT,
    QUEUE_POLICY,
    RAM_PRINCIPAL,
    RAM_SHARE,
    RDS_SNAPSHOT,
    REST_API_POLICY,
    ROLE,
    SECRET_POLICY,
    SNAPSHOT_CREATE_VOLUME_PERMISSION,
    SSM_DOCUMENT,
    TOPIC_POLICY,
    VPC_ENDPOINT,
)
from .values import UNKNOWN, cannot_verify, decode_json_string, is_unknown
from .views import Subject


# IAM-11 ---------------------------------------------------------------------------------------------------------
def resource_policy_not_public(r: Subject) -> Iterator[str]:
    if r.type in access.POLICY_INPUTS:
        prop = access.POLICY_INPUTS[r.type]
        for i, who in access.public_statements(r.type, r.get(prop)):
            yield (f"{prop} Statement[{i}] allows {who} without a condition that limits callers; add "
                   "aws:PrincipalOrgID (or aws:SourceAccount / aws:SourceArn for an AWS service), or name the "
                   "principals")
    for grant in access.grants(r.type, r.props):
        if access.is_everyone(grant):
            yield (f"{grant.where} gives everyone access; share with named accounts of the organization (or the "
                   "organization's ARN), or require authentication")


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


# IAM-10 (stack) -------------------------------------------------------------------------------------------------
# Which accounts belong to the organization is only known from the whole stack: the accounts it creates
# (organizations/account ids), the accounts its providers deploy to (allowedAccountIds, assumed role ARNs) and the
# organization accounts the stack config names (management_account_id, account ids of adopted accounts).
def no_access_outside_organization(s) -> Iterator[tuple[str | None, str]]:
    part = split_part()
    if part is not None:  # the accounts the organization stack creates are known only on the merged plan
        raise NotApplicableError(f"IAM-10 needs the whole organization: this is its {part} stack; "
                                 "`lz check --stack <stack> --all` checks it on the merged plan")
    g = s.graph()
    inside = _organization_accounts(g, s.cfg)
    if not inside:
        raise NotApplicableError("IAM-10: not a landing-zone stack: the organization's accounts are unknown (no "
                                 "organizationAccountIds, no organizations/account, no provider account ids); set "
                                 "organizationAccountIds in the policy config to judge access from outside it")
    inside |= {str(a) for a in s.cfg["awsServiceAccountIds"]}
    unknown: list[str] = []
    for res in g.resources:
        if res.type in access.POLICY_INPUTS:
            prop = access.POLICY_INPUTS[res.type]
            policy = res.get(prop)
            if is_unknown(policy):
                unknown.append(f"{res.name}.{prop}")
                continue
            for i, statement in enumerate(statements(policy)):
                outside = sorted((access.statement_accounts(statement, res.type == ROLE) or set()) - inside)
                if outside:
                    yield res.urn, (f"{res.name} {prop} Statement[{i}] grants account(s) {', '.join(outside)} "
                                    "outside the organization; add aws:PrincipalOrgID (sts:ExternalId for a third "
                                    "party's role trust), or list the account in organizationAccountIds")
        for grant in access.grants(res.type, res.props):
            account = None if grant.limited else access.account_of(grant.grantee)
            if account and account not in inside:
                yield res.urn, (f"{res.name} {grant.where} grants account {account}, outside the organization; "
                                "share within the organization only")
    if unknown:
        raise cannot_verify(unknown)


def _organization_accounts(g: Graph, cfg: Mapping[str, Any]) -> set[str]:
    inside = {str(a) for a in cfg["organizationAccountIds"]}
    inside.update(a.id for a in g.of_type(ORG_ACCOUNT) if a.id and not is_unknown(a.id))
    seen: set[int] = set()
    for res in g.resources:
        props = g.provider_props(res)
        if id(props) in seen:
            continue
        seen.add(id(props))
        inside.update(provider_accounts(props))
    return inside


def provider_accounts(props: Mapping[str, Any]) -> set[str]:
    found: set[str] = set()
    for key in ("allowedAccountIds", "assumeRoles", "assumeRole"):
        value = decode_json_string(props.get(key))
        for item in value if isinstance(value, list) else [value]:
            text = item.get("roleArn") if isinstance(item, Mapping) else item
            match = access.ACCOUNT_ID.match(text) if isinstance(text, str) else None
            if match:
                found.add(match[1])
    return found


ORG = {"organizationAccountIds": ["111111111111"]}

RULES = [
    ResourceRule(
        id="IAM-11", name="iam-11-resource-policies-not-public",
        title="Nothing is open to everyone: resource policies, sharing attributes, function URLs, RAM shares",
        description="Every policy document of every type of access.POLICY_INPUTS (S3, SNS, SQS, KMS, ECR, Secrets "
                    "Manager, Lambda, CloudWatch Logs, EventBridge, Backup, EFS, API Gateway, OpenSearch, Glue, VPC "
                    "endpoints and more) is analysed with policyuniverse's internet-accessibility analysis: an Allow "
                    "statement for Principal \"*\", an account wildcard (arn:aws:iam::*:root) or NotPrincipal fails "
                    "unless a positive condition pins the caller (aws:PrincipalOrgID/OrgPaths, aws:SourceOrgID, "
                    "aws:PrincipalAccount/Arn, aws:SourceAccount/Arn/Owner, aws:SourceVpc(e), aws:SourceIp, "
                    "aws:userid, kms:CallerAccount with kms:ViaService). Negated, ...IfExists and ForAllValues "
                    "operators and conditions such as aws:SecureTransport do not limit who calls. VPC endpoint "
                    "policies may instead pin the resources (aws:ResourceOrgID / ResourceAccount, named resources). "
                    "Sharing attributes (access.SHARING): an RDS snapshot shared with `all`, an SSM document shared "
                    "with `All`, an AMI launch permission for group `all`, a Lambda or EventBridge permission for "
                    "\"*\" without an organization or source condition, a Lambda function URL with authorizationType "
                    "NONE, a RAM share with allowExternalPrincipals. A bucket policy grants the log-delivery services "
                    "(`prefixScopedServices`) s3:PutObject only under a prefix, never on the whole bucket. (Role "
                    "trusts open to everyone are IAM-04's.)",
        refs="SH S3.2, S3.3, SNS.4, SQS.3, Lambda.1, RDS.1, SSM.4, EC2.1; CKV_AWS_70, CKV_AWS_168, CKV_AWS_169, "
             "CKV_AWS_258, CKV_AWS_283, CKV_AWS_301, CKV_AWS_303, CKV_AWS_387; policyuniverse (Netflix)",
        types=(*access.PUBLIC_CHECKED, *access.SHARING), checks=(resource_policy_not_public, delivery_scoped_to_prefix),
        params={"prefixScopedServices": Param("array", ["cloudtrail.amazonaws.com", "config.amazonaws.com",
                                                        "delivery.logs.amazonaws.com"],
                                              "log-delivery service principals that may write only under their own "
                                              "prefix of a bucket", items="string")},
        cases=(
            Case({"bucket": "b", "policy": public_trust({"Bool": {"aws:SecureTransport": "true"}})}, violates=True,
                 note="a condition that does not limit callers"),
            Case({"arn": "t", "policy": public_trust()}, type=TOPIC_POLICY, violates=True),
            Case({"queueUrl": "q", "policy": public_trust({"StringNotEquals": {"aws:PrincipalOrgID": "o-exampleorg1"}})},
                 type=QUEUE_POLICY, violates=True, note="negated: matches everyone else"),
            Case({"keyId": "k", "policy": public_trust({"StringEquals": {"kms:CallerAccount": "111111111111"}})},
                 type=KMS_KEY_POLICY, violates=True, note="kms:CallerAccount without kms:ViaService"),
            Case({"policyDocument": public_trust(), "policyName": "p"},
                 type=LOG_RESOURCE_POLICY, violates=True),
            Case({"secretArn": "s", "policy": public_trust({"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-1"}})},
                 type=SECRET_POLICY, violates=True, note="IfExists"),
            Case({"bucket": "b", "policy": public_trust({"StringLike": {"aws:PrincipalOrgID": "*"}})}, violates=True,
                 note="a bare wildcard value limits nothing"),
            Case({"function": "f", "action": "lambda:InvokeFunction", "principal": "*"}, type=LAMBDA_PERMISSION,
                 violates=True),
            Case({"vpcId": "v", "serviceName": "com.amazonaws.eu-west-1.s3", "policy": public_trust()},
                 type=VPC_ENDPOINT, violates=True, note="gateway endpoint to every bucket"),
            Case({"bucket": "b", "policy": public_trust({"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg1"}})},
                 violates=False),
            Case({"bucket": "b", "policy": policy_document({"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                                 "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})},
                 violates=False, note="Deny statements are fine"),
            Case({"keyId": "k", "policy": public_trust({"StringEquals": {"kms:CallerAccount": "111111111111",
                                                                    "kms:ViaService": "s3.eu-west-1.amazonaws.com"}})},
                 type=KMS_KEY_POLICY, violates=False),
            Case({"function": "f", "action": "lambda:InvokeFunction", "principal": "*", "principalOrgId": "o-1"},
                 type=LAMBDA_PERMISSION, violates=False),
            Case({"vpcId": "v", "serviceName": "s3", "policy": public_trust({"StringEquals": {
                "aws:ResourceOrgID": "o-exampleorg1"}})}, type=VPC_ENDPOINT, violates=False),
            Case({"bucket": "logs", "policy": policy_document(allow_statement("s3:PutObject", "arn:aws:s3:::logs/*", Principal={
                "Service": "delivery.logs.amazonaws.com"}, Condition={"StringEquals": {
                    "aws:SourceOrgID": "o-exampleorg1"}}))}, violates=True,
                 note="flow-log delivery may write anywhere in the bucket, the CloudTrail prefix included"),
            Case({"bucket": "logs", "policy": policy_document(allow_statement(["s3:PutObject"], ["arn:aws:s3:::logs/*/AWSLogs/*"],
                                                          Principal={"Service": ["cloudtrail.amazonaws.com"]}))},
                 violates=True, note="a key pattern that starts with a wildcard"),
            Case({"bucket": "logs", "policy": policy_document(allow_statement("s3:PutObject", "arn:aws:s3:::logs/vpc-flow-logs/AWSLogs/*",
                                                          Principal={"Service": "delivery.logs.amazonaws.com"}))},
                 violates=False),
            Case({"bucket": "access", "policy": policy_document(allow_statement("s3:PutObject", "arn:aws:s3:::access/*", Principal={
                "Service": "logging.s3.amazonaws.com"}, Condition={"StringEquals": {
                    "aws:SourceAccount": "111111111111"}}))}, violates=False,
                 note="server access logs into their own bucket"),
            Case({"bucket": "b", "policy": policy_document(allow_statement("s3:GetObject", "arn:aws:s3:::b/*", Principal={
                "AWS": "arn:aws:iam::*:root"}))}, violates=True, note="an account wildcard is everyone"),
            Case({"restApiId": "a", "policy": public_trust({"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}})},
                 type=REST_API_POLICY, violates=True, note="IfExists: a request without the key matches"),
            Case({"functionName": "f", "authorizationType": "NONE"}, type=LAMBDA_FUNCTION_URL, violates=True),
            Case({"functionName": "f", "authorizationType": "AWS_IAM"}, type=LAMBDA_FUNCTION_URL, violates=False),
            Case({"dbSnapshotIdentifier": "s", "sharedAccounts": ["all"]}, type=RDS_SNAPSHOT, violates=True),
            Case({"dbSnapshotIdentifier": "s", "sharedAccounts": ["111111111111"]}, type=RDS_SNAPSHOT, violates=False),
            Case({"name": "d", "permissions": {"type": "Share", "accountIds": "All"}}, type=SSM_DOCUMENT, violates=True),
            Case({"name": "d", "permissions": {"type": "Share", "accountIds": "111111111111"}}, type=SSM_DOCUMENT,
                 violates=False),
            Case({"imageId": "ami-1", "group": "all"}, type=AMI_LAUNCH_PERMISSION, violates=True),
            Case({"name": "s", "allowExternalPrincipals": True}, type=RAM_SHARE, violates=True),
            Case({"name": "s", "allowExternalPrincipals": False}, type=RAM_SHARE, violates=False),
            Case({"principal": "*", "statementId": "all"}, type=EVENT_PERMISSION, violates=True),
            Case({"principal": "*", "statementId": "org", "condition": {"key": "aws:PrincipalOrgID", "type": "StringEquals",
                                                                        "value": "o-exampleorg1"}},
                 type=EVENT_PERMISSION, violates=False),
            Case({"bucket": "b", "policy": UNKNOWN}, violates=False, unknown=True),
        ),
    ),
    StackRule(
        id="IAM-10", name="iam-10-no-access-outside-organization",
        title="Nothing grants an account outside the organization (trusts only with sts:ExternalId)",
        description="Every policy document of access.POLICY_INPUTS (resource policies and role trusts) and every "
                    "sharing attribute of access.SHARING (RDS snapshots, SSM documents, EBS snapshot and AMI "
                    "permissions, KMS grants, Lambda and EventBridge permissions, RAM principal associations) grants "
                    "only accounts of the organization: an Allow statement naming an account (principal, "
                    "aws:SourceAccount / PrincipalAccount / SourceArn / PrincipalArn condition) outside it fails "
                    "unless a positive condition keeps it inside (aws:PrincipalOrgID/OrgPaths, aws:SourceOrgID/"
                    "OrgPaths, aws:ResourceOrgID); a role trust may name a third party with sts:ExternalId (the "
                    "confused-deputy protection). The organization: the accounts the stack creates "
                    "(organizations/account), the accounts its providers deploy to (allowedAccountIds, assumed role "
                    "ARNs) and `organizationAccountIds` (from the stack config). A stack with none of these is not a "
                    "landing-zone stack: the rule does not apply there unless organizationAccountIds is configured; "
                    "in a split organization it runs on the merged plan (`lz check --all`), where every account is "
                    "known. "
                    "Values unknown in a preview are reported as advisories.",
        refs="IAM User Guide: 'The confused deputy problem' / sts:ExternalId; AWS data perimeter (aws:PrincipalOrgID); "
             "issue 23 (KMS grants and bucket policies to accounts outside the organization)",
        checks=(no_access_outside_organization,),
        params={"organizationAccountIds": Param("array", [], "account ids of the organization the stack does not "
                                                "create", items="string", stack="organizationAccountIds"),
                "awsServiceAccountIds": Param("array", list(ELB_LOG_DELIVERY_ACCOUNTS), "AWS-owned accounts a "
                                              "policy may name (the regional Elastic Load Balancing accounts that "
                                              "deliver ALB access logs)", items="string")},
        cases=(
            StackCase((CaseResource(ROLE, "vendor", {"assumeRolePolicy": account_trust("999999999999")}),),
                      config=ORG, violates=True),
            StackCase((CaseResource(BUCKET_POLICY, "elb-logs", {"bucket": "b", "policy": policy_document(allow_statement(
                "s3:PutObject", "arn:aws:s3:::b/elb/*", Principal={"AWS": "arn:aws:iam::156460612806:root"}))}),),
                config=ORG, violates=False, note="the eu-west-1 ELB log-delivery account"),
            StackCase((CaseResource(ROLE, "vendor", {"assumeRolePolicy": account_trust(
                "arn:aws:iam::999999999999:root", {"Bool": {"aws:MultiFactorAuthPresent": "true"}})}),),
                config=ORG, violates=True, note="MFA is not a limit on which account"),
            StackCase((CaseResource(ROLE, "vendor", {"assumeRolePolicy": account_trust(
                "arn:aws:iam::999999999999:role/vendor", {"StringEquals": {"sts:ExternalId": "ext-123"}})}),),
                config=ORG, violates=False),
            StackCase((CaseResource(ROLE, "support", {"assumeRolePolicy": account_trust("arn:aws:iam::222222222222:root")}),
                       CaseResource(ORG_ACCOUNT, "member", {"id": "222222222222", "name": "member"})), violates=False,
                      note="an account the stack creates"),
            StackCase((CaseResource(ROLE, "support", {"assumeRolePolicy": account_trust("111111111111")}),),
                      config=ORG, violates=False, note="the management account from the stack config"),
            StackCase((CaseResource(BUCKET_POLICY, "share", {"bucket": "b", "policy": policy_document(allow_statement(
                "s3:GetObject", "arn:aws:s3:::b/*", Principal={"AWS": "arn:aws:iam::999999999999:root"}))}),),
                config=ORG, violates=True, note="a bucket policy to an outside account"),
            StackCase((CaseResource(BUCKET_POLICY, "share", {"bucket": "b", "policy": policy_document(allow_statement(
                "s3:GetObject", "arn:aws:s3:::b/*", Principal={"AWS": "arn:aws:iam::999999999999:root"},
                Condition={"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg1"}}))}),),
                config=ORG, violates=False, note="limited to the organization"),
            StackCase((CaseResource(KMS_GRANT, "grant", {"keyId": "k", "operations": ["Decrypt"],
                                                         "granteePrincipal": "arn:aws:iam::999999999999:role/x"}),),
                      config=ORG, violates=True, note="a KMS grant to an outside role"),
            StackCase((CaseResource(KMS_GRANT, "grant", {"keyId": "k", "operations": ["Decrypt"],
                                                         "granteePrincipal": "arn:aws:iam::111111111111:role/x"}),),
                      config=ORG, violates=False),
            StackCase((CaseResource(SNAPSHOT_CREATE_VOLUME_PERMISSION, "p", {"snapshotId": "snap-1",
                                                                            "accountId": "999999999999"}),),
                      config=ORG, violates=True, note="an EBS snapshot shared outside"),
            StackCase((CaseResource(RAM_PRINCIPAL, "p", {"principal": "999999999999", "resourceShareArn": "arn:x"}),),
                      config=ORG, violates=True),
            StackCase((CaseResource(LAMBDA_PERMISSION, "p", {"function": "f", "action": "lambda:InvokeFunction",
                                                             "principal": "999999999999"}),),
                      config=ORG, violates=True),
            StackCase((CaseResource(ROLE, "vendor", {"assumeRolePolicy": account_trust("999999999999")}),),
                      violates=False, note="not a landing-zone stack: no organization account known, not applicable"),
            StackCase((CaseResource(ROLE, "support", {"assumeRolePolicy": UNKNOWN}),), config=ORG, violates=False,
                      unknown=True),
        ),
    ),
]
