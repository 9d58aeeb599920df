"""Additional duties as dated rule data (``rules/measures/*.yaml``): which apply to a product of
an origin on a day, and which duties are reported as not estimated.

A measure file names its code, origins, product scope (``all`` or a product-list file whose
rows name the Chapter 99 heading) and its headings, each with dated rates (``rate: null`` = not
in force) and a reference. The shared checks of ``ace321.rules.parameters`` refuse unknown keys,
undated values and values without a reference, naming the file and the heading.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from ace321.rules.parameters import RuleError, dated_values, read_yaml, require_keys

MEASURES_DIR = Path(__file__).parent.parent / "rules" / "measures"
LISTS_DIR = Path(__file__).parent.parent / "tariff" / "data"
USMCA = frozenset({"S", "S+"})
_MEASURE_KEYS = {"code", "description", "origins", "products", "replacement", "exempt_programs",
                 "not_with", "exemptions_not_checked", "headings"}
_HEADING_KEYS = {"list", "group", "values"}


@dataclass(frozen=True)
class Period:
    start: dt.date
    rate: Decimal | None
    reference: str
    note: str | None


@dataclass(frozen=True)
class Heading:
    heading: str
    list: str | None
    group: str
    periods: tuple[Period, ...]

    def at(self, day: dt.date) -> Period | None:
        found = None
        for period in self.periods:
            if period.start <= day:
                found = period
        return found if found is not None and found.rate is not None else None


@dataclass(frozen=True)
class Measure:
    code: str
    origins: frozenset[str] | None
    """None: every origin."""
    products: dict[str, frozenset[str]] | None
    """Heading -> 8-digit products; None: every product."""
    exempt_programs: frozenset[str]
    not_with: str | None
    exemptions_not_checked: str | None
    headings: tuple[Heading, ...]


@dataclass(frozen=True)
class Scope232:
    prefixes: tuple[str, ...]
    start: dt.date
    what: str
    reference: str


@dataclass(frozen=True)
class Change:
    """One dated change of a rule parameter or a measure, for timelines: from ``start``,
    ``parameter`` is ``value`` (in ``unit``; None: no longer in force), by ``reference``."""

    start: dt.date
    parameter: str
    value: Any
    unit: str
    reference: str


@dataclass(frozen=True)
class Measures:
    version: str
    measures: tuple[Measure, ...]
    scopes_232: tuple[Scope232, ...]
    texts: dict[str, dict[str, Any]]
    """The not-estimated codes' messages, references and dates."""

    def section_232(self, hts: str, day: dt.date) -> Scope232 | None:
        for scope in self.scopes_232:
            if day >= scope.start and hts.startswith(scope.prefixes):
                return scope
        return None

    def ieepa(self, day: dt.date) -> bool:
        text = self.texts["IEEPA"]
        return bool(text["from"] <= day < text["to"])

    def changes(self) -> list[Change]:
        """Every dated change of the measures as the costs apply them: each heading's rates
        (``measures.SECTION_301.9903.88.03``), and the start (and end) of the duties reported
        as not estimated (Section 232 by scope, IEEPA)."""
        found = [Change(period.start, f"measures.{measure.code}.{heading.heading}", period.rate,
                        "percent", period.reference)
                 for measure in self.measures for heading in measure.headings
                 for period in heading.periods]
        found += [Change(scope.start, f"measures.SECTION_232.{scope.prefixes[0]}",
                         f"not estimated: {scope.what}", "text", scope.reference)
                  for scope in self.scopes_232]
        ieepa = self.texts["IEEPA"]
        found += [Change(ieepa["from"], "measures.IEEPA", "not estimated", "text", ieepa["reference"]),
                  Change(ieepa["to"], "measures.IEEPA", None, "text", ieepa["reference"])]
        return found


def _is_rate(rate: Any) -> bool:
    """An ad valorem percentage, or null: not in force from that date."""
    return rate is None or (isinstance(rate, int | float) and not isinstance(rate, bool) and rate >= 0)


def _periods(where: str, values: Any) -> tuple[Period, ...]:
    return tuple(Period(dated.start, None if dated.value is None else Decimal(str(dated.value)),
                        dated.reference, dated.note)
                 for dated in dated_values(where, values, unit="percent", fits=_is_rate,
                                           value_key="rate"))


def _product_lists(name: str) -> dict[str, frozenset[str]]:
    frame = pl.read_parquet(LISTS_DIR / f"{name}.parquet")
    grouped = frame.group_by("ch99_code").agg(pl.col("hts8").unique())
    return {code: frozenset(products) for code, products in grouped.iter_rows()}


