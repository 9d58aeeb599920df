"""The canonical order-line CSV: one row per order line, UTF-8 (a byte-order mark is tolerated)."""

from __future__ import annotations

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
    try:
        # Polars strips a UTF-8 byte-order mark and refuses invalid UTF-8.
        frame = pl.read_csv(path, infer_schema=False, truncate_ragged_lines=False)
    except (pl.exceptions.PolarsError, ValueError, OSError) as error:
        problem = _encoding_problem(path)
        if problem is not None:
            raise UnusableInput(source, problem) from None
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise UnusableInput(source, f"not a readable CSV file ({first})") from None
    if not frame.columns or frame.columns == [""]:
        raise UnusableInput(source, "empty file (no header row)")
    return frame
