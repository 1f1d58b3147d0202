"""Scoring one vendor name against one registry name: token-based, asymmetric and explained.

After the lessons in ``anchors.md``:

* a query token with no counterpart in the registry name costs ``EXTRA_QUERY_PENALTY`` of its weight
  ("CITIES WEST PUBLISHING" is not "WEST PUBLISHING");
* a registry-name token missing from the query costs less (``MISSING_TARGET_PENALTY``), and little when
  the query looks truncated by an ERP system;
* generic words (WEST, CLEAR, SOLUTIONS, DATA, …) weigh little and stopwords almost nothing, so a shared
  generic word never makes a match by itself;
* numbers must agree.

WRatio, token_set_ratio and partial_ratio are deliberately not used: they score subset names 90–100.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from checker.match.brands import Strength
from checker.match.normalize import NormalName, cut_legal_form
from checker.match.pairing import TRUNCATION_MIN_CHARS, close, shortest_truncation, truncates
from checker.match.words import GENERIC_WEIGHT, STOPWORD_WEIGHT, token_weight

MATCH_THRESHOLD = 0.85
"""At or above: ``match`` (the row is judged as this registry entity)."""
REVIEW_THRESHOLD = 0.70
"""At or above (and below MATCH_THRESHOLD): ``possible`` (a person must confirm)."""
PROFILE = "token-asym-v2"

EXTRA_QUERY_PENALTY = 0.8
MISSING_TARGET_PENALTY = 0.5
TRUNCATED_TARGET_PENALTY = 0.05
FUZZY_CREDIT = 0.9
FAMILY_WORD_CREDIT = 0.8
FUZZY_ONLY_CAP = 0.80
GENERIC_ONLY_CAP = 0.60
SINGLE_BRAND_GENERIC_FACTOR = 1.5
PREFIX_DIVISION_SCORE = 0.90
BRAND_SCORE = 0.75
"""A vendor name that begins with a registry name's rare first word and goes on with business words."""
BRAND_MAX_OTHER_WORDS = 2
"""At most this many words of the vendor's own (a unit's: "<brand> RENTAL SCREENING SOLUTIONS")."""

KIND_LABEL = {"identifier": "identifier", "decision": "decision",
              "alias": "alias", "former_name": "former name", "product": "product name",
              "name": "name", "weak": "weak alias"}


class Target(NamedTuple):
    """A registry name the matcher can hit."""

    entity_id: str
    family_id: str
    text: str
    kind: str
    name: NormalName
    strength: Strength = Strength()


def band(score: float) -> str:
    """``match``, ``possible`` or ``none`` for a score."""
    return "match" if score >= MATCH_THRESHOLD else "possible" if score >= REVIEW_THRESHOLD else "none"


@dataclass
class Alignment:
    """How a query's words paired with a registry name's, weighed."""

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
    inverted: bool = False
    extra_words: tuple[str, ...] = ()


def align(q: tuple[str, ...], t: tuple[str, ...], family_tokens: frozenset[str],
          single_brand: bool = False) -> Alignment:
    """Pair query tokens with target tokens by the rules of ``pairing``: exact, split, joined, truncation, typo."""
    res = Alignment()
    used = [False] * len(t)
    order: list[int] = []  # the registry word each paired query word took, in query order
    extra: list[str] = []
    fuzzy: list[tuple[str, str]] = []
    i = 0
    while i < len(q):
        tok = q[i]
        j = next((k for k in range(len(t)) if not used[k] and t[k] == tok), None)
        if j is not None:
            used[j] = True
            order.append(j)
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
                order.append(j)
                res.matched += token_weight(joined)
                res.distinctive_hit |= token_weight(joined) >= 1.0
                res.distinctive_exact |= token_weight(joined) >= 1.0
                i += 2
                continue
        j = next((k for k in range(len(t) - 1) if not used[k] and not used[k + 1] and t[k] + t[k + 1] == tok), None)
        if j is not None:  # query joined two target tokens
            used[j] = used[j + 1] = True
            order.append(j)
            res.matched += token_weight(tok)
            res.distinctive_hit |= token_weight(tok) >= 1.0
            res.distinctive_exact |= token_weight(tok) >= 1.0
            i += 1
            continue
        last = i == len(q) - 1
        shortest = shortest_truncation(q)
        j = next((k for k in range(len(t)) if not used[k] and last and truncates(tok, t[k], shortest)
                  and all(used[:k])), None)
        if j is not None:  # ERP truncation of the final word: "APPLICATI"
            used[j] = True
            order.append(j)
            res.matched += token_weight(t[j]) * FUZZY_CREDIT
            res.shortfall += token_weight(t[j]) * (1 - FUZZY_CREDIT)
            res.distinctive_hit |= token_weight(t[j]) >= 1.0
            res.truncated = True
            fuzzy.append((tok, t[j]))
            i += 1
            continue
        j = next((k for k in range(len(t)) if not used[k] and close(tok, t[k])), None)
        if j is not None:
            used[j] = True
            order.append(j)
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
            extra.append(tok)
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
    res.inverted = any(b < a for a, b in zip(order, order[1:], strict=False))
    res.extra_words = tuple(extra)
    return res


def own_word(token: str) -> bool:
    """A word a vendor name adds of its own: not generic, not a number or a store number, not two letters
    (an ERP cut "LL", "LT", or an acronym such as IT), not a legal form cut short ("COR")."""
    return len(token) >= 3 and token.isalpha() and token_weight(token) >= 1.0 and not cut_legal_form(token)


