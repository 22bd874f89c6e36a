"""Findings to people: Security Hub findings routed by severity from the security account, GuardDuty's findings
exported to the log archive (KMS), on the whole security baseline of the shipped prod config."""

from __future__ import annotations

import json

import core_harness as h
import pytest

from landing_zone.plan_index import index_by_urn

RULE, TARGET = "aws:cloudwatch/eventRule:EventRule", "aws:cloudwatch/eventTarget:EventTarget"
EXPORT = "aws:guardduty/publishingDestination:PublishingDestination"


def of_type(plan: dict, type_: str) -> list[dict]:
    return [r for r in plan["resources"] if r["type"] == type_]


def named(plan: dict, name: str) -> dict:
    (found,) = [r for r in plan["resources"] if r["name"] == name and r["custom"]]
    return found


@pytest.fixture(scope="module")
def prod():
    return h.stack_plan("prod")


def test_findings_reach_the_security_topic_and_the_service_desk_by_severity(prod):
    findings = h.config("prod").security.findings
    assert findings is not None and findings.ticketing_target
    to_topic = named(prod, "security-ap-south-1-findings-to-topic")
    pattern = json.loads(to_topic["inputs"]["eventPattern"])
    assert pattern["source"] == ["aws.securityhub"]
    assert pattern["detail"]["findings"]["Severity"]["Label"] == ["CRITICAL", "HIGH"]
    topic = named(prod, "security-ap-south-1-security-alarms")
    (target,) = [t for t in of_type(prod, TARGET) if t["inputs"]["rule"] == to_topic["outputs"]["name"]]
    assert target["inputs"]["arn"] == topic["outputs"]["arn"] and h.account_of(prod, target) == "security"
    # SNS takes the publish only from the rules its policy names
    policy = json.loads(named(prod, "security-ap-south-1-security-alarms-policy")["inputs"]["policy"])
    assert to_topic["outputs"]["arn"] in policy["Statement"][0]["Condition"]["ArnEquals"]["aws:SourceArn"]
    to_desk = named(prod, "security-ap-south-1-findings-to-ticketing")
    labels = json.loads(to_desk["inputs"]["eventPattern"])["detail"]["findings"]["Severity"]["Label"]
    assert labels == ["CRITICAL", "HIGH", "MEDIUM"]
    (desk,) = [t for t in of_type(prod, TARGET) if t["inputs"]["rule"] == to_desk["outputs"]["name"]]
    assert desk["inputs"]["arn"] == findings.ticketing_target
    role = named(prod, "security-ap-south-1-findings-ticketing-role")
    assert desk["inputs"]["roleArn"] == role["outputs"]["arn"]  # another account's bus: delivered with a role
    grant = json.loads(named(prod, "security-ap-south-1-findings-ticketing-policy")["inputs"]["policy"])
    assert grant["Statement"] == [{"Effect": "Allow", "Action": "events:PutEvents", "Resource": findings.ticketing_target}]


def test_every_region_exports_guardduty_findings_to_the_log_archive_under_its_key(prod):
    exports = of_type(prod, EXPORT)
    config = h.config("prod")
    assert {h.region_of(prod, e) for e in exports} == set(config.regions)
    bucket = named(prod, "log-archive-ap-south-1-log-bucket")
    key = named(prod, "log-archive-ap-south-1-log-key")
    by_urn = index_by_urn(prod)
    policy_urn = next(r["urn"] for r in of_type(prod, "aws:s3/bucketPolicy:BucketPolicy")
                      if r["name"] == "log-archive-ap-south-1-log-bucket-policy")
    for export in exports:
        assert h.account_of(prod, export) == "security"
        assert export["inputs"]["destinationArn"] == bucket["outputs"]["arn"] + "/guardduty"
        assert export["inputs"]["kmsKeyArn"] == key["outputs"]["arn"]
        assert policy_urn in export["dependencies"] and key["urn"] in export["dependencies"]
        detector = by_urn[export["property_dependencies"]["detectorId"][0]]
        assert h.account_of(prod, detector) == "security"
    statements = json.loads(by_urn[policy_urn]["inputs"]["policy"])["Statement"]
    writes = [s for s in statements if s.get("Sid") == "GuardDutyWrites"]
    assert writes and writes[0]["Resource"].endswith("/guardduty/*")
    assert writes[0]["Condition"]["StringEquals"]["aws:SourceAccount"]
    key_statements = json.loads(key["inputs"]["policy"])["Statement"]
    assert [s["Sid"] for s in key_statements if s["Principal"].get("Service") == "guardduty.amazonaws.com"] == [
        "GuardDutyEncrypts"]


def test_without_findings_nothing_is_routed_or_exported():
    cfg = h.config("prod")
    data = cfg.model_dump(exclude_unset=True)
    data["security"].pop("findings")
    plan = h.plan_config(type(cfg).model_validate(data))
    assert not of_type(plan, EXPORT)
    assert not [r for r in of_type(plan, RULE) if "findings" in r["name"]]
