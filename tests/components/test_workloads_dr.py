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
