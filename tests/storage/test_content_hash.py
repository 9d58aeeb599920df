"""Content hashes decide whether a re-imported shipment is the one already stored: their text
must never change, or every stored shipment would look different on its next import."""

from __future__ import annotations

import hashlib

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from ace321.intake import columns
from ace321.storage.history import LATER_COLUMNS, content_hashes

CELL = st.none() | st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]),
                           max_size=12)


def cell(name: str, value: str | None) -> str:
    """``-`` for an empty cell, else ``+<length in characters>:<text>``; the columns added later
    (``spi``, ``hts_quantity``) write nothing when empty and ``*<length>:<text>`` otherwise, so
    shipments stored before they existed keep their hashes."""
    if name in LATER_COLUMNS:
        return "" if value is None else f"*{len(value)}:{value}"
    return "-" if value is None else f"+{len(value)}:{value}"


def expected(lines: list[dict[str, str | None]]) -> dict[str, str]:
    """The documented text, written out cell by cell (``cell``), cells in ``columns.ALL``
    order, lines in file order."""
    texts: dict[str, str] = {}
    for line in lines:
        text = "".join(cell(name, line[name]) for name in columns.ALL)
        texts[line["shipment_id"]] = texts.get(line["shipment_id"], "") + text
    return {key: hashlib.sha256(text.encode()).hexdigest() for key, text in texts.items()}


def frame_of(lines: list[dict[str, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(lines, schema={name: pl.String for name in columns.ALL})


def test_a_known_shipment_keeps_its_hash() -> None:
    line = dict.fromkeys(columns.ALL)
    line.update(order_id="A1", shipment_id="A1", consignee_name="José Ñúñez", quantity="2")
    text = "".join(cell(n, line[n]) for n in columns.ALL)
    assert "+10:José Ñúñez" in text  # characters, not bytes (12)
    # The text of the columns before spi and hts_quantity were added: unchanged.
    assert text == "".join("-" if line[n] is None else f"+{len(line[n])}:{line[n]}"
                           for n in columns.ALL if n not in LATER_COLUMNS)
    assert content_hashes(frame_of([line])) == {
        "A1": hashlib.sha256(text.encode()).hexdigest()}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["S1", "S2", "S3"]),
                          st.fixed_dictionaries({name: CELL for name in columns.ALL
                                                 if name != "shipment_id"})),
                min_size=1, max_size=8))
def test_hash_is_the_documented_text(rows) -> None:
    lines = [{**cells, "shipment_id": shipment} for shipment, cells in rows]
    assert content_hashes(frame_of(lines)) == expected(lines)


def test_columns_empty_everywhere_and_nowhere_are_both_written() -> None:
    lines = [{**dict.fromkeys(columns.ALL, "x"), "shipment_id": "S", "marks": None},
             {**dict.fromkeys(columns.ALL, "yy"), "shipment_id": "S", "marks": None}]
    assert content_hashes(frame_of(lines)) == expected(lines)
