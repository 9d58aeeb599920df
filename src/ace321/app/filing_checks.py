"""The checks of a filing, all made before any number is issued, and the filing's data objects.

Every problem is collected at once (``ManifestRefused.problems``): the trip
(``manifest.validation.validate_trip``), the build (invalid shipments, packaging units, hazmat
contacts), the stored state (``SCN_REUSED``, ``DUPLICATE_SCN``, ``INVALID_SCN``,
``SHIPMENT_ON_OPEN_TRIP``, ``SHIPMENT_NOT_MANIFESTABLE``, ``DUPLICATE_TRIP_NUMBER``,
``ARRIVAL_DATE_MISMATCH``, ``UNKNOWN_SHIPMENT``, ``UNKNOWN_BATCH``, ``NO_SHIPMENTS``) and the
exports' own checks (``EXPORT_FAILED``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from ace321.app.errors import AppError, Problem, problem
from ace321.identifiers import scn as scn_id
from ace321.identifiers.exceptions import ValidationError
from ace321.manifest.model import Manifest, Trip
from ace321.manifest.validation import arrival_instant
from ace321.reference.ports import Port, load_ports
from ace321.screening import ScreeningResult
from ace321.storage.history import strictest
from ace321.storage.models import Shipment
from ace321.storage.trip_numbers import registered_scns
from ace321.storage.trips import open_trips_of, trip_numbers_of

MANIFESTABLE = ("SCREENED", "REJECTED")


class ManifestRefused(AppError):
    """The manifest cannot be filed; ``problems`` lists every reason (nothing was stored)."""

    code = "MANIFEST_REFUSED"

    def __init__(self, problems: list[Problem], skipped: list[str] | None = None) -> None:
        errors = [p for p in problems if p["severity"] == "error"]
        super().__init__(f"{len(errors)} problem(s): " + "; ".join(
            f"{p['code']} {p['field']}" for p in errors[:5]), problems=problems)
        self.skipped = skipped or []


@dataclass
class ManifestOptions:
    trip: Trip
    out: Path
    filed_at: dt.datetime
    actor: str
    now: dt.datetime
    production: bool = False
    group_commodities: bool = False
    skip_invalid: bool = False
    tenant: str = "default"


@dataclass
class ManifestReport:
    trip_number: str
    control_number: int
    manifest: Manifest
    files: dict[str, str]  # name -> sha256
    out: Path
    skipped: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    drops: list[dict[str, Any]] = field(default_factory=list)
    stored: list[str] = field(default_factory=list)  # shipments stored from the order file


# -- time and place -----------------------------------------------------------------------


def local_arrival_date(trip: Trip, ports: Mapping[str, Port] | None = None) -> dt.date:
    """The trip's arrival date in the port's local time (the date shipments are screened on)."""
    port = (ports if ports is not None else load_ports()).get(trip.port_of_arrival)
    instant = arrival_instant(trip, port)
    if instant is None:
        return trip.estimated_arrival.date()
    return instant.astimezone(port.zone).date() if port is not None else instant.date()


def arrival_mismatches(frame: pl.DataFrame, day: dt.date) -> list[Problem]:
    """Rows whose own arrival_date is not the trip's local arrival date."""
    if "arrival_date" not in frame.columns:
        return []
    wrong = frame.filter(pl.col("arrival_date").is_not_null()
                         & (pl.col("arrival_date").str.strip_chars() != day.isoformat()))
    out = []
    for row in wrong.group_by("shipment_id", maintain_order=True).first().iter_rows(named=True):
        out.append(problem(
            "ARRIVAL_DATE_MISMATCH", f"shipments[{row['shipment_id']}].arrival_date",
            f"row {row['_row']}: arrival_date {row['arrival_date']} is not the trip's arrival "
            f"date {day} (port local time)"))
    return out


def stored_arrival_mismatches(rows: list[Shipment], day: dt.date) -> list[Problem]:
    return [problem("ARRIVAL_DATE_MISMATCH", f"shipments[{row.shipment_id}].arrival_date",
                    f"shipment {row.shipment_id} arrives {row.arrival_date}, not on the "
                    f"trip's arrival date {day} (port local time)")
            for row in rows if row.arrival_date is not None and row.arrival_date != day]


# -- problems -----------------------------------------------------------------------------


def problem_of(issue: Mapping[str, Any]) -> Problem:
    path = issue.get("field") or ""
    shipment_id = issue.get("shipment_id")
    if shipment_id and not path.startswith("shipments["):
        inner = "" if path in ("", "shipments") else f".{path}"
        path = f"shipments[{shipment_id}]{inner}"
    return problem(issue["code"], path, issue["message"], issue["severity"])


def by_shipment_id(text: str, manifest: Manifest) -> str:
    """``shipments[0].consignee.name: ...`` -> ``shipments[MF-1].consignee.name: ...``: the
    schema's position of a shipment named by its id, as every other problem names it."""

    def name(found: re.Match[str]) -> str:
        index = int(found.group(1))
        if index < len(manifest.shipments):
            return f"shipments[{manifest.shipments[index].shipment_id}]"
        return found.group(0)

    return re.sub(r"shipments\[(\d+)\]", name, text)


