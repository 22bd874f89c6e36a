"""Make the self-contained pack importable as the engine does (policies/ is the pack's working directory)."""

import sys
from pathlib import Path

import pytest

POLICIES_DIR = Path(__file__).resolve().parents[2] / "policies"
if str(POLICIES_DIR) not in sys.path:
    sys.path.insert(0, str(POLICIES_DIR))


@pytest.fixture(autouse=True)
def _no_stack_config(monkeypatch):
    """Rules take organization defaults from PULUMI_CONFIG: no test inherits one from the shell running pytest."""
    monkeypatch.delenv("PULUMI_CONFIG", raising=False)
