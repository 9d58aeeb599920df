"""Users of the web workspace and their sessions: create, list, disable, sign in, sign out.

Passwords are hashed with argon2id (``argon2-cffi``, its default parameters); only the hash is
stored. A session is a random token given to the browser once; the table keeps its SHA-256 and
the session's CSRF token. Every change (user created or disabled, sign-in, sign-out) is an audit
event whose actor is the person who made it. The clock is the caller's ``now``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ace321.storage import audit
from ace321.storage.api_keys import ensure_tenant
from ace321.storage.database import Database, StorageError
from ace321.storage.models import Tenant
from ace321.storage.user_models import USER_ROLES, User, WebSession

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
SESSION_HOURS = 12
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()
# Verified when the email is unknown, so that an unknown email costs as much as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


@dataclass(frozen=True)
class WebUser:
    """Who a browser request acts as: the user's tenant and role."""

    user_id: int
    email: str
    tenant_id: int
    tenant: str
    role: str
    csrf_token: str = ""

    @property
    def actor(self) -> str:
        """The name written into the audit trail."""
        return f"web:{self.email}"

    def can(self, role: str) -> bool:
        """Whether this user has at least ``role`` (viewer < clerk < admin)."""
        return USER_ROLES.index(self.role) >= USER_ROLES.index(role)


@dataclass(frozen=True)
class SignedIn:
    token: str
    """The cookie value: shown to the browser once, only its hash is stored."""
    user: WebUser
    expires_at: dt.datetime


