"""Ingest: screen a file with its history and store it, atomically per batch.

One transaction per batch: the batch, its shipments, parties, lines, decisions with reasons,
status history, the re-screenings of earlier SCREENED shipments and every audit event are
committed together or not at all.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from ace321.intake import columns
from ace321.rules import RuleSet
from ace321.storage import audit
from ace321.storage.database import Database, StorageError, lock_names
from ace321.storage.history import (
    HEADER_FIELDS,
    LINE_FIELDS,
    PARTY_FIELDS,
    Change,
    HistoryScreening,
    lock_names_for,
    prepare,
    records,
    screen_with_history,
    tenant_id,
)
from ace321.storage.models import (
    Batch,
    Decision,
    DecisionReason,
    Party,
    Shipment,
    ShipmentLine,
    StatusChange,
)
from ace321.storage.types import StorageValueError

_PRICE = re.compile(r"^\d+(\.\d{1,4})?$")
_INSERT_CHUNK = 5000
MAX_ATTEMPTS = 8
ANALYZE_FROM = 10_000  # lines stored in one batch
COPY_FROM = 2000  # rows; PostgreSQL bulk loads use COPY from this size up
ESCALATE_AFTER = 3


@dataclass
class BatchInfo:
    name: str
    sha256: str
    row_count: int


@dataclass
class IngestReport:
    batch_id: uuid.UUID | None
    screening: HistoryScreening
    stored: list[str] = field(default_factory=list)
    rescreened: list[Change] = field(default_factory=list)

    @property
    def result(self) -> Any:
        return self.screening.result

    @property
    def already_stored(self) -> list[str]:
        return self.screening.already_stored

    @property
    def duplicates(self) -> dict[str, str]:
        return self.screening.duplicates


class _Relock(Exception):
    def __init__(self, names: set[str]) -> None:
        self.names = names


class _Retry(Exception):
    """A stored shipment changed under us (another writer moved its status): start again."""


def _insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Bulk insert: one Core executemany per chunk (COPY on PostgreSQL for large sets)."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql" and len(rows) >= COPY_FROM:
        from ace321.storage.bulk import copy_rows

        copy_rows(session, model.__table__, rows)
        return
    from ace321.storage.bulk import insert_rows

    insert_rows(session, model.__table__, rows, chunk=_INSERT_CHUNK)


def ingest(
    db: Database,
    frame: pl.DataFrame,
    *,
    rules: RuleSet,
    batch: BatchInfo,
    actor: str,
    now: dt.datetime,
    default_arrival: dt.date | None = None,
    rates: pl.DataFrame | None = None,
    hts: pl.Series | None = None,
    tenant: str = "default",
    within: Callable[[Session, IngestReport], None] | None = None,
) -> IngestReport:
    """Screen ``frame`` against the stored history and store it in one transaction.

    ``within``, if given, is called with the session and the report before the commit: its
    writes join the batch's transaction, and an exception it raises rolls everything back.
    """
    prepared = prepare(frame, default_arrival)
    locks: set[str] = set()
    last_error: Exception | None = None
    for attempt in range(MAX_ATTEMPTS):
        if attempt >= ESCALATE_AFTER:
            locks.add("*")  # keep losing the race: lock everything for this batch
        try:
            with db.transaction() as session:
                tenant_pk = tenant_id(session, tenant)
                locks = lock_names(session, locks | lock_names_for(tenant_pk, prepared.shipments))
                screening = screen_with_history(
                    prepared.frame, session, rules, default_arrival=default_arrival,
                    rates=rates, hts=hts, tenant=tenant, prepared=prepared)
                if "*" not in locks and not screening.lock_names <= locks:
                    raise _Relock(screening.lock_names - locks)
                report = _store(session, tenant_pk, screening, rules=rules, batch=batch,
                                actor=actor, now=now, rates=rates)
                if within is not None:
                    within(session, report)
                return report
        except _Relock as relock:
            locks |= relock.names
        except _Retry as retry:
            last_error = retry
        except IntegrityError as error:
            # Another writer stored one of these shipments first: screen again with it.
            last_error = error
        except StorageValueError as error:
            raise StorageError(f"cannot store the batch: {error}") from error
        except StatementError as error:
            # A value the database cannot hold (e.g. numeric overflow): nothing was stored.
            cause = error.orig if error.orig is not None else error
            raise StorageError(f"cannot store the batch: {cause}".splitlines()[0]) from error
    raise StorageError(f"could not store the batch after {MAX_ATTEMPTS} attempts: {last_error}")


def _line_rates(prepared_frame: pl.DataFrame, rates: pl.DataFrame | None) -> list[Any]:
    """The USD rate each line used (None for USD lines and where no rate applies)."""
    if rates is None or rates.is_empty():
        return [None] * prepared_frame.height
    from ace321.intake.rates import rate_lookup

    pairs = prepared_frame.select(
        pl.col("currency").str.to_uppercase().alias("currency"),
        pl.col("arrival_date").str.to_date("%Y-%m-%d", strict=False).alias("arrival_date"),
    )
    found = rate_lookup(rates, pairs)
    return [None if currency == "USD" else rate for currency, rate in
            found.select("currency", "usd_per_unit").iter_rows()]


def _store(session: Session, tenant_pk: int, screening: HistoryScreening, *, rules: RuleSet,
           batch: BatchInfo, actor: str, now: dt.datetime, rates: pl.DataFrame | None
           ) -> IngestReport:
    batch_id = uuid.uuid4()
    new_ids = set(screening.new_ids)
    result_rows = {row["shipment_id"]: row for row in records(
        screening.result.shipments.filter(pl.col("shipment_id").is_in(list(new_ids))),
        ["shipment_id", "consignee_key", "value", "value_usd", "arrival_date", "decision",
         "ace_shipment_type", "reasons", "issues"])}
    keys = {row["shipment_id"]: row for row in records(screening.prepared.shipments)}
    session.execute(insert(Batch), [{
        "id": batch_id, "tenant_id": tenant_pk, "name": batch.name, "sha256": batch.sha256,
        "row_count": batch.row_count, "shipment_count": len(new_ids), "imported_at": now,
        "actor": actor, "rules_version": rules.version,
    }])
    frame = screening.prepared.frame.filter(pl.col("shipment_id").is_in(list(new_ids)))
    line_rates = _line_rates(frame, rates)
    pks: dict[str, uuid.UUID] = {}
    shipments, parties, lines, decisions, reasons, statuses = [], [], [], [], [], []
    entries: list[audit.Entry] = [audit.Entry(
        "import", "batch", str(batch_id),
        after={"name": batch.name, "sha256": batch.sha256, "rows": batch.row_count,
               "stored": sorted(new_ids), "already_stored": screening.already_stored,
               "duplicates": sorted(screening.duplicates)},
        rules_version=rules.version)]
    heads: dict[str, dict[str, Any]] = {}
    line_no: dict[str, int] = {}
    for values, rate in zip(records(frame, [*columns.ALL, columns.ROW]), line_rates,
                            strict=True):
        shipment_id = values["shipment_id"]
        head = heads.get(shipment_id)
        if head is None:
            head = heads[shipment_id] = {name: values[name] for name in HEADER_FIELDS}
            pks[shipment_id] = uuid.uuid4()
        number = line_no[shipment_id] = line_no.get(shipment_id, -1) + 1
        differing = {name: values[name] for name in HEADER_FIELDS if values[name] != head[name]}
        price = values["unit_price"]
        lines.append({
            "shipment_pk": pks[shipment_id], "line_no": number, "source_row": values[columns.ROW],
            **{name: values[name] for name in LINE_FIELDS if name != "unit_price"},
            "unit_price_text": price,
            "unit_price": Decimal(price) if price is not None and _PRICE.match(price) else None,
            "usd_rate": rate,
            "differing": json.dumps(differing, sort_keys=True) if differing else None,
        })
    for shipment_id, head in heads.items():
        pk, row, key = pks[shipment_id], result_rows[shipment_id], keys[shipment_id]
        shipments.append({
            "id": pk, "tenant_id": tenant_pk, "batch_id": batch_id, "shipment_id": shipment_id,
            "order_id": head["order_id"], "arrival_text": head["arrival_date"],
            "arrival_date": key["arrival"], "is_gift_text": head["is_gift"], "scn": head["scn"],
            "consignee_name": head["consignee_name"], "name_key": key["name_key"],
            "phone_e164": key["phone_e164"], "consignee_key": row["consignee_key"],
            "line_count": line_no[shipment_id] + 1, "value_usd": row["value"],
            "rules_decision": row["decision"], "override_decision": None,
            "decision": row["decision"], "ace_shipment_type": row["ace_shipment_type"],
            "status": "SCREENED", "rules_version": rules.version,
            "content_hash": key["content_hash"], "created_at": now, "updated_at": now,
        })
        for role in ("shipper", "consignee"):
            parties.append({"shipment_pk": pk, "role": role, **{
                name: head.get(f"{role}_{name}") for name in PARTY_FIELDS}})
        decision_id = uuid.uuid4()
        decisions.append(_decision(decision_id, pk, "IMPORT", row, row["decision"], rules,
                                   actor, now, caused_by=None, note=f"batch {batch.name}"))
        reasons.extend(_reasons(decision_id, row))
        statuses.append({"shipment_pk": pk, "from_status": None, "to_status": "SCREENED",
                         "changed_at": now, "actor": actor, "cause": f"imported in batch "
                         f"{batch.name}"})
        entries.append(audit.Entry(
            "decision", "shipment", shipment_id, before=None,
            after=_decision_view(row, row["decision"], "SCREENED", batch=str(batch_id)),
            rules_version=rules.version))
    _insert(session, Shipment, shipments)
    _insert(session, Party, parties)
    _insert(session, ShipmentLine, lines)
    _rescreen(session, screening.changes, rules, actor, now, decisions, reasons, entries)
    _insert(session, Decision, decisions)
    _insert(session, DecisionReason, reasons)
    _insert(session, StatusChange, statuses)
    audit.append(session, tenant_id=tenant_pk, actor=actor, at=now, entries=entries)
    if session.get_bind().dialect.name == "postgresql" and len(lines) >= ANALYZE_FROM:
        # Fresh planner statistics: without them the next history look-ups of a table that
        # just grew by a bulk load get nested-loop plans that are orders of magnitude slower.
        session.execute(text("ANALYZE shipments, shipment_lines, parties, decisions"))
    return IngestReport(batch_id, screening, stored=[s for s in screening.new_ids],
                        rescreened=list(screening.changes))


def _rescreen(session: Session, changes: list[Change], rules: RuleSet, actor: str,
              now: dt.datetime, decisions: list[dict[str, Any]], reasons: list[dict[str, Any]],
              entries: list[audit.Entry]) -> None:
    for change in changes:
        row = change.row
        changed = session.execute(update(Shipment).where(
            Shipment.id == change.pk, Shipment.status == "SCREENED").values(
            rules_decision=change.rules_decision, decision=change.after,
            ace_shipment_type="SECTION 321" if change.after == "SECTION_321" else "PAPS",
            consignee_key=row["consignee_key"], value_usd=row["value"],
            rules_version=rules.version, updated_at=now))
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            raise _Retry(f"shipment {change.shipment_id} changed status meanwhile")
        decision_id = uuid.uuid4()
        cause = ", ".join(change.caused_by) or None
        decisions.append(_decision(decision_id, change.pk, "RESCREEN", row, change.after, rules,
                                   actor, now, caused_by=cause, seq=next_seq(session, change.pk),
                                   note=f"re-screened with shipment(s) {cause}" if cause else
                                   "re-screened"))
        reasons.extend(_reasons(decision_id, row))
        entries.append(audit.Entry(
            "rescreen", "shipment", change.shipment_id,
            before={"decision": change.before, "status": change.status},
            after={**_decision_view(row, change.after, change.status),
                   "caused_by": change.caused_by},
            rules_version=rules.version))


def next_seq(session: Session, pk: uuid.UUID) -> int:
    """The next decision number of a stored shipment."""
    last = session.execute(select(func.max(Decision.seq)).where(Decision.shipment_pk == pk))
    return int(last.scalar_one() or 0) + 1


def _decision(decision_id: uuid.UUID, pk: uuid.UUID, cause: str, row: dict[str, Any],
              effective: str, rules: RuleSet, actor: str, now: dt.datetime, *,
              caused_by: str | None, note: str | None, seq: int = 1) -> dict[str, Any]:
    return {
        "id": decision_id, "shipment_pk": pk, "seq": seq, "cause": cause, "decision": effective,
        "rules_decision": row["decision"],
        "ace_shipment_type": "SECTION 321" if effective == "SECTION_321" else "PAPS",
        "value_usd": row["value"], "consignee_key": row["consignee_key"],
        "rules_version": rules.version, "caused_by": caused_by, "note": note,
        "issues": json.dumps(row["issues"] or [], sort_keys=True), "actor": actor,
        "decided_at": now,
    }


def _reasons(decision_id: uuid.UUID, row: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"decision_id": decision_id, "position": index, "code": reason["code"],
             "message": reason["message"], "reference": reason["reference"]}
            for index, reason in enumerate(row["reasons"] or [])]


def _decision_view(row: dict[str, Any], effective: str, status: str, **extra: Any
                   ) -> dict[str, Any]:
    return {
        "decision": effective, "rules_decision": row["decision"], "status": status,
        "value_usd": row["value_usd"], "consignee_key": row["consignee_key"],
        "arrival_date": None if row["arrival_date"] is None else str(row["arrival_date"]),
        "reasons": [reason["code"] for reason in row["reasons"] or []],
        "issues": [issue["code"] for issue in row["issues"] or []],
        **extra,
    }
