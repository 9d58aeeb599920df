"""Entry-path decisions for every shipment, columnar: one implementation for one shipment or a million.

Order of work: validate lines; total each shipment in USD; find persons; decide gifts (they
leave the person-day aggregate when they qualify); total person-days and orders; set every reason
flag; pick the decision; write reasons with their figures and references, decisive first.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from ace321.intake import columns
from ace321.rules import RuleSet
from ace321.screening import persons, reasons, regimes
from ace321.screening.result import ScreeningResult
from ace321.validation import checks, plans

DECISIONS = ("SECTION_321", "GIFT", "INFORMAL_ENTRY", "FORMAL_ENTRY", "INVALID")


def screen(
    frame: pl.DataFrame,
    *,
    rules: RuleSet,
    default_arrival: dt.date | None = None,
    rates: pl.DataFrame | None = None,
    hts: pl.Series | None = None,
) -> ScreeningResult:
    """Screen a canonical frame of order lines (see ``ace321.intake``)."""
    validated = checks.validate(
        frame, rules=rules, default_arrival=default_arrival, rates=rates, hts_known=hts
    )
    lines = validated.lines.with_columns(
        regimes.listed(rules, "exclusions.alcohol_hts_headings", pl.col("hts"), pl.col("arrival"),
                       prefix=True).alias("is_alcohol"),
        regimes.listed(rules, "exclusions.tobacco_hts_headings", pl.col("hts"), pl.col("arrival"),
                       prefix=True).alias("is_tobacco"),
        regimes.listed(rules, "exclusions.alcoholic_perfume_hts_prefixes", pl.col("hts"),
                       pl.col("arrival"), prefix=True).alias("is_perfume"),
        regimes.listed(rules, "deminimis.suspended_origins", pl.col("origin"), pl.col("arrival"),
                       prefix=False).alias("is_suspended_origin"),
        pl.col("adcvd_case").is_not_null().alias("is_adcvd"),
    )
    errors = validated.issues.filter(pl.col("severity") == "error")
    shipments = _shipments(lines, errors)
    shipments = _decide(shipments, rules)
    extra = _entry_warnings(lines, shipments)
    issues = pl.concat([validated.issues, extra]).sort("row", maintain_order=True)
    return ScreeningResult.build(shipments, issues, rules, lines)


FLAG_CODES = {
    "is_alcohol": ("hts_code", "alcohol_codes"),
    "is_tobacco": ("hts_code", "tobacco_codes"),
    "is_perfume": ("hts_code", "perfume_codes"),
    "is_suspended_origin": ("origin", "suspended_origins"),
    "is_adcvd": ("adcvd_case", "adcvd_cases"),
}


def _codes(flag: str, column: str) -> pl.Expr:
    return pl.col(column).filter(pl.col(flag)).unique(maintain_order=True).str.join(", ")


def _shipments(lines: pl.DataFrame, errors: pl.DataFrame) -> pl.DataFrame:
    # Shipment-level fields come from each shipment's first line; only the per-line figures
    # go through the (unordered, faster) group-by.
    firsts = plans.collect(lines.lazy().filter(pl.col("shipment_id").is_first_distinct()).select(
        "shipment_id", "order_id", "arrival", "consignee_name", "consignee_postal_code",
        "_consignee_country", "phone", pl.col(columns.ROW).alias("first_row"),
    ))
    figures = plans.collect(lines.lazy().group_by("shipment_id").agg(
        pl.when(pl.col("value_line").is_null().any())
        .then(None)
        .otherwise(pl.col("value_line").sum())
        .alias("value"),
        pl.col("gift_line").all().alias("is_gift"),
        pl.len().alias("line_count"),
        *[pl.col(flag).any().alias(flag) for flag in
          ("is_alcohol", "is_tobacco", "is_perfume", "is_suspended_origin", "is_adcvd")],
    ))
    shipments = firsts.join(figures, on="shipment_id", how="left", maintain_order="left")
    # The codes named in exclusion messages: gathered from the few flagged lines only.
    flagged = lines.filter(pl.any_horizontal(*FLAG_CODES))
    named = flagged.group_by("shipment_id").agg(
        _codes(flag, column).alias(alias) for flag, (column, alias) in FLAG_CODES.items()
    )
    shipments = shipments.join(named, on="shipment_id", how="left", maintain_order="left")
    # Folding names is costly: done once per shipment, not once per line.
    shipments = shipments.with_columns(
        (
            persons.folded_name(pl.col("consignee_name"))
            + "|"
            + persons.postal_key(pl.col("consignee_postal_code"), pl.col("_consignee_country"))
        ).alias("name_key")
    ).drop("consignee_postal_code", "_consignee_country")
    invalid = errors.select(pl.col("shipment_id").unique())["shipment_id"]
    shipments = shipments.with_columns(
        (~pl.col("shipment_id").is_in(invalid.implode()) & pl.col("value").is_not_null()).alias("valid")
    )
    return shipments.with_columns(persons.person_keys(shipments).alias("consignee_key"))


def _decide(shipments: pl.DataFrame, rules: RuleSet) -> pl.DataFrame:
    regime = regimes.regime_frame(rules, shipments["arrival"])
    s = shipments.join(regime, on="arrival", how="left", maintain_order="left")
    valid = pl.col("valid")
    person_day = ["consignee_key", "arrival"]
    perfume_excluded = pl.col("is_perfume") & (pl.col("value") > pl.col("perfume_limit"))
    s = s.with_columns(
        (pl.col("is_alcohol") | pl.col("is_tobacco") | perfume_excluded | pl.col("is_adcvd"))
        .alias("excluded"),
        perfume_excluded.alias("perfume_excluded"),
    )
    # Gifts first: a qualifying gift leaves the de minimis aggregate.
    gift_candidate = valid & pl.col("is_gift") & ~pl.col("excluded")
    s = s.with_columns(
        pl.col("value").filter(gift_candidate).sum().over(person_day).alias("gift_total"),
    )
    s = s.with_columns(
        (gift_candidate & (pl.col("gift_total") <= pl.col("gift_limit"))).alias("gift_ok"),
    )
    s = s.with_columns(
        (gift_candidate & ~pl.col("gift_ok")).alias("gift_over"),
        (valid & ~pl.col("gift_ok")).alias("counted"),
    )
    counted = pl.col("counted")
    s = s.with_columns(
        pl.col("value").filter(counted).sum().over(person_day).alias("day_total"),
        counted.sum().over(person_day).alias("day_count"),
        pl.col("value").filter(counted).sum().over("order_id").alias("order_total"),
        counted.sum().over("order_id").alias("order_count"),
    )
    has_threshold = pl.col("threshold").is_not_null()
    s = s.with_columns(
        pl.col("repealed").alias("f_repealed"),
        pl.col("suspended_globally").alias("f_suspended_global"),
        pl.col("is_suspended_origin").alias("f_suspended_origin"),
        (has_threshold & (pl.col("value") > pl.col("threshold"))).alias("f_over_value"),
        (has_threshold & (pl.col("day_count") > 1) & (pl.col("day_total") > pl.col("threshold")))
        .alias("f_daily"),
        (has_threshold & pl.col("split_denied") & (pl.col("order_count") > 1)
         & (pl.col("order_total") > pl.col("threshold"))).alias("f_split"),
    )
    denied = pl.any_horizontal(
        "f_repealed", "f_suspended_global", "f_suspended_origin", "excluded",
        "f_over_value", "f_daily", "f_split",
    )
    s = s.with_columns(
        pl.when(~valid).then(pl.lit("INVALID"))
        .when(pl.col("gift_ok")).then(pl.lit("GIFT"))
        .when(~denied).then(pl.lit("SECTION_321"))
        .when(pl.col("value") <= pl.col("informal_limit")).then(pl.lit("INFORMAL_ENTRY"))
        .otherwise(pl.lit("FORMAL_ENTRY"))
        .alias("decision")
    )
    return reasons.with_reasons(s)


def _entry_warnings(lines: pl.DataFrame, shipments: pl.DataFrame) -> pl.DataFrame:
    """HTS_NOT_10_DIGIT: an entry wants the ten-digit statistical code."""
    needs_entry = shipments.filter(pl.col("decision").is_in(["INFORMAL_ENTRY", "FORMAL_ENTRY"]))
    short = lines.filter(
        pl.col("shipment_id").is_in(needs_entry["shipment_id"].implode())
        & pl.col("hts").str.contains(r"^\d{6,9}$")
    )
    return short.select(
        "shipment_id",
        pl.lit("HTS_NOT_10_DIGIT").alias("code"),
        pl.lit("warning").alias("severity"),
        pl.format("lines[{}].hts_code", pl.col(columns.LINE_INDEX)).alias("field"),
        pl.col(columns.ROW).alias("row"),
        pl.format('HTS code "{}" has {} digits; the entry this shipment needs wants all 10',
                  pl.col("hts_code"), pl.col("hts").str.len_chars()).alias("message"),
    ).cast(checks.ISSUE_SCHEMA)
