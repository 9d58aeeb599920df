"""CSV files meant for a spreadsheet, with formula injection neutralised (OWASP).

Every String cell that a spreadsheet would run as a formula (``validation.formulas``) gets a
single quote in front: ``=HYPERLINK("http://x")`` becomes ``'=HYPERLINK("http://x")``, shown
as text. Plain numbers (``-12.50``) are left alone. Use ``safe_frame`` / ``csv_text`` for any
CSV a person may open (``check --output x.csv``, ``--format csv``, downloads of results) and
``safe_cell`` for rows written one by one (``ace_shipments.csv``).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ace321.validation.formulas import FORMULA_START, PLAIN_NUMBER, formula_like

QUOTE = "'"


def safe_cell(value: str) -> str:
    return QUOTE + value if formula_like(value) else value


def _safe(column: str) -> pl.Expr:
    value = pl.col(column)
    risky = value.str.contains(FORMULA_START) & ~value.str.contains(PLAIN_NUMBER)
    return pl.when(risky.fill_null(False)).then(pl.lit(QUOTE) + value).otherwise(value).alias(
        column)


def safe_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every String column neutralised (other types are untouched)."""
    names = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(_safe(name) for name in names) if names else frame


def csv_text(frame: pl.DataFrame) -> str:
    return safe_frame(frame).write_csv()


def write_csv(frame: pl.DataFrame, path: Path) -> None:
    safe_frame(frame).write_csv(path)
