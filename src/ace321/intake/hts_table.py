"""The US Harmonized Tariff Schedule as exported by the USITC (hts.usitc.gov, "CSV export").

Source format: UTF-8 CSV (a byte-order mark is tolerated), one row per line of the schedule,
columns ``HTS Number`` (dotted, e.g. ``0101.21.00.10``; empty on heading-only lines such as
"Horses:"), ``Indent`` (depth in the hierarchy, 0 for four-digit headings), ``Description``,
``Unit of Quantity``, ``General Rate of Duty``, ``Special Rate of Duty``, ``Column 2 Rate of
Duty``, ``Quota Quantity``, ``Additional Duties``.

A line's own description is often meaningless alone ("Other"): its full description is the
chain of the descriptions of its ancestors by ``Indent``, including unnumbered heading lines,
and is computed before those lines are dropped. Ten-digit statistical lines usually carry no
rate of duty: it sits on the eight-digit parent; ``general_rate`` is kept as written.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ace321.intake.csv_orders import read_raw_csv
from ace321.intake.errors import UnusableInput

_NUMBER = "hts number"
_INDENT = "indent"
_DESCRIPTION = "description"
_GENERAL = "general rate of duty"


def hts_digits(code: str) -> str:
    """An HTS number as digits only: dots and spaces removed.

    >>> hts_digits(" 0101.21.00.10 ")
    '0101210010'
    """
    return "".join(code.split()).replace(".", "")


def _cell(name: str) -> pl.Expr:
    return pl.col(name).str.strip_chars().replace("", None)


def _chain(max_indent: int) -> pl.Expr:
    """The ancestors' descriptions followed by the line's own, joined by spaces.

    ``level_k`` holds the description of the latest line of indent ``k``, reset to ``""``
    by any later line of a smaller indent (which starts a new branch).
    """
    indent = pl.col("indent")
    parts = []
    for level in range(max_indent):
        latest = (
            pl.when(indent == level)
            .then(pl.col("description"))
            .when(indent < level)
            .then(pl.lit(""))
            .forward_fill()
        )
        # An ancestor is a heading: make it read as one even if it lacks the colon.
        heading = (
            pl.when(latest.str.ends_with(":") | (latest == "")).then(latest).otherwise(latest + ":")
        )
        parts.append(pl.when(indent > level).then(heading).otherwise(None))
    parts.append(pl.col("description").fill_null(""))
    return (
        pl.concat_list(parts)
        .list.drop_nulls()
        .list.eval(pl.element().filter(pl.element() != ""))
        .list.join(" ")
    )


def read_hts_table(path: Path) -> pl.DataFrame:
    """Columns ``hts`` (digits only), ``indent`` (Int64), ``description``, ``general_rate``
    and ``full_description``; lines without an HTS number are dropped (after serving as
    ancestors in ``full_description``).
    """
    source = str(path)
    raw = read_raw_csv(path)
    raw = raw.rename({name: name.strip().lower() for name in raw.columns})
    for needed, shown in (
        (_NUMBER, "HTS Number"),
        (_INDENT, "Indent"),
        (_DESCRIPTION, "Description"),
    ):
        if needed not in raw.columns:
            raise UnusableInput(source, f"not an HTS table: no {shown!r} column")
    general = _cell(_GENERAL) if _GENERAL in raw.columns else pl.lit(None, dtype=pl.String)
    table = raw.select(
        _cell(_NUMBER).str.replace_all(r"[.\s]", "").alias("hts"),
        _cell(_INDENT).alias("indent_text"),
        _cell(_DESCRIPTION).alias("description"),
        general.alias("general_rate"),
    ).with_columns(pl.col("indent_text").cast(pl.Int64, strict=False).alias("indent"))

    bad = table.with_row_index("row", offset=1).filter(
        pl.col("indent").is_null()
        | (pl.col("indent") < 0)
        | (pl.col("hts").is_not_null() & ~pl.col("hts").str.contains(r"^[0-9]+$"))
    )
    if bad.height:
        first = bad.row(0, named=True)
        field, value = (
            ("HTS Number", first["hts"])
            if first["indent"] is not None and first["indent"] >= 0
            else ("Indent", first["indent_text"])
        )
        raise UnusableInput(source, f"row {first['row']}, field {field}: bad value {value!r}")

    max_indent = int(table["indent"].cast(pl.Int64).max() or 0)  # type: ignore[arg-type]
    return (
        table.with_columns(_chain(max_indent).alias("full_description"))
        .filter(pl.col("hts").is_not_null())
        .select("hts", "indent", "description", "general_rate", "full_description")
    )


def known_codes(table: pl.DataFrame) -> pl.Series:
    """Every 6-, 8- and 10-digit code of the table, plus the 6- and 8-digit prefixes of the
    10-digit ones (a parent may be implied without a line of its own); unique, sorted.
    """
    hts = table["hts"].drop_nulls()
    ten = hts.filter(hts.str.len_chars() == 10)
    codes = pl.concat(
        [
            hts.filter(hts.str.len_chars().is_in([6, 8, 10])),
            ten.str.slice(0, 6),
            ten.str.slice(0, 8),
        ]
    )
    return codes.unique().sort().rename("hts")


def full_description(table: pl.DataFrame, hts: str) -> str:
    """The description of ``hts`` (dotted or not) preceded by those of its ancestors.

    Raises ``KeyError`` for a code that has no line of its own in the table.
    """
    code = hts_digits(hts)
    found = table.filter(pl.col("hts") == code)
    if not found.height:
        raise KeyError(f"HTS {hts!r} is not a line of the table")
    return str(found["full_description"][0])
