"""``registry refresh``: compare federal award files with the registry and propose what to add or change.

The award files are read once, as streams (``checker.sources.awards``); only ICE, CBP and HHS/ORR rows are kept,
and they are folded into one small record per award (``AwardState``), so memory grows with the number of awards,
not of rows. Each award's recipient is matched to the registry by identifier (UEI, DUNS, CAGE) first, then by
name through the matcher, then by its parent's identifiers and name. The review (``write_review``) has three
sections, every item with ``accept: false`` for a person to flip:

- ``evidence``: new awards of registry entities, later last actions, changed amounts, extended periods and new
  identifiers of known entities;
- ``candidates``: companies not in the registry whose awards' descriptions or product/service codes look like
  data, vetting, location, social-media, skip-tracing or detention services (``data/refresh_keywords.txt``,
  ``data/refresh_psc.tsv``) or name a registry product;
- ``ended``: registry evidence whose every award's period of performance has ended with no later action.

Nothing here writes to the registry: ``checker.tools.apply`` does, from a reviewed file.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from checker.errors import InputError
from checker.knowledge.dates import parse_partial
from checker.knowledge.registry import Entity, Evidence, Registry
from checker.match.identifiers import IdentifierIndex
from checker.match.matcher import Matcher, compiled_matcher
from checker.match.normalize import fold, fold_words, normalize
from checker.sources.awards import AwardFile, AwardRow, BadRow

REVIEW_VERSION = 1
THEMES = {"data": "data_broker", "vetting": "extreme_vetting", "location": "data_broker",
          "social_media": "extreme_vetting", "skip_tracing": "data_broker", "detention": "detention"}
"""The themes of the keyword and PSC lists, and the registry category each suggests."""
SPECIALIST = frozenset({"data_broker", "extreme_vetting", "surveillance_tech", "detention"})
"""An entity whose categories are all among these is a specialist: each of its new awards is proposed. Others
(cloud, contractors, resellers) have a new award proposed only when it looks like a covered service or is an
order under an award the registry already lists."""
MAX_DESCRIPTIONS = 3
MAX_NAMES = 5
CANDIDATE_AWARDS = 5
"""Awards listed per candidate vendor (the largest)."""
MAX_CANDIDATES = 100
"""Candidate vendors listed in a review by default (the largest; the summary counts them all)."""
MEMO_SIZE = 200_000
"""Most distinct descriptions (and recipients) remembered while reading: memory stays bounded."""
AMOUNT_TOLERANCE = 0.01
"""A new amount is proposed when the data's obligated or potential total exceeds the largest dollar figure of the
registry's amount by more than this share (money was added since)."""
BAD_ROW_EXAMPLES = 5


# -- what makes an award look relevant ---------------------------------------------------------------------------
@dataclass(frozen=True, order=True)
class Reason:
    """Why an award looks like a covered service: a keyword, a product/service code, or a registry product."""

    kind: str  # "keyword", "psc" or "product"
    text: str
    theme: str

    def describe(self) -> str:
        """``keyword SKIP TRAC* (skip_tracing)``, ``PSC S206 HOUSEKEEPING- GUARD (detention)`` …"""
        if self.kind == "keyword":
            return f"keyword {self.text} ({self.theme})"
        if self.kind == "psc":
            return f"PSC {self.text} ({self.theme})"
        return f"names registry product {self.text}"


class Phrases:
    """Whole-word phrases to find in folded text (``fold``); a trailing ``*`` makes the last word a prefix.

    Indexed by first word (by prefix for a one-word ``WORD*``), so a text costs a dictionary look-up per word,
    however many phrases there are.
    """

    def __init__(self, entries: Iterable[tuple[str, Any]]) -> None:
        self.by_first: dict[str, list[tuple[tuple[str, ...], bool, Any]]] = defaultdict(list)
        self.by_prefix: dict[str, list[Any]] = defaultdict(list)
        for phrase, payload in entries:
            prefix = phrase.endswith("*")
            words = tuple(phrase.removesuffix("*").split())
            if prefix and len(words) == 1:
                self.by_prefix[words[0]].append(payload)
            else:
                self.by_first[words[0]].append((words, prefix, payload))
        self.prefix_sizes = sorted({len(p) for p in self.by_prefix})

    def find(self, words: list[str]) -> list[Any]:
        """The payloads of every phrase in ``words`` (the words of a folded text)."""
        found: list[Any] = []
        by_first, by_prefix, sizes = self.by_first, self.by_prefix, self.prefix_sizes
        for i, word in enumerate(words):
            for size in sizes:
                if len(word) >= size and word[:size] in by_prefix:
                    found += by_prefix[word[:size]]
            for phrase, prefix, payload in by_first.get(word, ()):
                n = len(phrase)
                tail = words[i:i + n]
                if len(tail) < n or tail[:-1] != list(phrase[:-1]):
                    continue
                if tail[-1] == phrase[-1] or (prefix and tail[-1].startswith(phrase[-1])):
                    found.append(payload)
        return found


