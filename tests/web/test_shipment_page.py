"""The shipment page (SQLite and PostgreSQL): the costs section, the override offering only
stricter paths, and the refusal on a filed trip shown before the user tries."""

from __future__ import annotations

import datetime as dt
import html
import re


def upload(client, web, arrival="2026-11-23"):
    token = web.csrf_of(client.get("/upload").text)
    content = (web.EXAMPLES / "orders.csv").read_bytes()
    answer = client.post("/upload", data={"csrf_token": token, "arrival_date": arrival},
                         files={"file": ("orders.csv", content, "text/csv")},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer


def section(page: str, start: str, end: str = "</section>") -> str:
    return page.split(start, 1)[1].split(end, 1)[0]


def cells(row_html: str) -> list[str]:
    """The text of each cell of a table row, tags removed."""
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split())
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row_html, re.S)]


def test_costs_section_lists_each_line_with_its_measures_and_the_totals(site, web):
    client = site.client("clerk@acme.example")
    upload(client, web)
    page = client.get("/shipments/MF-100125-01").text
    costs = section(page, 'id="costs-h"')
    # examples/orders.csv row 41: 2 x $42.50 tapered roller bearings from CN, 8482.20.00.40.
    # General 5.8% of $85.00 = $4.93; Section 301 list 1 (9903.88.01) 25% = $21.25; an informal
    # entry's MPF in FY2026 figures $2.69; total 4.93 + 21.25 + 2.69 = $28.87.
    rows = re.findall(r"<tr>(.*?)</tr>", costs.split("Duty by line", 1)[1].split("</table>")[0],
                      re.S)
    line = cells(rows[1])
    assert line[:4] == ["1", "8482.20.00.40", "Tapered roller bearing, cone and cup", "85.00"]
    assert line[4].startswith("5.8%") and line[5] == "4.93"
    assert "SECTION_301" in line[6] and "9903.88.01" in line[6] and "+25%: 21.25" in line[6]
    assert "83 FR 28710" in line[6] and "ADCVD" in line[6]
    totals = dict(cells(r) for r in re.findall(
        r"<tr[^>]*>(.*?)</tr>", costs.split("Totals", 1)[1].split("</table>")[0], re.S)[1:])
    assert totals == {"Duty (ordinary and additional)": "26.18",
                      "Merchandise Processing Fee (MPF)": "2.69", "Total": "28.87"}
    assert "Informal entry (type 11)" in costs and "arrival on 2026-11-23" in costs
    assert re.search(r"under rules <code>20\d\d\.\d+\+[0-9a-f]+</code>", costs)
    assert "HTS 2026 revision 4" in costs and "Amounts in USD" in costs
    # No raw dump of the stored document: no Python or JSON reprs on the page.
    assert "{'" not in page and "[{" not in page and "'code'" not in page


def test_costs_amounts_have_two_decimals_and_thousands_separators(site, web):
    client = site.client("clerk@acme.example")
    upload(client, web)
    costs = section(client.get("/shipments/MF-100108-01").text, 'id="costs-h"')
    # Row 15: 2 x $1,449.00 e-bicycles, duty-free; a formal entry (value $3,076.00).
    assert "Formal entry (type 01)" in costs and ">2,898.00<" in costs
    amounts = re.findall(r'<td class="num money">(?:<strong>)?([^<]*)(?:</strong>)?</td>', costs)
    assert len(amounts) == 2 * 2 + 3 and all(re.fullmatch(r"\d{1,3}(,\d{3})*\.\d\d", a) for a in amounts), amounts


def test_override_offers_only_the_stricter_paths(site, web):
    client = site.client("clerk@acme.example")
    upload(client, web)
    informal = client.get("/shipments/MF-100101-01").text
    options = re.findall(r'<option value="([A-Z_]+)"', section(informal, 'id="o-decision"',
                                                                "</select>"))
    assert options == ["FORMAL_ENTRY"]
    formal = client.get("/shipments/MF-100108-01").text
    assert 'name="decision"' not in formal and ">Override<" not in formal
    assert "No override possible" in formal and "FORMAL_ENTRY, the strictest path" in formal


def test_de_minimis_shipment_offers_both_entry_paths(site, web):
    client = site.client("clerk@acme.example")
    upload(client, web, arrival="2024-06-03")
    shipment = "MF-100102-01"
    page = client.get(f"/shipments/{shipment}").text
    assert 'class="badge d-section_321"' in page
    options = re.findall(r'<option value="([A-Z_]+)"', section(page, 'id="o-decision"',
                                                                "</select>"))
    assert options == ["INFORMAL_ENTRY", "FORMAL_ENTRY"]


def test_a_shipment_on_a_filed_trip_shows_the_refusal_and_the_way_out(site, web):
    from ace321.app.trips import file_stored_trip
    from ace321.manifest.trip_file import load_trip

    client = site.client("clerk@acme.example")
    upload(client, web)
    trip, issues = load_trip(web.EXAMPLES / "trip.yaml")
    assert trip is not None and issues == []
    file_stored_trip(site.db, site.app.state.rules, tenant="acme", actor="test", now=web.NOW,
                     trip=trip.model_dump(mode="json", exclude_none=True),
                     shipment_ids=["MF-100101-01"],
                     filed_at=dt.datetime.fromisoformat("2026-11-23T12:00:00-05:00"))
    page = client.get("/shipments/MF-100101-01").text
    refusal = section(page, "<h2>Override to a stricter path</h2>", "<h2>")
    assert "Override refused" in refusal and "MAPL20261123A" in refusal
    assert "cancel the trip" in refusal.lower() and "amend" in refusal
    assert "<form" not in refusal and 'name="decision"' not in refusal
    # Another shipment of the tenant, not on the trip, still offers the form.
    assert 'id="o-decision"' in client.get("/shipments/MF-100102-01").text
