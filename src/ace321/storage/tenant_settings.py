"""Persistence of per-tenant settings: named JSON documents and dated exchange rates, each
replaced as a whole in one transaction with an audit event."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import polars as pl
from sqlalchemy import delete, insert, select

from ace321.storage import audit
from ace321.storage.database import Database
from ace321.storage.history import tenant_id
from ace321.storage.settings_models import ExchangeRate, TenantSetting

RATE_TYPE = pl.Decimal(38, 12)


def load_document(db: Database, tenant: str, name: str
                  ) -> tuple[dict[str, Any], dt.datetime, str] | None:
    """(document, updated_at, updated_by) of the tenant's setting ``name``; None if never set."""
    with db.reading() as session:
        row = session.get(TenantSetting, (tenant_id(session, tenant), name))
        if row is None:
            return None
        return json.loads(row.document), row.updated_at, row.updated_by


def save_document(db: Database, tenant: str, name: str, document: dict[str, Any], *,
                  summary: dict[str, Any], actor: str, now: dt.datetime) -> None:
    """Replace the tenant's setting ``name``; the audit event records ``summary``."""
    with db.transaction() as session:
        tenant_pk = tenant_id(session, tenant)
        session.execute(delete(TenantSetting).where(TenantSetting.tenant_id == tenant_pk,
                                                    TenantSetting.name == name))
        session.execute(insert(TenantSetting).values(
            tenant_id=tenant_pk, name=name, document=json.dumps(document, ensure_ascii=False),
            updated_at=now, updated_by=actor))
        audit.append(session, tenant_id=tenant_pk, actor=actor, at=now, entries=[
            audit.Entry("settings", "settings", name, after=summary)])


def load_rates(db: Database, tenant: str) -> tuple[pl.DataFrame, dt.datetime | None, str | None]:
    """The tenant's rates (``rate_date``, ``currency``, ``usd_per_unit`` as in
    ``intake.rates.read_rates``), when they were set and by whom."""
    with db.reading() as session:
        rows = session.execute(select(
            ExchangeRate.rate_date, ExchangeRate.currency, ExchangeRate.usd_per_unit,
            ExchangeRate.updated_at, ExchangeRate.updated_by).where(
            ExchangeRate.tenant_id == tenant_id(session, tenant))
            .order_by(ExchangeRate.currency, ExchangeRate.rate_date)).all()
    frame = pl.DataFrame({
        "rate_date": [r.rate_date for r in rows], "currency": [r.currency for r in rows],
        "usd_per_unit": [r.usd_per_unit for r in rows],
    }, schema={"rate_date": pl.Date, "currency": pl.String, "usd_per_unit": RATE_TYPE})
    if not rows:
        return frame, None, None
    return frame, rows[0].updated_at, rows[0].updated_by


def save_rates(db: Database, tenant: str, rates: pl.DataFrame, *, actor: str,
               now: dt.datetime) -> None:
    """Replace every rate of the tenant with ``rates`` (as ``read_rates`` gives them)."""
    with db.transaction() as session:
        tenant_pk = tenant_id(session, tenant)
        session.execute(delete(ExchangeRate).where(ExchangeRate.tenant_id == tenant_pk))
        rows = [{"tenant_id": tenant_pk, "rate_date": day, "currency": currency,
                 "usd_per_unit": rate, "updated_at": now, "updated_by": actor}
                for day, currency, rate in rates.select(
                    "rate_date", "currency", "usd_per_unit").iter_rows()]
        if rows:
            session.execute(insert(ExchangeRate), rows)
        audit.append(session, tenant_id=tenant_pk, actor=actor, at=now, entries=[
            audit.Entry("settings", "settings", "rates", after={
                "rates": len(rows),
                "currencies": sorted(set(rates["currency"].to_list())),
            })])
