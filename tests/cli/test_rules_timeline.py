"""``ace321 rules --timeline``: the entry-cost measures' dates beside the Section 321 rules', each
with what changed and its reference, checked against ../shared/reference/entry_costs.md (EC) and
section321_rules.md (R-numbers), through the installed console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

ACE321 = Path(sys.executable).parent / "ace321"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ACE321_DATABASE_URL", "ACE321_TENANT")}
    return subprocess.run([str(ACE321), *args], capture_output=True, text=True, timeout=120,
                          env={**env, "COLUMNS": "250"}, check=False)


@pytest.fixture(scope="module")
def timeline() -> dict:
    result = run("rules", "--timeline", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _change(timeline: dict, day: str, parameter: str) -> dict:
    (found,) = [c for c in timeline["timeline"] if (c["from"], c["parameter"]) == (day, parameter)]
    return found


# (from, parameter, value as a percent or None (no longer in force), words of the reference)
MEASURES = [
    # EC 3, Section 301 table.
    ("2018-07-06", "measures.SECTION_301.9903.88.01", "25", "83 FR 28710"),
    ("2018-08-23", "measures.SECTION_301.9903.88.02", "25", "83 FR 40823"),
    ("2018-09-24", "measures.SECTION_301.9903.88.03", "10", "83 FR 47974"),
    ("2019-05-10", "measures.SECTION_301.9903.88.03", "25", "84 FR 20459"),
    ("2019-09-01", "measures.SECTION_301.9903.88.15", "15", "84 FR 45821"),
    ("2020-02-14", "measures.SECTION_301.9903.88.15", "7.5", "85 FR 3741"),
    ("2019-12-15", "measures.SECTION_301.9903.88.16", None, "84 FR 69447"),  # 4B never collected
    ("2024-09-27", "measures.SECTION_301.9903.91.03", "100", "89 FR 76581"),
    ("2025-01-01", "measures.SECTION_301.9903.91.04", "25", "HTS 9903.91.04"),
    ("2026-01-01", "measures.SECTION_301.9903.91.04", None, "HTS 9903.91.04"),
    ("2026-01-01", "measures.SECTION_301.9903.91.08", "100", "HTS 9903.91.08"),
    # EC 3 and R23: Section 122 10% from 2026-02-24, expired 2026-07-24.
    ("2026-02-24", "measures.SECTION_122.9903.03.01", "10", "CSMS #67844987"),
    ("2026-07-24", "measures.SECTION_122.9903.03.01", None, "19 U.S.C. 2132"),
    # EC 3 and R22: IEEPA duties on entries from 2025-02-04 until collection stopped 2026-02-24.
    ("2025-02-04", "measures.IEEPA", "not estimated", "CSMS #67834313"),
    ("2026-02-24", "measures.IEEPA", None, "CSMS #67834313"),
]


@pytest.mark.parametrize(("day", "parameter", "value", "reference"), MEASURES)
def test_measure_dates_are_in_the_timeline(timeline: dict, day: str, parameter: str,
                                           value: str | None, reference: str) -> None:
    change = _change(timeline, day, parameter)
    assert change["value"] == value
    assert reference in change["reference"]
    assert change["unit"] == ("text" if parameter == "measures.IEEPA" else "percent")


# EC 2 (R29, R30): the MPF amounts of FY2025 and FY2026, from the first day of each fiscal year.
MPF = [
    ("2024-10-01", "fees.mpf_informal", "2.62", "89 FR 59126"),
    ("2024-10-01", "fees.mpf_formal_minimum", "32.71", "89 FR 59126"),
    ("2024-10-01", "fees.mpf_formal_maximum", "634.62", "89 FR 59126"),
    ("2025-10-01", "fees.mpf_informal", "2.69", "90 FR 34665"),
    ("2025-10-01", "fees.mpf_formal_minimum", "33.58", "90 FR 34665"),
    ("2025-10-01", "fees.mpf_formal_maximum", "651.50", "90 FR 34665"),
    ("2025-10-01", "fees.mpf_formal_rate", "0.3464", "90 FR 34665"),
]


@pytest.mark.parametrize(("day", "parameter", "amount", "reference"), MPF)
def test_mpf_fiscal_year_amounts_are_in_the_timeline(timeline: dict, day: str, parameter: str,
                                                     amount: str, reference: str) -> None:
    change = _change(timeline, day, parameter)
    assert Decimal(change["value"]) == Decimal(amount)
    assert reference in change["reference"]


def test_timeline_is_in_date_order_with_the_rules_and_both_versions(timeline: dict) -> None:
    days = [c["from"] for c in timeline["timeline"]]
    assert days == sorted(days)
    # The Section 321 rules are still there (R02: $800 from 2016-03-10; R18: 2025-08-29).
    assert _change(timeline, "2016-03-10", "deminimis.threshold")["value"] == 800
    assert _change(timeline, "2025-08-29", "deminimis.suspended_globally")["value"] is True
    assert timeline["rules_version"].startswith("2026.11+")
    assert len(timeline["measures_version"]) == 12


def test_timeline_table_shows_measures_with_their_rates() -> None:
    result = run("rules", "--timeline")
    assert result.returncode == 0, result.stderr
    (row,) = [line for line in result.stdout.splitlines()
              if line.startswith("2026-02-24") and "SECTION_122" in line]
    assert "measures.SECTION_122.9903.03.01" in row and " 10% " in row and "CSMS #67844987" in row
    (fee,) = [line for line in result.stdout.splitlines()
              if line.startswith("2025-10-01") and "fees.mpf_formal_rate" in line]
    assert "0.3464%" in fee
