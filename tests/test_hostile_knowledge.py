"""Hostile knowledge files (issue #22, round two): rule sets, registry files, waivers and decisions that are nested
too deep, carry dates that do not exist, come in odd encodings or as devices and pipes, disagree with themselves or
name rule sets that do not exist. Each is refused with one line naming the file (and the line and field where they
apply) and exit 2, never a traceback, a hang or unbounded memory."""

from __future__ import annotations

import csv
import hashlib
import inspect
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from checker.errors import InputError
from checker.knowledge.registry import load_registry
from checker.knowledge.waivers import MAX_CSV_FIELD, load_waivers
from checker.knowledge.yamlsafe import MAX_BYTES, MAX_DEPTH, load_yaml_file, load_yaml_text

from conftest import ROOT, corpus_command

CORPUS = ROOT / "tests" / "adversarial"
HANG = 20.0
"""Seconds after which a refusal counts as a hang: a guard, not a speed target."""


def _refused(result, *fragments: str) -> str:
    """The one stderr line of a refusal, checked to hold every fragment."""
    assert result.code == 2, (result.out[-300:], result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sanctuary-check: error: "), result.err
    assert "Traceback" not in result.err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


@pytest.fixture
def registry():
    return load_registry()


# -- 1. nesting ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, line, how", [
    ("rules-deep-nesting.yaml", 2, "nested more than 64 levels deep"),
    ("waivers-deep-nesting.yaml", 2, "nested more than 64 levels deep"),
    ("decisions-deep-nesting.yaml", 3, "nested more than 64 levels deep"),
    ("rules-alias-chain.yaml", 2, "(through aliases)"),
    ("rules-self-alias.yaml", 2, "(through aliases)"),
])
def test_deeply_nested_yaml_is_refused_with_one_line(cli, tmp_path, name, line, how):
    path = CORPUS / name
    start = time.perf_counter()
    _refused(cli(*corpus_command(path, tmp_path)), path.name, f"line {line}:", how)
    assert time.perf_counter() - start < HANG


def test_nesting_up_to_the_bound_is_read_and_one_more_level_is_refused():
    value = load_yaml_text("[" * MAX_DEPTH + "x" + "]" * MAX_DEPTH, "ok.yaml").data
    for _ in range(MAX_DEPTH):
        (value,) = value
    assert value == "x"
    with pytest.raises(InputError, match="nested more than"):
        load_yaml_text("[" * (MAX_DEPTH + 1) + "x" + "]" * (MAX_DEPTH + 1), "deep.yaml")
    last = MAX_DEPTH - 2  # the value x of a0 sits in the mapping and MAX_DEPTH - 1 lists once a{last} is expanded
    chain = "a0: &a0 [x]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, last + 1))
    assert load_yaml_text(chain, "ok.yaml").data
    with pytest.raises(InputError, match="through aliases"):
        load_yaml_text(chain + f"b: &b [*a{last}]\n", "deep.yaml")
    block = "".join("  " * i + "a:\n" for i in range(MAX_DEPTH + 1)) + "  " * (MAX_DEPTH + 1) + "b: 1\n"
    with pytest.raises(InputError, match=r"deep\.yaml: line \d+: nested more than"):
        load_yaml_text(block, "deep.yaml")


def test_a_recursion_error_below_the_bound_is_still_one_clear_error():
    """With a smaller interpreter stack than MAX_DEPTH assumes, PyYAML's RecursionError becomes an InputError."""
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + 40)
    try:
        with pytest.raises(InputError, match="nested too deeply"):
            load_yaml_text("[" * MAX_DEPTH + "]" * MAX_DEPTH, "tight.yaml")
    finally:
        sys.setrecursionlimit(old)


# -- 2. dates that do not exist ------------------------------------------------------------------------------
@pytest.mark.parametrize("name, line, field, value", [
    ("rules-impossible-effective-date.yaml", 6, "effective.date", "'2019-02-30'"),
    ("rules-impossible-adopted-date.yaml", 6, "adopted.date", "'0000-00-00'"),
    ("waivers-impossible-decided.yaml", 6, "waivers[0].decided", "'2021-13-01'"),
    ("waivers-impossible-expiry.yaml", 7, "waivers[0].expires", "'2019-02-30'"),
    ("decisions-impossible-date.yaml", 7, "decisions[0].when", "'0000-00-00'"),
    ("registry-impossible-period.yaml", 17, "entities[0].evidence[0].period.start", "'2021-13'"),
    ("registry-impossible-last-verified.yaml", 5, "last_verified", "'2019-02-30'"),
])
def test_a_date_that_does_not_exist_names_file_line_and_field(cli, tmp_path, name, line, field, value):
    path = CORPUS / name
    _refused(cli(*corpus_command(path, tmp_path)), path.name,
             f"line {line}: field {field}: {value} is not a date that exists")


