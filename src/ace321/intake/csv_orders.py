"""The canonical order-line CSV: one row per order line, UTF-8 (a byte-order mark is tolerated)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ace321.intake.errors import UnusableInput


def read_raw_csv(path: Path) -> pl.DataFrame:
    """Every cell as a string; a file that is not UTF-8 text with a header is unusable."""
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnusableInput(source, f"cannot read file ({error.strerror or error})") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnusableInput(
            source, f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})"
        ) from None
    if not data.strip():
        raise UnusableInput(source, "empty file (no header row)")
    try:
        return pl.read_csv(data, infer_schema=False, truncate_ragged_lines=False)
    except (pl.exceptions.PolarsError, ValueError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise UnusableInput(source, f"not a readable CSV file ({first})") from None

