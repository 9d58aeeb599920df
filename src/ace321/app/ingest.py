"""Store a batch of orders: screened with the stored history, stored in one transaction.

``ingest_batch`` is what ``ace321 ingest``, ``POST /v1/batches`` and the web upload call;
``storage.ingest`` does the locked screening and the writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from ace321.app.errors import Busy, InvalidInput
from ace321.app.risk import score_at_ingest
from ace321.app.risk_jobs import RiskJobs
from ace321.rules import RuleSet
from ace321.storage import BatchInfo, Database, IngestReport, StorageError, ingest
from ace321.storage.database import UnstorableBatch
from ace321.storage.types import StorageValueError

__all__ = ["INLINE_RISK_HISTORY", "BatchInfo", "IngestedBatch", "ingest_batch"]

# Stored shipments in a batch's risk history up to which a server scores the batch in its own
# transaction: about a second of reading on this machine's SQLite (300,000 took 19-27 s).
INLINE_RISK_HISTORY = 25_000


@dataclass
class IngestedBatch:
    """What storing a batch did: the screening result, each shipment's storage outcome, the
    stored shipments whose decision became stricter (``rescreened``)."""

    source: BatchInfo
    report: IngestReport
    actor: str
    imported_at: dt.datetime

    @property
    def batch_id(self) -> str | None:
        return None if self.report.batch_id is None else str(self.report.batch_id)

    @property
    def risk_pending(self) -> bool:
        """The batch's risk scores are being computed after its commit."""
        return bool(self.report.risk_pending)

    @property
    def rules_version(self) -> str:
        return str(self.report.result.rules_version)

    @property
    def invalid(self) -> bool:
        return bool(self.report.result.invalid_count > 0)

    def storage_outcomes(self) -> dict[str, str]:
        """Shipment id -> ``stored``, ``already stored``, ``DUPLICATE_SHIPMENT`` or ``replaced``."""
        report = self.report
        status = dict.fromkeys(report.stored, "stored")
        status.update(dict.fromkeys(report.already_stored, "already stored"))
        status.update(dict.fromkeys(report.duplicates, "DUPLICATE_SHIPMENT"))
        status.update(dict.fromkeys(report.replaced, "replaced"))
        return status

    def records(self) -> list[dict[str, Any]]:
        """The screening records (``check --format json``'s) with ``storage`` added."""
        status = self.storage_outcomes()
        records = self.report.result.records()
        for record in records:
            record["storage"] = status.get(record["shipment_id"])
        return records

    def rescreened(self) -> list[dict[str, Any]]:
        return [{"shipment_id": c.shipment_id, "before": c.before, "after": c.after,
                 "caused_by": list(c.caused_by)} for c in self.report.rescreened]

    def counts(self) -> dict[str, Any]:
        report = self.report
        return {**report.result.summary(), "stored": len(report.stored),
                "already_stored": len(report.already_stored),
                "duplicates": len(report.duplicates), "replaced": len(report.replaced),
                "rescreened": len(report.rescreened)}

    def document(self) -> dict[str, Any]:
        """The stored batch as the API returns it (``BatchPublic``)."""
        records = self.records()
        problems = [{**i, "shipment_id": r["shipment_id"]} for r in records
                    for i in r["issues"]]
        counts = self.counts()
        counts.pop("replaced")
        return {
            "id": self.batch_id, "name": self.source.name, "sha256": self.source.sha256,
            "row_count": self.source.row_count, "shipment_count": len(self.report.stored),
            "imported_at": self.imported_at.isoformat(), "actor": self.actor,
            "rules_version": self.rules_version, "counts": counts, "shipments": records,
            "problems": problems, "rescreened": self.rescreened(),
        }


def ingest_batch(db: Database, frame: pl.DataFrame, *, rules: RuleSet, source: BatchInfo,
                 tenant: str, actor: str, now: dt.datetime, as_of: dt.date | None = None,
                 rates: pl.DataFrame | None = None, hts: pl.Series | None = None,
                 replace_invalid: bool = False, risk_jobs: RiskJobs | None = None
                 ) -> IngestedBatch:
    """Screen ``frame`` with the tenant's stored history and store it, all or nothing.

    Risk scores are stored in the same transaction; with ``risk_jobs`` (a server), a batch whose
    risk history holds more than ``INLINE_RISK_HISTORY`` stored shipments (or whose tenant has
    batches waiting already) is scored right after the commit by ``risk_jobs`` instead
    (``IngestedBatch.risk_pending``).

    ``as_of`` is the arrival date of rows without one. Raises ``InvalidInput`` (code
    ``UNSTORABLE``) when a value cannot be stored exactly, ``Busy`` when the database could not
    do it now; nothing is stored then.
    """
    defer = None
    if risk_jobs is not None:
        defer = 0 if risk_jobs.busy(tenant) else INLINE_RISK_HISTORY
    try:
        report = ingest(db, frame, rules=rules, batch=source, actor=actor, now=now,
                        default_arrival=as_of, rates=rates, hts=hts, tenant=tenant,
                        replace_invalid=replace_invalid,
                        within=score_at_ingest(tenant=tenant, rules=rules, defer_above=defer))
    except UnstorableBatch as error:
        raise InvalidInput(str(error), code="UNSTORABLE", problems=[
            {key: item.get(key) for key in ("code", "severity", "field", "row", "message")}
            for item in error.issues]) from None
    except StorageValueError as error:
        raise InvalidInput(str(error), code="UNSTORABLE") from None
    except StorageError as error:
        if str(error).startswith("cannot store"):
            raise InvalidInput(str(error), code="UNSTORABLE") from None
        raise Busy(str(error)) from None
    if report.risk_pending and risk_jobs is not None:
        risk_jobs.submit(db, report, tenant=tenant, rules=rules)
    return IngestedBatch(source, report, actor, now)
