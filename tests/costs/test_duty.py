"""Duty computed by hand from real lines of the HTS 2026 revision 4 (rates quoted in comments).

Arrival 2026-11-23 unless stated: de minimis is suspended, Section 122 has expired and IEEPA
duties have ended, so only the column rate and Section 301 apply.
"""

from __future__ import annotations


def test_ad_valorem(costs_kit, helpers):
    # 6109.10.00 General 16.5%: 10 x $12.00 = $120.00 -> $19.80.
    cost = costs_kit.one([{"quantity": "10", "unit_price": "12.00"}])
    line = cost["lines"][0]
    assert (line["rate_line"], line["column"], line["rate_text"]) == ("6109.10.00", "general", "16.5%")
    assert line["duty_usd"] == "19.80" and cost["duty_usd"] == "19.80"
    assert line["value_usd"] == "120.00"  # the value the 16.5% is assessed on
    assert cost["entry_type"] == "11" and cost["hts_revision"] == "HTS 2026 revision 4"


def test_ten_digit_line_with_its_own_rate(costs_kit):
    # 0101.30.00.00 carries its own rate: General 6.8%; $500 -> $34.00.
    cost = costs_kit.one([{"hts_code": "0101.30.00.00", "unit_price": "500.00", "weight": "200"}])
    assert cost["lines"][0]["rate_line"] == "0101.30.00.00" and cost["duty_usd"] == "34.00"


def test_specific_per_kg_and_pounds(costs_kit):
    # 0201.10.10 General 4.4¢/kg: 12.5 kg -> $0.55; 10 lb = 4.5359237 kg -> $0.19958 -> $0.20.
    kg = costs_kit.one([{"hts_code": "0201.10.10.10", "weight": "12.5", "unit_price": "100.00"}])
    assert kg["lines"][0]["rate_text"] == "4.4¢/kg" and kg["duty_usd"] == "0.55"
    lb = costs_kit.one([{"hts_code": "0201.10.10.10", "weight": "10", "weight_unit": "lb"}])
    assert lb["duty_usd"] == "0.20"


def test_specific_per_dozen(costs_kit):
    # 0407.11.00.00 General 2.8¢/doz.: 30 eggs = 2.5 dozen -> $0.07.
    cost = costs_kit.one([{"hts_code": "0407.11.00.00", "quantity": "30", "unit_price": "0.50"}])
    assert cost["duty_usd"] == "0.07"
    # 0407.11.00.00 Column 2 10¢/doz. for Russia: 18 eggs = 1.5 dozen -> $0.15.
    russian = costs_kit.one([{"hts_code": "0407.11.00.00", "quantity": "18", "country_of_origin": "RU"}])
    assert russian["lines"][0]["column"] == "column2" and russian["duty_usd"] == "0.15"


def test_compound_per_pair(costs_kit):
    # 6402.91.20.00 General 90¢/pr. + 37.5%: 3 pairs x $20 -> $2.70 + $22.50 = $25.20.
    cost = costs_kit.one([{"hts_code": "6402.91.20.00", "quantity": "3", "unit_price": "20.00"}])
    assert cost["lines"][0]["rate_text"] == "90¢/pr. + 37.5%" and cost["duty_usd"] == "25.20"


def test_compound_per_kg_rounded_once_per_line(costs_kit):
    # 0402.99.90.00 General 46.3¢/kg + 14.9%: 2 kg, $10 -> 0.926 + 1.49 = 2.416 -> $2.42
    # (each part rounded alone would give 0.93 + 1.49 = 2.42 too; 3 kg, $1: 1.389 + 0.149 = 1.538 -> 1.54).
    cost = costs_kit.one([{"hts_code": "0402.99.90.00", "weight": "2", "unit_price": "10.00"}])
    assert cost["duty_usd"] == "2.42"
    cost = costs_kit.one([{"hts_code": "0402.99.90.00", "weight": "3", "unit_price": "1.00"}])
    assert cost["duty_usd"] == "1.54"


def test_free(costs_kit):
    # 9503.00.00 General Free.
    cost = costs_kit.one([{"hts_code": "9503.00.00.11", "unit_price": "99.00"}])
    assert cost["lines"][0]["rate_text"] == "Free" and cost["duty_usd"] == "0.00"


def test_column2_origins(costs_kit):
    # 4202.29.20.00: General 3.3%, Column 2 33 1/3%. $90 Russian -> $30.00; $10 -> 3.333 -> $3.33;
    # $90 Canadian -> $2.97. North Korea and Cuba pay Column 2, China does not.
    def duty(origin, price):
        return costs_kit.one([{"hts_code": "4202.29.20.00", "unit_price": price, "country_of_origin": origin}])
    assert duty("RU", "90.00")["duty_usd"] == "30.00"
    assert duty("BY", "10.00")["duty_usd"] == "3.33"
    assert duty("CA", "90.00")["duty_usd"] == "2.97"
    assert duty("KP", "90.00")["lines"][0]["column"] == "column2"
    assert duty("CU", "90.00")["lines"][0]["column"] == "column2"
    assert duty("CN", "90.00")["lines"][0]["column"] == "general"


