"""Filing a manifest: validate everything, then store the trip and write its files, atomically.

``manifest_orders`` takes an order file (screened with the stored history and stored by
``storage.ingest``, in the same transaction as the trip); ``manifest_stored`` takes shipments
already stored (screened again with the history). Both screen as of the trip's arrival date in
the port's local time.

Order of work, inside ONE database transaction:

1. screen (and, for an order file, store the batch);
2. build the manifest with provisional SCNs and the provisional trip number, and collect every
   problem at once (``app.filing_checks``). Any error raises ``ManifestRefused``: the
   transaction rolls back, nothing is stored, no number is consumed;
3. only then allocate the numbers (``storage.trip_numbers``), build the manifest for real and
   make its files;
4. record the trip (``storage.trips.record_trip``): its files (as blobs), its shipments, the
   SCN registry rows, the shipments MANIFESTED with status history and audit events;
5. write the files (``package.write_files``: all or nothing) and commit. If writing fails the
   transaction rolls back; if the commit fails the files just written are removed.
"""

from __future__ import annotations

import shutil
import uuid
from collections import Counter as Tally
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from ace321.app.errors import Problem, problem
from ace321.app.filing_checks import (
    ManifestOptions,
    ManifestRefused,
    ManifestReport,
    arrival_mismatches,
    export_problems,
    invalid_details,
    left_out,
    local_arrival_date,
    problem_of,
    scn_problems,
    skipped_entry,
    status_problems,
    stored_arrival_mismatches,
    user_scns,
    with_overrides,
)
from ace321.manifest import codes
from ace321.manifest.build import build_manifest
from ace321.manifest.package import manifest_files, write_files
from ace321.manifest.validation import arrival_instant, validate_trip
from ace321.reference.ports import Port, load_ports
from ace321.rules import RuleSet
from ace321.screening import ScreeningResult
from ace321.storage.database import Database, StorageError, lock_names
from ace321.storage.history import canonical_rows, merge_rates, screen_with_history, tenant_id
from ace321.storage.models import Shipment
from ace321.storage.trip_numbers import (
    allocate_control_number,
    allocate_scns,
    next_trip_number,
    trip_by_number,
)
from ace321.storage.trips import (
    FiledDrop,
    batch_shipments,
    record_trip,
    shipments_by_id,
)

__all__ = ["ManifestOptions", "ManifestRefused", "ManifestReport", "manifest_orders",
           "manifest_stored"]


def _drop_ids(shipment_id: str, known: set[str]) -> list[str]:
    if shipment_id in known:
        return [shipment_id]
    parts = shipment_id.split("+")
    if not all(part in known for part in parts):
        raise StorageError(f"cannot tell the shipments of ACE shipment {shipment_id!r}")
    return parts


