"""An INVALID shipment has no ACE shipment type: ``ace_shipment_type`` becomes nullable in
``shipments`` and ``decisions`` and the INVALID rows' ``PAPS`` (a placeholder the NOT NULL
columns of 0001 forced) becomes NULL (issue 14 item 20).

On SQLite a column's nullability changes only by rebuilding the table (batch mode); that drops
and recreates ``shipments``, a parent of seven tables, which SQLite allows only with foreign
keys off: ``ace321.storage.database`` runs migrations so on SQLite and checks every foreign
key before committing.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLES = ("shipments", "decisions")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("ace_shipment_type", existing_type=sa.String(20), nullable=True)
        op.execute(sa.text(f"UPDATE {table} SET ace_shipment_type = NULL "
                           "WHERE decision = 'INVALID'"))


def downgrade() -> None:
    for table in TABLES:
        op.execute(sa.text(f"UPDATE {table} SET ace_shipment_type = 'PAPS' "
                           "WHERE ace_shipment_type IS NULL"))
        with op.batch_alter_table(table) as batch:
            batch.alter_column("ace_shipment_type", existing_type=sa.String(20), nullable=False)
