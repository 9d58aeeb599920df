"""UN number (United Nations number of a dangerous good).

A 4-digit number assigned by the UN Committee of Experts on the Transport of Dangerous Goods
(UN Model Regulations, "Orange Book"), written ``UN`` + 4 digits, e.g. ``UN1203`` (gasoline).
The US Hazardous Materials Table (49 CFR 172.101) uses the same numbers. The ACE manifest carries
it for hazmat commodities (``ace_emanifest.md`` §3.4); the lowest number in use is ``UN0004``,
so ``UN0000`` is refused.

>>> validate('un 1203')
'UN1203'
>>> validate('UN-1203')
'UN1203'
>>> validate('1203')
Traceback (most recent call last):
    ...
ace321.identifiers.exceptions.InvalidFormat: a UN number is written UN followed by 4 digits
>>> validate('UN120')
Traceback (most recent call last):
    ...
ace321.identifiers.exceptions.InvalidLength: a UN number is UN + 4 digits (6 characters), got 5
>>> validate('UN0000')
Traceback (most recent call last):
    ...
ace321.identifiers.exceptions.InvalidComponent: UN0000 is not an assigned UN number
"""

from __future__ import annotations

import re

from ace321.identifiers._util import clean
from ace321.identifiers.exceptions import (
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)

LENGTH = 6
_PATTERN = re.compile(r"^UN\d{4}$")


def compact(number: str) -> str:
    """Remove spaces and hyphens and upper-case."""
    return clean(number)


def validate(number: str) -> str:
    """Return the compact UN number (``UN`` + 4 digits), or raise a ``ValidationError`` subclass."""
    number = compact(number)
    if not number.startswith("UN"):
        raise InvalidFormat("a UN number is written UN followed by 4 digits")
    if len(number) != LENGTH:
        raise InvalidLength(f"a UN number is UN + 4 digits (6 characters), got {len(number)}")
    if not _PATTERN.match(number):
        raise InvalidFormat("a UN number is written UN followed by 4 digits")
    if number == "UN0000":
        raise InvalidComponent("UN0000 is not an assigned UN number")
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` is a valid UN number; never raises."""
    try:
        return bool(validate(number))
    except (ValidationError, TypeError):
        return False
