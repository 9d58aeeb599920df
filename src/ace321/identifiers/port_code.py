"""US port code (CBP Schedule D).

CBP's 4-digit code of a US port of entry: district (2 digits) and port (2 digits), e.g. ``0901``
Buffalo-Niagara Falls, ``2304`` Laredo. The ACE manifest's port of arrival is one
(``usPortOfArrival`` ``^[0-9]{4}$``, BorderConnect JSON manual 1.0.7; CBP error 033 "Invalid
DDPP" when the port is not in Schedule D; ``ace_emanifest.md`` §3.2, §3.6). Whether a code is a
real land port where trucks cross is a look-up: ``ace321.reference.ports``.

Codes are often met without their leading zero (``901``) after a spreadsheet has read them as
numbers; they are not repaired here, because the intended code cannot be known for sure.

>>> validate(' 0901 ')
'0901'
>>> validate('901')
Traceback (most recent call last):
    ...
ace321.identifiers.exceptions.InvalidLength: a Schedule D port code has 4 digits, got 3
>>> validate('09O1')
Traceback (most recent call last):
    ...
ace321.identifiers.exceptions.InvalidFormat: a Schedule D port code holds only digits
>>> is_valid('2304')
True
"""

from __future__ import annotations

from ace321.identifiers._util import clean
from ace321.identifiers.exceptions import InvalidFormat, InvalidLength, ValidationError

LENGTH = 4


def compact(number: str) -> str:
    """Remove spaces and hyphens."""
    return clean(number)


def validate(number: str) -> str:
    """Return the compact port code, or raise a ``ValidationError`` subclass."""
    number = compact(number)
    if not number.isascii() or not number.isdigit():
        raise InvalidFormat("a Schedule D port code holds only digits")
    if len(number) != LENGTH:
        raise InvalidLength(f"a Schedule D port code has 4 digits, got {len(number)}")
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` is 4 digits; never raises."""
    try:
        return bool(validate(number))
    except (ValidationError, TypeError):
        return False
