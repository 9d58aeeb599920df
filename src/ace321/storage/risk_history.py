"""A tenant's stored shipments as risk lines (``ace321.risk.RISK_SCHEMA``), read only.

The history-based risk signals read the stored shipments whose arrival falls within the model's
lookback before the batch's first arrival date and a month after its last (windows look both
ways). Stored shipments overridden to a stricter path are returned apart, as facts about their
persons.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ace321.risk.frame import RISK_SCHEMA
from ace321.storage.bulk import read_frame
from ace321.storage.history import STRICTNESS, tenant_id
from ace321.storage.models import Shipment

AFTER_DAYS = 31
# Risk line name -> stored column, every one read as text (``bulk.read_frame``).
_COLUMNS = {
    "shipment_id": "s.shipment_id", "order_id": "s.order_id", "arrival": "s.arrival_date",
    "person": "s.consignee_key", "consignee_name": "s.consignee_name",
    "gift_text": "s.is_gift_text", "shipment_value": "s.value_usd",
    "rules_decision": "s.rules_decision", "override_decision": "s.override_decision",
    "address_text": "p.address", "postal": "p.postal_code", "description": "l.description",
    "hts_code": "l.hts_code", "origin": "l.country_of_origin", "sku": "l.sku",
    "quantity": "l.quantity", "unit_price": "l.unit_price", "usd_rate": "l.usd_rate",
    "weight": "l.weight", "weight_unit": "l.weight_unit",
}


@dataclass(frozen=True)
class RiskHistory:
    lines: pl.DataFrame
    """Stored lines in ``RISK_SCHEMA``."""
    overridden: pl.DataFrame
    """person, shipment_id, rules_decision, override_decision: stored shipments overridden to a
    stricter path."""


def risk_history(session: Session, *, first: dt.date, last: dt.date, lookback_days: int,
                 tenant: str = "default", exclude_batch: uuid.UUID | None = None) -> RiskHistory:
    """The tenant's stored lines from ``lookback_days`` before ``first`` to a month after
    ``last`` (without the batch ``exclude_batch``: the one being stored, already in memory)."""
    tenant_pk = tenant_id(session, tenant)
    start = first - dt.timedelta(days=lookback_days)
    end = last + dt.timedelta(days=AFTER_DAYS)
    sqlite = session.get_bind().dialect.name == "sqlite"
    # Literals from typed values only (int, dates, a UUID): read_frame's COPY takes no binds.
    where = (f"s.tenant_id = {int(tenant_pk)} AND s.arrival_date >= '{start.isoformat()}' "
             f"AND s.arrival_date <= '{end.isoformat()}'")
    if exclude_batch is not None:
        batch = uuid.UUID(str(exclude_batch))
        where += f" AND s.batch_id <> '{batch.hex if sqlite else batch}'"
    selected = ", ".join(f"CAST({column} AS TEXT)" for column in _COLUMNS.values())
    raw = read_frame(session, (
        f"SELECT {selected} FROM shipments AS s "
        "JOIN shipment_lines AS l ON l.shipment_pk = s.id "
        "LEFT OUTER JOIN parties AS p ON p.shipment_pk = s.id AND p.role = 'consignee' "
        f"WHERE {where}"), list(_COLUMNS))
    as_float = {c: pl.col(c).cast(pl.String).cast(pl.Float64, strict=False)
                for c in ("shipment_value", "quantity", "unit_price", "usd_rate", "weight")}
    unit_usd = as_float["unit_price"] * as_float["usd_rate"].fill_null(1.0)
    kg = pl.when(pl.col("weight_unit").str.to_lowercase().str.starts_with("lb")) \
        .then(as_float["weight"] * 0.45359237).otherwise(as_float["weight"])
    lines = raw.select(
        pl.col("shipment_id").cast(pl.String), pl.col("order_id").cast(pl.String),
        pl.col("arrival").str.to_date("%Y-%m-%d"), pl.col("person").cast(pl.String),
        pl.col("consignee_name").cast(pl.String),
        pl.concat_str(pl.col("address_text").cast(pl.String), pl.lit("|"),
                      pl.col("postal").cast(pl.String).fill_null("")).alias("address"),
        pl.col("gift_text").cast(pl.String).str.to_lowercase().is_in(["true", "yes", "1", "y"])
        .alias("is_gift"),
        as_float["shipment_value"].alias("shipment_value"),
        pl.col("description").cast(pl.String),
        pl.col("hts_code").cast(pl.String).str.replace_all(r"[.\s]", "").alias("hts"),
        pl.col("origin").cast(pl.String).str.to_uppercase(),
        pl.col("sku").cast(pl.String).str.strip_chars().str.to_uppercase(),
        as_float["quantity"].alias("qty"),
        unit_usd.alias("unit_usd"),
        (as_float["quantity"] * unit_usd).alias("value_usd"),
        kg.alias("kg"),
    ).cast(dict(RISK_SCHEMA))  # type: ignore[arg-type]
    strict = pl.col("override_decision").replace_strict(STRICTNESS, default=-1) > \
        pl.col("rules_decision").replace_strict(STRICTNESS, default=-1)
    overridden = raw.filter(pl.col("override_decision").is_not_null()).select(
        pl.col("person").cast(pl.String), pl.col("shipment_id").cast(pl.String),
        pl.col("rules_decision").cast(pl.String), pl.col("override_decision").cast(pl.String),
    ).unique()
    if overridden.height:
        overridden = overridden.filter(strict)
    return RiskHistory(lines, overridden)


def history_size(session: Session, *, first: dt.date, last: dt.date, lookback_days: int,
                 tenant: str = "default", exclude_batch: uuid.UUID | None = None) -> int:
    """How many stored shipments ``risk_history`` would read (one indexed count)."""
    start = first - dt.timedelta(days=lookback_days)
    end = last + dt.timedelta(days=AFTER_DAYS)
    query = select(func.count()).select_from(Shipment).where(
        Shipment.tenant_id == tenant_id(session, tenant), Shipment.arrival_date >= start,
        Shipment.arrival_date <= end)
    if exclude_batch is not None:
        query = query.where(Shipment.batch_id != exclude_batch)
    return int(session.execute(query).scalar_one())


def override_facts(batch_persons: pl.DataFrame, overridden: pl.DataFrame) -> pl.DataFrame:
    """OVERRIDE_STRICTER facts for batch shipments (shipment_id, person) whose person had a stored
    shipment overridden to a stricter path."""
    if not overridden.height:
        return pl.DataFrame(schema={"shipment_id": pl.String, "code": pl.String,
                                    "message": pl.String})
    first = overridden.sort("shipment_id").group_by("person").agg(
        pl.col("shipment_id").first().alias("stored"), pl.first("rules_decision"),
        pl.first("override_decision"), pl.len().alias("n"))
    return batch_persons.join(first, on="person").select(
        "shipment_id", pl.lit("OVERRIDE_STRICTER").alias("code"),
        pl.format("{} stored shipment(s) of this person overridden to a stricter path (e.g. {}: "
                  "{} -> {})", pl.col("n"), pl.col("stored"), pl.col("rules_decision"),
                  pl.col("override_decision")).alias("message"),
    )
