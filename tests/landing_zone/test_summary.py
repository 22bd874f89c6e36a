"""`lz plan`'s summary: every account with its environment and count, and the kinds adding up to the plan."""

from plans import plan_of
from rich.console import Console

from landing_zone.summary import counts, render_summary


def test_summary_lists_every_account_with_its_environment_and_count():
    plan = plan_of("prod")
    text = render_summary(plan, Console(record=True, width=100, file=open("/dev/null", "w")))  # noqa: SIM115
    c = counts(plan)
    assert sum(c["by_account"].values()) == c["custom"] == sum(1 for r in plan["resources"] if r["custom"])
    account_table = text.split("resources by kind")[0]
    rows = {line.split("│")[1].strip(): line for line in account_table.splitlines() if line.startswith("│")}
    for account, total in c["by_account"].items():
        assert account in rows and f" {total} " in rows[account]
    assert "prod-apps" in rows and " prod " in rows["prod-apps"] and " sandbox " in rows["sandbox"]
    assert max(len(line) for line in text.splitlines()) <= 100  # readable without a wide terminal
