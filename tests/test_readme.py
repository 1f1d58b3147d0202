"""The README's examples are real output: re-run them and compare (provenance hashes aside).

A block whose last line is ``…`` shows the start of the output: the lines before it must be how it begins.
"""

from __future__ import annotations

import re
import shlex

import pytest

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```console\n\$ (sanctuary-check (?:screen|audit|holdings) [^\n]*)\n(.*?)```", README, re.S)


@pytest.mark.parametrize(("command", "expected"), BLOCKS, ids=[c for c, _ in BLOCKS])
def test_readme_example_is_real_output(cli, monkeypatch, command, expected):
    monkeypatch.chdir(ROOT)
    result = cli(*shlex.split(command)[1:])

    def strip(text: str) -> list[str]:
        return [ln.rstrip() for ln in text.strip().splitlines() if not ln.startswith("Provenance:")]

    got, shown = strip(result.out), strip(expected)
    if shown and shown[-1] == "…":
        shown = shown[:-1]
        got = got[:len(shown)]
    assert got == shown


def test_readme_starts_with_the_two_commands():
    lines = README.splitlines()
    assert "pip install . && sanctuary-check audit examples/city-payments.csv" in lines[3]
    assert "pip install '.[test]' && python -m pytest -q" in lines[4]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pip install '.[test]' && python -m pytest -q" in ci
