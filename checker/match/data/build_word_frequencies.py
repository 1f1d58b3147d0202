"""Build ``english_word_frequencies.tsv``: how common each common English word is, from wordfreq.

Source: wordfreq 3.1.1 (Robyn Speer et al., https://github.com/rspeer/wordfreq), its English ``best`` word
list, which blends Wikipedia, subtitles (OpenSubtitles, SUBTLEX), news (NewsCrawl, GlobalVoices), books (Google
Books Ngrams), the web (OSCAR), Twitter and Reddit. The frequencies are Zipf values: log10 of a word's
occurrences per billion words (3.0 is once per million words, 4.0 once per 100,000).

The output keeps every word with a Zipf frequency of at least ``FLOOR``, folded the way the matcher folds
vendor names (``checker.match.normalize.fold_words``: upper case, ASCII, punctuation dropped), one per line:
``WORD<TAB>ZIPF``. A word absent from the file is rarer than ``FLOOR``. wordfreq is needed only to rebuild the
file, never to run the tool:

    pip install wordfreq==3.1.1 && python checker/match/data/build_word_frequencies.py

wordfreq's code is Apache-2.0; its data, and so this derived file, are CC BY-SA 4.0
(https://creativecommons.org/licenses/by-sa/4.0/): attribution above, the same licence for the file.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

FLOOR = 3.0
OUT = Path(__file__).resolve().parent / "english_word_frequencies.tsv"
HEADER = """\
# English word frequencies (Zipf: log10 occurrences per billion words), every word at or above {floor}.
# Derived from wordfreq {version} (English "best" list; https://github.com/rspeer/wordfreq), CC BY-SA 4.0.
# Built by build_word_frequencies.py beside this file; words folded as vendor names are. Do not edit by hand.
"""


def build() -> str:
    """The file's text."""
    from importlib.metadata import version

    from wordfreq import iter_wordlist, zipf_frequency

    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    from checker.match.normalize import fold_words

    best: dict[str, float] = {}
    for word in iter_wordlist("en", "best"):
        value = zipf_frequency(word, "en")
        if value < FLOOR:
            break  # the list is in descending order of frequency
        tokens = fold_words(word)
        if len(tokens) != 1 or len(tokens[0]) < 2 or not tokens[0].isalpha():
            continue  # "u.s." folds to one word, "rock'n'roll" to one; "3d", "a" and "ad hoc" are not kept
        best[tokens[0]] = max(best.get(tokens[0], 0.0), value)
    rows = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
    return HEADER.format(floor=FLOOR, version=version("wordfreq")) + "".join(f"{w}\t{z:.2f}\n" for w, z in rows)


def main() -> None:
    text = build()
    tmp = OUT.with_suffix(".tmp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, OUT)
    print(f"{OUT}: {text.count(chr(10)) - HEADER.count(chr(10))} words")


if __name__ == "__main__":
    main()
