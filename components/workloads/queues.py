"""SQS queues with dead-letter queues, encrypted with the account's data CMK (EAR-05).

Each queue gets a DLQ (14 days retention: time to look at poison messages) and a redrive policy after
`max_receive_count` receives; the DLQ only accepts redrive from its own queue.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountArgs, AccountComponent
from components.context import AccountContext
from components.workloads.alarms import AlarmSpec, Watch
from components.workloads.registry import BuildContext, Piece
from landing_zone.models import Queue

DLQ_RETENTION_SECONDS = 14 * 24 * 3600
KMS_REUSE_SECONDS = 300  # data-key reuse: fewer KMS calls, still short-lived


def queue_name(account: AccountContext, region: str, queue: Queue, suffix: str = "") -> str:
    base = account.resource_name(region, queue.name) + suffix
    return base + ".fifo" if queue.fifo else base


@dataclass(frozen=True, kw_only=True)
class QueuesArgs(AccountArgs):
    queues: tuple[Queue, ...]
    kms_key_arn: pulumi.Input[str]  # the account's data CMK


class Queues(AccountComponent[QueuesArgs]):
    """Attributes: urls[name], arns[name], names[name], dlq_urls[name], dlq_names[name]."""

    TOKEN = "workloads:Queues"

    def __init__(self, name: str, args: QueuesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        account, region, kms_key_arn = args.account, args.region, args.kms_key_arn
        self.urls, self.arns, self.names, self.dlq_urls, self.dlq_names = {}, {}, {}, {}, {}
        for queue in args.queues:
            child = self.child_opts()
            dlq = aws.sqs.Queue(
                self.child_name(f"sqs-{queue.name}-dlq"),
                name=queue_name(account, region, queue, "-dlq"),
                fifo_queue=queue.fifo or None,
                message_retention_seconds=DLQ_RETENTION_SECONDS,
                kms_master_key_id=kms_key_arn,
                kms_data_key_reuse_period_seconds=KMS_REUSE_SECONDS,
                opts=child,
            )
            main = aws.sqs.Queue(
                self.child_name(f"sqs-{queue.name}"),
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
                self.child_name(f"sqs-{queue.name}-dlq-allow"),
                queue_url=dlq.url,
                redrive_allow_policy=main.arn.apply(lambda arn: json.dumps(
                    {"redrivePermission": "byQueue", "sourceQueueArns": [arn]})),
                opts=child,
            )
            self.urls[queue.name], self.arns[queue.name], self.names[queue.name] = main.url, main.arn, main.name
            self.dlq_urls[queue.name], self.dlq_names[queue.name] = dlq.url, dlq.name
        self.register_outputs({"urls": self.urls})


# --- the piece ------------------------------------------------------------------------------------------------------


def build(ctx: BuildContext, queues: list[Queue]) -> Queues:
    return Queues(ctx.name("queues"), QueuesArgs(
        account=ctx.account, region=ctx.region, queues=tuple(queues), kms_key_arn=ctx.keys["data"]), ctx.opts)


def watch(_: BuildContext, queues: Queues) -> Watch:
    """A message in a dead-letter queue is a message the application failed on: page at the first one."""
    return Watch(alarms=tuple(
        AlarmSpec(f"dlq-{queue}", "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": dlq}, 0, "Maximum",
                  periods=1, description=f"Messages in the dead-letter queue of {queue}")
        for queue, dlq in sorted(queues.dlq_names.items())))


PIECE = Piece(
    name="queues", field="queues", build=build, watch=watch,
    outputs=lambda queues: {"queueUrls": queues.urls, "deadLetterQueueUrls": queues.dlq_urls},
    contract=lambda queues: {"queue_urls": dict(queues.urls), "dead_letter_queue_urls": dict(queues.dlq_urls)},
)
