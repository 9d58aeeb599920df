"""FAST card number (Free and Secure Trade commercial driver card).

Issued by CBP (with CBSA) to pre-approved commercial drivers; it is a trusted-traveler document
that lets a FAST driver's trip be filed 30 minutes before arrival instead of 60. ACE takes it as
14 characters (BorderConnect JSON manual 1.0.7, ``fastCardNumber``); CBP rejects a bad one with
"INV TRAVEL DOC NUMBER". ``validate`` checks only what is confirmed: 14 digits.

Genuine numbers seen in the field look like ``4270`` + 8 digits + ``01`` or ``02``
(``^4270\\d{8}0[12]$``), but that pattern comes from a third-party tool, not from CBP
(``ace_emanifest.md`` §3.2, a heuristic only): ``looks_genuine`` applies it for a warning, never
to reject.

>>> validate('4270 5555 5555 01')
'42705555555501'
>>> looks_genuine('42705555555501')
True
>>> looks_genuine('12345678901234')
False
>>> is_valid('12345678901234')
True
>>> validate('4270555555550')
Traceback (most recent call last):
    ...
ace321.identifiers.exceptions.InvalidLength: a FAST card number has 14 digits, got 13
>>> validate('4270555555550A')
Traceback (most recent call last):
    ...
ace321.identifiers.exceptions.InvalidFormat: a FAST card number holds only digits
"""

from __future__ import annotations

import re

from ace321.identifiers._util import clean
from ace321.identifiers.exceptions import InvalidFormat, InvalidLength, ValidationError

LENGTH = 14
_GENUINE = re.compile(r"^4270\d{8}0[12]$")


def compact(number: str) -> str:
    """Remove spaces and hyphens."""
    return clean(number)


def validate(number: str) -> str:
    """Return the compact FAST card number (14 digits), or raise a ``ValidationError`` subclass."""
    number = compact(number)
    if not number.isascii() or not number.isdigit():
        raise InvalidFormat("a FAST card number holds only digits")
    if len(number) != LENGTH:
        raise InvalidLength(f"a FAST card number has 14 digits, got {len(number)}")
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` is 14 digits; never raises."""
    try:
        return bool(validate(number))
    except (ValidationError, TypeError):
        return False


def looks_genuine(number: str) -> bool:
    """Whether a valid number also fits the pattern seen on issued cards (heuristic only)."""
    return is_valid(number) and bool(_GENUINE.match(compact(number)))
