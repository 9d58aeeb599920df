"""Save and list a tenant's truck, trailer and driver profiles (audited)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ace321.storage import audit
from ace321.storage.database import Database, StorageError
from ace321.storage.profile_models import PROFILE_KINDS, EquipmentProfile


def save_profile(db: Database, *, tenant_id: int, kind: str, name: str, data: dict[str, Any],
                 actor: str, now: dt.datetime) -> None:
    """Store (or replace) the profile ``name`` of ``kind``."""
    if kind not in PROFILE_KINDS:
        raise StorageError(f"unknown profile kind {kind!r}")
    name = name.strip()
    if not name or len(name) > 100:
        raise StorageError("a profile name has 1 to 100 characters")
    with db.transaction() as session:
        session.execute(delete(EquipmentProfile).where(
            EquipmentProfile.tenant_id == tenant_id, EquipmentProfile.kind == kind,
            EquipmentProfile.name == name))
        session.execute(insert(EquipmentProfile).values(
            tenant_id=tenant_id, kind=kind, name=name, data=json.dumps(data, sort_keys=True),
            created_at=now, actor=actor))
        audit.append(session, tenant_id=tenant_id, actor=actor, at=now, entries=[
            audit.Entry("profile_save", f"{kind}_profile", name, after=data)])


def list_profiles(session: Session, tenant_id: int) -> dict[str, list[dict[str, Any]]]:
    """The tenant's profiles by kind, each ``{"name", "data"}``, by name."""
    out: dict[str, list[dict[str, Any]]] = {kind: [] for kind in PROFILE_KINDS}
    for row in session.scalars(select(EquipmentProfile).where(
            EquipmentProfile.tenant_id == tenant_id).order_by(EquipmentProfile.name)):
        out[row.kind].append({"name": row.name, "data": json.loads(row.data)})
    return out
