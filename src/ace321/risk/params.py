"""The risk model's numeric parameters and the screening thresholds, per arrival date, as
columns: joined by arrival date, or written as literals when every date has the same value."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from ace321.risk.model import RiskModel
from ace321.rules import RuleSet

NUMERIC_UNITS = ("points", "count", "days", "number")
THRESHOLDS = ("t_deminimis", "t_informal", "t_gift")


class Params:
    def __init__(self, model: RiskModel, rules: RuleSet, days: list[dt.date]) -> None:
        rows = [self._row(model, rules, day) for day in days]
        numeric = [n for n, p in model.parameters.items() if p.unit in NUMERIC_UNITS]
        schema = {"arrival": pl.Date, **{n: pl.Float64 for n in numeric},
                  **{n: pl.Float64 for n in THRESHOLDS}}
        self.frame = pl.DataFrame(rows, schema=schema)
        self.names = [*numeric, *THRESHOLDS]
        self.constant = {name: rows[0][name] for name in self.names
                         if all(row[name] == rows[0][name] for row in rows)} if rows else {}

    @staticmethod
    def _row(model: RiskModel, rules: RuleSet, day: dt.date) -> dict[str, Any]:
        row: dict[str, Any] = {"arrival": day}
        for name, parameter in model.parameters.items():
            if parameter.unit in NUMERIC_UNITS:
                row[name] = float(parameter.at(day).value)
        regime = rules.at(day) if rules.covers(day) else None
        if regime is None:
            return {**row, **dict.fromkeys(THRESHOLDS)}
        threshold = regime.value("deminimis.threshold")
        open_321 = not regime.value("deminimis.suspended_globally") \
            and not regime.value("deminimis.repealed") and threshold is not None
        row["t_deminimis"] = float(threshold) if open_321 else None
        row["t_informal"] = float(regime.value("entry.informal_limit"))
        row["t_gift"] = float(regime.value("gift.limit"))
        return row

    def on(self, frame: pl.LazyFrame, *prefixes: str) -> pl.LazyFrame:
        """``frame`` (with ``arrival``) with the parameters whose names start with a prefix."""
        wanted = [n for n in self.names if n.startswith(prefixes)]
        fixed = [n for n in wanted if n in self.constant]
        varying = [n for n in wanted if n not in self.constant]
        if varying:
            frame = frame.join(self.frame.lazy().select("arrival", *varying), on="arrival",
                               how="left")
        return frame.with_columns(pl.lit(self.constant[n], dtype=pl.Float64).alias(n)
                                  for n in fixed)
