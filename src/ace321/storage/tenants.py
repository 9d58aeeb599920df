"""Tenants: the brands or 3PLs whose data one database keeps apart.

The CLI works in one tenant (``--tenant``, ``ACE321_TENANT``, default ``default``); an API key
belongs to one tenant. A tenant is created by the first write in its name (an ingest, a manifest,
an API key); reading a tenant that does not exist is an error naming those that do.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ace321.storage.api_keys import ensure_tenant
from ace321.storage.database import Database, StorageError
from ace321.storage.models import Tenant

MAX_NAME = 100


class UnknownTenant(StorageError):
    """A read in the name of a tenant the database does not have."""


def check_name(name: str) -> str:
    """The tenant name trimmed; 1 to 100 characters."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise StorageError(f"a tenant name has 1 to {MAX_NAME} characters, not {name!r}")
    return name


def names(session: Session) -> list[str]:
    return list(session.scalars(select(Tenant.name).order_by(Tenant.name)))


def require(session: Session, name: str) -> None:
    """``UnknownTenant`` unless the tenant exists, naming the tenants that do."""
    known = names(session)
    if name not in known:
        raise UnknownTenant(f"tenant {name!r} does not exist in this database (tenants: "
                            f"{', '.join(known) or 'none'})")


def ensure(db: Database, name: str, now: dt.datetime) -> None:
    """Create the tenant unless it exists.

    An IntegrityError is retried: another writer created the same name meanwhile, or, on
    PostgreSQL, the id sequence handed out the id of the ``default`` tenant, which the first
    migration inserted with an explicit id (the failed call advanced the sequence).
    """
    name = check_name(name)
    for _attempt in range(3):
        try:
            with db.transaction() as session:
                ensure_tenant(session, name, now)
            return
        except IntegrityError:
            continue
    with db.reading() as session:
        require(session, name)
