"""Risk scores in the workflows: scored at ingest (inside the batch's transaction), and an
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
from ace321.storage.risk_history import override_facts, risk_history
from ace321.storage.risk_store import store_risk

__all__ = ["score_at_ingest", "score_with_history"]


def score_at_ingest(*, tenant: str, rules: RuleSet, model: RiskModel | None = None
                    ) -> Callable[[Session, Any], None]:
    """The ``within`` step of ``storage.ingest`` that stores every new shipment's risk and
    re-scores the stored shipments of the same persons around the batch's dates."""
    risk_model = model or load_model()

    def within(session: Session, report: Any) -> None:
        store_risk(session, report.result, list(report.stored), batch_id=report.batch_id,
                   tenant=tenant, model=risk_model, rules=rules)

    return within


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
