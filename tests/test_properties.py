"""Property-based tests (Hypothesis, bounded): normalisation, matching and reading never misbehave."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.errors import InputError
from checker.knowledge.registry import load_registry
from checker.match.matcher import Matcher
from checker.match.normalize import fold, normalize
from checker.model import Skipped

from conftest import read_records as read_csv

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
REGISTRY = load_registry()
MATCHER = Matcher(REGISTRY)
LEGAL_NAMES = sorted({a for e in REGISTRY.entities.values() for a in e.aliases
                      if REGISTRY.families[e.family_id].status == "confirmed" and len(normalize(a).tokens) >= 2})


@FAST
@given(st.text(max_size=80))
def test_fold_is_idempotent_and_never_raises(text):
    assert fold(fold(text)) == fold(text)


@FAST
@given(st.text(min_size=1, max_size=80).filter(lambda t: t.strip()))
def test_normalize_never_empties_a_nonempty_name(text):
    assert normalize(text).tokens


@FAST
@given(st.text(max_size=120))
def test_matcher_never_raises(text):
    MATCHER.match(text)


@FAST
@given(st.sampled_from(LEGAL_NAMES), st.sampled_from(["lower", "title", "pad", "punct", "spaces"]))
def test_case_space_and_punctuation_variants_of_legal_names_match(name, variant):
    text = {"lower": name.lower(), "title": name.title(), "pad": f"  {name}" + " " * 12,
            "punct": name.replace(" ", ", ", 1) + ".", "spaces": "  ".join(name.split())}[variant]
    m = MATCHER.match(text).match
    expected = next(e.family_id for e in REGISTRY.entities.values() if name in e.aliases)
    assert m is not None and m.family_id == expected, (text, m)


@FAST
@given(st.binary(max_size=400))
def test_reader_on_random_bytes_never_raises_anything_but_input_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("rb") / "f.csv"
    path.write_bytes(b"Vendor Name,Amount\n" + data)
    try:
        _, items = read_csv(path)
        list(items)
    except InputError:
        pass


@FAST
@given(st.lists(st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
                                 max_size=12), min_size=1, max_size=4), max_size=12),
       st.sampled_from([",", ";", "\t", "|"]), st.sampled_from(["\n", "\r\n", "\r"]))
def test_rows_in_equal_findings_plus_skipped(tmp_path_factory, rows, sep, newline):
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator=newline, quoting=csv.QUOTE_ALL)
    writer.writerow(["Vendor Name", "Amount"])
    for r in rows:
        writer.writerow((r + ["", ""])[:2])
    path = tmp_path_factory.mktemp("rows") / "f.csv"
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")
    try:
        _, items = read_csv(path)
        got = list(items)
    except InputError:
        return
    assert len(got) == len(rows)
    assert all(isinstance(i, Skipped) or i.vendor for i in got)
