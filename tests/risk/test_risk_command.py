"""``ace321 risk`` through the installed console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ACE321 = Path(sys.executable).parent / "ace321"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ACE321), *map(str, args)], capture_output=True, text=True,
                          check=False)


def test_json_document_shape_and_order() -> None:
    result = run("risk", EXAMPLES / "orders.csv", "--arrival", "2025-06-02", "--rates",
                 EXAMPLES / "rates.csv", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {"rules_version", "summary", "shipments"}
    assert set(document["summary"]) == {"shipments", "by_band"}
    assert set(document["summary"]["by_band"]) == {"low", "medium", "high"}
    shipments = document["shipments"]
    assert document["summary"]["shipments"] == len(shipments)
    assert all(set(s) == {"shipment_id", "score", "band", "signals"} for s in shipments)
    scores = [s["score"] for s in shipments]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    for signal in shipments[0]["signals"]:
        assert set(signal) == {"code", "weight", "message", "reference"}
        assert signal["reference"]


def test_csv_and_output_file(tmp_path: Path) -> None:
    result = run("risk", EXAMPLES / "orders.csv", "--arrival", "2025-06-02", "--rates",
                 EXAMPLES / "rates.csv", "--format", "csv")
    assert result.stdout.splitlines()[0] == "shipment_id,score,band,signal_codes,messages,rules_version"
    out = tmp_path / "risk.json"
    result = run("risk", EXAMPLES / "orders.csv", "--arrival", "2025-06-02", "--output", out,
                 "--rates", EXAMPLES / "rates.csv")
    assert result.returncode == 0 and "written to" in result.stdout
    assert json.loads(out.read_text())["summary"]["shipments"] > 0


def test_unusable_input_is_exit_2(tmp_path: Path) -> None:
    result = run("risk", tmp_path / "missing.csv")
    assert result.returncode == 2 and "error:" in result.stderr
