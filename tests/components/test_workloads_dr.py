"""The DR region of an account with DR compute (pilot-light, warm-standby): the edge, the replicated repositories, the
ECS services at the standby's count, and the public name's failover records. backup-restore builds none of it."""

from __future__ import annotations

import workloads_harness as h

HOME, DR = "ap-south-1", "ap-south-2"
SERVICES = ("los-api", "lms-api", "web")
RECORD = "aws:route53/record:Record"


def _standby_counts(plan: dict, region: str) -> dict[str, tuple[int, int, int]]:
    """service -> (desired, min, max) of prod-apps's ECS services in a region."""
    counts = {}
    for service in SERVICES:
        desired = h.named(plan, f"prod-apps-{region}-ecs-{service}")["inputs"]["desiredCount"]
        target = h.named(plan, f"prod-apps-{region}-ecs-{service}-scaling")["inputs"]
        counts[service] = (desired, target["minCapacity"], target["maxCapacity"])
    return counts


def test_pilot_light_services_in_dr_run_no_task():
    plan = h.workloads_plan("prod", "prod-apps-pilot-light")
    assert set(_standby_counts(plan, DR).values()) == {(0, 0, 12), (0, 0, 8)}
    assert _standby_counts(plan, HOME)["los-api"] == (3, 3, 12)  # home unchanged


def test_warm_standby_services_in_dr_run_the_configured_minimum():
    plan = h.workloads_plan("prod", "prod-apps-warm-standby-2")
    assert _standby_counts(plan, DR) == {"los-api": (2, 2, 12), "lms-api": (2, 2, 12), "web": (2, 2, 8)}


def test_dr_services_pull_from_the_replicated_repositories_with_the_dr_key():
    plan = h.workloads_plan("prod", "prod-apps-warm-standby-2")
    task = h.named(plan, f"prod-apps-{DR}-ecs-los-api-task")["inputs"]
    image = h.doc(task["containerDefinitions"])[0]["image"]
    assert image.startswith(f"{h.fake_account_id('prod-apps')}.dkr.ecr.{DR}.amazonaws.com/los-api:")
    replication = h.by_prefix(plan, "aws:ecr/replicationConfiguration:ReplicationConfiguration", "prod-apps")
    assert [r["name"] for r in replication] == [f"prod-apps-{HOME}-ecr-replication"]  # the source registry's rule
    rule = replication[0]["inputs"]["replicationConfiguration"]["rules"][0]
    assert [d["region"] for d in rule["destinations"]] == [DR]
    assert sorted(f["filter"] for f in rule["repositoryFilters"]) == sorted(SERVICES)
    template = h.named(plan, f"prod-apps-{DR}-ecr-replica-template")
    assert template["inputs"]["appliedFors"] == ["REPLICATION"]
    assert template["inputs"]["imageTagMutability"] == "IMMUTABLE"
    dr_key = h.named(plan, f"prod-apps-{DR}-data-key")
    assert template["inputs"]["encryptionConfigurations"][0]["kmsKey"] == dr_key["outputs"]["arn"]
    assert template["inputs"]["customRoleArn"]  # ECR needs a role to create KMS-encrypted replicas


def test_failover_records_point_primary_home_and_secondary_to_dr():
    plan = h.workloads_plan("prod", "prod-apps-warm-standby-2")
    records = {r["name"]: r for r in h.by_prefix(plan, RECORD, "prod-apps") if r["inputs"]["name"] == "app.example.com"}
    primary, secondary = records[f"prod-apps-{HOME}-alias"], records[f"prod-apps-{DR}-alias"]
    home_alb, dr_alb = h.named(plan, f"prod-apps-{HOME}-alb"), h.named(plan, f"prod-apps-{DR}-alb")
    assert primary["inputs"]["failoverRoutingPolicies"] == [{"type": "PRIMARY"}]
    assert secondary["inputs"]["failoverRoutingPolicies"] == [{"type": "SECONDARY"}]
    assert primary["property_dependencies"]["aliases"] == [home_alb["urn"]]
    assert secondary["property_dependencies"]["aliases"] == [dr_alb["urn"]]
    check = h.named(plan, f"prod-apps-{HOME}-alb-health")
    assert primary["property_dependencies"]["healthCheckId"] == [check["urn"]]
    assert check["property_dependencies"]["fqdn"] == [home_alb["urn"]]  # the home ALB, never the failing-over name
    assert check["inputs"]["resourcePath"] == "/health"  # web's: the catch-all service
    assert primary["provider"] == secondary["provider"] == check["provider"]  # the zone owner's account