def bare_word_cap(q: NormalName) -> float | None:
    """The most a bare one-word vendor name (no other word, no legal form) may score against this registry name.

    "MOTOROLA", "MICROSOFT", "CLEAR", "THOMSON" could be another company, and so, however rare the word, could
    "EXPERIAN" or "ACCURINT" written alone (a store, a product line, a cut name): a possible match at most, for a
    person to confirm, as the README promises; "LEXISNEXIS" too, though it spells a registry name of two words.
    None for any other vendor name (not capped here).
    """
    return FUZZY_ONLY_CAP if len(q.tokens) == 1 and q.legal_form is None else None


def after_brand(q: tuple[str, ...], brand: str | None) -> tuple[str, ...] | None:
    """The words after a registry brand that begins the vendor name (``LEXIS NEXIS`` joined counts), else None."""
    if brand is None or len(q) < 2:
        return None
    if q[0] == brand:
        return q[1:]
    return q[2:] if q[0] + q[1] == brand and len(q) > 2 else None


def business_wording(rest: tuple[str, ...]) -> bool:
    """Whether the words after a brand read as a unit of a company: a business word ("INFORMATION SERVICES",
    "RENTAL SCREENING SOLUTIONS") or a place it is incorporated in ("CORECIVIC OF TENNESSEE")."""
    return any(token_weight(w) == GENERIC_WEIGHT for w in rest) or (len(rest) >= 2 and rest[0] == "OF")


def score(q: NormalName, target: Target, family_tokens: frozenset[str]) -> tuple[float, str]:
    """The score of a vendor name against one registry name, and the explanation a report shows."""
    t = target.name
    label = KIND_LABEL[target.kind]
    cap = bare_word_cap(q)
    if q.compact == t.compact:
        form_note = "" if q.legal_form in (None, t.legal_form) or t.legal_form is None else \
            f"; legal form {q.legal_form} vs {t.legal_form}"
        value = 1.0 if not form_note else 0.97
        if form_note and target.kind == "former_name" and len(t.tokens) == 1:
            value = GENERIC_ONLY_CAP  # "Thomson SA" is not "The Thomson Corporation"
        why = f"same as registry {label} {target.text!r} after normalising{form_note}"
        if cap is not None and value > cap:
            return cap, why + "; a bare one-word name could be another company"
        return value, why
    distinctive = [x for x in t.tokens if token_weight(x) >= 1.0]
    al = align(q.tokens, t.tokens, family_tokens, single_brand=len(distinctive) == 1)
    if not al.distinctive_hit and distinctive:
        return 0.0, "no distinctive word in common"
    missing_penalty = TRUNCATED_TARGET_PENALTY if (al.truncated and len(q.core) >= TRUNCATION_MIN_CHARS) \
        else MISSING_TARGET_PENALTY
    denom = (al.matched + al.shortfall + EXTRA_QUERY_PENALTY * al.extra_query
             + missing_penalty * al.missing_target + al.missing_leading)
    value = al.matched / denom if denom else 0.0
    if not distinctive and (al.extra_query > STOPWORD_WEIGHT * len(q.tokens) or al.missing_target):
        value = min(value, GENERIC_ONLY_CAP)  # "INTERNATIONAL COMPUTER CONSULTANTS" is no one's name
    if al.number_clash:
        value *= 0.6
    if len(q.tokens) == 1 and len(t.tokens) > 1:
        value = min(value, FUZZY_ONLY_CAP)  # a bare "MOTOROLA" or "THOMSON" could be another company
    if not al.distinctive_exact and any(token_weight(x) >= 1.0 for x in t.tokens):
        value = min(value, FUZZY_ONLY_CAP)  # "THOMPSON" is a surname, not a typo of "THOMSON"
    if cap is not None:
        value = min(value, cap)
    strength = target.strength
    own = [w for w in al.extra_words if own_word(w)]
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
    if al.inverted:  # "STREET BABEL", "OAK GIANT NURSERY": the registry's words, not its name
        value = min(value, GENERIC_ONLY_CAP if strength.ordinary else FUZZY_ONLY_CAP)
        notes.append("words in another order")
    if strength.ordinary and own:  # "GIANT OAK TREE SERVICE", "THOMSON LANDSCAPING"
        value = min(value, GENERIC_ONLY_CAP)
        notes.append(f"no word of the registry {label} is rare in English, and the vendor name adds "
                     f"{' '.join(own)!r}")
    # "THOMSON REUTERS ELITE": the whole registry name, then a division's words; when the name is of common
    # words, only business words, numbers or acronyms ("GENERAL DYNAMICS IT", not "GIANT OAK NURSERY").
    n = len(t.tokens)
    extra = q.tokens[n:]
    if (value < PREFIX_DIVISION_SCORE and len(q.tokens) > n and q.tokens[:n] == t.tokens
            and len(distinctive) >= 2 and (strength.phrase or not own)):
        return PREFIX_DIVISION_SCORE, (f"vendor name begins with registry {label} {target.text!r} "
                                       f"followed by {' '.join(extra)!r} (a division or unit?)")
    # "EQUIFAX INFORMATION SERVICES LLC", "<brand> <unit> SOLUTIONS INC": a rare brand, then business words.
    rest = after_brand(q.tokens, strength.brand)
    if (value < BRAND_SCORE and rest is not None and not al.number_clash and len(own) <= BRAND_MAX_OTHER_WORDS
            and business_wording(rest)):
        # the registry name the vendor name is closest to ranks first: "EQUIFAX INFORMATION SERVICES" is
        # nearer "Equifax Inc." than "Equifax Workforce Solutions LLC" (the band stays possible)
        return BRAND_SCORE + value / 100, (f"vendor name begins with {strength.brand}, the first word of registry "
                                           f"{label} {target.text!r} and rare in English, followed by "
                                           f"{' '.join(rest)!r}: another unit of the company, or another company?")
    detail = f" ({'; '.join(notes)})" if notes else ""
    return value, f"token match to registry {label} {target.text!r}{detail}"
