"""Entry costs stored at ingest: shown by ``shipments show``, explained with rate lines and the
fee rule; the program claimed (``spi``) and ``hts_quantity`` survive the round trip."""

from __future__ import annotations

from ace321.storage.history import canonical_rows, content_hashes


def test_ingest_stores_costs_and_show_returns_them(db, kit):
    # 6109.10.00.12 of Canada on 2026-03-02: claimed under USMCA -> Special Free, no MPF;
    # the second shipment not claimed: 16.5% + 10% Section 122 of $100 = $26.50, MPF $2.69.
    kit.ingest(db, [
        kit.shipment("C1", arrival="2026-03-02", lines=[{"unit_price": "100.00", "spi": "S"}]),
        kit.shipment("C2", arrival="2026-03-02", person="Bo Diaz", phone="+1 716-634-0102",
                     lines=[{"unit_price": "100.00"}]),
    ])
    assert kit.count(db, "shipment_costs") == 2
    from ace321.storage.queries import show

    with db.reading() as session:
        claimed, plain = show(session, "C1")["costs"], show(session, "C2")["costs"]
    assert (claimed["duty_usd"], claimed["mpf_usd"], claimed["lines"][0]["column"]) == ("0.00", "0.00", "special")
    assert (plain["duty_usd"], plain["mpf_usd"], plain["total_usd"]) == ("26.50", "2.69", "29.19")
    assert plain["rules_version"] == kit.rules.version


def test_spi_round_trips_and_old_hashes_stay(db, kit):
    frame = kit.frame([kit.shipment("H1", lines=[{"spi": "S+", "hts_quantity": "2.5"}])])
    kit.ingest(db, frame)
    with db.transaction() as session:
        rows, _ = canonical_rows(session, [kit.stored(db, "H1").id])
    assert rows.select("spi", "hts_quantity").row(0) == ("S+", "2.5")
    assert content_hashes(rows) == content_hashes(frame)
    # Without the new columns a shipment hashes as before they existed.
    plain = kit.frame([kit.shipment("H2")])
    assert content_hashes(plain) == content_hashes(plain.with_columns(spi=None, hts_quantity=None))


def test_explain_shows_rate_lines_and_the_fee_rule(db, kit):
    kit.ingest(db, [kit.shipment("E1", arrival="2026-03-02", lines=[{"unit_price": "100.00"}])])
    from ace321.storage.queries import explain

    with db.reading() as session:
        costs = explain(session, "E1", kit.rules).costs
    assert costs is not None
    line = costs["lines"][0]
    assert (line["rate_line"], line["column"], line["rate_text"]) == ("6109.10.00", "general", "16.5%")
    assert [m["heading"] for m in line["measures"]] == ["9903.03.01"]
    assert "24.23" in costs["mpf_rule"]["reference"]


def test_a_stored_shipment_made_stricter_by_a_later_file_is_re_estimated(db, kit):
    # 2025-06-02 (de minimis in force for Canadian goods): H1 alone, $500, is SECTION_321 and owes
    # nothing; H2 ($400, same person and day) makes the person-day $900, so H1 becomes an
    # informal entry: 16.5% of $500 = $82.50 duty and the FY2025 informal MPF of $2.62.
    kit.ingest(db, [kit.shipment("H1", arrival="2025-06-02", lines=[{"unit_price": "500.00"}])],
               name="one.json")
    from ace321.storage.queries import show

    with db.reading() as session:
        before = show(session, "H1")["costs"]
    assert (before["entry_type"], before["total_usd"]) == (None, "0.00")
    kit.ingest(db, [kit.shipment("H2", arrival="2025-06-02", lines=[{"unit_price": "400.00"}])],
               name="two.json")
    assert kit.stored(db, "H1").decision == "INFORMAL_ENTRY"
    with db.reading() as session:
        after = show(session, "H1")["costs"]
    assert (after["entry_type"], after["duty_usd"], after["mpf_usd"]) == ("11", "82.50", "2.62")
    assert kit.count(db, "shipment_costs") == 2
