"""How to add a workload piece: declare one `Piece` and list it in `PIECES`; nothing else changes.

A test-only piece (a DynamoDB ledger table) is registered by a fixture; planned under the shared recording mocks, it
is built as a child of the account's Workloads, and its outputs, contract fragment, alarm and backup target show up
through the composite, Monitoring and Backup, none of which name it.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest
import workloads_harness as h

import components.workloads as workloads
from components.context import AccountContext
from components.workloads.alarms import AlarmSpec, Watch
from components.workloads.registry import BuildContext, Piece
from landing_zone.config import load_stack
from landing_zone.mocks import fake_account_id

ACCOUNT, REGION = "nonprod-apps", "ap-south-1"  # dev: ECS, Aurora, queues, backup and monitoring


def _build_ledger(ctx: BuildContext, _config) -> aws.dynamodb.Table:
    return aws.dynamodb.Table(
        ctx.name("ledger"), billing_mode="PAY_PER_REQUEST", hash_key="id", attributes=[{"name": "id", "type": "S"}],
        server_side_encryption={"enabled": True, "kms_key_arn": ctx.keys["data"]}, opts=ctx.child_opts())


LEDGER = Piece(
    # turned on by an existing config field so this test leaves the config model alone; a real piece adds its own
    name="ledger", field="queues", build=_build_ledger,
    outputs=lambda table: {"ledgerTableName": table.name},
    contract=lambda table: {"ledger": {"table_name": table.name}},
    watch=lambda _ctx, table: Watch(alarms=(AlarmSpec("ledger-throttles", "AWS/DynamoDB", "ThrottledRequests",
                                                      {"TableName": table.name}, 0, "Sum"),)),
    backup_targets=lambda table: [table.arn],
)


@pytest.fixture
def with_ledger(monkeypatch):
    """The registry with the ledger listed before the pieces that protect and watch the others."""
    pieces = list(workloads.PIECES)
    pieces.insert(pieces.index(workloads.backup.PIECE), LEDGER)
    monkeypatch.setattr(workloads, "PIECES", tuple(pieces))


def _program() -> None:
    cfg = load_stack("dev", h.REPO_ROOT)
    account = AccountContext.from_account_id(cfg.account(ACCOUNT), fake_account_id(ACCOUNT), cfg.organization,
                                             cfg.regions)
    built = workloads.Workloads(account.resource_name(REGION, "workloads"), workloads.WorkloadsArgs(
        account=account, region=REGION, vpc=h.vpc_handle(account, REGION, 2), log_archive=h.LOG_ARCHIVE,
        key_admin_role=cfg.organization.access_role_name, log_retention_days=cfg.security.log_retention_days))
    pulumi.export("workloads", built.contract_fragment())


def _one(plan: dict, type_token: str, name: str) -> dict:
    found = [r for r in plan["resources"] if r["type"] == type_token and r["name"] == name]
    assert len(found) == 1, f"expected one {type_token} named {name}, found {len(found)}"
    return found[0]


@pytest.fixture
def plan(with_ledger) -> dict:
    return h.run(_program, "dev")


def test_a_registered_piece_is_built_in_the_account_under_its_workloads(plan):
    table = _one(plan, "aws:dynamodb/table:Table", f"{ACCOUNT}-{REGION}-ledger")
    composite = _one(plan, "landing-zone:workloads:Workloads", f"{ACCOUNT}-{REGION}-workloads")
    assert table["parent"] == composite["urn"]
    assert f"{ACCOUNT}-{REGION}" in table["provider"], "built through the account's provider of its region"


def test_its_outputs_and_contract_fragment_come_from_its_declaration(plan):
    table = _one(plan, "aws:dynamodb/table:Table", f"{ACCOUNT}-{REGION}-ledger")
    composite = _one(plan, "landing-zone:workloads:Workloads", f"{ACCOUNT}-{REGION}-workloads")
    assert composite["outputs"]["ledgerTableName"] == table["outputs"]["name"]
    assert plan["outputs"]["workloads"]["ledger"] == {"table_name": table["outputs"]["name"]}
    assert "queue_urls" in plan["outputs"]["workloads"], "the other pieces' fragments are still there"


def test_its_alarm_notifies_the_account_topic(plan):
    alarm = _one(plan, "aws:cloudwatch/metricAlarm:MetricAlarm", f"{ACCOUNT}-{REGION}-ledger-throttles")
    table = _one(plan, "aws:dynamodb/table:Table", f"{ACCOUNT}-{REGION}-ledger")
    topic = _one(plan, "aws:sns/topic:Topic", f"{ACCOUNT}-{REGION}-alarms")
    assert alarm["inputs"]["dimensions"] == {"TableName": table["outputs"]["name"]}
    assert topic["outputs"]["arn"] in alarm["inputs"]["alarmActions"]


def test_backup_protects_its_targets_beside_the_other_pieces(plan):
    table = _one(plan, "aws:dynamodb/table:Table", f"{ACCOUNT}-{REGION}-ledger")
    cluster = _one(plan, "aws:rds/cluster:Cluster", f"{ACCOUNT}-{REGION}-aurora-cluster")
    selection = _one(plan, "aws:backup/selection:Selection", f"{ACCOUNT}-{REGION}-backup-selection")
    bucket = _one(plan, "aws:s3/bucket:Bucket", f"{ACCOUNT}-{REGION}-backup-bucket")  # AWS Backup for S3 (issue 25)
    assert selection["inputs"]["resources"] == [cluster["outputs"]["arn"], table["outputs"]["arn"],
                                                bucket["outputs"]["arn"]]
