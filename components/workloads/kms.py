"""Customer-managed KMS keys of a workload account, one per purpose (EAR-07, EAR-08, X-06).

Purposes:
- ``data``: EBS, RDS, ElastiCache, SQS, Secrets Manager, ECR, EKS secrets, SNS; X-Ray traces in accounts that trace
  (``tracing``: X-Ray calls KMS with its caller's credentials, so ``xray`` joins the services of ``kms:ViaService``).
- ``logs``: CloudWatch Logs, which call KMS as the regional logs service principal (scoped by encryption context).
- ``backup``: the AWS Backup vault (kept apart so a vault's key can be locked down separately from app data).

Who may do what (data and backup keys), named in the key policy rather than delegated to IAM:
- administer (policy, rotation, disable, deletion, grants' revocation): the landing-zone pipeline only — the access
  role the program runs as in the account (``aws:PrincipalArn``); nobody else, whatever their IAM policies say;
- use (encrypt, decrypt, grants for AWS resources): only through the purpose's AWS services (``kms:ViaService``), only
  by principals of this account (``kms:CallerAccount``) and only by the principals that need it
  (``aws:PrincipalArn``): the pipeline (which creates the volumes, clusters, caches and secrets, and with them the
  services' grants), the roles the landing zone creates in the account (``<account>-*``: ECS task and execution
  roles, EKS node and cluster roles, the Backup role, the data hosts' role, the Redis rotation function) and AWS
  service-linked roles (``aws-service-role/*``: Auto Scaling launching EKS nodes with encrypted volumes, which only
  AWS can create). A developer's or an administrator's SSO role is none of these: it cannot decrypt app data.
The principals are conditions, not ``Principal`` entries, because KMS refuses a policy naming a role that does not
exist yet, and the service-linked roles appear only when a service first needs them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountArgs, AccountComponent
from components.lookups import lookup

# Services that may use the data key on behalf of principals of the account.
DATA_SERVICES = ("ec2", "rds", "elasticache", "sqs", "secretsmanager", "ecr", "eks", "sns", "ssm", "s3", "backup", "aps")
PURPOSES = ("data", "logs", "backup")
TRACING_SERVICE = "xray"  # only in the data key of accounts whose ECS services are traced


ADMIN_ACTIONS = (
    "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:DescribeKey", "kms:DisableKey",
    "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus",
    "kms:ListAliases", "kms:ListGrants", "kms:ListKeyPolicies", "kms:ListResourceTags", "kms:PutKeyPolicy",
    "kms:RevokeGrant", "kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource",
    "kms:UpdateAlias", "kms:UpdateKeyDescription",
)  # no Encrypt/Decrypt: administering a key is not reading the data under it


def key_users(account_name: str, account_id: str, admin_role_name: str, partition: str = "aws") -> list[str]:
    """The principals (ARN patterns) that may use a data or backup key through its services."""
    role = f"arn:{partition}:iam::{account_id}:role/"
    return [f"{role}{admin_role_name}", f"{role}{account_name}-*", f"{role}aws-service-role/*"]


def key_policy(purpose: str, account_id: str, region: str, partition: str = "aws", *, account_name: str = "",
               admin_role_name: str = "OrganizationAccountAccessRole", tracing: bool = False) -> dict:
    """The explicit key policy of a purpose: administration by the pipeline only, use by named principals only."""
    root = f"arn:{partition}:iam::{account_id}:root"
    admin = f"arn:{partition}:iam::{account_id}:role/{admin_role_name}"
    statements: list[dict] = [{
        "Sid": "PipelineAdministration",
        "Effect": "Allow",
        "Principal": {"AWS": root},
        "Action": list(ADMIN_ACTIONS),
        "Resource": "*",
        "Condition": {"ArnEquals": {"aws:PrincipalArn": admin}},
    }]
    use = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
    if purpose == "logs":
        statements.append({
            "Sid": "CloudWatchLogs",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{region}.amazonaws.com"},
            "Action": use,
            "Resource": "*",
            "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:{partition}:logs:{region}:{account_id}:*"}},
        })
    else:
        services = ("backup",)
        if purpose == "data":
            services = DATA_SERVICES + ((TRACING_SERVICE,) if tracing else ())
        # "*" + named principals (aws:PrincipalArn): the key policy itself grants them (the service-linked roles have
        # no IAM policy for the key), and no one else of the account, however broad their IAM policies
        statements.append({
            "Sid": "UseThroughAwsServicesByNamedPrincipals",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": [*use, "kms:CreateGrant", "kms:ListGrants"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "kms:CallerAccount": account_id,
                    "kms:ViaService": [f"{svc}.{region}.amazonaws.com" for svc in services],
                },
                "ArnLike": {"aws:PrincipalArn": key_users(account_name, account_id, admin_role_name, partition)},
            },
        })
    if purpose == "data":
        # CloudWatch alarms publish to the account's KMS-encrypted SNS topic as the cloudwatch service itself.
        statements.append({
            "Sid": "CloudWatchAlarmsToEncryptedTopics",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        })
    return {"Version": "2012-10-17", "Id": f"{purpose}-key", "Statement": statements}


@dataclass(frozen=True, kw_only=True)
class WorkloadKeysArgs(AccountArgs):
    purposes: tuple[str, ...] = PURPOSES
    admin_role_name: str = "OrganizationAccountAccessRole"  # the role the landing zone runs as in the account
    tracing: bool = False  # X-Ray encrypts the account's traces with the data key


class WorkloadKeys(AccountComponent[WorkloadKeysArgs]):
    """The account's workload CMKs in one region: ``arns[purpose]`` and ``key_ids[purpose]``."""

    arns: dict[str, pulumi.Output[str]]
    key_ids: dict[str, pulumi.Output[str]]

    TOKEN = "workloads:WorkloadKeys"

    def __init__(self, name: str, args: WorkloadKeysArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        account, region, purposes, admin_role_name = args.account, args.region, args.purposes, args.admin_role_name
        tracing = args.tracing
        unknown = sorted(set(purposes) - set(PURPOSES))
        if unknown:
            raise ValueError(f"unknown key purposes {unknown}; known: {list(PURPOSES)}")
        partition = lookup(aws.get_partition_output, account=account, region=region, parent=self)
        self.arns, self.key_ids = {}, {}
        for purpose in purposes:
            policy = pulumi.Output.all(account.account_id, partition.partition).apply(
                lambda a, p=purpose: json.dumps(key_policy(p, a[0], region, a[1], account_name=account.name,
                                                              admin_role_name=admin_role_name, tracing=tracing)))
            key = aws.kms.Key(
                self.child_name(f"{purpose}-key"),
                description=f"{account.name} {purpose} ({region}), managed by the landing zone",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                policy=policy,
                opts=self.child_opts(protect=True),  # data encrypted with it dies with it
            )
            aws.kms.Alias(
                self.child_name(f"{purpose}-key-alias"),
                name=f"alias/landing-zone/{purpose}",
                target_key_id=key.key_id,
                opts=self.child_opts(),
            )
            self.arns[purpose] = key.arn
            self.key_ids[purpose] = key.key_id
        self.register_outputs({"arns": self.arns})
