"""JSON order input sent over HTTP turned into the canonical frame (CSV files are read by
``ace321.app.uploads``).

Unusable input is a 422 problem naming the field, as the CLI names them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import polars as pl
from fastapi import Request
from pydantic import TypeAdapter, ValidationError
from starlette.datastructures import UploadFile

from ace321.api.problems import ApiProblem, issue, validation_issues
from ace321.api.schemas.screening import ScreenCreate, ShipmentCreate, ShipmentList
from ace321.app.uploads import kind_of
from ace321.intake import UnusableInput, columns, frame_from_shipments
from ace321.intake.json_orders import rows_from_shipments
from ace321.intake.json_text import parse_json_bytes
from ace321.validation.dates import parse_date

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


_JSON_BODY: TypeAdapter[list[ShipmentCreate] | ScreenCreate] = TypeAdapter(
    ShipmentList | ScreenCreate)


def frame_from_json_bytes(data: bytes, source: str, as_of: dt.date | None
                          ) -> tuple[pl.DataFrame, dt.date | None]:
    """A JSON order file (``POST /v1/screen``'s body, as a file) checked against the API's
    schema: the frame and the arrival date (``as_of``, else the body's own). The
    ``ace321.app.uploads.JsonReader`` of the API and the web."""
    try:
        document = parse_json_bytes(data, "body")
    except UnusableInput as error:
        code = "UNUSABLE_INPUT" if error.cause.startswith("not UTF-8") else "INVALID_JSON"
        raise ApiProblem(422, f"body: {error.cause}", code=code, issues=[issue(
            code, error.cause, field="body")]) from None
    try:
        parsed = _JSON_BODY.validate_python(document)
    except ValidationError as error:
        found = validation_issues(error.errors(), document)
        raise ApiProblem(422, found[0]["message"], code="INVALID_REQUEST",
                         issues=found) from None
    if isinstance(parsed, ScreenCreate):
        shipments, as_of = parsed.shipments, as_of or parsed.as_of
    else:
        shipments = parsed
    return frame_from_json([s.model_dump(exclude_unset=True) for s in shipments],
                           "body"), as_of


def request_date(text: str | None, field: str) -> dt.date | None:
    """A date of a form or query field (strict ISO), or a 422 problem naming the field."""
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError:
        raise ApiProblem(422, f"{field}: {text!r} is not a date (YYYY-MM-DD)",
                         code="INVALID_REQUEST", issues=[issue(
                             "INVALID_REQUEST", f"{text!r} is not a date (YYYY-MM-DD)",
                             field=field)]) from None


async def order_upload(request: Request, name: str | None, as_of: dt.date | None
                  ) -> tuple[str, bytes, str, dt.date | None]:
    """(kind, bytes, name, as_of) of the upload, whatever its Content-Type."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=10)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ApiProblem(422, "file: the multipart body needs a file field `file`",
                             code="INVALID_REQUEST", issues=[issue(
                                 "INVALID_REQUEST", "a file field `file` is required",
                                 field="file")])
        data = await upload.read()
        form_date = form.get("as_of")
        as_of = as_of or request_date(form_date if isinstance(form_date, str) else None, "as_of")
        filename = name or upload.filename or "upload.csv"
        return kind_of(filename), data, filename, as_of
    if media in ("text/csv", "application/csv", "text/plain"):
        return "csv", await request.body(), name or "upload.csv", as_of
    if media == "application/json" or media.endswith("+json"):
        return "json", await request.body(), name or "upload.json", as_of
    raise ApiProblem(415, f"Content-Type {media or '(none)'!r} is not accepted: send "
                          "multipart/form-data, text/csv or application/json",
                     code="UNSUPPORTED_MEDIA_TYPE")
