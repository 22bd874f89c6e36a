"""Every figure README.md and docs/ quote is what the tools compute (bench/readme_figures.py), never a typed copy."""

from __future__ import annotations

import re

import pytest
import stack_plans

from bench import readme_figures as figures

MONEY = re.compile(r"\$\d[\d,]*(\.\d\d)?")


@pytest.fixture(scope="module")
def computed() -> dict[str, str]:
    return figures.compute(figures.sources(stack_plans.full_plan(figures.STACK)))


def test_every_figure_in_the_documents_is_what_the_tools_compute(computed):
    assert figures.stale(figures.ROOT, computed) == {}, "run: venv/bin/python -m bench.readme_figures"


def test_every_figure_is_quoted_and_the_readme_has_the_main_ones():
    used = {path: figures.regions(path.read_text()) for path in figures.documents()}
    assert {name for names in used.values() for name in names} == set(figures.FIGURES)
    assert {"cost", "prod-check", "prod-resources"} <= set(used[figures.ROOT / "README.md"])


def test_the_figures_say_what_the_tools_say(computed):
    assert computed["prod-check"].splitlines()[1].startswith("PASS stack prod: ")
    assert f"{computed['policies']} policies" in computed["prod-check"]
    assert f"**{computed['cost-total']}**" in computed["cost"]
    assert computed["topology"].startswith("```mermaid\nflowchart")


def test_no_amount_of_money_is_typed_outside_a_figure():
    """The class of the $9,716.28-vs-$9,728.55 drift: a dollar amount in a document lives in a generated region."""
    checked = 0
    for path in figures.documents():
        outside = figures.REGION.sub("", path.read_text())
        checked += 1
        assert not MONEY.search(outside), f"{path.relative_to(figures.ROOT)}: {MONEY.search(outside)[0]} is typed"
    assert checked > 5


def test_a_stale_or_unknown_region_is_named(tmp_path):
    (tmp_path / "README.md").write_text("total <!-- figures:cost-total -->$1.00<!-- /figures:cost-total --> today\n")
    assert figures.stale(tmp_path, {"cost-total": "$2.00"}) == {tmp_path / "README.md": ["cost-total"]}
    assert figures.stale(tmp_path, {"cost-total": "$1.00"}) == {}
    with pytest.raises(figures.FiguresError, match="README.md: unknown figure 'cost-totl'"):
        figures.render("<!-- figures:cost-totl -->x<!-- /figures:cost-totl -->", {"cost-total": "$1"}, "README.md")


def test_a_block_figure_keeps_its_markers_on_their_own_lines():
    text = "a\n<!-- figures:topology -->\nold\n<!-- /figures:topology -->\nb\n"
    assert figures.render(text, {"topology": "```mermaid\nx\n```\n"}) == (
        "a\n<!-- figures:topology -->\n```mermaid\nx\n```\n<!-- /figures:topology -->\nb\n")


def test_a_bad_plan_file_is_exit_2_naming_it_and_nothing_is_written(tmp_path, capsys):
    bad = tmp_path / "plan.json"
    bad.write_text("{}")
    before = {path: path.read_text() for path in figures.documents()}
    assert figures.main(["--plan", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {bad}: ") and "Traceback" not in err
    assert {path: path.read_text() for path in figures.documents()} == before
