"""The dated price table (prices.json): load, validate, look up.

Every price carries its source, date and status (`price-list`, `quoted` or `unverified`), so an estimate can say how
much of it rests on prices nobody checked. A missing price is `None`, never zero: the caller lists it as unpriced.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_TABLE = Path(__file__).with_name("prices.json")
STATUSES = ("price-list", "quoted", "unverified")


class PriceTableError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Price:
    key: str
    region: str
    usd: float
    unit: str
    status: str
    source: str
    date: str


@dataclass(frozen=True)
class PriceTable:
    date: str
    hours_per_month: float
    regions: dict[str, dict[str, Price]]
    path: str = ""

    def get(self, region: str | None, key: str) -> Price | None:
        return self.regions.get(region or "", {}).get(key)

    def statuses(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for items in self.regions.values():
            for price in items.values():
                counts[price.status] += 1
        return counts


def load_table(path: Path | None = None) -> PriceTable:
    """The table at `path` (default: the one in the repository); PriceTableError naming each bad field."""
    path = Path(path or DEFAULT_TABLE)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise PriceTableError([f"{path}: cannot read the price table: {e}"]) from None
    return parse_table(data, str(path))


def parse_table(data: Any, where: str = "prices") -> PriceTable:
    errors: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("regions"), dict):
        raise PriceTableError([f"{where}: $.regions: expected an object of regions"])
    regions: dict[str, dict[str, Price]] = {}
    for region, items in data["regions"].items():
        if not isinstance(items, dict):
            errors.append(f"{where}: $.regions.{region}: expected an object of prices")
            continue
        regions[region] = {}
        for key, item in items.items():
            price = _price(region, key, item, f"{where}: $.regions.{region}.{key}", errors)
            if price:
                regions[region][key] = price
    hours = data.get("hours_per_month", 730)
    if not isinstance(hours, int | float) or hours <= 0:
        errors.append(f"{where}: $.hours_per_month: expected a positive number")
    if not isinstance(data.get("date"), str):
        errors.append(f"{where}: $.date: expected the table's date (YYYY-MM-DD)")
    if errors:
        raise PriceTableError(errors)
    return PriceTable(date=data["date"], hours_per_month=float(hours), regions=regions, path=where)


def _price(region: str, key: str, item: Any, where: str, errors: list[str]) -> Price | None:
    if not isinstance(item, dict):
        errors.append(f"{where}: expected an object with usd, unit, status, source, date")
        return None
    usd = item.get("usd")
    if isinstance(usd, bool) or not isinstance(usd, int | float) or usd < 0:
        errors.append(f"{where}.usd: expected a number >= 0, got {json.dumps(usd)}")
        return None
    if item.get("status") not in STATUSES:
        errors.append(f"{where}.status: expected one of {', '.join(STATUSES)}, got {json.dumps(item.get('status'))}")
        return None
    missing = [f for f in ("unit", "source", "date") if not isinstance(item.get(f), str) or not item.get(f)]
    if missing:
        errors.append(f"{where}: missing {', '.join(missing)} (every price says where and when it comes from)")
        return None
    return Price(key, region, float(usd), item["unit"], item["status"], item["source"], item["date"])


def dump_table(table: dict) -> str:
    return json.dumps(table, indent=1) + "\n"
