"""lz_policies/sdk.py, the pack's one adapter to pulumi-policy's private internals: the pinned version serves with
PackAnalyzer; an unsupported version or a missing private member falls back to the stock servicer, saying why."""

from __future__ import annotations

import importlib.metadata
import os
import re
import warnings
from pathlib import Path

import pytest
from lz_policies import analyzer, sdk

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(bool(os.environ.get("LZ_COMPAT")), reason="`make compat` runs the newest pulumi-policy on purpose")
def test_the_pinned_pulumi_policy_is_the_tested_one_and_serves_with_pack_analyzer():
    pins = {path: re.search(r"^pulumi-policy==(\S+)", (ROOT / path).read_text(), re.M)[1]
            for path in ("requirements.txt", "policies/requirements.txt")}
    assert set(pins.values()) == {sdk.TESTED} == {importlib.metadata.version("pulumi-policy")}
    assert sdk.compatibility() == (True, None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert analyzer.servicer_class() is analyzer.PackAnalyzer


@pytest.mark.parametrize("installed", ["1.20.0", "2.0.0"])
def test_an_unsupported_version_falls_back_to_the_stock_servicer_naming_both_versions(installed, monkeypatch):
    monkeypatch.setattr(importlib.metadata, "version", lambda package: installed)
    ok, message = sdk.compatibility()
    assert not ok
    assert f"pulumi-policy {installed} is installed" in message and sdk.TESTED in message
    assert "own servicer" in message and "make compat" in message
    with pytest.warns(sdk.SdkVersionWarning, match=re.escape(f"pulumi-policy {installed} is installed")):
        assert analyzer.servicer_class() is sdk.StockServicer


def test_a_newer_minor_version_still_serves_with_pack_analyzer_and_warns(monkeypatch):
    newer = f"1.{int(sdk.TESTED.split('.')[1]) + 3}.0"
    monkeypatch.setattr(importlib.metadata, "version", lambda package: newer)
    with pytest.warns(sdk.SdkVersionWarning, match=rf"tested with pulumi-policy {sdk.TESTED}; pulumi-policy {newer}"):
        assert analyzer.servicer_class() is analyzer.PackAnalyzer


def test_a_missing_private_member_falls_back_naming_it(monkeypatch):
    monkeypatch.delattr(sdk.StockServicer, "_create_report_violation")
    ok, message = sdk.compatibility()
    assert not ok and "lacks _create_report_violation" in message
    with pytest.warns(sdk.SdkVersionWarning):
        assert analyzer.servicer_class() is sdk.StockServicer
