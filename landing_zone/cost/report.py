"""Render an estimate, or the difference of two, as text, markdown (a PR comment) or JSON."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from landing_zone.cost.estimate import Estimate, Line, features, to_json

TOP = 10


def money(usd: float) -> str:
    return f"${usd:,.2f}"


def signed(usd: float) -> str:
    return f"{'+' if usd >= 0 else '-'}${abs(usd):,.2f}"


def heading(est: Estimate) -> str:
    return (f"Estimated monthly cost of stack {est.stack}: {money(est.total)} "
            f"({money(est.fixed_total())} fixed + {money(est.total - est.fixed_total())} estimated usage), "
            f"list prices of {est.price_date}, USD")


def price_status_totals(est: Estimate) -> dict[str, float]:
    """USD of the total per price status (price-list, quoted, unverified), largest first."""
    sums: dict[str, float] = {}
    for line in est.lines:
        sums[line.price_status] = sums.get(line.price_status, 0.0) + line.usd
    return dict(sorted(sums.items(), key=lambda kv: -kv[1]))


def share(part: float, total: float) -> str:
    return f"{part / (total or 1.0):.0%}"


def price_basis(est: Estimate) -> str:
    """How much of the total rests on which kind of price (price-list, quoted, unverified)."""
    sums = price_status_totals(est)
    total = sum(sums.values())
    return ", ".join(f"{money(v)} ({share(v, total)}) {k}" for k, v in sums.items() if v > 0)


def _top_lines(est: Estimate, n: int = TOP) -> list[Line]:
    return sorted(est.lines, key=lambda line: (-line.usd, line.urn, line.item))[:n]


def _unpriced_rows(est: Estimate) -> list[tuple[str, str, str]]:
    return [(kind, str(n), reason) for kind, (n, reason) in est.unpriced_kinds().items()]


def _table(headers: list[str], rows: list[list[str]], markdown: bool) -> list[str]:
    if markdown:
        out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
        return out + ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    fmt = "  ".join(f"{{:{'>' if i and _numeric(rows, i) else '<'}{w}}}" for i, w in enumerate(widths))
    return ["  " + fmt.format(*headers)] + ["  " + fmt.format(*row) for row in rows]


def _numeric(rows: list[list[str]], i: int) -> bool:
    return all(r[i][:1] == "$" or r[i][:2] in ("+$", "-$") for r in rows)


def render(est: Estimate, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(to_json(est), indent=2) + "\n"
    md = fmt == "markdown"
    h = (lambda s: f"### {s}") if md else (lambda s: f"{s}:")
    out = [f"## {heading(est)}" if md else heading(est), est.coverage(), ""]
    out += [h("Per account")] + _table(["account", "monthly"], [[a, money(v)] for a, v in
                                                               est.total_by(lambda line: line.account).items()], md)
    out += ["", h("Per kind")] + _table(["kind", "monthly"], [[k, money(v)] for k, v in
                                                             est.total_by(lambda line: line.kind).items()], md)
    out += ["", h(f"Top {TOP} lines")] + _table(
        ["resource", "account", "region", "item", "basis", "monthly", "how"],
        [[line.name, line.account, line.region, line.item, line.basis, money(line.usd), line.detail]
         for line in _top_lines(est)], md)
    feats = features(est)
    if feats:
        out += ["", h("Optional features")] + _table(["feature", "monthly", "note"],
                                                     [[f.name, money(f.usd), f.note] for f in feats], md)
    out += ["", f"Prices behind the total: {price_basis(est)}"]
    out += ["", h("Usage assumptions (landing-zone:cost; estimate lines name the one they use)")]
    out += ["  " + ", ".join(f"{k}={v:g}" for k, v in est.assumptions.items())]
    unpriced = _unpriced_rows(est)
    out += ["", h(f"Unpriced ({sum(int(r[1]) for r in unpriced)} resources, not in the total)")]
    out += _table(["kind", "count", "why"], [list(r) for r in unpriced], md) if unpriced else ["  none"]
    out += ["", f"Not charged by AWS: {sum(est.free.values())} resources of {len(est.free)} kinds "
                "(IAM, routes, policies, ...). Free tiers, discounts, taxes and data transfer out are not included."]
    return "\n".join(out) + "\n"


# --- difference of two plans --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delta:
    key: str
    before: float
    after: float

    @property
    def change(self) -> float:
        return round(self.after - self.before, 2)


def _deltas(base: Estimate, head: Estimate, key: Callable[[Line], str]) -> list[Delta]:
    before, after = base.total_by(key), head.total_by(key)
    rows = [Delta(k, before.get(k, 0.0), after.get(k, 0.0)) for k in sorted(set(before) | set(after))]
    return sorted((d for d in rows if abs(d.change) >= 0.005), key=lambda d: (-abs(d.change), d.key))


def _by_resource(est: Estimate) -> dict[str, float]:
    sums: dict[str, float] = defaultdict(float)
    for line in est.lines:
        sums[f"{line.name} ({line.kind}, {line.account} {line.region})"] += line.usd
    return sums


def compare(base: Estimate, head: Estimate) -> dict:
    before, after = _by_resource(base), _by_resource(head)
    resources = [Delta(k, before.get(k, 0.0), after.get(k, 0.0)) for k in set(before) | set(after)]
    resources = sorted((d for d in resources if abs(d.change) >= 0.005), key=lambda d: (-abs(d.change), d.key))
    base_unpriced, head_unpriced = base.unpriced_kinds(), head.unpriced_kinds()
    return {
        "base": {"stack": base.stack, "total_monthly": base.total},
        "head": {"stack": head.stack, "total_monthly": head.total},
        "change_monthly": round(head.total - base.total, 2),
        "price_date": head.price_date,
        "by_account": [d.__dict__ | {"change": d.change} for d in _deltas(base, head, lambda line: line.account)],
        "by_kind": [d.__dict__ | {"change": d.change} for d in _deltas(base, head, lambda line: line.kind)],
        "by_resource": [d.__dict__ | {"change": d.change} for d in resources],
        "unpriced_added": sorted(set(head_unpriced) - set(base_unpriced)),
        "unpriced_in_head": {k: n for k, (n, _) in head_unpriced.items()},
    }


def render_compare(base: Estimate, head: Estimate, fmt: str) -> str:
    diff = compare(base, head)
    if fmt == "json":
        return json.dumps(diff, indent=2) + "\n"
    md = fmt == "markdown"
    h = (lambda s: f"### {s}") if md else (lambda s: f"{s}:")
    title = (f"Cost difference (estimate, list prices of {diff['price_date']}, USD/month): "
             f"{base.stack} {money(base.total)} -> {head.stack} {money(head.total)} = {signed(diff['change_monthly'])}")
    out = [f"## {title}" if md else title, ""]
    if not diff["by_resource"]:
        out.append("No priced change.")
    for label, key in (("Per account", "by_account"), ("Per kind", "by_kind")):
        if diff[key]:
            out += [h(label)] + _table(["", "before", "after", "change"], [
                [d["key"], money(d["before"]), money(d["after"]), signed(d["change"])] for d in diff[key]], md) + [""]
    if diff["by_resource"]:
        shown = diff["by_resource"][:20]
        more = len(diff["by_resource"]) - len(shown)
        out += [h("Resources" + (f" (top {len(shown)}, {more} more)" if more else ""))] + _table(
            ["resource", "before", "after", "change"],
            [[d["key"], money(d["before"]), money(d["after"]), signed(d["change"])] for d in shown], md) + [""]
    if diff["unpriced_added"]:
        out.append(f"Newly unpriced kinds (not in the totals): {', '.join(diff['unpriced_added'])}")
    out.append(f"Usage lines use the assumptions of landing-zone:cost: "
               f"{', '.join(f'{k}={v:g}' for k, v in head.assumptions.items())}.")
    return "\n".join(out).rstrip("\n") + "\n"