@dataclass(frozen=True)
class Relevance:
    """The keyword and PSC lists (and registry product names), compiled: which reasons a description and a
    product/service code give."""

    phrases: Phrases
    psc_codes: dict[str, tuple[str, str]]  # code -> (theme, description)
    psc_names: dict[str, tuple[str, str]]  # folded description -> (theme, code)

    def reasons(self, description: str, psc: str = "", psc_description: str = "") -> frozenset[Reason]:
        """Every reason the text and codes give (an empty set for most awards)."""
        found: set[Reason] = set(self.phrases.find(fold_words(description))) if description else set()
        hit = self.psc_codes.get(psc) if psc else None
        if hit is not None:
            found.add(Reason("psc", f"{psc} {hit[1]}", hit[0]))
        elif psc_description:
            named = self.psc_names.get(fold(psc_description))
            if named is not None:
                found.add(Reason("psc", f"{named[1]} {psc_description.strip()}", named[0]))
        return frozenset(found)

    def with_products(self, registry: Registry) -> Relevance:
        """These lists and the product names of the registry's specialist entities (a reseller's order for
        ACCURINT or GOST names its maker): cloud and office products (AZURE, OFFICE 365) are left out."""
        extra = []
        for ent in registry.entities.values():
            cats = _categories(registry, ent.id)
            if cats and set(cats) <= SPECIALIST:
                extra += [(fold(p), Reason("product", f"{p} ({ent.family_id})", "data")) for p in ent.products
                          if fold(p)]
        base = self.phrases
        phrases = Phrases(())
        phrases.by_first = defaultdict(list, {k: list(v) for k, v in base.by_first.items()})
        phrases.by_prefix = base.by_prefix
        phrases.prefix_sizes = base.prefix_sizes
        for phrase, reason in extra:
            words = tuple(phrase.split())
            phrases.by_first[words[0]].append((words, False, reason))
        return Relevance(phrases, self.psc_codes, self.psc_names)


def _data_text(name: str) -> str:
    return resources.files("checker.tools").joinpath("data", name).read_text(encoding="utf-8")


def parse_keywords(text: str, source: str = "refresh_keywords.txt") -> list[tuple[str, str]]:
    """``(theme, phrase)`` for each line of a keyword list; an unknown theme or a bad phrase names its line."""
    out: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        theme, _, phrase = line.partition(" ")
        phrase = " ".join(phrase.split())
        if theme not in THEMES:
            raise InputError(source, f"line {number}: unknown theme {theme!r} (one of {', '.join(THEMES)})")
        bare = phrase.removesuffix("*")
        if not bare or fold(bare) != bare or "*" in bare:
            raise InputError(source, f"line {number}: phrase {phrase!r} must be upper-case words (a * only at the end)")
        out.append((theme, phrase))
    return out


