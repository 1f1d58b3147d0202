"""Name matching: candidate generation from a token index, then precise, explainable scoring.

The vendor string is the query; registry names (aliases, former names, products) are the targets.
Scoring is token-based and asymmetric, after the lessons in ``anchors.md``:

* a query token with no counterpart in the registry name costs ``EXTRA_QUERY_PENALTY`` of its weight
  ("CITIES WEST PUBLISHING" is not "WEST PUBLISHING");
* a registry-name token missing from the query costs less (``MISSING_TARGET_PENALTY``), and little when
  the query looks truncated by an ERP system;
* generic words (WEST, CLEAR, SOLUTIONS, DATA, …) weigh ``GENERIC_WEIGHT`` and stopwords almost nothing,
  so a shared generic word never makes a match by itself;
* numbers must agree; persons (``LAST, FIRST``) are never matched; weak aliases (CLEAR, TLO, TR) count
  only as the exact whole name; known decoys are cleared with their reason.

WRatio, token_set_ratio and partial_ratio are deliberately not used: they score subset names 90–100.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from rapidfuzz.distance import OSA

from checker.compiled_cache import cached
from checker.decisions import Decision
from checker.hit_index import HitIndex
from checker.normalize import NormalName, is_person, normalize, split_parts
from checker.registry import Registry, build_registry, registry_files

MATCH_THRESHOLD = 0.85
"""At or above: ``match`` (the row is judged as this registry entity)."""
REVIEW_THRESHOLD = 0.70
"""At or above (and below MATCH_THRESHOLD): ``possible`` (a person must confirm)."""

EXTRA_QUERY_PENALTY = 0.8
MISSING_TARGET_PENALTY = 0.5
TRUNCATED_TARGET_PENALTY = 0.05
GENERIC_WEIGHT = 0.3
STOPWORD_WEIGHT = 0.05
INITIAL_WEIGHT = 0.2
FUZZY_CREDIT = 0.9
FAMILY_WORD_CREDIT = 0.8
FUZZY_ONLY_CAP = 0.80
GENERIC_ONLY_CAP = 0.60
SINGLE_BRAND_GENERIC_FACTOR = 1.5
PREFIX_DIVISION_SCORE = 0.90
TRUNCATION_MIN_CHARS = 20
PREFIX_KEY = 3
PROFILE = "token-asym-v1"
CACHE_SIZE = 32_768
"""Distinct vendor strings whose outcome is remembered (least recently used are forgotten)."""

STOPWORDS = frozenset({"AND", "OF", "THE", "FOR", "A", "AN", "AT", "IN", "ON", "TO", "BY"})
GENERIC = frozenset(
    line.strip() for line in (Path(__file__).parent / "generic_words.txt").read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)

_NONE: frozenset[int] = frozenset()

KIND_PRIORITY = {"identifier": 5, "decision": 4, "name": 3, "alias": 3, "product": 2, "former_name": 1, "weak": 0}
FUZZY_MARKERS = ("token match", "vendor name begins")


def _rank(m: Match) -> tuple[float, bool, bool, int]:
    """Best match first: higher score, an exact normalised hit, the same legal form, names over former names."""
    return (m.score, m.explanation.startswith("same as"), m.same_form, KIND_PRIORITY[m.kind])


KIND_LABEL = {"identifier": "identifier", "decision": "decision",
              "alias": "alias", "former_name": "former name", "product": "product name",
              "name": "name", "weak": "weak alias"}


@dataclass(frozen=True)
class Target:
    """A registry name the matcher can hit."""

    entity_id: str
    family_id: str
    text: str
    kind: str
    name: NormalName


@dataclass(frozen=True)
class Match:
    """A scored hit on a registry name."""

    entity_id: str
    family_id: str
    matched_name: str
    kind: str
    score: float
    band: str
    explanation: str
    same_form: bool = False
    """The vendor's legal form equals this registry name's ("TRANS UNION LLC" is Trans Union LLC, not TransUnion)."""


@dataclass(frozen=True)
class Outcome:
    """What the matcher concluded for one vendor string: a match, or none with a reason."""

    match: Match | None
    note: str | None = None
    decision: str | None = None
    person: bool = False


def token_weight(token: str) -> float:
    """How much a token counts: stopwords ≈ 0, generic words and initials little, the rest 1."""
    if token in STOPWORDS:
        return STOPWORD_WEIGHT
    if token in GENERIC:
        return GENERIC_WEIGHT
    if len(token) == 1:
        return INITIAL_WEIGHT
    return 1.0


def _typo_word(word: str) -> bool:
    """Whether ``_close`` may pair the word with another: five letters or more, not all digits."""
    return len(word) >= 5 and not word.isdigit()


def _close(a: str, b: str) -> bool:
    """A likely typo: same first letter, both ``_typo_word``, at most one edit (or swap) per five letters."""
    if a[0] != b[0] or not (_typo_word(a) and _typo_word(b)):
        return False
    allowed = max(1, min(len(a), len(b)) // 5)
    return OSA.distance(a, b, score_cutoff=allowed) <= allowed


@dataclass(frozen=True)
class TargetWords:
    """What ``_ceiling`` asks of a registry name's words, worked out once."""

    tokens: tuple[str, ...]
    words: frozenset[str]
    pairs: frozenset[str]  # two neighbouring words joined
    typo_words: dict[str, tuple[str, ...]]  # by first letter: the words ``_close`` may pair with

    @classmethod
    def of(cls, t: tuple[str, ...]) -> TargetWords:
        """The words of one registry name."""
        typo: dict[str, list[str]] = defaultdict(list)
        for w in filter(_typo_word, t):
            typo[w[0]].append(w)
        return cls(t, frozenset(t), frozenset(a + b for a, b in zip(t, t[1:], strict=False)),
                   {k: tuple(v) for k, v in typo.items()})


