"""Customer-managed KMS keys of a workload account, one per purpose (EAR-07, EAR-08, X-06).

Purposes:
- ``data``: EBS, RDS, ElastiCache, SQS, Secrets Manager, ECR, EKS secrets, SNS. Its policy lets any principal *of
  this account* use it only through those services (``kms:CallerAccount`` + ``kms:ViaService``) — the pattern of
  AWS's own aws/ebs key, needed so service-linked roles (Auto Scaling launching EKS nodes with encrypted volumes)
  can use it without naming roles that may not exist yet (KMS rejects policies naming unknown principals).
- ``logs``: CloudWatch Logs, which call KMS as the regional logs service principal (scoped by encryption context).
- ``backup``: the AWS Backup vault (kept apart so a vault's key can be locked down separately from app data).
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from components.context import AccountContext
from components.lookups import lookup

# Services that may use the data key on behalf of principals of the account.
DATA_SERVICES = ("ec2", "rds", "elasticache", "sqs", "secretsmanager", "ecr", "eks", "sns", "ssm", "s3", "backup", "aps")
PURPOSES = ("data", "logs", "backup")


def key_policy(purpose: str, account_id: str, region: str, partition: str = "aws") -> dict:
    """The explicit key policy of a purpose: account-root administration plus the narrowest service grant."""
    root = f"arn:{partition}:iam::{account_id}:root"
    statements: list[dict] = [{
        "Sid": "AccountAdministration",
        "Effect": "Allow",
        "Principal": {"AWS": root},
        "Action": "kms:*",
        "Resource": "*",
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
        services = DATA_SERVICES if purpose == "data" else ("backup",)
        statements.append({
            "Sid": "UseThroughAwsServices",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": [*use, "kms:CreateGrant", "kms:ListGrants"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "kms:CallerAccount": account_id,
                    "kms:ViaService": [f"{svc}.{region}.amazonaws.com" for svc in services],
                },
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


class WorkloadKeys(pulumi.ComponentResource):
    """The account's workload CMKs in one region: ``arns[purpose]`` and ``key_ids[purpose]``."""

    arns: dict[str, pulumi.Output[str]]
    key_ids: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, *, account: AccountContext, region: str, purposes: tuple[str, ...] = PURPOSES,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("landing-zone:workloads:WorkloadKeys", name, None, opts)
        unknown = sorted(set(purposes) - set(PURPOSES))
        if unknown:
            raise ValueError(f"unknown key purposes {unknown}; known: {list(PURPOSES)}")
        partition = lookup(aws.get_partition_output, account=account, region=region, parent=self)
        self.arns, self.key_ids = {}, {}
        for purpose in purposes:
            policy = pulumi.Output.all(account.account_id, partition.partition).apply(
                lambda args, p=purpose: json.dumps(key_policy(p, args[0], region, args[1])))
            key = aws.kms.Key(
                account.resource_name(region, f"{purpose}-key"),
                description=f"{account.name} {purpose} ({region}), managed by the landing zone",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                policy=policy,
                opts=account.opts(region, parent=self, protect=True),  # data encrypted with it dies with it
            )
            aws.kms.Alias(
                account.resource_name(region, f"{purpose}-key-alias"),
                name=f"alias/landing-zone/{purpose}",
                target_key_id=key.key_id,
                opts=account.opts(region, parent=self),
            )
            self.arns[purpose] = key.arn
            self.key_ids[purpose] = key.key_id
        self.register_outputs({"arns": self.arns})
