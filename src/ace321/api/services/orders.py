"""Order input sent over HTTP (JSON shipments or CSV bytes) turned into the canonical frame.

Unusable input is a 422 problem naming the field (JSON) or the row (CSV), as the CLI names them.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import tempfile
from typing import Any

import polars as pl

from ace321.api.problems import ApiProblem, issue
from ace321.intake import UnusableInput, frame_from_shipments, read_orders

_JSON_PATH = re.compile(r"(shipments\[\d+\](?:\.lines(?:\[\d+\])?)?)")


def unusable(error: UnusableInput, source: str, *, row: int | None = None,
             field: str | None = None) -> ApiProblem:
    cause = error.cause
    if field is None:
        found = _JSON_PATH.search(cause)
        field = found.group(1) if found else None
    return ApiProblem(422, f"{source}: {cause}", code="UNUSABLE_INPUT", issues=[
        issue("UNUSABLE_INPUT", cause, field=field, row=row)])


def frame_from_json(shipments: list[dict[str, Any]], source: str = "request body"
                    ) -> pl.DataFrame:
    try:
        return frame_from_shipments(shipments, source)
    except UnusableInput as error:
        raise unusable(error, source) from None


def frame_from_csv(data: bytes, source: str) -> pl.DataFrame:
    """Read CSV bytes (canonical order lines; a Shopify export needs a catalog, not taken here)."""
    if not data.strip():
        raise ApiProblem(422, f"{source}: empty file (no header row)", code="UNUSABLE_INPUT",
                         issues=[issue("UNUSABLE_INPUT", "empty file (no header row)", row=0)])
    handle, path = tempfile.mkstemp(suffix=".csv", prefix="ace321-upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        try:
            return read_orders(path)
        except UnusableInput as error:
            cause = error.cause.replace("--catalog", "a catalog (use the CLI)")
            error = UnusableInput(source, cause)
            missing = re.search(r"missing required column '([^']+)'", cause)
            raise unusable(error, source, row=_bad_row(data),
                           field=missing.group(1) if missing else None) from None
    finally:
        os.unlink(path)


def _bad_row(data: bytes) -> int | None:
    """The 1-based data row where the CSV stops being readable (not UTF-8, wrong field count)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        text = decoder.decode(data, final=True)
    except UnicodeDecodeError as error:
        return data[:error.start].count(b"\n")  # the header is row 0
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
        for number, row in enumerate(reader, start=1):
            if row and len(row) != len(header):
                return number
    except (csv.Error, StopIteration):
        return max(reader.line_num - 1, 0)
    return None
