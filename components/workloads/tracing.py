"""AWS X-Ray for the ECS services of an account whose config sets `workloads.ecs.tracing.enabled`.

Per task (ecs.py asks for these pieces): the X-Ray daemon as a non-essential sidecar (the AWS-published image, pinned
by tag) listening on UDP 127.0.0.1:2000 — awsvpc puts every container of a task in one network namespace, so the app
containers reach it at AWS_XRAY_DAEMON_ADDRESS=127.0.0.1:2000 — logging to the service's CMK-encrypted log group, and
a task-role policy with the X-Ray write actions only. X-Ray has no resource-level permissions for these actions: "*"
is the only valid resource (the pack's IAM-02 does not count them as restrictable).

Per region the cluster runs in (home, and the DR region under DR compute): a sampling rule from the config and the
region's X-Ray encryption setting, type KMS with the account's data CMK (kms.py admits X-Ray through `kms:ViaService`
for tracing accounts only). The daemon reaches the X-Ray API over HTTPS like every AWS API: through the NAT, or
through the `xray` interface endpoint that network/vpc.py adds when a tracing account's VPC has no NAT.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountArgs, AccountComponent
from landing_zone.models import Tracing

# The AWS-published daemon (https://gallery.ecr.aws/xray/aws-xray-daemon), pinned: a new tag is a reviewed change.
DAEMON_IMAGE = "public.ecr.aws/xray/aws-xray-daemon:3.6.0"
DAEMON_NAME = "xray-daemon"
DAEMON_PORT = 2000
DAEMON_ADDRESS = f"127.0.0.1:{DAEMON_PORT}"
DAEMON_USER = "10001:10001"  # the image is a static binary FROM scratch: any unprivileged uid runs it
# AWS's recommended sidecar size; a soft reservation, so a burst takes memory the app is not using
DAEMON_CPU, DAEMON_MEMORY_RESERVATION = 32, 256
WRITE_ACTIONS = ("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                 "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries")
SAMPLING_RULE_NAME = "landing-zone"  # one per account and region
SAMPLING_RULE_PRIORITY = 9000  # before the account's "Default" rule (10000); app teams add theirs below 9000


def daemon_container(service: str, log_group: str, region: str) -> dict:
    """The X-Ray daemon sidecar of one service's task: non-essential (tracing never takes the app down)."""
    return {
        "name": DAEMON_NAME,
        "image": DAEMON_IMAGE,
        "essential": False,
        "cpu": DAEMON_CPU,
        "memoryReservation": DAEMON_MEMORY_RESERVATION,
        "user": DAEMON_USER,
        "readonlyRootFilesystem": True,
        "privileged": False,
        "command": ["--region", region],
        "portMappings": [{"containerPort": DAEMON_PORT, "protocol": "udp"}],
        "linuxParameters": {"capabilities": {"drop": ["ALL"]}},
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {"awslogs-group": log_group, "awslogs-region": region,
                        "awslogs-stream-prefix": f"{service}-{DAEMON_NAME}"},
        },
    }


def app_environment() -> list[dict]:
    """What the app containers of a traced task add to their environment."""
    return [{"name": "AWS_XRAY_DAEMON_ADDRESS", "value": DAEMON_ADDRESS}]


def task_role_policy() -> str:
    """The daemon's permissions, on the task role (the execution role only starts the task)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "XRayWrite", "Effect": "Allow", "Action": list(WRITE_ACTIONS),
        "Resource": "*",  # X-Ray has no resource-level permissions for these actions
    }]})


@dataclass(frozen=True, kw_only=True)
class XRayArgs(AccountArgs):
    config: Tracing
    data_key_arn: pulumi.Input[str]


class XRay(AccountComponent[XRayArgs]):
    """X-Ray's per-region settings of an account: the sampling rule and the encryption with the data CMK."""

    TOKEN = "workloads:XRay"

    def __init__(self, name: str, args: XRayArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        config = args.config
        self.sampling_rule = aws.xray.SamplingRule(
            self.child_name("xray-sampling"),
            rule_name=SAMPLING_RULE_NAME,
            priority=SAMPLING_RULE_PRIORITY,
            fixed_rate=config.sampling_rate,
            reservoir_size=config.reservoir,
            version=1,
            service_name="*", service_type="*", host="*", http_method="*", url_path="*", resource_arn="*",
            opts=self.child_opts(),
        )
        # An account-wide setting of the region; deleting this resource leaves it as it is (the provider's note).
        self.encryption = aws.xray.EncryptionConfig(
            self.child_name("xray-encryption"),
            type="KMS",
            key_id=args.data_key_arn,
            opts=self.child_opts(),
        )
        self.register_outputs({"samplingRuleArn": self.sampling_rule.arn})
