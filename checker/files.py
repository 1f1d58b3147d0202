"""Temporary files and folders: named with this tool's mark and process id, so leftovers of a killed run can be
proven this tool's own and removed by a later run."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

TEMP_MARK = "sanctuary-check"
"""In the name of every temporary file or folder the tool makes, followed by its process id."""


def temp_prefix(stem: str = "") -> str:
    """The start of a temporary name for this process: ``STEMsanctuary-check-PID-``."""
    return f"{stem}{TEMP_MARK}-{os.getpid()}-"


def remove_leftovers(folder: Path, prefix: str) -> None:
    """Remove files and folders named ``PREFIX<pid>-…`` in ``folder`` that a run of this tool left when it was
    killed: only those owned by this user whose process no longer exists."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        pid = entry.name[len(prefix):].split("-", 1)[0]
        try:
            if not pid.isdigit() or entry.stat(follow_symlinks=False).st_uid != os.getuid() or _alive(int(pid)):
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
        except OSError:
            continue


def _alive(pid: int) -> bool:
    """Whether a process with this id exists (one of another user's counts as alive: it is not ours to judge)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
