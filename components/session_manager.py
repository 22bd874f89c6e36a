"""Session Manager preferences of one account x region (security.session_manager): the `SSM-SessionManagerRunShell`
document every Standard_Stream session reads, logging each session to a CMK-encrypted CloudWatch log group.

The agent on the instance writes the log (its instance profile needs logs:CreateLogStream / PutLogEvents /
DescribeLogGroups: the data hosts' CloudWatchAgentServerPolicy has them) and, with cloudWatchEncryptionEnabled,
refuses to log to an unencrypted group. Who may start a session is the SCP's part (scp_documents.session_statement).
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from components.base import AccountComponent
from landing_zone.models import SessionManager

DOCUMENT_NAME = "SSM-SessionManagerRunShell"  # the name Session Manager reads its preferences from
LOG_GROUP = "/landing-zone/ssm-sessions"


def session_key_policy(partition: pulumi.Input[str], account_id: pulumi.Input[str], region: str) -> pulumi.Output[str]:
    """The account administers; CloudWatch Logs uses it only for this account's log groups in this region."""
    root = pulumi.Output.concat("arn:", partition, ":iam::", account_id, ":root")
    groups = pulumi.Output.concat("arn:", partition, ":logs:", region, ":", account_id, ":log-group:*")
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "CloudWatchLogs", "Effect": "Allow", "Principal": {"Service": f"logs.{region}.amazonaws.com"},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
         "Resource": "*", "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": groups}}},
    ]})  # fmt: skip


def preferences(config: SessionManager, log_group: str) -> str:
    return json.dumps({
        "schemaVersion": "1.0", "description": "Landing zone: every session logged, encrypted", "sessionType": "Standard_Stream",
        "inputs": {"cloudWatchLogGroupName": log_group, "cloudWatchEncryptionEnabled": True,
                   "cloudWatchStreamingEnabled": True, "s3BucketName": "", "s3EncryptionEnabled": True,
                   "runAsEnabled": False, "idleSessionTimeout": str(config.idle_timeout_minutes),
                   "maxSessionDuration": str(config.max_session_minutes)},
    })  # fmt: skip


def session_preferences(owner: AccountComponent, region: str, config: SessionManager, partition: pulumi.Input[str],
                        retention_days: int) -> aws.ssm.Document:
    key = aws.kms.Key(owner.child_name("session-logs-key", region), description="Session Manager session logs",
                      enable_key_rotation=True, deletion_window_in_days=30,
                      policy=session_key_policy(partition, owner.account.account_id, region),
                      opts=owner.child_opts(region))
    group = aws.cloudwatch.LogGroup(owner.child_name("session-logs", region), name=LOG_GROUP, kms_key_id=key.arn,
                                    retention_in_days=retention_days, opts=owner.child_opts(region))
    return aws.ssm.Document(
        owner.child_name("session-preferences", region), name=DOCUMENT_NAME, document_type="Session",
        document_format="JSON", content=preferences(config, LOG_GROUP),  # known in preview: the pack reads it
        opts=owner.child_opts(region, depends_on=[group]))
