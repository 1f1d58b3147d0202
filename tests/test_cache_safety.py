"""The compiled-knowledge cache holds pickles, and loading a pickle can run code (issue #22, round two): it is used
only when its folder and each entry belong to the user and no one else may write to them, and an entry that holds
the wrong thing is rebuilt, not trusted until someone deletes it."""

from __future__ import annotations

import os
import pickle
import stat
import threading
from pathlib import Path

import pytest

from checker.knowledge import cache
from checker.knowledge.cache import ENTRY_FORMAT, ENV, cached


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """A private cache folder for the test, and a run that has not warned yet."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(ENV, str(folder))
    monkeypatch.setattr(cache, "_warned", False)
    return folder


@pytest.fixture
def source(tmp_path) -> Path:
    path = tmp_path / "input.yaml"
    path.write_text("a: 1\n")
    return path


class Builder:
    """A build function that counts its calls."""

    def __init__(self, value: object = None) -> None:
        self.value = {"built": True} if value is None else value
        self.calls = 0

    def __call__(self) -> object:
        self.calls += 1
        return self.value


class RunsCode:
    """A pickle that creates a folder when loaded: the harm another user's entry could do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return os.mkdir, (str(self.marker),)


def _fill(folder: Path, source: Path, kind: str = "probe") -> Path:
    """Build once into ``folder`` and return the entry written."""
    cached(kind, [source], Builder(), expected=dict)
    (entry,) = folder.glob(f"{kind}-*.pickle")
    return entry


def _warnings(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line]


def test_a_new_cache_folder_is_made_private(fresh, source):
    _fill(fresh, source)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in fresh.iterdir())


def test_a_folder_others_may_write_is_not_used(fresh, source, tmp_path, capsys):
    entry = _fill(fresh, source)
    marker = tmp_path / "code-ran"
    entry.write_bytes(pickle.dumps(RunsCode(marker)))
    fresh.chmod(0o777)
    build = Builder()
    assert cached("probe", [source], build, expected=dict) == {"built": True}
    assert build.calls == 1 and not marker.exists()
    (line,) = _warnings(capsys)
    assert line.startswith("sanctuary-check: warning: the compiled-knowledge cache ") and str(fresh) in line
    assert "other users may write to it (mode 777)" in line
    assert entry.read_bytes() == pickle.dumps(RunsCode(marker)), "nothing is written to an unsafe folder"


def test_a_folder_of_another_user_is_not_used(fresh, source, tmp_path, capsys, monkeypatch):
    entry = _fill(fresh, source)
    marker = tmp_path / "code-ran"
    entry.write_bytes(pickle.dumps(RunsCode(marker)))
    me = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: me + 1)
    build = Builder()
    cached("probe", [source], build, expected=dict)
    assert build.calls == 1 and not marker.exists()
    (line,) = _warnings(capsys)
    assert f"it belongs to another user (uid {me})" in line


@pytest.mark.parametrize("mode", [0o620, 0o602, 0o666])
def test_an_entry_others_may_write_is_not_used_and_is_rebuilt(fresh, source, tmp_path, capsys, mode):
    entry = _fill(fresh, source)
    marker = tmp_path / "code-ran"
    entry.write_bytes(pickle.dumps(RunsCode(marker)))
    entry.chmod(mode)
    build = Builder()
    cached("probe", [source], build, expected=dict)
    assert build.calls == 1 and not marker.exists()
    (line,) = _warnings(capsys)
    assert "cache entry" in line and "other users may write to it" in line and "it is rebuilt" in line
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600  # replaced by a private one
    again = Builder()
    assert cached("probe", [source], again, expected=dict) == {"built": True} and again.calls == 0


def test_an_entry_that_is_a_symbolic_link_is_not_followed(fresh, source, tmp_path, capsys):
    entry = _fill(fresh, source)
    elsewhere = tmp_path / "elsewhere.pickle"
    elsewhere.write_bytes(pickle.dumps((ENTRY_FORMAT, "probe", {"planted": True})))
    entry.unlink()
    entry.symlink_to(elsewhere)
    build = Builder()
    assert cached("probe", [source], build, expected=dict) == {"built": True} and build.calls == 1
    assert "symbolic link" in _warnings(capsys)[0]


def test_the_warning_is_given_once_per_run(fresh, source, capsys):
    fresh.mkdir(mode=0o700)
    fresh.chmod(0o777)
    for _ in range(3):
        cached("probe", [source], Builder(), expected=dict)
    assert len(_warnings(capsys)) == 1


def test_the_warning_is_one_line_whatever_the_folder_is_called(monkeypatch, tmp_path, source, capsys):
    folder = tmp_path / "shared\ncache"
    folder.mkdir()
    folder.chmod(0o777)
    monkeypatch.setenv(ENV, str(folder))
    monkeypatch.setattr(cache, "_warned", False)
    cached("probe", [source], Builder(), expected=dict)
    (line,) = _warnings(capsys)
    assert "shared\\x0acache" in line


@pytest.mark.parametrize("held", [
    42,
    {"not": "an entry"},
    (ENTRY_FORMAT, "another-kind", {"a": 1}),
    (ENTRY_FORMAT, "probe", ["a list, not a dict"]),
    ("old-format", "probe", {"a": 1}),
])
def test_an_entry_holding_the_wrong_thing_is_rebuilt(fresh, source, held, capsys):
    entry = _fill(fresh, source)
    entry.write_bytes(pickle.dumps(held))
    build = Builder()
    assert cached("probe", [source], build, expected=dict) == {"built": True} and build.calls == 1
    again = Builder()
    assert cached("probe", [source], again, expected=dict) == {"built": True} and again.calls == 0
    assert _warnings(capsys) == []


def test_a_wrong_type_entry_never_breaks_a_run(cli, fresh, capsys):
    """Every entry of a real run replaced by a pickle of an int: the next runs rebuild, exit 0, no warning."""
    assert cli("screen", "ACME").code == 0
    entries = list(fresh.glob("*.pickle"))
    assert entries
    for entry in entries:
        entry.write_bytes(pickle.dumps(42))
    for _ in range(2):
        result = cli("screen", "ACME")
        assert result.code == 0 and result.err == "", result.err
    assert all(entry.read_bytes() != pickle.dumps(42) for entry in entries)


def test_a_run_with_an_unsafe_cache_warns_once_and_works(cli, monkeypatch, tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o777)
    monkeypatch.setenv(ENV, str(folder))
    monkeypatch.setattr(cache, "_warned", False)
    result = cli("screen", "ACME")
    assert result.code == 0
    (line,) = result.err.splitlines()
    assert line.startswith("sanctuary-check: warning: ") and str(folder) in line
    assert list(folder.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_an_input_that_is_not_a_regular_file_is_not_hashed(fresh, tmp_path):
    """A named pipe among the inputs goes to the loader (which reads it once), not to the cache's hash."""
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    done = threading.Event()
    build = Builder()

    def run() -> None:
        cached("probe", [pipe], build, expected=dict)
        done.set()

    threading.Thread(target=run, daemon=True).start()
    assert done.wait(10), "the cache waited on a named pipe"
    assert build.calls == 1 and not list(fresh.glob("probe-*"))


def test_a_cache_folder_reached_through_a_link_of_ones_own_is_used(monkeypatch, tmp_path, source, capsys):
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(real)
    monkeypatch.setenv(ENV, str(link))
    monkeypatch.setattr(cache, "_warned", False)
    cached("probe", [source], Builder(), expected=dict)
    again = Builder()
    cached("probe", [source], again, expected=dict)
    assert again.calls == 0 and list(real.glob("probe-*.pickle")) and _warnings(capsys) == []
