"""Text helpers shared by the export connectors: transliteration to ASCII and clipping.

>>> ascii_upper("Zoë Ğürsoy-Łukasz Straße")
'ZOE GURSOY-LUKASZ STRASSE'
>>> clip("  a   b  ", 10)
'a b'
>>> clip("abcdef", 4)
'abcd'
"""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode decomposition does not reduce to ASCII.
_SPECIAL_LETTERS = str.maketrans(
    {
        "ß": "ss", "ẞ": "SS", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe",
        "Ø": "O", "ø": "o", "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ð": "D", "ð": "d",
        "Þ": "TH", "þ": "th", "ı": "i", "Ħ": "H", "ħ": "h",
        "‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"',
        "–": "-", "—": "-", "‐": "-", "‑": "-", "…": "...", "\u00a0": " ",
    }
)
_SPACES = re.compile(r"\s+")


def collapse(text: str) -> str:
    """Collapse runs of whitespace (tabs and line breaks included) to one space and strip."""
    return _SPACES.sub(" ", text).strip()


def clip(text: str, length: int) -> str:
    """``collapse`` then cut to at most ``length`` characters (trailing space removed)."""
    return collapse(text)[:length].rstrip()


def to_ascii(text: str) -> str:
    """Transliterate to ASCII: accents removed, a few ligatures spelled out, the rest dropped."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL_LETTERS))
    return "".join(ch for ch in decomposed if ord(ch) < 128 and not unicodedata.combining(ch))


def ascii_upper(text: str) -> str:
    """``to_ascii`` then upper case, whitespace collapsed."""
    return collapse(to_ascii(text).upper())
