"""landing_zone/engine.py, the plan's one adapter to pulumi's private internals: it refuses an SDK it was not written
for, warns about a newer one it was not tested with, and agrees with the SDK's wire markers."""

from __future__ import annotations

import importlib.metadata
import os
import re
import warnings
from pathlib import Path

import pytest
from pulumi.runtime import rpc

from landing_zone import engine, wire

ROOT = Path(__file__).resolve().parents[2]


def pinned(package: str, requirements: str = "requirements.txt") -> str:
    return re.search(rf"^{package}==(\S+)", (ROOT / requirements).read_text(), re.M)[1]


def test_the_pinned_pulumi_is_the_tested_one():
    assert pinned("pulumi") == engine.TESTED


@pytest.mark.skipif(bool(os.environ.get("LZ_COMPAT")), reason="`make compat` runs the newest pulumi on purpose")
def test_the_installed_pulumi_is_the_tested_one():
    assert importlib.metadata.version("pulumi") == engine.TESTED
    assert engine.version_problem(engine.TESTED) is None
    engine.check_sdk()  # no error, no warning


@pytest.mark.parametrize("installed", ["3.200.0", "4.0.0", "2.9.1"])
def test_an_sdk_outside_the_supported_range_is_refused_naming_both_versions_and_what_to_do(installed):
    with pytest.raises(engine.SdkVersionError) as refused:
        engine.check_sdk(installed)
    message = str(refused.value)
    assert f"pulumi {installed} is installed" in message and engine.TESTED in message
    assert "pip install -r requirements.txt" in message and "make compat" in message


def test_a_newer_minor_version_warns_once_with_what_to_do():
    newer = f"3.{int(engine.TESTED.split('.')[1]) + 5}.0"
    with pytest.warns(engine.SdkVersionWarning, match=rf"tested with pulumi {engine.TESTED}; pulumi {newer}") as seen:
        engine.check_sdk(newer)
    assert "make compat" in str(seen[0].message) and "raise TESTED" in str(seen[0].message)


def test_a_patch_release_of_the_tested_version_is_accepted_quietly():
    patch = engine.TESTED.rsplit(".", 1)[0] + ".9"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        engine.check_sdk(patch)


def test_a_missing_private_name_is_refused_by_name(monkeypatch):
    monkeypatch.delattr(rpc, "_unwrap_rpc_secret_struct_properties")
    with pytest.raises(engine.SdkVersionError, match=r"lacks pulumi\.runtime\.rpc\._unwrap_rpc_secret_struct_properties"):
        engine.check_sdk(engine.TESTED)


def test_changed_wire_markers_are_refused(monkeypatch):
    monkeypatch.setattr(rpc, "_special_secret_sig", "0" * 32)
    with pytest.raises(engine.SdkVersionError, match=r"_special_secret_sig.*landing_zone/wire\.py"):
        engine.check_sdk(engine.TESTED)


def test_the_wire_markers_are_the_sdks():
    assert (wire.SIG_KEY, wire.SECRET_SIG, wire.RESOURCE_SIG) == (
        rpc._special_sig_key, rpc._special_secret_sig, rpc._special_resource_sig)
    assert engine.UNKNOWN == rpc.UNKNOWN
    assert wire.unwrap_secret(wire.secret("x")) == "x" and wire.unwrap_secret("x") == "x"


def test_the_plan_falls_back_to_the_sdks_own_wait_when_its_internals_are_gone(monkeypatch):
    from pulumi.runtime import stack

    original = stack.wait_for_rpcs
    with engine.patched_runtime(lambda plain, wire_form: None):
        assert stack.wait_for_rpcs is not original
    assert stack.wait_for_rpcs is original
    monkeypatch.delattr(engine._settings, "_get_rpc_manager")
    with engine.patched_runtime(lambda plain, wire_form: None):
        assert stack.wait_for_rpcs is original
