"""The Secrets Manager secrets the ECS services read that the config does not declare external (rule X-23).

Created empty under the account's data CMK (the execution roles decrypt through secretsmanager with that key): the
app team puts the value. Replicated to the DR region when the account has DR compute, so the standby's task
definitions (which reference the same name there) find it; rotated by the config's rotation function (DAT-07).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.base import AccountComponent
from landing_zone.models import Ecs

ROTATION_DAYS = 30  # DAT-07: at most 90


def create_app_secrets(owner: AccountComponent, config: Ecs, data_key_arn: pulumi.Input[str],
                       dr_region: str | None = None, dr_data_key_arn: pulumi.Input[str] | None = None,
                       ) -> list[aws.secretsmanager.Secret]:
    replicas = [{"region": dr_region, "kms_key_id": dr_data_key_arn}] if dr_region and dr_data_key_arn else None
    created = []
    for name in config.created_secrets():
        purpose = "secret-" + name.replace("/", "-").replace("_", "-").lower()
        secret = aws.secretsmanager.Secret(
            owner.child_name(purpose), name=name, kms_key_id=data_key_arn, replicas=replicas,
            description=f"read by the ECS services of {owner.account.name}; value set by the app team",
            recovery_window_in_days=30, opts=owner.child_opts())
        if config.secret_rotation_lambda_arn:
            aws.secretsmanager.SecretRotation(
                owner.child_name(f"{purpose}-rotation"), secret_id=secret.id,
                rotation_lambda_arn=config.secret_rotation_lambda_arn,
                rotation_rules={"automatically_after_days": ROTATION_DAYS}, opts=owner.child_opts())
        created.append(secret)
    return created
