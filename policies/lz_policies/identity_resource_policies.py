"""IAM-11: resource policies of any type are not open to everyone, and log-delivery grants are scoped to their prefix."""

from __future__ import annotations

import re
from collections.abc import Iterator

from . import iam
from .iam import allows, resources, statements
from .identity_common import allow_statement, policy_document, public_trust
from .rules import Case, Param, ResourceRule
from .types import (
    ACCESS_POINT_POLICY,
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
    IDENTITY_POLICY,
    KINESIS_RESOURCE_POLICY,
    KMS_KEY,
    KMS_KEY_POLICY,
    KMS_REPLICA_KEY,
    LAMBDA_PERMISSION,
    LAMBDA_RESOURCE_POLICY,
    LOG_DESTINATION_POLICY,
    LOG_RESOURCE_POLICY,
    NETWORKFIREWALL_RESOURCE_POLICY,
    OBJECT_LAMBDA_ACCESS_POINT_POLICY,
    ORGANIZATIONS_RESOURCE_POLICY,
    QUEUE_POLICY,
    REDSHIFT_RESOURCE_POLICY,
    REDSHIFTSERVERLESS_RESOURCE_POLICY,
    REGISTRY_POLICY,
    REPOSITORY_PERMISSIONS_POLICY,
    REPOSITORY_POLICY,
    RESOURCE_POLICY,
    REST_API,
    REST_API_POLICY,
    S3CONTROL_BUCKET_POLICY,
    SCHEMAS_REGISTRY_POLICY,
    SECRET,
    SECRET_POLICY,
    SINK_POLICY,
    SNS_TOPIC,
    SQS,
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
from .values import UNKNOWN
from .views import Subject

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


RULES = [
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
            Case({"bucket": "b", "policy": UNKNOWN}, violates=False, unknown=True),
        ),
    ),
]
