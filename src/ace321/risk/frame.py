"""The lines the risk signals read: one row per order line, batch and history in one shape.

``risk_lines`` turns a screening result into it; storage turns stored shipments into the same
shape (``ace321.storage.risk_history``). Floats are fine here: they feed robust statistics and
comparisons, never an amount that is filed or stored (messages round them to cents).
"""

from __future__ import annotations

import polars as pl

from ace321.screening.result import ScreeningResult

RISK_SCHEMA = pl.Schema({
    "shipment_id": pl.String(),
    "order_id": pl.String(),
    "arrival": pl.Date(),
    "person": pl.String(),
    "consignee_name": pl.String(),
    "address": pl.String(),  # the street line and postal code as written: "street|postal"
    "is_gift": pl.Boolean(),
    "shipment_value": pl.Float64(),
    "description": pl.String(),
    "hts": pl.String(),
    "origin": pl.String(),
    "sku": pl.String(),
    "qty": pl.Float64(),
    "unit_usd": pl.Float64(),
    "value_usd": pl.Float64(),
    "kg": pl.Float64(),
})

_UNIT_PART = (r"\s*(#|\b(apt|apartment|unit|suite|ste|room|rm|floor|fl|bldg|building|dept)\b)"
              r".*$")
_ABBREVIATIONS = {
    "street": "st", "avenue": "ave", "road": "rd", "drive": "dr", "boulevard": "blvd",
    "lane": "ln", "court": "ct", "place": "pl", "highway": "hwy", "parkway": "pkwy",
    "north": "n", "south": "s", "east": "e", "west": "w", "circle": "cir", "terrace": "ter",
}
# Each word padded by a space on both sides of its own (spaces doubled first), so that
# replace_many, which matches literally and without overlaps, replaces whole words only.
_LONG = [f" {word} " for word in _ABBREVIATIONS]
_SHORT = [f" {short} " for short in _ABBREVIATIONS.values()]


def address_key(address: pl.Expr, postal: pl.Expr) -> pl.Expr:
    """A delivery address as a key: street line lower-cased, unit and suite parts cut off,
    common words abbreviated, with the five-character postal code. Reshippers give every
    customer a suite number at one street address, so suites do not make addresses different.
    """
    street = (
        address.str.to_lowercase()
        .str.replace(_UNIT_PART, "")
        .str.replace_all(r"[^a-z0-9]+", "  ")
    )
    street = (pl.lit("  ") + street + pl.lit("  ")).str.replace_many(_LONG, _SHORT) \
        .str.replace_all(r" +", " ").str.strip_chars()
    code = postal.str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "").str.slice(0, 5)
    return pl.when(street != "").then(street + "|" + code).alias("address")


def cents(expr: pl.Expr) -> pl.Expr:
    """A float amount as text with exactly two decimals (for messages only)."""
    return expr.round(2).cast(pl.Decimal(30, 2)).cast(pl.String)


def on_unique(frame: pl.DataFrame, source: pl.Expr, derive: pl.Expr) -> pl.Expr:
    """``derive`` (an expression of the column ``v``) computed once per distinct value of
    ``source`` in ``frame`` and mapped back: regular expressions on a few thousand distinct
    texts instead of a million rows."""
    distinct = frame.select(source.alias("v")).unique().drop_nulls()
    derived = distinct.select(derive.alias("d"))
    return source.replace_strict(distinct["v"], derived["d"], default=None,
                                 return_dtype=pl.String)


def with_products(frame: pl.DataFrame) -> pl.DataFrame:
    """Adds ``product``: the SKU, or without one the folded description with the HTS code;
    ``h6``, the heading; and hashes of the shipment id (``sid``) and product (``pid``) to group
    on (a collision of 64-bit hashes among a tenant's shipments is not a practical concern)."""
    folded = on_unique(frame, pl.col("description"), pl.col("v").str.to_lowercase()
                       .str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars())
    return frame.with_columns(
        pl.when(pl.col("sku").is_not_null()).then(pl.lit("sku ") + pl.col("sku"))
        .otherwise(pl.format('"{}" under HTS {}', folded, pl.col("hts"))).alias("product"),
        pl.col("hts").str.slice(0, 6).alias("h6"),
        pl.col("shipment_id").hash().alias("sid"),
    ).with_columns(pl.col("product").hash().alias("pid"))


def _float(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Float64)


def risk_lines(result: ScreeningResult) -> pl.DataFrame:
    """The lines of the result's shipments with their person and value (``RISK_SCHEMA``).

    Only the shipments of ``result.shipments``: a history screening's lines also hold stored
    shipments screened along for context, which are not the result's.
    """
    heads = result.shipments.select(
        "shipment_id",
        pl.col("consignee_key").alias("person"),
        pl.col("value").cast(pl.Float64).alias("shipment_value"),
    )
    lines = result.lines
    kg = pl.when(pl.col("weight_unit_norm") == "lb").then(_float("weight_value") * 0.45359237) \
        .otherwise(_float("weight_value"))
    frame = lines.lazy().join(heads.lazy(), on="shipment_id", how="inner").select(
        "shipment_id",
        "order_id",
        "arrival",
        "person",
        "consignee_name",
        pl.concat_str(pl.col("consignee_address"), pl.lit("|"),
                      pl.col("consignee_postal_code").fill_null("")).alias("address"),
        pl.col("gift_line").alias("is_gift"),
        "shipment_value",
        "description",
        "hts",
        "origin",
        pl.col("sku").str.strip_chars().str.to_uppercase().alias("sku"),
        _float("qty").alias("qty"),
        (_float("price") * _float("usd_rate")).alias("unit_usd"),
        _float("value_line").alias("value_usd"),
        kg.alias("kg"),
    )
    return frame.collect().cast(dict(RISK_SCHEMA))  # type: ignore[arg-type]


def address_keys(frame: pl.DataFrame) -> pl.Expr:
    """``address`` ("street|postal code" as written) as a key (``address_key``), once per
    distinct address."""
    street = pl.col("v").str.split("|").list.first()
    postal = pl.col("v").str.split("|").list.last()
    return on_unique(frame, pl.col("address"), address_key(street, postal)).alias("address")
