"""Duty and fees of screened shipments, columnar: each distinct (HTS, origin, program, date) is
priced once in Python (``pricing``), every line in Polars.

Exact integer arithmetic: values in 10^-12 dollars, rate amounts in 10^-10 dollars, quantities
in 10^-6 units over a divisor (12 for dozens), each part in 10^-20 dollars, then rounded to the
cent half-up: per line (its ordinary duty) and per line and measure (each additional duty).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from ace321.costs import fees
from ace321.costs.measures import Measures, load_measures
from ace321.costs.pricing import KeyPrice, price_key
from ace321.rules import RuleSet
from ace321.tariff.rate_text import DERIVED_UNITS
from ace321.tariff.schedule import Schedule, shipped_schedule

I128 = pl.Int128
E6, E18 = 10**6, 10**18
HALF = pl.lit(E18 // 2, I128)
MAX_SPECIFIC = 2
MAX_MEASURES = 3
ENTRY_TYPES = {"INFORMAL_ENTRY": "11", "FORMAL_ENTRY": "01"}
KEY = ["hts", "origin", "spi", "arrival"]
_QUANTITY = r"^\d+(\.\d{1,6})?$"
_LB = 45359237  # kg per lb x 10^8


@dataclass(frozen=True)
class Costs:
    revision: str
    keys: list[KeyPrice]
    lines: pl.DataFrame
    """Priced lines: shipment_id, _row, _line, hts_code, value_line (USD, as screened), key_id,
    duty_cents (null: not
    estimated), m0_cents.., _s0_missing.. (a specific part without its quantity), adcvd_case."""
    shipments: pl.DataFrame
    """Every shipment: shipment_id, decision, entry_type, value, duty_cents, mpf_cents,
    total_cents, fiscal_year, fee columns (see ``fees.fee_table``), exempt_all, and for planning
    (priced shipments only) value_e12, mpf_base_e12, dutiable_mpf, ch99_e12, short_hts (a line
    without a ten-digit code). Rows in the order of the screening result's shipments."""


def _i(expr: pl.Expr) -> pl.Expr:
    return expr.cast(I128)