def _ceiling(q: tuple[str, ...], target: TargetWords, family_tokens: frozenset[str]) -> float:
    """An upper bound on ``_score`` (when the compact forms differ), cheap enough to skip hopeless targets.

    Each query word pairs at most once and earns at most 1; a query word that can pair with nothing
    costs at least ``EXTRA_QUERY_PENALTY`` of its weight. The one score that can rise, a registry name
    followed by a division's words, is never bounded.
    """
    t = target.tokens
    n = len(t)
    if len(q) > n and q[:n] == t:
        return 1.0
    words, pairs, typo_words = target.words, target.pairs, target.typo_words
    last = len(q) - 1
    pairable = 0
    extra = 0.0
    for i, tok in enumerate(q):
        if (tok in words or tok in family_tokens
                or (i < last and tok + q[i + 1] in words) or (i > 0 and q[i - 1] + tok in words)
                or tok in pairs
                or (i == last and len(tok) >= 3 and any(w.startswith(tok) for w in t))
                or any(_close(tok, w) for w in typo_words.get(tok[0], ()))):
            pairable += 1
        else:
            extra += token_weight(tok)
    if not pairable:
        return 0.0
    return pairable / (pairable + EXTRA_QUERY_PENALTY * extra)


def _every_word_may_pair(target: tuple[str, ...], initials: set[str], words: set[str]) -> bool:
    """False when some target word can pair with no query word (exactly, split, joined, truncated or by typo)."""
    return all(tok[0] in initials or (k > 0 and target[k - 1] + tok in words) for k, tok in enumerate(target))


@dataclass
class _Alignment:
    matched: float = 0.0
    shortfall: float = 0.0
    extra_query: float = 0.0
    missing_target: float = 0.0
    missing_leading: float = 0.0
    number_clash: bool = False
    fuzzy: tuple[tuple[str, str], ...] = ()
    truncated: bool = False
    distinctive_hit: bool = False
    distinctive_exact: bool = False


