"""Money shown to people: exact Decimal values as text, never rounded away."""

from __future__ import annotations

import polars as pl


def amount_text(value: pl.Expr) -> pl.Expr:
    """Decimal as text with at least two decimals and no trailing zeros beyond: 800.010000 -> 800.01."""
    text = value.cast(pl.String)
    text = pl.when(text.str.contains(r"\.")).then(text).otherwise(text + ".00")
    return text.str.replace(r"(\.\d\d\d*?)0+$", "$1").str.replace(r"\.(\d)$", ".${1}0")


def dollars(value: pl.Expr) -> pl.Expr:
    return pl.lit("$") + amount_text(value)
