"""Whether a payee is a person, in either form a payment file writes one (issue #19, item 8).

``LAST, FIRST [MIDDLE]`` is ``normalize.is_person``. ``FIRST [MIDDLE] LAST`` ("CARLYN SHEPP", "TORI WEST") is
read by probablepeople (DataMade, https://github.com/datamade/probablepeople: a conditional-random-field
parser trained on names of people and companies, which labels each word GivenName, Surname, CorporationName,
…). A person's name is two to four words that the parser reads as a given name, middle names or initials and a
surname and nothing else ("ROSE GARDEN CAFE" has a suffix), whose given name is one of the 5,163 of the 1990
U.S. Census (``data/first_names.txt``: the parser alone reads "HOME DEPOT" as a person's), and whose
surname, when it is an English word, is a census surname too (``data/word_surnames.txt``: WEST, STEEL, not
PHARMACY or DEPOT).

A name with a company word (legal forms, ``company_words.txt``), a digit or a comma is not read this way, nor
one with a business word (``generic_words.txt``) or a small word (AND, OF; an initial A is one) before its
surname. The matcher decides what a person's name may still match: a registry name in full
(``Matcher.match``), never a company by its surname ("TORI WEST" is not West Publishing).
"""

from __future__ import annotations

import re
from functools import cache

from checker.match.normalize import COMPANY_WORDS, fold_words, is_person
from checker.match.words import GENERIC, STOPWORDS, english_frequencies, word_list

MAX_WORDS = 4
"""At most a given name, two middle names or initials, and a surname."""
NAME_LABELS = frozenset({"GivenName", "FirstInitial", "MiddleName", "MiddleInitial", "Surname", "LastInitial",
                         "SuffixGenerational", "Nickname"})
"""What probablepeople may find in a person's name here (not ``SuffixOther``, ``CorporationName``, …)."""
_DIGIT = re.compile(r"\d")
TITLES = frozenset({"DR", "MR", "MRS", "MS", "MISS"})
"""Titles a payee's name may begin with ("DR BENNETTE DAWSON")."""


@cache
def first_names() -> frozenset[str]:
    """The given names of the 1990 U.S. Census (``data/first_names.txt``)."""
    return word_list("first_names.txt")


@cache
def word_surnames() -> frozenset[str]:
    """The census surnames that are English words (``data/word_surnames.txt``)."""
    return word_list("word_surnames.txt")


def without_comma(vendor: str, words: list[str] | None = None) -> str | None:
    """How a person's name written without a comma reads (see the module), else None.

    ``"FIRST LAST"``: "CARLYN SHEPP", "DR BENNETTE DAWSON", "DONALD M GRAHAM II"; ``"LAST FIRST I"``: "COOKE
    REGINALD L", a surname, a given name and an initial, as ERP systems cut ``LAST, FIRST I``. ``words``:
    ``fold_words(vendor)``, when the caller has them.
    """
    words = fold_words(vendor) if words is None else words
    if words and words[0] in TITLES:
        words = words[1:]
    if not 2 <= len(words) <= MAX_WORDS or "," in vendor or _DIGIT.search(vendor):
        return None
    first = words[0] in first_names() and len(words[-1]) >= 2
    cut = len(words) == 3 and len(words[2]) == 1 and words[1] in first_names()
    if not (first or cut) or not COMPANY_WORDS.isdisjoint(words):
        return None
    if first and not any(map(_before_surname, words[:-1])):
        return "FIRST LAST" if _person(" ".join(words), words[0]) else None
    if cut and not _before_surname(words[0]):
        return "LAST FIRST I" if _person(f"{words[0]}, {words[1]} {words[2]}", words[1]) else None
    return None


def _person(name: str, given_name: str) -> bool:
    """Whether probablepeople reads ``name`` as one person's with this given name, and its surname may be one."""
    import probablepeople  # 0.35 s to import its model's tables: only when a name may be a person's

    parsed: dict[str, list[str]] = {}
    for token, label in probablepeople.parse(name):
        parsed.setdefault(label, []).append(token.strip(","))
    given, surname = parsed.get("GivenName", []), parsed.get("Surname", [])
    if not set(parsed) <= NAME_LABELS or given[:1] != [given_name] or not surname:
        return False  # a company's words ("CorporationName"), or a suffix of its own ("ROSE GARDEN CAFE")
    last = surname[-1]
    return last not in english_frequencies() or last in word_surnames()  # not "MARK TWAIN PHARMACY"


def _before_surname(word: str) -> bool:
    """A word no person's name has before its surname: a business word, or AND, OF, THE (an initial may)."""
    return word in GENERIC or (word in STOPWORDS and len(word) > 1)


def person_form(vendor: str, words: list[str] | None = None) -> str | None:
    """How the payee's name is written when it is a person's (``"LAST, FIRST"``, ``"FIRST LAST"``,
    ``"LAST FIRST I"``), else None. ``words``: ``fold_words(vendor)``, when the caller has them."""
    if is_person(vendor):
        return "LAST, FIRST"
    return without_comma(vendor, words)
