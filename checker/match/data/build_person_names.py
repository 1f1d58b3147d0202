"""Build ``first_names.txt`` and ``word_surnames.txt`` for ``checker.match.people`` from the 1990 U.S. Census.

Source: the Census Bureau's "Frequently Occurring Names" lists from the 1990 census: ``dist.male.first`` (1,219
names) and ``dist.female.first`` (4,275), every given name held by at least about 1 in 100,000 people, and
``dist.all.last`` (88,799 surnames), a work of the U.S. government in the public domain, as packaged by the
``names`` project (Trey Hunner, https://github.com/treyhunner/names, MIT).

* ``first_names.txt``: every given name, upper case, sorted.
* ``word_surnames.txt``: the surnames that are also English words (in ``english_word_frequencies.tsv``):
  WEST, STEEL, YOUNG, but not PHARMACY or DEPOT. A name ending in an English word is a person's only when that
  word is one of these.

``names`` is needed only to rebuild the files, never to run the tool:

    pip install names==0.3.0 && python checker/match/data/build_person_names.py
"""

from __future__ import annotations

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = """\
# {what} of the 1990 U.S. Census ("Frequently Occurring Names": {lists}), public domain,
# as packaged by the names project (https://github.com/treyhunner/names, version {version}).
# Built by build_person_names.py beside this file. Do not edit by hand.
"""


def census(*lists: str) -> set[str]:
    """The names of the ``names`` package's census lists."""
    import names

    folder = Path(names.__file__).resolve().parent
    return {line.split()[0].upper() for name in lists
            for line in (folder / name).read_text("ascii").splitlines() if line.strip()}


def english_words() -> set[str]:
    """The words of ``english_word_frequencies.tsv``."""
    lines = (HERE / "english_word_frequencies.tsv").read_text("utf-8").splitlines()
    return {line.split("\t")[0] for line in lines if line and not line.startswith("#")}


def write(name: str, header: str, words: set[str]) -> None:
    """Write one file atomically."""
    out = HERE / name
    tmp = out.with_suffix(".tmp")
    tmp.write_text(header + "".join(f"{w}\n" for w in sorted(words)), "utf-8")
    os.replace(tmp, out)
    print(f"{out}: {len(words)} names")


def main() -> None:
    from importlib.metadata import version

    v = version("names")
    write("first_names.txt", HEADER.format(what="Given names", lists="dist.male.first, dist.female.first", version=v),
          census("dist.male.first", "dist.female.first"))
    write("word_surnames.txt", HEADER.format(what="Surnames that are English words (english_word_frequencies.tsv)",
                                             lists="dist.all.last", version=v),
          census("dist.all.last") & english_words())


if __name__ == "__main__":
    main()
