"""UNDERVALUED and VALUE_WEIGHT_OUTLIER: robust statistics (median and MAD of log values) per
six-digit heading over the population (stored history and batch), one query each."""

from __future__ import annotations

import polars as pl

MAD_SCALE = 1.4826  # makes the MAD estimate a normal distribution's standard deviation


def cents(expr: pl.Expr) -> pl.Expr:
    """A float amount as text with exactly two decimals (for messages only)."""
    return expr.round(2).cast(pl.Decimal(30, 2)).cast(pl.String)


def _stats(population: pl.LazyFrame, keys: list[str], value: str, prefix: str) -> pl.LazyFrame:
    """n (distinct shipments), median and MAD of ``value`` per ``keys``."""
    median = population.group_by(keys).agg(
        pl.col("shipment_id").n_unique().alias(f"{prefix}n"),
        pl.col(value).median().alias(f"{prefix}med"),
    )
    return population.join(median, on=keys).group_by(keys).agg(
        pl.first(f"{prefix}n"), pl.first(f"{prefix}med"),
        (pl.col(value) - pl.col(f"{prefix}med")).abs().median().alias(f"{prefix}mad"),
    )


def undervalued(batch: pl.LazyFrame, population: pl.LazyFrame, params: pl.LazyFrame
                ) -> pl.LazyFrame:
    """Rows (shipment_id, message, strength) of batch lines priced far below their heading."""
    log_unit = pl.col("unit_usd").clip(lower_bound=0.01).log().alias("lu")
    usable = pl.col("unit_usd").is_not_null() & (pl.col("hts").str.len_chars() >= 6)
    pop = population.filter(usable).with_columns(log_unit, pl.col("hts").str.slice(0, 6).alias("h6"))
    by_heading = _stats(pop, ["h6"], "lu", "h_")
    by_origin = _stats(pop, ["h6", "origin"], "lu", "o_")
    lines = batch.filter(usable).with_columns(log_unit, pl.col("hts").str.slice(0, 6).alias("h6")) \
        .join(by_heading, on="h6", how="left").join(by_origin, on=["h6", "origin"], how="left") \
        .join(params, on="arrival", how="left")
    min_n = pl.col("undervalued.min_sample")
    use_origin = pl.col("o_n").fill_null(0) >= min_n
    pick = {name: pl.when(use_origin).then(pl.col(f"o_{name}")).otherwise(pl.col(f"h_{name}"))
            for name in ("n", "med", "mad")}
    scale = pl.max_horizontal(pick["mad"] * MAD_SCALE, pl.col("undervalued.min_log_spread"))
    z = (pl.col("lu") - pick["med"]) / scale
    ratio = (pl.col("lu") - pick["med"]).exp()
    flagged = lines.with_columns(
        pick["n"].alias("n"), pick["med"].exp().alias("median"), z.alias("z"), ratio.alias("ratio"),
        use_origin.alias("by_origin"),
    ).filter(
        (pl.col("n") >= min_n) & (pl.col("z") <= -pl.col("undervalued.min_robust_z"))
        & (pl.col("ratio") <= pl.col("undervalued.max_ratio"))
    )
    heading = pl.col("h6").str.slice(0, 4) + "." + pl.col("h6").str.slice(4, 2)
    where = pl.when(pl.col("by_origin")).then(pl.format("{} from {}", heading, pl.col("origin"))) \
        .otherwise(heading)
    return flagged.select(
        "shipment_id",
        pl.format("${} a unit against a median of ${} over {} shipments of {} ({}% of the median)",
                  cents(pl.col("unit_usd")), cents(pl.col("median")), pl.col("n"), where,
                  (pl.col("ratio") * 100).round(0).cast(pl.Int64)).alias("message"),
        (-pl.col("z")).alias("strength"),
    )


def value_weight(batch: pl.LazyFrame, population: pl.LazyFrame, params: pl.LazyFrame
                 ) -> pl.LazyFrame:
    """Rows of batch lines whose value per kilogram is far from their heading's, either way."""
    usable = (pl.col("kg") > 0) & (pl.col("value_usd") > 0) & (pl.col("hts").str.len_chars() >= 6)
    per_kg = (pl.col("value_usd") / pl.col("kg")).log().alias("lvk")
    pop = population.filter(usable).with_columns(per_kg, pl.col("hts").str.slice(0, 6).alias("h6"))
    stats = _stats(pop, ["h6"], "lvk", "")
    lines = batch.filter(usable).with_columns(per_kg, pl.col("hts").str.slice(0, 6).alias("h6")) \
        .join(stats, on="h6", how="left").join(params, on="arrival", how="left")
    scale = pl.max_horizontal(pl.col("mad") * MAD_SCALE, pl.col("value_weight_outlier.min_log_spread"))
    deviation = pl.col("lvk") - pl.col("med")
    flagged = lines.with_columns(
        (deviation / scale).alias("z"), deviation.abs().exp().alias("factor"),
    ).filter(
        (pl.col("n") >= pl.col("value_weight_outlier.min_sample"))
        & (pl.col("z").abs() >= pl.col("value_weight_outlier.min_robust_z"))
        & (pl.col("factor") >= pl.col("value_weight_outlier.min_factor"))
    )
    heading = pl.col("h6").str.slice(0, 4) + "." + pl.col("h6").str.slice(4, 2)
    direction = pl.when(pl.col("z") < 0).then(pl.lit("lower")).otherwise(pl.lit("higher"))
    return flagged.select(
        "shipment_id",
        pl.format("${} a kilogram (${} for {} kg) against a median of ${} a kilogram over {} "
                  "shipments of {} ({} times {})",
                  cents(pl.col("lvk").exp()), cents(pl.col("value_usd")),
                  pl.col("kg").round(2), cents(pl.col("med").exp()), pl.col("n"), heading,
                  pl.col("factor").round(1), direction).alias("message"),
        pl.col("z").abs().alias("strength"),
    )