def test_the_dr_certificate_is_issued_in_the_dr_region():
    plan = h.workloads_plan("prod", "prod-apps-warm-standby-2")
    cert = h.named(plan, f"prod-apps-{DR}-cert")
    listener = h.named(plan, f"prod-apps-{DR}-alb-https")
    assert cert["provider"] == h.named(plan, f"prod-apps-{DR}-alb")["provider"] != \
        h.named(plan, f"prod-apps-{HOME}-alb")["provider"]
    validation = h.by_prefix(plan, "aws:acm/certificateValidation:CertificateValidation", f"prod-apps-{DR}")
    assert listener["property_dependencies"]["certificateArn"] == [validation[0]["urn"]]


def test_backup_restore_builds_nothing_in_dr_and_keeps_the_plain_alias():
    plan = h.workloads_plan("prod", "prod-apps-backup-restore")
    assert not [r for r in plan["resources"] if r["name"].startswith(f"prod-apps-{DR}-")
                and r["type"] in ("aws:ecs/service:Service", "aws:lb/loadBalancer:LoadBalancer", RECORD)]
    alias = h.named(plan, f"prod-apps-{HOME}-alias")["inputs"]
    assert "failoverRoutingPolicies" not in alias and "setIdentifier" not in alias
    assert not h.by_prefix(plan, "aws:route53/healthCheck:HealthCheck")


# --- Redis: a global datastore unless rebuilt empty -----------------------------------------------------------------
REDIS_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
REDIS_GLOBAL = "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup"
GLOBAL_VARIANT = "prod-apps-pilot-light-redis-global"


def test_redis_joins_a_global_datastore_with_a_secondary_in_the_dr_data_tier():
    plan = h.workloads_plan("prod", GLOBAL_VARIANT)
    primary, secondary = h.named(plan, f"prod-apps-{HOME}-redis"), h.named(plan, f"prod-apps-{DR}-redis")
    datastore = h.named(plan, f"prod-apps-{HOME}-redis-global")
    assert datastore["property_dependencies"]["primaryReplicationGroupId"] == [primary["urn"]]  # after the primary
    assert secondary["property_dependencies"]["globalReplicationGroupId"] == [datastore["urn"]]  # after the datastore
    assert secondary["provider"] != primary["provider"]  # the DR region's
    inputs = secondary["inputs"]
    assert inputs["kmsKeyId"] == h.named(plan, f"prod-apps-{DR}-data-key")["outputs"]["arn"]
    # AWS takes these from the datastore (the primary): the provider refuses them beside globalReplicationGroupId,
    # and an AuthToken without TransitEncryptionEnabled in the request (DEP-04)
    assert not {"engine", "engineVersion", "nodeType", "transitEncryptionEnabled", "atRestEncryptionEnabled",
                "authToken", "authTokenUpdateStrategy"} & set(inputs)
    assert h.secret_value(primary["inputs"]["authToken"]) and primary["inputs"]["transitEncryptionEnabled"] is True
    assert (inputs["numCacheClusters"], inputs["automaticFailoverEnabled"]) == (2, True)  # inherited failover: 2 nodes
    subnets = h.named(plan, f"prod-apps-{DR}-redis-subnets")
    assert subnets["provider"] == secondary["provider"] and all("data" in s for s in subnets["inputs"]["subnetIds"])
    ingress = h.named(plan, f"prod-apps-{DR}-redis-from-app")
    dr_app_sg = h.named(plan, f"prod-apps-{DR}-app-sg")
    assert ingress["property_dependencies"]["sourceSecurityGroupId"] == [dr_app_sg["urn"]]


