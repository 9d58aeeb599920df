"""Why an identifier is not valid: a small tree of ``ValueError`` subclasses.

Every ``validate()`` in ``ace321.identifiers`` raises one of these; each class carries a
class-level ``message`` that is used when no more specific text is given.

>>> str(InvalidLength())
'the identifier has an invalid length'
>>> str(InvalidChecksum('VIN check digit should be 3'))
'VIN check digit should be 3'
>>> isinstance(InvalidFormat(), ValueError)
True
"""

from __future__ import annotations


class ValidationError(ValueError):
    """Base class of every identifier validation error."""

    message = "the identifier is not valid"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)

    def __str__(self) -> str:
        return str(self.args[0])


class InvalidFormat(ValidationError):
    """Characters or structure that the identifier never has."""

    message = "the identifier has an invalid format"


class InvalidLength(ValidationError):
    """Too short or too long."""

    message = "the identifier has an invalid length"


class InvalidChecksum(ValidationError):
    """The check digit does not match."""

    message = "the identifier's check digit does not match"


class InvalidComponent(ValidationError):
    """A part of the identifier (a prefix, an embedded code) is wrong."""

    message = "one of the parts of the identifier is not valid"


__all__ = ["InvalidChecksum", "InvalidComponent", "InvalidFormat", "InvalidLength", "ValidationError"]
