"""Entry planning for one conveyance: the entries a broker files, and what each strategy costs.

Per 19 CFR 141.51 all goods for one consignee on one conveyance make one entry, so the informal
limit (and, before 2025-04-30, the $250 Chapter 99 limit of rule E2) applies to the consignee's
total on the truck. Strategies:

* ``per_consignee``: those entries, each type 11 or 01 by its own total;
* ``broker_consolidated``: one type 01 entry summary for every consignee, filed by a licensed
  broker as nominal consignee under 19 CFR 142.17a (goods released the same day, itemised at
  ten-digit HTS per ultimate consignee): one formal MPF (within its minimum and maximum) instead
  of one fee per entry. Not compliant when a line lacks a ten-digit HTS code.

Duty is the same in both (it is computed per line); the MPF and the per-entry brokerage fee
(``entry_fee``) differ. ``recommended`` is the cheapest compliant strategy.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from ace321.costs import fees
from ace321.costs.duty import Costs, cents_text, money
from ace321.rules import RuleSet
from ace321.screening import ScreeningResult

I128 = pl.Int128
E10 = 10**10
CONSOLIDATED_CONDITIONS = [
    "a licensed customs broker files as nominal consignee for every ultimate consignee (19 CFR 142.17a)",
    "all the goods are imported and released on the same day (19 CFR 142.17a)",
    "the entry summary itemises every line at the 10-digit HTS number per ultimate consignee (19 CFR 142.17a)",
    "a continuous or single-transaction bond covers the formal entry (19 CFR 142.4)",
]
PER_CONSIGNEE_CONDITIONS = [
    "one entry per consignee per conveyance (19 CFR 141.51); type 11 up to the informal limit, type 01 above",
]


def _cents_of_e12(value: pl.Expr) -> pl.Expr:
    """Half-up cents of a value in 10^-12 dollars."""
    return ((value + pl.lit(E10 // 2, I128)) // pl.lit(E10, I128)).cast(pl.Int64)


def _limits(rules: RuleSet, days: list[Any]) -> pl.DataFrame:
    rows = []
    for day in days:
        regime = rules.at(day)
        limit, ch99 = regime.money("entry.informal_limit"), regime.money("entry.chapter99_formal_limit")
        rows.append({
            "arrival_date": day,
            "limit_e12": None if limit is None else int(limit * 10**12),
            "limit_text": None if limit is None else f"${limit:,.2f}",
            "limit_ref": regime.reference("entry.informal_limit"),
            "ch99_e12": None if ch99 is None else int(ch99 * 10**12),
            "ch99_ref": regime.reference("entry.chapter99_formal_limit"),
        })
    return pl.DataFrame(rows, schema={"arrival_date": pl.Date, "limit_e12": I128, "limit_text": pl.String,
                                      "limit_ref": pl.String, "ch99_e12": I128, "ch99_ref": pl.String})


def plan_conveyances(result: ScreeningResult, costs: Costs, rules: RuleSet, *,
                     trips: dict[str, str] | None = None, entry_fee: Decimal = Decimal(0)) -> dict[str, Any]:
    """The plan document: ``{"conveyances": [...]}``, one per arrival date of the file's shipments
    (or per trip, given ``trips``: shipment id -> trip number)."""
    fee_cents = int(entry_fee * 100)
    # costs.shipments has the screening result's rows in the same order: columns side by side.
    if not result.shipments["shipment_id"].equals(costs.shipments["shipment_id"]):
        raise ValueError("costs were not estimated from this screening result")
    shipments = pl.concat([
        result.shipments.select("consignee_key", "first_row"),
        costs.shipments.select("shipment_id", "decision", "arrival_date", "value_e12", "duty_cents",
                               "mpf_base_e12", "dutiable_mpf", "ch99_e12", "short_hts"),
    ], how="horizontal").filter(pl.col("decision").is_in(["INFORMAL_ENTRY", "FORMAL_ENTRY"]))
    trip = (pl.col("shipment_id").replace_strict(trips, default=None, return_dtype=pl.String) if trips
            else pl.lit(None, dtype=pl.String))
    shipments = shipments.with_columns(trip.alias("trip_number"))
    conveyance = ["arrival_date", "trip_number"]
    days = shipments["arrival_date"].drop_nulls().unique().to_list()
    table = fees.fee_table(rules, days)
    limits = _limits(rules, [day for day in days if rules.covers(day)])
    entries = shipments.group_by([*conveyance, "consignee_key"], maintain_order=True).agg(
        pl.col("shipment_id"), pl.col("first_row").min(),
        pl.col("value_e12").sum(), pl.col("duty_cents").sum(), pl.col("mpf_base_e12").sum(),
        pl.col("dutiable_mpf").any(), pl.col("ch99_e12").sum().alias("ch99_value_e12"),
        pl.col("short_hts").any(),
    ).join(limits, on="arrival_date", how="left").join(
        table.rename({"arrival": "arrival_date"}), on="arrival_date", how="left")
    over_limit = (pl.col("value_e12") > pl.col("limit_e12")).fill_null(False)
    over_ch99 = (pl.col("ch99_e12").is_not_null() & (pl.col("ch99_value_e12") > pl.col("ch99_e12"))).fill_null(False)
    entries = entries.with_columns(
        pl.when(over_limit | over_ch99).then(pl.lit("01")).otherwise(pl.lit("11")).alias("entry_type"),
        over_limit.alias("over_limit"), over_ch99.alias("over_ch99"),
        cents_text(_cents_of_e12(pl.col("value_e12"))).alias("value_usd"),
        cents_text(_cents_of_e12(pl.col("ch99_value_e12"))).alias("ch99_usd"),
        cents_text(pl.col("duty_cents")).alias("duty_usd"),
    ).with_columns(
        fees.mpf_cents(pl.col("entry_type"), pl.col("mpf_base_e12"), pl.col("dutiable_mpf")).alias("mpf_cents"),
    ).sort([*conveyance, "first_row"], nulls_last=True)
    consolidated = entries.group_by(conveyance, maintain_order=True).agg(
        pl.col("value_e12").sum(), pl.col("duty_cents").sum(), pl.col("mpf_base_e12").sum(),
        pl.col("dutiable_mpf").any(), pl.col("short_hts").any(), pl.len().alias("entry_count"),
        pl.col("mpf_cents").sum().alias("per_mpf_cents"), pl.col("mpf_cents").null_count().alias("mpf_unknown"),
        *(pl.col(name).first() for name in table.columns if name != "arrival"),
    ).with_columns(
        fees.mpf_cents(pl.lit("01"), pl.col("mpf_base_e12"), pl.col("dutiable_mpf")).alias("mpf_cents"),
    )
    rules_text = _fee_rules(entries)
    documents = _entry_documents(entries, rules_text)
    conveyances = []
    position = 0
    for row in consolidated.iter_rows(named=True):
        count = row["entry_count"]
        conveyances.append(_conveyance(row, documents[position:position + count], fee_cents))
        position += count
    return {"conveyances": conveyances}


def _fee_rules(entries: pl.DataFrame) -> dict[tuple[Any, str, bool], tuple[str, str] | None]:
    """The MPF rule of each distinct (arrival date, entry type, every line exempt)."""
    found: dict[tuple[Any, str, bool], tuple[str, str] | None] = {}
    for row in entries.unique(subset=["arrival_date", "entry_type", "dutiable_mpf"]).iter_rows(named=True):
        found[(row["arrival_date"], row["entry_type"], bool(row["dutiable_mpf"]))] = fees.mpf_rule(
            row["entry_type"], row, not row["dutiable_mpf"])
    return found


def _entry_documents(entries: pl.DataFrame, rules_text: dict[tuple[Any, str, bool], tuple[str, str] | None]
                     ) -> list[dict[str, Any]]:
    """The ``entries`` of the plan document, in the order of the frame (one pass over plain tuples:
    a large file has a hundred thousand entries)."""
    columns = ["entry_type", "consignee_key", "shipment_id", "value_usd", "duty_usd", "mpf_cents",
               "over_limit", "over_ch99", "limit_text", "limit_ref", "ch99_usd", "ch99_ref",
               "arrival_date", "dutiable_mpf"]
    documents = []
    for (entry_type, consignee, ids, value, duty, mpf, over_limit, over_ch99, limit_text, limit_ref,
         ch99_usd, ch99_ref, day, dutiable) in entries.select(columns).iter_rows():
        reasons = [{"code": "ONE_ENTRY_PER_CONSIGNEE", "message": (
            f"{len(ids)} shipment(s) for this consignee on this conveyance make one entry worth ${value}"),
            "reference": "19 CFR 141.51"}]
        if over_limit:
            reasons.append({"code": "OVER_INFORMAL_LIMIT", "message": (
                f"the consignee's total ${value} exceeds the {limit_text} informal limit: formal entry "
                "(type 01)"), "reference": limit_ref})
        if over_ch99:
            reasons.append({"code": "CH99_OVER_250", "message": (
                f"Chapter 99 articles (Section 301/122 lines) worth ${ch99_usd} exceed $250.00: formal "
                "entry (type 01)"), "reference": ch99_ref})
        if entry_type == "11":
            reasons.append({"code": "INFORMAL_ENTRY", "message": (
                f"the consignee's total ${value} is within the {limit_text} informal limit: type 11"),
                "reference": limit_ref})
        rule = rules_text.get((day, entry_type, bool(dutiable)))
        if rule is not None:
            reasons.append({"code": "MPF", "message": rule[0], "reference": rule[1]})
        documents.append({
            "entry_type": entry_type, "consignee_key": consignee, "shipment_ids": ids,
            "value_usd": value, "duty_usd": duty, "mpf_usd": money(mpf), "reasons": reasons,
        })
    return documents


def _strategy(name: str, count: int, duty: int, mpf: int | None, fee_cents: int,
              conditions: list[str], compliant: bool) -> dict[str, Any]:
    fees_cents = count * fee_cents
    total = None if mpf is None else duty + mpf + fees_cents
    return {"name": name, "entries": count, "duty_usd": money(duty), "mpf_usd": money(mpf),
            "fees_usd": money(fees_cents), "total_usd": money(total), "conditions": conditions,
            "compliant": compliant}


def _conveyance(row: dict[str, Any], entries: list[dict[str, Any]], fee_cents: int) -> dict[str, Any]:
    duty = int(row["duty_cents"] or 0)
    per_mpf = None if row["mpf_unknown"] else int(row["per_mpf_cents"])
    per = _strategy("per_consignee", len(entries), duty, per_mpf, fee_cents, PER_CONSIGNEE_CONDITIONS, True)
    conditions = list(CONSOLIDATED_CONDITIONS)
    if row["short_hts"]:
        conditions.append("NOT MET: some lines lack a 10-digit HTS number, which 142.17a itemisation needs")
    consolidated = _strategy("broker_consolidated", 1, duty, row["mpf_cents"], fee_cents, conditions,
                             not row["short_hts"])
    strategies = [per, consolidated]
    recommended, because = _recommend(strategies)
    warnings = []
    if row["unconfirmed"]:
        warnings.append({"code": "MPF_RATE_UNCONFIRMED", "message": (
            f"arrival in {row['fiscal_year']}, after the last fiscal year in the rule data: the "
            f"{row['data_year']} MPF figures are used")})
    if not row["known"]:
        warnings.append({"code": "MPF_RATE_UNKNOWN", "message": f"no MPF figures for {row['fiscal_year']}"})
    return {
        "arrival_date": row["arrival_date"].isoformat() if row["arrival_date"] else None,
        "trip_number": row["trip_number"],
        "entries": entries,
        "strategies": strategies,
        "recommended": recommended,
        "decided_by": because,
        "fiscal_year": row["fiscal_year"],
        "warnings": warnings,
    }


def _recommend(strategies: list[dict[str, Any]]) -> tuple[str | None, str]:
    candidates = [s for s in strategies if s["compliant"] and s["total_usd"] is not None]
    if not candidates:
        return None, "no compliant strategy has a complete figure"
    best = min(candidates, key=lambda s: (Decimal(s["total_usd"]), s["entries"]))
    others = [s for s in strategies if s is not best]
    parts = [f"{best['name']}: {best['entries']} entr{'y' if best['entries'] == 1 else 'ies'}, duty "
             f"${best['duty_usd']} + MPF ${best['mpf_usd']} + fees ${best['fees_usd']} = ${best['total_usd']}"]
    for other in others:
        if not other["compliant"]:
            parts.append(f"{other['name']} is not compliant here")
        elif other["total_usd"] is not None:
            saving = Decimal(other["total_usd"]) - Decimal(best["total_usd"])
            parts.append(f"{other['name']}: {other['entries']} entries, MPF ${other['mpf_usd']} + fees "
                         f"${other['fees_usd']} = ${other['total_usd']} (${saving} more)")
    return best["name"], "; ".join(parts)
