"""SCN (Shipment Control Number), the bill number of an ACE truck shipment.

The carrier issues it: its SCAC followed by 4 to 12 capital letters or digits, 8 to 16 characters
in all, pattern ``^[A-Z]{4}[A-Z0-9]{4,12}$``. It must be unique for at least 3 years and match
the bill number the broker uses on the entry.

Sources (``ace_emanifest.md`` §3.2): BorderConnect JSON manual 1.0.7 (pattern) and wiki
"Shipment Control Number (CBP)"; CBP truck error 017 (``M1112`` SCAC + ``M1101`` at most 12).

>>> validate('mapl-000123')
'MAPL000123'
>>> validate('MAPL000123', scac='MAPL')
'MAPL000123'
>>> validate('MAPL000123', scac='ABCD')
Traceback (most recent call last):
    ...
ace321.identifiers.exceptions.InvalidComponent: SCN 'MAPL000123' does not start with the SCAC 'ABCD'
>>> validate('MAPL12')
Traceback (most recent call last):
    ...
ace321.identifiers.exceptions.InvalidLength: an SCN has 8 to 16 characters, got 6
>>> validate('1APL00012345')
Traceback (most recent call last):
    ...
ace321.identifiers.exceptions.InvalidFormat: an SCN is a 4-letter SCAC followed by capital letters or digits
>>> is_valid('MAPL0001234567890')
False
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
MAX_LENGTH = 16
_PATTERN = re.compile(r"^[A-Z]{4}[A-Z0-9]{4,12}$")


def compact(number: str) -> str:
    """Remove spaces and hyphens and upper-case."""
    return clean(number)


def validate(number: str, scac: str | None = None) -> str:
    """Return the compact SCN, or raise; with ``scac``, also require that prefix."""
    number = compact(number)
    if not MIN_LENGTH <= len(number) <= MAX_LENGTH:
        raise InvalidLength(f"an SCN has 8 to 16 characters, got {len(number)}")
    if not _PATTERN.match(number):
        raise InvalidFormat("an SCN is a 4-letter SCAC followed by capital letters or digits")
    if scac is not None and not number.startswith(_scac.validate(scac)):
        raise InvalidComponent(f"SCN {number!r} does not start with the SCAC {_scac.compact(scac)!r}")
    return number


def is_valid(number: str, scac: str | None = None) -> bool:
    """Whether ``number`` is a valid SCN (with the given SCAC prefix); never raises."""
    try:
        return bool(validate(number, scac=scac))
    except (ValidationError, TypeError):
        return False