def parse_psc(text: str, source: str = "refresh_psc.tsv") -> dict[str, tuple[str, str]]:
    """Code → ``(theme, description)`` for each line of a PSC list; a bad line is named."""
    out: dict[str, tuple[str, str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#") or line.startswith("code\t"):
            continue
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 3 or not re.fullmatch(r"[A-Z0-9]{4}", parts[0]) or parts[1] not in THEMES:
            raise InputError(source, f"line {number}: expected CODE<tab>THEME<tab>DESCRIPTION with a 4-character "
                                     f"code and one of the themes {', '.join(THEMES)}")
        out[parts[0]] = (parts[1], parts[2].strip())
    return out


def compile_relevance(keywords: list[tuple[str, str]], psc: dict[str, tuple[str, str]]) -> Relevance:
    """The lists, indexed for look-up."""
    return Relevance(Phrases((phrase, Reason("keyword", phrase, theme)) for theme, phrase in keywords), dict(psc),
                     {fold(desc): (theme, code) for code, (theme, desc) in psc.items()})


@cache
def bundled_relevance() -> Relevance:
    """The bundled keyword and PSC lists (``checker/tools/data``)."""
    return compile_relevance(parse_keywords(_data_text("refresh_keywords.txt")),
                             parse_psc(_data_text("refresh_psc.tsv")))


# -- what the files say about each award -------------------------------------------------------------------------
@dataclass(frozen=True)
class Link:
    """How an award's recipient was tied to a registry entity."""

    entity_id: str
    how: str  # "identifier", "name" or "parent"
    band: str  # "match" or "review"
    explanation: str


@dataclass(slots=True)
class AwardState:
    """What the rows of one award add up to."""

    piid: str
    agency: str
    first_action: date
    last_action: date
    rows: int = 0
    obligated: float = 0.0
    last_positive: date | None = None
    potential: float | None = None
    potential_on: date | None = None
    start: date | None = None
    current_end: date | None = None
    end_on: date | None = None
    recipient: str = ""
    names: list[str] = field(default_factory=list)
    uei: str = ""
    duns: str = ""
    cage: str = ""
    id_dataset: str = ""
    """The dataset of the row that gave the identifiers (D2 rows have none)."""
    parent_piid: str = ""
    descriptions: list[str] = field(default_factory=list)
    psc: str = ""
    psc_description: str = ""
    permalink: str = ""
    award_key: str = ""
    datasets: set[str] = field(default_factory=set)
    last_dataset: str = ""
    end_dataset: str = ""
    reasons: set[Reason] = field(default_factory=set)
    link: Link | None = None

    def add(self, row: AwardRow, dataset: str) -> None:
        """Fold one more row of this award in."""
        self.rows += 1
        self.obligated += row.obligation
        self.datasets.add(dataset)
        when = row.action_date
        if when < self.first_action:
            self.first_action = when
        if row.obligation > 0 and (self.last_positive is None or when > self.last_positive):
            self.last_positive = when
        if when >= self.last_action:
            self.last_action = when
            self.last_dataset = dataset
            self.recipient = row.recipient or self.recipient
            if row.psc or row.psc_description:
                self.psc, self.psc_description = row.psc, row.psc_description
            self.permalink = row.permalink or self.permalink
            self.award_key = row.award_key or self.award_key
        if row.potential is not None and (self.potential_on is None or when >= self.potential_on):
            self.potential, self.potential_on = row.potential, when
        if row.current_end is not None and (self.end_on is None or when >= self.end_on):
            self.current_end, self.end_on, self.end_dataset = row.current_end, when, dataset
        if row.start is not None and (self.start is None or row.start < self.start):
            self.start = row.start
        if row.recipient and row.recipient not in self.names and len(self.names) < MAX_NAMES:
            self.names.append(row.recipient)
        if row.uei or row.duns or row.cage:
            self.id_dataset = dataset
        self.uei = row.uei or self.uei
        self.duns = row.duns or self.duns
        self.cage = row.cage or self.cage
        self.parent_piid = row.parent_piid or self.parent_piid
        text = row.description
        if text and text not in self.descriptions:
            if not row.modification.strip("0 "):  # the base award's own description comes first
                self.descriptions.insert(0, text)
                del self.descriptions[MAX_DESCRIPTIONS:]
            elif len(self.descriptions) < MAX_DESCRIPTIONS:
                self.descriptions.append(text)

    @property
    def what(self) -> str:
        """The award's description (its first), or its product/service description."""
        return self.descriptions[0] if self.descriptions else (self.psc_description or "(no description)")


@dataclass
class FileCount:
    """What one file held: its layout, rows, bad rows (with a few examples) and rows kept per agency."""

    path: str
    layout: str
    dataset: str
    rows: int = 0
    bad: int = 0
    bad_examples: list[str] = field(default_factory=list)
    kept: Counter = field(default_factory=Counter)
    other_agencies: int = 0
    sha256: str = ""


@dataclass
class Review:
    """The proposals, and what the files held (counts for the summary and the review's header)."""

    as_of: date
    registry_version: str
    files: list[FileCount]
    evidence: list[dict]
    candidates: list[dict]
    ended: list[dict]
    counts: dict[str, int]

    def summary(self) -> list[str]:
        """Lines for a person: files and layouts, rows kept per agency, the proposals."""
        lines = []
        for f in self.files:
            kept = ", ".join(f"{a} {n:,}" for a, n in sorted(f.kept.items())) or "none"
            bad = f"; {plural(f.bad, 'bad row')} ({'; '.join(f.bad_examples)}" \
                  f"{'; …' if f.bad > len(f.bad_examples) else ''})" if f.bad else ""
            other = f"; {f.other_agencies:,} of other agencies" if f.other_agencies else ""
            lines.append(f"{Path(f.path).name}: {f.layout} ({f.dataset}), {plural(f.rows, 'row')}; kept {kept}"
                         f"{other}{bad}")
        kept_total: Counter = Counter()
        for f in self.files:
            kept_total.update(f.kept)
        c = self.counts
        lines.append(f"Read {plural(sum(f.rows for f in self.files), 'row')} in {plural(len(self.files), 'file')}; "
                     "kept " + ", ".join(f"{a} {kept_total.get(a, 0):,}" for a in ("ICE", "CBP", "ORR"))
                     + f"; {plural(sum(f.bad for f in self.files), 'bad row')}; {plural(c['awards'], 'award')}.")
        entities = plural(c["entities"], "known entity", "known entities")
        lines.append(f"Evidence: {plural(len(self.evidence), 'proposal')} for {entities} "
                     f"({plural(c['new_awards'], 'new award')}, {plural(c['updates'], 'update')}, "
                     f"{plural(c['identifiers'], 'identifier')}); not proposed: "
                     f"{plural(c['not_proposed'], 'award')} of known entities with no sign of a covered service, "
                     f"{c['no_money']:,} with no money (only modifications or closeouts).")
        found = c.get("candidates_found", len(self.candidates))
        listed = f" ({len(self.candidates)} largest listed)" if found > len(self.candidates) else ""
        lines.append(f"Candidates: {plural(found, 'vendor')} not in the registry{listed}. "
                     f"Ended: {plural(len(self.ended), 'registry evidence item')}.")
        return lines


# -- matching recipients ---------------------------------------------------------------------------------------
class Linker:
    """Ties a row's recipient to a registry entity: identifiers, then the name, then the parent's."""

    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        self.ids = IdentifierIndex(matcher.registry)
        self._names: dict[str, Link | None] = {}
        self._memo: dict[tuple[str, ...], Link | None] = {}

    def link(self, row: AwardRow) -> Link | None:
        """The registry entity of a row's recipient, and how it was found (None: not in the registry)."""
        key = (row.uei, row.duns, row.cage, row.recipient, row.dba, row.parent_uei, row.parent_duns, row.parent_name)
        if key in self._memo:
            return self._memo[key]
        found = self._by_ids(((("uei", row.uei), ("duns", row.duns), ("cage", row.cage))), "identifier")
        for name in (row.recipient, row.dba):
            if found is None and name:
                found = self._by_name(name)
        if found is None:
            found = self._by_ids(((("uei", row.parent_uei), ("duns", row.parent_duns))), "parent")
        if found is None and row.parent_name and row.parent_name != row.recipient:
            hit = self._by_name(row.parent_name)
            if hit is not None and hit.band == "match":
                found = Link(hit.entity_id, "parent", "match", f"parent name: {hit.explanation}")
        if len(self._memo) < MEMO_SIZE:
            self._memo[key] = found
        return found

    def _by_ids(self, ids: Iterable[tuple[str, str]], how: str) -> Link | None:
        given = tuple((kind, value) for kind, value in ids if value)
        if not given:
            return None
        hit, _problems = self.ids.lookup_vendor(given)
        if hit is None:
            return None
        return Link(hit.entity_id, how, "match", ("parent's " if how == "parent" else "") + hit.how)

    def _by_name(self, name: str) -> Link | None:
        if name not in self._names:
            outcome = self.matcher.match(name)
            m = outcome.match
            self._names[name] = None if m is None else \
                Link(m.entity_id, "name", m.band, f"{name!r}: score {round(m.score * 100)} — {m.explanation}")
        return self._names[name]


# -- the refresh -------------------------------------------------------------------------------------------------
def refresh(paths: list[str], registry_dir: str | None = None, *, as_of: date | None = None,
            dataset: str | None = None, relevance: Relevance | None = None,
            max_candidates: int | None = MAX_CANDIDATES) -> Review:
    """Read award files and compare them with the registry; nothing is written.

    ``dataset`` names the dataset every file's rows are cited under (default: by layout, D1, D2 or USAspending);
    ``max_candidates`` bounds the vendors listed in the candidates section (the largest; None: all).
    """
    if not paths:
        raise InputError("registry refresh", "give one or more award files")
    paths = list(dict.fromkeys(paths))  # a file named twice is read once
    matcher = compiled_matcher(registry_dir)
    registry = matcher.registry
    relevance = (relevance or bundled_relevance()).with_products(registry)
    as_of = as_of or date.today()
    linker = Linker(matcher)
    awards: dict[str, AwardState] = {}
    files: list[FileCount] = []
    text_reasons: dict[tuple[str, str, str], frozenset[Reason]] = {}
    for path in paths:
        source = AwardFile(path)
        label = dataset or source.layout.dataset
        count = FileCount(source.path, source.layout.id, label)
        files.append(count)
        for row in source.rows():
            count.rows += 1
            if isinstance(row, BadRow):
                count.bad += 1
                if len(count.bad_examples) < BAD_ROW_EXAMPLES:
                    count.bad_examples.append(f"row {row.row}: {row.reason}")
                continue
            if row.agency is None:
                count.other_agencies += 1
                continue
            count.kept[row.agency] += 1
            state = awards.get(row.piid)
            if state is None:
                state = awards[row.piid] = AwardState(row.piid, row.agency, row.action_date, row.action_date,
                                                      recipient=row.recipient)
            state.add(row, label)
            key = (row.description, row.psc, row.psc_description)
            reasons = text_reasons.get(key)
            if reasons is None:
                reasons = relevance.reasons(*key)
                if len(text_reasons) < MEMO_SIZE:
                    text_reasons[key] = reasons
            if reasons:
                state.reasons.update(reasons)
            if state.link is None:
                state.link = linker.link(row)
        count.sha256 = source.sha256()
    return _compare(registry, awards, files, as_of, max_candidates, Citing.of(registry_dir))


@dataclass(frozen=True)
class Citing:
    """What a proposal may write, as the registry's own files say: the datasets a source may cite
    (``vendors/datasets.yaml``) and the fields an evidence item has (the registry schema)."""

    datasets: frozenset[str]
    evidence_fields: frozenset[str]

    @classmethod
    def of(cls, registry_dir: str | None) -> Citing:
        """Read from the registry folder (its datasets) and the bundled registry schema."""
        from checker.knowledge.registry import load_datasets
        from checker.knowledge.validation import schema

        datasets: frozenset[str] = frozenset()
        for folder in dict.fromkeys((registry_dir, None)):  # the folder's own datasets, else the bundled ones
            try:
                datasets = frozenset(load_datasets(folder))
                break
            except (InputError, OSError):
                continue
        fields = schema("registry").get("$defs", {}).get("evidence", {}).get("properties", {})
        return cls(datasets, frozenset(fields))


def _registry_awards(registry: Registry) -> dict[str, list[tuple[str, int]]]:
    """Award id → the (entity id, evidence index) pairs that list it."""
    out: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for ent in registry.entities.values():
        for i, ev in enumerate(ent.evidence):
            for award in ev.awards:
                out[award.upper()].append((ent.id, i))
    return out


def _categories(registry: Registry, entity_id: str) -> tuple[str, ...]:
    """An entity's categories, or its nearest ancestor's when it lists none."""
    for eid in (entity_id, *registry.ancestors(entity_id)):
        if registry.entities[eid].categories:
            return registry.entities[eid].categories
    return ()


def _compare(registry: Registry, awards: dict[str, AwardState], files: list[FileCount], as_of: date,
             max_candidates: int | None, citing: Citing) -> Review:
    listed = _registry_awards(registry)
    family_awards: dict[str, set[str]] = defaultdict(set)
    for piid, where in listed.items():
        for entity_id, _ in where:
            family_awards[registry.entities[entity_id].family_id].add(piid)
    evidence: list[dict] = []
    counts = Counter(new_awards=0, updates=0, identifiers=0, not_proposed=0, no_money=0, candidate_awards=0)
    entities: set[str] = set()

    # (a) new awards of known entities (orders under one award together), and identifiers they are seen with
    groups: dict[tuple[str, str, str], list[AwardState]] = defaultdict(list)
    for state in awards.values():
        link = state.link
        if link is None or state.piid in listed:
            continue
        if state.obligated <= 0 and not (state.potential or 0) > 0:
            counts["no_money"] += 1  # only modifications, closeouts or de-obligations of an older award
            continue
        ent = registry.entities[link.entity_id]
        cats = _categories(registry, ent.id)
        specialist = bool(cats) and set(cats) <= SPECIALIST
        under = state.parent_piid in family_awards[ent.family_id]
        if not (specialist or under or state.reasons):
            counts["not_proposed"] += 1
            continue
        groups[(ent.id, state.agency, state.parent_piid or state.piid)].append(state)
    for (entity_id, _agency, _key), states in sorted(groups.items(), key=lambda kv: -sum(s.obligated
                                                                                             for s in kv[1])):
        ent = registry.entities[entity_id]
        evidence.append(_new_evidence(registry, ent, states, listed, family_awards[ent.family_id], citing))
        counts["new_awards"] += len(states)
        entities.add(entity_id)
    index = IdentifierIndex(registry)
    done: set[tuple[str, str, str]] = set()
    for state in sorted(awards.values(), key=lambda s: s.piid):
        link = state.link
        if link is None or link.how != "name" or link.band != "match":
            continue
        ent = registry.entities[link.entity_id]
        for kind, value in (("uei", state.uei), ("duns", state.duns), ("cage", state.cage)):
            if not value or (ent.id, kind, value) in done:
                continue
            done.add((ent.id, kind, value))
            hit, problems = index.lookup_vendor(((kind, value),))
            if hit is not None or problems:
                continue  # listed already (for this entity or another), or not a valid identifier
            evidence.append(_new_identifier(ent, kind, value, state, link, citing))
            counts["identifiers"] += 1
            entities.add(ent.id)

    # (a) changes to registry evidence, and (c) evidence whose awards ended
    ended: list[dict] = []
    for ent in registry.entities.values():
        for ev in ent.evidence:
            seen = [awards[a.upper()] for a in ev.awards if a.upper() in awards]
            if not seen:
                continue
            shared = any(len(listed[a.upper()]) > 1 for a in ev.awards)
            update = _changes(ent, ev, seen, as_of, shared, citing)
            if update is not None:
                evidence.append(update)
                counts["updates"] += 1
                entities.add(ent.id)
            finished = _ended(ent, ev, seen, as_of, citing)
            if finished is not None:
                ended.append(finished)

    candidates = _candidates(awards, listed, counts, citing)
    counts["candidates_found"] = len(candidates)
    if max_candidates is not None:
        candidates = candidates[:max_candidates]
    for prefix, items in (("E", evidence), ("V", candidates), ("X", ended)):
        for i, item in enumerate(items, start=1):
            item["id"] = f"{prefix}{i}"
    counts["entities"] = len(entities)
    counts["awards"] = len(awards)
    return Review(as_of, registry.version, files, evidence, candidates, ended, dict(counts))


# -- the proposals -----------------------------------------------------------------------------------------------
def money(value: float | None) -> str:
    """``$1,234,567`` (cents only when there are any)."""
    if value is None:
        return "unknown"
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}${value:,.2f}" if round(value, 2) != round(value) else f"{sign}${value:,.0f}"


def fiscal_year(day: date) -> int:
    """The federal fiscal year of a day (FY2024 runs from 2023-10-01)."""
    return day.year + 1 if day.month >= 10 else day.year


def _years(first: date, last: date) -> str:
    a, b = fiscal_year(first), fiscal_year(last)
    return f"FY{a % 100:02d}" + (f"-{b % 100:02d}" if b != a else "")


def _sources(states: list[AwardState], citing: Citing, under: str = "") -> list[dict]:
    """One source per dataset the awards were seen in: the award (or, for several orders, the award they are
    under), the dataset, and the date of the latest action."""
    out = []
    first = min(s.first_action for s in states)
    last = max(s.last_action for s in states)
    agency = states[0].agency
    for label in sorted({d for s in states for d in s.datasets}):
        title = f"{label} {agency} transactions {_years(first, last)}"
        if len(states) > 1:
            title += f" ({len(states)} orders under {under})"
        src: dict[str, Any] = {"title": title, "dataset": label,
                               "award": under if len(states) > 1 else states[0].piid, "date": last.isoformat()}
        if len(states) == 1 and states[0].permalink:
            src["url"] = states[0].permalink
        out.append(_cited(src, citing))
    return out


def _cited(src: dict, citing: Citing) -> dict:
    """A source that names its dataset only when the registry defines it (else the award id and URL say it)."""
    if src.get("dataset") not in citing.datasets:
        src.pop("dataset", None)
    return src


def _source(state: AwardState, dataset: str, day: date, citing: Citing, note: str = "") -> dict:
    """The source of one fact about one award: its dataset, the award and the day of the row that says it."""
    src: dict[str, Any] = {"title": f"{dataset} {state.agency} transactions ({note})",
                           "dataset": dataset, "award": state.piid, "date": day.isoformat()}
    if state.permalink:
        src["url"] = state.permalink
    return _cited(src, citing)


def _amount(states: list[AwardState]) -> str:
    rows = sum(s.rows for s in states)
    datasets = "/".join(sorted({d for s in states for d in s.datasets}))
    first = min(s.first_action for s in states)
    last = max(s.last_action for s in states)
    orders = f"{len(states)} orders, " if len(states) > 1 else ""
    text = (f"obligated {money(sum(s.obligated for s in states))} ({orders}{rows} action{'s' if rows != 1 else ''} "
            f"seen, {datasets} {_years(first, last)})")
    potential = [s.potential for s in states if s.potential is not None]
    if potential:
        text += f"; potential {money(sum(potential))}"
    return text


def _seen(state: AwardState) -> dict:
    """What the files say about one award, for the reviewer."""
    out: dict[str, Any] = {"award": state.piid, "what": state.what, "recipient": state.recipient,
                           "obligated": money(state.obligated), "actions": state.rows,
                           "first_action": state.first_action.isoformat(), "last_action": state.last_action.isoformat(),
                           "datasets": sorted(state.datasets)}
    if state.potential is not None:
        out["potential"] = money(state.potential)
    if state.current_end is not None:
        out["performance_end"] = state.current_end.isoformat()
    if state.parent_piid:
        out["parent_award"] = state.parent_piid
    if state.psc or state.psc_description:
        out["psc"] = " ".join(p for p in (state.psc, state.psc_description) if p)
    return out


def _signs(states: list[AwardState]) -> list[str]:
    counted = Counter(r.describe() for s in states for r in s.reasons)
    ordered = sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))  # ties by text: the same review every run
    return [f"{text} ×{n}" if n > 1 else text for text, n in ordered]


