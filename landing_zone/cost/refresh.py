"""`lz cost --refresh`: rebuild the price table from the AWS Price List Query API (boto3 `pricing`, GetProducts).

The API is public price data but needs credentials (any principal allowed `pricing:GetProducts`); its endpoint is in
us-east-1. Each key of the table maps to a product query (service code + TERM_MATCH filters, region by `regionCode`)
and a usage-type suffix that picks the charge among the products returned (a NAT gateway product family lists hours
and bytes). A key the API does not answer keeps its old price and status and is reported: never silently.
Tested only against recorded GetProducts responses (tests/fixtures/pricing/), never live.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from landing_zone.cost.table import dump_table

PRICING_REGION = "us-east-1"  # the Price List Query API's endpoint (also ap-south-1, eu-central-1)


class RefreshError(Exception):
    pass


@dataclass(frozen=True)
class Query:
    service: str
    filters: tuple[tuple[str, str], ...]
    usagetype: str  # regex the product's usagetype must END with (region prefixes such as APS3- vary)


def _q(service: str, usagetype: str, **filters: str) -> Query:
    return Query(service, tuple(sorted(filters.items())), usagetype)


STATIC_QUERIES: dict[str, Query] = {
    "nat_gateway_hour": _q("AmazonEC2", r"NatGateway-Hours", productFamily="NAT Gateway"),
    "nat_gateway_gb": _q("AmazonEC2", r"NatGateway-Bytes", productFamily="NAT Gateway"),
    "public_ipv4_hour": _q("AmazonVPC", r"PublicIPv4:InUseAddress", productFamily="VPC Public IPv4 Address"),
    "tgw_attachment_hour": _q("AmazonVPC", r"TransitGateway-Hours", group="AWSTransitGateway"),
    "tgw_gb": _q("AmazonVPC", r"TransitGateway-Bytes", group="AWSTransitGateway"),
    "vpc_endpoint_hour": _q("AmazonVPC", r"VpcEndpoint-Hours", productFamily="VpcEndpoint"),
    "vpc_endpoint_gb": _q("AmazonVPC", r"VpcEndpoint-Bytes", productFamily="VpcEndpoint"),
    "vpn_connection_hour": _q("AmazonVPC", r"VPN-Usage-Hours:ipsec\.1", productFamily="Cloud Connectivity"),
    "eks_cluster_hour": _q("AmazonEKS", r"AmazonEKS-Hours:perCluster", productFamily="Compute"),
    "alb_hour": _q("AWSELB", r"LoadBalancerUsage", productFamily="Load Balancer-Application"),
    "alb_lcu_hour": _q("AWSELB", r"LCUUsage", productFamily="Load Balancer-Application"),
    "nlb_hour": _q("AWSELB", r"LoadBalancerUsage", productFamily="Load Balancer-Network"),
    "ebs_gp3_gb_month": _q("AmazonEC2", r"VolumeUsage\.gp3", productFamily="Storage", volumeApiName="gp3"),
    "ebs_gp2_gb_month": _q("AmazonEC2", r"VolumeUsage\.gp2", productFamily="Storage", volumeApiName="gp2"),
    "kms_key_month": _q("awskms", r"KMS-Keys"),
    "secret_month": _q("AWSSecretsManager", r"AWSSecretsManager-Secrets"),
}


def queries_for(existing: dict[str, Any]) -> Iterator[tuple[str, Query]]:
    """The static keys, then one query per instance type / class / node type already in the table."""
    yield from STATIC_QUERIES.items()
    for key in sorted(existing):
        kind, _, rest = key.partition(":")
        if kind == "ec2":
            yield key, _q("AmazonEC2", rf"BoxUsage:{re.escape(rest)}", instanceType=rest, operatingSystem="Linux",
                          tenancy="Shared", preInstalledSw="NA", capacitystatus="Used")
        elif kind == "rds":
            engine, _, klass = rest.partition(":")
            yield key, _q("AmazonRDS", rf"InstanceUsage:{re.escape(klass)}", instanceType=klass,
                          databaseEngine={"aurora-mysql": "Aurora MySQL", "aurora-postgresql": "Aurora PostgreSQL"}
                          .get(engine, engine), deploymentOption="Single-AZ")
        elif kind == "elasticache":
            yield key, _q("AmazonElastiCache", rf"NodeUsage:{re.escape(rest)}", instanceType=rest, cacheEngine="Redis")


def get_products(client: Any, query: Query, region: str) -> Iterator[dict]:
    """Every product (parsed PriceList entry) the query returns in the region, all pages."""
    filters = [{"Type": "TERM_MATCH", "Field": f, "Value": v} for f, v in (*query.filters, ("regionCode", region))]
    token = None
    while True:
        kwargs: dict[str, Any] = {"ServiceCode": query.service, "Filters": filters, "FormatVersion": "aws_v1",
                                  "MaxResults": 100}
        if token:
            kwargs["NextToken"] = token
        page = client.get_products(**kwargs)
        for entry in page.get("PriceList", []):
            yield json.loads(entry) if isinstance(entry, str) else entry
        token = page.get("NextToken")
        if not token:
            return


def on_demand_price(product: dict) -> tuple[float, str, str] | None:
    """(USD, unit, description) of the product's OnDemand price: the first tier (beginRange 0) when tiered."""
    for term in (product.get("terms", {}).get("OnDemand") or {}).values():
        dims = sorted(term.get("priceDimensions", {}).values(), key=lambda d: float(d.get("beginRange", "0") or 0))
        for dim in dims:
            usd = dim.get("pricePerUnit", {}).get("USD")
            if usd is not None:
                return float(usd), dim.get("unit", ""), dim.get("description", "")
    return None