def test_russia_column2_only_from_2022_04_09(costs_kit):
    spec = [{"hts_code": "4202.29.20.00", "unit_price": "900.00", "country_of_origin": "RU"}]
    assert costs_kit.one(spec, "2022-04-08")["lines"][0]["column"] == "general"
    assert costs_kit.one(spec, "2022-04-09")["lines"][0]["column"] == "column2"


def test_usmca_claimed_and_not(costs_kit, helpers):
    # 6109.10.00 Special "Free (AU,...,S,SG)": claimed S -> Free and no MPF (every line exempt).
    claimed = costs_kit.one([{"quantity": "10", "unit_price": "12.00", "spi": "S"}])
    assert claimed["lines"][0]["column"] == "special" and claimed["duty_usd"] == "0.00"
    assert claimed["mpf_usd"] == "0.00" and claimed["total_usd"] == "0.00"
    plain = costs_kit.one([{"quantity": "10", "unit_price": "12.00"}])
    assert plain["duty_usd"] == "19.80" and plain["mpf_usd"] == "2.69" and plain["total_usd"] == "22.49"


def test_program_not_listed_gives_general_rate_and_warning(costs_kit, helpers):
    # 0402.99.90.00 Special lists S+ (a "See 9823..." rate), not S: General 46.3¢/kg + 14.9%.
    cost = costs_kit.one([{"hts_code": "0402.99.90.00", "weight": "2", "unit_price": "10.00", "spi": "S"}])
    assert cost["lines"][0]["column"] == "general" and cost["duty_usd"] == "2.42"
    assert "SPI_NOT_APPLICABLE" in helpers.codes(cost["warnings"])
    # S+ is listed, but its rate refers to Chapter 98: not parsed, never zero.
    plus = costs_kit.one([{"hts_code": "0402.99.90.00", "weight": "2", "spi": "S+"}])
    assert plus["lines"][0]["duty_usd"] is None
    assert "RATE_NOT_PARSED" in helpers.codes(plus["not_estimated"])


def test_quantity_not_declared_and_hts_quantity(costs_kit, helpers):
    # 0401.10.00.00 General 0.34¢/liter: no liters -> not estimated; 100 liters -> $0.34.
    missing = costs_kit.one([{"hts_code": "0401.10.00.00", "unit_price": "5.00"}])
    assert missing["lines"][0]["duty_usd"] is None
    assert helpers.codes(missing["lines"][0]["not_estimated"]) == ["QUANTITY_NOT_DECLARED"]
    given = costs_kit.one([{"hts_code": "0401.10.00.00", "unit_price": "5.00", "hts_quantity": "100"}])
    assert given["duty_usd"] == "0.34" and given["not_estimated"] == []


def test_rate_not_parsed(costs_kit, helpers):
    # 9101.11.40 "$1.53 each + 4.2% on the case + ...": the case's value is not known.
    cost = costs_kit.one([{"hts_code": "9101.11.40.00", "unit_price": "300.00"}])
    assert cost["lines"][0]["duty_usd"] is None
    assert "RATE_NOT_PARSED" in helpers.codes(cost["not_estimated"])


def test_not_estimated_codes(costs_kit, helpers):
    adcvd = costs_kit.one([{"adcvd_case": "A-570-900"}])
    assert "ADCVD" in helpers.codes(adcvd["not_estimated"])
    steel = costs_kit.one([{"hts_code": "7318.16.00.85", "weight": "1"}])
    assert "SECTION_232" in helpers.codes(steel["not_estimated"])
    ieepa = costs_kit.one([{"unit_price": "900.00"}], "2025-06-02")
    assert "IEEPA" in helpers.codes(ieepa["not_estimated"])
    assert "IEEPA" not in helpers.codes(costs_kit.one([{"unit_price": "900.00"}], "2026-02-24")["not_estimated"])


def test_section_321_gift_and_invalid(costs_kit, helpers):
    free = costs_kit.one([{"unit_price": "50.00"}], "2024-06-03")
    assert free["entry_type"] is None and free["duty_usd"] == "0.00" and free["total_usd"] == "0.00"
    invalid = costs_kit.one([{"quantity": "-1"}])
    assert invalid["duty_usd"] is None and helpers.codes(invalid["not_estimated"]) == ["INVALID_SHIPMENT"]