@pytest.mark.parametrize("start", ["2021-00", "2021-02-29", "0000", "2024-13-01"])
def test_partial_registry_dates_are_checked_too(cli, tmp_path, start):
    folder = tmp_path / "vendors"
    folder.mkdir()
    text = (CORPUS / "registry-impossible-period.yaml").read_text().replace('"2021-13"', f'"{start}"')
    (folder / "registry-impossible-period.yaml").write_text(text)
    _refused(cli("registry", "lint", str(folder)), "line 17: field entities[0].evidence[0].period.start")


def test_real_dates_pass_leap_days_and_partial_dates_included(tmp_path, registry):
    path = tmp_path / "w.yaml"
    path.write_text("waivers:\n  - {vendor: ACME, rule_set: berkeley-ca, resolution: R-1, decided: 2024-02-29,"
                    " expires: '2025-02-28'}\n")
    assert load_waivers(path, registry)["berkeley-ca"][0].decided.isoformat() == "2024-02-29"
    folder = tmp_path / "vendors"
    folder.mkdir()
    text = (CORPUS / "registry-impossible-period.yaml").read_text().replace('"2021-13"', '"2024-02"')
    (folder / "x.yaml").write_text(text.replace('last_verified: "2024-06"', 'last_verified: "2024"'))
    assert "registry-impossible-period" in load_registry(folder).families


def test_a_date_in_the_wrong_form_still_names_the_form():
    from checker.knowledge.validation import validate

    doc = load_yaml_text("decisions:\n  - {vendor: A, decision: different, who: B, when: soon, why: checked}\n",
                         "d.yaml")
    with pytest.raises(InputError, match="does not match"):
        validate(doc, "decisions")


# -- 3. waiver registers in CSV ------------------------------------------------------------------------------
WAIVER_CSV = "vendor,rule_set,resolution,decided\nCAF\u00c9 NO\u00cbL LLC,berkeley-ca,R-1,2024-01-15\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-32", "cp1252"])
def test_a_waiver_csv_is_read_in_any_encoding_a_payment_file_may_have(tmp_path, registry, encoding):
    path = tmp_path / "waivers.csv"
    path.write_bytes(WAIVER_CSV.encode(encoding))
    assert load_waivers(path, registry)["berkeley-ca"][0].vendor == "CAF\u00c9 NO\u00cbL LLC"


def test_a_utf16_waiver_csv_works_from_the_command_line(cli, tmp_path):
    path = tmp_path / "waivers.csv"
    path.write_bytes(WAIVER_CSV.encode("utf-16"))
    result = cli("screen", "ACME", "--waivers", str(path))
    assert result.code == 0, result.err


def test_a_waiver_csv_in_no_encoding_is_refused_clearly(cli):
    path = CORPUS / "waivers-bad-encoding.csv"
    _refused(cli("screen", "ACME", "--waivers", str(path)), path.name, "is not cp1252 text (byte 35")


def test_a_utf16_waiver_csv_names_the_line_of_an_error(cli):
    path = CORPUS / "waivers-utf16-unknown-entity.csv"
    _refused(cli("screen", "ACME", "--waivers", str(path)), path.name,
             "line 2: field waivers[0].entity: unknown registry entity or family 'no-such-entity'")


def test_an_unclosed_quote_is_malformed_csv_not_a_missing_field(cli):
    path = CORPUS / "waivers-unclosed-quote.csv"
    line = _refused(cli("screen", "ACME", "--waivers", str(path)), path.name, "line 2: malformed CSV")
    assert "required property" not in line


def test_other_malformed_csv_names_its_line(cli, tmp_path):
    path = tmp_path / "waivers.csv"
    path.write_text('vendor,rule_set,resolution,decided\nA,berkeley-ca,R-1,2024-01-15\n"B"x,berkeley-ca,R-2,2024-01-15\n')
    _refused(cli("screen", "ACME", "--waivers", str(path)), "line 3: malformed CSV")


@pytest.mark.parametrize("limit", [None, 10 * MAX_CSV_FIELD])
def test_a_field_over_the_bound_is_refused_with_its_line(cli, tmp_path, limit):
    """Refused whatever limit the csv module was left with (reading a payment file raises it)."""
    path = tmp_path / "waivers.csv"
    path.write_text("vendor,rule_set,resolution,decided,intent\nA,berkeley-ca,R-1,2024-01-15,short\n"
                    f"B,berkeley-ca,R-2,2024-01-15,{'x' * (MAX_CSV_FIELD + 10)}\n")
    old = csv.field_size_limit()
    if limit is not None:
        csv.field_size_limit(limit)
    try:
        _refused(cli("screen", "ACME", "--waivers", str(path)), path.name,
                 f"line 3: a field is longer than {MAX_CSV_FIELD:,} characters")
    finally:
        csv.field_size_limit(old)


