"""Session Manager preferences in the account baseline: every account x region logs sessions to a CMK-encrypted
log group through the SSM-SessionManagerRunShell document; without the config nothing is built."""

from __future__ import annotations

import functools
import json
from collections import Counter

from component_plans import DR, HOME, ORGANIZATION, account, management, plan_program

from components.baseline import AccountBaseline, AccountBaselineArgs
from components.session_manager import DOCUMENT_NAME, LOG_GROUP
from landing_zone.models import Contact, SessionManager

CONTACT = Contact(name="Security team", email="security@example.com", phone="+91-0000000000")
DOCUMENT, GROUP, KEY = "aws:ssm/document:Document", "aws:cloudwatch/logGroup:LogGroup", "aws:kms/key:Key"


def baselines(sessions: SessionManager | None) -> None:
    for handle in (management(regions=(HOME, DR), organization=ORGANIZATION),
                   account("dev-apps", organization=ORGANIZATION)):
        AccountBaseline(f"{handle.name}-baseline", AccountBaselineArgs(
            account=handle, region=HOME, security_contact=CONTACT, access_analyzer=True, organization=ORGANIZATION,
            session_manager=sessions, log_retention_days=400))


@functools.cache
def plan(on: bool = True):
    return plan_program(lambda: baselines(SessionManager(idle_timeout_minutes=15) if on else None))


def test_every_account_and_region_logs_sessions_to_its_own_encrypted_group():
    rec = plan()
    docs = rec.of_type(DOCUMENT)
    expected = Counter((a, r) for a in ("management", "dev-apps") for r in (HOME, DR))
    assert Counter((rec.account_of(d), rec.region_of(d)) for d in docs) == expected
    for doc in docs:
        assert doc["inputs"]["name"] == DOCUMENT_NAME and doc["inputs"]["documentType"] == "Session"
        inputs = json.loads(doc["inputs"]["content"])["inputs"]
        assert inputs["cloudWatchLogGroupName"] == LOG_GROUP and inputs["cloudWatchEncryptionEnabled"] is True
        assert inputs["idleSessionTimeout"] == "15" and inputs["runAsEnabled"] is False
        (group,) = [g for g in rec.of_type(GROUP) if (rec.account_of(g), rec.region_of(g)) ==
                    (rec.account_of(doc), rec.region_of(doc))]
        assert group["urn"] in doc["dependencies"] and group["inputs"]["retentionInDays"] == 400
        (key,) = [k for k in rec.of_type(KEY) if k["outputs"]["arn"] == group["inputs"]["kmsKeyId"]]
        assert (rec.account_of(key), rec.region_of(key)) == (rec.account_of(doc), rec.region_of(doc))
        assert key["inputs"]["enableKeyRotation"] is True
        logs = [s for s in json.loads(key["inputs"]["policy"])["Statement"] if s["Sid"] == "CloudWatchLogs"]
        assert logs[0]["Principal"]["Service"] == f"logs.{rec.region_of(doc)}.amazonaws.com"


def test_without_session_manager_config_no_preferences_are_built():
    assert not plan(False).of_type(DOCUMENT)
