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
    "address": pl.String(),
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

_UNIT_WORDS = r"\b(apt|apartment|unit|suite|ste|room|rm|floor|fl|bldg|building|dept|box|no)\b.*$"
_ABBREVIATIONS = {
    "street": "st", "avenue": "ave", "road": "rd", "drive": "dr", "boulevard": "blvd",
    "lane": "ln", "court": "ct", "place": "pl", "highway": "hwy", "parkway": "pkwy",
    "north": "n", "south": "s", "east": "e", "west": "w", "circle": "cir", "terrace": "ter",
}


def address_key(address: pl.Expr, postal: pl.Expr) -> pl.Expr:
    """A delivery address as a key: street line lower-cased, unit and suite parts cut off,
    common words abbreviated, with the five-character postal code. Reshippers give every
    customer a suite number at one street address, so suites do not make addresses different.
    """
    street = (
        address.str.to_lowercase()
        .str.replace_all(r"#.*$", "")
        .str.replace_all(r"[^a-z0-9 ]", " ")
        .str.replace(_UNIT_WORDS, "")
    )
    for word, short in _ABBREVIATIONS.items():
        street = street.str.replace_all(rf"\b{word}\b", short)
    street = street.str.replace_all(r"\s+", " ").str.strip_chars()
    code = postal.str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "").str.slice(0, 5)
    return pl.when(street != "").then(street + "|" + code).alias("address")


def _float(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Float64)


def risk_lines(result: ScreeningResult) -> pl.DataFrame:
    """The result's lines with their shipment's person and value (``RISK_SCHEMA``)."""
    heads = result.shipments.select(
        "shipment_id",
        pl.col("consignee_key").alias("person"),
        pl.col("value").cast(pl.Float64).alias("shipment_value"),
    )
    lines = result.lines
    kg = pl.when(pl.col("weight_unit_norm") == "lb").then(_float("weight_value") * 0.45359237) \
        .otherwise(_float("weight_value"))
    frame = lines.lazy().join(heads.lazy(), on="shipment_id", how="left").select(
        "shipment_id",
        "order_id",
        "arrival",
        "person",
        "consignee_name",
        address_key(pl.col("consignee_address"), pl.col("consignee_postal_code")),
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
