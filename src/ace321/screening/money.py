"""Money shown to people: exact Decimal values as text, never rounded away."""

from __future__ import annotations

import polars as pl


def amount_text(value: pl.Expr) -> pl.Expr:
    """Decimal as text with at least two decimals and no trailing zeros beyond: 800.010000 -> 800.01.

    Plain string operations rather than a regular expression: this runs over every shipment.
    """
    text = value.cast(pl.String)
    text = pl.when(text.str.contains(".", literal=True)).then(text).otherwise(text + ".")
    text = text.str.strip_chars_end("0")
    decimals = text.str.len_bytes() - text.str.find(".", literal=True) - 1
    return (
        pl.when(decimals == 0)
        .then(text + "00")
        .when(decimals == 1)
        .then(text + "0")
        .otherwise(text)
    )


def dollars(value: pl.Expr) -> pl.Expr:
    return pl.lit("$") + amount_text(value)