def test_waiver_csv_lines_count_records_that_span_lines(tmp_path, registry):
    path = tmp_path / "waivers.csv"
    path.write_text('vendor,rule_set,resolution,decided,intent\n\nA,berkeley-ca,R-1,2024-01-15,"two\nlines"\n'
                    "B,berkeley-ca,R-2,2024-02-30,\n")
    with pytest.raises(InputError, match=r"line 5: field waivers\[1\]\.decided: '2024-02-30'"):
        load_waivers(path, registry)


def test_extra_cells_and_repeated_columns_are_refused(tmp_path, registry):
    path = tmp_path / "waivers.csv"
    path.write_text("vendor,rule_set,resolution,decided\nA,berkeley-ca,R-1,2024-01-15,surprise\n")
    with pytest.raises(InputError, match="line 2: 5 cells, but the header names 4 columns"):
        load_waivers(path, registry)
    path.write_text("vendor,rule_set,resolution,decided,vendor\nA,berkeley-ca,R-1,2024-01-15,B\n")
    with pytest.raises(InputError, match="line 1: column 'vendor' appears more than once"):
        load_waivers(path, registry)


# -- 4. devices and named pipes ------------------------------------------------------------------------------
@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
@pytest.mark.parametrize("args", [
    ("screen", "ACME", "--rules", "/dev/zero"),
    ("screen", "ACME", "--waivers", "/dev/zero"),
    ("screen", "ACME", "--decisions", "/dev/zero"),
    ("rules", "validate", "/dev/zero"),
])
def test_a_device_is_refused_not_read(cli, args):
    start = time.perf_counter()
    _refused(cli(*args), "/dev/zero: is a device")
    assert time.perf_counter() - start < HANG


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_registry_file_that_is_a_device_is_refused_not_hashed(cli, tmp_path):
    folder = tmp_path / "vendors"
    folder.mkdir()
    (folder / "zero.yaml").symlink_to("/dev/zero")
    start = time.perf_counter()
    _refused(cli("screen", "ACME", "--registry", str(folder)), "zero.yaml: is a device")
    assert time.perf_counter() - start < HANG


def _fifo(tmp_path: Path, name: str, payload: bytes | None) -> tuple[Path, threading.Thread, list[int]]:
    """A named pipe and a thread writing ``payload`` into it (None: endless bytes until the reader closes)."""
    path = tmp_path / name
    os.mkfifo(path)
    written = [0]

    def write() -> None:
        try:
            with open(path, "wb") as fh:
                if payload is not None:
                    fh.write(payload)
                    written[0] = len(payload)
                    return
                block = b"#" * 65536
                while written[0] < 4 * MAX_BYTES:
                    fh.write(block)
                    written[0] += len(block)
        except BrokenPipeError:
            pass

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return path, thread, written


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_named_pipe_is_read_once(tmp_path, registry):
    from checker.knowledge.decisions import load_decisions

    text = (b"decisions:\n  - {vendor: ACME ANALYTICS, entity: palantir, decision: different, who: A,"
            b" when: '2024-01-02', why: checked the address}\n")
    path, thread, _ = _fifo(tmp_path, "decisions.yaml", text)
    loaded = load_decisions(path, registry)
    thread.join(5)
    assert [d.entity for d in loaded] == ["palantir"] and loaded[0].line == 2
    assert loaded.sha256 == hashlib.sha256(text).hexdigest()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_rule_set_from_a_named_pipe_is_read_once_and_hashed_as_read(tmp_path):
    from checker.knowledge.rulesets import load_ruleset

    text = (ROOT / "rules" / "oakland-ca.yaml").read_bytes()
    path, thread, _ = _fifo(tmp_path, "oakland-ca.yaml", text)
    loaded = []
    reader = threading.Thread(target=lambda: loaded.append(load_ruleset(path)), daemon=True)
    reader.start()
    reader.join(HANG)  # it used to open the pipe a second time for its hash, and wait there for ever
    thread.join(5)
    assert loaded, "the rule set was not read within the time allowed"
    assert loaded[0].id == "oakland-ca" and loaded[0].sha256 == hashlib.sha256(text).hexdigest()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_an_endless_named_pipe_is_read_only_up_to_the_bound(tmp_path):
    path, thread, written = _fifo(tmp_path, "rules.yaml", None)
    with pytest.raises(InputError, match=f"rules.yaml: is larger than {MAX_BYTES:,} bytes"):
        load_yaml_file(path)
    thread.join(10)
    assert written[0] < MAX_BYTES + 2 * 1024 * 1024  # what the pipe holds beyond what was read


