"""`lz cost`: the monthly cost of a plan, offline, from a dated price table and the config's usage assumptions.

estimate.py prices each resource of a plan; report.py renders it (and the difference of two plans); table.py reads
the price table (prices.json); refresh.py rebuilds that table from the AWS Price List API.
"""

from landing_zone.cost.estimate import Estimate, Line, Unpriced, estimate, features, to_json
from landing_zone.cost.report import compare, render, render_compare
from landing_zone.cost.table import DEFAULT_TABLE, PriceTable, PriceTableError, load_table

__all__ = ["DEFAULT_TABLE", "Estimate", "Line", "PriceTable", "PriceTableError", "Unpriced", "compare", "estimate",
           "features", "load_table", "render", "render_compare", "to_json"]
