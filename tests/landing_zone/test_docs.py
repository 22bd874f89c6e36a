"""The config reference (docs/configuration.md) is generated from the models; a stale one fails here."""

import re
from pathlib import Path

from landing_zone.docs import REFERENCE, reference, render_reference


def test_config_reference_is_current():
    assert REFERENCE.read_text() == render_reference(REFERENCE.read_text()), "run: venv/bin/python -m landing_zone.docs"


def test_reference_names_every_block_and_nested_model():
    text = reference()
    for title in ("landing-zone:organization", "landing-zone:accounts.vpcs", "landing-zone:accounts.workloads.ecs",
                  "landing-zone:network.client_vpn", "landing-zone:security", "landing-zone:identity.assignments"):
        assert f"#### `{title}`" in text
    assert Path(REFERENCE).exists()


# --- links between the documents: moving a section to docs/ must not leave a link behind -------------------------

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ("README.md", "docs/*.md", "examples/*/README.md", "policies/README.md", "bootstrap/README.md")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _prose(path: Path) -> str:
    """The document without its fenced blocks (a Mermaid edge label is not a link)."""
    return re.sub(r"^```.*?^```", "", path.read_text(), flags=re.S | re.M)


def _anchors(path: Path) -> set[str]:
    """GitHub's heading ids: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#+ (.+)$", _prose(path), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_every_relative_link_and_anchor_resolves():
    documents = sorted({p for pattern in DOCUMENTS for p in ROOT.glob(pattern)})
    checked = 0
    for doc in documents:
        for target in LINK.findall(_prose(doc)):
            if re.match(r"[a-z]+:", target):
                continue  # https:, mailto:
            file, _, anchor = target.partition("#")
            path = (doc.parent / file).resolve() if file else doc
            where = f"{doc.relative_to(ROOT)}: ({target})"
            assert path.exists(), f"{where}: no such file"
            if anchor and path.suffix == ".md":
                assert anchor in _anchors(path), f"{where}: no heading #{anchor} in {path.relative_to(ROOT)}"
            checked += 1
    assert checked > 20


def test_the_readme_command_table_has_a_row_for_every_lz_command():
    from landing_zone.cli import app

    names = [c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands]
    assert len(names) >= 10
    rows = re.findall(r"^\| `lz ([\w-]+)", (ROOT / "README.md").read_text(), re.M)
    assert sorted(set(names) - set(rows)) == [], "add a row to README.md's `lz` command table"


def _field_names() -> set[str]:
    from landing_zone.docs import _model_in
    from landing_zone.models import LandingZoneConfig

    names, todo, seen = set(), [LandingZoneConfig], set()
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, field in model.model_fields.items():
            names.add(name)
            if _model_in(field.annotation):
                todo.append(_model_in(field.annotation))
    return names


def test_the_quick_start_names_real_config_keys():
    """'Make it yours' lists the keys people edit first: each one must still exist in the models."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Make it yours"):text.index("## The `lz` tool")]
    keys = [k for k in re.findall(r"`([a-z][\w:.\[\]<>-]*)`", section)
            if ("_" in k or "." in k or ":" in k) and "/" not in k and not k.endswith(".yaml") and "pulumiConfig" not in k and not k.endswith(":")]
    assert len(keys) > 10
    known = _field_names()
    for key in keys:
        for part in re.split(r"[.:]", key.replace("[]", "").replace("landing-zone:", "")):
            assert part in known or part == "<region>", f"README 'Make it yours': `{key}`: no config key {part!r}"
