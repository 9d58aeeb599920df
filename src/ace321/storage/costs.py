"""Entry costs stored with the shipments of a batch, and read back for ``shipments show``."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ace321.rules import RuleSet
from ace321.storage.cost_models import ShipmentCost


def _money(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def store_costs(session: Session, pks: pl.DataFrame, result: Any, rules: RuleSet) -> None:
    """Estimate the costs of the screened shipments and store those of ``pks`` (shipment_id,
    id as 32 hex digits): each priced as an entry of its own, as ``check --costs`` prices it."""
    if pks.is_empty():
        return
    from ace321.costs import estimate
    from ace321.costs.document import shipment_documents

    documents = shipment_documents(estimate(result, rules=rules))
    rows = []
    for shipment_id, pk in pks.select("shipment_id", "id").iter_rows():
        document = documents.get(shipment_id)
        if document is None:
            continue
        rows.append({
            "shipment_pk": uuid.UUID(hex=pk), "hts_revision": document["hts_revision"],
            "rules_version": rules.version, "entry_type": document["entry_type"],
            "duty_usd": _money(document["duty_usd"]), "mpf_usd": _money(document["mpf_usd"]),
            "total_usd": _money(document["total_usd"]),
            "document": json.dumps(document, ensure_ascii=False, separators=(",", ":")),
        })
    keys = [row["shipment_pk"] for row in rows]
    for start in range(0, len(keys), 500):
        # A replaced shipment keeps its id: its earlier estimate goes.
        session.execute(delete(ShipmentCost).where(ShipmentCost.shipment_pk.in_(keys[start:start + 500])))
    from ace321.storage.ingest import _insert

    _insert(session, ShipmentCost, rows)


def stored_costs(session: Session, shipment_pk: uuid.UUID) -> dict[str, Any] | None:
    """The costs stored at ingest, with the rules version they were estimated under."""
    row = session.scalars(select(ShipmentCost).where(ShipmentCost.shipment_pk == shipment_pk)).first()
    if row is None:
        return None
    return {**json.loads(row.document), "rules_version": row.rules_version}
