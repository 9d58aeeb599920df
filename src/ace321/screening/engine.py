"""Entry-path decisions for every shipment, columnar: one implementation for one shipment or a million.

Order of work: validate lines; total each shipment in USD; find persons; decide gifts (they
leave the person-day aggregate when they qualify); total person-days and orders; set every reason
flag; pick the decision; write reasons with their figures and references, decisive first.

Each step is one Polars query (persons excepted: label propagation iterates), and every
expression that depends only on the rules is built once (see ``regimes``), so that a call with
one shipment costs a few milliseconds and a million lines stay columnar.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from ace321.intake import columns
from ace321.rules import RuleSet
from ace321.screening import chapter99, persons, reasons, regimes
from ace321.screening.money import amount_text
from ace321.screening.result import ScreeningResult
from ace321.validation import checks, plans
from ace321.vocabulary import Decision

DECISIONS = Decision.values()


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
    issues = validated.issues
    errors = (issues.filter(pl.col("severity") == "error")["shipment_id"].unique()
              if issues.height else issues["shipment_id"])
    lines = plans.with_columns(
        validated.lines.lazy(),
        [*regimes.line_flags(rules), chapter99.line_flag(validated.lines, rules)],
        validated.lines.height,
    )
    shipments = _shipments(lines, errors, validated.lines.height)
    decided, explained = reasons.with_reasons(_decide(shipments, rules), shipments.height)
    extra = _entry_warnings(validated.lines, decided)
    if extra.height:
        issues = pl.concat([issues, extra]).sort("row", maintain_order=True)
    return ScreeningResult.build(explained, issues, rules, validated.lines, rows=decided.height)


FLAG_CODES = {
    "is_alcohol": ("hts_code", "alcohol_codes"),
    "is_tobacco": ("hts_code", "tobacco_codes"),
    "is_perfume": ("hts_code", "perfume_codes"),
    "is_suspended_origin": ("origin", "suspended_origins"),
    "is_adcvd": ("adcvd_case", "adcvd_cases"),
}


_SHORT_HTS = r"^\d{6,9}$"
# Shipment-level fields come from each shipment's first line (``first`` keeps input order
# within a group).
_FIGURES = [
    pl.col("order_id").first(),
    pl.col("arrival").first(),
    pl.col("consignee_name").first(),
    pl.col("consignee_postal_code").first(),
    pl.col("_consignee_country").first(),
    pl.col("phone").first(),
    pl.col(columns.ROW).first().alias("first_row"),
    pl.when(pl.col("value_line").is_null().any())
    .then(None)
    .otherwise(pl.col("value_line").sum())
    .alias("value"),
    pl.col("gift_line").all().alias("is_gift"),
    pl.col("value_line").filter(pl.col("is_ch99")).sum().alias("ch99_value"),
    pl.col("hts").str.contains(_SHORT_HTS).any().alias("_short_hts"),
    pl.len().alias("line_count"),
    *[pl.col(flag).any().alias(flag) for flag in FLAG_CODES],
]


def _name_key(names: pl.Series | None) -> pl.Expr:
    """Folded name and postal key. Folding is costly (0.11 s on 300,000 shipments) and a large
    file repeats names (29,000 distinct there): given ``names``, each distinct one is folded once."""
    folded = persons.folded_name(pl.col("consignee_name"))
    if names is not None:
        distinct = names.unique().drop_nulls()
        folded = pl.col("consignee_name").replace_strict(
            distinct,
            distinct.to_frame().select(persons.folded_name(pl.col("consignee_name"))).to_series(),
            default=None, return_dtype=pl.String,
        )
    postal = persons.postal_key(pl.col("consignee_postal_code"), pl.col("_consignee_country"))
    return (folded + "|" + postal).alias("name_key")


def _shipments(lines: pl.LazyFrame, errors: pl.Series, rows: int) -> pl.DataFrame:
    # Grouped on the shipment's index (see ``checks.SHIPMENT_INDEX``), which also puts the
    # shipments in input order.
    figures = (
        lines.group_by(checks.SHIPMENT_INDEX)
        .agg(pl.col("shipment_id").first(), *_FIGURES)
        .sort(checks.SHIPMENT_INDEX)
    )
    names = None
    if rows >= plans.SMALL:
        # The shipments' names are needed to build the folding map: a query of its own.
        collected = plans.collect(figures, rows)
        names, figures = collected["consignee_name"], collected.lazy()
    invalid = pl.col("shipment_id").is_in(errors.implode()) if errors.len() else pl.lit(False)
    shipments = plans.collect(
        plans.with_columns(figures, [
            _name_key(names),
            (~invalid & pl.col("value").is_not_null()).alias("valid"),
        ], rows).drop("consignee_postal_code", "_consignee_country"),
        rows,
    )
    shipments = _with_codes(shipments, lines, rows)
    return shipments.with_columns(persons.person_keys(shipments).alias("consignee_key"))


_NO_CODES = {alias: pl.lit(None, dtype=pl.String).alias(alias) for _, alias in FLAG_CODES.values()}


def _with_codes(shipments: pl.DataFrame, lines: pl.LazyFrame, rows: int) -> pl.DataFrame:
    """The codes named in exclusion messages ("HTS 2204.21.50, 2402.10.80"), per flag.

    Only for the flags some shipment has. Each shipment's distinct codes in input order:
    distinct (shipment, code) rows first, then joined per shipment (a per-group ``unique`` was
    0.3 s on a million lines, 15 % of them of suspended origin).
    """
    plan = shipments.lazy()
    for flag, (column, alias) in FLAG_CODES.items():
        if not shipments[flag].any():
            plan = plan.with_columns(_NO_CODES[alias])
            continue
        codes = (
            lines.filter(pl.col(flag))
            .select(checks.SHIPMENT_INDEX, column)
            .unique(maintain_order=True)
            .group_by(checks.SHIPMENT_INDEX)
            .agg(pl.col(column).str.join(", ").alias(alias))
        )
        plan = plan.join(codes, on=checks.SHIPMENT_INDEX, how="left", maintain_order="left")
    return plans.collect(plan, rows)


def _decisions() -> list[list[pl.Expr]]:
    """The decision, as successive column groups (each reads the columns made before it)."""
    valid = pl.col("valid")
    person_day = ["consignee_key", "arrival"]
    perfume_excluded = pl.col("is_perfume") & (pl.col("value") > pl.col("perfume_limit"))
    # Gifts first: a qualifying gift leaves the de minimis aggregate.
    gift_candidate = valid & pl.col("is_gift") & ~pl.col("excluded")
    counted = pl.col("counted")
    has_threshold = pl.col("threshold").is_not_null()
    denied = pl.any_horizontal(
        "f_repealed", "f_suspended_global", "f_suspended_origin", "excluded",
        "f_over_value", "f_daily", "f_split",
    )
    return [
        [
            (pl.col("is_alcohol") | pl.col("is_tobacco") | perfume_excluded | pl.col("is_adcvd"))
            .alias("excluded"),
            perfume_excluded.alias("perfume_excluded"),
            pl.when(pl.col("value").is_not_null()).then(amount_text(pl.col("value"))).alias("value_usd"),
        ],
        [pl.col("value").filter(gift_candidate).sum().over(person_day).alias("gift_total")],
        [(gift_candidate & (pl.col("gift_total") <= pl.col("gift_limit"))).alias("gift_ok")],
        [
            (gift_candidate & ~pl.col("gift_ok")).alias("gift_over"),
            (valid & ~pl.col("gift_ok")).alias("counted"),
        ],
        [
            pl.col("value").filter(counted).sum().over(person_day).alias("day_total"),
            counted.sum().over(person_day).alias("day_count"),
            pl.col("value").filter(counted).sum().over("order_id").alias("order_total"),
            counted.sum().over("order_id").alias("order_count"),
        ],
        [
            pl.col("repealed").alias("f_repealed"),
            pl.col("suspended_globally").alias("f_suspended_global"),
            pl.col("is_suspended_origin").alias("f_suspended_origin"),
            (has_threshold & (pl.col("value") > pl.col("threshold"))).alias("f_over_value"),
            (has_threshold & (pl.col("day_count") > 1)
             & (pl.col("day_total") > pl.col("threshold"))).alias("f_daily"),
            (has_threshold & pl.col("split_denied") & (pl.col("order_count") > 1)
             & (pl.col("order_total") > pl.col("threshold"))).alias("f_split"),
            # 19 CFR 143.21(a): Chapter 99 articles over $250 need a formal entry (rule E2).
            (pl.col("ch99_limit").is_not_null() & (pl.col("ch99_value") > pl.col("ch99_limit")))
            .fill_null(False).alias("f_ch99"),
        ],
        [
            pl.when(~valid).then(pl.lit("INVALID"))
            .when(pl.col("gift_ok")).then(pl.lit("GIFT"))
            .when(~denied).then(pl.lit("SECTION_321"))
            .when((pl.col("value") <= pl.col("informal_limit")) & ~pl.col("f_ch99"))
            .then(pl.lit("INFORMAL_ENTRY"))
            .otherwise(pl.lit("FORMAL_ENTRY"))
            .alias("decision")
        ],
    ]


_DECISIONS = _decisions()


def _decide(shipments: pl.DataFrame, rules: RuleSet) -> pl.LazyFrame:
    regime = regimes.regime_frame(rules, shipments["arrival"])
    plan = shipments.lazy().join(regime.lazy(), on="arrival", how="left", maintain_order="left")
    for group in _DECISIONS:
        plan = plans.with_columns(plan, group, shipments.height)
    return plan




def _entry_warnings(lines: pl.DataFrame, shipments: pl.DataFrame) -> pl.DataFrame:
    """HTS_NOT_10_DIGIT: an entry wants the ten-digit statistical code."""
    short = shipments["decision"].is_in(["INFORMAL_ENTRY", "FORMAL_ENTRY"]) & shipments["_short_hts"]
    if not short.any():
        return checks.NO_ISSUES.clear()
    needs_entry = shipments.filter(short)["shipment_id"]
    return plans.collect(lines.lazy().filter(
        pl.col("shipment_id").is_in(needs_entry.implode()) & pl.col("hts").str.contains(_SHORT_HTS)
    ).select(
        "shipment_id",
        pl.lit("HTS_NOT_10_DIGIT").alias("code"),
        pl.lit("warning").alias("severity"),
        pl.format("lines[{}].hts_code", pl.col(columns.LINE_INDEX)).alias("field"),
        pl.col(columns.ROW).alias("row"),
        pl.format('HTS code "{}" has {} digits; the entry this shipment needs wants all 10',
                  pl.col("hts_code"), pl.col("hts").str.len_chars()).alias("message"),
    ).cast(checks.ISSUE_SCHEMA), lines.height)
