"""The installed tool carries its rules and registry and works from any directory."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import ROOT


def test_console_script_runs_from_another_directory(tmp_path):
    exe = shutil.which("sanctuary-check", path=str(__import__("pathlib").Path(sys.executable).parent))
    if exe is None:
        pytest.skip("sanctuary-check is not installed in this environment (pip install .)")
    proc = subprocess.run([exe, "screen", "WEST PUBLISHING CORP", "--rules", "berkeley-ca", "--format", "json"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert '"verdict": "prohibited"' in proc.stdout
    probe = "from checker.knowledge.resources import bundled_dir as b; print(b('vendors'))"
    where = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path)
    assert where.returncode == 0 and (where.stdout.strip().endswith("checker/vendors")
                                      or where.stdout.strip() == str(ROOT / "vendors")), where.stdout


def test_python_dash_m_checker(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "checker", "rules", "list", "--format", "json"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "berkeley-ca" in proc.stdout


def test_eval_runs_with_its_bundled_set_from_another_directory(tmp_path):
    """`eval` needs no file: the labelled set ships inside the package (CI installs the tool without -e)."""
    exe = shutil.which("sanctuary-check", path=str(__import__("pathlib").Path(sys.executable).parent))
    if exe is None:
        pytest.skip("sanctuary-check is not installed in this environment (pip install .)")
    proc = subprocess.run([exe, "eval"], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "recall" in proc.stdout and "decoy" in proc.stdout
    probe = "from checker.tools.evaluate import BUNDLED_SET as s; import os; print(s, os.path.exists(s))"
    where = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path)
    assert where.stdout.strip().endswith("eval_names.csv True"), where.stdout + where.stderr
