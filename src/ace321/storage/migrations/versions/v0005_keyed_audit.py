"""The keyed audit chain.

- ``audit_head`` gains ``key_id``, ``legacy_last_id`` and ``mac`` (``ace321.storage.audit``);
- the existing chain is sealed with the audit key (``audit_verify.seal_legacy``): its events
  keep their SHA-256 hashes, a keyed ``rekey`` event records their count and head (and whether
  they verified), and the head gets its MAC. The key file is created here on first use.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_head") as batch:
        batch.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("legacy_last_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("mac", sa.String(length=64), nullable=True))
    from ace321.storage.audit_verify import seal_legacy

    session = Session(bind=op.get_bind())
    seal_legacy(session, dt.datetime.now(dt.UTC))
    session.flush()


def downgrade() -> None:
    # The events written since keep their HMACs: an older ace321 reports them as changed.
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("mac")
        batch.drop_column("legacy_last_id")
        batch.drop_column("key_id")
