"""Helpers shared by the identifier modules."""

from __future__ import annotations


def clean(value: str, deletechars: str = " -") -> str:
    """Remove ``deletechars``, surrounding whitespace and case differences (upper-cased)."""
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value.translate(str.maketrans("", "", deletechars)).strip().upper()
