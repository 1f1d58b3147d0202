"""Write the xlsx-, jsonl- and parquet- files of this folder from ``corpus()`` in tests/test_hostile_readers.py.

Run it from the project's root after changing the corpus: ``python tests/adversarial/make_binary_corpus.py``.
The files are the same byte for byte each time (a fixed seed, no time stamps), except the Parquet ones, which
hold the version of the pyarrow that wrote them.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    sys.dont_write_bytecode = True  # no __pycache__ among the corpus files
    sys.path.insert(0, str(HERE.parent))
    from test_hostile_readers import corpus

    for name, body in sorted(corpus().items()):
        (HERE / name).write_bytes(body)
        print(f"{len(body):>7,}  {name}")


if __name__ == "__main__":
    main()
