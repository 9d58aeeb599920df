"""Stored batches: list (newest first, paged) and read one with its shipments' decisions."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from ace321.app.errors import NotFound
from ace321.app.paging import decode_cursor, encode_cursor
from ace321.screening.money import amount
from ace321.screening.result import DECISION_ORDER, ace_shipment_type
from ace321.storage import Database
from ace321.storage.models import AuditEvent, Batch, Decision, DecisionReason, Shipment
from ace321.storage.trips import utc

_CHUNK = 500


@dataclass
class BatchPage:
    items: list[dict[str, Any]]
    next_cursor: str | None


def _summary(batch: Batch) -> dict[str, Any]:
    return {"id": str(batch.id), "name": batch.name, "sha256": batch.sha256,
            "row_count": batch.row_count, "shipment_count": batch.shipment_count,
            "imported_at": utc(batch.imported_at).isoformat(), "actor": batch.actor,
            "rules_version": batch.rules_version}


def list_batches(db: Database, *, tenant_pk: int, cursor: str | None = None, limit: int = 100
                 ) -> BatchPage:
    """The tenant's batches, newest first, one page at a time."""
    query = select(Batch).where(Batch.tenant_id == tenant_pk)
    if cursor:
        stamp, ident = decode_cursor(cursor, 2)
        try:
            at, key = dt.datetime.fromisoformat(stamp), uuid.UUID(ident)
            if at.utcoffset() is None:
                raise ValueError("a cursor's time has its offset")
        except ValueError:
            decode_cursor("", 2)  # raises: not one of ours
            raise
        query = query.where((Batch.imported_at < at)
                            | ((Batch.imported_at == at) & (Batch.id < key)))
    query = query.order_by(Batch.imported_at.desc(), Batch.id.desc()).limit(limit + 1)
    with db.reading() as session:
        rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    # The cursor holds the stored value as read back, so the next query compares like with like.
    next_cursor = (encode_cursor([rows[-1].imported_at.isoformat(), str(rows[-1].id)])
                   if more and rows else None)
    return BatchPage([_summary(b) for b in rows], next_cursor)


def read_batch(db: Database, *, tenant_pk: int, batch_id: str) -> dict[str, Any]:
    """The batch with its stored shipments, their decisions in effect and their problems."""
    pk = _pk(batch_id)
    with db.reading() as session:
        batch, imported = _batch_and_import(session, tenant_pk, pk, batch_id)
        shipments = session.scalars(select(Shipment).where(Shipment.batch_id == pk)
                                    .order_by(Shipment.shipment_id)).all()
        latest = latest_decisions(session, [s.id for s in shipments])
    records, problems = [], []
    by_decision = dict.fromkeys(DECISION_ORDER, 0)
    for s in shipments:
        reasons, issues = latest.get(s.id, ([], []))
        by_decision[s.decision] = by_decision.get(s.decision, 0) + 1
        records.append({
            "shipment_id": s.shipment_id, "order_id": s.order_id,
            "arrival_date": None if s.arrival_date is None else s.arrival_date.isoformat(),
            "consignee_key": s.consignee_key,
            "value_usd": None if s.value_usd is None else amount(s.value_usd),
            "decision": s.decision, "ace_shipment_type": ace_shipment_type(s.decision),
            "reasons": reasons, "issues": issues, "storage": "stored"})
        problems += [{**i, "shipment_id": s.shipment_id} for i in issues]
    return {**_document(batch, imported, by_decision, len(shipments)), "shipments": records,
            "problems": problems, "rescreened": []}


def batch_overview(db: Database, *, tenant_pk: int, batch_id: str) -> dict[str, Any]:
    """``read_batch`` without the shipments: the counts and the problems, read with two
    aggregate queries (the result page of a large upload shows its shipments a page at a
    time, so loading every one of them only to count them took seconds)."""
    pk = _pk(batch_id)
    with db.reading() as session:
        batch, imported = _batch_and_import(session, tenant_pk, pk, batch_id)
        by_decision = dict.fromkeys(DECISION_ORDER, 0)
        for decision, count in session.execute(
                select(Shipment.decision, func.count()).where(Shipment.batch_id == pk)
                .group_by(Shipment.decision)):
            by_decision[decision] = count
        newer = aliased(Decision)
        newest = ~select(newer.id).where(newer.shipment_pk == Decision.shipment_pk,
                                         newer.seq > Decision.seq).exists()
        rows = session.execute(
            select(Shipment.shipment_id, Decision.issues)
            .join(Decision, Decision.shipment_pk == Shipment.id)
            .where(Shipment.batch_id == pk, Decision.issues != "[]", newest)
            .order_by(Shipment.shipment_id)).all()
    problems = [{**issue, "shipment_id": shipment_id} for shipment_id, issues in rows
                for issue in json.loads(issues)]
    return {**_document(batch, imported, by_decision, sum(by_decision.values())),
            "problems": problems, "rescreened": []}


def _pk(batch_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(batch_id)
    except ValueError:
        raise NotFound(f"no batch {batch_id!r}") from None


def _batch_and_import(session: Session, tenant_pk: int, pk: uuid.UUID, batch_id: str
                      ) -> tuple[Batch, dict[str, Any]]:
    batch = session.scalars(select(Batch).where(
        Batch.id == pk, Batch.tenant_id == tenant_pk)).one_or_none()
    if batch is None:
        raise NotFound(f"no batch {batch_id!r}")
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.tenant_id == tenant_pk, AuditEvent.entity_type == "batch",
        AuditEvent.entity_id == str(pk), AuditEvent.action == "import")).first()
    return batch, json.loads(event.after) if event is not None and event.after else {}


def _document(batch: Batch, imported: dict[str, Any], by_decision: dict[str, int],
              shipments: int) -> dict[str, Any]:
    return {
        "id": str(batch.id), "name": batch.name, "sha256": batch.sha256,
        "row_count": batch.row_count, "shipment_count": batch.shipment_count,
        "imported_at": batch.imported_at.isoformat(), "actor": batch.actor,
        "rules_version": batch.rules_version,
        "counts": {"shipments": shipments, "by_decision": by_decision,
                   "stored": batch.shipment_count,
                   "already_stored": len(imported.get("already_stored", [])),
                   "duplicates": len(imported.get("duplicates", [])), "rescreened": 0},
    }


def latest_decisions(session: Session, pks: list[uuid.UUID]
                     ) -> dict[uuid.UUID, tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """(reasons, issues) of the newest decision of each shipment."""
    newest: dict[uuid.UUID, Decision] = {}
    for start in range(0, len(pks), _CHUNK):
        for d in session.scalars(select(Decision).where(
                Decision.shipment_pk.in_(pks[start:start + _CHUNK])).order_by(Decision.seq)):
            newest[d.shipment_pk] = d
    reasons: dict[uuid.UUID, list[dict[str, Any]]] = {}
    ids = [d.id for d in newest.values()]
    for start in range(0, len(ids), _CHUNK):
        for r in session.scalars(select(DecisionReason).where(
                DecisionReason.decision_id.in_(ids[start:start + _CHUNK]))
                .order_by(DecisionReason.decision_id, DecisionReason.position)):
            reasons.setdefault(r.decision_id, []).append(
                {"code": r.code, "message": r.message, "reference": r.reference})
    return {pk: (reasons.get(d.id, []), json.loads(d.issues)) for pk, d in newest.items()}