class _Filing:
    """Steps 2 to 5 of the module docstring, run inside the caller's transaction."""

    def __init__(self, options: ManifestOptions, rules: RuleSet, early: list[Problem],
                 ports: Mapping[str, Port]) -> None:
        self.options = options
        self.rules = rules
        self.early = early
        self.ports = ports
        self.port = ports.get(options.trip.port_of_arrival)
        self.day = local_arrival_date(options.trip, ports)
        self.written: Path | None = None
        self.created_dir = False
        self.report: ManifestReport | None = None
        self.names: list[str] = []

    # step 2
    def __call__(self, session: Session, result: ScreeningResult) -> ManifestReport:
        options, trip = self.options, self.options.trip
        tenant_pk = tenant_id(session, options.tenant)
        problems: list[Problem] = list(self.early)
        ids = result.shipments["shipment_id"].to_list()
        stored = shipments_by_id(session, tenant_pk, ids)
        result = with_overrides(result, stored)
        decisions = dict(zip(ids, result.shipments["decision"].to_list(), strict=True))
        invalid = [s for s in ids if decisions[s] == "INVALID"]
        kept = [s for s in ids if decisions[s] != "INVALID"] if options.skip_invalid else ids
        if not options.skip_invalid:
            problems.extend(invalid_details(result, invalid))
        problems.extend(status_problems(session, stored, kept))
        given = user_scns(result, kept)
        # Numbers given by hand are locked until the commit: two tenants filing for one SCAC at
        # once get DUPLICATE_TRIP_NUMBER / SCN_REUSED, never a unique-index failure.
        lock_names(session, {f"scac-number|{trip.carrier_scac}|{n}"
                             for n in [trip.trip_number, *given] if n})
        problems.extend(scn_problems(session, tenant_pk, trip.carrier_scac, given))
        if trip.trip_number:
            existing = trip_by_number(session, trip.carrier_scac, trip.trip_number)
            if existing is not None:
                whose = (f"a trip filed {existing.filed_at.isoformat()} (status "
                         f"{existing.status})" if existing.tenant_id == tenant_pk else
                         "a trip of another account filing for this carrier")
                problems.append(problem(
                    "DUPLICATE_TRIP_NUMBER", "trip_number",
                    f"trip number {trip.trip_number} is already used for carrier "
                    f"{trip.carrier_scac} by {whose}; a trip number is unique for its SCAC and "
                    "CBP rejects duplicates (418)"))
            trip_number = trip.trip_number
        else:
            trip_number = next_trip_number(session, trip.carrier_scac, self.day, consume=False)
        provisional = iter(range(1, 10**9))
        outcome = build_manifest(
            trip, trip_number, result,
            allocate_scns=lambda n: [f"{trip.carrier_scac}P{next(provisional):011d}"
                                     for _ in range(n)],
            packaging_units=codes.PACKAGING_UNITS, group_commodities=options.group_commodities,
            skip_invalid=options.skip_invalid)
        problems.extend(problem_of(i) for i in outcome.issues)
        if outcome.manifest is not None:
            counts = Tally(s.scn for s in outcome.manifest.shipments)
            for scn, count in counts.items():
                if count > 1:
                    problems.append(problem(
                        "DUPLICATE_SCN", "scn",
                        f"SCN {scn} is given to {count} different consignee drops: one SCN is "
                        "one drop"))
        hazmat = result.lines.filter(
            pl.col("shipment_id").is_in(kept) & pl.col("hazmat_un").is_not_null()).height > 0
        count = (len(outcome.manifest.shipments) if outcome.manifest is not None
                 else len([s for s in kept if decisions[s] != "INVALID"]))
        problems.extend(problem_of(i.as_dict()) for i in validate_trip(
            trip, filed_at=options.filed_at, shipment_count=count, ports=self.ports,
            hazmat=hazmat))
        skipped = [skipped_entry(result, s) for s in outcome.skipped]
        if outcome.manifest is not None and not any(p["severity"] == "error" for p in problems):
            problems.extend(export_problems(outcome.manifest, options))
        if outcome.manifest is None or any(p["severity"] == "error" for p in problems):
            # What was left out, and why: a refusal after skipping every shipment must say
            # more than NO_SHIPMENTS.
            problems.extend(left_out(result, outcome.skipped))
            raise ManifestRefused(problems, [s["shipment_id"] for s in skipped])
        warnings = [p for p in problems if p["severity"] != "error"]
        return self._file(session, tenant_pk, result, stored, kept, warnings, skipped)

    # steps 3 to 5
    def _file(self, session: Session, tenant_pk: int, result: ScreeningResult,
              stored: dict[str, Shipment], kept: list[str], warnings: list[Problem],
              skipped: list[dict[str, Any]]) -> ManifestReport:
        options, trip = self.options, self.options.trip
        trip_number = trip.trip_number or next_trip_number(
            session, trip.carrier_scac, self.day, consume=True)
        outcome = build_manifest(
            trip, trip_number, result,
            allocate_scns=lambda n: allocate_scns(session, tenant_pk, trip.carrier_scac, n),
            packaging_units=codes.PACKAGING_UNITS, group_commodities=options.group_commodities,
            skip_invalid=options.skip_invalid)
        manifest = outcome.manifest
        if manifest is None:  # cannot happen: the dry build had no error
            raise ManifestRefused([problem_of(i) for i in outcome.issues])
        control = allocate_control_number(session, tenant_pk)
        try:
            files = manifest_files(
                manifest, control_number=control, filed_at=options.filed_at,
                production=options.production,
                port_name=self.port.name if self.port else None,
                issues=[i for i in outcome.issues if i["severity"] != "error"],
                skipped=outcome.skipped)
        except ValueError as error:
            raise ManifestRefused([problem("EXPORT_FAILED", "(files)", str(error))]) from error
        known = set(kept)
        drops = []
        for ace in manifest.shipments:
            members = _drop_ids(ace.shipment_id, known)
            drops.append(FiledDrop(ace.scn, ace.type, ace.decision,
                                   [stored[s] for s in members]))
        digests = record_trip(
            session, tenant_pk, trip=trip, trip_number=trip_number, manifest=manifest,
            drops=drops, files=files, control_number=control,
            estimated_arrival=arrival_instant(trip, self.port) or trip.estimated_arrival,
            arrival_date=self.day, production=options.production, filed_at=options.filed_at,
            skipped=[s["shipment_id"] for s in skipped], actor=options.actor, now=options.now)
        self._write(files)
        self.report = ManifestReport(
            trip_number=trip_number, control_number=control, manifest=manifest, files=digests,
            out=options.out, skipped=skipped, warnings=warnings, drops=[
                {"scn": d.scn, "shipment_ids": [s.shipment_id for s in d.shipments],
                 "type": d.ace_type, "decision": d.decision} for d in drops])
        return self.report

    def _write(self, files: dict[str, bytes]) -> None:
        out = self.options.out
        self.created_dir = self.created_dir or not out.exists()
        write_files(files, out)
        self.written = out
        self.names = list(files)

    def undo_files(self) -> None:
        """Remove the files written (the commit failed after they were written)."""
        if self.written is None:
            return
        if self.created_dir:
            shutil.rmtree(self.written, ignore_errors=True)
        else:
            for name in self.names:
                (self.written / name).unlink(missing_ok=True)
        self.written = None


