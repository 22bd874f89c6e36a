"""`lz cost`: a small plan priced by hand, NAT per AZ vs single NAT, unpriced kinds, --compare, bad input."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from plans import ROOT, plan_of
from typer.testing import CliRunner

from landing_zone.cli import app
from landing_zone.cost import estimate, load_table, render, render_compare
from landing_zone.cost.table import PriceTableError, parse_table
from landing_zone.models import Cost

STACK = "test"
REGION = "ap-south-1"


def _provider(account: str, region: str = REGION) -> dict:
    name = f"{account}-{region}"
    return _res("pulumi:providers:aws", name, {"region": region, "defaultTags": json.dumps(
        {"tags": {"account": account, "environment": "prod"}})}, provider="")


def _res(type_: str, name: str, inputs: dict | None = None, *, provider: str | None = None, deps: dict | None = None,
         custom: bool = True) -> dict:
    urn = f"urn:pulumi:{STACK}::landing-zone::{type_}::{name}"
    if provider is None:
        provider = f"urn:pulumi:{STACK}::landing-zone::pulumi:providers:aws::app-{REGION}::id-1"
    return {"urn": urn, "type": type_, "name": name, "custom": custom, "parent": "", "provider": provider,
            "providers": {}, "dependencies": [u for us in (deps or {}).values() for u in us],
            "property_dependencies": deps or {}, "protect": False, "inputs": inputs or {}, "id": f"{name}-id",
            "outputs": {}, "options": {}}


def small_plan(nats: int = 3) -> dict:
    """An account `app` in ap-south-1: NATs with their public IPs, one interface endpoint in 2 AZs, one m6i.large,
    one 100 GB gp3 volume, one KMS key, one secret, one alarm, an S3 bucket (usage only) and an IAM role (free)."""
    resources = [_provider("app")]
    for i in range(nats):
        resources.append(_res("aws:ec2/eip:Eip", f"app-nat-eip-{i}", {"domain": "vpc"}))
        resources.append(_res("aws:ec2/natGateway:NatGateway", f"app-nat-{i}", {"connectivityType": "public"}))
    resources += [
        _res("aws:ec2/vpcEndpoint:VpcEndpoint", "app-vpce-ssm", {"vpcEndpointType": "Interface",
                                                                "subnetIds": ["subnet-1", "subnet-2"]}),
        _res("aws:ec2/vpcEndpoint:VpcEndpoint", "app-vpce-s3", {"vpcEndpointType": "Gateway"}),
        _res("aws:ec2/instance:Instance", "app-host", {"instanceType": "m6i.large",
                                                       "rootBlockDevice": {"volumeSize": 20, "volumeType": "gp3"}}),
        _res("aws:ebs/volume:Volume", "app-data", {"size": 100, "type": "gp3"}),
        _res("aws:kms/key:Key", "app-key"),
        _res("aws:secretsmanager/secret:Secret", "app-secret"),
        _res("aws:cloudwatch/metricAlarm:MetricAlarm", "app-alarm"),
        _res("aws:s3/bucket:Bucket", "app-bucket"),
        _res("aws:iam/role:Role", "app-role"),
    ]
    return {"project": "landing-zone", "stack": STACK, "resources": resources, "outputs": {}, "invokes": []}


@pytest.fixture(scope="module")
def table():
    return load_table()


ZERO_USAGE = Cost(nat_gb_per_month=0, endpoint_gb_per_month=0)


def test_small_plan_total_is_the_hand_computed_sum(table):
    est = estimate(small_plan(), table, ZERO_USAGE)
    hours = 730
    by_hand = (3 * hours * 0.056  # NAT gateway hours, ap-south-1
               + 3 * hours * 0.005  # their public IPv4 addresses
               + 2 * hours * 0.013  # the interface endpoint in 2 AZs (the gateway endpoint is free)
               + hours * 0.101 + 20 * 0.0912  # m6i.large and its 20 GB gp3 root volume
               + 100 * 0.0912  # the 100 GB gp3 volume
               + 1.00 + 0.40 + 0.10)  # KMS key, secret, alarm
    assert est.total == pytest.approx(by_hand, abs=0.01)
    assert est.fixed_total() == est.total  # no usage assumed
    assert est.total_by(lambda line: line.account) == {"app": est.total}


def test_usage_lines_are_labelled_estimates_naming_their_assumption(table):
    est = estimate(small_plan(), table, Cost(nat_gb_per_month=200, endpoint_gb_per_month=10))
    usage = [line for line in est.lines if line.basis == "estimate"]
    assert {line.assumption for line in usage} == {"nat_gb_per_month=200", "endpoint_gb_per_month=10"}
    nat_data = [line for line in usage if line.kind == "ec2/natGateway"]
    assert len(nat_data) == 1 and nat_data[0].usd == pytest.approx(200 * 0.056)  # one line per VPC, not per NAT
    assert est.total - est.fixed_total() == pytest.approx(200 * 0.056 + 10 * 0.01, abs=0.01)


def test_single_nat_moves_the_total_by_exactly_the_nat_lines(table):
    cost = Cost()  # default assumptions: the NAT data of the VPC is the same either way
    per_az, single = estimate(small_plan(3), table, cost), estimate(small_plan(1), table, cost)
    nat_line = 730 * 0.056 + 730 * 0.005  # a NAT gateway and its public IPv4 address
    assert per_az.total - single.total == pytest.approx(2 * nat_line, abs=0.01)
    feature = next(f for f in _features(per_az) if f.name.startswith("NAT per AZ"))
    assert feature.usd == pytest.approx(2 * nat_line, abs=0.01)


def _features(est):
    from landing_zone.cost import features

    return features(est)


def test_unpriced_kinds_are_listed_never_zero(table):
    plan = small_plan()
    plan["resources"].append(_res("aws:ec2/instance:Instance", "app-odd", {"instanceType": "x9z.huge"}))
    plan["resources"].append(_res("aws:fsx/lustreFileSystem:LustreFileSystem", "app-fsx"))
    est = estimate(plan, table, ZERO_USAGE)
    kinds = est.unpriced_kinds()
    assert kinds["ec2/instance"] == (1, f"no price for ec2:x9z.huge in {REGION} (prices of {table.date})")
    assert kinds["fsx/lustreFileSystem"] == (1, "no pricing rule for this type")
    assert "usage-based: storage and requests" in kinds["s3/bucket"][1]
    assert est.total == estimate(small_plan(), table, ZERO_USAGE).total  # listed, not priced at zero into the total
    assert est.free == {"iam/role": 1}
    text = render(est, "text")
    assert "fsx/lustreFileSystem" in text and "x9z.huge" in text


def test_a_region_without_prices_is_unpriced(table):
    plan = small_plan()
    plan["resources"][0]["inputs"]["region"] = "sa-east-1"
    est = estimate(plan, table, ZERO_USAGE)
    assert est.lines == [] and est.total == 0
    assert {u.kind for u in est.unpriced if "no price" in u.reason and "sa-east-1" in u.reason} == {
        "ec2/eip", "ec2/natGateway", "ec2/vpcEndpoint", "ec2/instance", "ebs/volume", "kms/key", "secretsmanager/secret",
        "cloudwatch/metricAlarm"}


def test_every_price_has_source_date_and_status(table):
    assert table.date
    for region, items in table.regions.items():
        for key, price in items.items():
            assert price.source and price.date and price.status in ("price-list", "quoted", "unverified"), (region, key)
    data = json.loads((ROOT / "landing_zone/cost/prices.json").read_text())
    data["regions"][REGION]["nat_gateway_hour"].pop("source")
    with pytest.raises(PriceTableError, match="nat_gateway_hour: missing source"):
        parse_table(data)


def test_compare_markdown_names_the_change(table):
    base, head = estimate(small_plan(1), table, ZERO_USAGE), estimate(small_plan(3), table, ZERO_USAGE)
    md = render_compare(base, head, "markdown")
    assert md.startswith("## Cost difference (estimate, list prices of")
    assert "| ec2/natGateway |" in md and "+$81.76" in md  # 2 x 730 h x $0.056


def _write(tmp_path: Path, name: str, data) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def _lz(*args: str):
    return CliRunner().invoke(app, ["cost", *args, "--root", str(ROOT)])


def test_cli_prod_plan_prints_total_breakdown_and_unpriced(tmp_path):
    plan = _write(tmp_path, "prod.json", plan_of("prod"))
    result = _lz("--stack", "prod", "--plan", str(plan))
    assert result.exit_code == 0, result.output
    assert "Estimated monthly cost of stack prod: $" in result.output
    for section in ("Per account:", "Per kind:", "Top 10 lines:", "Optional features:", "Unpriced ("):
        assert section in result.output
    data = json.loads(_lz("--stack", "prod", "--plan", str(plan), "--format", "json").output)
    assert data["total_monthly"] == pytest.approx(sum(line["usd"] for line in data["lines"]), abs=0.05)
    assert data["by_kind"]["ec2/natGateway"] > 0 and any(u["kind"] == "s3/bucket" for u in data["unpriced"])


def test_cli_compare_dev_against_prod(tmp_path):
    dev = _write(tmp_path, "dev.json", plan_of("dev"))
    prod = _write(tmp_path, "prod.json", plan_of("prod"))
    result = _lz("--stack", "prod", "--plan", str(prod), "--compare", str(dev), "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert "## Cost difference" in result.output and "dev $" in result.output and "prod $" in result.output
    assert "| ec2/natGateway |" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "yaml"], "--format: expected text, json or markdown"),
    (["--plan", "{missing}"], "cannot read the plan"),
    (["--plan", "{list}"], "$: expected object"),
    (["--compare", "{list}"], "$: expected object"),
    (["--prices", "{badprices}"], "$.regions.ap-south-1.nat_gateway_hour.usd: expected a number >= 0"),
])
def test_cli_bad_input_exits_2_without_traceback(tmp_path, args, message):
    files = {"missing": str(tmp_path / "absent.json"), "list": str(_write(tmp_path, "list.json", [1, 2])),
             "badprices": str(_write(tmp_path, "prices.json", {"date": "2026-11-27", "regions": {
                 REGION: {"nat_gateway_hour": {"usd": "cheap", "unit": "hour", "status": "quoted", "source": "s",
                                               "date": "d"}}}}))}
    plan = _write(tmp_path, "dev.json", plan_of("dev"))
    args = [a.format(**files) for a in args]
    if "--plan" not in args:
        args += ["--plan", str(plan)]
    result = _lz("--stack", "dev", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_plan_of_another_stack_is_refused(tmp_path):
    plan = _write(tmp_path, "dev.json", plan_of("dev"))
    result = _lz("--stack", "prod", "--plan", str(plan))
    assert result.exit_code == 2 and "not of --stack 'prod'" in result.output


def test_the_estimate_does_not_mutate_the_plan(table):
    plan = small_plan()
    before = copy.deepcopy(plan)
    estimate(plan, table, Cost())
    assert plan == before


def test_single_nat_in_the_real_program_moves_the_total_by_exactly_its_nat_lines(table):
    """dev's prod-apps VPC (2 AZs) planned with `nat: per-az` and with `nat: single`, by the real program."""
    from stack_plans import variant_plan

    from landing_zone.config import load_stack

    def per_az(config: dict) -> None:
        account = next(a for a in config["landing-zone:accounts"] if a["name"] == "prod-apps")
        account["vpcs"]["ap-south-1"]["nat"] = "per-az"

    cost = load_stack("dev", ROOT).cost
    single, both = estimate(plan_of("dev"), table, cost), estimate(variant_plan("dev", per_az), table, cost)
    added = [line for line in both.lines if line.account == "prod-apps" and line.kind in ("ec2/natGateway", "ec2/eip")
             and line.basis == "fixed" and line.urn not in {x.urn for x in single.lines}]
    assert sorted(line.kind for line in added) == ["ec2/eip", "ec2/natGateway"]  # one more NAT and its address
    assert both.total - single.total == pytest.approx(sum(line.usd for line in added), abs=0.01)
    assert both.total - single.total == pytest.approx(730 * (0.056 + 0.005), abs=0.01)
