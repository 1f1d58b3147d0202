"""Name matching: candidate generation from a word index, then precise, explainable scoring (``score``).

The vendor string is the query; registry names (aliases, former names, products) are the targets.
Persons (``LAST, FIRST``) are never matched; weak aliases (CLEAR, TLO, TR) count only as the exact whole
name; known decoys are cleared with their reason; recorded human decisions come first. A matcher is a pure
function of the registry (and decisions) it was built from: it keeps no memory of the names it has seen.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from pathlib import Path

from checker.knowledge.cache import cached
from checker.knowledge.decisions import Decision
from checker.knowledge.registry import Registry, build_registry, registry_files
from checker.match.brands import Strength, strength
from checker.match.normalize import NormalName, fold_words, normalize, split_parts
from checker.match.pairing import TargetWords
from checker.match.people import person_form
from checker.match.prefilter import HitIndex, ceiling
from checker.match.score import FUZZY_ONLY_CAP, GENERIC_ONLY_CAP, REVIEW_THRESHOLD, Target, band, score
from checker.match.words import distinctive
from checker.model import Match, Outcome

PREFIX_KEY = 3
NO_MATCH = Outcome(None)
"""The outcome of most names: nothing matched, nothing to say (one object for all of them)."""
_NONE: frozenset[int] = frozenset()

KIND_PRIORITY = {"identifier": 5, "decision": 4, "name": 3, "alias": 3, "product": 2, "former_name": 1, "weak": 0}
FUZZY_MARKERS = ("token match", "vendor name begins")


def _rank(m: Match) -> tuple[float, bool, bool, int]:
    """Best match first: higher score, an exact normalised hit, the same legal form, names over former names."""
    return (m.score, m.explanation.startswith("same as"), m.same_form, KIND_PRIORITY[m.kind])


class Matcher:
    """Matches vendor strings against a registry; compile once, reuse for every row."""

    def __init__(self, registry: Registry, decisions: list[Decision] | None = None) -> None:
        from checker.knowledge.decisions import decision_table

        self.registry = registry
        # by normalised name; two decisions for one name that disagree are refused, naming both lines
        self.decisions = decision_table(decisions or (), lambda vendor: normalize(vendor).core, registry)
        self.targets: list[Target] = []
        self.weak: dict[str, Target] = {}
        self.decoys: dict[str, list[tuple[str | None, str]]] = defaultdict(list)
        self._by_token: dict[str, set[int]] = defaultdict(set)
        self._by_prefix: dict[str, set[int]] = defaultdict(set)
        self._exact: set[str] = set()
        shared: set[str] = set()
        fam_tokens: dict[str, set[str]] = defaultdict(set)
        for ent in registry.entities.values():
            names = [(ent.name, "name")] + [(a, "alias") for a in ent.aliases] + \
                    [(a, "former_name") for a in ent.former_names] + [(p, "product") for p in ent.products]
            seen: set[str] = set()
            for text, kind in names:
                norm = normalize(text)
                if not norm.tokens or norm.core in seen:
                    continue
                seen.add(norm.core)
                idx = len(self.targets)
                self.targets.append(Target(ent.id, ent.family_id, text, kind, norm, strength(norm.tokens)))
                fam_tokens[ent.family_id].update(filter(distinctive, norm.tokens))
                keys = [t for t in norm.tokens if distinctive(t)] or list(norm.tokens)
                for tok in keys:
                    self._by_token[tok].add(idx)
                    self._by_prefix[tok[:PREFIX_KEY]].add(idx)
                self._by_token[norm.compact].add(idx)
                self._exact.add(norm.compact)
                self._by_prefix[norm.compact[:PREFIX_KEY]].add(idx)
            for weak in ent.weak_aliases:
                self.weak.setdefault(normalize(weak).core, Target(ent.id, ent.family_id, weak, "weak", normalize(weak)))
        for fam in registry.families.values():
            for decoy in fam.decoys:
                norm = normalize(decoy.name)
                self.decoys[norm.core].append((norm.legal_form, f"known decoy: {decoy.why}"))
                shared.add(norm.tokens[0])
        self.targets = [t._replace(strength=self._registry_strength(t, shared)) for t in self.targets]
        self.family_tokens = {k: frozenset(v) for k, v in fam_tokens.items()}
        self._hits = HitIndex((i, t.name.tokens) for i, t in enumerate(self.targets))
        self._words = [TargetWords.of(t.name.tokens, t.strength.brand) for t in self.targets]

    def _registry_strength(self, target: Target, shared: set[str]) -> Strength:
        """A name's strength (``brands.strength``), corrected by what the registry itself shows.

        A brand word that begins a known decoy ("PALANTIR NET", "MARINUS PHARMACEUTICALS") is shared with another
        company: it does not make a possible match by itself. A name of common words that begins the names of two
        registry entities or more (GENERAL DYNAMICS: the corporation, GDIT, Mission Systems) is the company's own
        prefix for its units, a phrase whatever its words.
        """
        found = target.strength
        if found.brand in shared:
            found = found._replace(brand=None)
        tokens = target.name.tokens
        if found.ordinary and len([w for w in tokens if distinctive(w)]) >= 2:
            owners = {t.entity_id for t in self.targets
                      if t.kind in ("name", "alias") and t.name.tokens[:len(tokens)] == tokens}
            if len(owners) >= 2:
                found = found._replace(ordinary=False, phrase=True)
        return found

    def with_decisions(self, decisions: list[Decision]) -> Matcher:
        """This matcher (its indexes shared) with recorded human decisions applied first."""
        from checker.knowledge.decisions import decision_table

        other = copy.copy(self)
        other.decisions = decision_table(decisions, lambda vendor: normalize(vendor).core, self.registry)
        return other

    def decoy_reason(self, name: NormalName) -> str | None:
        """Why a name is a known decoy: same core, and no conflicting legal form ("THOMSON SA" ≠ "THOMSON CORP")."""
        for form, why in self.decoys.get(name.core, ()):
            if form is None or name.legal_form is None or form == name.legal_form:
                return why
        return None

    def _candidates(self, name: NormalName) -> set[int]:
        found: set[int] = set()
        by_token, by_prefix = self._by_token, self._by_prefix
        for tok in name.tokens:
            found |= by_token.get(tok, _NONE)
            if len(tok) >= PREFIX_KEY:
                found |= by_prefix.get(tok[:PREFIX_KEY], _NONE)
        found |= by_token.get(name.compact, _NONE)
        return found

    def _plausible(self, name: NormalName, candidates: set[int]) -> set[int]:
        """The candidates that could score above ``GENERIC_ONLY_CAP``; the others are skipped unscored.

        A registry name with distinctive words scores 0 unless one of them pairs with a query word
        (``HitIndex``); one without is always scored, as is one equal to the query once spaces are removed.
        """
        return self._hits.plausible(name.tokens, candidates) | self._exact_candidates(name)

    def _exact_candidates(self, name: NormalName) -> set[int]:
        """Registry names equal to the query once spaces are removed (scored without alignment)."""
        return self._by_token.get(name.compact, set()) if name.compact in self._exact else set()

    def match(self, vendor: str) -> Outcome:
        """The outcome for one vendor string (its whitespace is collapsed first)."""
        vendor = " ".join(vendor.split())
        if not vendor:
            return Outcome(None, "empty name")
        words = fold_words(vendor)
        whole = normalize(vendor, words)
        written = None if whole.compact in self._exact else person_form(vendor, words)  # "WEST, A THOMSON REUTERS
        # BUSINESS"
        person = written is not None
        decoy = self.decoy_reason(whole)
        if decoy is not None:
            return Outcome(None, decoy, person=person)
        excluded: set[str] = set()
        applied: list[str] = []
        for d in self.decisions.get(whole.core, ()):
            if d.decision == "same":
                ent = self.registry.entities[d.entity]
                return Outcome(Match(ent.id, ent.family_id, ent.name, "decision", 1.0, "match", d.describe()),
                               decision=d.describe())
            if d.entity is None:
                return Outcome(None, d.describe(), decision=d.describe(), person=person)
            fam = self.registry.families.get(d.entity)
            excluded |= set(fam.entities) if fam is not None else {d.entity}
            applied.append(d.describe())
        if written == "LAST, FIRST":
            return Outcome(None, "individual payee (LAST, FIRST): never matched to a company", person=True)
        best: Match | None = None
        for m in self._part_matches(vendor, whole, REVIEW_THRESHOLD):
            if m.entity_id not in excluded and (best is None or _rank(m) > _rank(best)):
                best = m
        if person and (best is None or best.band != "match"):  # "TORI WEST" is not West Publishing
            return Outcome(None, f"individual payee ({written}): matched to a company only by a registry name in "
                                 "full", person=True)
        decision = "; ".join(applied) or None
        if best is None or best.score < REVIEW_THRESHOLD:
            return Outcome(None, decision, decision=decision) if decision else NO_MATCH
        return Outcome(best, decision=decision)

    def _part_matches(self, vendor: str, whole: NormalName, floor: float) -> list[Match]:
        """Every registry name scoring at least ``floor`` against the vendor string or one of its parts.

        A part (of "X dba Y", "A - B", "A/B") that is a known decoy is skipped, and a part must match plainly: a
        part of "THOMPSON/QUILL" counts neither by spelling nor as a division or brand.
        """
        parts = split_parts(vendor)
        if len(parts) == 1:
            return self._score_part(whole, None, floor) if whole.tokens else []
        found: list[Match] = []
        for position, part in enumerate(parts):
            name = whole if position == 0 else normalize(part)
            if not name.tokens or (position > 0 and self.decoy_reason(name) is not None):
                continue
            found += (m for m in self._score_part(name, part if position else None, floor)
                      if not (position and m.explanation.startswith(FUZZY_MARKERS)))
        return found

    def _score_part(self, name: NormalName, part: str | None, floor: float = REVIEW_THRESHOLD) -> list[Match]:
        """Every registry name scoring at least ``floor`` against one part of a vendor string."""
        via = f" (in the part {part!r})" if part else ""
        out: list[Match] = []
        weak = self.weak.get(name.core)
        if weak is not None:
            if len(name.tokens) == 1 and name.legal_form is None:  # "MOTOROLA", "CLEAR": could be another company
                out.append(self._make(weak, FUZZY_ONLY_CAP, f"whole name is the weak alias {weak.text!r}, one word "
                                                            f"that could be another company{via}"))
            else:
                out.append(self._make(weak, 1.0, f"whole name is the weak alias {weak.text!r}{via}"))
        candidates = self._candidates(name)
        if floor > GENERIC_ONLY_CAP and candidates:
            candidates = self._plausible(name, candidates)
        exact = name.compact in self._exact
        for idx in sorted(candidates):  # registry order, so that equal ranks always resolve the same way
            target = self.targets[idx]
            family_tokens = self.family_tokens.get(target.family_id, frozenset())
            if floor > 0 and not exact and ceiling(name.tokens, self._words[idx], family_tokens) < floor:
                continue
            value, why = score(name, target, family_tokens)
            if value >= floor:
                same_form = name.legal_form is not None and name.legal_form == target.name.legal_form
                out.append(self._make(target, value, why + via)._replace(same_form=same_form))
        return out

    @staticmethod
    def _make(target: Target, value: float, why: str) -> Match:
        return Match(target.entity_id, target.family_id, target.text, target.kind, round(value, 4), band(value), why)

    def ranked(self, vendor: str, limit: int = 5) -> list[Match]:
        """The best-scoring registry names for a vendor string (one per entity), including those below the bands.

        Scored as ``match`` scores them, by the same code: when ``match`` finds a registry entity, it comes first,
        as ``match`` has it; when ``match`` finds none (the name is a known decoy, a person, a recorded decision),
        no candidate is put in a band, and each says why.
        """
        outcome = self.match(vendor)
        vendor = " ".join(vendor.split())
        best: dict[str, Match] = {}
        if vendor:
            for m in self._part_matches(vendor, normalize(vendor), 0.0):
                if m.entity_id not in best or _rank(m) > _rank(best[m.entity_id]):
                    best[m.entity_id] = m
        chosen = outcome.match
        out = sorted(best.values(), key=_rank, reverse=True)
        if chosen is not None:
            out = [chosen, *(m for m in out if m.entity_id != chosen.entity_id)]
        else:
            unused = f"not used: {outcome.note}" if outcome.note else "not used"
            out = [m if m.band == "none" else m._replace(band="none", explanation=f"{m.explanation} ({unused})")
                   for m in out]
        return out[:limit]


def compiled_matcher(directory: Path | str | None = None) -> Matcher:
    """A matcher (without decisions) for the registry in ``directory``, its registry as ``.registry``.

    Kept in the on-disk cache with the registry it was built from (``checker.knowledge.cache``), so that a
    screen need not build the indexes again.
    """
    files = registry_files(directory)
    return cached("matcher", files, lambda: Matcher(build_registry(files)), expected=Matcher)