def manifest_orders(db: Database, frame: pl.DataFrame, options: ManifestOptions, *,
                    rules: RuleSet, batch: Any, rates: pl.DataFrame | None = None,
                    hts: pl.Series | None = None) -> ManifestReport:
    """Screen and store an order file and file it as one trip, in one transaction."""
    from ace321.storage.ingest import ingest

    ports = load_ports()
    day = local_arrival_date(options.trip, ports)
    filing = _Filing(options, rules, arrival_mismatches(frame, day), ports)
    stored_ids: list[str] = []

    def within(session: Session, report: Any) -> None:
        stored_ids[:] = report.stored
        filing(session, report.result)

    try:
        ingest(db, frame, rules=rules, batch=batch, actor=options.actor, now=options.now,
               default_arrival=day, rates=rates, hts=hts, tenant=options.tenant, within=within)
    except BaseException:
        filing.undo_files()
        raise
    assert filing.report is not None
    filing.report.stored = stored_ids
    return filing.report


def manifest_stored(db: Database, options: ManifestOptions, *, rules: RuleSet,
                    shipment_ids: list[str] | None = None, batch_id: str | None = None,
                    rates: pl.DataFrame | None = None, hts: pl.Series | None = None
                    ) -> ManifestReport:
    """File stored shipments (by id, or every shipment of a batch) as one trip."""
    ports = load_ports()
    day = local_arrival_date(options.trip, ports)
    filing = _Filing(options, rules, [], ports)
    try:
        with db.transaction() as session:
            tenant_pk = tenant_id(session, options.tenant)
            early: list[Problem] = []
            rows = _select_stored(session, tenant_pk, shipment_ids, batch_id, early)
            lock_names(session, {f"s|{tenant_pk}|{r.shipment_id}" for r in rows})
            early.extend(stored_arrival_mismatches(rows, day))
            if not rows:
                raise ManifestRefused(early or [problem("NO_SHIPMENTS", "shipments",
                                                        "no stored shipment to manifest")])
            filing.early = early
            frame, stored_rates = canonical_rows(session, [r.id for r in rows])
            screening = screen_with_history(
                frame, session, rules, default_arrival=day,
                rates=merge_rates(rates, stored_rates), hts=hts, tenant=options.tenant)
            filing(session, screening.result)
    except BaseException:
        filing.undo_files()
        raise
    assert filing.report is not None
    return filing.report


def _select_stored(session: Session, tenant_pk: int, shipment_ids: list[str] | None,
                   batch_id: str | None, problems: list[Problem]) -> list[Shipment]:
    if batch_id is not None:
        try:
            key = uuid.UUID(batch_id)
        except ValueError:
            problems.append(problem("UNKNOWN_BATCH", "batch", f"{batch_id!r} is not a batch id"))
            return []
        rows = batch_shipments(session, tenant_pk, key)
        if rows is None:
            problems.append(problem("UNKNOWN_BATCH", "batch", f"no stored batch {batch_id}"))
            return []
        return rows
    wanted = list(dict.fromkeys(shipment_ids or []))
    found = shipments_by_id(session, tenant_pk, wanted)
    for shipment_id in wanted:
        if shipment_id not in found:
            problems.append(problem("UNKNOWN_SHIPMENT", f"shipments[{shipment_id}]",
                                    f"no stored shipment {shipment_id}"))
    return [found[s] for s in wanted if s in found]