def _category(states: list[AwardState], cats: tuple[str, ...]) -> str:
    themes = Counter(THEMES[r.theme] for s in states for r in s.reasons if r.kind != "product")
    for cat in cats:
        if cat in themes:
            return cat
    if themes:
        return min(themes.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    return next((c for c in cats if c in SPECIALIST), cats[0] if cats else "data_broker")


def _what(states: list[AwardState], under: str) -> str:
    if len(states) == 1:
        return states[0].what
    whats: list[str] = []
    for s in states:
        if s.what not in whats:
            whats.append(s.what)
    shown = "; ".join(w[:100] for w in whats[:3]) + ("; …" if len(whats) > 3 else "")
    return f"{len(states)} orders under {under}: {shown}"


def _new_evidence(registry: Registry, ent: Entity, states: list[AwardState], listed: dict[str, list],
                  family_awards: set[str], citing: Citing) -> dict:
    states = sorted(states, key=lambda s: (-s.obligated, s.piid))
    top = states[0]
    link = top.link
    assert link is not None
    under = top.parent_piid if len(states) > 1 or top.parent_piid in family_awards else ""
    notes = []
    if any(s.link is not None and s.link.band != "match" for s in states):
        notes.append("the recipient only resembles the registry name: check that it is this entity")
    if link.how == "parent":
        notes.append(f"the recipient {top.recipient!r} is not in the registry, its parent is: consider a new entity")
    if under and under in family_awards:
        where = [registry.entities[e].evidence[i].what for e, i in listed[under]]
        notes.append(f"orders under {under}, which the registry lists ({where[0][:80]}): they may belong in that "
                     "evidence item's awards instead")
    first = min(s.start if s.start is not None and s.start <= s.first_action else s.first_action for s in states)
    item: dict[str, Any] = {
        "id": "", "accept": False, "action": "add_evidence", "entity": ent.id, "family": ent.family_id,
        "matched_by": f"{link.how}: {link.explanation}", "band": link.band, "signs": _signs(states),
        "evidence": _evidence(citing, what=_what(states, under), agency=top.agency,
                              category=_category(states, _categories(registry, ent.id)),
                              awards=sorted(s.piid for s in states),
                              award_keys={s.piid: s.award_key for s in sorted(states, key=lambda s: s.piid)
                                          if s.award_key.startswith("CONT_")},
                              recipient=top.recipient, amount=_amount(states),
                              period={"start": first.isoformat(),
                                      "last_action": max(s.last_action for s in states).isoformat()},
                              sources=_sources(states, citing, under)),
        "seen": [_seen(s) for s in states],
    }
    if notes:
        item["notes"] = notes
    return item


CATEGORY_WHY = "category_why"
"""The evidence field a person fills in: why the item is in its category (left empty in a proposal)."""


def _evidence(citing: Citing, *, what: str, agency: str, category: str, awards: list[str], award_keys: dict,
              recipient: str, amount: str, period: dict, sources: list[dict]) -> dict:
    """A proposed evidence item in the registry's field order, with only the fields its schema has: a
    ``category_why`` left for the reviewer to write, ``award_keys`` when the data gave them."""
    out: dict[str, Any] = {"what": what, "agency": agency, "category": category, CATEGORY_WHY: "",
                           "awards": awards, "award_keys": award_keys, "recipient": recipient, "amount": amount,
                           "period": period, "confidence": "high", "sources": sources}
    return {k: v for k, v in out.items()
            if (k in citing.evidence_fields or not citing.evidence_fields) and (v or k == CATEGORY_WHY)}


def _new_identifier(ent: Entity, kind: str, value: str, state: AwardState, link: Link, citing: Citing) -> dict:
    column = {"uei": "recipient_uei", "duns": "recipient_duns", "cage": "cage_code"}[kind]
    dataset = state.id_dataset or state.last_dataset
    source = {"title": f"{dataset} {state.agency} award rows ({column}, award {state.piid})", "dataset": dataset,
              "award": state.piid}
    if state.permalink:
        source["url"] = state.permalink
    return {"id": "", "accept": False, "action": "add_identifier", "entity": ent.id, "family": ent.family_id,
            "matched_by": f"name: {link.explanation}",
            "identifier": {"type": kind, "value": value, "source": _cited(source, citing)}}


_DOLLARS = re.compile(r"\$\s?([0-9][0-9,]*(?:\.[0-9]+)?)(?:\s*-\s*\$?([0-9][0-9,]*(?:\.[0-9]+)?))?\s*([MBK])?\b",
                      re.IGNORECASE)


def dollar_figures(text: str | None) -> list[float]:
    """The dollar amounts written in a registry amount (``$42M``, ``potential $5,848,488``, ``~$6.5-7.0M``)."""
    out = []
    for m in _DOLLARS.finditer(text or ""):
        scale = {"K": 1e3, "M": 1e6, "B": 1e9}.get((m[3] or "").upper(), 1)
        out += [float(v.replace(",", "")) * scale for v in (m[1], m[2]) if v]
    return out


def _target(ent: Entity, ev: Evidence) -> dict:
    return {"entity": ent.id, "family": ent.family_id, "award": ev.awards[0], "what": ev.what}


def _changes(ent: Entity, ev: Evidence, seen: list[AwardState], as_of: date, shared: bool,
             citing: Citing) -> dict | None:
    """What the files add to one registry evidence item: a later last action, a larger amount (an item with
    one award of its own), a later end of the period of performance."""
    changes: dict[str, dict] = {}
    notes: list[str] = []
    last = max(s.last_action for s in seen)
    known = [parse_partial(ev.last_action, end=True)] if ev.last_action else []
    if last > max(known + [ev.start]) and (ev.end is None or last > ev.end):
        changes["last_action"] = {"from": ev.last_action, "to": last.isoformat()}
        if ev.end is not None:
            notes.append(f"an action on {last.isoformat()}, after the recorded end {ev.end.isoformat()}")
    if len(ev.awards) == 1 and not shared:
        state = seen[0]
        figures = dollar_figures(ev.amount)
        data = max([state.obligated] + ([state.potential] if state.potential is not None else []))
        if data > 0 and (not figures or data > max(figures) * (1 + AMOUNT_TOLERANCE) + 1):
            changes["amount"] = {"from": ev.amount, "to": _amount([state])}
    if ev.end is not None and ev.ended is None and len(seen) == len(ev.awards):
        ends = [s.current_end for s in seen]
        if all(e is not None for e in ends) and max(ends) > ev.end:  # type: ignore[type-var]
            new_end: date = max(ends)  # type: ignore[type-var,assignment]
            changes["end"] = {"from": ev.end.isoformat(), "to": new_end.isoformat()}
            notes.append("the period of performance was extended" + (" and runs on" if new_end >= as_of else ""))
    if not changes:
        return None
    latest = max(seen, key=lambda s: s.last_action)
    item = {"id": "", "accept": False, "action": "update_evidence", **_target(ent, ev), "changes": changes,
            "source": _source(latest, latest.last_dataset, latest.last_action, citing,
                              f"last action {latest.last_action.isoformat()}"),
            "seen": [_seen(s) for s in seen]}
    if notes:
        item["notes"] = notes
    return item


def _ended(ent: Entity, ev: Evidence, seen: list[AwardState], as_of: date, citing: Citing) -> dict | None:
    """Evidence every award of which ended: its latest period-of-performance end passed, and nothing was paid
    after it (a later closeout or de-obligation does not count)."""
    if ev.end is not None or ev.ended is not None or len(seen) != len(ev.awards):
        return None
    ends = [s.current_end for s in seen]
    if any(e is None or e >= as_of for e in ends):
        return None
    if any(s.last_positive is not None and s.last_positive > s.current_end for s in seen):  # type: ignore[operator]
        return None
    end: date = max(ends)  # type: ignore[type-var,assignment]
    if ev.last_action and parse_partial(ev.last_action) > end:
        return None  # the registry knows of a later action than the files do
    latest = max(seen, key=lambda s: s.end_on or s.last_action)
    source = _source(latest, latest.end_dataset, latest.end_on or end, citing,
                     f"period of performance end {end.isoformat()}")
    return {"id": "", "accept": False, "action": "update_evidence", **_target(ent, ev),
            "changes": {"end": {"from": None, "to": end.isoformat()}}, "source": source,
            "seen": [_seen(s) for s in seen]}


def _candidates(awards: dict[str, AwardState], listed: dict, counts: Counter, citing: Citing) -> list[dict]:
    """Vendors not in the registry with awards that show a sign of a covered service, largest first."""
    with_signs: dict[str, list[AwardState]] = defaultdict(list)
    everything: dict[str, list[AwardState]] = defaultdict(list)
    for state in awards.values():
        if state.link is not None or state.piid in listed:
            continue
        key = normalize(state.recipient).core if state.recipient else f"(no recipient) {state.piid}"
        everything[key].append(state)
        if state.reasons and (state.obligated > 0 or (state.potential or 0) > 0):
            with_signs[key].append(state)
    out = []
    for key, states in with_signs.items():
        states.sort(key=lambda s: (-s.obligated, s.piid))
        counts["candidate_awards"] += len(states)
        names: list[str] = []
        for s in states:
            names += [n for n in s.names if n not in names]
        themes = Counter(THEMES[r.theme] for s in states for r in s.reasons if r.kind != "product")
        ids = {kind: sorted({getattr(s, kind) for s in states if getattr(s, kind)}) for kind in ("uei", "duns", "cage")}
        total = sum(s.obligated for s in states)
        shown = states[:CANDIDATE_AWARDS]
        out.append({
            "id": "", "accept": False, "vendor": states[0].recipient or key, "obligated": money(total),
            "awards_with_signs": len(states),
            "all_awards": {"count": len(everything[key]),
                           "obligated": money(sum(s.obligated for s in everything[key]))},
            "agencies": sorted({s.agency for s in states}),
            "first_action": min(s.first_action for s in states).isoformat(),
            "last_action": max(s.last_action for s in states).isoformat(),
            "signs": _signs(states),
            "identifiers": {k: v for k, v in ids.items() if v},
            "awards": [_candidate_award(s, citing) for s in shown],
            "new_family": {"family": "", "name": names[0] if names else key, "summary": "", "category": "",
                           CATEGORY_WHY: "",
                           "suggested_category": themes.most_common(1)[0][0] if themes else "data_broker",
                           "status": "unconfirmed", "aliases": names, "evidence_awards": [s.piid for s in shown]},
            "_total": total,
        })
    out.sort(key=lambda c: (-c["_total"], c["vendor"]))
    return out


def _candidate_award(state: AwardState, citing: Citing) -> dict:
    """One award of a candidate vendor: what ``registry apply`` makes its evidence item from."""
    out: dict[str, Any] = {"award": state.piid, "agency": state.agency, "obligated": money(state.obligated),
                           "what": state.what, "first_action": state.first_action.isoformat(),
                           "last_action": state.last_action.isoformat(), "datasets": sorted(state.datasets),
                           "signs": [r.describe() for r in sorted(state.reasons)]}
    if state.award_key.startswith("CONT_"):
        out["award_key"] = state.award_key
    if state.permalink:
        out["url"] = state.permalink
    out["source"] = _source(state, state.last_dataset, state.last_action, citing,
                            f"last action {state.last_action.isoformat()}")
    return out


# -- the review file ---------------------------------------------------------------------------------------------
HEADER = """\
sanctuary-check registry refresh: what federal award data says that the registry does not (yet).
Nothing here is in the registry until it is applied. For each item you agree with, set accept: true, after
editing any field (the text, the category, the entity) and writing category_why: one line on why the item is in
its category, judged against the ordinance definitions. Leave the others false. Then run
  sanctuary-check registry apply THIS-FILE [--registry DIR] [--dry-run]
which writes the accepted items into the family files with their sources, checks that the registry still loads
and lints, and writes nothing if it would not.
Sections: evidence (known registry entities: new awards, later actions, larger amounts, identifiers),
candidates (vendors not in the registry whose awards look like covered services: to make one a family, fill in
new_family.family, .summary, .category and .category_why), ended (evidence whose awards' periods of performance
ended with nothing paid after).
"""


def review_document(review: Review, paths_shown: list[str] | None = None) -> dict:
    """The review as plain data (what ``write_review`` writes)."""
    inputs = []
    for i, f in enumerate(review.files):
        entry: dict[str, Any] = {"path": (paths_shown or [])[i] if paths_shown else f.path, "layout": f.layout,
                                 "dataset": f.dataset, "rows": f.rows, "bad_rows": f.bad,
                                 "kept": dict(sorted(f.kept.items())), "other_agencies": f.other_agencies,
                                 "sha256": f.sha256}
        if f.bad_examples:
            entry["bad_row_examples"] = f.bad_examples
        inputs.append(entry)
    return {
        "review": REVIEW_VERSION, "made_by": "sanctuary-check registry refresh", "as_of": review.as_of.isoformat(),
        "registry_version": review.registry_version, "inputs": inputs,
        "counts": {"evidence": len(review.evidence), "candidates": len(review.candidates),
                   "ended": len(review.ended), **{k: v for k, v in sorted(review.counts.items())}},
        "evidence": review.evidence,
        "candidates": [{k: v for k, v in c.items() if not k.startswith("_")} for c in review.candidates],
        "ended": review.ended,
    }


def write_review(review: Review, out: TextIO) -> None:
    """Write the review as YAML: block style, sources and short mappings inline as the registry writes them, a
    comment before each item (a small emitter of its own: plain data only, every string quoted unless it reads
    back as the same string)."""
    doc = review_document(review)
    lines = [f"# {line}".rstrip() for line in HEADER.splitlines()]
    titles = {"evidence": "(a) known registry entities", "candidates": "(b) vendors not in the registry, largest "
              "first", "ended": "(c) registry evidence whose awards ended"}
    for key, value in doc.items():
        if key in titles:
            more = ""
            if key == "candidates" and review.counts.get("candidates_found", 0) > len(value):
                more = f" (of {review.counts['candidates_found']} found; the smaller ones left out)"
            lines += ["", f"# {titles[key]}: {plural(len(value), 'item')}{more}"]
            if not value:
                lines.append(f"{key}: []")
                continue
            lines.append(f"{key}:")
            for item in value:
                lines.append(f"  # {_one_line(_item_comment(key, item))}")
                lines += _block_item(item, 2, key)
            continue
        lines += _block_entry(key, value, 0)
    out.write("\n".join(lines) + "\n")


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 award``, ``2 awards``, ``1,234 rows``."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def _item_comment(section: str, item: dict) -> str:
    if section == "candidates":
        return f"{item['id']}: {item['vendor']} — {item['obligated']} in {plural(item['awards_with_signs'], 'award')}"
    what = item.get("what") or item.get("evidence", {}).get("what") or ""
    if item["action"] == "add_identifier":
        what = f"{item['identifier']['type']} {item['identifier']['value']}"
    return f"{item['id']}: {item['action'].replace('_', ' ')}, {item['entity']}: {what[:90]}"


_FLOW_MAPS = frozenset({"period", "source", "sources", "kept", "all_awards", "identifiers"})
"""Mappings (and lists of mappings) written inline, as the registry writes a source or a period."""
_FLOW_LISTS = frozenset({"awards", "agencies", "datasets", "uei", "duns", "cage", "evidence_awards", "aliases"})
_NOT_PLAIN = re.compile(r"[-+]?(\d[\d_]*(\.[\d_]*)?|\.\d[\d_]*)([eE][-+]?\d+)?|0[xob][0-9a-fA-F_]+|\d{4}-\d\d.*"
                        r"|[-+]?\.(inf|nan)", re.IGNORECASE)
"""Strings that YAML would read as a number or a date: they are quoted."""
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _./()&+'-]*")
_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"})


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _scalar(value: Any) -> str:
    """A scalar as YAML: plain when it reads back as the same string, else double-quoted (JSON escapes)."""
    import json

    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text == text.strip() and not _NOT_PLAIN.fullmatch(text) \
            and text.lower() not in _WORDS:
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    return quoted.replace("\u0085", "\\N").replace("\u2028", "\\L").replace("\u2029", "\\P")


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)


