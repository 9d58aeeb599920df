"""Risk scores: every batch shipment's signals, their weights summed (capped at 100), a band.

``score_lines`` reads the batch's lines and, optionally, stored history in the same shape
(``frame.RISK_SCHEMA``); statistics and windows run over both, signals are given to the batch's
shipments only. Parameters are those in force on each shipment's arrival date (vocabulary and
word lists: on the batch's last arrival date). The score is advice: nothing here reads or
changes a customs decision. Every aggregate is order-free and ties are broken by text, so the
order of the rows never changes a score.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from ace321.risk import pattern_signals, text_signals, value_signals
from ace321.risk.frame import with_products
from ace321.risk.model import RiskModel
from ace321.risk.params import Params
from ace321.rules import RuleSet

SIGNAL_STRUCT = pl.Struct({"code": pl.String, "weight": pl.Int64, "message": pl.String,
                           "reference": pl.String})
BANDS = ("low", "medium", "high")
FACT_CODES = {"DUPLICATE_SHIPMENT": "duplicate_shipment",
              "EARLIER_SHIPMENT_AT_RISK": "earlier_shipment_at_risk",
              "OVERRIDE_STRICTER": "override_stricter"}
_FOUND = pl.Schema({"shipment_id": pl.String(), "message": pl.String(), "strength": pl.Float64()})
SCORE_SCHEMA = pl.Schema({"shipment_id": pl.String(), "score": pl.Int64(), "band": pl.String(),
                          "signals": pl.List(SIGNAL_STRUCT)})
_DEFAULT_DAY = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class RiskResult:
    rules_version: str
    shipments: pl.DataFrame
    """shipment_id, score, band, signals; highest scores first, then by shipment_id."""

    def by_band(self) -> dict[str, int]:
        counts = dict(self.shipments["band"].value_counts().iter_rows())
        return {band: int(counts.get(band, 0)) for band in BANDS}

    def summary(self) -> dict[str, Any]:
        return {"shipments": self.shipments.height, "by_band": self.by_band()}

    def records(self) -> list[dict[str, Any]]:
        return self.shipments.to_dicts()

    def to_document(self) -> dict[str, Any]:
        return {"rules_version": self.rules_version, "summary": self.summary(),
                "shipments": self.records()}


def version(model: RiskModel, rules: RuleSet) -> str:
    """The risk model's version with the screening rules' (STRUCTURING reads their thresholds)."""
    return f"{model.version}/{rules.version}"


def _shipments(lines: pl.DataFrame) -> pl.DataFrame:
    """One row per shipment; fields shared by a shipment's lines taken as their minimum, so
    that no row order decides them (they differ only on a CONFLICTING_SHIPMENT)."""
    return lines.lazy().group_by("sid").agg(
        pl.col("shipment_id").first(), pl.col("order_id").min(), pl.col("arrival").min(),
        pl.col("person").min(), pl.col("consignee_name").min(), pl.col("address").min(),
        pl.col("is_gift").all(), pl.col("shipment_value").max(), pl.col("_new").any(),
    ).collect()


def _strongest(found: pl.DataFrame) -> pl.DataFrame:
    """One row per shipment: its strongest finding (ties: the first message in text order)."""
    return found.sort(["shipment_id", "strength", "message"], descending=[False, True, False]) \
        .unique("shipment_id", keep="first", maintain_order=True)


def score_lines(
    batch: pl.DataFrame,
    *,
    model: RiskModel,
    rules: RuleSet,
    history: pl.DataFrame | None = None,
    facts: pl.DataFrame | None = None,
) -> RiskResult:
    """Score every shipment of ``batch``. ``facts``: shipment_id, code (a ``FACT_CODES`` key),
    message: what ace321 already knows (duplicates, earlier shipments at risk, overrides)."""
    ids = batch["shipment_id"].unique()
    lines = batch.with_columns(pl.lit(True).alias("_new"))
    if history is not None and history.height:
        old = history.filter(~pl.col("shipment_id").is_in(ids.implode()))
        lines = pl.concat([lines, old.select(batch.columns).with_columns(pl.lit(False).alias("_new"))])
    lines = with_products(lines)
    arrivals = batch["arrival"].drop_nulls()
    as_of = arrivals.max() if arrivals.len() else _DEFAULT_DAY
    assert isinstance(as_of, dt.date)
    days = sorted({as_of, *lines["arrival"].drop_nulls().unique().to_list()})
    params = Params(model, rules, days)
    on_day = pl.col("arrival").fill_null(as_of)

    population = lines.lazy()
    new_lines = population.filter(pl.col("_new")).with_columns(on_day)
    ships = params.on(_shipments(lines).lazy().with_columns(on_day), "t_", "structuring.",
                      "reshipper_address.", "consignee_velocity.")
    new_ships = ships.filter(pl.col("_new"))

    found: dict[str, pl.LazyFrame] = {}
    found["undervalued"], found["value_weight_outlier"] = value_signals.value_signals(
        new_lines, population, params)
    near_share = float(model.value("structuring.near_share", as_of))
    near = pattern_signals.near_threshold(ships, near_share)
    structuring = [pattern_signals.structuring_near(new_ships, near),
                   pattern_signals.structuring_lots(new_ships, ships)]
    found["reshipper_address"] = pattern_signals.reshipper(
        new_ships, ships, int(model.value("reshipper_address.min_persons", as_of)))
    found["consignee_velocity"] = pattern_signals.velocity(
        new_ships, ships, int(model.value("consignee_velocity.min_shipments", as_of)))
    china = list(model.value("origin_inconsistent.china_origins", as_of))
    origin_plan = pattern_signals.origin(new_lines, population, china, params)
    collected = pl.collect_all([*found.values(), *structuring, origin_plan])
    results = dict(zip(found, collected[:len(found)], strict=True))
    results["structuring"] = pl.concat(collected[len(found):len(found) + 2])
    origin_found = collected[-1]

    text = _text_findings(lines, model, as_of)
    results.update(text)
    rows = [_signal_rows(model, name, frame) for name, frame in results.items()]
    rows.append(_origin_rows(model, origin_found))
    rows.append(_fact_rows(model, batch, facts))
    signals = pl.concat([r for r in rows if r.height], how="vertical") if any(
        r.height for r in rows) else pl.DataFrame(schema={"shipment_id": pl.String, "arrival": pl.Date,
                                                           **{k: v for k, v in SIGNAL_STRUCT.to_schema().items()}})
    return RiskResult(version(model, rules), _scores(model, batch, signals, as_of))


def _text_findings(lines: pl.DataFrame, model: RiskModel, as_of: dt.date) -> dict[str, pl.DataFrame]:
    batch = lines.filter(pl.col("_new"))
    generic = model.value("vague_description.generic_words", as_of)
    min_letters = int(model.value("vague_description.min_letters", as_of))
    vague = text_signals.vague_lines(batch["description"], generic, min_letters)
    vague_found = batch.select("shipment_id", "description").join(vague, on="description") \
        .select("shipment_id", "message", pl.lit(1.0).alias("strength"))
    vocabulary = text_signals.base_vocabulary().with_declared(text_signals.declared_vocabulary(
        lines, min_persons=int(model.value("hts_description_mismatch.history_min_persons", as_of)),
        weight=float(model.value("hts_description_mismatch.history_weight", as_of))))
    pairs = batch.select("description", "hts").drop_nulls().unique() \
        .filter(~pl.col("description").is_in(vague["description"].implode())
                & pl.col("hts").str.contains(r"^(\d{6}|\d{8}|\d{10})$"))
    fits = text_signals.mismatch_fits(pairs, vocabulary)
    value = lambda name: float(model.value(f"hts_description_mismatch.{name}", as_of))  # noqa: E731
    wrong = fits.filter(
        (pl.col("declared_fit") <= value("max_declared_share") * pl.col("best_fit"))
        & (pl.col("best_fit") >= value("min_best_fit"))
        & (pl.col("best_count") >= value("min_best_words"))
    )
    mismatch = batch.select("shipment_id", "description", "hts").join(
        wrong, on=["description", "hts"]
    ).select(
        "shipment_id",
        pl.format('description "{}" fits chapter {} ({}) but HTS {} is chapter {}, whose '
                  "descriptions share none of its words",
                  pl.col("description"), pl.col("best_chapter"), pl.col("best_words"),
                  pl.col("hts").map_elements(text_signals.dotted, return_dtype=pl.String),
                  pl.col("hts").str.slice(0, 2)).alias("message"),
        (pl.col("best_fit") - pl.col("declared_fit")).alias("strength"),
    )
    return {"vague_description": vague_found, "hts_description_mismatch": mismatch}


def _signal_rows(model: RiskModel, name: str, found: pl.DataFrame) -> pl.DataFrame:
    if not found.height:
        return pl.DataFrame()
    best = _strongest(found.select(list(_FOUND)).cast(dict(_FOUND)))  # type: ignore[arg-type]
    return best.select(
        "shipment_id", pl.lit(model.code(name)).alias("code"),
        pl.lit(None, dtype=pl.Int64).alias("weight"), pl.lit(f"{name}.weight").alias("_weight_of"),
        "message", pl.lit(model.reference(name)).alias("reference"),
    )


def _origin_rows(model: RiskModel, found: pl.DataFrame) -> pl.DataFrame:
    if not found.height:
        return pl.DataFrame()
    best = found.sort(["shipment_id", "from_china", "strength", "message"],
                      descending=[False, True, True, False]) \
        .unique("shipment_id", keep="first", maintain_order=True)
    return best.select(
        "shipment_id", pl.lit(model.code("origin_inconsistent")).alias("code"),
        pl.lit(None, dtype=pl.Int64).alias("weight"),
        pl.when(pl.col("from_china")).then(pl.lit("origin_inconsistent.weight_china"))
        .otherwise(pl.lit("origin_inconsistent.weight")).alias("_weight_of"),
        "message", pl.lit(model.reference("origin_inconsistent")).alias("reference"),
    )


def _fact_rows(model: RiskModel, batch: pl.DataFrame, facts: pl.DataFrame | None) -> pl.DataFrame:
    if facts is None or not facts.height:
        return pl.DataFrame()
    known = facts.filter(pl.col("code").is_in(list(FACT_CODES)) & pl.col("shipment_id").is_in(
        batch["shipment_id"].implode())).sort("shipment_id", "code", "message") \
        .unique(["shipment_id", "code"], keep="first", maintain_order=True)
    return known.select(
        "shipment_id", "code", pl.lit(None, dtype=pl.Int64).alias("weight"),
        pl.concat_str(pl.lit("existing_facts."), pl.col("code").replace_strict(FACT_CODES))
        .alias("_weight_of"),
        "message", pl.lit(model.reference("existing_facts")).alias("reference"),
    )


def _scores(model: RiskModel, batch: pl.DataFrame, signals: pl.DataFrame, as_of: dt.date
            ) -> pl.DataFrame:
    heads = batch.group_by("shipment_id").agg(pl.col("arrival").min().fill_null(as_of))
    days = heads["arrival"].unique().to_list()
    weights = pl.DataFrame(
        [{"arrival": day, "_weight_of": name, "w": int(p.at(day).value)}
         for day in days for name, p in model.parameters.items() if p.unit == "points"
         and not name.startswith("bands.")],
        schema={"arrival": pl.Date, "_weight_of": pl.String, "w": pl.Int64})
    bands = pl.DataFrame([{"arrival": day, "medium": int(model.value("bands.medium", day)),
                           "high": int(model.value("bands.high", day))} for day in days],
                         schema={"arrival": pl.Date, "medium": pl.Int64, "high": pl.Int64})
    if signals.height:
        weighted = signals.drop("weight").join(heads, on="shipment_id").join(
            weights, on=["arrival", "_weight_of"], how="left"
        ).with_columns(pl.col("w").alias("weight")).filter(pl.col("weight") > 0)
        per_shipment = weighted.sort(["shipment_id", "weight", "code"],
                                     descending=[False, True, False]).group_by(
            "shipment_id", maintain_order=True
        ).agg(
            pl.col("weight").sum().alias("total"),
            pl.struct("code", "weight", "message", "reference").alias("signals"),
        )
        scored = heads.join(per_shipment, on="shipment_id", how="left")
    else:
        scored = heads.with_columns(pl.lit(None, dtype=pl.Int64).alias("total"),
                                    pl.lit(None, dtype=pl.List(SIGNAL_STRUCT)).alias("signals"))
    scored = scored.join(bands, on="arrival", how="left").with_columns(
        pl.col("total").fill_null(0).clip(upper_bound=100).alias("score"),
        pl.col("signals").fill_null(pl.lit([], dtype=pl.List(SIGNAL_STRUCT))),
    ).with_columns(
        pl.when(pl.col("score") >= pl.col("high")).then(pl.lit("high"))
        .when(pl.col("score") >= pl.col("medium")).then(pl.lit("medium"))
        .otherwise(pl.lit("low")).alias("band"),
    )
    return scored.select(list(SCORE_SCHEMA)).cast(dict(SCORE_SCHEMA)).sort(  # type: ignore[arg-type]
        ["score", "shipment_id"], descending=[True, False])
