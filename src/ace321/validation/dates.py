"""Dates and times as this product reads them: ``YYYY-MM-DD`` exactly, never a guess.

``datetime.date.fromisoformat`` also takes ``20261123`` and ``2026-W47-1``; Polars' ``%Y``
takes ``26-11-23`` as the year 26 and ``+2026-11-23``; pydantic takes ``20261123`` as Unix time
(1970-08-23). Every reader of a date goes through here instead.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

import polars as pl
from pydantic import BeforeValidator

ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# A date, then a time (hours and minutes at least), then an optional UTC offset or Z.
ISO_DATE_TIME = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
                 r"(Z|[+-][0-9]{2}:?[0-9]{2})?$")
_DATE = re.compile(ISO_DATE)
_DATE_TIME = re.compile(ISO_DATE_TIME)


def parse_date(text: str) -> dt.date:
    """The date ``YYYY-MM-DD``; ``ValueError`` for anything else (other forms, unreal dates)."""
    if not _DATE.match(text):
        raise ValueError(f"{text!r} is not a date in YYYY-MM-DD form")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date") from None


def parse_date_time(text: str) -> dt.datetime:
    """An ISO 8601 date and time (``2026-11-23T10:00:00-05:00``); ``ValueError`` otherwise."""
    if not _DATE_TIME.match(text):
        raise ValueError(f"{text!r} is not a date and time in ISO 8601 form "
                         "(YYYY-MM-DDTHH:MM:SS with a UTC offset)")
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date and time") from None


def date_expr(text: pl.Expr) -> pl.Expr:
    """The Polars date of ``YYYY-MM-DD`` text, null for anything else."""
    return pl.when(text.str.contains(ISO_DATE)).then(text.str.to_date("%Y-%m-%d", strict=False))


def _date_input(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise ValueError("must be a date in YYYY-MM-DD form, not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return parse_date(value.strip())
    raise ValueError("must be a date in YYYY-MM-DD form (text), not a number")


def _date_time_input(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        return parse_date_time(value.strip())
    raise ValueError("must be an ISO 8601 date and time (text, e.g. 2026-11-23T10:00:00-05:00), "
                     "not a number")


StrictDate = Annotated[dt.date, BeforeValidator(_date_input)]
"""A pydantic date given as ``YYYY-MM-DD`` text (or a date): no Unix time, no other forms."""
StrictDateTime = Annotated[dt.datetime, BeforeValidator(_date_time_input)]
"""A pydantic date and time given as ISO 8601 text (or a datetime): no Unix time."""