def utc(value: dt.datetime) -> dt.datetime:
    """A stored time as aware UTC (SQLite gives naive UTC datetimes back)."""
    return value.replace(tzinfo=dt.UTC) if value.utcoffset() is None else value.astimezone(dt.UTC)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if len(email) > 320 or not _EMAIL.match(email):
        raise StorageError(f"{email!r} is not an email address")
    return email


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise StorageError(f"a password has at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise StorageError(f"a password has at most {MAX_PASSWORD} characters")


def create_user(db: Database, *, email: str, tenant: str, role: str, password: str,
                actor: str, now: dt.datetime) -> dict[str, object]:
    """Create a user of ``tenant`` (created on demand) with ``role``."""
    email = normalize_email(email)
    role = role.lower()
    if role not in USER_ROLES:
        raise StorageError(f"unknown role {role!r}; roles: {', '.join(USER_ROLES)}")
    tenant = tenant.strip()
    if not tenant or len(tenant) > 100:
        raise StorageError("a tenant name has 1 to 100 characters")
    check_password(password)
    hashed = _hasher.hash(password)
    try:
        with db.transaction() as session:
            if session.scalars(select(User.id).where(User.email == email)).first() is not None:
                raise StorageError(f"a user {email} exists already")
            tenant_pk = ensure_tenant(session, tenant, now)
            session.execute(insert(User).values(
                tenant_id=tenant_pk, email=email, password_hash=hashed, role=role,
                created_at=now, disabled_at=None))
            audit.append(session, tenant_id=tenant_pk, actor=actor, at=now, entries=[
                audit.Entry("user_create", "user", email,
                            after={"email": email, "tenant": tenant, "role": role})])
    except IntegrityError:
        raise StorageError(f"a user {email} exists already") from None
    return {"email": email, "tenant": tenant, "role": role, "created_at": now.isoformat(),
            "disabled_at": None}


def list_users(session: Session, tenant: str | None = None) -> list[dict[str, object]]:
    """Users (of ``tenant`` when given), by tenant and email; never a password hash."""
    query = select(User, Tenant.name).join(Tenant, Tenant.id == User.tenant_id)
    if tenant is not None:
        query = query.where(Tenant.name == tenant)
    return [{"email": user.email, "tenant": name, "role": user.role,
             "created_at": utc(user.created_at).isoformat(),
             "disabled_at": None if user.disabled_at is None else utc(user.disabled_at).isoformat()}
            for user, name in session.execute(query.order_by(Tenant.name, User.email))]


def disable_user(db: Database, email: str, *, actor: str, now: dt.datetime,
                 tenant_id: int | None = None) -> dict[str, object]:
    """Disable a user (and end their sessions). ``tenant_id`` limits it to one tenant's users."""
    email = email.strip().lower()
    with db.transaction() as session:
        query = select(User).where(User.email == email)
        if tenant_id is not None:
            query = query.where(User.tenant_id == tenant_id)
        user = session.scalars(query).one_or_none()
        if user is None:
            raise StorageError(f"no user {email}")
        if user.disabled_at is None:
            session.execute(update(User).where(User.id == user.id).values(disabled_at=now))
            session.execute(delete(WebSession).where(WebSession.user_id == user.id))
            audit.append(session, tenant_id=user.tenant_id, actor=actor, at=now, entries=[
                audit.Entry("user_disable", "user", email, before={"disabled": False},
                            after={"disabled": True})])
        tenant = session.get(Tenant, user.tenant_id)
    return {"email": email, "tenant": tenant.name if tenant else "?", "role": user.role,
            "disabled_at": utc(user.disabled_at or now).isoformat()}


def sign_in(db: Database, email: str, password: str, *, now: dt.datetime,
            hours: float = SESSION_HOURS) -> SignedIn | None:
    """A new session for the right email and password of an enabled user; None otherwise (with
    no hint which part was wrong)."""
    email = email.strip().lower()
    with db.reading() as session:
        row = session.execute(select(User, Tenant.name).join(Tenant, Tenant.id == User.tenant_id)
                              .where(User.email == email)).one_or_none()
    if row is None:
        _verify(_DUMMY_HASH, password)
        return None
    user, tenant = row
    if not _verify(user.password_hash, password) or user.disabled_at is not None:
        return None
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = now + dt.timedelta(hours=hours)
    web_user = WebUser(user.id, user.email, user.tenant_id, tenant, user.role, csrf)
    with db.transaction() as session:
        session.execute(insert(WebSession).values(
            user_id=user.id, token_sha256=token_hash(token), csrf_token=csrf, created_at=now,
            expires_at=expires))
        # Expired sessions of this user go now, so the table does not grow without end.
        session.execute(delete(WebSession).where(WebSession.user_id == user.id,
                                                 WebSession.expires_at < now))
        audit.append(session, tenant_id=user.tenant_id, actor=web_user.actor, at=now,
                     entries=[audit.Entry("sign_in", "user", user.email)])
    if _hasher.check_needs_rehash(user.password_hash):
        with db.transaction() as session:
            session.execute(update(User).where(User.id == user.id)
                            .values(password_hash=_hasher.hash(password)))
    return SignedIn(token, web_user, expires)


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def session_user(session: Session, token: str, *, now: dt.datetime) -> WebUser | None:
    """The user of an unexpired session of an enabled user; None for anything else."""
    row = session.execute(
        select(User.id, User.email, User.tenant_id, Tenant.name, User.role, WebSession.csrf_token,
               WebSession.expires_at, User.disabled_at)
        .join(User, User.id == WebSession.user_id).join(Tenant, Tenant.id == User.tenant_id)
        .where(WebSession.token_sha256 == token_hash(token))).one_or_none()
    if row is None:
        return None
    user_id, email, tenant_id, tenant, role, csrf, expires_at, disabled_at = row
    if disabled_at is not None or utc(expires_at) <= now:
        return None
    return WebUser(user_id, email, tenant_id, tenant, role, csrf)


def sign_out(db: Database, token: str, *, now: dt.datetime) -> None:
    """End the session of ``token`` (nothing happens for an unknown token)."""
    with db.transaction() as session:
        user = session_user(session, token, now=now)
        session.execute(delete(WebSession).where(WebSession.token_sha256 == token_hash(token)))
        if user is not None:
            audit.append(session, tenant_id=user.tenant_id, actor=user.actor, at=now,
                         entries=[audit.Entry("sign_out", "user", user.email)])
