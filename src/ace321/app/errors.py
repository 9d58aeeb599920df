"""What a workflow refuses, as data: a kind (not found, refused, invalid input, busy), a message
and problem records ``{code, severity, field, message}`` that every delivery layer shows."""

from __future__ import annotations

from typing import Any

Problem = dict[str, Any]
"""``{"code", "severity", "field", "message"}`` (and ``row`` where a row is known)."""


def problem(code: str, field_path: str, message: str, severity: str = "error") -> Problem:
    return {"code": code, "severity": severity, "field": field_path, "message": message}


class AppError(Exception):
    """A workflow could not do what was asked; nothing was changed."""

    code = "REFUSED"

    def __init__(self, message: str, *, code: str | None = None,
                 problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.problems = problems or []


class NotFound(AppError):
    """The tenant has no such shipment, batch or trip."""

    code = "NOT_FOUND"


class Refused(AppError):
    """The stored state forbids it (a status, a filed trip, a transition)."""


class InvalidInput(AppError):
    """The input cannot be used (the problems name the fields)."""

    code = "INVALID_REQUEST"


class Busy(AppError):
    """The database could not do it now (a lock, a conflict): retrying may work."""

    code = "BUSY"