def _rotation(plan: dict, type_token: str) -> dict:
    return next(r for r in h.by_prefix(plan, type_token, "prod-apps") if r["name"] == f"prod-apps-{HOME}-redis-rotation")


def test_the_redis_token_is_replicated_and_rotated_in_both_regions():
    plan = h.workloads_plan("prod", GLOBAL_VARIANT)
    secret = h.named(plan, f"prod-apps-{HOME}-redis-auth")["inputs"]
    assert secret["replicas"] == [{"region": DR, "kmsKeyId": h.named(plan, f"prod-apps-{DR}-data-key")["outputs"]["arn"]}]
    function = _rotation(plan, "aws:lambda/function:Function")
    assert function["inputs"]["environment"]["variables"] == {
        "REPLICATION_GROUP_ID": f"prod-apps-{HOME}-redis", "DR_REPLICATION_GROUP_ID": f"prod-apps-{DR}-redis",
        "DR_REGION": DR}
    policy = h.doc(_rotation(plan, "aws:iam/rolePolicy:RolePolicy")["inputs"]["policy"])
    statement = next(s for s in policy["Statement"] if s["Sid"] == "SetTokenOnThisGroup")
    assert [arn.split(":")[3] for arn in statement["Resource"]] == [HOME, DR]
    assert all(arn.endswith(f":replicationgroup:prod-apps-{region}-redis")
               for arn, region in zip(statement["Resource"], (HOME, DR), strict=True))


def test_a_redis_rebuilt_empty_gets_no_global_datastore():
    plan = h.workloads_plan("prod", "prod-apps-pilot-light")
    assert not h.by_prefix(plan, REDIS_GLOBAL)
    assert [g["name"] for g in h.by_prefix(plan, REDIS_GROUP, "prod-apps")] == [f"prod-apps-{HOME}-redis"]
    assert "replicas" not in h.named(plan, f"prod-apps-{HOME}-redis-auth")["inputs"]


# --- monitoring of the DR region -----------------------------------------------------------------------------------
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def test_the_dr_region_alarms_on_its_own_topic_under_the_dr_key():
    plan = h.workloads_plan("prod", GLOBAL_VARIANT)
    topic = next(r for r in h.by_prefix(plan, "aws:sns/topic:Topic", "prod-apps") if r["name"] == f"prod-apps-{DR}-alarms")
    assert topic["inputs"]["kmsMasterKeyId"] == h.named(plan, f"prod-apps-{DR}-data-key")["outputs"]["arn"]
    assert topic["provider"] == h.named(plan, f"prod-apps-{DR}-alb")["provider"]
    alarms = {a["name"]: a for a in h.by_prefix(plan, ALARM, f"prod-apps-{DR}")}
    expected = {f"prod-apps-{DR}-{purpose}" for purpose in (
        "alb-5xx", "alb-target-5xx", "redis-cpu", *(f"ecs-cpu-{s}" for s in SERVICES),
        *(f"alb-unhealthy-{s}" for s in SERVICES))}
    assert expected <= set(alarms)
    for alarm in alarms.values():  # an alarm notifies only a topic of its own region
        assert topic["urn"] in alarm["property_dependencies"]["alarmActions"]
        assert alarm["provider"] == topic["provider"]
    redis = alarms[f"prod-apps-{DR}-redis-cpu"]
    assert redis["property_dependencies"]["dimensions"] == [h.named(plan, f"prod-apps-{DR}-redis")["urn"]]


def test_backup_restore_has_no_dr_monitoring():
    plan = h.workloads_plan("prod", "prod-apps-backup-restore")
    assert not h.by_prefix(plan, ALARM, f"prod-apps-{DR}")
