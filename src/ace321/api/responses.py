"""OpenAPI declarations of the problem responses each route may give."""

from __future__ import annotations

from typing import Any

from ace321.api.problems import PROBLEM_MEDIA_TYPE
from ace321.api.schemas.common import ProblemPublic

_WHY = {
    400: "The request is not understood.",
    401: "No API key, or not a valid one (no detail which).",
    403: "The key's role does not allow this.",
    404: "Not found in the key's tenant (another tenant's ids answer the same way).",
    409: "Conflict with the stored state (or an Idempotency-Key reused with another body).",
    413: "The request body is over the size limit.",
    415: "Unsupported Content-Type.",
    422: "Malformed input: the issues name the field or row.",
    501: "Not available in this server yet.",
    503: "Busy: retry later.",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each status as an ``application/problem+json`` document."""
    return {status: {
        "description": _WHY[status],
        "model": ProblemPublic,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemPublic"}}},
    } for status in statuses}
