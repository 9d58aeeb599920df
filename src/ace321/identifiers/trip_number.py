"""ACE highway trip number.

The carrier issues it for each crossing: its SCAC followed by letters or digits, 8 to 25
characters in all (``^[A-Z0-9]+$``), unique; CBP rejects a duplicate with "Duplicate Trip
Number" (error 418). The CBP QR code allots 25 characters to it.

Sources (``ace_emanifest.md`` §3.2): BorderConnect JSON manual 1.0.7 (``tripNumber`` 8-25) and
wiki "Start New ACE Manifest Page" (SCAC + 4 to 21 characters); CBP 2020 QR specification.

>>> validate('mapl 2026 1123 a')
'MAPL20261123A'
>>> validate('MAPL20261123A', scac='MAPL')
'MAPL20261123A'
>>> validate('MAPL20261123A', scac='ABCD')
Traceback (most recent call last):
    ...
ace321.identifiers.exceptions.InvalidComponent: trip number 'MAPL20261123A' does not start with the SCAC 'ABCD'
>>> validate('MAPL1')
Traceback (most recent call last):
    ...
ace321.identifiers.exceptions.InvalidLength: a trip number has 8 to 25 characters, got 5
>>> validate('MAPL2026/11')
Traceback (most recent call last):
    ...
ace321.identifiers.exceptions.InvalidFormat: a trip number holds only capital letters and digits
>>> validate('12342026112301')
Traceback (most recent call last):
    ...
ace321.identifiers.exceptions.InvalidComponent: a trip number starts with the carrier's 4-letter SCAC
"""

from __future__ import annotations

import re

from ace321.identifiers import scac as _scac
from ace321.identifiers._util import clean
from ace321.identifiers.exceptions import (
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)

MIN_LENGTH = 8
MAX_LENGTH = 25
_PATTERN = re.compile(r"^[A-Z0-9]+$")


def compact(number: str) -> str:
    """Remove spaces and hyphens and upper-case."""
    return clean(number)


def validate(number: str, scac: str | None = None) -> str:
    """Return the compact trip number, or raise; with ``scac``, also require that prefix."""
    number = compact(number)
    if not MIN_LENGTH <= len(number) <= MAX_LENGTH:
        raise InvalidLength(f"a trip number has 8 to 25 characters, got {len(number)}")
    if not _PATTERN.match(number):
        raise InvalidFormat("a trip number holds only capital letters and digits")
    if not _scac.is_valid(number[:4]):
        raise InvalidComponent("a trip number starts with the carrier's 4-letter SCAC")
    if scac is not None and not number.startswith(_scac.validate(scac)):
        raise InvalidComponent(
            f"trip number {number!r} does not start with the SCAC {_scac.compact(scac)!r}"
        )
    return number


def is_valid(number: str, scac: str | None = None) -> bool:
    """Whether ``number`` is a valid trip number (with the given SCAC prefix); never raises."""
    try:
        return bool(validate(number, scac=scac))
    except (ValidationError, TypeError):
        return False