def find_price(client: Any, query: Query, region: str) -> dict | None:
    suffix = re.compile(rf"(^|[-:]){query.usagetype}$")
    for product in get_products(client, query, region):
        usagetype = product.get("product", {}).get("attributes", {}).get("usagetype", "")
        if not suffix.search(usagetype):
            continue
        found = on_demand_price(product)
        if found and found[0] > 0:
            usd, unit, description = found
            sku = product.get("product", {}).get("sku", "?")
            return {"usd": usd, "unit": _unit(unit), "status": "price-list",
                    "source": f"AWS Price List API {query.service} sku {sku} ({usagetype}: {description}); "
                              f"publication {product.get('publicationDate', '?')}",
                    "date": str(date.today())}
    return None


def _unit(unit: str) -> str:
    return {"Hrs": "hour", "Hours": "hour", "GB-Mo": "GB-month", "GB": "GB", "Keys": "month", "Secrets": "month"}.get(unit, unit)


def refresh(table: dict, regions: list[str], client: Any) -> tuple[dict, dict[str, int], list[str]]:
    """The table with every price the API answers replaced; (table, refreshed per region, keys not answered)."""
    counts: dict[str, int] = {}
    missed: list[str] = []
    for region in regions:
        items = table.setdefault("regions", {}).setdefault(region, {})
        counts[region] = 0
        for key, query in queries_for(items):
            found = find_price(client, query, region)
            if found is None:
                missed.append(f"{region} {key}")
                continue
            items[key] = found
            counts[region] += 1
        table["regions"][region] = dict(sorted(items.items()))
    table["date"] = str(date.today())
    return table, counts, missed


def refresh_table(path: Path, regions: list[str], client: Any = None) -> tuple[dict[str, int], list[str]]:
    """Refresh the table file in place for `regions`: (prices refreshed per region, keys the API did not answer).
    RefreshError (no traceback) for an unreadable table, missing credentials and API errors."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        table = json.loads(Path(path).read_text())
    except (OSError, ValueError) as e:
        raise RefreshError(f"{path}: cannot read the price table: {e}") from None
    if client is None:
        client = _client()
    try:
        table, counts, missed = refresh(table, regions, client)
    except (BotoCoreError, ClientError) as e:  # no credentials, access denied, throttling, no network
        raise RefreshError(f"AWS Price List API: {e} (needs credentials allowed pricing:GetProducts)") from None
    Path(path).write_text(dump_table(table))
    return counts, missed


def _client() -> Any:
    import boto3

    return boto3.client("pricing", region_name=PRICING_REGION)