def _measure(path: Path) -> Measure:
    where = str(path)
    document = read_yaml(path)
    require_keys(where, document, _MEASURE_KEYS, ("code", "origins", "products", "headings"))
    origins = document["origins"]
    products_name = document["products"]
    lists = None if products_name == "all" else _product_lists(str(products_name))
    if not isinstance(document["headings"], dict) or not document["headings"]:
        raise RuleError(f"{where}: headings must be a non-empty mapping")
    headings = []
    for heading, entry in document["headings"].items():
        hwhere = f"{where} (headings.{heading})"
        require_keys(hwhere, entry, _HEADING_KEYS, ("values",))
        headings.append(Heading(str(heading), entry.get("list"), str(entry.get("group", "")),
                                _periods(hwhere, entry["values"])))
    return Measure(
        code=str(document["code"]),
        origins=None if origins == "all" else frozenset(origins),
        products=None if lists is None else {h.heading: lists.get(h.heading, frozenset()) for h in headings},
        exempt_programs=frozenset(document.get("exempt_programs", [])),
        not_with=document.get("not_with"),
        exemptions_not_checked=document.get("exemptions_not_checked"),
        headings=tuple(headings),
    )


@lru_cache(maxsize=4)
def load_measures(directory: Path | None = None) -> Measures:
    root = directory or MEASURES_DIR
    digest = hashlib.sha256()
    measures = []
    texts: dict[str, dict[str, Any]] = {}
    for path in sorted(root.glob("*.yaml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
        if path.name == "not_estimated.yaml":
            texts = read_yaml(path)
            for code in ("SECTION_232", "ADCVD", "IEEPA", "SECTION_301_EXCLUSIONS_NOT_CHECKED"):
                if code not in texts or "message" not in texts[code]:
                    raise RuleError(f"{path}: missing {code}.message")
        else:
            measures.append(_measure(path))
    scopes = tuple(
        Scope232(tuple(str(p) for p in scope["prefixes"]), scope["from"], scope["what"], scope["reference"])
        for scope in texts["SECTION_232"]["scopes"]
    )
    return Measures(digest.hexdigest()[:12], tuple(measures), scopes, texts)


@dataclass(frozen=True)
class Applied:
    code: str
    heading: str
    rate: Decimal
    reference: str
    note: str | None = None


def applicable(measures: Measures, hts: str, origin: str | None, day: dt.date,
               programs: frozenset[str]) -> tuple[list[Applied], list[tuple[str, str]]]:
    """The additional duties on ``hts`` (digits) of ``origin`` entered on ``day`` with the claimed
    ``programs``, and the warnings their choice raises (code, message)."""
    applied: list[Applied] = []
    warnings: list[tuple[str, str]] = []
    hts8 = hts[:8]
    for measure in measures.measures:
        if measure.origins is not None and origin not in measure.origins:
            continue
        if programs & measure.exempt_programs:
            continue
        if measure.not_with == "SECTION_232" and measures.section_232(hts, day) is not None:
            continue
        found = []
        for heading in measure.headings:
            period = heading.at(day)
            if period is None:
                continue
            if measure.products is not None and (len(hts) < 8 or hts8 not in measure.products[heading.heading]):
                continue
            found.append((heading, period))
        if not found:
            continue
        reviews = [item for item in found if item[0].group == "review"]
        if reviews and len(reviews) < len(found):
            replaced = [item for item in found if item[0].group != "review"]
            warnings.append(("SECTION_301_REVIEW_REPLACES_LIST", (
                f"HTS {hts8} is on Section 301 list {', '.join(str(h.list) for h, _ in replaced)} and on "
                f"the 2024-review heading {', '.join(h.heading for h, _ in reviews)}: the review rate "
                "replaces the older list's (assumption; analysts disagree for a few products)"
            )))
            found = reviews
        if len(found) > 1:
            warnings.append(("SECTION_301_SEVERAL_LISTS", (
                f"HTS {hts8} is on headings {', '.join(h.heading for h, _ in found)} (each covers part "
                "of the subheading by product description): the highest rate in force is applied"
            )))
        heading, period = max(found, key=lambda item: (item[1].rate, -measure.headings.index(item[0])))
        assert period.rate is not None
        applied.append(Applied(measure.code, heading.heading, period.rate, period.reference, period.note))
        if measure.exemptions_not_checked:
            warnings.append((f"{measure.code}_EXEMPTIONS_NOT_CHECKED", measure.exemptions_not_checked))
    return applied, warnings
