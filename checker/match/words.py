"""The word lists matching relies on (kept as data files in ``data/``) and how much a word counts."""

from __future__ import annotations

from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

GENERIC_WEIGHT = 0.3
STOPWORD_WEIGHT = 0.05
INITIAL_WEIGHT = 0.2


def word_list(name: str) -> frozenset[str]:
    """The words of a data file: one per line, ``#`` lines and blank lines skipped."""
    lines = (DATA / name).read_text("utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def word_table(name: str) -> dict[tuple[str, ...], str]:
    """A tab-separated data file of words and what they stand for: ``("LIMITED", "LIABILITY", "COMPANY") → "LLC"``."""
    table: dict[tuple[str, ...], str] = {}
    for line in (DATA / name).read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            words, value = line.split("\t")
            table[tuple(words.split())] = value.strip()
    return table


STOPWORDS = word_list("stopwords.txt")
GENERIC = word_list("generic_words.txt")


def token_weight(token: str) -> float:
    """How much a token counts: stopwords ≈ 0, generic words and initials little, the rest 1."""
    if token in STOPWORDS:
        return STOPWORD_WEIGHT
    if token in GENERIC:
        return GENERIC_WEIGHT
    if len(token) == 1:
        return INITIAL_WEIGHT
    return 1.0


def distinctive(token: str) -> bool:
    """True for a word that can identify a company by itself (full weight)."""
    return token_weight(token) >= 1.0


RARE_ZIPF = 3.0
"""Below this Zipf frequency (once per million words of English), a word is rare: a coined brand such as
EQUIFAX (2.4) or PALANTIR (2.2), not an ordinary word (PARAGON 3.05, THOMSON 3.78, OAK 4.18)."""
COMMON_ZIPF = 4.0
"""At or above this Zipf frequency (once per 100,000 words), a word is common (GIANT 4.62, STREET 5.3)."""
BRAND_MIN_LETTERS = 5
"""A shorter rare word is no brand by itself: four letters or fewer are mostly acronyms, each of many things
(TLO; CSRA: CSRA LLC, and CSRA Probation Services)."""


@cache
def english_frequencies() -> dict[str, float]:
    """Zipf frequency of every English word at or above ``RARE_ZIPF`` (``data/english_word_frequencies.tsv``)."""
    table: dict[str, float] = {}
    for line in (DATA / "english_word_frequencies.tsv").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            word, value = line.split("\t")
            table[word] = float(value)
    return table


def zipf(token: str) -> float:
    """How common a word is in English (Zipf scale); 0.0 for one rarer than ``RARE_ZIPF`` (not in the table)."""
    return english_frequencies().get(token, 0.0)


def rare(token: str) -> bool:
    """A distinctive word rarer than once per million words of English (not a number): BOOZ, G4S, EQUIFAX."""
    return not token.isdigit() and distinctive(token) and zipf(token) < RARE_ZIPF


def brand_word(token: str) -> bool:
    """A rare word of five letters or more, all letters: a brand that names one company (EQUIFAX, PALANTIR)."""
    return len(token) >= BRAND_MIN_LETTERS and token.isalpha() and rare(token)


def common(token: str) -> bool:
    """A word at least once per 100,000 words of English (GIANT, OAK, STREET): anyone's business name."""
    return zipf(token) >= COMMON_ZIPF