def _rounded(e20: pl.Expr) -> pl.Expr:
    return ((e20 + HALF) // pl.lit(E18, I128)).cast(pl.Int64)


def _key_frame(keys: pl.DataFrame, prices: list[KeyPrice]) -> pl.DataFrame:
    rows = []
    for key_id, price in enumerate(prices):
        row: dict[str, Any] = {"key_id": key_id, "usmca": price.usmca}
        fraction = price.av_fraction()
        row["av_num"], row["av_den"] = fraction if fraction else (None, None)
        row["computable"] = price.rate is not None and price.rate.computable
        for index, (amount, unit) in enumerate(price.specific()[:MAX_SPECIFIC]):
            row[f"s{index}_amt"], row[f"s{index}_unit"] = amount, unit
        for index, measure in enumerate(price.measures[:MAX_MEASURES]):
            row[f"m{index}_e4"] = int(measure.rate * 10**4)
        rows.append(row)
    schema: dict[str, Any] = {"key_id": pl.UInt32, "usmca": pl.Boolean, "av_num": pl.Int64,
                              "av_den": pl.Int64, "computable": pl.Boolean}
    for index in range(MAX_SPECIFIC):
        schema[f"s{index}_amt"], schema[f"s{index}_unit"] = pl.Int64, pl.String
    for index in range(MAX_MEASURES):
        schema[f"m{index}_e4"] = pl.Int64
    return pl.concat([keys, pl.DataFrame(rows, schema=schema, strict=False)], how="horizontal")


def _quantity(unit: pl.Expr, single: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(numerator in 10^-6 units, divisor) of the line's quantity in ``unit``."""
    qty = _i(pl.col("qty")) * pl.lit(E6, I128)
    lb = pl.col("weight_unit_norm") == "lb"
    weight = _i(pl.col("weight_value") * E6)
    kg_num = pl.when(lb).then(weight * pl.lit(_LB, I128)).otherwise(weight)
    kg_den = pl.when(lb).then(pl.lit(10**8, I128)).otherwise(pl.lit(1, I128))
    declared = _i(pl.col("_hq_e6"))
    use_declared = declared.is_not_null() & (single | ~unit.is_in(list(DERIVED_UNITS)))
    one = pl.lit(1, I128)
    numerator = (
        pl.when(use_declared).then(declared)
        .when(unit.is_in(["each", "pr", "doz", "gross", "thousand"])).then(qty)
        .when(unit == "kg").then(kg_num)
        .when(unit == "g").then(kg_num * pl.lit(1000, I128))
        .when(unit == "t").then(kg_num)
        .otherwise(None)
    )
    divisor = (
        pl.when(use_declared).then(one)
        .when(unit == "doz").then(pl.lit(12, I128))
        .when(unit == "gross").then(pl.lit(144, I128))
        .when(unit == "thousand").then(pl.lit(1000, I128))
        .when(unit.is_in(["kg", "g"])).then(kg_den)
        .when(unit == "t").then(kg_den * pl.lit(1000, I128))
        .otherwise(one)
    )
    return numerator, divisor


def _line_exprs() -> list[list[pl.Expr]]:
    value = _i(pl.col("value_line") * 10**12)
    single = pl.col("s1_unit").is_null()
    first: list[pl.Expr] = [
        value.alias("_v"),
        pl.when(pl.col("hts_quantity").str.contains(_QUANTITY))
        .then(_i(pl.col("hts_quantity").cast(pl.Decimal(38, 6), strict=False) * E6)).alias("_hq_e6"),
    ]
    second: list[pl.Expr] = [
        pl.when(pl.col("av_num").is_not_null())
        .then(pl.col("_v") * _i(pl.col("av_num")) * pl.lit(E6, I128) // _i(pl.col("av_den")))
        .alias("_av"),
    ]
    for index in range(MAX_SPECIFIC):
        unit = pl.col(f"s{index}_unit")
        numerator, divisor = _quantity(unit, single)
        second.append(
            (_i(pl.col(f"s{index}_amt")) * numerator * pl.lit(10**4, I128) // divisor).alias(f"_s{index}")
        )
        second.append((unit.is_not_null() & numerator.is_null()).alias(f"_s{index}_missing"))
    for index in range(MAX_MEASURES):
        second.append(_rounded(pl.col("_v") * _i(pl.col(f"m{index}_e4")) * pl.lit(100, I128))
                      .alias(f"m{index}_cents"))
    parts = ["_av", *(f"_s{index}" for index in range(MAX_SPECIFIC))]
    any_part = pl.any_horizontal(pl.col(part).is_not_null() for part in parts)
    third = [
        pl.when(pl.col("computable") & any_part)
        .then(_rounded(pl.sum_horizontal(*(pl.col(part).fill_null(pl.lit(0, I128)) for part in parts))))
        .alias("duty_cents"),
        pl.when(pl.col("usmca")).then(pl.lit(0, I128)).otherwise(pl.col("_v")).alias("_mpf_base"),
        # Rule E2: a line under a modelled Chapter 99 measure (Section 301 or 122).
        pl.when(pl.col("m0_e4").is_not_null()).then(pl.col("_v")).otherwise(pl.lit(0, I128)).alias("_ch99"),
    ]
    return [first, second, third]


_LINE_EXPRS = _line_exprs()


def estimate(result: Any, *, rules: RuleSet, schedule: Schedule | None = None,
             measures: Measures | None = None) -> Costs:
    """Costs of every shipment of a ``ScreeningResult``, each priced as an entry of its own."""
    schedule = schedule or shipped_schedule()
    measures = measures or load_measures()
    decisions = result.shipments.select("shipment_id", "decision", "value", "arrival_date")
    priced = _priced_lines(result.lines, decisions)
    # One 64-bit hash per line stands for its key: a join on it costs a tenth of a join on the
    # four columns. A collision (two keys, one hash) falls back to the four columns.
    keys = priced.select(*KEY, "_key").unique(subset="_key", maintain_order=True)
    join_on: str | list[str] = "_key"
    if keys.select(KEY).n_unique() != keys.height:
        keys, join_on = priced.select(*KEY, "_key").unique(subset=KEY, maintain_order=True), KEY
    subset = schedule.subset(keys["hts"].to_list())
    prices = [price_key(hts, origin, spi, day, schedule=subset, measures=measures, rules=rules)
              for hts, origin, spi, day, _ in keys.iter_rows()]
    key_frame = _key_frame(keys, prices)
    key_frame = key_frame.drop(KEY) if join_on == "_key" else key_frame.drop("_key")
    plan = priced.lazy().join(key_frame.lazy(), on=join_on, how="left", maintain_order="left",
                              nulls_equal=True)
    for group in _LINE_EXPRS:
        plan = plan.with_columns(group)
    line_costs = plan.select(
        "shipment_id", "_row", "_line", "hts_code", "value_line", "key_id", "duty_cents",
        *(f"m{index}_cents" for index in range(MAX_MEASURES)),
        *(f"_s{index}_missing" for index in range(MAX_SPECIFIC)), "adcvd_case",
        "_mpf_base", "usmca", "_ch99", "_v", (pl.col("hts").str.len_chars() != 10).alias("_short"),
    ).collect()
    return Costs(schedule.revision, prices, line_costs.drop("_mpf_base", "usmca", "_ch99", "_v", "_short"),
                 _shipments(decisions, line_costs, rules))


def _priced_lines(lines: pl.DataFrame, decisions: pl.DataFrame) -> pl.DataFrame:
    """The lines of shipments that need an entry, with the hash of their key (``_key``).

    Decisions reach the lines through a hash of the shipment id (a join on the ids themselves
    cost 0.3 s on a million lines); ids whose hashes collide fall back to the ids."""
    decided = decisions.select(pl.col("shipment_id").hash().alias("_sid"), "decision", "shipment_id")
    on = "_sid" if decided["_sid"].n_unique() == decided.height else "shipment_id"
    typed = lines.select(
        "shipment_id", "_row", "_line", "hts_code", "hts", "origin",
        pl.col("spi").str.strip_chars().str.to_uppercase().replace("", None).alias("spi"),
        "arrival", "qty", "value_line", "weight_value", "weight_unit_norm", "hts_quantity", "adcvd_case",
        pl.col("shipment_id").hash().alias("_sid"),
    )
    entered = decided.filter(pl.col("decision").is_in(list(ENTRY_TYPES))).select(on)
    priced = typed.join(entered, on=on, how="semi", maintain_order="left")
    return priced.with_columns(pl.struct(KEY).hash().alias("_key")).drop("_sid")


def _shipments(decisions: pl.DataFrame, lines: pl.DataFrame, rules: RuleSet) -> pl.DataFrame:
    measure_sum = pl.sum_horizontal(*(pl.col(f"m{i}_cents").fill_null(0) for i in range(MAX_MEASURES)))
    totals = lines.group_by("shipment_id").agg(
        (pl.col("duty_cents").fill_null(0) + measure_sum).sum().alias("duty_cents"),
        pl.col("_mpf_base").sum().alias("_mpf_base"),
        (~pl.col("usmca").fill_null(False)).any().alias("_dutiable_mpf"),
        pl.col("_ch99").sum().alias("ch99_e12"),
        pl.col("_v").sum().alias("value_e12"),
        pl.col("_short").any().alias("short_hts"),
    )
    days = decisions["arrival_date"].drop_nulls().unique().to_list()
    table = fees.fee_table(rules, days)
    entry_type = pl.col("decision").replace_strict(ENTRY_TYPES, default=None)
    owes_nothing = pl.col("decision").is_in(["SECTION_321", "GIFT"])
    shipments = decisions.join(totals, on="shipment_id", how="left", maintain_order="left").join(
        table.rename({"arrival": "arrival_date"}), on="arrival_date", how="left", maintain_order="left"
    ).with_columns(entry_type.alias("entry_type"))
    mpf = fees.mpf_cents(pl.col("entry_type"), pl.col("_mpf_base"), pl.col("_dutiable_mpf"))
    shipments = shipments.with_columns(
        pl.when(owes_nothing).then(0).otherwise(pl.col("duty_cents")).alias("duty_cents"),
        pl.when(owes_nothing).then(0).otherwise(mpf).alias("mpf_cents"),
        (~pl.col("_dutiable_mpf").fill_null(True)).alias("exempt_all"),
    )
    return shipments.with_columns(
        (pl.col("duty_cents") + pl.col("mpf_cents")).alias("total_cents"),
    ).rename({"_mpf_base": "mpf_base_e12", "_dutiable_mpf": "dutiable_mpf"})


def cents_text(cents: pl.Expr) -> pl.Expr:
    """Cents as a decimal string (``1234`` -> ``12.34``)."""
    return pl.format("{}.{}", cents // 100, (cents % 100).cast(pl.String).str.zfill(2))


def money(cents: int | None) -> str | None:
    """>>> money(1234), money(5), money(None)
    ('12.34', '0.05', None)
    """
    return None if cents is None else f"{cents // 100}.{cents % 100:02d}"
