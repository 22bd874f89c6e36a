"""SQS queues with dead-letter queues, encrypted with the account's data CMK (EAR-05).

Each queue gets a DLQ (14 days retention: time to look at poison messages) and a redrive policy after
`max_receive_count` receives; the DLQ only accepts redrive from its own queue.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from components.context import AccountContext
from landing_zone.models import Queue

DLQ_RETENTION_SECONDS = 14 * 24 * 3600
KMS_REUSE_SECONDS = 300  # data-key reuse: fewer KMS calls, still short-lived


def queue_name(account: AccountContext, region: str, queue: Queue, suffix: str = "") -> str:
    base = account.resource_name(region, queue.name) + suffix
    return base + ".fifo" if queue.fifo else base


class Queues(pulumi.ComponentResource):
    """Attributes: urls[name], arns[name], names[name], dlq_urls[name], dlq_names[name]."""

    def __init__(self, name: str, *, account: AccountContext, region: str, queues: list[Queue],
                 kms_key_arn: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None):
        super().__init__("landing-zone:workloads:Queues", name, None, opts)
        self.urls, self.arns, self.names, self.dlq_urls, self.dlq_names = {}, {}, {}, {}, {}
        for queue in queues:
            child = account.opts(region, parent=self)
            dlq = aws.sqs.Queue(
                account.resource_name(region, f"sqs-{queue.name}-dlq"),
                name=queue_name(account, region, queue, "-dlq"),
                fifo_queue=queue.fifo or None,
                message_retention_seconds=DLQ_RETENTION_SECONDS,
                kms_master_key_id=kms_key_arn,
                kms_data_key_reuse_period_seconds=KMS_REUSE_SECONDS,
                opts=child,
            )
            main = aws.sqs.Queue(
                account.resource_name(region, f"sqs-{queue.name}"),
                name=queue_name(account, region, queue),
                fifo_queue=queue.fifo or None,
                visibility_timeout_seconds=queue.visibility_timeout_seconds,
                kms_master_key_id=kms_key_arn,
                kms_data_key_reuse_period_seconds=KMS_REUSE_SECONDS,
                redrive_policy=dlq.arn.apply(lambda arn, q=queue: json.dumps(
                    {"deadLetterTargetArn": arn, "maxReceiveCount": q.max_receive_count})),
                opts=child,
            )
            aws.sqs.RedriveAllowPolicy(
                account.resource_name(region, f"sqs-{queue.name}-dlq-allow"),
                queue_url=dlq.url,
                redrive_allow_policy=main.arn.apply(lambda arn: json.dumps(
                    {"redrivePermission": "byQueue", "sourceQueueArns": [arn]})),
                opts=child,
            )
            self.urls[queue.name], self.arns[queue.name], self.names[queue.name] = main.url, main.arn, main.name
            self.dlq_urls[queue.name], self.dlq_names[queue.name] = dlq.url, dlq.name
        self.register_outputs({"urls": self.urls})
