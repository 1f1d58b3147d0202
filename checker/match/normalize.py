"""Vendor-name normalisation: pure functions, no registry knowledge.

A name is upper-cased, stripped of accents and marks, ``&`` becomes AND, punctuation becomes space,
spaced-out initials are joined (``L.L.C.`` → ``LLC``), and trailing legal forms are canonicalised
(``INCORPORATED`` → ``INC``) and set aside rather than deleted, so a name is never reduced to nothing.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from checker.match.words import word_list, word_table

_LEGAL_FORMS = word_table("legal_forms.tsv")
"""Legal forms (as words) and their canonical short forms."""
_MAX_FORM_LEN = max(len(k) for k in _LEGAL_FORMS)
_LONG_FORMS = (("INCORPORATED", "INC"), ("CORPORATION", "CORP"), ("COMPANY", "CO"), ("LIMITED", "LTD"))
_TRAILING_FILLERS = frozenset({"THE", "AND"})
LEGAL_FORM_TOKENS = frozenset(t for k in _LEGAL_FORMS for t in k) | frozenset(_LEGAL_FORMS.values())

# Markers that introduce another name for the same payee: "X dba Y", "X c/o Y", "X fka Y".
_SPLIT_MARKERS = re.compile(
    r"\s*(?:\b(?:D\s*/\s*B\s*/\s*A|D\.B\.A\.?|DBA|F\s*/\s*K\s*/\s*A|F\.K\.A\.?|FKA|A\s*/\s*K\s*/\s*A|AKA|"
    r"C\s*/\s*O|ATTN:?|T\s*/\s*A|DOING\s+BUSINESS\s+AS|FORMERLY(?:\s+KNOWN\s+AS)?)(?=\W|$))\s*",
    re.IGNORECASE,
)
_SPLIT_CHARS = "/-–—;|"
_SPLIT_WORDS = ("DBA", "D.B.A", "FKA", "F.K.A", "AKA", "ATTN", "DOING", "FORMERLY")
_SPLIT_CHAR_SET = frozenset(_SPLIT_CHARS)
_SPLIT_WORD = re.compile("|".join(map(re.escape, _SPLIT_WORDS)))
"""Any of the words anywhere in an upper-cased name."""
_DASH_SPLIT = re.compile(r"\s+[-–—]+\s+|\s*[;|]\s*")
_SLASH_SPLIT = re.compile(r"(?<=[A-Za-z]{3})\s*/\s*(?=[A-Za-z]{3})")
_MARKS = re.compile(r"[®™©℠'’`]")
_NON_ALNUM = re.compile(r"[^A-Z0-9]+")
_ASCII_WORDS = {c: (chr(c).upper() if chr(c).isalnum() else " ") for c in range(128)}
"""``str.translate`` table for ASCII text: letters upper-cased, digits kept, everything else a space."""
_FORM_ENDINGS = frozenset(key[-1] for key in _LEGAL_FORMS)


def _truncations() -> dict[str, str]:
    """ERP-truncated legal forms ("INCORPORA", "CORPORATIO", "LIMIT": four letters or more) → canonical forms."""
    found: dict[str, str] = {}
    for word, canon in _LONG_FORMS:  # in order: the first long form a truncation fits is the one it stands for
        for size in range(4, len(word)):
            found.setdefault(word[:size], canon)
    return found


_TRUNCATED_FORMS = _truncations()


def cut_legal_form(token: str) -> bool:
    """``COR``, ``LIM``: the first letters of a long legal form (an ERP cut too short to be read as one)."""
    return any(word.startswith(token) for word, _ in _LONG_FORMS)


COMPANY_WORDS = LEGAL_FORM_TOKENS | word_list("company_words.txt")
"""Words that mark a payee as a company, not a person, in ``LAST, FIRST`` forms."""
_PERSON = re.compile(r"^[A-Z][A-Z'\-]*(?: [A-Z][A-Z'\-]*){0,2}, ?[A-Z][A-Z'\-.]*(?: [A-Z][A-Z'\-.]*){0,3}$")


class NormalName(NamedTuple):
    """A normalised name: its core tokens (legal forms removed) and the canonical legal form, if any.

    A named tuple rather than a frozen dataclass: one is made for every new name an audit reads, and a
    tuple is made several times faster.
    """

    tokens: tuple[str, ...]
    legal_form: str | None

    @property
    def core(self) -> str:
        """The core tokens joined by spaces."""
        return " ".join(self.tokens)

    @property
    def compact(self) -> str:
        """The core with no spaces, to compare ``LEXIS NEXIS`` with ``LEXISNEXIS``."""
        return "".join(self.tokens)


def fold(text: str) -> str:
    """Upper-case ASCII text: accents and marks removed, ``&`` spelled AND, punctuation as spaces."""
    return " ".join(fold_words(text))


def fold_words(text: str) -> list[str]:
    """The words of ``fold(text)``."""
    if text.isascii():  # no accents to strip: only the ASCII marks (' and `) go
        text = text.replace("'", "").replace("`", "").replace("&", " AND ").replace("+", " AND ")
        tokens = text.translate(_ASCII_WORDS).split()
    else:
        text = unicodedata.normalize("NFKD", _MARKS.sub("", text))  # marks first: NFKD spells ™ as "TM"
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = text.upper().replace("&", " AND ").replace("+", " AND ")
        tokens = _NON_ALNUM.sub(" ", text).split()
    if 1 in map(len, tokens):
        return _join_initials(tokens).split()
    return tokens


def _join_initials(tokens: list[str]) -> str:
    """``L L C`` → ``LLC`` and ``U S`` → ``US``: runs of two or more single letters become one token."""
    out: list[str] = []
    run: list[str] = []
    for tok in tokens + [""]:
        if len(tok) == 1 and tok.isalpha():
            run.append(tok)
            continue
        if len(run) >= 2:
            out.append("".join(run))
        else:
            out.extend(run)
        run = []
        if tok:
            out.append(tok)
    return " ".join(out)


def _trailing_form(tokens: list[str]) -> tuple[int, str | None]:
    """How many of the last tokens (not all) spell a legal form, whole or ERP-truncated, and its canonical form."""
    if tokens[-1] in _FORM_ENDINGS:  # most names end in no legal form: their last word is looked up once
        for size in range(min(_MAX_FORM_LEN, len(tokens) - 1), 0, -1):
            canon = _LEGAL_FORMS.get(tuple(tokens[-size:]))
            if canon is not None:
                return size, canon
    return 1, _TRUNCATED_FORMS.get(tokens[-1])


def normalize(name: str, words: list[str] | None = None) -> NormalName:
    """Normalise one name; trailing legal forms are canonicalised and kept aside, never all tokens. ``words``:
    ``fold_words(name)``, when the caller has them."""
    tokens = (fold_words(name) if words is None else words) or name.upper().split()  # "!!!" stays "!!!": a name
    # never becomes nothing
    if tokens and tokens[0] == "THE" and len(tokens) > 1:
        tokens = tokens[1:]
    form: str | None = None
    while len(tokens) > 1:
        if tokens[-1] in _TRAILING_FILLERS:  # "THOMSON COMPANY INC, THE", "BENDER & CO"
            tokens = tokens[:-1]
            continue
        size, canon = _trailing_form(tokens)
        if canon is None:
            break
        form = form or canon
        tokens = tokens[:-size]
    return NormalName(tuple(tokens), form)


def split_parts(name: str) -> list[str]:
    """The name and each of its dba / fka / c/o / ``A - B`` / ``A/B`` parts, each as its own name."""
    if _SPLIT_CHAR_SET.isdisjoint(name) and not _SPLIT_WORD.search(name.upper()):
        return [name]  # nothing any splitter could split at (checked without the slower expressions)
    pieces = [name]
    for splitter in (_SPLIT_MARKERS, _DASH_SPLIT, _SLASH_SPLIT):
        pieces = [p for piece in pieces for p in splitter.split(piece)]
    parts = [p.strip(" ,.-") for p in pieces if p and p.strip(" ,.-")]
    if len(parts) <= 1:
        return [name]
    return [name, *parts]


def is_person(name: str) -> bool:
    """True for ``LAST, FIRST [MIDDLE]`` payees with no company words (an individual, never matched)."""
    if name.count(",") != 1:  # most company names: decided without the steps below
        return False
    text = " ".join(name.upper().split())
    if not _PERSON.match(text):
        return False
    words = set(fold_words(text))
    return not (words & COMPANY_WORDS)


_COUPON = re.compile(r"\b\d+(\.\d+)?\s*%|\b(19|20)\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b(DUE|NOTES?|BONDS?|SR|SENIOR|"
                     r"UNSECURED|CALLABLE|FIXED|FLOAT(ING)?|RATE|COMMON|STOCK|SHARES|CL(ASS)? ?[AB]|ADR|ORD)\b",
                     re.IGNORECASE)


def issuer_name(description: str) -> str:
    """``RELX CAPITAL INC 4.75% 2030`` → ``RELX CAPITAL INC``: coupons, years and bond words removed."""
    return " ".join(_COUPON.sub(" ", description).split()) or description
