"""Rates of duty as written in the HTS (General, Special and Column 2 columns) into typed rates.

A rate is a sum of parts joined by ``+``: ``Free``; ad valorem ``6.5%`` (also ``33 1/3%``);
specific, an amount in dollars or cents per unit (``2.4¢/kg``, ``$1.02/doz.``, ``0.9¢ each``);
compound: specific parts with or without an ad valorem part (``41.7¢/kg + 0.9%``). "The duty
provided in the applicable subheading" (optionally ``+ N%``) is a rate of its own kind: it names
another subheading's duty, which a line of this schedule does not know.

Everything else (duty on a part of the article's value such as "on the case", on a content
such as "on molybdenum content", sugar degrees, Chapter 98 formulas, "No change") is
``unsupported`` with the reason: the line is then reported ``RATE_NOT_PARSED``, never zero.

>>> parse("41.7¢/kg + 0.9%").kind, parse("41.7¢/kg + 0.9%").ad_valorem
('compound', Decimal('0.9'))
>>> parse("$1.02/doz.").specific
(Specific(amount_usd=Decimal('1.02'), unit='doz'),)
>>> parse("2.5% on the value of the lead content").kind
'unsupported'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Literal

Kind = Literal["free", "ad_valorem", "specific", "compound", "applicable_subheading", "unsupported"]

# Unit words of specific rates, as written after "/" (or " each"), to the unit ace321 uses.
UNITS = {
    "kg": "kg", "g": "g", "t": "t",
    "doz.": "doz", "pr.": "pr", "gross": "gross",
    "1000": "thousand", "1,000": "thousand", "thousand": "thousand",
    "each": "each", "head": "each", "article": "each",
    "liter": "liter", "pf. liter": "pf_liter", "pf.liter": "pf_liter",
    "m2": "m2", "m3": "m3", "m": "m", "lin. m": "lin_m", "bbl": "bbl", "pack": "pack",
}
# Units whose quantity ace321 derives from the line (see ``costs.duty``); the others need the
# line's ``hts_quantity``.
DERIVED_UNITS = frozenset({"kg", "g", "t", "doz", "pr", "gross", "thousand", "each"})

_NUMBER = r"\d+(?:\.\d+)?"
_AD_VALOREM = re.compile(rf"^({_NUMBER})%$")
_FRACTION = re.compile(r"^(\d+) (\d+)/(\d+)%$")
_SPECIFIC = re.compile(rf"^(\$)?({_NUMBER})(¢)?(?:/(.+)| (each))$")
_SUBHEADING = re.compile(
    r"^the duty provided (?:for )?in the applicable subheading(?:\s*(?:\+|plus)\s*(\d+(?:\.\d+)?)%)?$"
)


@dataclass(frozen=True)
class Specific:
    amount_usd: Decimal
    """Dollars per unit (cents already divided by 100)."""
    unit: str


@dataclass(frozen=True)
class Rate:
    text: str
    kind: Kind
    ad_valorem: Decimal | None = None
    """Percent of the value (``6.5`` for 6.5 %); for 33 1/3 % the exact fraction's decimal
    expansion is not used: see ``percent_fraction``."""
    percent_fraction: tuple[int, int] | None = None
    """The ad valorem percent as numerator and denominator (``(100, 3)`` for 33 1/3 %)."""
    specific: tuple[Specific, ...] = ()
    reason: str | None = None
    """Why an ``unsupported`` rate is not computed."""

    @property
    def computable(self) -> bool:
        return self.kind in ("free", "ad_valorem", "specific", "compound")


def normalise(text: str) -> str:
    """Whitespace collapsed and the schedule's typesetting slips mended ("thou- sand", "¢ /kg").

    >>> normalise("2.2¢/kg  +  33.5%"), normalise("$2.50/thou- sand + 40%"), normalise("14.27¢/ liter")
    ('2.2¢/kg + 33.5%', '$2.50/thousand + 40%', '14.27¢/liter')
    """
    text = " ".join(text.split())
    text = text.replace("thou- sand", "thousand").replace(" /", "/").replace("/ ", "/")
    text = re.sub(r"\s*\+\s*", " + ", text).strip()
    # A closing full stop after a percentage or a sentence, never the one of "doz." or "pr.".
    if text.endswith("%.") or text.lower().endswith("subheading."):
        text = text[:-1]
    return text


def _unsupported(text: str, reason: str) -> Rate:
    return Rate(text=text, kind="unsupported", reason=reason)


@lru_cache(maxsize=8192)
def parse(text: str) -> Rate:
    """The typed rate of one rate text (a General or Column 2 cell, or one Special group)."""
    original = text
    text = normalise(text)
    if not text:
        return _unsupported(original, "no rate of duty written")
    if text == "Free":
        return Rate(text=original, kind="free", ad_valorem=Decimal(0), percent_fraction=(0, 1))
    subheading = _SUBHEADING.match(text.lower())
    if subheading:
        extra = subheading.group(1)
        return Rate(text=original, kind="applicable_subheading",
                    ad_valorem=Decimal(extra) if extra else None,
                    reason="the duty of another subheading, which the line does not name")
    ad_valorem: Decimal | None = None
    fraction: tuple[int, int] | None = None
    specific: list[Specific] = []
    for part in text.split(" + "):
        percent = _AD_VALOREM.match(part)
        whole_fraction = _FRACTION.match(part)
        amount = _SPECIFIC.match(part)
        if percent or whole_fraction:
            if ad_valorem is not None:
                return _unsupported(original, "two ad valorem parts")
            if percent:
                ad_valorem = Decimal(percent.group(1))
                exponent = -ad_valorem.as_tuple().exponent  # type: ignore[operator]
                scale = 10 ** max(exponent, 0)
                fraction = (int(ad_valorem * scale), scale)
            else:
                assert whole_fraction is not None
                whole, num, den = (int(whole_fraction.group(i)) for i in (1, 2, 3))
                fraction = (whole * den + num, den)
                ad_valorem = (Decimal(fraction[0]) / Decimal(den)).quantize(Decimal("0.000001"))
        elif amount:
            dollar, number, cent, unit_word, each = amount.groups()
            if bool(dollar) == bool(cent):
                return _unsupported(original, f"amount {part!r} is neither in dollars nor in cents")
            unit = UNITS.get(each or unit_word)
            if unit is None:
                return _unsupported(original, f"specific rate per {unit_word!r}: a quantity ace321 cannot take")
            value = Decimal(number) / (100 if cent else 1)
            specific.append(Specific(amount_usd=value, unit=unit))
        else:
            return _unsupported(original, f"part {part!r} is not a rate ace321 computes")
    if not specific:
        return Rate(text=original, kind="ad_valorem", ad_valorem=ad_valorem, percent_fraction=fraction)
    if len({s.unit for s in specific}) != len(specific):
        return _unsupported(original, "two specific parts in one unit")
    kind: Kind = "specific" if ad_valorem is None and len(specific) == 1 else "compound"
    return Rate(text=original, kind=kind, ad_valorem=ad_valorem, percent_fraction=fraction,
                specific=tuple(specific))


_PROGRAMS = re.compile(r"\(([A-Z][A-Z0-9*+]*(?:\s*,\s*[A-Z][A-Z0-9*+]*)*)\s*,?\s*\)")


@lru_cache(maxsize=8192)
def special_groups(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The Special column as (rate text, programs) groups, in the order written.

    >>> special_groups("Free (A+,AU,S) 10.7% (E)")
    (('Free', ('A+', 'AU', 'S')), ('10.7%', ('E',)))
    >>> special_groups("Free (BH,CL) See 9823.08.01-9823.08.38 (S+)")
    (('Free', ('BH', 'CL')), ('See 9823.08.01-9823.08.38', ('S+',)))
    """
    groups = []
    position = 0
    for match in _PROGRAMS.finditer(text):
        rate = " ".join(text[position:match.start()].split())
        programs = tuple(code.strip() for code in match.group(1).split(",") if code.strip())
        groups.append((rate, programs))
        position = match.end()
    return tuple(groups)


def special_rate_text(text: str | None, program: str) -> str | None:
    """The Special column's rate text for ``program``, or None when the column does not list it.

    >>> special_rate_text("Free (A+,AU,BH,S,SG) 3.5% (KR)", "KR")
    '3.5%'
    >>> special_rate_text("Free (A+,AU,BH,S,SG)", "S+") is None
    True
    """
    if not text:
        return None
    for rate, programs in special_groups(text):
        if program in programs:
            return rate
    return None
