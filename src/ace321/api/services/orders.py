"""Order input sent over HTTP (JSON shipments or CSV bytes) turned into the canonical frame.

Unusable input is a 422 problem naming the field (JSON) or the row (CSV), as the CLI names them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from typing import Any

import polars as pl

from ace321.api.problems import ApiProblem, issue
from ace321.app.settings import ShopifySettings
from ace321.app.uploads import frame_from_csv_bytes
from ace321.intake import UnusableInput, columns, frame_from_shipments
from ace321.intake.json_orders import rows_from_shipments

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


# What Polars' str.strip_chars() strips (Unicode White_Space); Python's str.strip() would also
# strip U+001C..U+001F, which the CSV path keeps.
_WHITESPACE = ("\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
               "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_SCHEMA = {**dict.fromkeys(columns.ALL, pl.String), columns.ROW: pl.Int64,
           columns.LINE_INDEX: pl.Int64}


def json_rows(shipments: Any, source: str = "request body") -> list[dict[str, str | None]]:
    """The order lines of a JSON body, checked (a 422 problem naming the field if unusable)."""
    try:
        rows = rows_from_shipments(shipments, source)
        if not rows:
            raise UnusableInput(source, "no shipments")
    except UnusableInput as error:
        raise unusable(error, source) from None
    return rows


def frame_from_rows(rows: list[dict[str, str | None]]) -> pl.DataFrame:
    """The canonical frame of JSON order lines, equal to ``frame_from_shipments``'s.

    Built in Python and handed to Polars once: for the few lines of an API request the
    expression-per-column path cost 1.3 ms, as much as a third of screening one shipment.
    ``tests/api/test_orders.py`` holds the two paths equal.
    """
    data: dict[str, list[Any]] = {name: [] for name in columns.ALL}
    for row in rows:
        for name, values in data.items():
            value = row.get(name)
            values.append(value.strip(_WHITESPACE) or None if value is not None else None)
    shipment_ids = [s if s is not None else o
                    for s, o in zip(data["shipment_id"], data["order_id"], strict=True)]
    data["shipment_id"] = shipment_ids
    seen: dict[str | None, int] = {}
    line_index = []
    for shipment_id in shipment_ids:
        line_index.append(seen.get(shipment_id, 0))
        seen[shipment_id] = line_index[-1] + 1
    data[columns.ROW] = list(range(1, len(rows) + 1))
    data[columns.LINE_INDEX] = line_index
    return pl.DataFrame(data, schema=_SCHEMA)


def frame_from_csv(data: bytes, source: str, shopify: ShopifySettings | None = None
                   ) -> pl.DataFrame:
    """Read CSV bytes: canonical order lines, or a Shopify export with the tenant's Shopify
    settings (``shopify``; without them a Shopify export is a 422 naming the settings)."""
    if not data.strip():
        raise ApiProblem(422, f"{source}: empty file (no header row)", code="UNUSABLE_INPUT",
                         issues=[issue("UNUSABLE_INPUT", "empty file (no header row)", row=0)])
    try:
        return frame_from_csv_bytes(data, source, shopify=shopify)
    except UnusableInput as error:
        missing = re.search(r"missing required column '([^']+)'", error.cause)
        raise unusable(error, error.source, row=_bad_row(data),
                       field=missing.group(1) if missing else None) from None


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
