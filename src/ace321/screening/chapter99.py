"""Rule E2: which lines are articles classified in Chapter 99, Subchapters III or IV.

Here: lines subject to a modelled additional duty (Section 301 or 122, see ``costs.measures``)
on their arrival date. Only needed on dates when the $250 parenthetical of 19 CFR 143.21(a) is
in force (before 2025-04-30): on later dates this costs one look at the distinct dates.
"""

from __future__ import annotations

import polars as pl

from ace321.rules import RuleSet

LIMIT = "entry.chapter99_formal_limit"
_NONE = pl.lit(False).alias("is_ch99")


def programs(spi: str | None) -> frozenset[str]:
    """The special programs a line claims (its ``spi``, upper case)."""
    return frozenset({spi.strip().upper()}) if spi and spi.strip() else frozenset()


def line_flag(lines: pl.DataFrame, rules: RuleSet) -> pl.Expr:
    """``is_ch99``: the line is subject to a modelled Chapter 99 measure on a day the limit holds."""
    parameter = rules.parameters.get(LIMIT)
    if parameter is None or lines.is_empty():
        return _NONE
    days = [
        day for day in lines["arrival"].drop_nulls().unique().to_list()
        if rules.covers(day) and (step := parameter.step_at(day)) is not None and step.value is not None
    ]
    if not days:
        return _NONE
    from ace321.costs.measures import applicable, load_measures

    measures = load_measures()
    keys = lines.filter(pl.col("arrival").is_in(days) & pl.col("hts").is_not_null()).select(
        "hts", "origin", "arrival", "spi"
    ).unique()
    hits = [
        f"{hts}|{origin or ''}|{arrival}|{spi or ''}"
        for hts, origin, arrival, spi in keys.iter_rows()
        if applicable(measures, hts, origin, arrival, programs(spi))[0]
    ]
    if not hits:
        return _NONE
    key = pl.concat_str(
        [pl.col("hts"), pl.col("origin").fill_null(""), pl.col("arrival").cast(pl.String),
         pl.col("spi").fill_null("")], separator="|",
    )
    return key.is_in(pl.Series(hits, dtype=pl.String).implode()).fill_null(False).alias("is_ch99")
