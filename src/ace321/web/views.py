"""What the pages read, scoped to the user's tenant: counts and short lists for the dashboard.

Only reads; decisions, statuses and files come from the core and storage as stored.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import func, select

from ace321.screening.result import DECISION_ORDER
from ace321.storage import Database
from ace321.storage.lifecycle import STATUSES
from ace321.storage.models import Shipment
from ace321.storage.trip_models import TRIP_STATUSES, CbpResponse, TripRecord
from ace321.storage.users import WebUser, utc
from ace321.vocabulary import RiskBand

UPCOMING_DAYS = 7
HIGH_RISK_LIMIT = 20


def dashboard(db: Database, user: WebUser, today: dt.date) -> dict[str, Any]:
    tenant = user.tenant_id
    with db.reading() as session:
        by_decision = dict.fromkeys(DECISION_ORDER, 0)
        for decision, count in session.execute(
                select(Shipment.decision, func.count()).where(Shipment.tenant_id == tenant)
                .group_by(Shipment.decision)):
            by_decision[decision] = count
        by_status = dict.fromkeys(STATUSES, 0)
        for status, count in session.execute(
                select(Shipment.status, func.count()).where(Shipment.tenant_id == tenant)
                .group_by(Shipment.status)):
            by_status[status] = count
        arrivals = [{"date": day, "decision": decision, "count": count}
                    for day, decision, count in session.execute(
                        select(Shipment.arrival_date, Shipment.decision, func.count())
                        .where(Shipment.tenant_id == tenant,
                               Shipment.arrival_date >= today,
                               Shipment.arrival_date <= today + dt.timedelta(UPCOMING_DAYS))
                        .group_by(Shipment.arrival_date, Shipment.decision)
                        .order_by(Shipment.arrival_date, Shipment.decision))]
        trips_by_status = dict.fromkeys(TRIP_STATUSES, 0)
        for status, count in session.execute(
                select(TripRecord.status, func.count()).where(TripRecord.tenant_id == tenant)
                .group_by(TripRecord.status)):
            trips_by_status[status] = count
        trips = [{"trip_number": t.trip_number, "status": t.status, "port": t.port_of_arrival,
                  "estimated_arrival": utc(t.estimated_arrival).isoformat()}
                 for t in session.scalars(
                     select(TripRecord).where(TripRecord.tenant_id == tenant,
                                              TripRecord.arrival_date >= today)
                     .order_by(TripRecord.estimated_arrival).limit(10))]
        responses = [{"received_at": utc(r.received_at).isoformat(), "trip_number": r.trip_number,
                      "scn": r.scn, "message_type": r.message_type, "code": r.code,
                      "text": r.text, "outcome": r.outcome, "error": r.error}
                     for r in session.scalars(
                         select(CbpResponse).where(CbpResponse.tenant_id == tenant)
                         .order_by(CbpResponse.id.desc()).limit(10))]
        high_risk, high_risk_count = _high_risk(session, tenant)
    return {"high_risk": high_risk, "high_risk_count": high_risk_count,"by_decision": by_decision, "by_status": by_status, "arrivals": arrivals,
            "trips_by_status": trips_by_status, "trips": trips, "responses": responses,
            "shipments": sum(by_decision.values())}


def _high_risk(session: Any, tenant: int) -> tuple[list[dict[str, Any]], int]:
    """The tenant's shipments scored HIGH at ingest (``app.risk``): highest score first, then
    the latest arrival; at most ``HIGH_RISK_LIMIT``, with how many there are in all."""
    high = (Shipment.tenant_id == tenant) & (Shipment.risk_band == RiskBand.HIGH.value)
    count = session.scalar(select(func.count()).select_from(Shipment).where(high)) or 0
    rows = session.execute(
        select(Shipment.shipment_id, Shipment.risk_score, Shipment.risk_band,
               Shipment.risk_signals, Shipment.decision, Shipment.status, Shipment.arrival_date)
        .where(high).order_by(Shipment.risk_score.desc(), Shipment.arrival_date.desc(),
                              Shipment.shipment_id).limit(HIGH_RISK_LIMIT))
    return [{"shipment_id": r.shipment_id, "score": r.risk_score, "band": r.risk_band,
             "signals": [signal["code"] for signal in json.loads(r.risk_signals or "[]")],
             "decision": r.decision, "status": r.status, "arrival_date": r.arrival_date}
            for r in rows], int(count)


def recent_responses(db: Database, user: WebUser, limit: int) -> list[dict[str, Any]]:
    with db.reading() as session:
        return [{"received_at": utc(r.received_at).isoformat(), "trip_number": r.trip_number,
                 "scn": r.scn, "message_type": r.message_type, "code": r.code, "text": r.text,
                 "known": r.known, "outcome": r.outcome, "error": r.error,
                 "source_file": r.source_file, "actor": r.actor}
                for r in session.scalars(select(CbpResponse)
                                         .where(CbpResponse.tenant_id == user.tenant_id)
                                         .order_by(CbpResponse.id.desc()).limit(limit))]


AUDIT_LIMIT = 500


def audit_events(db: Database, user: WebUser, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """The tenant's newest events (at most ``AUDIT_LIMIT``) that match the filters."""
    import json

    from ace321.storage.models import AuditEvent

    query = select(AuditEvent).where(AuditEvent.tenant_id == user.tenant_id)
    if filters.get("entity_type"):
        query = query.where(AuditEvent.entity_type == filters["entity_type"])
    if filters.get("entity_id"):
        query = query.where(AuditEvent.entity_id == filters["entity_id"])
    if filters.get("actor"):
        query = query.where(AuditEvent.actor.contains(filters["actor"]))
    if filters.get("date_from"):
        start = dt.datetime.combine(filters["date_from"], dt.time(), dt.UTC)
        query = query.where(AuditEvent.at >= start)
    if filters.get("date_to"):
        end = dt.datetime.combine(filters["date_to"] + dt.timedelta(days=1), dt.time(), dt.UTC)
        query = query.where(AuditEvent.at < end)
    with db.reading() as session:
        return [{"id": e.id, "at": e.at, "actor": e.actor, "action": e.action,
                 "entity_type": e.entity_type, "entity_id": e.entity_id,
                 "before": None if e.before is None else json.loads(e.before),
                 "after": None if e.after is None else json.loads(e.after), "hash": e.hash}
                for e in session.scalars(query.order_by(AuditEvent.id.desc())
                                         .limit(AUDIT_LIMIT))]


def verify_chain(db: Database, user: WebUser) -> dict[str, Any]:
    """``audit verify`` (``storage.audit_verify.verify``) for the user's tenant: the whole
    chain's integrity is checked, since every tenant's events are one chain, but only the
    tenant's events are counted and only its shipments and problems shown."""
    from ace321.storage.audit_verify import scoped_problem, verify

    with db.reading() as session:
        result = verify(session, tenant=user.tenant_id)
        problem = scoped_problem(session, result, user.tenant_id)
    return {"ok": result.ok, "events": result.tenant_events, "shipments": result.shipments,
            "event_id": result.event_id if problem == result.problem else None,
            "problem": problem}


def tenant_people_and_keys(db: Database, user: WebUser
                           ) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    from ace321.storage.api_keys import list_keys
    from ace321.storage.users import list_users

    with db.reading() as session:
        people = list_users(session, user.tenant)
        keys = [k for k in list_keys(session) if k["tenant"] == user.tenant]
    return people, keys