def _align(q: tuple[str, ...], t: tuple[str, ...], family_tokens: frozenset[str],
           single_brand: bool = False) -> _Alignment:
    """Pair query tokens with target tokens: exact, joined (LEXIS NEXIS = LEXISNEXIS), typo, truncation."""
    res = _Alignment()
    used = [False] * len(t)
    fuzzy: list[tuple[str, str]] = []
    i = 0
    while i < len(q):
        tok = q[i]
        j = next((k for k in range(len(t)) if not used[k] and t[k] == tok), None)
        if j is not None:
            used[j] = True
            res.matched += token_weight(tok)
            res.distinctive_hit |= token_weight(tok) >= 1.0
            res.distinctive_exact |= token_weight(tok) >= 1.0
            i += 1
            continue
        if i + 1 < len(q):  # query split a target token: "LEXIS NEXIS" vs "LEXISNEXIS"
            joined = tok + q[i + 1]
            j = next((k for k in range(len(t)) if not used[k] and t[k] == joined), None)
            if j is not None:
                used[j] = True
                res.matched += token_weight(joined)
                res.distinctive_hit |= token_weight(joined) >= 1.0
                res.distinctive_exact |= token_weight(joined) >= 1.0
                i += 2
                continue
        j = next((k for k in range(len(t) - 1) if not used[k] and not used[k + 1] and t[k] + t[k + 1] == tok), None)
        if j is not None:  # query joined two target tokens
            used[j] = used[j + 1] = True
            res.matched += token_weight(tok)
            res.distinctive_hit |= token_weight(tok) >= 1.0
            res.distinctive_exact |= token_weight(tok) >= 1.0
            i += 1
            continue
        last = i == len(q) - 1
        shortest = 3 if len(" ".join(q)) >= TRUNCATION_MIN_CHARS else 4
        j = next((k for k in range(len(t)) if not used[k] and last and len(tok) >= shortest and t[k].startswith(tok)
                  and all(used[:k])), None)
        if j is not None:  # ERP truncation of the final word: "APPLICATI"
            used[j] = True
            res.matched += token_weight(t[j]) * FUZZY_CREDIT
            res.shortfall += token_weight(t[j]) * (1 - FUZZY_CREDIT)
            res.distinctive_hit |= token_weight(t[j]) >= 1.0
            res.truncated = True
            fuzzy.append((tok, t[j]))
            i += 1
            continue
        j = next((k for k in range(len(t)) if not used[k] and _close(tok, t[k])), None)
        if j is not None:
            used[j] = True
            res.matched += token_weight(t[j]) * FUZZY_CREDIT
            res.shortfall += token_weight(t[j]) * (1 - FUZZY_CREDIT)
            res.distinctive_hit |= token_weight(t[j]) >= 1.0
            fuzzy.append((tok, t[j]))
            i += 1
            continue
        if tok in family_tokens:  # "LEXISNEXIS MATTHEW BENDER": the family's own brand word
            res.matched += FAMILY_WORD_CREDIT * token_weight(tok)
            res.shortfall += (1 - FAMILY_WORD_CREDIT) * token_weight(tok)
        else:
            weight = token_weight(tok)
            if single_brand and weight == GENERIC_WEIGHT:  # "PELCO PRODUCTS" is not "PELCO"
                weight *= SINGLE_BRAND_GENERIC_FACTOR
            res.extra_query += weight
            if tok.isdigit() and any(x.isdigit() for x in t):
                res.number_clash = True
        i += 1
    # Target tokens never paired. After the query's last paired token they may be cut off by an ERP system.
    last_used = max((k for k in range(len(t)) if used[k]), default=-1)
    prefix_covered = all(used[: last_used + 1])
    first_used = min((k for k in range(len(t)) if used[k]), default=len(t))
    for k, tok in enumerate(t):
        if used[k]:
            continue
        if k < first_used and token_weight(tok) >= 1.0:  # "ALLEN HAMILTON" lacks the "BOOZ" it starts with
            res.missing_leading += token_weight(tok)
        else:
            res.missing_target += token_weight(tok)
    res.truncated = res.truncated or (prefix_covered and last_used < len(t) - 1 and res.extra_query == 0)
    res.fuzzy = tuple(fuzzy)
    return res


