"""The fast paths give the same answers as the plain ones: compiled cache, shared judgements, JSON rendering."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

from checker.compiled_cache import ENV
from checker.formats.common import finding_dict
from checker.formats.json_format import finding_json
from checker.service import Checker

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
    assert sorted(p.name.split("-")[0] for p in cache.iterdir()) == ["registry", "rulesets"]
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


def test_shared_judgements_equal_judging_each_row_afresh(tmp_path):
    rows = ["Vendor Name,Amount,Payment Date,Description"]
    names = ["WEST PUBLISHING CORP", "Acme Paving", "DOE, JANE", "Acme Paving", "PALANTIR USG INC", "Acme Paving",
             "West Coast Arborists", "WEST PUBLISHING CORP", "Acme Paving"]
    for i, name in enumerate(names):
        memo = "ACCURINT FOR LAW ENFORCEMENT renewal" if i == 5 else "supplies"
        rows.append(f'"{name}",{i + 1}.50,2019-0{i % 9 + 1}-15,{memo}')
    path = tmp_path / "p.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    as_of = date(2024, 6, 30)
    shared = list(Checker(as_of=as_of).audit(str(path)).findings)
    assert len(shared) == len(names)
    for f in shared:
        fresh = Checker(as_of=as_of).judge.judge(f.record)
        assert finding_dict(f) == finding_dict(fresh), f.record.vendor
    assert shared[5].verdict == "possible_match"  # the same vendor, but a product named in the memo


def test_finding_json_equals_the_generic_encoding():
    run = Checker(as_of=date(2024, 6, 30)).audit(EXAMPLE)
    for f in run.findings:
        assert finding_json(f) == json.dumps(finding_dict(f), ensure_ascii=False)


def test_only_flagged_stream_still_counts_every_row():
    full = Checker(as_of=date(2024, 6, 30)).audit(EXAMPLE)
    listed = list(full.findings)
    flagged_run = Checker(as_of=date(2024, 6, 30)).audit(EXAMPLE, only_flagged=True)
    flagged = list(flagged_run.findings)
    assert [f.record.row for f in flagged] == [f.record.row for f in listed if f.flagged]
    assert flagged_run.summary.verdict_counts() == full.summary.verdict_counts()
    assert flagged_run.summary.dollars.total == full.summary.dollars.total
