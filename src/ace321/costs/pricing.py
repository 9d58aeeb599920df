"""The price of one distinct (HTS code, origin, claimed program, arrival date): rate line, column,
typed rate, additional duties and what is not estimated. Bulk work calls this once per distinct
key (``costs.duty``), never per line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from ace321.costs.measures import USMCA, Applied, Measures, applicable
from ace321.rules import RuleSet
from ace321.screening.chapter99 import programs
from ace321.tariff.rate_text import DERIVED_UNITS, Rate, parse, special_rate_text
from ace321.tariff.schedule import Schedule

COLUMN2 = "duty.column2_origins"
# Integer scales of the columnar arithmetic (``costs.duty``).
AMOUNT_SCALE = 10**10


@dataclass
class KeyPrice:
    rate_line: str | None = None
    column: str | None = None
    rate_text: str | None = None
    rate: Rate | None = None
    unit: str | None = None
    usmca: bool = False
    measures: list[Applied] = field(default_factory=list)
    not_estimated: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def av_fraction(self) -> tuple[int, int] | None:
        if self.rate is None or not self.rate.computable or self.rate.percent_fraction is None:
            return None
        return self.rate.percent_fraction

    def specific(self) -> list[tuple[int, str]]:
        """(dollars per unit x ``AMOUNT_SCALE``, unit) of each specific part."""
        if self.rate is None or not self.rate.computable:
            return []
        return [(int(part.amount_usd * AMOUNT_SCALE), part.unit) for part in self.rate.specific]


def dotted(hts: str) -> str:
    """>>> dotted("6109100012"), dotted("61091000")
    ('6109.10.00.12', '6109.10.00')
    """
    parts = [hts[:4], hts[4:6], hts[6:8], hts[8:10]]
    return ".".join(part for part in parts if part)


def price_key(hts: str, origin: str | None, spi: str | None, day: dt.date, *,
              schedule: Schedule, measures: Measures, rules: RuleSet) -> KeyPrice:
    price = KeyPrice()
    claimed = programs(spi)
    price.usmca = bool(claimed & USMCA)
    line = schedule.rate_line(hts)
    price.unit = schedule.unit(hts)
    if line is None:
        price.not_estimated.append(("HTS_NOT_IN_SCHEDULE", (
            f"HTS {dotted(hts)} has no rate line (own or eight-digit parent) in {schedule.revision}"
        )))
    else:
        price.rate_line = dotted(line.hts)
        column2 = rules.covers(day) and origin in (rules.parameters[COLUMN2].step_at(day).value or [])  # type: ignore[union-attr]
        text: str | None
        if column2:
            price.column, text = "column2", line.column2
        else:
            program = next(iter(claimed)) if claimed else None
            special = special_rate_text(line.special, program) if program else None
            if special is not None:
                price.column, text = "special", special
            else:
                if program:
                    price.warnings.append(("SPI_NOT_APPLICABLE", (
                        f"program {program} is not listed in the Special column of HTS "
                        f"{price.rate_line}: the General rate applies"
                    )))
                price.column, text = "general", line.general
        price.rate_text = text
        rate = parse(text or "")
        if rate.computable and any(int(p.amount_usd * AMOUNT_SCALE) != p.amount_usd * AMOUNT_SCALE
                                   for p in rate.specific):
            rate = Rate(text=rate.text, kind="unsupported", reason="amount finer than ace321 computes")
        price.rate = rate
        if rate.kind == "applicable_subheading":
            price.not_estimated.append(("RATE_OF_OTHER_SUBHEADING", (
                f"the {price.column} rate of HTS {price.rate_line} is {text!r}: the duty of another "
                "subheading, not estimated"
            )))
        elif not rate.computable:
            price.not_estimated.append(("RATE_NOT_PARSED", (
                f"the {price.column} rate of HTS {price.rate_line} {text!r} is not computed: {rate.reason}"
            )))
    price.measures, warnings = applicable(measures, hts, origin, day, claimed)
    price.warnings.extend(warnings)
    if any(measure.code == "SECTION_301" for measure in price.measures):
        price.not_estimated.append(("SECTION_301_EXCLUSIONS_NOT_CHECKED",
                                    measures.texts["SECTION_301_EXCLUSIONS_NOT_CHECKED"]["message"]))
    scope = measures.section_232(hts, day)
    if scope is not None:
        price.not_estimated.append(("SECTION_232", measures.texts["SECTION_232"]["message"].format(
            what=scope.what, since=scope.start.isoformat()) + f" ({scope.reference})"))
    if measures.ieepa(day):
        price.not_estimated.append(("IEEPA", measures.texts["IEEPA"]["message"]))
    return price


def needs_quantity(price: KeyPrice) -> list[str]:
    """The units of the rate's specific parts that the line must supply through ``hts_quantity``."""
    return [unit for _, unit in price.specific() if unit not in DERIVED_UNITS]


def percent_text(rate: Decimal) -> str:
    """>>> percent_text(Decimal("7.5")), percent_text(Decimal("25"))
    ('7.5%', '25%')
    """
    return f"{rate.normalize():f}%"
