"""The input files an audit names: files, folders (their data files) and globs (expanded here, so a pattern
works in a shell that does not expand it)."""

from __future__ import annotations

import glob
from pathlib import Path

from checker.errors import InputError
from checker.sources.readers import JSONL_SUFFIXES, PARQUET_SUFFIXES, XLSX_SUFFIXES

DATA_SUFFIXES = (".csv", ".tsv", ".txt", *XLSX_SUFFIXES, *JSONL_SUFFIXES, *PARQUET_SUFFIXES)
"""The files of a folder that are audited (others, e.g. a README, are left alone)."""
GLOB_CHARS = frozenset("*?[")


def files_to_audit(args: list[str]) -> list[str]:
    """Each argument as files, in order and once each: a file as it is, a folder's data files by name, a glob's
    matches by name. A folder with no data file, or a glob matching none, is an error."""
    files: list[str] = []
    for arg in args:
        p = Path(arg)
        if p.is_dir() and p.suffix.lower() not in DATA_SUFFIXES:  # "x.parquet/" is left to its reader to refuse
            found = sorted(str(f) for f in p.iterdir() if f.is_file() and not f.name.startswith(".")
                           and f.suffix.lower() in DATA_SUFFIXES)
            if not found:
                raise InputError(arg, f"the folder holds no data file ({', '.join(DATA_SUFFIXES)})")
        elif GLOB_CHARS & set(arg) and not p.exists():
            found = sorted(f for f in glob.glob(arg, recursive=True) if Path(f).is_file())
            if not found:
                raise InputError(arg, "no file matches this pattern")
        else:
            found = [arg]
        files.extend(f for f in found if f not in files)
    return files
