"""Upload and store a batch (screened with the stored history), and read one back."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import polars as pl
from sqlalchemy import select

from ace321.api.problems import ApiProblem
from ace321.rules import RuleSet
from ace321.screening.result import DECISION_ORDER
from ace321.storage import BatchInfo, Database, StorageError, ingest
from ace321.storage.api_keys import Principal
from ace321.storage.models import AuditEvent, Batch, Decision, DecisionReason, Shipment
from ace321.storage.queries import _amount
from ace321.storage.types import StorageValueError

_CHUNK = 500


def store(db: Database, rules: RuleSet, principal: Principal, frame: pl.DataFrame, *,
          name: str, sha256: str, as_of: dt.date | None, now: dt.datetime) -> dict[str, Any]:
    try:
        report = ingest(db, frame, rules=rules, batch=BatchInfo(name, sha256, frame.height),
                        actor=principal.actor, now=now, default_arrival=as_of,
                        tenant=principal.tenant)
    except StorageValueError as error:
        raise ApiProblem(422, f"{name}: nothing stored: {error}", code="UNSTORABLE") from None
    except StorageError as error:
        if str(error).startswith("cannot store"):
            raise ApiProblem(422, f"{name}: nothing stored: {error}",
                             code="UNSTORABLE") from None
        raise ApiProblem(503, f"{name}: nothing stored: {error}", code="BUSY",
                         headers={"Retry-After": "1"}) from None
    records = report.result.records()
    status = {s: "stored" for s in report.stored}
    status.update({s: "already stored" for s in report.already_stored})
    status.update({s: "DUPLICATE_SHIPMENT" for s in report.duplicates})
    problems = []
    for record in records:
        record["storage"] = status.get(record["shipment_id"])
        problems += [{**i, "shipment_id": record["shipment_id"]} for i in record["issues"]]
    rescreened = [{"shipment_id": c.shipment_id, "before": c.before, "after": c.after,
                   "caused_by": list(c.caused_by)} for c in report.rescreened]
    return {
        "id": str(report.batch_id), "name": name, "sha256": sha256,
        "row_count": frame.height, "shipment_count": len(report.stored),
        "imported_at": now.isoformat(), "actor": principal.actor,
        "rules_version": report.result.rules_version,
        "counts": {**report.result.summary(), "stored": len(report.stored),
                   "already_stored": len(report.already_stored),
                   "duplicates": len(report.duplicates), "rescreened": len(rescreened)},
        "shipments": records, "problems": problems, "rescreened": rescreened,
    }


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def not_found(kind: str, ident: str) -> ApiProblem:
    return ApiProblem(404, f"no {kind} {ident!r}", code="NOT_FOUND")


def read(db: Database, principal: Principal, batch_id: str) -> dict[str, Any]:
    pk = _uuid(batch_id)
    if pk is None:
        raise not_found("batch", batch_id)
    with db.reading() as session:
        batch = session.scalars(select(Batch).where(
            Batch.id == pk, Batch.tenant_id == principal.tenant_id)).one_or_none()
        if batch is None:
            raise not_found("batch", batch_id)
        shipments = session.scalars(select(Shipment).where(Shipment.batch_id == pk)
                                    .order_by(Shipment.shipment_id)).all()
        latest = latest_decisions(session, [s.id for s in shipments])
        event = session.scalars(select(AuditEvent).where(
            AuditEvent.tenant_id == principal.tenant_id, AuditEvent.entity_type == "batch",
            AuditEvent.entity_id == str(pk), AuditEvent.action == "import")).first()
    imported = json.loads(event.after) if event is not None and event.after else {}
    records, problems = [], []
    by_decision = dict.fromkeys(DECISION_ORDER, 0)
    for s in shipments:
        reasons, issues = latest.get(s.id, ([], []))
        by_decision[s.decision] = by_decision.get(s.decision, 0) + 1
        records.append({
            "shipment_id": s.shipment_id, "order_id": s.order_id,
            "arrival_date": None if s.arrival_date is None else s.arrival_date.isoformat(),
            "consignee_key": s.consignee_key,
            "value_usd": None if s.value_usd is None else _amount(s.value_usd),
            "decision": s.decision, "ace_shipment_type": s.ace_shipment_type,
            "reasons": reasons, "issues": issues, "storage": "stored"})
        problems += [{**i, "shipment_id": s.shipment_id} for i in issues]
    return {
        "id": str(batch.id), "name": batch.name, "sha256": batch.sha256,
        "row_count": batch.row_count, "shipment_count": batch.shipment_count,
        "imported_at": batch.imported_at.isoformat(), "actor": batch.actor,
        "rules_version": batch.rules_version,
        "counts": {"shipments": len(shipments), "by_decision": by_decision,
                   "stored": batch.shipment_count,
                   "already_stored": len(imported.get("already_stored", [])),
                   "duplicates": len(imported.get("duplicates", [])), "rescreened": 0},
        "shipments": records, "problems": problems, "rescreened": [],
    }


def latest_decisions(session: Any, pks: list[uuid.UUID]
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
