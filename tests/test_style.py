"""The code base stays ruff-clean (ruff is a test dependency)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import ROOT


def test_ruff_clean():
    ruff = shutil.which("ruff") or shutil.which("ruff", path=str(__import__("pathlib").Path(sys.executable).parent))
    if ruff is None:
        pytest.skip("ruff not installed")
    targets = [d for d in ("checker", "tests", "bench") if (ROOT / d).is_dir()]
    proc = subprocess.run([ruff, "check", *targets], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_layers_are_kept():
    """The import contracts in pyproject.toml: the model imports nothing of ours; the domain knows nothing of
    the engine, formats or command line; sources neither match nor judge; layers; no cycles."""
    lint = shutil.which("lint-imports", path=str(__import__("pathlib").Path(sys.executable).parent)) or \
        shutil.which("lint-imports")
    if lint is None:
        pytest.skip("import-linter not installed")
    proc = subprocess.run([lint], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    assert "0 broken" in proc.stdout
