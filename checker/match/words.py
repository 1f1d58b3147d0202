"""The word lists matching relies on (kept as data files in ``data/``) and how much a word counts."""

from __future__ import annotations

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
