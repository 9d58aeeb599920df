"""Risk scores of stored shipments: scored at ingest, inside the batch's transaction.

The batch's new shipments are scored with the tenant's stored history (lines read back within
the model's lookback), and so are the stored shipments of the batch's persons within a month
either side: a later file can make an earlier shipment part of a pattern (velocity,
structuring), as it can make its decision stricter. Scores are advice: nothing here touches a
decision or a status.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from ace321.risk import RiskModel, facts_of, risk_lines, score_lines
from ace321.rules import RuleSet
from ace321.storage.history import tenant_id
from ace321.storage.models import Shipment
from ace321.storage.risk_history import AFTER_DAYS, override_facts, risk_history


def signals_json(signals: list[dict[str, Any]] | None) -> str:
    return json.dumps(signals or [], ensure_ascii=False, separators=(",", ":"))


def store_risk(session: Session, result: Any, stored_ids: list[str], *, batch_id: uuid.UUID | None,
               tenant: str, model: RiskModel, rules: RuleSet) -> pl.DataFrame:
    """Score the batch's stored shipments (``stored_ids`` of the screening ``result``) and the
    stored shipments of their persons around their dates; write score, band, signals and the
    model version. Returns the scores written (shipment_id, score, band, signals)."""
    scores = risk_scores(session, result, stored_ids, batch_id=batch_id, tenant=tenant,
                         model=model, rules=rules)
    write_risk(session, scores, tenant=tenant)
    return scores.write


@dataclass(frozen=True)
class BatchScores:
    """The scores of a batch's stored shipments and of their persons' other stored shipments."""

    write: pl.DataFrame
    """shipment_id, score, band, signals: every score to write."""
    batch_id: uuid.UUID | None
    stored_ids: list[str]
    version: str


def risk_scores(session: Session, result: Any, stored_ids: list[str], *,
                batch_id: uuid.UUID | None, tenant: str, model: RiskModel, rules: RuleSet
                ) -> BatchScores:
    """What ``store_risk`` writes, computed with reads only (history without ``batch_id``)."""
    batch = risk_lines(result)
    arrivals = batch["arrival"].drop_nulls()
    if not arrivals.len():
        history = None
        overridden = pl.DataFrame(schema={"person": pl.String, "shipment_id": pl.String,
                                          "rules_decision": pl.String,
                                          "override_decision": pl.String})
    else:
        first, last = arrivals.min(), arrivals.max()
        assert isinstance(first, dt.date) and isinstance(last, dt.date)
        stored = risk_history(session, first=first, last=last, tenant=tenant,
                              lookback_days=int(model.value("history.lookback_days", last)),
                              exclude_batch=batch_id)
        history, overridden = stored.lines, stored.overridden
    targets = batch
    if history is not None and history.height:
        persons = batch.select("person", "arrival").drop_nulls().unique()
        near = history.join(persons, on="person", suffix="_new").filter(
            (pl.col("arrival") - pl.col("arrival_new")).dt.total_days().abs() <= AFTER_DAYS
        )["shipment_id"].unique()
        again = history.filter(pl.col("shipment_id").is_in(near.implode())
                               & ~pl.col("shipment_id").is_in(batch["shipment_id"].implode()))
        targets = pl.concat([batch, again])
    facts = facts_of(result)
    persons_of = targets.select("shipment_id", "person").unique("shipment_id")
    extra = override_facts(persons_of, overridden)
    if extra.height:
        facts = pl.concat([facts, extra.select(facts.columns)])
    scored = score_lines(targets, model=model, rules=rules, history=history, facts=facts)
    write = scored.shipments.filter(
        pl.col("shipment_id").is_in(stored_ids)
        | ~pl.col("shipment_id").is_in(batch["shipment_id"].implode()))
    return BatchScores(write, batch_id, list(stored_ids), scored.rules_version)


def write_risk(session: Session, scores: BatchScores, *, tenant: str) -> None:
    """Write ``scores``: the batch's shipments all at once, the others one by one."""
    tenant_pk = tenant_id(session, tenant)
    write, stored_ids = scores.write, scores.stored_ids
    if scores.batch_id is not None:
        # Most shipments have no signal: one statement scores the whole batch 0 ("low"), then
        # only the others are written one by one.
        table = Shipment.__table__
        session.execute(update(table).where(table.c.batch_id == scores.batch_id).values(
            risk_score=0, risk_band="low", risk_signals="[]", risk_version=scores.version))
        rest = write.filter((pl.col("score") > 0) | ~pl.col("shipment_id").is_in(stored_ids))
    else:
        rest = write
    _write(session, tenant_pk, rest, scores.version)


def _write(session: Session, tenant_pk: int, scores: pl.DataFrame, version: str) -> None:
    if not scores.height:
        return
    table = Shipment.__table__
    rows = [{"b_tenant": tenant_pk, "b_id": row["shipment_id"], "b_score": row["score"],
             "b_band": row["band"], "b_signals": signals_json(row["signals"]),
             "b_version": version} for row in scores.iter_rows(named=True)]
    statement = update(table).where(
        table.c.tenant_id == bindparam("b_tenant"),
        table.c.shipment_id == bindparam("b_id"),
    ).values(risk_score=bindparam("b_score"), risk_band=bindparam("b_band"),
             risk_signals=bindparam("b_signals"), risk_version=bindparam("b_version"))
    session.connection().execute(statement, rows)


def stored_risk(shipment: Shipment) -> dict[str, Any] | None:
    """The risk stored with a shipment, as the API and CLI show it (None: never scored)."""
    if shipment.risk_score is None:
        return None
    return {"score": shipment.risk_score, "band": shipment.risk_band,
            "signals": json.loads(shipment.risk_signals or "[]"),
            "rules_version": shipment.risk_version}
