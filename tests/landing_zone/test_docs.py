"""The config reference (docs/configuration.md) is generated from the models; a stale one fails here."""

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
