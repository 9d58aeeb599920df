"""The canonical order-line CSV: one row per order line, UTF-8 (a byte-order mark is tolerated)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import polars as pl

from ace321.intake.errors import UnusableInput


def _encoding_problem(path: Path) -> str | None:
    """Where the file stops being UTF-8, read in blocks so a large file is never held twice."""
    decoder_offset = 0
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:
                offset = decoder_offset + error.start
                return f"not UTF-8 text (byte 0x{block[error.start]:02x} at offset {offset})"
            decoder_offset += len(block)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "not UTF-8 text (truncated character at the end)"
    return None


_HEAD_BYTES = 1 << 16


def _head_problem(head: bytes) -> str | None:
    """What the first bytes tell: UTF-16 (by its byte-order mark, or NUL bytes between
    ASCII letters), which Polars would read as columns of garbage."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ("not UTF-8 text (UTF-16, by its byte-order mark): save the file as UTF-8 "
                "(CSV UTF-8 in a spreadsheet)")
    if head.count(b"\x00") * 4 > len(head):
        return ("not UTF-8 text (every other byte is NUL, as in UTF-16): save the file as "
                "UTF-8 (CSV UTF-8 in a spreadsheet)")
    return None


def _header_names(head: bytes) -> list[str]:
    import csv

    text = head.decode("utf-8-sig", errors="replace")
    line = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    try:
        first = next(csv.reader([line]), [])
    except csv.Error:
        return []
    return [name.strip().lower() for name in first]


def _duplicate_column(head: bytes) -> str | None:
    names = _header_names(head)
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if name and name in seen:
            return (f"column {name!r} appears twice (columns {seen[name]} and {position}): "
                    "keep one")
        seen.setdefault(name, position)
    return None


def _bare_cr_row(path: Path) -> int | None:
    """The 1-based data row ended by a carriage return without a line feed (the header is
    row 0), or None. Quotes are not followed: a CR alone inside a quoted cell counts too.

    A file without any CR costs one ``find`` over its bytes (memchr); with CRLF endings, two
    byte counts per block.
    """
    import mmap

    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data.find(b"\r") == -1:
            return None
    newlines = 0
    carry = b""
    with path.open("rb") as handle:
        while block := handle.read(1 << 22):
            block, carry = carry + block, b""
            if block.endswith(b"\r"):
                block, carry = block[:-1], b"\r"
            if block.count(b"\r") != block.count(b"\r\n"):
                found = re.search(rb"\r(?!\n)", block)
                assert found is not None
                return newlines + block.count(b"\n", 0, found.start())
            newlines += block.count(b"\n")
    return None


def read_raw_csv(path: Path) -> pl.DataFrame:
    """Every cell as a string; a file that is not UTF-8 text with a header is unusable."""
    source = str(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise UnusableInput(source, f"cannot read file ({error.strerror or error})") from None
    if not path.is_file():
        raise UnusableInput(source, "cannot read file (not a regular file)")
    if size == 0:
        raise UnusableInput(source, "empty file (no header row)")
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    problem = _head_problem(head) or _duplicate_column(head)
    if problem is not None:
        raise UnusableInput(source, problem)
    data: Path | io.BytesIO = path
    if b"\r" in head and b"\n" not in head:
        # Classic Mac line endings (CR only) throughout: read as lines, not as one header row.
        data = io.BytesIO(path.read_bytes().replace(b"\r", b"\n"))
    else:
        # Polars reads a CR alone as a line break inside LF lines, shifting the cells.
        row = _bare_cr_row(path)
        if row is not None:
            raise UnusableInput(source, f"row {row}: a carriage return (CR) without a line feed "
                                        "ends a line: save the file with LF or CRLF line "
                                        "endings")
    try:
        # Polars strips a UTF-8 byte-order mark and refuses invalid UTF-8.
        frame = pl.read_csv(data, infer_schema=False, truncate_ragged_lines=False)
    except (pl.exceptions.PolarsError, ValueError, OSError) as error:
        problem = _encoding_problem(path)
        if problem is not None:
            raise UnusableInput(source, problem) from None
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise UnusableInput(source, f"not a readable CSV file ({first})") from None
    if not frame.columns or frame.columns == [""]:
        raise UnusableInput(source, "empty file (no header row)")
    return frame
