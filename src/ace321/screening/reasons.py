"""Reason codes with their messages (figures included) and legal references.

``PRECEDENCE`` orders the reasons of a shipment so that the decisive one comes first: what makes
an entry formal, then what grants the decision, then why de minimis is denied, from the
broadest (the law is gone) to the most particular (this person's day).
"""

from __future__ import annotations

import polars as pl

from ace321.screening.money import dollars
from ace321.validation import plans

ONE_PERSON_ONE_DAY = "19 CFR 10.151 (aggregate fair retail value, one person, one day)"
INFORMAL = "19 CFR 143.21; 19 CFR 143.22 (CBP may require formal entry)"


def _reason(
    code: str, when: pl.Expr, message: pl.Expr, reference: pl.Expr
) -> tuple[str, pl.Expr, pl.Expr, pl.Expr]:
    return code, when, message, reference


def _c(name: str) -> pl.Expr:
    return pl.col(name)


def _definitions() -> list[tuple[str, pl.Expr, pl.Expr, pl.Expr]]:
    decision = _c("decision")
    denied_path = decision.is_in(["INFORMAL_ENTRY", "FORMAL_ENTRY"])
    day = _c("arrival").cast(pl.String)
    # Amounts as text: the shipment's value once per shipment, the regime's limits once per
    # date (``regimes``), rather than formatting the same figures in every message.
    value = pl.lit("$") + _c("value_usd")
    threshold = _c("threshold_text")
    return [
        _reason(
            "OVER_INFORMAL_LIMIT",
            (decision == "FORMAL_ENTRY") & (_c("value") > _c("informal_limit")).fill_null(False),
            pl.format("shipment value {} exceeds the {} informal entry limit in force on {}: "
                      "formal entry (type 01) required", value, _c("informal_limit_text"), day),
            _c("informal_limit_ref"),
        ),
        _reason(
            "CH99_OVER_250", (decision == "FORMAL_ENTRY") & _c("f_ch99"),
            pl.format("articles subject to Chapter 99 additional duties (Section 301 or 122 lines) "
                      "are worth {}, above the {} allowed on an informal entry on {}: formal entry "
                      "(type 01) required", dollars(_c("ch99_value")), _c("ch99_limit_text"), day),
            _c("ch99_limit_ref"),
        ),
        _reason(
            "GIFT_OK", decision == "GIFT",
            pl.format("bona fide gift: gifts to this person on {} total {}, within the {} gift "
                      "limit; duty-free on any date", day, dollars(_c("gift_total")),
                      _c("gift_limit_text")),
            _c("gift_limit_ref"),
        ),
        _reason(
            "DEMINIMIS_OK", decision == "SECTION_321",
            pl.format("shipment value {} (this person's day: {} in {} shipment(s)) is within the "
                      "{} threshold in force on {}: duty- and tax-free under Section 321", value,
                      dollars(_c("day_total")), _c("day_count"), threshold, day),
            pl.format("{}; {}", _c("threshold_ref"), pl.lit(ONE_PERSON_ONE_DAY)),
        ),
        _reason(
            "REPEALED", denied_path & _c("f_repealed"),
            pl.format("commercial de minimis was repealed by statute from {}; arrival {}",
                      _c("repealed_since").cast(pl.String), day),
            _c("repealed_ref"),
        ),
        _reason(
            "SUSPENDED_GLOBAL", denied_path & _c("f_suspended_global") & ~_c("f_repealed"),
            pl.format("duty-free de minimis is suspended for goods of every origin since {}; "
                      "arrival {}", _c("suspended_globally_since").cast(pl.String), day),
            _c("suspended_globally_ref"),
        ),
        _reason(
            "SUSPENDED_CHINA_HK", denied_path & _c("f_suspended_origin"),
            pl.format("de minimis is suspended on {} for goods of Chinese or Hong Kong origin "
                      "(lines of origin {}), since {}", day, _c("suspended_origins"),
                      _c("origins_since").cast(pl.String)),
            _c("origins_ref"),
        ),
        _reason(
            "EXCLUDED_ALCOHOL", denied_path & _c("is_alcohol"),
            pl.format("alcoholic beverages (HTS {}) are never eligible for Section 321",
                      _c("alcohol_codes")),
            _c("alcohol_ref"),
        ),
        _reason(
            "EXCLUDED_TOBACCO", denied_path & _c("is_tobacco"),
            pl.format("tobacco products (HTS {}) are never eligible for Section 321",
                      _c("tobacco_codes")),
            _c("tobacco_ref"),
        ),
        _reason(
            "EXCLUDED_PERFUME", denied_path & _c("perfume_excluded"),
            pl.format("perfume containing alcohol (HTS {}) in a shipment worth {}, above the {} "
                      "allowed", _c("perfume_codes"), value, _c("perfume_limit_text")),
            _c("perfume_limit_ref"),
        ),
        _reason(
            "EXCLUDED_ADCVD", denied_path & _c("is_adcvd"),
            pl.format("goods subject to antidumping/countervailing duty case {} are never "
                      "eligible for Section 321", _c("adcvd_cases")),
            pl.lit("19 CFR 10.153; 19 U.S.C. 1673, 1671"),
        ),
        _reason(
            "VALUE_OVER_THRESHOLD", denied_path & _c("f_over_value"),
            pl.format("shipment value {} exceeds the {} threshold in force on {}", value,
                      threshold, day),
            _c("threshold_ref"),
        ),
        _reason(
            "DAILY_AGGREGATE_EXCEEDED", denied_path & _c("f_daily"),
            pl.format("{} shipments to this person ({}) arriving {} total {}, exceeding the {} "
                      "threshold: none of them may use de minimis", _c("day_count"),
                      _c("consignee_key"), day, dollars(_c("day_total")), threshold),
            pl.format("{}; {}", pl.lit(ONE_PERSON_ONE_DAY), _c("threshold_ref")),
        ),
        _reason(
            "SPLIT_LOT", denied_path & _c("f_split"),
            pl.format("order {} is sent as {} shipments totalling {}, above the {} threshold: "
                      "lots of one order may not be split to use de minimis", _c("order_id"),
                      _c("order_count"), dollars(_c("order_total")), threshold),
            _c("split_denied_ref"),
        ),
        _reason(
            "GIFT_OVER_LIMIT", _c("gift_over") & (decision != "INVALID"),
            pl.format("gifts to this person on {} total {}, above the {} gift limit: the "
                      "shipment takes the usual path", day, dollars(_c("gift_total")),
                      _c("gift_limit_text")),
            _c("gift_limit_ref"),
        ),
    ]


