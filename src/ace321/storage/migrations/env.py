"""Alembic environment: runs with the connection handed over by ``ace321.storage.database``."""

from __future__ import annotations

from alembic import context

from ace321.storage.models import Base


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("ace321 migrations run through ace321.storage.database.upgrade()")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _inside_alembic() -> bool:
    try:
        context.config  # noqa: B018 - raises outside an alembic run
    except (AttributeError, NameError):
        return False
    return True


if _inside_alembic():
    run_migrations()
