"""``check --costs`` and ``plan`` through the installed console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ACE321 = Path(sys.executable).parent / "ace321"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HTS_CSV = Path(__file__).resolve().parents[3] / "shared" / "data" / "hts_2026_revision_4.csv"
COSTS_KEYS = {"entry_type", "value_usd", "duty_usd", "mpf_usd", "total_usd", "fiscal_year",
              "hts_revision", "lines", "not_estimated", "warnings"}
LINE_KEYS = {"row", "hts_code", "value_usd", "rate_line", "column", "rate_text", "duty_usd", "measures", "not_estimated"}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ACE321), *args], capture_output=True, text=True, timeout=120)


def test_check_costs_json_shape():
    done = run("check", str(EXAMPLES / "orders.csv"), "--arrival", "2026-11-23", "--rates",
               str(EXAMPLES / "rates.csv"), "--costs", "--format", "json")
    document = json.loads(done.stdout)
    for shipment in document["shipments"]:
        assert set(shipment["costs"]) == COSTS_KEYS
        for line in shipment["costs"]["lines"]:
            assert set(line) == LINE_KEYS
    assert document["summary"]["costs"]["hts_revision"] == "HTS 2026 revision 4"


def test_hts_file_replaces_the_schedule_and_is_named(tmp_path):
    copy = tmp_path / "hts_2026_revision_9.csv"
    copy.write_bytes(HTS_CSV.read_bytes())
    done = run("check", str(EXAMPLES / "orders.csv"), "--arrival", "2026-11-23", "--rates",
               str(EXAMPLES / "rates.csv"), "--costs", "--format", "json", "--hts", str(copy))
    document = json.loads(done.stdout)
    assert {s["costs"]["hts_revision"] for s in document["shipments"]} == {"HTS 2026 revision 9"}


def test_plan_json_shape_and_bad_fee():
    done = run("plan", str(EXAMPLES / "orders.csv"), "--arrival", "2026-11-23", "--rates",
               str(EXAMPLES / "rates.csv"), "--format", "json", "--entry-fee", "5")
    assert done.returncode == 0, done.stderr
    (conveyance,) = json.loads(done.stdout)["conveyances"]
    assert {"arrival_date", "trip_number", "entries", "strategies", "recommended"} <= set(conveyance)
    assert set(conveyance["entries"][0]) == {"entry_type", "consignee_key", "shipment_ids", "value_usd",
                                             "duty_usd", "mpf_usd", "reasons"}
    assert {"name", "entries", "duty_usd", "mpf_usd", "fees_usd", "total_usd", "conditions"} <= set(
        conveyance["strategies"][0])
    bad = run("plan", str(EXAMPLES / "orders.csv"), "--entry-fee", "1.234")
    assert bad.returncode == 2 and "--entry-fee" in bad.stderr
