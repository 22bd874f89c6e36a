"""AWS Backup for a workload account: a CMK vault (locked in prod), a daily plan, a copy to the DR region in prod,
a selection by tag, and an S3 bucket for application-level dumps that expire after the same retention (its server
access logs go to a small SSE-S3 bucket of the same account and region, the only place S3 delivers them).

The selection matches the `backup=daily` tag (Aurora clusters, EC2 data hosts and their data volumes carry it) and
also lists the ARNs the caller knows, so coverage is visible in the plan without evaluating tags.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountArgs, AccountComponent
from components.lookups import lookup
from components.storage import AccessLogs, HardenedBucket, ObjectLock, expiry_rule, server_access_logs_statement
from components.workloads.registry import BuildContext, Piece
from landing_zone.models import Backup as BackupConfig

BACKUP_TAG = ("backup", "daily")
# AWS Backup for S3 needs its own two managed policies beside the general ones (docs: s3-backups.html)
SERVICE_ROLE_POLICIES = ("AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores",
                         "AWSBackupServiceRolePolicyForS3Backup", "AWSBackupServiceRolePolicyForS3Restore")
LOCK_CHANGEABLE_FOR_DAYS = 3  # grace period before the lock becomes immutable (compliance mode)
LOCK_MAX_RETENTION_DAYS = 365


def vault_lock_enabled(config: BackupConfig, environment: str) -> bool:
    return config.vault_lock if config.vault_lock is not None else environment == "prod"


def copy_to_dr_enabled(config: BackupConfig, environment: str) -> bool:
    return config.copy_to_dr if config.copy_to_dr is not None else environment == "prod"


@dataclass(frozen=True, kw_only=True)
class BackupArgs(AccountArgs):
    """dr_region / dr_backup_key_arn: set both to copy every recovery point to the DR region (prod default).
    access_logs_bucket: an existing target for the backup bucket's server access logs; it must be in this account
    and region and use SSE-S3 (S3's rules). Default: a small access-log bucket built here, kept
    access_log_retention_days. The log archive is not a possible target (another account, SSE-KMS, Object Lock)."""

    config: BackupConfig
    backup_key_arn: pulumi.Input[str]
    data_key_arn: pulumi.Input[str]
    dr_region: str | None = None
    dr_backup_key_arn: pulumi.Input[str] | None = None
    resource_arns: tuple[pulumi.Input[str], ...] = ()
    access_logs_bucket: pulumi.Input[str] | None = None
    access_log_retention_days: int = 365


class Backup(AccountComponent[BackupArgs]):
    vault_arn: pulumi.Output[str]
    vault_name: pulumi.Output[str]
    plan_id: pulumi.Output[str]
    bucket_name: pulumi.Output[str]
    dr_vault_arn: pulumi.Output[str] | None = None

    TOKEN = "workloads:Backup"

    def __init__(self, name: str, args: BackupArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        account, region, config, dr_region = args.account, args.region, args.config, args.dr_region
        if (dr_region is None) != (args.dr_backup_key_arn is None):
            raise ValueError(f"accounts[{account.name}].workloads.backup.copy_to_dr: the DR copy needs both the DR "
                             "region and a KMS key in it")
        if dr_region is not None and dr_region not in account.providers:
            raise ValueError(f"accounts[{account.name}].workloads.backup.copy_to_dr: no provider for DR region "
                             f"{dr_region} (known: {', '.join(account.regions)})")
        self._config = config
        self._locked = vault_lock_enabled(config, account.environment)
        prod = account.environment == "prod"

        vault = self._vault(region, "backup-vault", args.backup_key_arn, protect=prod)
        self.vault_arn, self.vault_name = vault.arn, vault.name
        copy_actions = []
        if dr_region is not None:
            dr_vault = self._vault(dr_region, "backup-vault-dr", args.dr_backup_key_arn, protect=prod)
            self.dr_vault_arn = dr_vault.arn
            copy_actions = [{"destination_vault_arn": dr_vault.arn,
                             "lifecycle": {"delete_after": config.retention_days}}]
        plan = aws.backup.Plan(
            self.child_name("backup-plan"), name=self.child_name("backup-plan"),
            rules=[{"rule_name": "daily", "target_vault_name": vault.name, "schedule": config.schedule,
                    "start_window": 60, "completion_window": 360,
                    "lifecycle": {"delete_after": config.retention_days},
                    "copy_actions": copy_actions, "recovery_point_tags": {"plan": self.child_name("backup-plan")}}],
            opts=self.child_opts())
        self.plan_id = plan.id
        self._access_log_days = args.access_log_retention_days
        dumps = self._bucket(args.data_key_arn, args.access_logs_bucket)
        self.bucket_name = dumps.name
        role, attachments = self._service_role()
        # CreateBackupSelection checks that AWS Backup can assume the role (iam:PassRole); jobs then need its
        # policies: the selection waits for the attachments, not only for the role
        aws.backup.Selection(
            self.child_name("backup-selection"), name=self.child_name("backup")[:50], plan_id=plan.id,
            iam_role_arn=role.arn, resources=[*args.resource_arns, dumps.arn],
            selection_tags=[{"type": "STRINGEQUALS", "key": BACKUP_TAG[0], "value": BACKUP_TAG[1]}],
            opts=self.child_opts(depends_on=[*attachments, dumps.versioning]))
        self.register_outputs({"vaultArn": self.vault_arn, "planId": self.plan_id, "bucketName": self.bucket_name,
                               "drVaultArn": self.dr_vault_arn})

    def _partition(self) -> pulumi.Output[str]:
        return lookup(aws.get_partition_output, account=self.account, region=self.region, parent=self).partition

    def _vault(self, region: str, purpose: str, key_arn: pulumi.Input[str], protect: bool) -> aws.backup.Vault:
        vault = aws.backup.Vault(self.child_name(purpose, region), name=self.child_name(purpose, region), kms_key_arn=key_arn,
                                 force_destroy=False, opts=self.child_opts(region, protect=protect))
        if self._locked:
            aws.backup.VaultLockConfiguration(
                self.child_name(f"{purpose}-lock", region), backup_vault_name=vault.name,
                changeable_for_days=LOCK_CHANGEABLE_FOR_DAYS, min_retention_days=self._config.retention_days,
                max_retention_days=max(LOCK_MAX_RETENTION_DAYS, self._config.retention_days),
                opts=self.child_opts(region))
        return vault

    def _service_role(self) -> tuple[aws.iam.Role, list[aws.iam.RolePolicyAttachment]]:
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                         "Principal": {"Service": "backup.amazonaws.com"}}]}
        role = aws.iam.Role(self.child_name("backup-role"), assume_role_policy=pulumi.Output.json_dumps(trust),
                            description="AWS Backup: back up and restore the tagged resources", opts=self.child_opts())
        attachments = [aws.iam.RolePolicyAttachment(
            self.child_name(f"backup-role-{policy}"), role=role.name,
            policy_arn=pulumi.Output.concat("arn:", self._partition(), ":iam::aws:policy/service-role/", policy),
            opts=self.child_opts()) for policy in SERVICE_ROLE_POLICIES]
        return role, attachments

    def _bucket(self, key_arn: pulumi.Input[str], log_target: pulumi.Input[str] | None) -> HardenedBucket:
        """Application-level dumps: versioned, object-locked, CMK-encrypted, private, TLS-only, expired after the
        retention, and itself in the backup selection (AWS Backup for S3 requires versioning, which it has). Governance-mode lock: dumps cannot be deleted or overwritten before they expire, but an
        authorised admin can still lift it."""
        days = self._config.retention_days
        bucket = HardenedBucket(
            self.account, self.region, "backup-bucket", kms_key_arn=key_arn, object_lock=ObjectLock("GOVERNANCE", days),
            lifecycle_rules=[expiry_rule(f"expire-after-{days}-days", days, noncurrent_days=days, abort_multipart_days=1)],
            opts=pulumi.ResourceOptions(parent=self))
        prefix = f"s3/{self.account.name}/{self.region}/backup/"
        bucket.log_to(AccessLogs(log_target or self._access_log_bucket(bucket.arn), prefix))
        return bucket

    def _access_log_bucket(self, source_arn: pulumi.Output[str]) -> pulumi.Output[str]:
        """The backup bucket's server access logs, in this account and region with SSE-S3: S3 delivers server access
        logs only there (so not to the log archive). No Object Lock: log targets may not have a default retention."""
        days, account_id = self._access_log_days, self.account.account_id
        bucket = HardenedBucket(
            self.account, self.region, "backup-access-logs", kms_key_arn=None,
            lifecycle_rules=[expiry_rule(f"expire-after-{days}-days", days, noncurrent_days=30, abort_multipart_days=1)],
            policy_statements=lambda arn: [server_access_logs_statement(arn, account_id, source_arn)],
            opts=pulumi.ResourceOptions(parent=self))
        return bucket.writable_name  # logging waits for the policy


# --- the piece ------------------------------------------------------------------------------------------------------


def build(ctx: BuildContext, config: BackupConfig) -> Backup:
    """Protects what the pieces built before it declare (Piece.backup_targets), copied to the DR region when wanted."""
    copy_to_dr = ctx.args.backup_dr
    targets = [arn for piece, component in ctx.each() for arn in piece.backup_targets(component)]
    return Backup(ctx.name("backup"), BackupArgs(
        account=ctx.account, region=ctx.region, config=config, backup_key_arn=ctx.keys["backup"],
        data_key_arn=ctx.keys["data"], dr_region=ctx.args.dr_region if copy_to_dr else None,
        dr_backup_key_arn=ctx.dr_keys.get("backup") if copy_to_dr else None, resource_arns=tuple(targets),
        access_log_retention_days=ctx.log_retention_days), ctx.opts)


PIECE = Piece(name="backup", field="backup", build=build)
