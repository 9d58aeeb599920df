"""The written-out ISO tables are pycountry's."""

from __future__ import annotations

import pycountry

from ace321.validation import iso_codes


def test_countries_are_iso_3166_alpha_2() -> None:
    assert list(iso_codes.COUNTRIES) == sorted(c.alpha_2 for c in pycountry.countries)
    assert {"US", "CA", "MX", "CN", "HK"} <= set(iso_codes.COUNTRIES)


def test_currencies_are_iso_4217_alpha_3() -> None:
    assert list(iso_codes.CURRENCIES) == sorted(c.alpha_3 for c in pycountry.currencies)
    assert set(iso_codes.CURRENCIES) >= iso_codes.NOT_MONEY
