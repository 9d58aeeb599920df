"""Pydantic schemas of the API: ``XCreate`` for what a client sends, ``XPublic`` for what it gets."""
