"""Shared test helpers: run the CLI in-process, find the real data files (skip when absent), one headless Chromium
for the browser tests."""

from __future__ import annotations

import atexit
import io
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "real"
DATA = Path(__file__).resolve().parent / "data"

# The compiled-knowledge cache goes to a fresh folder for the test session, never the user's own cache.
if "SANCTUARY_CHECK_CACHE" not in os.environ:
    os.environ["SANCTUARY_CHECK_CACHE"] = tempfile.mkdtemp(prefix="sanctuary-check-test-cache-")
    atexit.register(shutil.rmtree, os.environ["SANCTUARY_CHECK_CACHE"], True)


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture(autouse=True)
def _whole_cli_app_not_kept():
    """``checker.cli.app`` (every command) is made on first use and kept by the module, and ``main`` then runs each
    later command through it, building all its commands every time (some 0.05 s a run) where a fresh process
    builds only the one invoked. A test that made it (or had ``monkeypatch.setattr`` look it up) does not leave it
    to the tests after it."""
    module = sys.modules.get("checker.cli")
    kept = module is not None and "app" in vars(module)
    yield
    module = sys.modules.get("checker.cli")
    if module is not None and not kept:
        vars(module).pop("app", None)


def _main() -> int:
    """``sanctuary-check ARGS`` through the real entry point (``sys.argv`` set by the caller); the exit code."""
    from checker.cli import main

    try:
        main()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run ``sanctuary-check ARGS`` through the real entry point; return exit code, stdout, stderr."""

    def run(*args: str) -> CliResult:
        monkeypatch.setattr(sys, "argv", ["sanctuary-check", *args])
        code = _main()
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def run_cli(*args: str) -> CliResult:
    """``cli`` for fixtures that several tests share (a module's or the session's): the real entry point in this
    process, its standard output and error captured as the ``cli`` fixture captures them (UTF-8 text over bytes)."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="UTF-8", newline="", write_through=True)
    err = io.TextIOWrapper(io.BytesIO(), encoding="UTF-8", newline="", write_through=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sys, "argv", ["sanctuary-check", *args])
        mp.setattr(sys, "stdout", out)
        mp.setattr(sys, "stderr", err)
        code = _main()
    return CliResult(code, out.buffer.getvalue().decode("UTF-8"), err.buffer.getvalue().decode("UTF-8"))


BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    """Chromium, or skip (the only reason the browser tests skip)."""
    path = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which("chromium")
    if not path:
        pytest.skip("Chromium is not installed (/usr/bin/chromium or chromium on PATH)")
    return path


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole test process (each start costs a second or more). No test shares a page:
    each opens a context of its own (its pages, cookies and storage) and closes it."""
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install 'playwright>=1.50')")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, headless=True, args=BROWSER_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def real_file(name: str) -> Path:
    """A file from ../shared/data/real, or skip the test when the folder is not there."""
    path = REAL / name
    if not path.exists():
        pytest.skip(f"real data not available: {path}")
    return path


def read_records(path, name_column: str | None = None):
    """A file's column mapping and its rows as records and skipped rows, read by the tool's own reader."""
    from checker.sources.base import ReadOptions
    from checker.sources.columns import map_columns
    from checker.sources.readers import open_source
    from checker.sources.rows import RowConverter

    source = open_source(path, ReadOptions())
    columns = map_columns(source.header, source.path, name_column)
    convert = RowConverter(source.path, columns)

    def items():
        row = 0
        for chunk in source.chunks(256):
            for cells in chunk:
                row += 1
                yield convert(row, cells)

    return columns, items()


def one_line_error(result, *words: str) -> None:
    """A refusal as the tool promises it: exit 2 and one ``sanctuary-check: error:`` line holding ``words``."""
    lines = result.err.strip().splitlines()
    assert result.code == 2, (result.code, result.out[-300:], result.err[-600:])
    assert len(lines) == 1 and lines[0].startswith("sanctuary-check: error: "), result.err
    assert "Traceback" not in result.err
    for word in words:
        assert word in lines[0], (word, lines[0])


def corpus_command(path: Path, tmp_path: Path) -> list[str]:
    """The command that reads a file of tests/adversarial/, by its name's prefix (a registry file is linted in a
    folder holding only it)."""
    name = path.name
    if name.startswith("registry-"):
        folder = tmp_path / "registry"
        folder.mkdir()
        (folder / name).write_bytes(path.read_bytes())
        return ["registry", "lint", str(folder)]
    if name.startswith("rules-"):
        return ["rules", "validate", str(path)]
    if name.startswith("decisions-"):
        return ["screen", "ACME", "--decisions", str(path)]
    if name.startswith("waivers-"):
        return ["screen", "ACME", "--waivers", str(path)]
    if name.startswith("holdings-"):
        return ["holdings", str(path)]
    return ["audit", str(path), "--format", "json"]


class Watched:
    """A page with every dialog, console error and request outside the server recorded."""

    def __init__(self, browser, base: str, **options) -> None:
        self.context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True, **options)
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: None if r.url.startswith((base, "data:", "about:")) else
                     self.outside.append(r.url))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser, server):
    """A watched page on the module's ``server``; no request may leave it."""
    w = Watched(browser, server.url)
    yield w
    assert w.outside == [], f"requests outside the server: {w.outside}"
    w.close()


def signal_when_stopped(proc, signum: int) -> None:
    """Send ``signum`` to a running tool that cannot finish first: it is stopped, signalled and continued, so the
    signal is the next thing it handles, however busy the machine is."""
    import signal

    os.kill(proc.pid, signal.SIGSTOP)
    proc.send_signal(signum)
    os.kill(proc.pid, signal.SIGCONT)
