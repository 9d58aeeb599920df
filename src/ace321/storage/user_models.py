"""Tables of the web workspace: users (argon2 password hashes) and their sign-in sessions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ace321.storage.models import Base, BigId, Stamp

USER_ROLES = ("viewer", "clerk", "admin")
"""viewer reads; clerk also uploads, files trips, imports responses and overrides; admin also
manages the tenant's users and API keys."""


class User(Base):
    """A person who signs in to the web workspace. The email is the sign-in name, unique across
    tenants (the sign-in form has no tenant field); only an argon2id hash of the password is kept."""

    __tablename__ = "users"
    __table_args__ = (Index("ix_users_tenant", "tenant_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(Stamp)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(Stamp)


class WebSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is kept. The CSRF
    token of the session's forms is kept with it."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_user", "user_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id"))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(Stamp)
    expires_at: Mapped[dt.datetime] = mapped_column(Stamp)