def export_problems(manifest: Manifest, options: ManifestOptions) -> list[Problem]:
    """The exports' own checks (JSON schema, X12 layout limits), before any number is used."""
    from ace321.exports.borderconnect_json import trip_document
    from ace321.exports.schema import validate_trip_document
    from ace321.exports.x12.x12_309 import manifest_309

    out = [problem("EXPORT_FAILED", "(ace_trip.json)", by_shipment_id(text, manifest))
           for text in validate_trip_document(trip_document(manifest))]
    try:
        manifest_309(manifest, control_number=1, created=options.filed_at,
                     production=options.production)
    except ValueError as error:
        out.append(problem("EXPORT_FAILED", "(manifest.x12)", str(error)))
    return out


def with_overrides(result: ScreeningResult, stored: dict[str, Shipment]) -> ScreeningResult:
    """A stored manual override (always stricter) wins over the screening."""
    changes = {}
    for shipment_id, decision in result.shipments.select("shipment_id", "decision").iter_rows():
        row = stored.get(shipment_id)
        if row is not None and row.override_decision and decision != "INVALID":
            effective = strictest(decision, row.override_decision)
            if effective != decision:
                changes[shipment_id] = effective
    if not changes:
        return result
    shipments = result.shipments.with_columns(
        pl.col("shipment_id").replace_strict(changes, default=pl.col("decision"),
                                             return_dtype=pl.String).alias("decision"))
    return dataclasses.replace(result, shipments=shipments)


def invalid_details(result: ScreeningResult, invalid: list[str]) -> list[Problem]:
    out = []
    frame = result.shipments.filter(pl.col("shipment_id").is_in(invalid))
    for shipment_id, issues in frame.select("shipment_id", "issues").iter_rows():
        for issue in issues or []:
            if issue["severity"] == "error":
                out.append(problem_of({**issue, "shipment_id": shipment_id}))
    return out


def left_out(result: ScreeningResult, skipped: list[str]) -> list[Problem]:
    """A warning ``SKIPPED_INVALID`` per error of each INVALID shipment left out of a trip."""
    return [{**p, "code": "SKIPPED_INVALID", "severity": "warning",
             "message": f"left out as INVALID: {p['code']}: {p['message']}"}
            for p in invalid_details(result, skipped)]


def skipped_entry(result: ScreeningResult, shipment_id: str) -> dict[str, Any]:
    row = result.shipments.filter(pl.col("shipment_id") == shipment_id).row(0, named=True)
    return {"shipment_id": shipment_id, "codes": list(dict.fromkeys(
        i["code"] for i in row["issues"] or [] if i["severity"] == "error"))}


def status_problems(session: Session, stored: dict[str, Shipment], kept: list[str]
                    ) -> list[Problem]:
    rows = [stored[s] for s in kept if s in stored]
    on_trip: dict[uuid.UUID, tuple[str, str]] = open_trips_of(session, [r.id for r in rows])
    out = []
    for row in rows:
        where = f"shipments[{row.shipment_id}]"
        if row.status != "REJECTED" and row.id in on_trip:
            number, status = on_trip[row.id]
            out.append(problem(
                "SHIPMENT_ON_OPEN_TRIP", where,
                f"shipment {row.shipment_id} is already on trip {number} ({status}); "
                f"cancel that trip first (ace321 trips cancel {number})"))
        elif row.status not in MANIFESTABLE:
            out.append(problem(
                "SHIPMENT_NOT_MANIFESTABLE", where,
                f"shipment {row.shipment_id} is {row.status}: only "
                f"{' or '.join(MANIFESTABLE)} shipments can go on a trip"))
    return out


def user_scns(result: ScreeningResult, kept: list[str]) -> dict[str, list[str]]:
    """User-supplied SCN (as written) -> shipments, from the ``scn`` column."""
    if "scn" not in result.lines.columns:
        return {}
    out: dict[str, list[str]] = {}
    frame = result.lines.filter(pl.col("shipment_id").is_in(kept) & pl.col("scn").is_not_null())
    for shipment_id, scn in frame.group_by("shipment_id", maintain_order=True).first().select(
            "shipment_id", "scn").iter_rows():
        out.setdefault(scn, []).append(shipment_id)
    return out


def scn_problems(session: Session, tenant_pk: int, scac: str,
                 given_scns: dict[str, list[str]]) -> list[Problem]:
    out = []
    valid: dict[str, list[str]] = {}
    for given, shipments in given_scns.items():
        try:
            clean = scn_id.validate(given, scac=scac)
        except (ValidationError, ValueError) as error:
            out.append(problem("INVALID_SCN", f"shipments[{shipments[0]}].scn",
                               f"scn {given!r}: {error}"))
            continue
        if clean != given:
            out.append(problem("INVALID_SCN", f"shipments[{shipments[0]}].scn",
                               f"scn {given!r}: write it as {clean}"))
            continue
        valid[clean] = shipments
    registered = registered_scns(session, valid)
    trips = trip_numbers_of(session, {r.trip_id for r in registered.values()
                                      if r.trip_id is not None and r.tenant_id == tenant_pk})
    for scn, row in registered.items():
        if row.tenant_id != tenant_pk:  # another tenant's trip is not named
            when = "by another account filing for this carrier"
        else:
            on = f" on trip {trips[row.trip_id]}" if row.trip_id in trips else ""
            when = f"{row.issued_at.isoformat()}{on}"
        out.append(problem(
            "SCN_REUSED", f"shipments[{valid[scn][0]}].scn",
            f"SCN {scn} was already issued {when}; an SCN is unique for its SCAC and never "
            "reused"))
    return out
