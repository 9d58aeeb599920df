"""The dated rules as columns: one row of parameters per arrival date present in the data.

Per-row work runs on unique dates only; list parameters (HTS prefixes, origins) become
expressions over the date intervals in which each list was in force.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl

from ace321.rules import RuleSet

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
    "perfume_limit": "exclusions.alcoholic_perfume_value_limit",
    "alcohol": "exclusions.alcohol_hts_headings",
    "tobacco": "exclusions.tobacco_hts_headings",
    "perfume": "exclusions.alcoholic_perfume_hts_prefixes",
}
MONEY_COLUMNS = ("threshold", "gift_limit", "informal_limit", "perfume_limit")
BOOL_COLUMNS = ("suspended_globally", "repealed", "split_denied")


def regime_frame(rules: RuleSet, dates: pl.Series) -> pl.DataFrame:
    """Value, reference and start date of every scalar parameter for each distinct date."""
    rows = []
    for day in sorted(d for d in dates.drop_nulls().unique().to_list() if rules.covers(d)):
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
    return pl.DataFrame(rows, schema=schema)


def listed(rules: RuleSet, name: str, value: pl.Expr, day: pl.Expr, *, prefix: bool) -> pl.Expr:
    """True where ``value`` is in (or, with ``prefix``, starts with an entry of) the list in force."""
    steps = rules.parameters[name].steps
    result = pl.lit(False)
    for index, step in enumerate(steps):
        if not step.value:
            continue
        end = steps[index + 1].start if index + 1 < len(steps) else dt.date.max
        if prefix:
            hit = pl.any_horizontal([value.str.starts_with(entry) for entry in step.value])
        else:
            hit = value.is_in(list(step.value))
        result = result | ((day >= pl.lit(step.start)) & (day < pl.lit(end)) & hit)
    return result.fill_null(False)
