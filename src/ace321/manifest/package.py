"""The files of a manifest, and writing them so that a failure never leaves half of them.

``manifest_files`` is pure (every export connector, plus the dispatcher's summary);
``write_files`` writes into a temporary folder beside the target and renames into place.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from ace321.exports.borderconnect_csv import shipments_csv
from ace321.exports.borderconnect_json import trip_document
from ace321.exports.cover_sheet import cover_sheet_pdf
from ace321.exports.schema import validate_trip_document
from ace321.exports.x12.x12_309 import manifest_309
from ace321.manifest.model import Manifest
from ace321.screening.money import amount

FILE_NAMES = ("ace_trip.json", "ace_shipments.csv", "manifest.x12", "cover_sheet.pdf",
              "summary.json")


def summary_document(
    manifest: Manifest,
    *,
    issues: list[dict[str, Any]],
    skipped: list[str],
    filed_at: dt.datetime,
) -> dict[str, Any]:
    """What a dispatcher needs to answer "why PAPS?": counts, SCNs, warnings, reasons."""
    return {
        "trip_number": manifest.trip_number,
        "carrier_scac": manifest.trip.carrier_scac,
        "port_of_arrival": manifest.trip.port_of_arrival,
        "estimated_arrival": manifest.trip.estimated_arrival.isoformat(),
        "filed_at": filed_at.isoformat(),
        "rules_version": manifest.rules_version,
        "counts": {
            "shipments": len(manifest.shipments),
            "commodities": sum(len(s.commodities) for s in manifest.shipments),
            "by_type": dict(Counter(s.type for s in manifest.shipments)),
            "by_decision": dict(Counter(s.decision for s in manifest.shipments)),
            "skipped_invalid": len(skipped),
        },
        "scns": [s.scn for s in manifest.shipments],
        "skipped_invalid": skipped,
        "warnings": [i for i in issues if i.get("severity") == "warning"],
        "shipments": [
            {
                "scn": s.scn,
                "shipment_id": s.shipment_id,
                "type": s.type,
                "decision": s.decision,
                "consignee": s.consignee.name,
                "value_usd": amount(sum((c.value_usd for c in s.commodities), Decimal(0))),
                "reasons": [r.model_dump() for r in s.reasons],
                "notes": s.notes,
            }
            for s in manifest.shipments
        ],
    }


def manifest_files(
    manifest: Manifest,
    *,
    control_number: int,
    filed_at: dt.datetime,
    production: bool = False,
    port_name: str | None = None,
    issues: list[dict[str, Any]] | None = None,
    skipped: list[str] | None = None,
) -> dict[str, bytes]:
    """Every file of the manifest, by name. Raises ValueError if the JSON breaks its schema."""
    document = trip_document(manifest)
    problems = validate_trip_document(document)
    if problems:
        raise ValueError("ace_trip.json does not meet the BorderConnect contract: " + "; ".join(problems))
    summary = summary_document(manifest, issues=issues or [], skipped=skipped or [],
                               filed_at=filed_at)
    return {
        "ace_trip.json": json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n",
        "ace_shipments.csv": shipments_csv(manifest).encode(),
        "manifest.x12": manifest_309(manifest, control_number=control_number, created=filed_at,
                                     production=production).encode("ascii"),
        "cover_sheet.pdf": cover_sheet_pdf(manifest, port_name=port_name),
        "summary.json": json.dumps(summary, indent=2, ensure_ascii=False).encode() + b"\n",
    }


def write_files(files: dict[str, bytes], target: Path) -> None:
    """Write every file, then move them into ``target`` only once all are on disk."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # Not tempfile.mkdtemp: its 0700 would become the folder's mode. mkdir honours the umask.
    staging = target.parent / f".{target.name}.{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        for name, content in files.items():
            (staging / name).write_bytes(content)
        if not target.exists():
            staging.rename(target)
            return
        for name in files:
            os.replace(staging / name, target / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