def test_a_file_over_the_bound_is_refused(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_BYTES + 1))
    with pytest.raises(InputError, match="is larger than"):
        load_yaml_file(path)
    path.write_bytes(b"#" * MAX_BYTES)
    assert load_yaml_file(path).data is None


# -- 5. decisions that disagree ------------------------------------------------------------------------------
@pytest.mark.parametrize("name, says", [
    ("decisions-same-and-different.yaml", ("'Acme Analytics' is palantir", "'ACME ANALYTICS, INC.' is not palantir")),
    ("decisions-same-as-two-entities.yaml", ("'ACME ANALYTICS' is palantir", "'Acme Analytics' is relx")),
])
def test_decisions_that_disagree_are_refused_naming_both_lines(cli, name, says):
    path = CORPUS / name
    _refused(cli("screen", "ACME", "--decisions", str(path)), path.name, "lines 3 and 9:", *says)


def _decisions(tmp_path: Path, *items: str) -> Path:
    path = tmp_path / "decisions.yaml"
    path.write_text("decisions:\n" + "".join(f"  - {{vendor: {item}, who: A, when: '2024-01-02', why: checked}}\n"
                                             for item in items))
    return path


def test_decisions_that_agree_are_accepted(cli, tmp_path):
    path = _decisions(tmp_path, "ACME ANALYTICS, entity: palantir, decision: same",
                      "Acme Analytics Inc, entity: palantir, decision: same",
                      "ACME ANALYTICS, entity: relx, decision: different")
    result = cli("screen", "Acme Analytics", "--decisions", str(path), "-f", "json")
    assert result.code in (0, 1), result.err
    assert result.json()["findings"][0]["match"]["entity"]["id"] == "palantir"


@pytest.mark.parametrize("second", ["entity: palantir, decision: different", "decision: different"])
def test_same_as_an_entity_and_different_from_its_family_or_anything_disagree(cli, tmp_path, second):
    path = _decisions(tmp_path, "ACME ANALYTICS, entity: palantir-usg, decision: same", f"Acme Analytics, {second}")
    _refused(cli("screen", "ACME", "--decisions", str(path)), "lines 2 and 3:")


def test_decisions_from_two_files_that_disagree_name_both_files(registry):
    from checker.knowledge.decisions import Decision
    from checker.match.matcher import Matcher

    one = Decision("ACME", "palantir", "same", "A", "2024-01-02", "x", source="one.yaml", line=4)
    two = Decision("Acme Inc", "relx", "same", "B", "2024-01-03", "y", source="two.yaml", line=7)
    with pytest.raises(InputError, match=r"two\.yaml: line 7: .*one\.yaml line 4"):
        Matcher(registry, [one, two])
    with pytest.raises(InputError, match=r"two\.yaml: line 7: .*one\.yaml line 4"):
        Matcher(registry).with_decisions([one, two])


# -- 6. waivers for rule sets that do not exist --------------------------------------------------------------
def test_a_waiver_for_an_unknown_rule_set_is_refused_naming_line_and_id(tmp_path, registry):
    path = tmp_path / "waivers.yaml"
    path.write_text("waivers:\n  - vendor: ACME\n    resolution: R-1\n    rule_set: no-such-city\n"
                    "    decided: '2024-01-15'\n")
    with pytest.raises(InputError, match=r"line 4: field waivers\[0\]\.rule_set: unknown rule set 'no-such-city'; "
                                         r"known: berkeley-ca, oakland-ca"):
        load_waivers(path, registry, rule_sets=["oakland-ca", "berkeley-ca"])
    assert load_waivers(path, registry)["no-such-city"]  # None: the caller does not know the rule sets


def test_a_waiver_for_an_unknown_rule_set_is_refused_from_the_command_line(cli, tmp_path):
    from checker.api import Checker

    if "rule_sets" not in inspect.getsource(Checker.__init__):
        pytest.skip("checker/api.py does not pass the known rule-set ids to load_waivers yet")
    path = tmp_path / "waivers.csv"
    path.write_text("vendor,rule_set,resolution,decided\nACME,berkely-ca,R-1,2024-01-15\n")
    _refused(cli("screen", "ACME", "--waivers", str(path)), "line 2: field waivers[0].rule_set: unknown rule set "
                                                               "'berkely-ca'")


# -- 8. one line, whatever the file is called ----------------------------------------------------------------
def test_a_file_name_with_a_line_break_gives_one_line(cli, tmp_path):
    path = tmp_path / "bad\nname.yaml"
    path.write_text("decisions: [1]\n")
    _refused(cli("screen", "ACME", "--decisions", str(path)), "bad\\x0aname.yaml: line 1: field decisions[0]")
    path = tmp_path / "deep\r\nrules.yaml"
    path.write_text("[" * 1000 + "]" * 1000)
    _refused(cli("rules", "validate", str(path)), "deep\\x0d\\x0arules.yaml: line 1: nested more than")
