"""What every cell must be to be stored and filed, checked at intake on every backend.

Three families of checks, each a Polars expression over a column:

- ``CONTROL_CHARACTER``: NUL and the other C0/C1 control characters (tab, line feed and carriage
  return aside, which exports collapse to spaces). PostgreSQL refuses NUL in text; nothing CBP
  reads carries any of them.
- ``VALUE_TOO_LONG``: longer than the database column that stores it (``STORAGE_LIMITS``, the
  ``varchar(n)`` of ``ace321.storage.models``; ``tests/validation/test_cells.py`` holds them
  equal). Such a value cannot be stored on PostgreSQL, so ``ingest`` refuses the whole batch
  (``UNSTORABLE_CODES``) instead of failing half-way or storing it on SQLite only.
- ``TOO_LONG_FOR_ACE`` / ``NOT_ACE_TEXT``: party fields longer than the ACE manifest's limits
  (BorderConnect 1.0.7, ``ace_emanifest.md`` §3.5 and §4.1.2: name 60, address 110, city 2-30,
  postal code 10, state 2-3), and names, addresses, cities and descriptions with no Latin
  letter or digit: ACE carries upper-case ASCII (§3.4, §4.1.2), so "张伟" or "🎁" would be
  sent as nothing.

Only columns where the whole-frame scan (``scan``) found something get a mask, so a clean file
pays one query (byte lengths are free; the control-character pattern is one pass per column).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ace321.exports.text import to_ascii
from ace321.intake import columns
from ace321.validation.catalogue import field_expr

# C0 controls but tab, LF and CR; DEL; C1 controls.
CONTROL_PATTERN = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]"
LATIN_OR_DIGIT = r"[A-Za-z0-9]"

# The varchar(n) of each stored input column (shipments, parties, shipment_lines).
STORAGE_LIMITS: dict[str, int] = {
    "order_id": 200, "shipment_id": 200, "arrival_date": 50, "is_gift": 20, "scn": 50,
    **{f"{party}_{name}": limit for party in ("shipper", "consignee") for name, limit in (
        ("name", 500), ("address", 500), ("address2", 500), ("city", 200), ("state", 100),
        ("postal_code", 50), ("country", 50), ("phone", 100), ("email", 300))
        if f"{party}_{name}" in columns.ALL},
    "sku": 200, "quantity": 50, "unit_price": 60, "currency": 10, "country_of_origin": 10,
    "hts_code": 30, "weight": 50, "weight_unit": 10, "adcvd_case": 100, "hazmat_un": 20,
    "hazmat_contact_name": 200, "hazmat_contact_phone": 100, "packaging_unit": 50,
}

# (min, max) characters in the ACE manifest (BorderConnect 1.0.7 party fields). The address
# limit applies to address and address2 joined by a space, as the manifest sends them.
ACE_LIMITS: dict[str, tuple[int, int]] = {
    **{f"{party}_{name}": limits for party in ("shipper", "consignee") for name, limits in (
        ("name", (1, 60)), ("address", (1, 110)), ("city", (2, 30)), ("state", (2, 3)),
        ("postal_code", (1, 10)))},
    "hazmat_contact_name": (1, 60), "hazmat_contact_phone": (1, 20),
}

# Text ACE must be able to carry: at least one Latin letter or digit once transliterated.
ACE_TEXT = ("shipper_name", "shipper_address", "shipper_city", "consignee_name",
            "consignee_address", "consignee_city", "description")

UNSTORABLE_CODES = frozenset({"CONTROL_CHARACTER", "VALUE_TOO_LONG"})


@dataclass(frozen=True)
class Finding:
    """A cell check that fails somewhere: its code, the input column, the mask and message."""

    code: str
    column: str
    bad: pl.Expr
    message: pl.Expr


def _joined_address(party: str) -> pl.Expr:
    if f"{party}_address2" not in columns.ALL:
        return pl.col(f"{party}_address")
    return pl.concat_str([pl.col(f"{party}_address"), pl.col(f"{party}_address2")],
                         separator=" ", ignore_nulls=True)


def _ace_value(column: str) -> pl.Expr:
    for party in ("shipper", "consignee"):
        if column == f"{party}_address":
            return _joined_address(party)
    return pl.col(column)


def scan(frame: pl.DataFrame, heads: pl.DataFrame | None = None,
         line_level: frozenset[str] = frozenset()) -> list[Finding]:
    """The cell checks that fail somewhere in ``frame`` (canonical columns, trimmed).

    With ``heads`` (each shipment's first line), the columns not in ``line_level`` are scanned
    there only: the other lines of a shipment must repeat them (``CONFLICTING_SHIPMENT``), and
    what is stored of a shipment comes from its head. A million lines are some 300,000
    shipments, and the character scan costs per value.
    """
    present = [name for name in columns.ALL if name in frame.columns]
    on_lines: list[pl.Expr] = []
    on_heads: list[pl.Expr] = []

    def add(name: str, expr: pl.Expr) -> None:
        (on_heads if heads is not None and name not in line_level else on_lines).append(expr)

    for name in present:
        add(name, pl.col(name).str.contains(CONTROL_PATTERN).any().alias(f"ctrl:{name}"))
        add(name, pl.col(name).str.len_bytes().max().alias(f"bytes:{name}"))
    for name in ACE_LIMITS:
        if name in frame.columns:
            add(name, _ace_value(name).str.len_bytes().max().alias(f"acebytes:{name}"))
            add(name, _ace_value(name).str.len_chars().min().alias(f"acemin:{name}"))
    for name in ACE_TEXT:
        if name in frame.columns:
            add(name, pl.col(name).str.contains(LATIN_OR_DIGIT).not_().any()
                .alias(f"latin:{name}"))
    found: dict[str, object] = {}
    if on_lines:
        found.update(frame.select(on_lines).row(0, named=True))
    if on_heads and heads is not None:
        found.update(heads.select(on_heads).row(0, named=True))
    findings: list[Finding] = []
    for name in present:
        value = pl.col(name)
        if found[f"ctrl:{name}"]:
            findings.append(Finding(
                "CONTROL_CHARACTER", name, value.str.contains(CONTROL_PATTERN),
                pl.format("{} holds a control character (U+{}) at character {}: not text that "
                          "can be stored or filed", _label(name, "CONTROL_CHARACTER"),
                          _first_control_code(value), value.str.find(CONTROL_PATTERN).add(1))))
        limit = STORAGE_LIMITS.get(name)
        if limit is not None and _int(found[f"bytes:{name}"], 0) > limit:
            findings.append(Finding(
                "VALUE_TOO_LONG", name, value.str.len_chars() > limit,
                pl.format("{} has {} characters; at most {} can be stored",
                          _label(name, "VALUE_TOO_LONG"), value.str.len_chars(), pl.lit(limit))))
    for name, (low, high) in ACE_LIMITS.items():
        if name not in frame.columns:
            continue
        value = _ace_value(name)
        stored = STORAGE_LIMITS.get(name, high)
        length = value.str.len_chars()
        if _int(found[f"acebytes:{name}"], 0) > high:
            findings.append(Finding(
                "TOO_LONG_FOR_ACE", name, (length > high) & (pl.col(name).str.len_chars() <= stored),
                pl.format("{} has {} characters; the ACE manifest takes at most {}",
                          _label(name, "TOO_LONG_FOR_ACE"), length, pl.lit(high))))
        if low > 1 and _int(found[f"acemin:{name}"], low) < low:
            findings.append(Finding(
                "TOO_SHORT_FOR_ACE", name, length < low,
                pl.format("{} \"{}\" has {} character(s); the ACE manifest needs at least {}",
                          _label(name, "TOO_SHORT_FOR_ACE"), value, length, pl.lit(low))))
    for name in ACE_TEXT:
        if name in frame.columns and found[f"latin:{name}"]:
            source = heads if heads is not None and name not in line_level else frame
            values = source.get_column(name)
            candidates = values.filter(~values.str.contains(LATIN_OR_DIGIT)).unique().drop_nulls()
            # Per value in Python, only on the few distinct values without an ASCII letter or
            # digit: accented Latin letters transliterate ("Émile" is fine), others do not.
            lost = [text for text in candidates.to_list() if not _has_latin(text)]
            if lost:
                findings.append(Finding(
                    "NOT_ACE_TEXT", name, pl.col(name).is_in(pl.Series(lost, dtype=pl.String)
                                                             .implode()),
                    pl.format("{} \"{}\" has no Latin letter or digit; the ACE manifest "
                              "carries upper-case ASCII only: give it in Latin letters",
                              _label(name, "NOT_ACE_TEXT"), pl.col(name))))
    return findings


def _int(value: object, default: int) -> int:
    return value if isinstance(value, int) else default


def _has_latin(text: str) -> bool:
    return any(ch.isascii() and ch.isalnum() for ch in to_ascii(text))


def _label(name: str, code: str) -> pl.Expr:
    return field_expr(name, code)


def _first_control_code(value: pl.Expr) -> pl.Expr:
    """The first control character's code point, as 4 hex digits: a C0 control or DEL is one
    UTF-8 byte (its code), a C1 control is C2 followed by its code (80 to 9F)."""
    utf8 = value.str.extract(f"({CONTROL_PATTERN})", 1).str.encode("hex").str.to_uppercase()
    return pl.lit("00") + utf8.str.slice(-2)


def unstorable(issues: pl.DataFrame) -> pl.DataFrame:
    """The issues that make a batch impossible to store (``UNSTORABLE_CODES``)."""
    return issues.filter(pl.col("code").is_in(list(UNSTORABLE_CODES)))
