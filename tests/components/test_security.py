"""Security baseline: log archive, organization trail, CIS alarms, Config, GuardDuty, Security Hub, Inspector,
Access Analyzer -- counts per account x region and the security properties CONTROLS.md asks for."""

import json

import pytest
from core_harness import account_of, config, of_type, plan_config, region_of, stack_plan
from stack_plans import full_plan

from components.security.alarms import CIS_ALARMS
from components.security.guardduty import GUARDDUTY_FEATURES
from landing_zone.log_delivery import ELB_ACCOUNT_IDS, elb_log_regions, elb_writer

STACKS = ["dev", "prod"]


def account_ids(plan: dict) -> dict[str, str]:
    return {r["name"].removeprefix("account-"): r["id"] for r in of_type(plan, "aws:organizations/account:Account")}


def statements(policy: str) -> dict[str, dict]:
    return {s.get("Sid", str(i)): s for i, s in enumerate(json.loads(policy)["Statement"])}


@pytest.mark.parametrize("stack", STACKS)
def test_log_buckets_are_protected_private_versioned_and_encrypted(stack):
    cfg, plan = config(stack), stack_plan(stack)
    home = cfg.organization.home_region
    archive = [r for r in of_type(plan, "aws:s3/bucket:Bucket") if account_of(plan, r) == "log-archive"]
    buckets = {r["name"]: r for r in archive if region_of(plan, r) == home}
    ids = {b["id"] for b in buckets.values()}

    def of_log_buckets(kind: str) -> list[dict]:
        return [r for r in of_type(plan, f"aws:s3/{kind}") if r["inputs"]["bucket"] in ids]

    # both sample stacks run an ALB; prod's warm standby runs one in the DR region too, with its own region's buckets
    dr = [cfg.organization.dr_region] if stack == "prod" else []
    assert elb_log_regions(cfg) == [home, *dr]
    assert {r["name"] for r in archive if r not in buckets.values()} == {
        f"log-archive-{r}-{b}-bucket" for r in dr for b in ("elb-logs", "log-access")}
    assert set(buckets) == {f"log-archive-{home}-log-bucket", f"log-archive-{home}-log-access-bucket",
                            f"log-archive-{home}-elb-logs-bucket"}
    for b in buckets.values():
        assert b["protect"] is True and account_of(plan, b) == "log-archive" and region_of(plan, b) == home
        assert b["inputs"]["bucket"].startswith(f"{cfg.organization.name}-log-archive-")  # what the SCP protects
    log = buckets[f"log-archive-{home}-log-bucket"]
    assert log["inputs"]["objectLockEnabled"] is True
    pabs = of_log_buckets("bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert len(pabs) == 3 and all(all(p["inputs"][k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                                               "restrictPublicBuckets")) for p in pabs)
    versioned = of_log_buckets("bucketVersioning:BucketVersioning")
    assert len(versioned) == 3 and all(v["inputs"]["versioningConfiguration"]["status"] == "Enabled" for v in versioned)
    (lock,) = of_log_buckets("bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    assert lock["inputs"]["rule"]["defaultRetention"] == {"mode": cfg.security.object_lock_mode, "days": cfg.security.object_lock_days}
    sse = {r["name"]: r["inputs"]["rules"][0]["applyServerSideEncryptionByDefault"]
           for r in of_type(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")}
    assert sse[f"log-archive-{home}-log-bucket-encryption"]["sseAlgorithm"] == "aws:kms"
    access = buckets[f"log-archive-{home}-log-access-bucket"]
    loggings = {r["inputs"]["bucket"]: r["inputs"]["targetBucket"] for r in of_log_buckets("bucketLogging:BucketLogging")}
    assert loggings == {log["id"]: access["id"], buckets[f"log-archive-{home}-elb-logs-bucket"]["id"]: access["id"]}


@pytest.mark.parametrize("stack", STACKS)
def test_access_log_targets_use_sse_s3_and_are_tagged_as_access_logs(stack):
    """S3 server access logs and ALB access logs can only be written to SSE-S3 buckets (no KMS, no lock)."""
    cfg, plan = config(stack), stack_plan(stack)
    home = cfg.organization.home_region
    sse = {r["name"]: r["inputs"]["rules"][0]
           for r in of_type(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")}
    buckets = {r["name"]: r for r in of_type(plan, "aws:s3/bucket:Bucket")}
    for purpose in ("log-access-bucket", "elb-logs-bucket"):
        rule = sse[f"log-archive-{home}-{purpose}-encryption"]
        assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
        bucket = buckets[f"log-archive-{home}-{purpose}"]["inputs"]
        assert bucket["tags"] == {"purpose": "access-logs"} and bucket["objectLockEnabled"] is False
    assert "tags" not in buckets[f"log-archive-{home}-log-bucket"]["inputs"]  # the KMS archive is not exempt


@pytest.mark.parametrize("stack", STACKS)
def test_elb_log_bucket_lets_only_the_regional_elb_write_under_each_edge_account_prefix(stack):
    cfg, plan = config(stack), stack_plan(stack)
    home = cfg.organization.home_region
    (policy,) = [p for p in of_type(plan, "aws:s3/bucketPolicy:BucketPolicy") if p["name"] == f"log-archive-{home}-elb-logs-bucket-policy"]
    (bucket,) = [b for b in of_type(plan, "aws:s3/bucket:Bucket") if b["name"] == f"log-archive-{home}-elb-logs-bucket"]
    assert policy["inputs"]["bucket"] == bucket["id"]
    s = statements(policy["inputs"]["policy"])
    assert set(s) == {"DenyInsecureTransport", "ApplicationLoadBalancerLogsWrite"}  # no NLB in the sample stacks
    alb = s["ApplicationLoadBalancerLogsWrite"]
    assert alb["Principal"] == {"AWS": f"arn:aws:iam::{ELB_ACCOUNT_IDS[home]}:root"} and alb["Action"] == "s3:PutObject"
    arn = bucket["outputs"]["arn"]
    edge_accounts = [a.name for a in cfg.accounts if a.workloads.edge]
    ids = account_ids(plan)
    assert sorted(alb["Resource"]) == sorted(f"{arn}/alb/{a}/{home}/AWSLogs/{ids[a]}/*" for a in edge_accounts)
    rules = {r["name"]: r["inputs"]["rules"][0] for r in of_type(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")}
    lifecycle = rules[f"log-archive-{home}-elb-logs-bucket-lifecycle"]
    assert lifecycle["expiration"]["days"] == cfg.security.log_archive_retention_days
    assert lifecycle["transitions"][0]["days"] < cfg.security.log_archive_retention_days
    log_bucket = next(p for p in of_type(plan, "aws:s3/bucketPolicy:BucketPolicy") if p["name"].endswith("-log-bucket-policy"))
    assert "elasticloadbalancing" not in log_bucket["inputs"]["policy"]  # ALB logs never go to the KMS archive


def test_elb_writer_is_the_regional_account_before_august_2022_and_the_service_principal_after():
    assert elb_writer("ap-south-1") == {"AWS": "718504428378"}
    assert elb_writer("ap-south-2") == {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}


@pytest.fixture(scope="module")
def nlb_dr_plan() -> tuple:
    """prod with an NLB on prod-apps and the home region moved to ap-south-2 (a Region launched after Aug 2022)."""
    cfg = config("prod")
    data = cfg.model_dump(mode="python", exclude_unset=True)
    org = data["organization"]
    org["home_region"], org["dr_region"] = "ap-south-2", "ap-south-1"
    for account in data["accounts"]:
        if account["name"] == "prod-apps":
            account["workloads"]["edge"]["nlb"] = True
    variant = type(cfg).model_validate(data)
    return variant, plan_config(variant, "prod")


def test_nlb_log_delivery_and_new_region_principal(nlb_dr_plan):
    cfg, plan = nlb_dr_plan
    (policy,) = [p for p in of_type(plan, "aws:s3/bucketPolicy:BucketPolicy") if p["name"] == "log-archive-ap-south-2-elb-logs-bucket-policy"]
    s = statements(policy["inputs"]["policy"])
    assert s["ApplicationLoadBalancerLogsWrite"]["Principal"] == {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}
    write = s["NetworkLoadBalancerLogsWrite"]
    assert write["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    prod_apps = account_ids(plan)["prod-apps"]
    assert write["Condition"]["StringEquals"] == {"aws:SourceAccount": [prod_apps],
                                                  "s3:x-amz-acl": "bucket-owner-full-control"}
    assert write["Condition"]["ArnLike"] == {"aws:SourceArn": [f"arn:aws:logs:ap-south-2:{prod_apps}:*"]}
    assert write["Resource"] == [f"{policy_bucket_arn(plan, 'ap-south-2')}/alb/prod-apps/ap-south-2/AWSLogs/{prod_apps}/*"]
    assert s["NetworkLoadBalancerLogsAclCheck"]["Action"] == "s3:GetBucketAcl"


def policy_bucket_arn(plan: dict, region: str) -> str:
    (bucket,) = [b for b in of_type(plan, "aws:s3/bucket:Bucket") if b["name"] == f"log-archive-{region}-elb-logs-bucket"]
    return bucket["outputs"]["arn"]



@pytest.mark.parametrize("stack", STACKS)
def test_log_bucket_lifecycle_moves_to_glacier_then_expires(stack):
    cfg, plan = config(stack), stack_plan(stack)
    rules = {r["name"]: r["inputs"]["rules"][0] for r in of_type(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")}
    log = rules[f"log-archive-{cfg.organization.home_region}-log-bucket-lifecycle"]
    assert log["expiration"]["days"] == cfg.security.log_archive_retention_days
    assert log["transitions"][0]["storageClass"] == "GLACIER"
    assert log["transitions"][0]["days"] < cfg.security.log_archive_retention_days


@pytest.mark.parametrize("stack", STACKS)
def test_log_bucket_policy_is_tls_only_and_lets_services_write(stack):
    plan = stack_plan(stack)
    for policy in of_type(plan, "aws:s3/bucketPolicy:BucketPolicy"):
        s = statements(policy["inputs"]["policy"])
        deny = s["DenyInsecureTransport"]
        assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    log = next(p for p in of_type(plan, "aws:s3/bucketPolicy:BucketPolicy") if p["name"].endswith("log-bucket-policy"))
    s = statements(log["inputs"]["policy"])
    assert s["CloudTrailWrites"]["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert s["CloudTrailWrites"]["Condition"]["StringEquals"]["aws:SourceArn"].endswith("-organization-trail")
    assert s["ConfigWrites"]["Principal"] == {"Service": "config.amazonaws.com"}
    assert len(s["ConfigWrites"]["Condition"]["StringEquals"]["aws:SourceAccount"]) == len(config(stack).accounts) + 1
    assert "*" not in json.dumps([st.get("Principal") for sid, st in s.items() if st["Effect"] == "Allow"]).replace('"Service"', "")


@pytest.mark.parametrize("stack", STACKS)
def test_every_kms_key_rotates_and_has_an_explicit_policy(stack):
    plan = stack_plan(stack)
    keys = of_type(plan, "aws:kms/key:Key")
    assert keys
    for key in keys:
        assert key["inputs"]["enableKeyRotation"] is True, key["name"]
        policy = json.loads(key["inputs"]["policy"])
        for st in policy["Statement"]:
            if st.get("Principal") in ("*", {"AWS": "*"}):
                assert st.get("Condition"), key["name"]
    log_key = next(k for k in keys if k["name"].endswith("-log-key"))
    assert log_key["protect"] is True
    services = {st["Principal"].get("Service") for st in json.loads(log_key["inputs"]["policy"])["Statement"]}
    assert {"cloudtrail.amazonaws.com", "config.amazonaws.com", "delivery.logs.amazonaws.com"} <= services


@pytest.mark.parametrize("stack", STACKS)
def test_organization_trail(stack):
    cfg, plan = config(stack), stack_plan(stack)
    (trail,) = of_type(plan, "aws:cloudtrail/trail:Trail")
    i = trail["inputs"]
    assert trail["protect"] is True and account_of(plan, trail) == "management"
    assert i["isOrganizationTrail"] is True and i["isMultiRegionTrail"] is True
    assert i["enableLogFileValidation"] is True and i["includeGlobalServiceEvents"] is True
    log_key = next(k for k in of_type(plan, "aws:kms/key:Key") if k["name"].endswith("-log-key"))
    assert i["kmsKeyId"] == log_key["outputs"]["arn"]
    assert i["s3BucketName"].startswith(f"{cfg.organization.name}-log-archive-")
    assert i["cloudWatchLogsGroupArn"].endswith(":*") and i["cloudWatchLogsRoleArn"]
    assert "eventSelectors" not in i  # advanced selectors only (AWS refuses both kinds on one trail)
    (group,) = of_type(plan, "aws:cloudwatch/logGroup:LogGroup")
    assert group["inputs"]["retentionInDays"] == cfg.security.log_retention_days and group["inputs"]["kmsKeyId"]


@pytest.mark.parametrize("stack", STACKS)
def test_cis_metric_filters_and_alarms(stack):
    plan = stack_plan(stack)
    filters = {f["inputs"]["metricTransformation"]["name"]: f for f in of_type(plan, "aws:cloudwatch/logMetricFilter:LogMetricFilter")}
    alarms = {a["inputs"]["metricName"]: a for a in of_type(plan, "aws:cloudwatch/metricAlarm:MetricAlarm")}
    cis = [a for a in alarms.values() if a["inputs"]["alarmDescription"].startswith("CIS AWS Foundations 4.")]
    assert len(cis) == 15 and len(CIS_ALARMS) == 15
    assert "TransitGatewayChanges" in alarms  # the seeds' resource-level changes include the TGW
    (local_topic,) = [t for t in of_type(plan, "aws:sns/topic:Topic") if account_of(plan, t) == "management"]
    for metric, alarm in alarms.items():
        assert metric in filters
        assert alarm["inputs"]["alarmActions"] == [local_topic["id"]]
        assert alarm["inputs"]["actionsEnabled"] is True and alarm["inputs"]["threshold"] == 1
    assert 'userIdentity.type = "Root"' in filters["RootAccountUsage"]["inputs"]["pattern"]
    assert "MFAUsed" in filters["ConsoleSigninWithoutMFA"]["inputs"]["pattern"]


@pytest.mark.parametrize("stack", STACKS)
def test_alarms_reach_the_security_topic_with_the_alarm_email(stack):
    cfg, plan = config(stack), stack_plan(stack)
    topics = {account_of(plan, t): t for t in of_type(plan, "aws:sns/topic:Topic")}
    assert set(topics) == {"management", "security"} and all(t["inputs"]["kmsMasterKeyId"] for t in topics.values())
    (sub,) = of_type(plan, "aws:sns/topicSubscription:TopicSubscription")
    assert account_of(plan, sub) == "security" and sub["inputs"]["endpoint"] == cfg.security.alarm_email
    assert sub["inputs"]["topic"] == topics["security"]["id"]
    targets = {account_of(plan, t): t for t in of_type(plan, "aws:cloudwatch/eventTarget:EventTarget")}
    assert targets["management"]["inputs"]["arn"].endswith(":event-bus/default")
    assert targets["security"]["inputs"]["arn"] == topics["security"]["id"]


@pytest.mark.parametrize("stack", STACKS)
def test_one_config_recorder_per_account_and_region(stack):
    cfg, plan = config(stack), stack_plan(stack)
    recorders = of_type(plan, "aws:cfg/recorder:Recorder")
    where = sorted((account_of(plan, r), region_of(plan, r)) for r in recorders)
    expected = sorted((a, r) for a in ["management", *(a.name for a in cfg.accounts)] for r in cfg.regions)
    assert where == expected
    for r in recorders:
        assert r["inputs"]["recordingGroup"] == {"allSupported": True, "includeGlobalResourceTypes": True}
    channels = of_type(plan, "aws:cfg/deliveryChannel:DeliveryChannel")
    assert len(channels) == len(expected)
    assert all(c["inputs"]["s3BucketName"].startswith(f"{cfg.organization.name}-log-archive-") and c["inputs"]["s3KmsKeyArn"]
               for c in channels)
    assert len([s for s in of_type(plan, "aws:cfg/recorderStatus:RecorderStatus") if s["inputs"]["isEnabled"]]) == len(expected)
    (aggregator,) = of_type(plan, "aws:cfg/configurationAggregator:ConfigurationAggregator")
    assert account_of(plan, aggregator) == "security"
    assert aggregator["inputs"]["organizationAggregationSource"]["allRegions"] is True
    rules = of_type(plan, "aws:cfg/organizationManagedRule:OrganizationManagedRule")
    assert {r["inputs"]["ruleIdentifier"] for r in rules} >= {"ENCRYPTED_VOLUMES", "EC2_IMDSV2_CHECK", "IAM_PASSWORD_POLICY",
                                                              "S3_BUCKET_SSL_REQUESTS_ONLY", "VPC_FLOW_LOGS_ENABLED"}
    assert all(account_of(plan, r) == "security" for r in rules)
    assert sum(r["inputs"]["ruleIdentifier"] == "IAM_PASSWORD_POLICY" for r in rules) == 1  # global: home region only


@pytest.mark.parametrize("stack", STACKS)
def test_guardduty_delegated_with_organization_auto_enable_and_features(stack):
    cfg, plan = config(stack), stack_plan(stack)
    n = len(cfg.regions)
    admins = of_type(plan, "aws:guardduty/organizationAdminAccount:OrganizationAdminAccount")
    assert len(admins) == n and all(account_of(plan, a) == "management" for a in admins)
    org_configs = of_type(plan, "aws:guardduty/organizationConfiguration:OrganizationConfiguration")
    assert len(org_configs) == n
    assert all(c["inputs"]["autoEnableOrganizationMembers"] == "ALL" and account_of(plan, c) == "security" for c in org_configs)
    features = of_type(plan, "aws:guardduty/organizationConfigurationFeature:OrganizationConfigurationFeature")
    assert sorted(f["inputs"]["name"] for f in features) == sorted(list(GUARDDUTY_FEATURES) * n)
    assert all(f["inputs"]["autoEnable"] == "ALL" for f in features)
    assert {"S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS",
            "RUNTIME_MONITORING"} == set(GUARDDUTY_FEATURES)
    detectors = of_type(plan, "aws:guardduty/detector:Detector")
    assert sorted(account_of(plan, d) for d in detectors) == sorted(["management", "security"] * n)
    assert all(d["inputs"]["enable"] is True for d in detectors)


@pytest.mark.parametrize("stack", STACKS)
def test_security_hub_central_configuration_with_configured_standards(stack):
    cfg, plan = config(stack), stack_plan(stack)
    assert len(of_type(plan, "aws:securityhub/organizationAdminAccount:OrganizationAdminAccount")) == len(cfg.regions)
    (aggregator,) = of_type(plan, "aws:securityhub/findingAggregator:FindingAggregator")
    assert region_of(plan, aggregator) == cfg.organization.home_region and account_of(plan, aggregator) == "security"
    assert aggregator["inputs"]["specifiedRegions"] == [cfg.organization.dr_region]
    (org,) = of_type(plan, "aws:securityhub/organizationConfiguration:OrganizationConfiguration")
    assert org["inputs"]["organizationConfiguration"]["configurationType"] == "CENTRAL"
    (policy,) = of_type(plan, "aws:securityhub/configurationPolicy:ConfigurationPolicy")
    arns = policy["inputs"]["configurationPolicy"]["enabledStandardArns"]
    assert any("aws-foundational-security-best-practices" in a for a in arns)
    assert any("cis-aws-foundations-benchmark/v/3.0.0" in a for a in arns)
    (assoc,) = of_type(plan, "aws:securityhub/configurationPolicyAssociation:ConfigurationPolicyAssociation")
    assert assoc["inputs"]["targetId"] == "r-exam"


@pytest.mark.parametrize("stack", STACKS)
def test_inspector_and_access_analyzer(stack):
    cfg, plan = config(stack), stack_plan(stack)
    enablers = of_type(plan, "aws:inspector2/enabler:Enabler")
    assert len(enablers) == len(cfg.regions)
    for e in enablers:
        assert set(e["inputs"]["resourceTypes"]) == {"EC2", "ECR", "LAMBDA"}
        assert len(e["inputs"]["accountIds"]) == len(cfg.accounts)
    assert len(of_type(plan, "aws:inspector2/memberAssociation:MemberAssociation")) == (len(cfg.accounts) - 1) * len(cfg.regions)
    org_analyzers = [a for a in of_type(plan, "aws:accessanalyzer/analyzer:Analyzer") if a["inputs"]["type"] == "ORGANIZATION"]
    assert len(org_analyzers) == len(cfg.regions) and all(account_of(plan, a) == "security" for a in org_analyzers)


@pytest.mark.parametrize("stack", STACKS)
def test_flow_log_delivery_writes_only_under_the_flow_log_prefix(stack):
    """Log delivery for any organization account used to be allowed anywhere in the bucket, CloudTrail's prefix
    included: now only `<bucket>/vpc-flow-logs/AWSLogs/...`, where every flow log of the plan writes."""
    cfg, plan = config(stack), stack_plan(stack)
    log = next(p for p in of_type(plan, "aws:s3/bucketPolicy:BucketPolicy") if p["name"].endswith("log-bucket-policy"))
    s = statements(log["inputs"]["policy"])
    bucket = next(b for b in of_type(plan, "aws:s3/bucket:Bucket") if b["name"].endswith("-log-bucket"))["outputs"]["arn"]
    flow = s["FlowLogsWrite"]
    assert flow["Resource"] == f"{bucket}/vpc-flow-logs/AWSLogs/*"
    ids = sorted(flow["Condition"]["StringEquals"]["aws:SourceAccount"])
    assert len(ids) == len(cfg.accounts) + 1
    assert sorted(flow["Condition"]["ArnLike"]["aws:SourceArn"]) == sorted(f"arn:aws:logs:*:{i}:*" for i in ids)
    for sid, st in s.items():  # every writer has its own prefix
        if st["Effect"] == "Allow" and st["Action"] == "s3:PutObject":
            assert not st["Resource"].endswith(f"{bucket}/*"), sid
    flow_logs = of_type(full_plan(stack), "aws:ec2/flowLog:FlowLog")  # the VPCs: in the whole program's plan
    assert flow_logs and all(f["inputs"]["logDestination"] == f"{bucket}/vpc-flow-logs/" for f in flow_logs)


@pytest.mark.parametrize("stack", STACKS)
def test_trail_records_s3_data_events_except_the_log_archive_own(stack):
    """Every delivery into the log bucket is an S3 data event: recording the log archive's buckets is a loop."""
    cfg, plan = config(stack), stack_plan(stack)
    (trail,) = of_type(plan, "aws:cloudtrail/trail:Trail")
    selectors = {s["name"]: {f["field"]: f for f in s["fieldSelectors"]} for s in trail["inputs"]["advancedEventSelectors"]}
    assert selectors["Management events"] == {"eventCategory": {"field": "eventCategory", "equals": ["Management"]}}
    data = selectors["S3 object events outside the log archive"]
    assert data["eventCategory"]["equals"] == ["Data"] and data["resources.type"]["equals"] == ["AWS::S3::Object"]
    assert "readOnly" not in data  # reads and writes (CIS 3.10, 3.11)
    excluded = data["resources.ARN"]["notStartsWiths"]
    # each log-archive bucket by its exact ARN + "/" (object ARNs), never a name prefix another account can match
    log_buckets = [b for b in of_type(plan, "aws:s3/bucket:Bucket") if account_of(plan, b) == "log-archive"]
    assert log_buckets and sorted(excluded) == sorted(b["outputs"]["arn"] + "/" for b in log_buckets)
    assert all(b["outputs"]["arn"].startswith(f"arn:aws:s3:::{cfg.organization.name}-log-archive-") for b in log_buckets)
    whole = full_plan(stack)  # workload buckets (backups, ...) are still recorded
    others = [b for b in of_type(whole, "aws:s3/bucket:Bucket") if account_of(whole, b) != "log-archive"]
    assert others and not any(b["outputs"]["arn"].startswith(tuple(excluded)) for b in others)
    look_alike = f"arn:aws:s3:::{cfg.organization.name}-log-archive-x/staged"
    assert not look_alike.startswith(tuple(excluded))


@pytest.mark.parametrize("stack", STACKS)
def test_log_writers_wait_for_what_aws_checks_at_creation(stack):
    plan = stack_plan(stack)
    urn = {r["name"]: r["urn"] for r in plan["resources"]}
    (trail,) = of_type(plan, "aws:cloudtrail/trail:Trail")
    for name in ("log-archive-ap-south-1-log-bucket-policy", "log-archive-ap-south-1-log-key",
                 "management-ap-south-1-trail-logs-policy", "organization"):
        assert urn[name] in trail["dependencies"], name  # CreateTrail checks the role's policy, not only the role
    for channel in of_type(plan, "aws:cfg/deliveryChannel:DeliveryChannel"):
        assert urn["log-archive-ap-south-1-log-bucket-policy"] in channel["dependencies"]
        assert any(d.endswith("-config-recorder") for d in channel["dependencies"])


@pytest.mark.parametrize("stack", STACKS)
def test_log_archive_key_alias_is_protected(stack):
    """The protect-logs-and-backups SCP finds the log key by this alias."""
    plan = stack_plan(stack)
    (alias,) = [a for a in of_type(plan, "aws:kms/alias:Alias") if a["name"].endswith("-log-key-alias")]
    assert alias["protect"] is True and alias["inputs"]["name"] == "alias/landing-zone/log-archive"


@pytest.mark.parametrize("stack", STACKS)
def test_elb_log_buckets_are_the_ones_the_rcp_lets_the_elb_account_write(stack):
    from landing_zone.scp_documents import elb_logs_bucket_prefix

    cfg, plan = config(stack), stack_plan(stack)
    elb = [b for b in of_type(plan, "aws:s3/bucket:Bucket") if b["name"].endswith("-elb-logs-bucket")]
    assert elb and all(b["inputs"]["bucket"].startswith(elb_logs_bucket_prefix(cfg)) for b in elb)


def test_a_disabled_service_creates_nothing():
    cfg = config("dev")
    off = cfg.model_copy(update={"security": cfg.security.model_copy(update={"cloudtrail": False, "guardduty": False})})
    plan = plan_config(off, "dev")
    types = {r["type"] for r in plan["resources"]}
    assert not types & {"landing-zone:security:OrganizationTrail", "landing-zone:security:CisAlarms",
                        "landing-zone:security:SecurityAlarmTopic", "landing-zone:security:GuardDuty",
                        "aws:cloudtrail/trail:Trail", "aws:cloudwatch/metricAlarm:MetricAlarm",
                        "aws:guardduty/detector:Detector"}
    assert {"landing-zone:security:SecurityHub", "landing-zone:security:AwsConfig"} <= types  # the others still run
    (baseline,) = of_type(plan, "landing-zone:security:SecurityBaseline")
    assert "trailArn" not in baseline["outputs"] and "alarmTopicArn" not in baseline["outputs"]
