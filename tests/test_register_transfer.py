"""Export and import: a register exported as JSON or CSV and imported into a new file gives the same records, ids
and history (plus one history row for the import); an older export is imported and migrated."""

from __future__ import annotations

import csv
import json
from datetime import date

import pytest

from checker.errors import InputError
from checker.register import city_days, complaints, migrations, transfer, waivers
from checker.register.store import Change, open_register

C = Change("tester", "=cmd|' /C calc'!A0")  # a "why" a spreadsheet would run, kept as typed


def _filled(path) -> None:
    with open_register(path) as reg:
        city_days.add_holiday(reg, C, date(2026, 12, 24), "Winter closure")
        cid = complaints.receive(reg, C, about="-ACME, \"INC\"", summary="line one\nline two, with commas",
                                 on=date(2026, 1, 5), complainant="@someone")
        complaints.add_note(reg, C, cid, text="+1 for the record", on=date(2026, 1, 6))
        complaints.close(reg, C, cid, outcome="substantiated", cure="'quoted' cure", on=date(2026, 2, 1))
        w = waivers.request(reg, C, rules="berkeley-ca", entity="west-publishing", on=date(2027, 1, 20),
                            intent="i", alternatives="a", extra_cost="$1", contracts=["C-1", "C-2"])
        waivers.decide(reg, C, w, granted=True, on=date(2027, 2, 9), resolution="71,234-N.S.")
        with reg.change(C) as writer:  # an empty text survives too
            writer.update("complaints", cid, {"complainant": ""}, "corrected")


def _records(path) -> dict:
    with open_register(path) as reg:
        data = transfer.export_data(reg)
    data.pop("exported_at")
    return data


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_an_export_imports_into_the_same_register(tmp_path, fmt):
    source = tmp_path / "a.sqlite"
    _filled(source)
    with open_register(source) as reg:
        if fmt == "json":
            exported = tmp_path / "a.json"
            transfer.write_json(reg, str(exported))
        else:
            exported = tmp_path / "a-csv"
            transfer.write_csv(reg, str(exported))
    copy = tmp_path / "b.sqlite"
    counts = transfer.import_export(str(exported), str(copy), Change("restorer", "moved to the new server"))
    assert counts["complaints"] == 1 and counts["complaint_notes"] == 1 and counts["holidays"] == 1
    before, after = _records(source), _records(copy)
    imported = after["tables"]["history"].pop()
    assert (imported["by"], imported["why"], imported["action"]) == ("restorer", "moved to the new server", "imported")
    assert after == before
    with open_register(copy) as reg:
        assert reg.get("complaints", 1)["complainant"] == ""
        first_change = migrations.LATEST + 1  # after the migrations that created the register
        assert reg.row("SELECT why FROM history WHERE id = ?", (first_change,))["why"] == C.why


def test_csv_cells_never_start_a_formula(tmp_path):
    source = tmp_path / "a.sqlite"
    _filled(source)
    with open_register(source) as reg:
        transfer.write_csv(reg, str(tmp_path / "out"))
    for path in (tmp_path / "out").glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.reader(fh):
                assert not any(cell[:1] in ("=", "+", "-", "@") for cell in row), (path.name, row)


def test_an_older_export_is_imported_and_migrated(tmp_path):
    exported = {"format": transfer.FORMAT, "schema_version": 1, "tables": {
        "holidays": [{"day": "2025-12-24", "name": "Winter closure", "status": "observed"}],
        "history": [{"id": 1, "at": "2025-01-01T00:00:00Z", "by": "old", "why": "v1", "kind": "holidays",
                     "record": "2025-12-24", "action": "created", "data": "{}"}]}}
    (tmp_path / "v1.json").write_text(json.dumps(exported), encoding="utf-8")
    transfer.import_export(str(tmp_path / "v1.json"), str(tmp_path / "new.sqlite"), Change("me", "restore"))
    with open_register(tmp_path / "new.sqlite") as reg:
        assert reg.row("PRAGMA user_version")[0] == migrations.LATEST
        assert city_days.recorded_holidays(reg) == [(date(2025, 12, 24), "Winter closure")]
        actions = [(r["kind"], r["action"]) for r in reg.rows("SELECT * FROM history ORDER BY id")]
    assert actions == [("holidays", "created"), *[("schema", "migrated")] * (migrations.LATEST - 1),
                       ("register", "imported")]


@pytest.mark.parametrize(("doc", "message"), [
    ({"format": "something else"}, "is not a register export"),
    ({"format": transfer.FORMAT, "schema_version": 99, "tables": {}}, "reads versions 1 to"),
    ({"format": transfer.FORMAT, "schema_version": 2, "tables": {"secrets": []}}, "unknown tables secrets"),
    ({"format": transfer.FORMAT, "schema_version": 2, "tables": {"holidays": [{"day": "x", "colour": "red"}]}},
     "unknown fields colour"),
    ({"format": transfer.FORMAT, "schema_version": 2, "tables": {"notices": [{"determination_id": 7,
                                                                              "notified_on": "2026-01-01"}]}},
     "FOREIGN KEY"),
])
def test_a_bad_export_is_refused_and_leaves_no_file(tmp_path, doc, message):
    (tmp_path / "bad.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InputError, match=message):
        transfer.import_export(str(tmp_path / "bad.json"), str(tmp_path / "new.sqlite"), C)
    assert not (tmp_path / "new.sqlite").exists()


def test_import_never_writes_over_a_register(tmp_path):
    _filled(tmp_path / "a.sqlite")
    with open_register(tmp_path / "a.sqlite") as reg:
        transfer.write_json(reg, str(tmp_path / "a.json"))
    with pytest.raises(InputError, match="already exists"):
        transfer.import_export(str(tmp_path / "a.json"), str(tmp_path / "a.sqlite"), C)
