"""Words of a goods description, reduced so that a declared description and the HTS schedule meet.

Lower case, letters only, plural endings removed ("T-shirts" -> "shirt"), words of fewer than
three letters and words that say nothing about the goods ("other", "thereof", "new") dropped.
The same reduction builds the shipped vocabulary (``vocabulary``) and reads every description.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z]+")

# Words of the schedule's drafting and of order descriptions that name no kind of goods.
_STOP_TEXT = """
about above after against all also and any are as at be been being below between both but by
can chapter containing contains content described described each either elsewhere else etc
excluding exceeding except exclusively for from has have having heading headings herein if in
including into its kind kinds less like mainly more most new nes nesoi not note of on only or
other others over per put same similar subheading such than that the their them thereof these
this those through to under unit units used valued value weight weighing whether which while
with within without the pack pcs piece pieces set sets size color colour style type assorted
various misc miscellaneous qty brand model item items
"""
STOPWORDS = frozenset(_STOP_TEXT.split())


def stem(word: str) -> str:
    """A crude singular: enough for the schedule's plurals (boxes, batteries, knives).

    >>> [stem(w) for w in ("boxes", "batteries", "knives", "glasses", "shirts", "bus", "dress")]
    ['box', 'battery', 'knife', 'glass', 'shirt', 'bus', 'dress']
    """
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ives"):
        return word[:-3] + "fe"
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(description: str | None) -> tuple[str, ...]:
    """The informative stems of a description, distinct, in order of first appearance.

    >>> words("Men's cotton crew neck T-shirts, other")
    ('men', 'cotton', 'crew', 'neck', 'shirt')
    """
    if not description:
        return ()
    seen: dict[str, None] = {}
    for raw in _WORD.findall(description.lower()):
        if len(raw) < 3 or raw in STOPWORDS:
            continue
        word = stem(raw)
        if len(word) >= 3 and word not in STOPWORDS:
            seen.setdefault(word, None)
    return tuple(seen)


def letters(description: str | None) -> int:
    """How many letters a description has (a description of two letters identifies nothing)."""
    return sum(ch.isalpha() for ch in description or "")
