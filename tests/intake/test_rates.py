"""Exchange-rate CSV and the as-of rate lookup."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from ace321.intake.errors import UnusableInput
from ace321.intake.rates import RATE_TYPE, rate_lookup, read_rates


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rates.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def rates(tmp_path: Path) -> pl.DataFrame:
    return read_rates(
        write(
            tmp_path,
            "date,currency,usd_per_unit\n"
            "2026-03-02,CAD,0.7350\n"
            "2026-03-02,mxn,0.05812\n"
            "2026-02-27,CAD,0.7301\n"
            "2026-03-02,CAD,0.735\n",  # repeated with an equal rate: fine
        )
    )


def test_reads_types_and_sorts(rates: pl.DataFrame) -> None:
    assert rates.schema == pl.Schema(
        {"rate_date": pl.Date, "currency": pl.String, "usd_per_unit": RATE_TYPE}
    )
    assert rates.rows() == [
        (date(2026, 2, 27), "CAD", Decimal("0.7301")),
        (date(2026, 3, 2), "CAD", Decimal("0.7350")),
        (date(2026, 3, 2), "MXN", Decimal("0.05812")),
    ]


def test_header_is_case_and_space_insensitive_and_bom_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"\xef\xbb\xbf Date ,CURRENCY,Usd_Per_Unit\n2026-01-05,EUR,1.04\n")
    assert read_rates(path)["currency"].to_list() == ["EUR"]


def test_header_only_gives_empty_frame(tmp_path: Path) -> None:
    rates = read_rates(write(tmp_path, "date,currency,usd_per_unit\n"))
    assert rates.height == 0
    assert rates.schema["usd_per_unit"] == RATE_TYPE


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2026-02-30,CAD,0.73", "row 2, field date: '2026-02-30' is not a date"),
        ("05/03/2026,CAD,0.73", "row 2, field date: '05/03/2026' is not a date"),
        (",CAD,0.73", "row 2, field date: empty"),
        ("2026-03-03,CDN,0.73", "row 2, field currency: 'CDN' is not an ISO 4217"),
        ("2026-03-03,,0.73", "row 2, field currency: empty"),
        ("2026-03-03,CAD,0,73", None),  # a ragged row: the CSV itself is unreadable
        ("2026-03-03,CAD,abc", "row 2, field usd_per_unit: 'abc' is not a decimal number"),
        ("2026-03-03,CAD,-0.73", "row 2, field usd_per_unit: '-0.73' is not a decimal number"),
        ("2026-03-03,CAD,0", "row 2, field usd_per_unit: '0' must be greater than 0"),
        ("2026-03-03,CAD,0.000", "row 2, field usd_per_unit: '0.000' must be greater than 0"),
        ("2026-03-03,CAD,0.123456789", "row 2, field usd_per_unit: '0.123456789' has more than 8"),
        ("2026-03-03,CAD,", "row 2, field usd_per_unit: empty"),
        ("2026-03-01,CAD,0.74", "row 2, field usd_per_unit: 0.74 for CAD on 2026-03-01 conflicts"),
    ],
)
def test_bad_rows_are_unusable(tmp_path: Path, row: str, message: str | None) -> None:
    path = write(tmp_path, f"date,currency,usd_per_unit\n2026-03-01,CAD,0.73\n{row}\n")
    with pytest.raises(UnusableInput, match=message) as error:
        read_rates(path)
    assert error.value.source == str(path)


def test_first_bad_row_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "date,currency,usd_per_unit\n2026-03-01,CAD,x\n2026-13-01,XYZ,0\n")
    with pytest.raises(UnusableInput, match=r": row 1, field usd_per_unit"):
        read_rates(path)


def test_missing_column_is_unusable(tmp_path: Path) -> None:
    with pytest.raises(UnusableInput, match="missing column 'usd_per_unit'"):
        read_rates(write(tmp_path, "date,currency,rate\n2026-03-01,CAD,0.73\n"))


def lookup(rates: pl.DataFrame, *pairs: tuple[str | None, date | None]) -> list[Decimal | None]:
    frame = pl.DataFrame(
        {"currency": [c for c, _ in pairs], "arrival_date": [d for _, d in pairs]},
        schema={"currency": pl.String, "arrival_date": pl.Date},
    )
    result = rate_lookup(rates, frame)
    assert result.select("currency", "arrival_date").equals(frame)  # order and columns kept
    return result["usd_per_unit"].to_list()


def test_rate_dated_the_arrival_day_is_used(rates: pl.DataFrame) -> None:
    assert lookup(rates, ("CAD", date(2026, 3, 2))) == [Decimal("0.7350")]


def test_rate_dated_the_day_after_is_not_used(rates: pl.DataFrame) -> None:
    # 2026-03-01 (a Sunday): the latest rate on or before it is Friday's.
    assert lookup(rates, ("CAD", date(2026, 3, 1))) == [Decimal("0.7301")]
    assert lookup(rates, ("MXN", date(2026, 3, 1))) == [None]


def test_latest_earlier_rate_is_used_and_order_is_kept(rates: pl.DataFrame) -> None:
    assert lookup(
        rates,
        ("CAD", date(2026, 12, 31)),
        ("CAD", date(2026, 2, 26)),  # before the first rate
        ("MXN", date(2026, 3, 9)),
        ("CAD", date(2026, 2, 28)),
        ("EUR", date(2026, 3, 9)),  # no rates for that currency
        ("USD", date(2026, 3, 9)),  # not looked up: the caller handles USD
        ("CAD", None),
        (None, date(2026, 3, 9)),
    ) == [
        Decimal("0.7350"),
        None,
        Decimal("0.05812"),
        Decimal("0.7301"),
        None,
        None,
        None,
        None,
    ]


def test_lookup_keeps_other_columns_and_replaces_stale_rate(rates: pl.DataFrame) -> None:
    pairs = pl.DataFrame(
        {
            "order_id": ["b", "a"],
            "currency": ["CAD", "CAD"],
            "arrival_date": [date(2026, 3, 2), date(2026, 2, 27)],
            "usd_per_unit": [Decimal("9"), Decimal("9")],
        }
    )
    result = rate_lookup(rates, pairs)
    assert result.columns == ["order_id", "currency", "arrival_date", "usd_per_unit"]
    assert result.rows() == [
        ("b", "CAD", date(2026, 3, 2), Decimal("0.7350")),
        ("a", "CAD", date(2026, 2, 27), Decimal("0.7301")),
    ]