def _inline(key: str, value: Any) -> bool:
    if isinstance(value, dict):
        return key in _FLOW_MAPS or not value or set(value) <= {"from", "to"}
    if isinstance(value, list):
        return not value or (key in _FLOW_LISTS and all(not isinstance(v, (dict, list)) for v in value))
    return True


def _block_entry(key: str, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if _inline(key, value) and not (isinstance(value, list) and key in _FLOW_MAPS):
        return [f"{pad}{_scalar(key)}: {_flow(value)}"]
    if isinstance(value, dict):
        return [f"{pad}{_scalar(key)}:"] + [line for k, v in value.items() for line in _block_entry(k, v, indent + 2)]
    out = [f"{pad}{_scalar(key)}:"]
    for item in value:
        out += _block_item(item, indent + 2, key)
    return out


def _block_item(item: Any, indent: int, key: str) -> list[str]:
    """One item of a block list: ``- `` then the item (a mapping's first entry on the dash's line)."""
    pad = " " * indent
    if not isinstance(item, dict) or not item or key in _FLOW_MAPS:
        return [f"{pad}- {_flow(item)}"]
    lines: list[str] = []
    for k, v in item.items():
        lines += _block_entry(k, v, indent + 2)
    lines[0] = f"{pad}- {lines[0][indent + 2:]}"
    return lines
