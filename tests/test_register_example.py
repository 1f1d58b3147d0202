"""docs/REGISTER.md's worked example, and the README's short one, are real output: run their commands in order in a
fresh folder and compare.

Blocks: ```` ```console ```` holds ``$ sanctuary-check …`` (or ``$ cat FILE``) and the output; a block
```` ```csv NAME ```` or ```` ```text NAME ```` is a file the example writes. Timestamps, registry versions and
SHA-256 prefixes are compared by their form. ``SANCTUARY_CHECK_REGENERATE=PATH`` writes the document with the
outputs of this run to PATH instead of comparing (to refresh it after a deliberate change).
"""

from __future__ import annotations

import os
import re
import shlex

import docx

from conftest import ROOT
from test_register_support import use_harness

DOC = ROOT / "docs" / "REGISTER.md"
README_SECTION = "## The compliance register"
BLOCK = re.compile(r"```(console|csv|text)(?: ([^\n`]+))?\n(.*?)```", re.S)
VARIABLE = [
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"), "YYYY-MM-DDThh:mm:ssZ"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\+[0-9a-f]{12}\b"), "REGISTRY-VERSION"),
    (re.compile(r"(sha256 |@)[0-9a-f]{12,16}"), r"\1HEX"),
]


def readme_section() -> str:
    """The README's register section (up to the next section)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(README_SECTION)
    return text[start:text.index("\n## ", start + 1)]


def steps(document: str) -> list[tuple[str, str, str]]:
    """The example's steps in order: (kind, command or file name, expected output or file content)."""
    out = []
    for kind, name, body in BLOCK.findall(document):
        if kind == "console":
            first, _, rest = body.partition("\n")
            assert first.startswith("$ "), first
            out.append(("run", first[2:], rest))
        elif name:
            out.append(("file", name.strip(), body))
    return out


def normal(text: str) -> list[str]:
    for pattern, replacement in VARIABLE:
        text = pattern.sub(replacement, text)
    return [line.rstrip() for line in text.strip().splitlines() if not line.startswith("Provenance:")]


def run_example(document: str, tmp_path, cli) -> tuple[int, str]:
    """Run a document's steps in ``tmp_path``; how many commands ran, and the document with this run's outputs
    (compared instead when not regenerating)."""
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    regenerate = os.environ.get("SANCTUARY_CHECK_REGENERATE")
    ran = 0
    for kind, what, expected in steps(document):
        if kind == "file":
            (tmp_path / what).write_text(expected, encoding="utf-8")
            continue
        words = shlex.split(what)
        if words[0] == "cat":
            got = (tmp_path / words[1]).read_text(encoding="utf-8")
        else:
            assert words[0] == "sanctuary-check", what
            result = cli(*words[1:])
            assert result.code == 0, f"{what}\n{result.err}"
            got = result.out + result.err
        ran += 1
        if regenerate:
            shown = f"{got.rstrip()}\n" if got.strip() else ""
            document = document.replace(f"$ {what}\n{expected}```", f"$ {what}\n{shown}```", 1)
            continue
        assert normal(got) == normal(expected), what
    return ran, document


def test_the_readme_example_is_real_output(tmp_path, cli, monkeypatch):
    use_harness(monkeypatch)
    monkeypatch.chdir(tmp_path)
    section = readme_section()
    ran, regenerated = run_example(section, tmp_path, cli)
    assert ran >= 2
    regenerate = os.environ.get("SANCTUARY_CHECK_REGENERATE")
    if regenerate:
        text = (ROOT / "README.md").read_text(encoding="utf-8")
        (ROOT / f"{regenerate}.README.md").write_text(text.replace(section, regenerated), encoding="utf-8")


def test_the_worked_example_is_real_output(tmp_path, cli, monkeypatch):
    use_harness(monkeypatch)
    monkeypatch.chdir(tmp_path)
    ran, document = run_example(DOC.read_text(encoding="utf-8"), tmp_path, cli)
    assert ran >= 25
    regenerate = os.environ.get("SANCTUARY_CHECK_REGENERATE")
    if regenerate:
        (ROOT / regenerate).write_text(document, encoding="utf-8")

    # the notice, read back: the clause, the vendor, the deadline
    notice = docx.Document(str(tmp_path / "notice-1.docx"))
    text = "\n".join(p.text for p in notice.paragraphs)
    assert "To: WEST PUBLISHING CORP" in text
    assert "shall enter into a new, amended, or extended contract or agreement" in text
    assert "by Monday, 11 January 2027 (2027-01-11)" in text and "2026-12-24 Winter closure" in text
    report = docx.Document(str(tmp_path / "annual-report-2027.docx"))
    cells = {c.text for t in report.tables for row in t.rows for c in row.cells}
    assert {"71,234-N.S.", "upheld", "reversed (identity)", "RFP-2027-003",
            "determination 1 (upheld); waiver 1 (granted)", "complaint 1 (closed)"} <= cells
