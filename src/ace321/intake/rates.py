"""Exchange rates to US dollars, supplied by the user as a CSV file.

Source format: UTF-8 CSV (a byte-order mark is tolerated) with the header
``date,currency,usd_per_unit`` (case and surrounding spaces in the header do not matter), one
row per rate: ``date`` in ISO form ``YYYY-MM-DD``, ``currency`` an ISO 4217 alphabetic code
(any case), ``usd_per_unit`` the US dollars one unit of the currency is worth on that date, a
plain decimal number greater than 0 with at most 8 decimal places (``0.73125``). The same
(date, currency) may be repeated only with the same rate. Rows may be in any order.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ace321.intake.csv_orders import read_raw_csv
from ace321.intake.errors import UnusableInput
from ace321.validation import iso_codes

RATE_TYPE = pl.Decimal(38, 12)
COLUMNS = ("date", "currency", "usd_per_unit")
_MAX_DECIMALS = 8
_MAX_INTEGER_DIGITS = 38 - 12
_CURRENCIES = list(iso_codes.CURRENCIES)


def _problems() -> list[tuple[str, pl.Expr]]:
    """(field, message or null) for each check, in the order they are reported."""
    date = pl.col("date")
    currency = pl.col("currency")
    rate = pl.col("usd_per_unit")
    shown = {name: pl.lit("'") + pl.col(name) + pl.lit("'") for name in COLUMNS}
    return [
        ("date", pl.when(date.is_null()).then(pl.lit("empty"))),
        (
            "date",
            pl.when(pl.col("rate_date").is_null()).then(
                shown["date"] + pl.lit(" is not a date (YYYY-MM-DD)")
            ),
        ),
        ("currency", pl.when(currency.is_null()).then(pl.lit("empty"))),
        (
            "currency",
            pl.when(~currency.is_in(_CURRENCIES)).then(
                shown["currency"] + pl.lit(" is not an ISO 4217 currency code")
            ),
        ),
        ("usd_per_unit", pl.when(rate.is_null()).then(pl.lit("empty"))),
        (
            "usd_per_unit",
            pl.when(~rate.str.contains(r"^[0-9]+(\.[0-9]+)?$")).then(
                shown["usd_per_unit"] + pl.lit(" is not a decimal number (like 0.7312)")
            ),
        ),
        (
            "usd_per_unit",
            pl.when(rate.str.extract(r"\.([0-9]+)$").str.len_chars() > _MAX_DECIMALS).then(
                shown["usd_per_unit"] + pl.lit(f" has more than {_MAX_DECIMALS} decimal places")
            ),
        ),
        (
            "usd_per_unit",
            pl.when(rate.str.extract(r"^0*([0-9]*)").str.len_chars() > _MAX_INTEGER_DIGITS).then(
                shown["usd_per_unit"] + pl.lit(" is too large")
            ),
        ),
        (
            "usd_per_unit",
            pl.when(rate.str.contains(r"^[0-9]+(\.[0-9]+)?$") & ~rate.str.contains("[1-9]")).then(
                shown["usd_per_unit"] + pl.lit(" must be greater than 0")
            ),
        ),
    ]


def _raise_first(frame: pl.DataFrame, source: str) -> None:
    """Raise ``UnusableInput`` for the first row (then first field) with a problem, if any."""
    checks = _problems()
    found = frame.select(
        pl.col("_row"),
        *(message.alias(f"p{index}") for index, (_, message) in enumerate(checks)),
    ).filter(pl.any_horizontal(pl.all().exclude("_row").is_not_null()))
    if not found.height:
        return
    first = found.row(0, named=True)
    for index, (field, _) in enumerate(checks):
        if first[f"p{index}"] is not None:
            raise UnusableInput(source, f"row {first['_row']}, field {field}: {first[f'p{index}']}")


def read_rates(path: Path) -> pl.DataFrame:
    """``rate_date`` (Date), ``currency`` (upper case), ``usd_per_unit`` (Decimal(38, 12)),
    sorted by currency then date, one row per (date, currency).
    """
    source = str(path)
    raw = read_raw_csv(path)
    raw = raw.rename({name: name.strip().lower() for name in raw.columns})
    missing = [name for name in COLUMNS if name not in raw.columns]
    if missing:
        raise UnusableInput(source, f"missing column {missing[0]!r} (expected {','.join(COLUMNS)})")
    frame = raw.select(
        pl.col(name).cast(pl.String).str.strip_chars().replace("", None).alias(name)
        for name in COLUMNS
    ).with_columns(
        pl.col("currency").str.to_uppercase(),
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("_row"),
        pl.when(pl.col("date").str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))
        .then(pl.col("date").str.to_date("%Y-%m-%d", strict=False))
        .alias("rate_date"),
    )
    _raise_first(frame, source)
    frame = frame.with_columns(
        pl.col("usd_per_unit").alias("rate_text"), pl.col("usd_per_unit").cast(RATE_TYPE)
    )

    # The same (date, currency) twice is fine only with equal rates (1.5 equals 1.50).
    key = ("rate_date", "currency")
    conflicts = frame.with_columns(
        pl.col("_row").first().over(key).alias("first_row"),
        pl.col("rate_text").first().over(key).alias("first_text"),
        pl.col("usd_per_unit").first().over(key).alias("first_rate"),
    ).filter(pl.col("usd_per_unit") != pl.col("first_rate"))
    if conflicts.height:
        row = conflicts.row(0, named=True)
        raise UnusableInput(
            source,
            f"row {row['_row']}, field usd_per_unit: {row['rate_text']} for {row['currency']} "
            f"on {row['rate_date']} conflicts with {row['first_text']} on row {row['first_row']}",
        )
    return (
        frame.unique(subset=["rate_date", "currency"], keep="first", maintain_order=True)
        .select("rate_date", "currency", "usd_per_unit")
        .sort("currency", "rate_date")
    )


def rate_lookup(rates: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """``pairs`` (any columns, including ``currency`` and ``arrival_date`` as Date) with
    ``usd_per_unit`` added: the latest rate of that currency dated on or before the arrival
    date, null when there is none (or the arrival date is null). Row order is kept.

    USD gets no special treatment: it has a rate only if the rates file gives one.
    """
    index = "__rate_lookup_index"
    left = pairs.drop("usd_per_unit", strict=False).with_row_index(index)
    known = left.filter(pl.col("arrival_date").is_not_null() & pl.col("currency").is_not_null())
    right = rates.select("rate_date", "currency", "usd_per_unit").sort("rate_date")
    found = known.sort("arrival_date").join_asof(
        right,
        left_on="arrival_date",
        right_on="rate_date",
        by="currency",
        strategy="backward",
        check_sortedness=False,  # both sides are sorted by date just above
    )
    return (
        left.join(found.select(index, "usd_per_unit"), on=index, how="left").sort(index).drop(index)
    )
