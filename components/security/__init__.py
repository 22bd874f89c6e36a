"""The organization-wide security baseline, one component per service, administered from the security account.

Where things live (each service follows its `security.*` flag: a disabled service creates nothing):
- log_archive.py: log-archive account: the log bucket, its KMS key, the access-log and ELB access-log buckets;
- trail.py: management account (home region): the organization trail and its CloudWatch log group;
- alarms.py: management account: the CIS 4.1-4.15 metric filters and alarms, forwarded by EventBridge to the security
  account's alarm topic (e-mail subscription), which also receives the alarms of `alarm_senders` (hybrid DNS);
- config.py: every account x region (management included): a Config recorder and delivery channel; the security
  account: the Config aggregator and the organization Config rules;
- guardduty.py, security_hub.py, inspector.py, access_analyzer.py: the security account is the delegated
  administrator in every region.

`SecurityBaseline` composes them. Its children were once all its own: the service components alias each of theirs
to that URN (service.py), so an existing stack moves them instead of replacing them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.alarm_forwarding import AlarmBus, AlarmSender
from components.base import Component
from components.context import AccountContext, LogArchive
from components.lookups import lookup
from components.security.access_analyzer import AccessAnalyzer, AccessAnalyzerArgs
from components.security.alarms import CisAlarms, CisAlarmsArgs, SecurityAlarmTopic, SecurityAlarmTopicArgs, cis_sender
from components.security.config import AwsConfig, AwsConfigArgs
from components.security.guardduty import GuardDuty, GuardDutyArgs
from components.security.inspector import Inspector, InspectorArgs
from components.security.log_archive import ElbWriter, LogArchiveArgs, LogArchiveStorage
from components.security.security_hub import SecurityHub, SecurityHubArgs
from components.security.trail import OrganizationTrail, OrganizationTrailArgs, trail_arn
from components.storage import ObjectLock
from landing_zone.dns import DNS_ALARM_PREFIX
from landing_zone.log_delivery import elb_log_regions
from landing_zone.models import LandingZoneConfig, Security
from landing_zone.scp_documents import elb_logs_bucket_prefix, log_bucket_prefix


@dataclass(frozen=True, kw_only=True)
class SecurityBaselineArgs:
    organization_name: str
    home_region: str
    regions: tuple[str, ...]
    settings: Security  # the config's `security` section: which services, retentions, alarm e-mail, standards
    management: AccountContext
    accounts: tuple[AccountContext, ...]  # every account of the config
    log_archive_account: AccountContext
    security_account: AccountContext  # the delegated administrator of every service
    root_id: pulumi.Input[str]  # the organization root (Security Hub's configuration policy)
    log_bucket_prefix: str  # every log-archive bucket's name starts with it (what the SCPs protect)
    elb_bucket_prefix: str
    elb_regions: tuple[str, ...]  # regions with a load balancer: each gets an ELB access-log bucket
    org_ready: tuple[pulumi.Resource, ...] = ()  # the organization, its trusted access and delegated admins
    alarm_senders: tuple[AlarmSender, ...] = ()  # other accounts whose alarms reach the alarm topic (besides CIS)

    @classmethod
    def from_config(cls, cfg: LandingZoneConfig, accounts: Mapping[str, AccountContext], management: AccountContext,
                    root_id: pulumi.Input[str], org_ready: tuple[pulumi.Resource, ...] = ()) -> SecurityBaselineArgs:
        return cls(organization_name=cfg.organization.name, home_region=cfg.organization.home_region,
                   regions=tuple(cfg.regions), settings=cfg.security, management=management,
                   accounts=tuple(accounts.values()),
                   log_archive_account=accounts[cfg.account_with_role("log-archive").name],
                   security_account=accounts[cfg.account_with_role("security").name], root_id=root_id,
                   log_bucket_prefix=log_bucket_prefix(cfg), elb_bucket_prefix=elb_logs_bucket_prefix(cfg),
                   elb_regions=tuple(elb_log_regions(cfg)), org_ready=tuple(org_ready),
                   alarm_senders=tuple(alarm_senders(cfg, accounts)))  # fmt: skip


def alarm_senders(cfg: LandingZoneConfig, accounts: Mapping[str, AccountContext]) -> list[AlarmSender]:
    """With hybrid DNS, the network account forwards its DNS Firewall block alarms (components/network/dns.py)."""
    if cfg.network.resolver is None:
        return []
    network = accounts[cfg.account_with_role("network").name]
    return [AlarmSender("NetworkForwardsDnsAlarms", network.account_id, DNS_ALARM_PREFIX)]


class SecurityBaseline(Component[SecurityBaselineArgs]):
    """Everything organization-wide that watches the accounts. Results: `log_archive` (LogArchive handle), `trail`
    (None without CloudTrail), `trail_arn`, `alarm_topic_arn` (security account; None without CloudTrail),
    `alarm_bus` (where other accounts forward alarms; None without CloudTrail), `recorders` ((account, region) ->
    Recorder), `alarms` (CIS control or slug -> MetricAlarm)."""

    TOKEN = "security:SecurityBaseline"

    def __init__(self, name: str, args: SecurityBaselineArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        a, s = args, args.settings
        self.partition = lookup(aws.get_partition_output, account=a.management, region=a.home_region,
                                parent=self).partition
        trail_name = f"{a.organization_name}-organization-trail"
        self.trail_arn = trail_arn(self.partition, a.home_region, a.management.account_id, trail_name)
        storage = self._log_archive(name)
        self.log_archive: LogArchive = storage.handle
        self.trail, self.alarm_topic_arn, self.alarms = None, None, {}
        self.alarm_bus: AlarmBus | None = None
        if s.cloudtrail:
            trail = OrganizationTrail(f"{name}-trail", OrganizationTrailArgs(
                account=a.management, region=a.home_region, partition=self.partition, trail_name=trail_name,
                log_archive=self.log_archive, log_retention_days=s.log_retention_days, org_ready=a.org_ready), self.child)
            self.trail = trail.trail
            self.alarm_topic_arn, self.alarm_bus, self.alarms = self._alarms(name, trail)
        self.recorders = self._config(name, storage).recorders if s.config else {}
        if s.guardduty:
            export = s.findings is not None and s.findings.export_guardduty
            GuardDuty(f"{name}-guardduty", GuardDutyArgs(
                management=a.management, administrator=a.security_account, regions=a.regions, org_ready=a.org_ready,
                export_to=self.log_archive if export else None), self.child)
        if s.security_hub:
            SecurityHub(f"{name}-security-hub", SecurityHubArgs(
                partition=self.partition, management=a.management, administrator=a.security_account,
                home_region=a.home_region, regions=a.regions, standards=tuple(s.security_hub_standards),
                root_id=a.root_id, org_ready=a.org_ready), self.child)
        if s.inspector:
            members = tuple(x for x in a.accounts if x.name != a.security_account.name)
            Inspector(f"{name}-inspector", InspectorArgs(
                management=a.management, administrator=a.security_account, members=members, regions=a.regions,
                org_ready=a.org_ready), self.child)
        if s.access_analyzer:
            AccessAnalyzer(f"{name}-access-analyzer", AccessAnalyzerArgs(
                administrator=a.security_account, regions=a.regions, analyzer_name=f"{a.organization_name}-organization",
                org_ready=a.org_ready), self.child)
        self.register_outputs({
            "logBucketName": self.log_archive.bucket_name,
            "logBucketArn": self.log_archive.bucket_arn,
            "logKmsKeyArn": self.log_archive.kms_key_arn,
            "elbLogsBuckets": self.log_archive.elb_logs_bucket_by_region,
            "trailArn": self.trail.arn if self.trail else None,
            "alarmTopicArn": self.alarm_topic_arn,
        })  # fmt: skip

    def _log_archive(self, name: str) -> LogArchiveStorage:
        a, s = self.args, self.args.settings
        writers = tuple(ElbWriter(x.name, x.account_id, bool(x.config.workloads.edge.nlb))
                        for x in a.accounts if x.config.workloads.edge)
        return LogArchiveStorage(f"{name}-log-archive", LogArchiveArgs(
            account=a.log_archive_account, region=a.home_region, partition=self.partition,
            management_account_id=a.management.account_id, security_account_id=a.security_account.account_id,
            source_account_ids=(a.management.account_id, *(x.account_id for x in a.accounts)), trail_arn=self.trail_arn,
            bucket_prefix=a.log_bucket_prefix, elb_bucket_prefix=a.elb_bucket_prefix,
            object_lock=ObjectLock(s.object_lock_mode, s.object_lock_days),
            archive_retention_days=s.log_archive_retention_days, access_log_retention_days=s.log_retention_days,
            elb_regions=a.elb_regions, elb_writers=writers,
            guardduty_export=bool(s.guardduty and s.findings and s.findings.export_guardduty)), self.child)  # fmt: skip

    def _alarms(self, name: str, trail: OrganizationTrail) -> tuple[pulumi.Output[str], AlarmBus, dict]:
        a = self.args
        topic = SecurityAlarmTopic(f"{name}-alarm-topic", SecurityAlarmTopicArgs(
            account=a.security_account, region=a.home_region, partition=self.partition,
            senders=(cis_sender(a.management.account_id), *a.alarm_senders), alarm_email=a.settings.alarm_email,
            findings=a.settings.findings),
            self.child)
        alarms = CisAlarms(f"{name}-cis-alarms", CisAlarmsArgs(
            account=a.management, region=a.home_region, log_group_name=trail.log_group.name, key_arn=trail.key.arn,
            security_bus=topic.bus), self.child)
        return topic.topic_arn, topic.bus, alarms.alarms

    def _config(self, name: str, storage: LogArchiveStorage) -> AwsConfig:
        a = self.args
        return AwsConfig(f"{name}-config", AwsConfigArgs(
            partition=self.partition, recorded_accounts=(a.management, *a.accounts), administrator=a.security_account,
            home_region=a.home_region, regions=a.regions, log_archive=self.log_archive,
            delivery_ready=(storage.bucket_policy,), log_retention_days=a.settings.log_retention_days,
            org_ready=a.org_ready), self.child)  # fmt: skip
