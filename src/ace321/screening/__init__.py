"""Screening: validation and entry-path decisions for shipments on their arrival dates."""

from ace321.screening.engine import DECISIONS, screen
from ace321.screening.result import ScreeningResult

__all__ = ["DECISIONS", "ScreeningResult", "screen"]
