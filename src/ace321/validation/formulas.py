"""Formula injection (OWASP "CSV Injection"): text a spreadsheet would run as a formula.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken as a
formula by Excel, LibreOffice and Google Sheets (``=HYPERLINK(...)``, ``+cmd|' /C calc'!A0``,
``@SUM(1+1)``). ace321 deals with such text in two ways:

- fields that go to CBP (names, addresses, cities, states, postal codes, descriptions, marks,
  the hazmat contact, and the trip file's text) refuse it: the screening error
  ``FORMULA_TEXT``, so the filing files never carry it. A phone is not refused for its leading
  ``+``: ``consignee_phone`` must be a valid phone (stored in E.164), and
  ``hazmat_contact_phone`` may start with ``+`` followed by digits, spaces, dots, dashes and
  parentheses only;
- every CSV meant for a spreadsheet neutralises it (``ace321.exports.spreadsheet``): a single
  quote is put before the cell, except for a plain number (``-12.50``, ``+17165550101``),
  which no spreadsheet runs as a formula.
"""

from __future__ import annotations

import re

import polars as pl

FORMULA_START = r"^[=+\-@\t\r]"
"""A cell a spreadsheet would take as a formula (OWASP's list)."""
PLAIN_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"
"""Signed decimals: harmless in a spreadsheet, kept as they are."""
PHONE_TEXT = r"^\+[\d\s().\-]+$"
"""A phone written with its country code: allowed to start with ``+``."""

_START = re.compile(FORMULA_START)
_NUMBER = re.compile(PLAIN_NUMBER)


def formula_like(text: str | None) -> bool:
    """Whether a spreadsheet would run ``text`` as a formula (a plain number is not)."""
    return text is not None and bool(_START.match(text)) and not _NUMBER.match(text)


def formula_expr(column: str, *, phone: bool = False) -> pl.Expr:
    """True where the column's text starts like a formula (null stays false); with ``phone``
    a ``+`` followed by phone characters only is allowed."""
    value = pl.col(column)
    bad = value.str.contains(FORMULA_START)
    if phone:
        bad = bad & ~value.str.contains(PHONE_TEXT)
    return bad.fill_null(False)
