"""The shipment tables of the pages: one query, filtered and paged, scoped to the tenant.

The filters are the list filters of the CLI and the API (``storage.queries.filtered``), plus
the batch and a problem code (an issue or reason code of the shipment's decisions).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, func, or_, select

from ace321.screening.result import DECISION_ORDER
from ace321.storage import Database
from ace321.storage.lifecycle import STATUSES
from ace321.storage.models import Decision, DecisionReason, Shipment
from ace321.storage.queries import filtered, summary
from ace321.storage.users import WebUser

RISK_BANDS = ("low", "medium", "high")


@dataclass
class Filters:
    decision: str | None = None
    status: str | None = None
    arrival_date: dt.date | None = None
    consignee: str | None = None
    problem: str | None = None
    risk: str | None = None
    batch: uuid.UUID | None = None
    errors: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, params: Any) -> Filters:
        """From query parameters; a value that is not one of the choices is reported, not used."""
        found = cls()
        decision = (params.get("decision") or "").strip().upper()
        if decision:
            if decision in DECISION_ORDER:
                found.decision = decision
            else:
                found.errors.append(f"decision: {decision!r} is not a decision")
        status = (params.get("status") or "").strip().upper()
        if status:
            if status in STATUSES:
                found.status = status
            else:
                found.errors.append(f"status: {status!r} is not a status")
        day = (params.get("arrival_date") or "").strip()
        if day:
            try:
                found.arrival_date = dt.date.fromisoformat(day)
            except ValueError:
                found.errors.append(f"arrival_date: {day!r} is not a date (YYYY-MM-DD)")
        found.consignee = (params.get("consignee") or "").strip()[:200] or None
        problem = (params.get("problem") or "").strip().upper()[:60]
        found.problem = problem or None
        risk = (params.get("risk") or "").strip().lower()
        if risk:
            if risk in RISK_BANDS:
                found.risk = risk
            else:
                found.errors.append(f"risk: {risk!r} is not a risk band")
        return found

    def query(self) -> dict[str, str]:
        """The filters as query parameters (for links that keep them)."""
        values = {"decision": self.decision, "status": self.status,
                  "arrival_date": self.arrival_date.isoformat() if self.arrival_date else None,
                  "consignee": self.consignee, "problem": self.problem, "risk": self.risk}
        return {k: v for k, v in values.items() if v}


def _risk_column() -> Any:
    return getattr(Shipment, "risk_band", None)


def _query(user: WebUser, filters: Filters) -> Any:
    query = filtered(select(Shipment).where(Shipment.tenant_id == user.tenant_id),
                     status=filters.status, decision=filters.decision,
                     arrival_date=filters.arrival_date, consignee=filters.consignee)
    if filters.batch is not None:
        query = query.where(Shipment.batch_id == filters.batch)
    if filters.problem:
        code = filters.problem
        query = query.where(exists().where(
            Decision.shipment_pk == Shipment.id,
            or_(Decision.issues.like(f'%"code": "{code}"%'),
                Decision.issues.like(f'%"code":"{code}"%'),
                exists().where(DecisionReason.decision_id == Decision.id,
                               DecisionReason.code == code))))
    risk = _risk_column()
    if filters.risk and risk is not None:
        query = query.where(risk == filters.risk)
    return query


def page(db: Database, user: WebUser, filters: Filters, number: int, size: int
         ) -> dict[str, Any]:
    """One page of shipments (1-based ``number``) with the total and the issue counts."""
    from ace321.app.batches import latest_decisions

    query = _query(user, filters)
    with db.reading() as session:
        total = session.scalar(select(func.count()).select_from(
            query.with_only_columns(Shipment.id).subquery())) or 0
        pages = max(1, -(-total // size))
        number = min(max(1, number), pages)
        rows = list(session.scalars(query.order_by(Shipment.shipment_id)
                                    .offset((number - 1) * size).limit(size)))
        latest = latest_decisions(session, [s.id for s in rows])
    items = []
    for s in rows:
        reasons, issues = latest.get(s.id, ([], []))
        items.append({**summary(s), "reasons": [r["code"] for r in reasons],
                      "errors": sum(1 for i in issues if i.get("severity") == "error"),
                      "warnings": sum(1 for i in issues if i.get("severity") != "error"),
                      "risk_band": getattr(s, "risk_band", None)})
    return {"items": items, "total": total, "page": number, "pages": pages, "size": size}


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet must not run a cell as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


CSV_COLUMNS = ("shipment_id", "order_id", "arrival_date", "consignee_name", "consignee_key",
               "value_usd", "decision", "rules_decision", "override_decision",
               "ace_shipment_type", "status", "reasons", "issues", "rules_version")


def csv_text(db: Database, user: WebUser, filters: Filters) -> str:
    """Every shipment the filters select, as CSV (reason and issue codes joined by ``;``)."""
    from ace321.app.batches import latest_decisions

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    with db.reading() as session:
        rows = list(session.scalars(_query(user, filters).order_by(Shipment.shipment_id)))
        latest = latest_decisions(session, [s.id for s in rows])
    for s in rows:
        reasons, issues = latest.get(s.id, ([], []))
        record = {**summary(s), "reasons": ";".join(r["code"] for r in reasons),
                  "issues": ";".join(f"{i['code']}@{i.get('field') or ''}" for i in issues)}
        writer.writerow([_cell(record.get(column)) for column in CSV_COLUMNS])
    return out.getvalue()
