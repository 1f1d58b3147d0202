"""The compiled-knowledge cache: results identical with and without it, never stale, never trusted when corrupt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from checker.knowledge.cache import ENV

from conftest import ROOT

EXAMPLE = str(ROOT / "examples" / "city-payments.csv")


def _audit_json(cache: str, *args: str) -> dict:
    env = {**os.environ, ENV: cache}
    out = subprocess.run([sys.executable, "-m", "checker", "audit", EXAMPLE, "-f", "json", "--as-of", "2024-06-30",
                          *args], capture_output=True, text=True, env=env, check=True).stdout
    return json.loads(out)


def test_results_identical_with_and_without_the_compiled_cache(tmp_path):
    cache = tmp_path / "cache"
    off = _audit_json("off")
    cold = _audit_json(str(cache))  # fills the cache
    assert {p.name.split("-")[0] for p in cache.iterdir()} == {"datasets", "family", "matcher", "rulesets"}
    warm = _audit_json(str(cache))  # reads it
    assert off == cold == warm


def test_a_corrupt_cache_entry_is_rebuilt_not_trusted(tmp_path):
    cache = tmp_path / "cache"
    expected = _audit_json(str(cache))
    for entry in cache.iterdir():
        entry.write_bytes(b"not a pickle")
    assert _audit_json(str(cache)) == expected
    assert all(entry.read_bytes() != b"not a pickle" for entry in cache.iterdir())


def test_an_edited_registry_file_is_never_read_stale(tmp_path, cli):
    import shutil

    vendors = tmp_path / "vendors"
    shutil.copytree(ROOT / "vendors", vendors)
    before = cli("screen", "PALANTIR USG INC", "--registry", str(vendors), "-f", "json").json()
    assert before["findings"][0]["verdict"] != "clear"
    (vendors / "palantir.yaml").unlink()
    after = cli("screen", "PALANTIR USG INC", "--registry", str(vendors), "-f", "json").json()
    assert after["findings"][0]["verdict"] == "clear"


def test_a_copied_registry_reuses_its_unchanged_families_and_reads_the_edited_one(tmp_path, monkeypatch):
    """Family files are kept by their bytes alone: a copy of the registry in another folder (a project's, or one
    being edited and linted) loads only its edited file, and equals the registry built with no cache at all, every
    family carrying its own copy's path."""
    import shutil

    from checker.knowledge import registry

    monkeypatch.setenv(ENV, str(tmp_path / "cache"))
    registry.build_registry(registry.registry_files())  # the bundled files fill the cache
    vendors = tmp_path / "vendors"
    shutil.copytree(ROOT / "vendors", vendors)
    edited = vendors / "palantir.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("name: Palantir Technologies Inc.",
                                                                 "name: Palantir Technologies Incorporated", 1),
                      encoding="utf-8")
    loaded: list[str] = []
    load = registry.load_family
    monkeypatch.setattr(registry, "load_family", lambda path: loaded.append(path.name) or load(path))
    files = registry.registry_files(vendors)
    warm = registry.build_registry(files)
    assert loaded == ["palantir.yaml"]
    monkeypatch.setenv(ENV, "off")
    assert warm == registry.build_registry(files) and len(loaded) == len(files) + 1
    assert all(f.path == str(vendors / Path(f.path).name) for f in warm.families.values())
    assert "Palantir Technologies Incorporated" in {e.name for e in warm.entities.values()}


def test_the_code_hash_reads_files_only(tmp_path, monkeypatch):
    """An installed package compiles the word lists' build scripts: a __pycache__ folder sits among the data files
    (which broke every run of an installed tool with IsADirectoryError)."""
    from checker.knowledge import cache

    for folder in ("knowledge", "match/data/__pycache__"):
        (tmp_path / folder).mkdir(parents=True)
    for name in ("model.py", "knowledge/k.py", "match/m.py", "match/data/words.txt", "match/data/build.py",
                 "match/data/__pycache__/build.cpython-311.pyc"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    monkeypatch.setattr(cache, "_PACKAGE", tmp_path)
    found = cache._code()
    assert all(p.is_file() for p in found) and tmp_path / "match/data/words.txt" in found
    assert not any("__pycache__" in str(p) for p in found)
