"""Signals over persons, addresses, orders and products across shipments: STRUCTURING,
RESHIPPER_ADDRESS, CONSIGNEE_VELOCITY, ORIGIN_INCONSISTENT.

Windows are "within N days either side" of the batch shipment's arrival. Only the few keys that
could reach a threshold at all (a person with enough shipments, an address with enough persons)
are joined to themselves, so a million lines stay a handful of queries.
"""

from __future__ import annotations

import polars as pl

from ace321.risk.frame import address_keys, cents
from ace321.risk.params import Params

_DAYS = (pl.col("arrival_right") - pl.col("arrival")).dt.total_days().abs()


def _windowed(batch: pl.LazyFrame, population: pl.LazyFrame, key: str, window: str
              ) -> pl.LazyFrame:
    """Each batch shipment joined to the population's shipments of the same ``key`` within
    ``window`` days of it (the batch row's parameter column)."""
    return batch.join(population, on=key, how="inner", suffix="_right").filter(
        pl.col(window) >= _DAYS
    )


def near_threshold(ships: pl.LazyFrame, near_share: float) -> pl.LazyFrame:
    """Shipments valued just below a threshold in force on their date: ``near`` names it,
    ``limit`` is its amount. Gifts against the gift limit, others against de minimis (while in
    force) and the informal-entry limit."""
    value = pl.col("shipment_value")

    def near(limit: str) -> pl.Expr:
        return pl.col(limit).is_not_null() & (value <= pl.col(limit)) \
            & (value > pl.col(limit) * (1 - near_share))

    kind = (
        pl.when(pl.col("is_gift") & near("t_gift")).then(pl.lit("gift"))
        .when(near("t_deminimis")).then(pl.lit("de minimis"))
        .when(near("t_informal")).then(pl.lit("informal-entry"))
    )
    limit = (
        pl.when(kind == "gift").then(pl.col("t_gift"))
        .when(kind == "de minimis").then(pl.col("t_deminimis"))
        .when(kind == "informal-entry").then(pl.col("t_informal"))
    )
    return ships.with_columns(kind.alias("near"), limit.alias("limit")).filter(
        pl.col("near").is_not_null())


def structuring_near(batch: pl.LazyFrame, near: pl.LazyFrame) -> pl.LazyFrame:
    mine = batch.join(near.select("shipment_id", "near", "limit"), on="shipment_id")
    others = near.select("person", "near", "shipment_id", "arrival", "shipment_value")
    joined = mine.join(others, on=["person", "near"], suffix="_right").filter(
        pl.col("structuring.window_days") >= _DAYS)
    counted = joined.group_by("shipment_id").agg(
        pl.col("shipment_id_right").n_unique().alias("n"),
        pl.first("near"), pl.first("limit"), pl.first("consignee_name"),
        pl.first("structuring.window_days"), pl.first("structuring.min_count"),
        pl.col("shipment_value_right").min().alias("low"),
        pl.col("shipment_value_right").max().alias("high"),
        pl.col("arrival_right").min().alias("first"), pl.col("arrival_right").max().alias("last"),
    ).filter(pl.col("n") >= pl.col("structuring.min_count"))
    return counted.select(
        "shipment_id",
        pl.format("{} shipments to {} from {} to {} valued just below the ${} {} threshold "
                  "(${} to ${}), within {} days of each other",
                  pl.col("n"), pl.col("consignee_name"), pl.col("first"), pl.col("last"),
                  cents(pl.col("limit")), pl.col("near"), cents(pl.col("low")),
                  cents(pl.col("high")), pl.col("structuring.window_days").cast(pl.Int64)).alias("message"),
        pl.col("n").cast(pl.Float64).alias("strength"),
    )


def structuring_lots(batch: pl.LazyFrame, ships: pl.LazyFrame) -> pl.LazyFrame:
    """One order's lots sent on different days, each within a threshold the order exceeds."""
    orders = ships.filter(pl.col("order_id").is_not_null()).group_by("order_id").agg(
        pl.col("shipment_id").n_unique().alias("lots"),
        pl.col("arrival").n_unique().alias("days"),
        pl.col("arrival").min().alias("first"), pl.col("arrival").max().alias("last"),
        pl.col("shipment_value").sum().alias("total"),
        pl.col("shipment_value").max().alias("largest"),
        pl.col("shipment_value").null_count().alias("unknown"),
        pl.col("is_gift").all().alias("all_gifts"),
    ).filter((pl.col("lots") >= 2) & (pl.col("days") >= 2) & (pl.col("unknown") == 0))
    mine = batch.join(orders, on="order_id")

    def beaten(limit: str) -> pl.Expr:
        return pl.col(limit).is_not_null() & (pl.col("largest") <= pl.col(limit)) \
            & (pl.col("total") > pl.col(limit))

    kind = (
        pl.when(pl.col("all_gifts") & beaten("t_gift")).then(pl.lit("gift"))
        .when(beaten("t_deminimis")).then(pl.lit("de minimis"))
        .when(beaten("t_informal")).then(pl.lit("informal-entry"))
    )
    limit = (
        pl.when(kind == "gift").then(pl.col("t_gift"))
        .when(kind == "de minimis").then(pl.col("t_deminimis"))
        .otherwise(pl.col("t_informal"))
    )
    return mine.with_columns(kind.alias("kind"), limit.alias("limit")).filter(
        pl.col("kind").is_not_null()
    ).select(
        "shipment_id",
        pl.format("order {} sent in {} lots on {} days ({} to {}), each at most the ${} {} "
                  "threshold, together ${}",
                  pl.col("order_id"), pl.col("lots"), pl.col("days"), pl.col("first"),
                  pl.col("last"), cents(pl.col("limit")), pl.col("kind"),
                  cents(pl.col("total"))).alias("message"),
        (pl.col("total") / pl.col("limit")).alias("strength"),
    )