class Matcher:
    """Matches vendor strings against a registry; compile once, reuse for every row."""

    def __init__(self, registry: Registry, decisions: dict[str, list[Decision]] | None = None) -> None:
        self.registry = registry
        self.decisions = decisions or {}
        self.targets: list[Target] = []
        self.weak: dict[str, Target] = {}
        self.decoys: dict[str, list[tuple[str | None, str]]] = defaultdict(list)
        self.family_tokens: dict[str, frozenset[str]] = {}
        self._by_token: dict[str, set[int]] = defaultdict(set)
        self._by_prefix: dict[str, set[int]] = defaultdict(set)
        self._exact: set[str] = set()
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
                self.targets.append(Target(ent.id, ent.family_id, text, kind, norm))
                for tok in norm.tokens:
                    if token_weight(tok) >= 1.0:
                        fam_tokens[ent.family_id].add(tok)
                keys = [t for t in norm.tokens if token_weight(t) >= 1.0] or list(norm.tokens)
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
        self.family_tokens = {k: frozenset(v) for k, v in fam_tokens.items()}
        self._hits = HitIndex(((i, t.name.tokens) for i, t in enumerate(self.targets)), token_weight, _close,
                              _typo_word)
        self._words = [TargetWords.of(t.name.tokens) for t in self.targets]
        self._outcomes: OrderedDict[str, Outcome] = OrderedDict()  # least recently used first

    def decoy_reason(self, name: NormalName) -> str | None:
        """Why a name is a known decoy: same core, and no conflicting legal form ("THOMSON SA" ≠ "THOMSON CORP")."""
        for form, why in self.decoys.get(name.core, ()):
            if form is None or name.legal_form is None or form == name.legal_form:
                return why
        return None

    def match(self, vendor: str) -> Outcome:
        """Match one vendor string (remembered by the string, whitespace collapsed)."""
        key = " ".join(vendor.split())
        found = self._outcomes.get(key)
        if found is None:
            found = self._match_uncached(key)
            self.remember(key, found)
        else:
            self._outcomes.move_to_end(key)
        return found

    def knows(self, vendor: str) -> bool:
        """True when ``vendor`` (whitespace collapsed) has a remembered outcome."""
        return vendor in self._outcomes

    def remember(self, vendor: str, outcome: Outcome) -> None:
        """Keep an outcome for ``vendor`` (whitespace collapsed), e.g. one matched by a worker process."""
        self._outcomes[vendor] = outcome
        if len(self._outcomes) > CACHE_SIZE:
            self._outcomes.popitem(last=False)

    def match_many(self, vendors: list[str]) -> list[Outcome]:
        """Outcomes for whitespace-collapsed vendor strings, without remembering them (for a worker)."""
        return [self._match_uncached(v) for v in vendors]

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
        (``HitIndex``). One without (all generic words) is capped unless every one of its words pairs,
        and every pairing keeps a word's first letter, or joins it to the word before.
        """
        keep = (candidates & self._hits.possible(name.tokens)) | self._exact_candidates(name)
        generic = candidates & self._hits.always
        if generic:
            initials = {tok[0] for tok in name.tokens}
            words = set(name.tokens)
            keep |= {idx for idx in generic if _every_word_may_pair(self.targets[idx].name.tokens, initials, words)}
        return keep

    def _exact_candidates(self, name: NormalName) -> set[int]:
        """Registry names equal to the query once spaces are removed (scored without alignment)."""
        return self._by_token.get(name.compact, set()) if name.compact in self._exact else set()

    def _match_uncached(self, vendor: str) -> Outcome:
        if not vendor:
            return Outcome(None, "empty name")
        whole = normalize(vendor)
        person = whole.compact not in self._exact and is_person(vendor)  # "WEST, A THOMSON REUTERS BUSINESS" is not
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
        if person:
            return Outcome(None, "individual payee (LAST, FIRST): never matched to a company", person=True)
        best: Match | None = None
        parts = split_parts(vendor)
        for position, part in enumerate(parts):
            name = whole if position == 0 else normalize(part)
            if not name.tokens or (position > 0 and self.decoy_reason(name) is not None):
                continue
            for m in self._score_part(name, part if position else None):
                if position and m.explanation.startswith(FUZZY_MARKERS):
                    continue  # a part of "THOMPSON/QUILL" must match plainly, not by spelling or division
                if m.entity_id in excluded:
                    continue
                if best is None or _rank(m) > _rank(best):
                    best = m
        decision = "; ".join(applied) or None
        if best is None or best.score < REVIEW_THRESHOLD:
            return Outcome(None, decision, decision=decision)
        return Outcome(best, decision=decision)

    def _score_part(self, name: NormalName, part: str | None, floor: float = REVIEW_THRESHOLD) -> list[Match]:
        """Every registry name scoring at least ``floor`` against one part of a vendor string."""
        via = f" (in the part {part!r})" if part else ""
        out: list[Match] = []
        weak = self.weak.get(name.core)
        if weak is not None:
            out.append(self._make(weak, 1.0, f"whole name is the weak alias {weak.text!r}{via}"))
        candidates = self._candidates(name)
        if floor > GENERIC_ONLY_CAP and candidates:
            candidates = self._plausible(name, candidates)
        exact = name.compact in self._exact
        for idx in sorted(candidates):  # registry order, so that equal ranks always resolve the same way
            target = self.targets[idx]
            if floor > 0 and not exact and _ceiling(name.tokens, self._words[idx],
                                                    self.family_tokens.get(target.family_id, frozenset())) < floor:
                continue
            score, why = self._score(name, target)
            if score >= floor:
                same_form = name.legal_form is not None and name.legal_form == target.name.legal_form
                out.append(replace(self._make(target, score, why + via), same_form=same_form))
        return out

    def _make(self, target: Target, score: float, why: str) -> Match:
        band = "match" if score >= MATCH_THRESHOLD else "possible" if score >= REVIEW_THRESHOLD else "none"
        return Match(target.entity_id, target.family_id, target.text, target.kind, round(score, 4), band, why)

    def _score(self, q: NormalName, target: Target) -> tuple[float, str]:
        t = target.name
        label = KIND_LABEL[target.kind]
        if q.compact == t.compact:
            form_note = "" if q.legal_form in (None, t.legal_form) or t.legal_form is None else \
                f"; legal form {q.legal_form} vs {t.legal_form}"
            score = 1.0 if not form_note else 0.97
            if form_note and target.kind == "former_name" and len(t.tokens) == 1:
                score = GENERIC_ONLY_CAP  # "Thomson SA" is not "The Thomson Corporation"
            return score, f"same as registry {label} {target.text!r} after normalising{form_note}"
        distinctive = [x for x in t.tokens if token_weight(x) >= 1.0]
        al = _align(q.tokens, t.tokens, self.family_tokens.get(target.family_id, frozenset()),
                    single_brand=len(distinctive) == 1)
        if not al.distinctive_hit and distinctive:
            return 0.0, "no distinctive word in common"
        missing_penalty = TRUNCATED_TARGET_PENALTY if (al.truncated and len(q.core) >= TRUNCATION_MIN_CHARS) \
            else MISSING_TARGET_PENALTY
        denom = (al.matched + al.shortfall + EXTRA_QUERY_PENALTY * al.extra_query
                 + missing_penalty * al.missing_target + al.missing_leading)
        score = al.matched / denom if denom else 0.0
        if not distinctive and (al.extra_query > STOPWORD_WEIGHT * len(q.tokens) or al.missing_target):
            score = min(score, GENERIC_ONLY_CAP)  # "INTERNATIONAL COMPUTER CONSULTANTS" is no one's name
        if al.number_clash:
            score *= 0.6
        if len(q.tokens) == 1 and len(t.tokens) > 1:
            score = min(score, FUZZY_ONLY_CAP)  # a bare "MOTOROLA" or "THOMSON" could be another company
        if not al.distinctive_exact and any(token_weight(x) >= 1.0 for x in t.tokens):
            score = min(score, FUZZY_ONLY_CAP)  # "THOMPSON" is a surname, not a typo of "THOMSON"
        notes: list[str] = []
        if al.fuzzy:
            notes.append("close spelling " + ", ".join(f"{a}≈{b}" for a, b in al.fuzzy))
        if al.truncated and missing_penalty == TRUNCATED_TARGET_PENALTY:
            notes.append("vendor name looks truncated")
        if al.extra_query:
            notes.append("vendor name has extra words")
        if al.missing_leading:
            notes.append(f"vendor name lacks the registry {label}'s first word")
        if al.missing_target and missing_penalty != TRUNCATED_TARGET_PENALTY:
            notes.append(f"registry {label} has words the vendor name lacks")
        if al.number_clash:
            notes.append("numbers differ")
        # "THOMSON REUTERS ELITE", "MICROSOFT SERVICES": the whole registry name, then a division's words.
        n = len(t.tokens)
        extra = q.tokens[n:]
        if score < PREFIX_DIVISION_SCORE and len(q.tokens) > n and q.tokens[:n] == t.tokens and len(distinctive) >= 2:
            return PREFIX_DIVISION_SCORE, (f"vendor name begins with registry {label} {target.text!r} "
                                           f"followed by {' '.join(extra)!r} (a division or unit?)")
        detail = f" ({'; '.join(notes)})" if notes else ""
        return score, f"token match to registry {label} {target.text!r}{detail}"

    def ranked(self, vendor: str, limit: int = 5) -> list[Match]:
        """The best-scoring registry names for a vendor string, including those below the review band."""
        best: dict[str, Match] = {}
        for position, part in enumerate(split_parts(vendor)):
            name = normalize(part)
            if not name.tokens:
                continue
            for m in self._score_part(name, part if position else None, floor=0.0):
                if m.entity_id not in best or m.score > best[m.entity_id].score:
                    best[m.entity_id] = m
        return sorted(best.values(), key=lambda m: -m.score)[:limit]


def compiled_matcher(directory: Path | str | None = None) -> Matcher:
    """A matcher (without decisions) for the registry in ``directory``, its registry as ``.registry``.

    Kept in the on-disk cache with the registry it was built from (``checker.compiled_cache``), so that a
    screen need not build the indexes again.
    """
    files = registry_files(directory)
    return cached("matcher", files, lambda: Matcher(build_registry(files)))
