"""The first `make`: `make plan` installs the runtime only, `make test` adds the test tools, each step says what it does.

`make -n` (print, run nothing) in a copy of the Makefile and its inputs, with no venv yet: a fresh clone's first run.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INPUTS = ("Makefile", "requirements.txt", "requirements-dev.txt", "pyproject.toml")
# What the runtime (`make plan`, the program, the pack, `lz`) runs: none of it may import a test-only package.
RUNTIME_CODE = ("__main__.py", "landing_zone", "components", "policies/__main__.py", "policies/lz_policies", "bench")
# Distribution name -> the modules it provides, where they differ.
MODULES = {"pytest": {"pytest", "_pytest"}, "pytest-xdist": {"xdist"}, "moto[server]": {"moto"}}

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def first_run(tmp_path: Path, target: str) -> list[str]:
    for name in INPUTS:
        shutil.copy(ROOT / name, tmp_path / name)
    result = subprocess.run(["make", "-n", target], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def installs(lines: list[str]) -> list[str]:
    return [line for line in lines if " -m pip install " in line]


def test_make_plan_installs_the_runtime_and_the_package_only(tmp_path):
    pip = installs(first_run(tmp_path, "plan"))
    assert len(pip) == 2
    assert pip[0].endswith("-r requirements.txt") and pip[1].endswith("--no-deps -e .")
    assert not any("requirements-dev" in line for line in pip)


def test_make_test_adds_the_test_tools_after_the_runtime(tmp_path):
    pip = installs(first_run(tmp_path, "test"))
    assert [line.split()[-1] for line in pip] == ["requirements.txt", ".", "requirements-dev.txt"]


def test_every_install_step_says_what_it_installs_and_pip_is_quiet(tmp_path):
    lines = first_run(tmp_path, "test")
    for i, line in enumerate(lines):
        if " -m pip install " in line or line.startswith("python3 -m venv"):
            assert lines[i - 1].startswith('echo "make: '), line
            assert "-q" in line.split() or line.startswith("python3"), line


def dev_only_modules() -> set[str]:
    runtime = {_name(line) for line in _requirements("requirements.txt")}
    dev = {_name(line) for line in _requirements("requirements-dev.txt")} - runtime
    assert {"hypothesis", "moto[server]", "zizmor"} <= dev
    return {module for name in dev for module in MODULES.get(name, {name.replace("-", "_")})}


def test_no_runtime_code_imports_a_test_only_package():
    forbidden = dev_only_modules()
    files = [p for entry in RUNTIME_CODE for p in ((ROOT / entry).rglob("*.py") if (ROOT / entry).is_dir()
                                                    else [ROOT / entry])]
    assert len(files) > 50
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else []
            for name in names:
                assert name.split(".")[0] not in forbidden, f"{path.relative_to(ROOT)} imports {name} (test-only)"


def _requirements(name: str) -> list[str]:
    lines = (ROOT / name).read_text().splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip() and not line.startswith("-r")]


def _name(line: str) -> str:
    return re.split(r"==|>=|<=|~=", line)[0].strip().lower()
