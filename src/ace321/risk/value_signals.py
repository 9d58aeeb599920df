"""UNDERVALUED and VALUE_WEIGHT_OUTLIER: robust statistics (median and MAD of log values) over
the population (stored history and batch), both signals in one pass per grouping.

The reference group is the most specific one with enough shipments: the same product (SKU, or
description and HTS code), else the six-digit heading from the same origin, else the heading.
A heading holds cheap and dear goods alike (sunglasses at $20 and at $150); a product's own
prices say far more about one line. Groups are keyed on hashes (``pid``, ``sid``: see
``frame.with_products``), which group and join far faster than the texts.
"""

from __future__ import annotations

import polars as pl

from ace321.risk.frame import cents
from ace321.risk.params import Params

MAD_SCALE = 1.4826  # makes the MAD estimate a normal distribution's standard deviation
# (prefix, grouping keys): most specific first.
LEVELS = (("p_", ["pid"]), ("o_", ["h6", "origin"]), ("h_", ["h6"]))
# (signal file, log value column)
VALUES = (("undervalued", "lu"), ("value_weight_outlier", "lk"))


def _log_values(frame: pl.LazyFrame) -> pl.LazyFrame:
    unit = pl.when(pl.col("unit_usd").is_not_null()).then(
        pl.col("unit_usd").clip(lower_bound=0.01).log())
    per_kg = pl.when((pl.col("kg") > 0) & (pl.col("value_usd") > 0)).then(
        (pl.col("value_usd") / pl.col("kg")).log())
    return frame.filter(pl.col("hts").str.len_chars() >= 6).with_columns(
        unit.alias("lu"), per_kg.alias("lk"))


def _stats(keys: list[str], prefix: str) -> list[pl.Expr]:
    """Per group, as window expressions: n (distinct shipments), and the median and MAD of each
    value.

    Windows over the population, not aggregations joined back: on a million lines a window
    median costs a fifth of a group-by and its join."""
    stats = [pl.col("sid").n_unique().over(keys).alias(f"{prefix}n")]
    for _, value in VALUES:
        v = pl.col(value)
        median = v.median().over(keys)
        stats += [median.alias(f"{prefix}{value}_med"),
                  (v - median).abs().median().over(keys).alias(f"{prefix}{value}_mad")]
    return stats


def _chosen(value: str, min_sample: str) -> list[pl.Expr]:
    """The most specific group with enough shipments: its n, med, mad and level."""
    enough = [pl.col(f"{prefix}n").fill_null(0) >= pl.col(min_sample) for prefix, _ in LEVELS]

    def pick(name: str) -> pl.Expr:
        return pl.when(enough[0]).then(pl.col(f"p_{value}_{name}")).when(enough[1]) \
            .then(pl.col(f"o_{value}_{name}")).otherwise(pl.col(f"h_{value}_{name}"))

    chosen_n = pl.when(enough[0]).then(pl.col("p_n")).when(enough[1]).then(pl.col("o_n")) \
        .otherwise(pl.col("h_n"))
    return [chosen_n.alias("n"), pick("med").alias("med"), pick("mad").alias("mad"),
            pl.when(enough[0]).then(0).when(enough[1]).then(1).otherwise(2).alias("level")]


def _group_text() -> pl.Expr:
    heading = pl.col("h6").str.slice(0, 4) + "." + pl.col("h6").str.slice(4, 2)
    return (
        pl.when(pl.col("level") == 0).then(pl.format("{} (HTS {})", pl.col("product"), heading))
        .when(pl.col("level") == 1).then(pl.format("HTS {} from {}", heading, pl.col("origin")))
        .otherwise(pl.format("HTS {}", heading))
    )


def value_signals(batch: pl.LazyFrame, population: pl.LazyFrame, params: Params
                  ) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """(UNDERVALUED rows, VALUE_WEIGHT_OUTLIER rows): shipment_id, message, strength."""
    del batch  # the population holds the batch's lines, marked ``_new``
    lines = _log_values(population).select(
        "_new", "shipment_id", "sid", "arrival", "pid", "product", "h6", "origin", "unit_usd",
        "value_usd", "kg", "lu", "lk",
    ).with_columns(
        [e for prefix, keys in LEVELS for e in _stats(keys, prefix)]
    ).filter(pl.col("_new"))
    lines = params.on(lines, "undervalued.", "value_weight_outlier.").cache()
    return _undervalued(lines), _value_weight(lines)


def _undervalued(lines: pl.LazyFrame) -> pl.LazyFrame:
    p = "undervalued."
    scale = pl.max_horizontal(pl.col("mad") * MAD_SCALE, pl.col(p + "min_log_spread"))
    deviation = pl.col("lu") - pl.col("med")
    flagged = lines.filter(pl.col("lu").is_not_null()).with_columns(_chosen("lu", p + "min_sample")) \
        .with_columns((deviation / scale).alias("z"), deviation.exp().alias("ratio")).filter(
            (pl.col("n") >= pl.col(p + "min_sample"))
            & (pl.col("z") <= -pl.col(p + "min_robust_z"))
            & (pl.col("ratio") <= pl.col(p + "max_ratio"))
        )
    return flagged.select(
        "shipment_id",
        pl.format("${} a unit against a median of ${} over {} shipments of {} ({}% of the median)",
                  cents(pl.col("unit_usd")), cents(pl.col("med").exp()), pl.col("n"),
                  _group_text(), (pl.col("ratio") * 100).round(0).cast(pl.Int64)).alias("message"),
        (-pl.col("z")).alias("strength"),
    )


def _value_weight(lines: pl.LazyFrame) -> pl.LazyFrame:
    p = "value_weight_outlier."
    scale = pl.max_horizontal(pl.col("mad") * MAD_SCALE, pl.col(p + "min_log_spread"))
    deviation = pl.col("lk") - pl.col("med")
    flagged = lines.filter(pl.col("lk").is_not_null()).with_columns(_chosen("lk", p + "min_sample")) \
        .with_columns((deviation / scale).alias("z"), deviation.abs().exp().alias("factor")).filter(
            (pl.col("n") >= pl.col(p + "min_sample"))
            & (pl.col("z").abs() >= pl.col(p + "min_robust_z"))
            & (pl.col("factor") >= pl.col(p + "min_factor"))
        )
    direction = pl.when(pl.col("z") < 0).then(pl.lit("lower")).otherwise(pl.lit("higher"))
    return flagged.select(
        "shipment_id",
        pl.format("${} a kilogram (${} for {} kg) against a median of ${} a kilogram over {} "
                  "shipments of {} ({} times {})",
                  cents(pl.col("lk").exp()), cents(pl.col("value_usd")),
                  pl.col("kg").round(2), cents(pl.col("med").exp()), pl.col("n"), _group_text(),
                  pl.col("factor").round(1), direction).alias("message"),
        pl.col("z").abs().alias("strength"),
    )
