"""Stored shipments of the caller's tenant: pages, details, overrides."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

from sqlalchemy import select

from ace321.api.problems import ApiProblem
from ace321.api.services.batches import latest_decisions, not_found
from ace321.rules import RuleSet
from ace321.storage import Database, StorageError
from ace321.storage.api_keys import Principal
from ace321.storage.lifecycle import TransitionError, find, override
from ace321.storage.models import AuditEvent, Shipment
from ace321.storage.queries import filtered, show, summary


def encode_cursor(shipment_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([shipment_id]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
            return value[0]
    except (ValueError, UnicodeDecodeError):
        pass
    raise ApiProblem(422, "cursor: not a cursor this API returned", code="INVALID_REQUEST",
                     issues=[{"code": "INVALID_REQUEST", "severity": "error", "field": "cursor",
                              "row": None, "message": "not a cursor this API returned"}])


def page(db: Database, principal: Principal, *, status: str | None, decision: str | None,
         arrival_date: dt.date | None, consignee: str | None, cursor: str | None, limit: int
         ) -> dict[str, Any]:
    query = filtered(select(Shipment).where(Shipment.tenant_id == principal.tenant_id),
                     status=status, decision=decision, arrival_date=arrival_date,
                     consignee=consignee)
    if cursor:
        query = query.where(Shipment.shipment_id > decode_cursor(cursor))
    query = query.order_by(Shipment.shipment_id).limit(limit + 1)
    with db.reading() as session:
        rows = [summary(s) for s in session.scalars(query)]
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows,
            "next_cursor": encode_cursor(rows[-1]["shipment_id"]) if more and rows else None}


def detail(db: Database, principal: Principal, shipment_id: str) -> dict[str, Any]:
    with db.reading() as session:
        try:
            shown = show(session, shipment_id, principal.tenant)
        except StorageError:
            raise not_found("shipment", shipment_id) from None
        shipment = find(session, shipment_id, principal.tenant)
        reasons, issues = latest_decisions(session, [shipment.id]).get(shipment.id, ([], []))
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.tenant_id == principal.tenant_id, AuditEvent.entity_type == "shipment",
            AuditEvent.entity_id == shipment_id).order_by(AuditEvent.id)).all()
    return {
        **shown, "reasons": reasons, "issues": issues,
        "audit_events": [{
            "id": e.id, "at": e.at, "actor": e.actor, "action": e.action,
            "before": None if e.before is None else json.loads(e.before),
            "after": None if e.after is None else json.loads(e.after),
            "rules_version": e.rules_version, "hash": e.hash} for e in events],
    }


def set_override(db: Database, rules: RuleSet, principal: Principal, shipment_id: str, *,
                 decision: str, reason: str, now: dt.datetime) -> dict[str, Any]:
    try:
        override(db, shipment_id, decision, reason=reason, actor=principal.actor, now=now,
                 rules_version=rules.version, tenant=principal.tenant)
    except TransitionError as error:
        raise ApiProblem(409, str(error), code="OVERRIDE_REFUSED") from None
    except StorageError:
        raise not_found("shipment", shipment_id) from None
    return detail(db, principal, shipment_id)
