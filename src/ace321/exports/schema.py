"""Check a BorderConnect ``ACE_TRIP`` document against the manual's contract.

The contract is ``schemas/ace_trip.schema.json`` (JSON Schema draft 2020-12), written from
BorderConnect's ACE JSON reference manual 1.0.7 (``ace_emanifest.md`` §4.1.2, §4.1.4).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

SCHEMA_RESOURCE = "schemas/ace_trip.schema.json"


@cache
def trip_schema() -> dict[str, Any]:
    """The ``ACE_TRIP`` JSON Schema, loaded from the package data."""
    text = resources.files("ace321.exports").joinpath(SCHEMA_RESOURCE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Draft202012Validator:
    schema = trip_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _path(error: ValidationError) -> str:
    out = ""
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "$"


def validate_trip_document(doc: Any) -> list[str]:
    """Every contract violation of ``doc``, as ``"path: message"``, sorted by path; empty if valid.

    >>> validate_trip_document({"data": "ACE_TRIP"})[0]
    "$: 'drivers' is a required property"
    """
    errors = sorted(_validator().iter_errors(doc), key=lambda e: (_path(e), e.message))
    return [f"{_path(error)}: {error.message}" for error in errors]
