"""Amounts as text: exact, at least two decimals, no trailing zeros beyond."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from ace321.screening.money import amount_text


def _text(values: list[Decimal | None], dtype: pl.Decimal = pl.Decimal(38, 12)) -> list[str | None]:
    frame = pl.DataFrame({"v": values}, schema={"v": dtype})
    return frame.select(amount_text(pl.col("v"))).to_series().to_list()


def _expected(value: Decimal) -> str:
    text = format(value, "f")
    whole, _, decimals = text.partition(".")
    decimals = decimals.rstrip("0")
    return f"{whole}.{decimals.ljust(2, '0')}"


def test_examples() -> None:
    values = [Decimal("800"), Decimal("800.01"), Decimal("0.1"), Decimal("12.3456"), Decimal("0"),
              Decimal("-5.5"), Decimal("1000.001"), None]
    assert _text(values) == ["800.00", "800.01", "0.10", "12.3456", "0.00", "-5.50", "1000.001", None]


def test_without_decimals() -> None:
    assert _text([Decimal("800"), Decimal("0")], pl.Decimal(10, 0)) == ["800.00", "0.00"]


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=-10**12, max_value=10**12, places=12, allow_nan=False))
def test_exact_for_any_amount(value: Decimal) -> None:
    assert _text([value]) == [_expected(value)]
