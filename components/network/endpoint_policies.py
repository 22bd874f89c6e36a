"""VPC endpoint policies: traffic through a spoke's endpoints stays inside the organization (pure, no resources).

Without a policy an endpoint allows every principal to reach every resource of the service: a data subnet could
write to any bucket in any account through the S3 gateway endpoint. With these, requests pass only when the caller
is a principal of the organization (`aws:PrincipalOrgID`) and, for the gateway endpoints (S3, DynamoDB), the
bucket or table belongs to the organization too (`aws:ResourceOrgID`). AWS data-perimeter guidance:
https://docs.aws.amazon.com/whitepapers/latest/building-a-data-perimeter-on-aws/perimeter-implementation.html

Exceptions, each read-only or scoped to this organization's own resources:
- S3: the AWS-owned buckets hosts and services in the VPC must read through the gateway endpoint: ECR image layers
  (`prod-<region>-starport-layer-bucket`, fetched with URLs ECR pre-signs, so not the caller's principal; ECR User
  Guide, "Minimum Amazon S3 bucket permissions for Amazon ECR"), the Amazon Linux 2 / 2023 package repositories
  (yum / dnf fetch anonymously; Amazon Linux 2023 User Guide, "Kernel Live Patching"), the CloudWatch agent
  packages, and the buckets SSM Agent and Patch Manager read (Systems Manager User Guide, "SSM Agent communications
  with AWS managed S3 buckets", "Amazon S3 buckets for patching operations"); the same list as AWS's
  data-perimeter-policy-examples (vpc_endpoint_policies/README.md). `s3:GetObject` only, so nothing can be written
  to or listed in a bucket outside the organization.
- STS: `AssumeRoleWithWebIdentity` / `AssumeRoleWithSAML` are unsigned (EKS pods' IRSA tokens): allowed only for
  roles of the organization (`aws:ResourceOrgID`).
Interface endpoints (those whose service supports a custom policy: POLICY_SUPPORTED) check the caller, and for the
services where data lands (RESOURCE_PERIMETER: logs, KMS, Secrets Manager) the resource too. ECR, SSM and STS check
only the caller: EKS and ECS pull AWS's own images (EKS add-ons live in AWS accounts) and SSM Agent runs AWS-owned
documents, so a resource condition there would break the nodes.
"""

from __future__ import annotations

import json

import pulumi

# AWS-owned buckets, per region (`{region}` is substituted): read-only through the S3 gateway endpoint
AWS_OWNED_BUCKETS = (
    "prod-{region}-starport-layer-bucket",  # ECR image layers
    "packages.{region}.amazonaws.com", "repo.{region}.amazonaws.com",  # Amazon Linux 2 repositories
    "amazonlinux.{region}.amazonaws.com", "amazonlinux-2-repos-{region}",
    "al2023-{region}", "al2023-repos-{region}-de612dc2",  # Amazon Linux 2023 repositories
    "amazoncloudwatch-agent-{region}", "amazoncloudwatch-agent",  # CloudWatch agent packages
    "aws-ssm-{region}", "amazon-ssm-{region}", "amazon-ssm-packages-{region}", "{region}-birdwatcher-prod",
    "aws-ssm-distributor-file-{region}", "aws-ssm-document-attachments-{region}", "aws-windows-downloads-{region}",
    "patch-baseline-snapshot-{region}", "aws-patch-manager-{region}-*",  # SSM Agent, Distributor, Patch Manager
)  # fmt: skip
UNSIGNED_STS_ACTIONS = ("sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML")
# Interface endpoints whose services document custom endpoint policies (a custom policy on a service that supports
# only the full-access policy is refused at creation). ssmmessages / ec2messages carry only SSM Agent's channels for
# the instance's own role and keep AWS's default policy; `aws ec2 describe-vpc-endpoint-services` shows
# VpcEndpointPolicySupported per service.
POLICY_SUPPORTED = frozenset({"ssm", "ecr.api", "ecr.dkr", "logs", "sts", "kms", "secretsmanager"})
# Interface endpoints where data lands: the resource must belong to the organization too (pack rule X-14), so a
# task cannot put logs, secrets or ciphertext into another account's resources with its own credentials.
RESOURCE_PERIMETER = frozenset({"logs", "kms", "secretsmanager"})


def _org_only(sid: str, org_id: str, resource_too: bool) -> dict:
    keys = {"aws:PrincipalOrgID": org_id, **({"aws:ResourceOrgID": org_id} if resource_too else {})}
    return {"Sid": sid, "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
            "Condition": {"StringEquals": keys}}


def gateway_policy_document(service: str, region: str, org_id: str) -> dict:
    """S3 / DynamoDB: organization principals to organization resources (plus AWS-owned S3 buckets, read-only)."""
    statements = [_org_only("OrganizationPrincipalsToOrganizationResources", org_id, resource_too=True)]
    if service == "s3":
        statements.append({
            "Sid": "ReadAwsOwnedBuckets", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Resource": [f"arn:aws:s3:::{bucket.format(region=region)}/*" for bucket in AWS_OWNED_BUCKETS],
        })
    return {"Version": "2012-10-17", "Statement": statements}


def interface_policy_document(service: str, org_id: str) -> dict:
    """Interface endpoints: organization principals only (STS also lets the organization's roles be federated into)."""
    statements = [_org_only("OrganizationPrincipals", org_id, resource_too=service in RESOURCE_PERIMETER)]
    if service == "sts":
        statements.append({
            "Sid": "FederationIntoOrganizationRoles", "Effect": "Allow", "Principal": "*",
            "Action": list(UNSIGNED_STS_ACTIONS), "Resource": "*",
            "Condition": {"StringEquals": {"aws:ResourceOrgID": org_id}},
        })
    return {"Version": "2012-10-17", "Statement": statements}


def gateway_endpoint_policy(service: str, region: str, org_id: pulumi.Input[str]) -> pulumi.Output[str]:
    return pulumi.Output.from_input(org_id).apply(lambda o: json.dumps(gateway_policy_document(service, region, o)))


def interface_endpoint_policy(service: str, org_id: pulumi.Input[str]) -> pulumi.Output[str]:
    return pulumi.Output.from_input(org_id).apply(lambda o: json.dumps(interface_policy_document(service, o)))
