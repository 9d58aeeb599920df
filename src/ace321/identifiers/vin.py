"""VIN (Vehicle Identification Number).

The 17-character number the manufacturer stamps on a motor vehicle, structured by ISO 3779 and,
for vehicles built for North America, by 49 CFR part 565 (NHTSA), which makes position 9 a check
digit. Letters I, O and Q are never used. The ACE manifest carries the truck's VIN (17
characters, BorderConnect JSON manual 1.0.7; ``ace_emanifest.md`` §3.5).

Check digit (49 CFR 565.15(c)): transliterate each character to a number (digits as
themselves; A-H = 1-8, J-N = 1-5, P = 7, R = 9, S-Z = 2-9), multiply by the position weights
8 7 6 5 4 3 2 10 0 9 8 7 6 5 4 3 2, sum, take the remainder modulo 11; a remainder of 10 is
written ``X``.

More information:

* https://www.ecfr.gov/current/title-49/subtitle-B/chapter-V/part-565
* ISO 3779:2009

>>> calc_check_digit('1FUJGLDR3CLBP8834')
'3'
>>> validate('1fujgldr3clbp8834')
'1FUJGLDR3CLBP8834'
>>> validate('1FUJGLDR4CLBP8834')
Traceback (most recent call last):
    ...
ace321.identifiers.exceptions.InvalidChecksum: VIN check digit (position 9) is '4', should be '3'
>>> validate('1FUJGLDRQCLBP8834')
Traceback (most recent call last):
    ...
ace321.identifiers.exceptions.InvalidFormat: a VIN holds digits and capital letters except I, O and Q
>>> validate('1FUJGLDR3CLBP883')
Traceback (most recent call last):
    ...
ace321.identifiers.exceptions.InvalidLength: a VIN has 17 characters, got 16
>>> is_valid('AG12XXXXXXXXXF')
False
"""

from __future__ import annotations

import re

from ace321.identifiers._util import clean
from ace321.identifiers.exceptions import (
    InvalidChecksum,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)

LENGTH = 17
_PATTERN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}


def compact(number: str) -> str:
    """Remove spaces and hyphens and upper-case."""
    return clean(number)


def calc_check_digit(number: str) -> str:
    """The check digit (``0``-``9`` or ``X``) a 17-character VIN should have in position 9."""
    total = sum(_VALUES[char] * weight for char, weight in zip(compact(number), _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def validate(number: str) -> str:
    """Return the compact VIN, or raise a ``ValidationError`` subclass."""
    number = compact(number)
    if len(number) != LENGTH:
        raise InvalidLength(f"a VIN has 17 characters, got {len(number)}")
    if not _PATTERN.match(number):
        raise InvalidFormat("a VIN holds digits and capital letters except I, O and Q")
    expected = calc_check_digit(number)
    if number[8] != expected:
        raise InvalidChecksum(f"VIN check digit (position 9) is {number[8]!r}, should be {expected!r}")
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` is a valid VIN; never raises."""
    try:
        return bool(validate(number))
    except (ValidationError, TypeError):
        return False
