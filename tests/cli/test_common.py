"""What every command shares, through the installed console script: --version, the rules as
JSON, the decisive reason of INVALID shipments, Shopify inputs, read-only databases."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

ACE321 = Path(sys.executable).parent / "ace321"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(*args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None
        ) -> subprocess.CompletedProcess[str]:
    import os

    environment = {k: v for k, v in os.environ.items()
                   if k not in ("ACE321_DATABASE_URL", "ACE321_TENANT")}
    environment.update(env or {})
    return subprocess.run([str(ACE321), *map(str, args)], capture_output=True, text=True,
                          timeout=120, env=environment, cwd=cwd)


def test_version_names_the_package_and_the_rules() -> None:
    from ace321 import __version__
    from ace321.rules import load_rules

    result = run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"ace321 {__version__} (rules {load_rules().version})"


def test_rules_as_json_timeline_and_regime() -> None:
    timeline = json.loads(run("rules", "--format", "json").stdout)
    changes = {(c["from"], c["parameter"]): c for c in timeline["timeline"]}
    raised = changes[("2016-03-10", "deminimis.threshold")]
    assert raised["value"] == 800
    assert "TFTEA" in raised["reference"]
    assert "regime" not in timeline
    on = json.loads(run("rules", "--on", "2025-08-29", "-f", "json").stdout)
    assert on["rules_version"] == timeline["rules_version"]
    assert "timeline" not in on
    suspended = on["regime"]["parameters"]["deminimis.suspended_globally"]
    assert suspended == {"value": True, "since": "2025-08-29",
                         "reference": suspended["reference"]}
    assert "EO 14324" in suspended["reference"]
    assert run("rules", "--on", "1999-12-31", "-f", "json").returncode == 2


def test_decisive_reason_of_an_invalid_shipment_is_its_first_error(tmp_path: Path) -> None:
    # MF-100128 has a vague description (a warning) on the row before the missing arrival date.
    result = run("check", EXAMPLES / "orders.csv", "--format", "csv")
    assert result.returncode == 1
    rows = {r["shipment_id"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    invalid = [r for r in rows.values() if r["decision"] == "INVALID"]
    assert invalid and all(r["decisive_reason"] for r in invalid)
    vague = rows["MF-100128-01"]
    assert vague["issues"].startswith("VAGUE_DESCRIPTION")
    assert vague["decisive_reason"] == "MISSING_FIELD"
    assert vague["decisive_message"].startswith("arrival_date is required")
    assert rows["MF-100129-01"]["decisive_reason"] == "MISSING_FIELD"  # DESCRIPTION_TOO_LONG
    table = run("check", EXAMPLES / "orders.csv", env={"COLUMNS": "250"}).stdout
    line = next(text for text in table.splitlines() if "MF-100128-01" in text)
    assert "MISSING_FIELD" in line and "VAGUE_DESCRIPTION" not in line
    # With the date given, only the real error of MF-100132 (a bad HTS code) decides.
    dated = run("check", EXAMPLES / "orders.csv", "--arrival", "2024-06-03", "-f", "csv").stdout
    rows = {r["shipment_id"]: r for r in csv.DictReader(io.StringIO(dated))}
    assert rows["MF-100132-01"]["decisive_reason"] == "INVALID_HTS"
    assert rows["MF-100128-01"]["decision"] != "INVALID"


def test_a_shopify_export_needs_its_catalog_and_shipper() -> None:
    shopify = EXAMPLES / "shopify_orders.csv"
    no_catalog = run("check", shopify, "--arrival", "2024-06-03")
    assert no_catalog.returncode == 2
    assert "--catalog" in no_catalog.stderr
    no_shipper = run("check", shopify, "--catalog", EXAMPLES / "catalog.csv",
                     "--arrival", "2024-06-03")
    assert no_shipper.returncode == 2
    assert "--shipper" in no_shipper.stderr and "examples/shipper.yaml" in no_shipper.stderr
    full = run("check", shopify, "--catalog", EXAMPLES / "catalog.csv", "--shipper",
               EXAMPLES / "shipper.yaml", "--arrival", "2024-06-03", "--rates",
               EXAMPLES / "rates.csv", "-f", "json")
    document = json.loads(full.stdout)
    assert not any(i["code"] == "MISSING_FIELD" for s in document["shipments"]
                   for i in s["issues"])


def test_a_bad_shipper_file_is_unusable_input(tmp_path: Path) -> None:
    shipper = tmp_path / "shipper.yaml"
    shipper.write_text("name: Maple\nvat: CA123\n", encoding="utf-8")
    result = run("check", EXAMPLES / "shopify_orders.csv", "--catalog", EXAMPLES / "catalog.csv",
                 "--shipper", shipper)
    assert result.returncode == 2
    assert "unknown shipper field 'vat'" in result.stderr
    assert "Traceback" not in result.stderr
    shipper.write_text("- a list\n", encoding="utf-8")
    listed = run("check", EXAMPLES / "shopify_orders.csv", "--catalog",
                 EXAMPLES / "catalog.csv", "--shipper", shipper)
    assert listed.returncode == 2 and "mapping" in listed.stderr
