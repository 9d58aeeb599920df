"""SCAC (Standard Carrier Alpha Code).

The SCAC identifies a carrier. It is issued by the National Motor Freight Traffic Association
(NMFTA). X12 ``M1001`` allows 2 to 4 characters, but ACE highway manifests use the 4-letter
codes of motor carriers, so the rule here is ``^[A-Z]{4}$`` (``ace_emanifest.md`` §3.2, marked
[I]: inferred from CBP practice and the SCN layout).

More information:

* https://nmfta.org/scac/
* CBP truck error 009 "invalid carrier code" (``M1001``)

>>> validate('mapl')
'MAPL'
>>> validate(' MA PL ')
'MAPL'
>>> validate('MAP')
Traceback (most recent call last):
    ...
ace321.identifiers.exceptions.InvalidLength: a SCAC has 4 letters, got 3 characters
>>> validate('MAP1')
Traceback (most recent call last):
    ...
ace321.identifiers.exceptions.InvalidFormat: a SCAC is 4 letters A-Z
>>> is_valid('AB')
False
"""

from __future__ import annotations

import re

from ace321.identifiers._util import clean
from ace321.identifiers.exceptions import InvalidFormat, InvalidLength, ValidationError

LENGTH = 4
_PATTERN = re.compile(r"^[A-Z]{4}$")


def compact(number: str) -> str:
    """Remove spaces and hyphens and upper-case."""
    return clean(number)


def validate(number: str) -> str:
    """Return the compact SCAC, or raise a ``ValidationError`` subclass."""
    number = compact(number)
    if len(number) != LENGTH:
        raise InvalidLength(f"a SCAC has 4 letters, got {len(number)} characters")
    if not _PATTERN.match(number):
        raise InvalidFormat("a SCAC is 4 letters A-Z")
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` is a valid SCAC; never raises."""
    try:
        return bool(validate(number))
    except (ValidationError, TypeError):
        return False
