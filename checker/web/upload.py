"""An uploaded file streamed to a temporary folder as it arrives, with a size limit; the form's other fields kept.

A body larger than the limit is read to its end (so the browser gets the answer, not a broken connection) but
nothing past the limit is written, and the partial file is removed.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

MAX_FIELD = 64 * 1024
"""The largest text field of an upload form (its file apart)."""
MAX_FIELDS = 50
"""The most text fields an upload form may carry."""
_SAFE = re.compile(r"[^A-Za-z0-9._ -]+")


class TooLarge(Exception):
    """The upload is over the limit."""


class BadUpload(Exception):
    """The request is not a form with one file."""


@dataclass
class Upload:
    """The file (in its own temporary folder) and the text fields of an upload form (the last value of each, and
every value of a repeated one in ``lists``)."""

    folder: str
    path: str | None = None
    filename: str | None = None
    size: int = 0
    fields: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)

    def remove(self) -> None:
        """Remove the temporary folder and the file in it."""
        shutil.rmtree(self.folder, ignore_errors=True)


def safe_name(filename: str) -> str:
    """A file name to keep on disk: the last path part, characters other than letters, digits, ``._ -`` dropped,
    the suffix kept (the reader is chosen by it)."""
    name = _SAFE.sub("_", Path(filename.replace("\\", "/")).name).strip(" .") or "upload"
    stem, suffix = os.path.splitext(name)
    return f"{stem[:80] or 'upload'}{suffix[:10].lower()}"


async def receive_upload(request: Request, limit: int, directory: str | None = None) -> Upload:
    """Stream a ``multipart/form-data`` body: the one file to a new temporary folder, text fields to memory.

    Over ``limit`` bytes of file (or a body over ``limit`` plus the fields' allowance): ``TooLarge``, the folder
    removed. Not a form with one file, or too many or too large fields: ``BadUpload``.
    """
    kind, params = parse_options_header(request.headers.get("content-type", ""))
    if kind != b"multipart/form-data" or b"boundary" not in params:
        raise BadUpload("the upload is not a form with a file (multipart/form-data)")
    upload = Upload(tempfile.mkdtemp(prefix="sanctuary-upload-", dir=directory))
    state: dict = {"headers": [], "name": b"", "value": b"", "field": None, "out": None, "data": bytearray(),
                   "is_file": False}
    too_large = False

    def on_part_begin() -> None:
        state.update(headers=[], field=None, out=None, data=bytearray(), is_file=False)

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["name"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def on_header_end() -> None:
        state["headers"].append((state["name"].lower(), state["value"]))
        state["name"], state["value"] = b"", b""

    def on_headers_finished() -> None:
        disposition = dict(state["headers"]).get(b"content-disposition", b"")
        _, options = parse_options_header(disposition)
        state["field"] = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in options:
            state["is_file"] = True
            if not options[b"filename"]:
                return  # a file field left empty: no file
            if upload.path is not None:
                raise BadUpload("send one file at a time")
            upload.filename = options[b"filename"].decode("utf-8", "replace")
            upload.path = os.path.join(upload.folder, safe_name(upload.filename))
            state["out"] = open(upload.path, "wb")  # noqa: SIM115 - closed at the part's end or on error

    def on_part_data(data: bytes, start: int, end: int) -> None:
        nonlocal too_large
        chunk = data[start:end]
        if state["out"] is not None:
            upload.size += len(chunk)
            if upload.size > limit:
                too_large = True
                state["out"].close()
                state["out"] = None
                os.unlink(upload.path)
            else:
                state["out"].write(chunk)
        elif not state["is_file"] and not too_large:
            state["data"] += chunk
            if len(state["data"]) > MAX_FIELD:
                raise BadUpload(f"a form field is over {MAX_FIELD // 1024} KB")

    def on_part_end() -> None:
        if state["is_file"]:
            if state["out"] is not None:
                state["out"].close()
                state["out"] = None
        elif state["field"]:
            if sum(map(len, upload.lists.values())) >= MAX_FIELDS:
                raise BadUpload(f"the form has more than {MAX_FIELDS} fields")
            value = state["data"].decode("utf-8", "replace")
            upload.fields[state["field"]] = value
            upload.lists.setdefault(state["field"], []).append(value)

    parser = MultipartParser(params[b"boundary"], {
        "on_part_begin": on_part_begin, "on_part_data": on_part_data, "on_part_end": on_part_end,
        "on_header_field": on_header_field, "on_header_value": on_header_value, "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished})
    body = 0
    try:
        async for chunk in request.stream():
            body += len(chunk)
            if body > limit + MAX_FIELDS * MAX_FIELD and not too_large:
                too_large = True
                if state["out"] is not None:
                    state["out"].close()
                    state["out"] = None
            if too_large:
                continue  # read to the end: the browser then shows the answer, not a reset connection
            parser.write(chunk)
        if not too_large:
            parser.finalize()
    except BadUpload:
        upload.remove()
        raise
    except Exception as exc:  # python-multipart's own errors: a malformed body
        upload.remove()
        raise BadUpload("the upload could not be read (a malformed form)") from exc
    finally:
        if state["out"] is not None:
            state["out"].close()
    if too_large:
        upload.remove()
        raise TooLarge(limit)
    if upload.path is None:
        upload.remove()
        raise BadUpload("no file was chosen")
    return upload
