"""Small and large inputs take different query paths (unoptimised and sequential below
``plans.SMALL`` rows, optimised and parallel above, HTS digits by pattern or by map): both must
give the same result."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from ace321.intake import read_orders
from ace321.intake.hts_table import known_codes, read_hts_table
from ace321.rules import load_rules
from ace321.screening import screen
from ace321.validation import plans

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "orders.csv"
HTS_CSV = Path(__file__).resolve().parents[3] / "shared" / "data" / "hts_2026_revision_4.csv"


@pytest.mark.parametrize("shuffled", [False, True], ids=["listed-together", "scattered"])
@pytest.mark.parametrize("day", ["2024-06-03", "2025-06-02", "2026-11-23"])
def test_same_result_on_both_paths(day: str, shuffled: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scattered: a shipment's lines apart from each other, which numbers the shipments from
    their first lines instead of from runs."""
    rules = load_rules()
    frame = read_orders(EXAMPLES)
    if shuffled:
        frame = frame.sample(fraction=1.0, shuffle=True, seed=7)
    hts = known_codes(read_hts_table(HTS_CSV)) if HTS_CSV.is_file() else None
    options = {"rules": rules, "default_arrival": dt.date.fromisoformat(day), "hts": hts}
    monkeypatch.setattr(plans, "SMALL", 10**9)
    small = screen(frame, **options)
    monkeypatch.setattr(plans, "SMALL", 0)
    large = screen(frame, **options)
    assert small.to_document() == large.to_document()
    assert_frame_equal(small.issues, large.issues)
    assert_frame_equal(small.lines, large.lines)
