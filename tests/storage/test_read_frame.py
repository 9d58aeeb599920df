"""``bulk.read_frame`` (columnar reads: COPY CSV on PostgreSQL, fetched chunks on SQLite) and the
risk history read through it: the values come back as stored, on both backends."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from sqlalchemy import text

TRICKY = ["plain", "", None, 'quote " and, comma', "line\nbreak", "  spaces  ", "Zoë 北京 \\N"]


def test_read_frame_keeps_nulls_empty_strings_and_any_text(db) -> None:
    from ace321.storage.bulk import read_frame

    with db.transaction() as session:
        session.execute(text("CREATE TEMPORARY TABLE t_read (n INTEGER, v TEXT)"))
        for n, value in enumerate(TRICKY):
            session.execute(text("INSERT INTO t_read VALUES (:n, :v)"), {"n": n, "v": value})
        frame = read_frame(session, "SELECT CAST(n AS TEXT), v FROM t_read ORDER BY n",
                           ["n", "v"])
        empty = read_frame(session, "SELECT CAST(n AS TEXT), v FROM t_read WHERE n < 0",
                           ["n", "v"])
        session.execute(text("DROP TABLE t_read"))
    assert frame.schema == pl.Schema({"n": pl.String, "v": pl.String})
    assert frame["v"].to_list() == TRICKY
    assert frame["n"].to_list() == [str(n) for n in range(len(TRICKY))]
    assert empty.height == 0 and empty.columns == ["n", "v"]


def test_risk_history_reads_stored_lines_as_stored(kit, db) -> None:
    from ace321.storage.risk_history import risk_history

    heavy = kit.shipment("H-1", person="Cy Dee", phone="+1 716-634-0142", order_id="O-9",
                         is_gift="yes", lines=[
                             {"sku": " ab-1 ", "quantity": "3", "unit_price": "12.50",
                              "weight": "2", "weight_unit": "lb", "hts_code": "6109.10.0012"},
                             {"sku": "", "quantity": "1", "unit_price": "40", "currency": "CAD",
                              "description": "WOOL SCARF", "hts_code": "6117.10.6010"}])
    far = kit.shipment("FAR-1", arrival="2022-01-03")
    rates = pl.DataFrame({"rate_date": [dt.date(2024, 6, 3)], "currency": ["CAD"],
                          "usd_per_unit": ["0.73"]})
    kit.ingest(db, [heavy, far], rates=rates.with_columns(pl.col("usd_per_unit").cast(
        pl.Decimal(38, 12))))
    with db.reading() as session:
        history = risk_history(session, first=dt.date(2024, 6, 3), last=dt.date(2024, 6, 3),
                               lookback_days=30)
    lines: list[dict[str, Any]] = history.lines.sort("value_usd").to_dicts()
    assert {line["shipment_id"] for line in lines} == {"H-1"}  # FAR-1 is outside the window
    scarf, shirts = lines
    assert shirts["arrival"] == dt.date(2024, 6, 3) and shirts["order_id"] == "O-9"
    assert shirts["sku"] == "AB-1" and shirts["hts"] == "6109100012"
    assert shirts["qty"] == 3 and shirts["unit_usd"] == 12.5 and shirts["value_usd"] == 37.5
    assert abs(shirts["kg"] - 0.90718474) < 1e-9
    assert shirts["is_gift"] is True and shirts["address"] == "12 Main St|14201"
    assert scarf["unit_usd"] == 40 * 0.73 and scarf["origin"] == "CA"
    assert scarf["description"] == "WOOL SCARF"
    assert history.overridden.height == 0
