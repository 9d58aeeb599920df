"""API keys: created once (the key is shown once, only its SHA-256 is kept), looked up, revoked.

A key reads ``ace321_<prefix>_<secret>``: the prefix (8 hex digits) finds the row, the SHA-256 of
the whole key is compared in constant time. Tenants are created on demand with their first key.
The clock is read by the caller (``now``), never here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ace321.storage import audit
from ace321.storage.api_models import ROLES, ApiKey
from ace321.storage.database import Database, StorageError
from ace321.storage.models import Tenant

KEY_SCHEME = "ace321"
_PREFIX_BYTES = 4
_SECRET_BYTES = 32


@dataclass(frozen=True)
class Principal:
    """Who a request acts as: the key's tenant and role."""

    tenant_id: int
    tenant: str
    role: str
    key_prefix: str
    key_name: str

    @property
    def actor(self) -> str:
        return f"api:{self.key_name}:{self.key_prefix}"


@dataclass(frozen=True)
class CreatedKey:
    key: str
    """The whole key: shown once, never stored."""
    prefix: str
    tenant: str
    role: str
    name: str


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def split_key(key: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed key, else None."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_SCHEME or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def ensure_tenant(session: Session, name: str, now: dt.datetime) -> int:
    """The tenant's id, creating the tenant when it does not exist yet.

    Two writers creating the same tenant at once: one gets an IntegrityError (retry).
    """
    found = session.execute(select(Tenant.id).where(Tenant.name == name)).scalar_one_or_none()
    if found is not None:
        return found
    session.execute(insert(Tenant).values(name=name, created_at=now))
    return session.execute(select(Tenant.id).where(Tenant.name == name)).scalar_one()


def create_key(db: Database, *, tenant: str, role: str = "operator", name: str | None = None,
               actor: str, now: dt.datetime) -> CreatedKey:
    """Create a key for ``tenant`` (created on demand) with ``role``; the key is returned once."""
    role = role.lower()
    if role not in ROLES:
        raise StorageError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    tenant = tenant.strip()
    if not tenant or len(tenant) > 100:
        raise StorageError("a tenant name has 1 to 100 characters")
    for _attempt in range(5):
        prefix = secrets.token_hex(_PREFIX_BYTES)
        # Hex secrets: no "_" or "-" inside, so a key splits and double-click-selects cleanly.
        key = f"{KEY_SCHEME}_{prefix}_{secrets.token_hex(_SECRET_BYTES)}"
        label = name or f"{tenant}-{role}"
        try:
            with db.transaction() as session:
                tenant_pk = ensure_tenant(session, tenant, now)
                session.execute(insert(ApiKey).values(
                    tenant_id=tenant_pk, name=label, prefix=prefix, key_sha256=key_hash(key),
                    role=role, created_at=now, revoked_at=None))
                audit.append(session, tenant_id=tenant_pk, actor=actor, at=now, entries=[
                    audit.Entry("apikey_create", "api_key", prefix,
                                after={"tenant": tenant, "role": role, "name": label})])
        except IntegrityError:  # a prefix already taken (or a tenant created meanwhile)
            continue
        return CreatedKey(key=key, prefix=prefix, tenant=tenant, role=role, name=label)
    raise StorageError("could not create a key (prefix collisions); try again")


def revoke_key(db: Database, prefix: str, *, actor: str, now: dt.datetime) -> CreatedKey:
    """Revoke the key with ``prefix`` (a key ``ace321_<prefix>_...`` is accepted too)."""
    parts = split_key(prefix)
    prefix = parts[0] if parts else prefix
    with db.transaction() as session:
        row = session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).one_or_none()
        if row is None:
            raise StorageError(f"no API key with prefix {prefix!r}")
        tenant = session.get(Tenant, row.tenant_id)
        if row.revoked_at is None:
            session.execute(update(ApiKey).where(ApiKey.id == row.id).values(revoked_at=now))
            audit.append(session, tenant_id=row.tenant_id, actor=actor, at=now, entries=[
                audit.Entry("apikey_revoke", "api_key", prefix, before={"role": row.role},
                            after={"revoked": True})])
        return CreatedKey(key="", prefix=prefix, tenant=tenant.name if tenant else "?",
                          role=row.role, name=row.name)


def list_keys(session: Session) -> list[dict[str, object]]:
    rows = session.execute(select(ApiKey, Tenant.name).join(Tenant, Tenant.id == ApiKey.tenant_id)
                           .order_by(Tenant.name, ApiKey.created_at)).all()
    return [{"prefix": key.prefix, "tenant": tenant, "role": key.role, "name": key.name,
             "created_at": key.created_at.isoformat(),
             "revoked_at": None if key.revoked_at is None else key.revoked_at.isoformat()}
            for key, tenant in rows]


def authenticate(session: Session, key: str) -> Principal | None:
    """The principal of a valid, unrevoked key; None for anything else (no detail why)."""
    parts = split_key(key)
    if parts is None:
        return None
    row = session.execute(
        select(ApiKey.key_sha256, ApiKey.role, ApiKey.revoked_at, ApiKey.name, ApiKey.tenant_id,
               Tenant.name).join(Tenant, Tenant.id == ApiKey.tenant_id)
        .where(ApiKey.prefix == parts[0])).one_or_none()
    if row is None:
        # Spend the same work as a real comparison.
        hmac.compare_digest(key_hash(key), "0" * 64)
        return None
    stored, role, revoked_at, name, tenant_pk, tenant = row
    if not hmac.compare_digest(key_hash(key), stored) or revoked_at is not None:
        return None
    return Principal(tenant_id=tenant_pk, tenant=tenant, role=role, key_prefix=parts[0],
                     key_name=name)
