"""Reference tables shipped with ace321 as data files (each stating its source in ``data/README.md``)."""

from __future__ import annotations

from ace321.reference import ports

__all__ = ["ports"]
