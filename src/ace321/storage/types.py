"""Column types shared by the tables: exact money and UTC instants on every database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import DateTime, Numeric, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


def stored_type(decision: str) -> str | None:
    """The value written to an ``ace_shipment_type`` column for ``decision``: NULL for INVALID,
    which is not fileable (the columns are nullable since migration 0012)."""
    from ace321.screening.result import ace_shipment_type

    return ace_shipment_type(decision)


class StorageValueError(ValueError):
    """A value the database column cannot hold exactly."""


class Money(TypeDecorator[Decimal]):
    """An exact decimal: NUMERIC(precision, scale) where the database has it (PostgreSQL).

    SQLite has no exact decimal type (NUMERIC affinity turns values into 8-byte floats), so
    there the value is kept as its decimal text. On every database a value with more integer
    digits than ``precision - scale``, or more decimals than ``scale``, is refused with
    ``StorageValueError`` instead of being rounded.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int = 38, scale: int = 12) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.precision = precision
        self.scale = scale

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(self.precision + 2))
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        try:
            number = value if isinstance(value, Decimal) else Decimal(str(value))
        except InvalidOperation:
            raise StorageValueError(f"{value!r} is not a decimal number") from None
        if not number.is_finite():
            raise StorageValueError(f"{value!r} is not a finite number")
        _sign, digits, exponent = number.normalize().as_tuple()
        assert isinstance(exponent, int)
        decimals = max(0, -exponent)
        integer_digits = max(0, len(digits) + exponent)
        if decimals > self.scale or integer_digits > self.precision - self.scale:
            raise StorageValueError(
                f"{value} does not fit NUMERIC({self.precision},{self.scale}) exactly"
            )
        if dialect.name == "sqlite":
            return format(number, "f")
        return number

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(str(value))


class UtcDateTime(TypeDecorator[dt.datetime]):
    """An instant: stored in UTC, always read back timezone-aware in UTC.

    SQLite has no time zone type: SQLAlchemy writes an aware value's wall time and drops its
    offset, and reads back a naive value. So every value is converted to UTC before it is
    written (a naive one is refused), and a naive value read back is UTC by construction.
    PostgreSQL's ``timestamptz`` answers in the session's zone; it is converted to UTC too, so
    every layer prints the same ``+00:00`` instants.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise StorageValueError(f"{value!r} is not a date and time")
        if value.utcoffset() is None:
            raise StorageValueError(f"{value.isoformat()} has no UTC offset")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # a value written as text by a bulk path
            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
