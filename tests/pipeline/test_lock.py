"""The deploy job installs the runtime requirements from hash-pinned locks (pip install --require-hashes): each lock
must pin exactly what its requirements file pins, every entry with hashes, and the two locks must agree."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PAIRS = [(ROOT / "requirements.txt", ROOT / "requirements.lock"),
         (ROOT / "policies" / "requirements.txt", ROOT / "policies" / "requirements.lock")]
REGENERATE = "regenerate it with the pip-compile command in its header"


def pins(path: Path) -> dict[str, str]:
    """name -> version of every `name==version` line (comments and options skipped)."""
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            (spec,) = requirement.specifier
            assert spec.operator == "==", f"{path.name}: {line} is not pinned with =="
            found[canonicalize_name(requirement.name)] = spec.version
    return found


def locked(path: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of a pip-compile --generate-hashes file."""
    entries: dict[str, tuple[str, int]] = {}
    current = None
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if line and not line[0].isspace() and not line.startswith("#"):
            name, _, version = stripped.rstrip("\\ ").partition("==")
            current = canonicalize_name(name)
            entries[current] = (version, 0)
        elif stripped.startswith("--hash=sha256:") and current:
            entries[current] = (entries[current][0], entries[current][1] + 1)
    return entries


@pytest.mark.parametrize(("requirements", "lock"), PAIRS, ids=["runtime", "policy-pack"])
def test_the_lock_pins_what_the_requirements_pin_each_with_hashes(requirements, lock):
    wanted, have = pins(requirements), locked(lock)
    assert wanted and have, "nothing parsed"
    wrong = {name: (version, have.get(name, ("missing",))[0]) for name, version in wanted.items()
             if have.get(name, ("",))[0] != version}
    assert not wrong, f"{lock.name} differs from {requirements.name} (want, have): {wrong}; {REGENERATE}"
    unhashed = [name for name, (_, hashes) in have.items() if not hashes]
    assert not unhashed, f"{lock.name}: no hashes for {unhashed}"


def test_the_two_locks_agree():
    runtime, pack = locked(PAIRS[0][1]), locked(PAIRS[1][1])
    differ = {n: (runtime[n][0], pack[n][0]) for n in set(runtime) & set(pack) if runtime[n][0] != pack[n][0]}
    assert not differ, f"policies/requirements.lock must be constrained by requirements.lock: {differ}"


def test_the_check_catches_a_stale_lock(tmp_path):
    stale = tmp_path / "requirements.lock"
    stale.write_text(PAIRS[0][1].read_text().replace("pulumi==3.272.0", "pulumi==3.1.0"))
    assert locked(stale)["pulumi"][0] != pins(PAIRS[0][0])["pulumi"]
