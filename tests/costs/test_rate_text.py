"""Every distinct rate text of the General, Special and Column 2 columns of the shipped schedule
either parses into a typed rate or is listed in ``unsupported_rates.txt`` (exactly: a stale entry
fails too). Unsupported rates make a line ``RATE_NOT_PARSED``."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from ace321.tariff.rate_text import Specific, parse, special_groups
from ace321.tariff.schedule import SHIPPED_FILE

UNSUPPORTED = Path(__file__).parent / "unsupported_rates.txt"


def distinct_rate_texts() -> set[str]:
    table = pl.read_parquet(SHIPPED_FILE)
    texts: set[str] = set()
    for column in ("general", "column2"):
        texts |= set(table[column].drop_nulls().to_list())
    for special in table["special"].drop_nulls().to_list():
        groups = special_groups(special)
        texts |= {rate for rate, _ in groups} if groups else {special}
    return texts


def test_every_rate_text_parses_or_is_listed_unsupported():
    listed = set(UNSUPPORTED.read_text(encoding="utf-8").splitlines()) - {""}
    texts = distinct_rate_texts()
    unsupported = {text for text in texts if parse(text).kind == "unsupported"}
    assert sorted(unsupported - listed) == [], "rates neither parsed nor listed as unsupported"
    assert sorted(listed - unsupported) == [], "listed as unsupported but parsed (or gone)"
    assert len(texts) > 1000 and len(unsupported) < len(texts) / 3


@pytest.mark.parametrize(("text", "kind", "ad_valorem", "specific"), [
    ("Free", "free", Decimal(0), ()),
    ("6.5%", "ad_valorem", Decimal("6.5"), ()),
    ("2.4¢/kg", "specific", None, (Specific(Decimal("0.024"), "kg"),)),
    ("$1.02/doz.", "specific", None, (Specific(Decimal("1.02"), "doz"),)),
    ("41.7¢/kg + 0.9%", "compound", Decimal("0.9"), (Specific(Decimal("0.417"), "kg"),)),
    ("90¢/pr. + 37.5%", "compound", Decimal("37.5"), (Specific(Decimal("0.90"), "pr"),)),
    ("0.6¢/kg +30%", "compound", Decimal("30"), (Specific(Decimal("0.006"), "kg"),)),
    ("$2.50/thou- sand + 40%", "compound", Decimal("40"), (Specific(Decimal("2.50"), "thousand"),)),
    ("0.9¢ each", "specific", None, (Specific(Decimal("0.009"), "each"),)),
    ("13.5¢/kg + 6.3% + 1.9¢/article", "compound", Decimal("6.3"),
     (Specific(Decimal("0.135"), "kg"), Specific(Decimal("0.019"), "each"))),
])
def test_typed_rates(text, kind, ad_valorem, specific):
    rate = parse(text)
    assert (rate.kind, rate.ad_valorem, rate.specific) == (kind, ad_valorem, specific)


def test_one_third_is_exact():
    assert parse("33 1/3%").percent_fraction == (100, 3)


def test_applicable_subheading():
    rate = parse("The duty provided in the applicable subheading + 25%")
    assert rate.kind == "applicable_subheading" and rate.ad_valorem == Decimal(25)
    assert parse("The duty provided in the applicable subheading.").kind == "applicable_subheading"