PRECEDENCE = (
    "OVER_INFORMAL_LIMIT", "CH99_OVER_250", "GIFT_OK", "DEMINIMIS_OK", "REPEALED", "SUSPENDED_GLOBAL",
    "SUSPENDED_CHINA_HK", "EXCLUDED_ALCOHOL", "EXCLUDED_TOBACCO", "EXCLUDED_PERFUME",
    "EXCLUDED_ADCVD", "VALUE_OVER_THRESHOLD", "DAILY_AGGREGATE_EXCEEDED", "SPLIT_LOT",
    "GIFT_OVER_LIMIT",
)


REASON = pl.Struct({"code": pl.String, "message": pl.String, "reference": pl.String})
_DEFINITIONS = _definitions()
_WHEN = [when.alias(f"_reason{rank}") for rank, (_, when, _, _) in enumerate(_DEFINITIONS)]
_WHEN_NAMES = [f"_reason{rank}" for rank in range(len(_DEFINITIONS))]
_NONE = pl.lit([], dtype=pl.List(REASON))


def with_reasons(decided: pl.LazyFrame, rows: int) -> tuple[pl.DataFrame, pl.LazyFrame]:
    """The decided shipments, and a plan adding ``reasons`` to them: a list of {code, message,
    reference} structs, decisive first (left lazy, so that the result's own columns are
    selected in the same query).

    Built in long form (one row per shipment and reason, then grouped): Polars' list
    concatenation of structs is two orders of magnitude slower at a million rows. Messages are
    formatted only for the shipments a reason applies to, and only reasons that apply to some
    shipment take part in the query.
    """
    flagged = plans.collect(plans.with_columns(decided.with_row_index("_shipment"), _WHEN, rows), rows)
    ranks = [rank for rank, name in enumerate(_WHEN_NAMES) if flagged[name].any()]
    plan = flagged.lazy()
    if ranks:
        parts = [
            plan.filter(pl.col(f"_reason{rank}")).select(
                "_shipment",
                pl.lit(code).alias("code"),
                message.cast(pl.String).alias("message"),
                reference.cast(pl.String).alias("reference"),
            )
            for rank, (code, _, message, reference) in (
                (rank, _DEFINITIONS[rank]) for rank in ranks
            )
        ]
        # The parts come in rank order and a group keeps the order of its rows: no sort needed.
        grouped = pl.concat(parts).group_by("_shipment").agg(
            pl.struct("code", "message", "reference").alias("reasons")
        )
        plan = plan.join(grouped, on="_shipment", how="left", maintain_order="left").with_columns(
            pl.col("reasons").fill_null(_NONE)
        )
    else:
        plan = plan.with_columns(_NONE.alias("reasons"))
    return flagged, plan.drop("_shipment", *_WHEN_NAMES)
