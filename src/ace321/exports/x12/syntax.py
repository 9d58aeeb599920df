"""X12 syntax shared by the writers and the reader: separators, segments, data-element hygiene.

A data element must never contain a separator, or the receiver splits it in the wrong place.
``clean`` makes any text safe: transliterated to upper-case ASCII, separators and control
characters replaced by spaces, whitespace collapsed.

>>> clean("Zoë's *best* café ~ 50% > 40^2\\n")
"ZOE'S BEST CAFE 50% 40 2"
>>> Segment("N1", ("SH", "MAPLE")).serialize(DEFAULT_SEPARATORS)
'N1*SH*MAPLE~'
"""

from __future__ import annotations

from dataclasses import dataclass

from ace321.exports.text import collapse, to_ascii


@dataclass(frozen=True)
class Separators:
    """The delimiters of an interchange. ``repetition`` is ISA11 from version 00402 on."""

    element: str = "*"
    sub_element: str = ">"
    segment: str = "~"
    repetition: str | None = "^"

    def reserved(self) -> frozenset[str]:
        return frozenset(
            ch for ch in (self.element, self.sub_element, self.segment, self.repetition) if ch
        )


DEFAULT_SEPARATORS = Separators()


@dataclass(frozen=True)
class Segment:
    """One segment: its tag and its data elements (``elements[0]`` is element 01)."""

    tag: str
    elements: tuple[str, ...] = ()

    def element(self, position: int) -> str:
        """Element ``position`` (1-based, as in ``M1009``), ``""`` when absent."""
        if 1 <= position <= len(self.elements):
            return self.elements[position - 1]
        return ""

    def serialize(self, separators: Separators = DEFAULT_SEPARATORS) -> str:
        elements = list(self.elements)
        while elements and elements[-1] == "":
            elements.pop()
        return separators.element.join([self.tag, *elements]) + separators.segment


def clean(
    text: object, max_length: int | None = None, separators: Separators = DEFAULT_SEPARATORS
) -> str:
    """``text`` made safe for one data element, cut to ``max_length`` characters."""
    reserved = separators.reserved()
    ascii_text = to_ascii(str(text)).upper()
    safe = "".join(ch if 32 <= ord(ch) < 127 and ch not in reserved else " " for ch in ascii_text)
    safe = collapse(safe)
    if max_length is not None:
        safe = safe[:max_length].rstrip()
    return safe
