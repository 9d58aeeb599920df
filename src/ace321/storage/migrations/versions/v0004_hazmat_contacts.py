"""Hazardous-material emergency contacts on stored lines, so stored shipments can be manifested.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shipment_lines") as batch:
        batch.add_column(sa.Column("hazmat_contact_name", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("hazmat_contact_phone", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shipment_lines") as batch:
        batch.drop_column("hazmat_contact_phone")
        batch.drop_column("hazmat_contact_name")
