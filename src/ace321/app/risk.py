"""Risk scores in the workflows: scored at ingest (inside the batch's transaction) or, for a
large stored history behind a server's upload, right after the commit (``RiskJobs``); and an
order file scored against the tenant's stored history (``ace321 risk --db``).

A score is advice: nothing here reads or changes a decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from ace321.risk import RiskModel, RiskResult, load_model, score_result
from ace321.rules import RuleSet
from ace321.storage import Database, screen_with_history
from ace321.storage.risk_history import history_size, override_facts, risk_history
from ace321.storage.risk_store import risk_scores, store_risk, write_risk

__all__ = ["score_at_ingest", "score_stored_batch", "score_unscored", "score_with_history"]


def score_at_ingest(*, tenant: str, rules: RuleSet, model: RiskModel | None = None,
                    defer_above: int | None = None) -> Callable[[Session, Any], None]:
    """The ``within`` step of ``storage.ingest`` that stores every new shipment's risk and
    re-scores the stored shipments of the same persons around the batch's dates.

    With ``defer_above``, a batch whose risk history holds more stored shipments than that is
    not scored in its transaction: the report is marked ``risk_pending`` and the caller scores
    it after the commit (``score_stored_batch``). Reading a year of a large tenant's lines
    takes seconds per 100,000 shipments; an upload should not wait for advice.
    """
    risk_model = model or load_model()

    def within(session: Session, report: Any) -> None:
        if defer_above is not None and _history_size(session, report, tenant,
                                                     risk_model) > defer_above:
            report.risk_pending = True
            return
        store_risk(session, report.result, list(report.stored), batch_id=report.batch_id,
                   tenant=tenant, model=risk_model, rules=rules)

    return within


def _history_size(session: Session, report: Any, tenant: str, model: RiskModel) -> int:
    arrivals = report.result.shipments["arrival_date"].drop_nulls()
    if not arrivals.len():
        return 0
    first, last = arrivals.min(), arrivals.max()
    assert isinstance(first, dt.date) and isinstance(last, dt.date)
    return history_size(session, first=first, last=last, tenant=tenant,
                        lookback_days=int(model.value("history.lookback_days", last)),
                        exclude_batch=report.batch_id)


def score_stored_batch(db: Database, report: Any, *, tenant: str, rules: RuleSet,
                       model: RiskModel | None = None) -> int:
    """Score a batch after its commit (``report.risk_pending``): the history is read in a read
    session, the scores written in a short transaction of their own. Returns how many scores
    were written."""
    risk_model = model or load_model()
    with db.reading() as session:
        scores = risk_scores(session, report.result, list(report.stored),
                             batch_id=report.batch_id, tenant=tenant, model=risk_model,
                             rules=rules)
    with db.transaction() as session:
        write_risk(session, scores, tenant=tenant)
    report.risk_pending = False
    return scores.write.height


def score_unscored(db: Database, *, tenant: str, rules: RuleSet,
                   model: RiskModel | None = None) -> list[str]:
    """Score the tenant's stored shipments that have no risk score: a server stopped before
    its background worker stored a batch's scores (``RiskJobs``). They are read back as order
    lines, screened with their stored history as at ingest, and scored as a batch would be,
    with the stored shipments of the same persons re-scored. Returns their shipment ids."""
    from sqlalchemy import select

    from ace321.storage.history import canonical_rows, tenant_id
    from ace321.storage.models import Shipment

    risk_model = model or load_model()
    with db.reading() as session:
        rows = session.execute(select(Shipment.id, Shipment.shipment_id).where(
            Shipment.tenant_id == tenant_id(session, tenant), Shipment.risk_score.is_(None))
            .order_by(Shipment.shipment_id)).all()
        if not rows:
            return []
        frame, rates = canonical_rows(session, [pk for pk, _ in rows])
    ids = [shipment_id for _, shipment_id in rows]
    result = screen_with_history(frame, db, rules, rates=rates if rates.height else None,
                                 tenant=tenant).result
    with db.reading() as session:
        scores = risk_scores(session, result, ids, batch_id=None, tenant=tenant,
                             model=risk_model, rules=rules)
    with db.transaction() as session:
        write_risk(session, scores, tenant=tenant)
    return ids


def score_with_history(db: Database, frame: pl.DataFrame, *, rules: RuleSet, model: RiskModel,
                       tenant: str = "default", as_of: dt.date | None = None,
                       rates: pl.DataFrame | None = None) -> RiskResult:
    """Score an order file with the tenant's stored shipments as history (reads only)."""
    result = screen_with_history(frame, db, rules, default_arrival=as_of, rates=rates,
                                 tenant=tenant).result
    arrivals = result.shipments["arrival_date"].drop_nulls()
    if not arrivals.len():
        return score_result(result, model=model, rules=rules)
    first, last = arrivals.min(), arrivals.max()
    assert isinstance(first, dt.date) and isinstance(last, dt.date)
    with db.reading() as session:
        stored = risk_history(session, first=first, last=last, tenant=tenant,
                              lookback_days=int(model.value("history.lookback_days", last)))
    facts = override_facts(
        result.shipments.select("shipment_id", pl.col("consignee_key").alias("person")),
        stored.overridden)
    return score_result(result, model=model, rules=rules, history=stored.lines, facts=facts)
