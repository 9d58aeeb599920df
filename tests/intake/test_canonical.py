"""The canonical frame's line index: the run-based fast path agrees with the window over ids."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from ace321.intake.canonical import _line_index


def _by_window(ids: list[str | None]) -> list[int]:
    frame = pl.DataFrame({"shipment_id": ids}, schema={"shipment_id": pl.String})
    return frame.select(pl.int_range(pl.len(), dtype=pl.Int64).over("shipment_id")).to_series().to_list()


def _index(ids: list[str | None]) -> list[int]:
    frame = pl.DataFrame({"shipment_id": ids}, schema={"shipment_id": pl.String})
    return _line_index(frame).to_list()


def test_lines_listed_together() -> None:
    assert _index(["A", "A", "B", "B", "B", "C"]) == [0, 1, 0, 1, 2, 0]


def test_scattered_lines_count_within_their_shipment() -> None:
    assert _index(["A", "B", "A", None, None, "A"]) == [0, 0, 1, 0, 1, 2]


def test_empty_frame() -> None:
    assert _index([]) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["A", "B", "C", None]), max_size=30))
def test_agrees_with_the_window(ids: list[str | None]) -> None:
    assert _index(ids) == _by_window(ids)
