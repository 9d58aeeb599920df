"""The words every layer shares: decisions, shipment and trip statuses, and how they are parsed.

The CLI's options, the API's schemas and the storage queries all take their values from these
enums, so a value is accepted or refused identically everywhere. Input is matched
case-insensitively (``invalid`` is ``INVALID``, ``HIGH`` is ``high``) and anything else is
refused with the list of valid values.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar


class _Vocabulary(StrEnum):
    """A StrEnum matched case-insensitively (also by pydantic and Typer, which call the enum)."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            wanted = value.strip().casefold()
            return next((member for member in cls if member.value.casefold() == wanted), None)
        return None

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(member.value for member in cls)


class Decision(_Vocabulary):
    """How a shipment may enter the US (the screening's decision), in report order."""

    SECTION_321 = "SECTION_321"
    GIFT = "GIFT"
    INFORMAL_ENTRY = "INFORMAL_ENTRY"
    FORMAL_ENTRY = "FORMAL_ENTRY"
    INVALID = "INVALID"


class OverrideDecision(_Vocabulary):
    """The stricter paths a person may set by hand (never de minimis or a gift)."""

    INFORMAL_ENTRY = "INFORMAL_ENTRY"
    FORMAL_ENTRY = "FORMAL_ENTRY"


class ShipmentStatus(_Vocabulary):
    """A stored shipment's place in its lifecycle."""

    SCREENED = "SCREENED"
    MANIFESTED = "MANIFESTED"
    TRANSMITTED = "TRANSMITTED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    ARRIVED = "ARRIVED"
    RELEASED = "RELEASED"
    HOLD = "HOLD"
    CANCELLED = "CANCELLED"


class TripStatus(_Vocabulary):
    """A filed trip's place in its lifecycle."""

    OPEN = "OPEN"
    TRANSMITTED = "TRANSMITTED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    ARRIVED = "ARRIVED"
    RELEASED = "RELEASED"
    CANCELLED = "CANCELLED"


class RiskBand(_Vocabulary):
    """The band of a shipment's risk score (advice; never a decision)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class UnknownValue(ValueError):
    """A value outside its vocabulary; the message names the valid ones."""


V = TypeVar("V", bound=_Vocabulary)
_WHAT = {Decision: "decision", OverrideDecision: "override decision",
         ShipmentStatus: "shipment status", TripStatus: "trip status", RiskBand: "risk band"}


def parse(kind: type[V], text: str) -> V:
    """``text`` as a member of ``kind`` (case-insensitive), else ``UnknownValue``."""
    try:
        return kind(text)
    except ValueError:
        what = _WHAT.get(kind, kind.__name__)
        raise UnknownValue(f"unknown {what} {text!r}; valid: {', '.join(kind.values())}"
                           ) from None


def parse_optional(kind: type[V], text: str | None) -> V | None:
    """``parse`` for an optional filter: ``None`` and the empty string mean no filter."""
    return None if text is None or text == "" else parse(kind, text)
