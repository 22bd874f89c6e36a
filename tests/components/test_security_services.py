"""Each service component of the security baseline built alone, from small typed args, under the shared recording
mocks (the `record` fixture): what it creates, where, and what it waits for."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest
from core_harness import config

from components.alarm_forwarding import AlarmSender
from components.context import AccountContext, LogArchive
from components.organization import management_account
from components.providers import management_providers
from components.security.access_analyzer import AccessAnalyzer, AccessAnalyzerArgs
from components.security.alarms import (
    CIS_ALARMS,
    CisAlarms,
    CisAlarmsArgs,
    SecurityAlarmTopic,
    SecurityAlarmTopicArgs,
    cis_sender,
)
from components.security.config import CONFIG_RULES, AwsConfig, AwsConfigArgs
from components.security.guardduty import GUARDDUTY_FEATURES, GuardDuty, GuardDutyArgs
from components.security.inspector import Inspector, InspectorArgs
from components.security.log_archive import ElbWriter, LogArchiveArgs, LogArchiveStorage
from components.security.security_hub import SecurityHub, SecurityHubArgs
from components.security.trail import OrganizationTrail, OrganizationTrailArgs
from components.storage import ObjectLock
from landing_zone.mocks import MANAGEMENT_ACCOUNT_ID, fake_account_id

HOME, DR = "ap-south-1", "ap-south-2"
CFG = config("dev")
LOG_ARCHIVE = LogArchive(bucket_name="lz-log-archive-1", bucket_arn="arn:aws:s3:::lz-log-archive-1",
                         kms_key_arn="arn:aws:kms:ap-south-1:111111111111:key/log")


def account(name: str, regions=(HOME,)) -> AccountContext:
    """A config account of the dev stack, with its providers (inside the program)."""
    if name == "management":
        return AccountContext(management_account(CFG.organization), MANAGEMENT_ACCOUNT_ID,
                              management_providers(CFG.organization, list(regions)))
    config = next(a for a in CFG.accounts if a.name == name)
    return AccountContext.from_account_id(config, fake_account_id(name), CFG.organization, list(regions))


def marker(name: str) -> pulumi.Resource:
    """Stands for something a service must wait for (the organization, the log bucket policy)."""
    return aws.sns.Topic(name)


def deps(recording, resource: dict) -> set[str]:
    names = {r["urn"]: r["name"] for r in recording.resources}
    return {names.get(d, d) for d in resource["dependencies"]}


def test_guardduty_detectors_exist_before_the_delegation_and_the_organization_auto_enables_every_feature(record):
    rec = record(lambda: GuardDuty("gd", GuardDutyArgs(management=account("management"), administrator=account("security"),
                                                       regions=(HOME,), org_ready=(marker("organization"),))))
    detectors = rec.of_type("aws:guardduty/detector:Detector")
    assert sorted(rec.account_of(d) for d in detectors) == ["management", "security"]
    delegation = rec.one("aws:guardduty/organizationAdminAccount:OrganizationAdminAccount")
    assert rec.account_of(delegation) == "management"
    assert deps(rec, delegation) == {f"management-{HOME}-guardduty", f"security-{HOME}-guardduty", "organization"}
    assert delegation["inputs"]["adminAccountId"] == fake_account_id("security")
    org = rec.one("aws:guardduty/organizationConfiguration:OrganizationConfiguration")
    assert org["inputs"]["autoEnableOrganizationMembers"] == "ALL" and delegation["urn"] in org["dependencies"]
    features = rec.of_type("aws:guardduty/organizationConfigurationFeature:OrganizationConfigurationFeature")
    assert sorted(f["inputs"]["name"] for f in features) == sorted(GUARDDUTY_FEATURES)
    assert all(not r["options"].get("aliases") for r in rec.resources)  # built alone: nothing moved


def test_security_hub_in_one_region_aggregates_all_regions_and_enables_the_chosen_standards(record):
    rec = record(lambda: SecurityHub("hub", SecurityHubArgs(
        partition="aws", management=account("management"), administrator=account("security"), home_region=HOME,
        regions=(HOME,), standards=("cis-3.0",), root_id="r-test")))
    aggregator = rec.one("aws:securityhub/findingAggregator:FindingAggregator")
    assert aggregator["inputs"]["linkingMode"] == "ALL_REGIONS" and "specifiedRegions" not in aggregator["inputs"]
    policy = rec.one("aws:securityhub/configurationPolicy:ConfigurationPolicy")
    assert policy["inputs"]["configurationPolicy"]["enabledStandardArns"] == [
        f"arn:aws:securityhub:{HOME}::standards/cis-aws-foundations-benchmark/v/3.0.0"]
    assert rec.one("aws:securityhub/configurationPolicyAssociation:ConfigurationPolicyAssociation")["inputs"]["targetId"] == "r-test"
    assert len(rec.of_type("aws:securityhub/account:Account")) == 2


def test_inspector_associates_every_member_and_scans_them_with_the_administrator(record):
    rec = record(lambda: Inspector("insp", InspectorArgs(
        management=account("management", (HOME, DR)), administrator=account("security", (HOME, DR)),
        members=(account("prod-apps", (HOME, DR)), account("log-archive", (HOME, DR))), regions=(HOME, DR))))
    assert len(rec.of_type("aws:inspector2/memberAssociation:MemberAssociation")) == 2 * 2
    for enabler in rec.of_type("aws:inspector2/enabler:Enabler"):
        assert enabler["inputs"]["accountIds"] == [fake_account_id(a) for a in ("security", "prod-apps", "log-archive")]
        assert rec.account_of(enabler) == "security"


def test_access_analyzer_one_organization_analyzer_per_region_in_the_administrator(record):
    rec = record(lambda: AccessAnalyzer("aa", AccessAnalyzerArgs(administrator=account("security", (HOME, DR)),
                                                                 regions=(HOME, DR), analyzer_name="lz-organization")))
    analyzers = rec.of_type("aws:accessanalyzer/analyzer:Analyzer")
    assert [a["inputs"] for a in analyzers] == [{"analyzerName": "lz-organization", "type": "ORGANIZATION"}] * 2
    assert {rec.account_of(a) for a in analyzers} == {"security"}


def test_config_records_every_account_and_region_and_evaluates_global_rules_once(record):
    def program():
        policy = marker("log-bucket-policy")
        AwsConfig("cfg", AwsConfigArgs(
            partition="aws", recorded_accounts=(account("management", (HOME, DR)), account("prod-apps", (HOME, DR))),
            administrator=account("security", (HOME, DR)), home_region=HOME, regions=(HOME, DR), log_archive=LOG_ARCHIVE,
            delivery_ready=(policy,), log_retention_days=90))

    rec = record(program)
    assert len(rec.of_type("aws:cfg/recorder:Recorder")) == 4
    for channel in rec.of_type("aws:cfg/deliveryChannel:DeliveryChannel"):
        assert "log-bucket-policy" in deps(rec, channel)  # PutDeliveryChannel checks the bucket policy
        assert channel["inputs"]["s3BucketName"] == "lz-log-archive-1"
    rules = rec.of_type("aws:cfg/organizationManagedRule:OrganizationManagedRule")
    global_rules = sum(1 for *_, global_only in CONFIG_RULES if global_only)
    assert len(rules) == 2 * len(CONFIG_RULES) - global_rules
    retention = next(r for r in rules if r["inputs"]["ruleIdentifier"] == "CW_LOGGROUP_RETENTION_PERIOD_CHECK")
    assert json.loads(retention["inputs"]["inputParameters"]) == {"MinRetentionTime": "90"}


def test_log_archive_without_load_balancers_has_no_elb_bucket(record):
    rec = record(lambda: LogArchiveStorage("logs", LogArchiveArgs(
        account=account("log-archive"), region=HOME, partition="aws", management_account_id=MANAGEMENT_ACCOUNT_ID,
        security_account_id="222222222222", source_account_ids=(MANAGEMENT_ACCOUNT_ID,), trail_arn="arn:trail",
        bucket_prefix="lz-log-archive-", elb_bucket_prefix="lz-log-archive-elb-",
        object_lock=ObjectLock("COMPLIANCE", 30), archive_retention_days=400, access_log_retention_days=90)))
    buckets = {b["name"]: b for b in rec.of_type("aws:s3/bucket:Bucket")}
    assert set(buckets) == {f"log-archive-{HOME}-log-bucket", f"log-archive-{HOME}-log-access-bucket"}
    assert all(b["protect"] for b in buckets.values())
    lock = rec.one("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    assert lock["inputs"]["rule"]["defaultRetention"] == {"mode": "COMPLIANCE", "days": 30}
    key = rec.one("aws:kms/key:Key")
    assert key["protect"] and "arn:trail" in key["inputs"]["policy"]


def test_log_archive_lets_an_nlb_account_deliver_through_cloudwatch_logs(record):
    rec = record(lambda: LogArchiveStorage("logs", LogArchiveArgs(
        account=account("log-archive"), region=HOME, partition="aws", management_account_id=MANAGEMENT_ACCOUNT_ID,
        security_account_id="222222222222", source_account_ids=(MANAGEMENT_ACCOUNT_ID,), trail_arn="arn:trail",
        bucket_prefix="lz-log-archive-", elb_bucket_prefix="lz-log-archive-elb-",
        object_lock=ObjectLock("GOVERNANCE", 30), archive_retention_days=400, access_log_retention_days=90,
        elb_regions=(HOME,), elb_writers=(ElbWriter("apps", "333333333333", nlb=True),
                                          ElbWriter("web", "444444444444", nlb=False)))))
    policy = rec.named(f"log-archive-{HOME}-elb-logs-bucket-policy")
    statements = {s["Sid"]: s for s in json.loads(policy["inputs"]["policy"])["Statement"]}
    assert len(statements["ApplicationLoadBalancerLogsWrite"]["Resource"]) == 2
    nlb = statements["NetworkLoadBalancerLogsWrite"]
    assert nlb["Condition"]["StringEquals"]["aws:SourceAccount"] == ["333333333333"]
    (bucket,) = [b for b in rec.of_type("aws:s3/bucket:Bucket") if b["name"] == f"log-archive-{HOME}-elb-logs-bucket"]
    assert nlb["Resource"] == [bucket["outputs"]["arn"] + f"/alb/apps/{HOME}/AWSLogs/333333333333/*"]


def test_trail_waits_for_what_create_trail_checks(record):
    def program():
        bucket_policy, org = marker("log-bucket-policy"), marker("organization")
        handle = LogArchive(bucket_name="b", bucket_arn="arn:aws:s3:::b", kms_key_arn="k", ready=(bucket_policy,))
        OrganizationTrail("trail", OrganizationTrailArgs(
            account=account("management"), region=HOME, partition="aws", trail_name="lz-organization-trail",
            log_archive=handle, log_retention_days=30, org_ready=(org,)))

    rec = record(program)
    trail = rec.one("aws:cloudtrail/trail:Trail")
    assert trail["protect"] and trail["inputs"]["isOrganizationTrail"] is True
    assert deps(rec, trail) >= {"log-bucket-policy", "organization", f"management-{HOME}-trail-logs-policy"}
    assert rec.one("aws:cloudwatch/logGroup:LogGroup")["inputs"]["retentionInDays"] == 30


@pytest.fixture
def alarms(record):
    def program():
        topic = SecurityAlarmTopic("topic", SecurityAlarmTopicArgs(
            account=account("security"), region=HOME, partition="aws", senders=(cis_sender(MANAGEMENT_ACCOUNT_ID),),
            alarm_email="sec@example.com"))
        CisAlarms("cis", CisAlarmsArgs(account=account("management"), region=HOME, log_group_name="/trail",
                                       key_arn="arn:key", security_bus=topic.bus))

    return record(program)


def test_cis_alarms_notify_a_local_topic_and_are_forwarded_to_the_security_account(alarms):
    rec = alarms
    metric_alarms = rec.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    assert len(metric_alarms) == len(CIS_ALARMS) + 1  # + Transit Gateway changes
    local = rec.named(f"management-{HOME}-cis-alarms")
    assert all(a["inputs"]["alarmActions"] == [local["id"]] for a in metric_alarms)
    assert all(f["inputs"]["logGroupName"] == "/trail" for f in rec.of_type("aws:cloudwatch/logMetricFilter:LogMetricFilter"))
    forward = rec.named(f"management-{HOME}-alarms-to-security")
    assert forward["inputs"]["arn"] == f"arn:aws:events:{HOME}:{fake_account_id('security')}:event-bus/default"
    assert f"security-{HOME}-event-bus-policy" in deps(rec, forward)  # PutTargets needs the bus to admit it


def test_security_alarm_topic_mails_the_alarm_email_and_accepts_only_the_sender(alarms):
    rec = alarms
    sub = rec.one("aws:sns/topicSubscription:TopicSubscription")
    assert sub["inputs"]["endpoint"] == "sec@example.com" and rec.account_of(sub) == "security"
    rule = rec.named(f"security-{HOME}-alarms-rule")
    assert json.loads(rule["inputs"]["eventPattern"])["account"] == [MANAGEMENT_ACCOUNT_ID]


def test_security_alarm_topic_admits_every_sender_on_its_bus_and_in_its_rule(record):
    """With hybrid DNS the network account forwards its DNS Firewall alarms too: one bus policy statement per sender,
    the rule accepts their accounts and alarm name prefixes."""
    network_id = fake_account_id("network")

    def program():
        SecurityAlarmTopic("topic", SecurityAlarmTopicArgs(
            account=account("security"), region=HOME, partition="aws", alarm_email="sec@example.com",
            senders=(cis_sender(MANAGEMENT_ACCOUNT_ID), AlarmSender("NetworkForwardsDnsAlarms", network_id, "lz-dns-"))))

    rec = record(program)
    policy = json.loads(rec.named(f"security-{HOME}-event-bus-policy")["inputs"]["policy"])
    assert [(s["Sid"], s["Principal"]["AWS"]) for s in policy["Statement"]] == [
        ("ManagementForwardsAlarms", f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:root"),
        ("NetworkForwardsDnsAlarms", f"arn:aws:iam::{network_id}:root")]
    pattern = json.loads(rec.named(f"security-{HOME}-alarms-rule")["inputs"]["eventPattern"])
    assert pattern["account"] == [MANAGEMENT_ACCOUNT_ID, network_id]
    assert pattern["detail"]["alarmName"] == [{"prefix": "lz-cis-"}, {"prefix": "lz-dns-"}]
