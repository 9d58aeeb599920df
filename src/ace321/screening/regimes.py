"""The dated rules as columns: one row of parameters per arrival date present in the data.

Per-row work runs on unique dates only; list parameters (HTS prefixes, origins) become
expressions over the date intervals in which each list was in force. Both depend on the rules
and the dates alone, so they are cached by rules version: a server screening a few shipments
per call builds them once, not on every call.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl

from ace321.rules import RuleSet
from ace321.screening.money import dollars

MONEY = pl.Decimal(38, 12)

# Scalar parameters joined to shipments by arrival date: column prefix -> parameter name.
SCALARS = {
    "threshold": "deminimis.threshold",
    "suspended_globally": "deminimis.suspended_globally",
    "origins": "deminimis.suspended_origins",
    "repealed": "deminimis.repealed",
    "split_denied": "deminimis.split_lots_denied",
    "gift_limit": "gift.limit",
    "informal_limit": "entry.informal_limit",
    "ch99_limit": "entry.chapter99_formal_limit",
    "perfume_limit": "exclusions.alcoholic_perfume_value_limit",
    "alcohol": "exclusions.alcohol_hts_headings",
    "tobacco": "exclusions.tobacco_hts_headings",
    "perfume": "exclusions.alcoholic_perfume_hts_prefixes",
}
MONEY_COLUMNS = ("threshold", "gift_limit", "informal_limit", "perfume_limit", "ch99_limit")
BOOL_COLUMNS = ("suspended_globally", "repealed", "split_denied")
_CACHE_SIZE = 256
_frames: dict[tuple[str, tuple[dt.date, ...]], pl.DataFrame] = {}


def regime_frame(rules: RuleSet, dates: pl.Series) -> pl.DataFrame:
    """Value, reference and start date of every scalar parameter for each distinct date, and
    each money parameter as shown in messages (``<column>_text``, e.g. ``$800.00``).
    """
    days = tuple(sorted(d for d in dates.drop_nulls().unique().to_list() if rules.covers(d)))
    key = (rules.version, days)
    frame = _frames.get(key)
    if frame is None:
        if len(_frames) >= _CACHE_SIZE:
            _frames.clear()
        frame = _frames[key] = _build(rules, days)
    return frame


def _build(rules: RuleSet, days: tuple[dt.date, ...]) -> pl.DataFrame:
    rows = []
    for day in days:
        regime = rules.at(day)
        row: dict[str, object] = {"arrival": day}
        for column, name in SCALARS.items():
            value = regime.value(name)
            if column in MONEY_COLUMNS:
                row[column] = None if value is None else Decimal(str(value))
            elif column in BOOL_COLUMNS:
                row[column] = value
            row[f"{column}_ref"] = regime.reference(name)
            row[f"{column}_since"] = regime.since(name)
        rows.append(row)
    schema: dict[str, pl.DataType] = {"arrival": pl.Date()}
    for column in SCALARS:
        if column in MONEY_COLUMNS:
            schema[column] = MONEY
        elif column in BOOL_COLUMNS:
            schema[column] = pl.Boolean()
        schema[f"{column}_ref"] = pl.String()
        schema[f"{column}_since"] = pl.Date()
    frame = pl.DataFrame(rows, schema=schema)
    return frame.with_columns(dollars(pl.col(column)).alias(f"{column}_text") for column in MONEY_COLUMNS)


def line_flags(rules: RuleSet) -> list[pl.Expr]:
    """is_alcohol, is_tobacco, is_perfume, is_suspended_origin and is_adcvd of each line."""
    flags = _flags.get(rules.version)
    if flags is None:
        hts, origin, day = pl.col("hts"), pl.col("origin"), pl.col("arrival")
        flags = _flags[rules.version] = [
            listed(rules, "exclusions.alcohol_hts_headings", hts, day, prefix=True).alias("is_alcohol"),
            listed(rules, "exclusions.tobacco_hts_headings", hts, day, prefix=True).alias("is_tobacco"),
            listed(rules, "exclusions.alcoholic_perfume_hts_prefixes", hts, day, prefix=True)
            .alias("is_perfume"),
            listed(rules, "deminimis.suspended_origins", origin, day, prefix=False)
            .alias("is_suspended_origin"),
            pl.col("adcvd_case").is_not_null().alias("is_adcvd"),
        ]
    return flags


_flags: dict[str, list[pl.Expr]] = {}


def listed(rules: RuleSet, name: str, value: pl.Expr, day: pl.Expr, *, prefix: bool) -> pl.Expr:
    """True where ``value`` is in (or, with ``prefix``, starts with an entry of) the list in force."""
    steps = rules.parameters[name].steps
    result = pl.lit(False)
    for index, step in enumerate(steps):
        if not step.value:
            continue
        end = steps[index + 1].start if index + 1 < len(steps) else dt.date.max
        if prefix:
            # One look-up per prefix length instead of one starts_with per entry: a value
            # starts with an entry exactly when its first len(entry) characters are the entry.
            lengths = sorted({len(entry) for entry in step.value})
            hit = pl.any_horizontal([
                value.str.slice(0, n).is_in([entry for entry in step.value if len(entry) == n])
                for n in lengths
            ])
        else:
            hit = value.is_in(list(step.value))
        result = result | ((day >= pl.lit(step.start)) & (day < pl.lit(end)) & hit)
    return result.fill_null(False)
