"""Postal code formats by country (regular expressions for Polars' Rust regex engine).

Sources: USPS Publication 28 (ZIP and ZIP+4); Canada Post addressing guidelines (letters D, F,
I, O, Q, U never used; W and Z never first); Correos de Mexico (five-digit codigo postal).
Countries not listed are not checked.
"""

from __future__ import annotations

FORMATS: dict[str, str] = {
    "US": r"^\d{5}(-\d{4})?$",
    "CA": r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$",
    "MX": r"^\d{5}$",
}

EXAMPLES: dict[str, str] = {"US": "14201 or 14201-1234", "CA": "L4Y 2A1", "MX": "06600"}
