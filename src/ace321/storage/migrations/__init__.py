"""Alembic migrations of the ace321 database, shipped inside the package."""
