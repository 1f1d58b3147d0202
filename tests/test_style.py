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


def test_the_judge_never_asks_a_day_its_type():
    """The engine judges a day as a ``WatchedDay`` (``engine/days.py``), which is no ``date``: the judge compares a
    day and writes it out, and never asks what type it is (``isinstance(x, date)``, ``type(x) is date``)."""
    import ast

    def named(node: ast.AST) -> set[str]:
        return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | \
            {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}

    def is_call(node: ast.AST, *names: str) -> bool:
        return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names

    asked = []
    for path in sorted((ROOT / "checker" / "judge").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if is_call(node, "isinstance", "issubclass"):
                types = named(ast.Tuple(elts=node.args[1:]))  # type: ignore[attr-defined]
            elif isinstance(node, ast.Compare) and any(is_call(x, "type") for x in (node.left, *node.comparators)):
                types = named(node)
            else:
                continue
            if types & {"date", "datetime"}:
                asked.append(f"{path.name}:{node.lineno}")
    assert not asked, asked
