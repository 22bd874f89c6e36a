"""`lz cost --refresh` against RECORDED Price List GetProducts responses (tests/fixtures/pricing/), never live."""

from __future__ import annotations

import json
import shutil

import boto3
import pytest
from botocore.exceptions import NoCredentialsError
from botocore.stub import Stubber
from plans import ROOT
from typer.testing import CliRunner

from landing_zone.cli import app
from landing_zone.cost.refresh import STATIC_QUERIES, RefreshError, find_price, refresh_table
from landing_zone.cost.table import DEFAULT_TABLE, load_table

RECORDED = json.loads((ROOT / "tests/fixtures/pricing/get_products.json").read_text())


def _key(service: str, filters: list[dict]) -> tuple:
    return service, tuple(sorted((f["Field"], f["Value"]) for f in filters))


class RecordedPricing:
    """A `pricing` client that answers GetProducts from the recording, page by page (NextToken), and nothing else."""

    def __init__(self) -> None:
        self.pages = {_key(r["request"]["ServiceCode"], r["request"]["Filters"]): r["responses"] for r in RECORDED}
        self.calls: list[dict] = []

    def get_products(self, **kwargs) -> dict:
        self.calls.append(kwargs)
        pages = self.pages.get(_key(kwargs["ServiceCode"], kwargs["Filters"]))
        if not pages:
            return {"FormatVersion": "aws_v1", "PriceList": []}
        index = int(kwargs["NextToken"].split("-")[1]) - 1 if "NextToken" in kwargs else 0
        return pages[index]


def test_refresh_rebuilds_prices_from_recorded_responses(tmp_path):
    path = tmp_path / "prices.json"
    shutil.copy(DEFAULT_TABLE, path)
    old = load_table(path)
    client = RecordedPricing()
    counts, missed = refresh_table(path, ["ap-south-1"], client)
    new = load_table(path)
    nat = new.get("ap-south-1", "nat_gateway_hour")
    assert (nat.usd, nat.unit, nat.status) == (0.056, "hour", "price-list")
    assert "sku M2YSHUBETB3JX4M4" in nat.source and "2026-11-01" in nat.source  # the hours product, from page 2
    assert new.get("ap-south-1", "nat_gateway_gb").usd == 0.056 and "APS3-NatGateway-Bytes" in new.get(
        "ap-south-1", "nat_gateway_gb").source
    m6i = new.get("ap-south-1", "ec2:m6i.large")
    assert m6i.usd == 0.101 and "BoxUsage:m6i.large" in m6i.source  # not the unused-reservation line
    assert new.get("ap-south-1", "eks_cluster_hour").unit == "hour"
    assert counts == {"ap-south-1": 4}
    # what the recording does not answer keeps its old price and status, and is reported
    assert "ap-south-1 vpc_endpoint_hour" in missed
    assert new.get("ap-south-1", "vpc_endpoint_hour") == old.get("ap-south-1", "vpc_endpoint_hour")
    assert new.get("ap-south-2", "nat_gateway_hour") == old.get("ap-south-2", "nat_gateway_hour")
    assert any(c.get("NextToken") == "page-2" for c in client.calls)


def test_requests_and_recorded_responses_fit_the_real_pricing_api_model():
    """botocore validates our GetProducts parameters and the recorded response against the service model."""
    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing")
    recorded = RECORDED[0]
    with Stubber(client) as stub:
        for i, page in enumerate(recorded["responses"]):
            expected = {"ServiceCode": "AmazonEC2", "Filters": recorded["request"]["Filters"],
                        "FormatVersion": "aws_v1", "MaxResults": 100} | ({"NextToken": "page-2"} if i else {})
            stub.add_response("get_products", page, expected)
        found = find_price(client, STATIC_QUERIES["nat_gateway_hour"], "ap-south-1")
        stub.assert_no_pending_responses()
    assert found["usd"] == 0.056


def test_refresh_without_credentials_is_a_clear_error(tmp_path):
    class NoCredentials:
        def get_products(self, **kwargs):
            raise NoCredentialsError()

    path = tmp_path / "prices.json"
    shutil.copy(DEFAULT_TABLE, path)
    with pytest.raises(RefreshError, match="Unable to locate credentials.*pricing:GetProducts"):
        refresh_table(path, ["ap-south-1"], NoCredentials())
    assert path.read_text() == DEFAULT_TABLE.read_text()  # nothing half-written


def test_cli_refresh_without_credentials_exits_2(tmp_path, monkeypatch):
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    path = tmp_path / "prices.json"
    shutil.copy(DEFAULT_TABLE, path)
    result = CliRunner().invoke(app, ["cost", "--stack", "dev", "--refresh", "--prices", str(path), "--root", str(ROOT)])
    assert result.exit_code == 2, result.output
    assert "AWS Price List API" in result.output and "Traceback" not in result.output


def test_recording_is_in_the_price_list_format():
    for recorded in RECORDED:
        for page in recorded["responses"]:
            assert page["FormatVersion"] == "aws_v1"
            for entry in page["PriceList"]:  # GetProducts returns each product as a JSON string
                product = json.loads(entry)
                assert set(product) >= {"product", "serviceCode", "terms", "publicationDate"}
