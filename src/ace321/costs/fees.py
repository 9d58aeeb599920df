"""Merchandise Processing Fee by US fiscal year (1 October - 30 September), from the rule data
(``rules/data/fees``): formal entries 0.3464 % of the entered value within the year's minimum and
maximum, automated informal entries the year's flat fee. USMCA-claimed lines are exempt: their
value leaves the formal base, and an entry of exempt lines only pays nothing.

Arrival dates after the last fiscal year in the data use its figures with the warning
``MPF_RATE_UNCONFIRMED``; dates before the first known year are not estimated.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl

from ace321.rules import RuleSet

RATE, MINIMUM, MAXIMUM, INFORMAL = (
    "fees.mpf_formal_rate", "fees.mpf_formal_minimum", "fees.mpf_formal_maximum", "fees.mpf_informal",
)
I128 = pl.Int128
E18 = 10**18


def fiscal_year(day: dt.date) -> int:
    """>>> fiscal_year(dt.date(2025, 9, 30)), fiscal_year(dt.date(2025, 10, 1))
    (2025, 2026)
    """
    return day.year + 1 if day.month >= 10 else day.year


def _cents(value: object) -> int | None:
    return None if value is None else int(Decimal(str(value)) * 100)


def fee_table(rules: RuleSet, days: list[dt.date]) -> pl.DataFrame:
    """One row per arrival date: fiscal year, rate (percent x 10^4), minimum, maximum and
    informal fee in cents, the references, and whether the figures are unconfirmed."""
    last_start = rules.parameters[RATE].steps[-1].start
    last_year = fiscal_year(last_start)
    rows = []
    for day in days:
        regime = rules.at(day) if rules.covers(day) else None
        year = fiscal_year(day)
        row: dict[str, object] = {"arrival": day, "fiscal_year": f"FY{year}"}
        if regime is None or regime.value(RATE) is None:
            row.update(known=False, unconfirmed=False)
        else:
            row.update(
                known=True,
                unconfirmed=year > last_year,
                rate_e4=int(Decimal(str(regime.value(RATE))) * 10**4),
                rate_text=f"{regime.value(RATE)}%",
                min_cents=_cents(regime.value(MINIMUM)),
                max_cents=_cents(regime.value(MAXIMUM)),
                informal_cents=_cents(regime.value(INFORMAL)),
                data_year=f"FY{fiscal_year(regime.since(RATE))}",
                formal_reference=f"{regime.reference(MINIMUM)}; 19 CFR 24.23(b)(1)",
                informal_reference=f"{regime.reference(INFORMAL)}; 19 CFR 24.23(b)(2)",
            )
        rows.append(row)
    schema = {
        "arrival": pl.Date, "fiscal_year": pl.String, "known": pl.Boolean, "unconfirmed": pl.Boolean,
        "rate_e4": pl.Int64, "rate_text": pl.String, "min_cents": pl.Int64, "max_cents": pl.Int64,
        "informal_cents": pl.Int64, "data_year": pl.String, "formal_reference": pl.String,
        "informal_reference": pl.String,
    }
    return pl.DataFrame(rows, schema=schema, strict=False)


def mpf_cents(entry_type: pl.Expr, base_e12: pl.Expr, any_dutiable_mpf: pl.Expr) -> pl.Expr:
    """The MPF in cents of entries joined to ``fee_table``: ``base_e12`` is the entered value of
    the non-exempt lines in 10^-12 dollars; ``any_dutiable_mpf`` whether any line is not exempt."""
    formal = (base_e12 * pl.col("rate_e4").cast(I128) * pl.lit(100, I128) + pl.lit(E18 // 2, I128)) // pl.lit(E18, I128)
    formal = pl.min_horizontal(pl.max_horizontal(formal.cast(pl.Int64), pl.col("min_cents")), pl.col("max_cents"))
    return (
        pl.when(~pl.col("known")).then(None)
        .when(~any_dutiable_mpf).then(pl.lit(0, pl.Int64))
        .when(entry_type == "01").then(formal)
        .when(entry_type == "11").then(pl.col("informal_cents"))
        .otherwise(None)
    )


def mpf_rule(entry_type: str | None, fees: dict, exempt_all: bool) -> tuple[str, str] | None:
    """The fee rule applied, as (text, reference), for explanations."""
    if entry_type is None or not fees.get("known"):
        return None
    if exempt_all:
        return ("every line claims USMCA (S/S+): exempt from the MPF", "19 U.S.C. 58c(b)(10); 19 CFR 24.23(c)")
    year = fees["data_year"]
    if entry_type == "01":
        return (f"formal entry: {fees['rate_text']} of the entered value (USMCA-claimed lines excluded), "
                f"at least ${fees['min_cents'] / 100:.2f}, at most ${fees['max_cents'] / 100:.2f} ({year})",
                fees["formal_reference"])
    return (f"automated informal entry (type 11): ${fees['informal_cents'] / 100:.2f} ({year})",
            fees["informal_reference"])