# House number and postal code: every spelling of one street address shares them, so only
# the shipments of a crowded coarse key need the full (costly) address key.
_COARSE = pl.concat_str(pl.col("address").str.extract(r"(\d+)"), pl.lit("|"),
                        pl.col("address").str.extract(r"\|\s*([0-9A-Za-z]{1,5})"))


def reshipper(batch: pl.LazyFrame, ships: pl.LazyFrame, min_persons: int) -> pl.LazyFrame:
    coarse = ships.filter(pl.col("address").is_not_null()).with_columns(_COARSE.alias("coarse"))
    crowded = coarse.group_by("coarse").agg(pl.col("person").n_unique().alias("persons")) \
        .filter(pl.col("persons") >= min_persons)
    found = coarse.join(crowded.select("coarse"), on="coarse").collect()
    candidates = found.with_columns(address_keys(found)).lazy()
    population = candidates.select("address", "shipment_id", "arrival", "person")
    mine = candidates.filter(pl.col("_new")).select("shipment_id", "address").join(
        batch.drop("address"), on="shipment_id")
    joined = _windowed(mine.filter(pl.col("address").is_not_null()), population, "address",
                       "reshipper_address.window_days")
    counted = joined.group_by("shipment_id").agg(
        pl.col("person_right").n_unique().alias("n"), pl.first("address"),
        pl.first("reshipper_address.window_days"), pl.first("reshipper_address.min_persons"),
        pl.col("shipment_id_right").n_unique().alias("shipments"),
        pl.col("arrival_right").min().alias("first"), pl.col("arrival_right").max().alias("last"),
    ).filter(pl.col("n") >= pl.col("reshipper_address.min_persons"))
    return counted.select(
        "shipment_id",
        pl.format("the delivery address {} received {} shipments for {} different persons from "
                  "{} to {} (within {} days)",
                  pl.col("address").str.replace("|", " ", literal=True), pl.col("shipments"),
                  pl.col("n"), pl.col("first"), pl.col("last"),
                  pl.col("reshipper_address.window_days").cast(pl.Int64)).alias("message"),
        pl.col("n").cast(pl.Float64).alias("strength"),
    )


def velocity(batch: pl.LazyFrame, ships: pl.LazyFrame, min_shipments: int) -> pl.LazyFrame:
    busy = ships.filter(pl.col("person").is_not_null()).group_by("person").agg(
        pl.len().alias("total")).filter(pl.col("total") >= min_shipments)
    population = ships.join(busy.select("person"), on="person") \
        .select("person", "shipment_id", "arrival")
    joined = _windowed(batch.filter(pl.col("person").is_not_null()), population, "person",
                       "consignee_velocity.window_days")
    counted = joined.group_by("shipment_id").agg(
        pl.col("shipment_id_right").n_unique().alias("n"), pl.first("consignee_name"),
        pl.first("consignee_velocity.window_days"), pl.first("consignee_velocity.min_shipments"),
        pl.first("arrival"),
        pl.col("arrival_right").min().alias("first"), pl.col("arrival_right").max().alias("last"),
    ).filter(pl.col("n") >= pl.col("consignee_velocity.min_shipments"))
    return counted.select(
        "shipment_id",
        pl.format("{} shipments to {} from {} to {} (within {} days of {})",
                  pl.col("n"), pl.col("consignee_name"), pl.col("first"), pl.col("last"),
                  pl.col("consignee_velocity.window_days").cast(pl.Int64), pl.col("arrival")).alias("message"),
        pl.col("n").cast(pl.Float64).alias("strength"),
    )


def origin(batch: pl.LazyFrame, population: pl.LazyFrame, china: list[str], params: Params
           ) -> pl.LazyFrame:
    usable = pl.col("origin").is_not_null() & (pl.col("sku").is_not_null()
                                               | pl.col("description").is_not_null())
    pop = population.filter(usable).select("pid", "origin", "sid").unique()
    counts = pop.group_by("pid", "origin").agg(pl.len().alias("count"))
    totals = pop.group_by("pid").agg(pl.col("sid").n_unique().alias("total"))
    usual = counts.sort(["pid", "count", "origin"], descending=[False, True, False]) \
        .group_by("pid", maintain_order=True).first() \
        .rename({"origin": "usual", "count": "usual_count"})
    lines = params.on(batch.filter(usable).select("shipment_id", "pid", "product", "origin",
                                                  "arrival"), "origin_inconsistent.") \
        .join(usual, on="pid").join(totals, on="pid")
    others = pl.col("total") - 1
    flagged = lines.filter(
        (pl.col("origin") != pl.col("usual"))
        & (pl.col("usual_count") >= pl.col("origin_inconsistent.min_evidence"))
        & (pl.col("usual_count") >= pl.col("origin_inconsistent.min_share") * others)
    )
    from_china = pl.col("usual").is_in(china) & ~pl.col("origin").is_in(china)
    return flagged.select(
        "shipment_id",
        pl.format("{} declared from {}; {} of {} other shipments declared it from {}{}",
                  pl.col("product"), pl.col("origin"), pl.col("usual_count"), others,
                  pl.col("usual"),
                  pl.when(from_china).then(pl.lit(" (a Chinese-origin history: possible "
                                                  "transshipment)")).otherwise(pl.lit(""))
                  ).alias("message"),
        (pl.col("usual_count") / others).alias("strength"),
        from_china.alias("from_china"),
    )
