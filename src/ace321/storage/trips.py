"""Filing a manifest: validate everything, then store the trip and write its files, atomically.

``manifest_orders`` takes an order file (screened with the stored history and stored by
``storage.ingest``, in the same transaction as the trip); ``manifest_stored`` takes shipments
already stored (screened again with the history). Both screen as of the trip's arrival date in
the port's local time.

Order of work, inside ONE database transaction:

1. screen (and, for an order file, store the batch);
2. build the manifest with provisional SCNs and the provisional trip number, and collect every
   problem at once: the trip (``manifest.validation.validate_trip``), the build (invalid
   shipments, packaging units, hazmat contacts), and the storage checks (``SCN_REUSED``,
   ``DUPLICATE_SCN``, ``INVALID_SCN``, ``SHIPMENT_ON_OPEN_TRIP``, ``SHIPMENT_NOT_MANIFESTABLE``,
   ``DUPLICATE_TRIP_NUMBER``, ``ARRIVAL_DATE_MISMATCH``, ``UNKNOWN_SHIPMENT``,
   ``UNKNOWN_BATCH``, ``NO_SHIPMENTS``), and the exports' own checks (``EXPORT_FAILED``: the
   files are made once with provisional numbers). Any error raises ``ManifestRefused``: the
   transaction rolls back, nothing is stored, no number is consumed;
3. only then allocate the numbers (SCNs: PostgreSQL sequence ``scn_seq`` or the SQLite
   ``counters`` row; the trip number's sequence; the ISA13 control number: ``x12_control_seq``
   or a counter), build the manifest for real and make its files;
4. insert the trip, its files (as blobs), its shipments, the SCN registry rows, move the
   shipments to MANIFESTED with status history and audit events;
5. write the files (``package.write_files``: all or nothing) and commit. If writing fails the
   transaction rolls back; if the commit fails the files just written are removed.

PostgreSQL sequence values are not transactional: a transaction that fails after step 3
leaves a gap in the SCNs, never a reuse. Generated SCNs already in the registry (an SCN once
supplied by hand) are skipped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import shutil
import uuid
from collections import Counter as Tally
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from ace321.identifiers import scn as scn_id
from ace321.identifiers.exceptions import ValidationError
from ace321.manifest import codes
from ace321.manifest.build import build_manifest
from ace321.manifest.model import Manifest, Trip
from ace321.manifest.package import manifest_files, write_files
from ace321.manifest.validation import arrival_instant, generate_trip_number, validate_trip
from ace321.reference.ports import Port, load_ports
from ace321.rules import RuleSet
from ace321.screening import ScreeningResult
from ace321.storage import audit
from ace321.storage.database import Database, StorageError, lock_names
from ace321.storage.history import (
    canonical_rows,
    merge_rates,
    screen_with_history,
    strictest,
    tenant_id,
)
from ace321.storage.models import Batch, ScnRegistry, Shipment, StatusChange
from ace321.storage.trip_models import (
    OPEN_TRIP_STATUSES,
    Counter,
    TripFile,
    TripRecord,
    TripShipment,
)

SCN_DIGITS = 12
CONTROL_MAX = 999_999_999
MANIFESTABLE = ("SCREENED", "REJECTED")
CANCELLABLE = ("OPEN", "REJECTED")
_CHUNK = 500

Problem = dict[str, Any]
"""``{"code", "severity", "field", "message"}``."""


def problem(code: str, field_path: str, message: str, severity: str = "error") -> Problem:
    return {"code": code, "severity": severity, "field": field_path, "message": message}


class ManifestRefused(StorageError):
    """The manifest cannot be filed; ``problems`` lists every reason (nothing was stored)."""

    def __init__(self, problems: list[Problem], skipped: list[str] | None = None) -> None:
        errors = [p for p in problems if p["severity"] == "error"]
        super().__init__(f"{len(errors)} problem(s): " + "; ".join(
            f"{p['code']} {p['field']}" for p in errors[:5]))
        self.problems = problems
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


# -- numbers ------------------------------------------------------------------------------


def _bump(session: Session, tenant_pk: int, name: str, count: int = 1) -> int:
    """Add ``count`` to a counter (created at 0); returns the new value. Rolled back with
    the transaction."""
    result = session.execute(text(
        "INSERT INTO counters (tenant_id, name, value) VALUES (:t, :n, :k) "
        "ON CONFLICT (tenant_id, name) DO UPDATE SET value = counters.value + :k "
        "RETURNING value"), {"t": tenant_pk, "n": name, "k": count})
    return int(result.scalar_one())


def _peek(session: Session, tenant_pk: int, name: str) -> int:
    value = session.execute(select(Counter.value).where(
        Counter.tenant_id == tenant_pk, Counter.name == name)).scalar_one_or_none()
    return int(value or 0)


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _registered(session: Session, tenant_pk: int, scns: Iterable[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    values = sorted(set(scns))
    for start in range(0, len(values), _CHUNK):
        for row in session.execute(select(ScnRegistry.scn, ScnRegistry.issued_at,
                                          ScnRegistry.trip_id, ScnRegistry.shipment_pk).where(
                ScnRegistry.tenant_id == tenant_pk,
                ScnRegistry.scn.in_(values[start:start + _CHUNK]))):
            found[row.scn] = row
    return found


def allocate_scns(session: Session, tenant_pk: int, scac: str, count: int) -> list[str]:
    """``count`` new SCNs: SCAC + 12 digits from the database sequence, never registered."""
    out: list[str] = []
    while len(out) < count:
        need = count - len(out)
        if _postgres(session):
            numbers = list(session.execute(text(
                "SELECT nextval('scn_seq') FROM generate_series(1, :n)"), {"n": need}).scalars())
        else:
            last = _bump(session, tenant_pk, "scn", need)
            numbers = list(range(last - need + 1, last + 1))
        candidates = [f"{scac}{n:0{SCN_DIGITS}d}" for n in numbers]
        taken = _registered(session, tenant_pk, candidates)
        out.extend(c for c in candidates if c not in taken)
    return out


def allocate_control_number(session: Session, tenant_pk: int) -> int:
    """The next ISA13 interchange control number (1 to 999,999,999, then round again)."""
    if _postgres(session):
        return int(session.execute(text("SELECT nextval('x12_control_seq')")).scalar_one())
    return (_bump(session, tenant_pk, "x12_control") - 1) % CONTROL_MAX + 1


def _trip_counter(scac: str, day: dt.date) -> str:
    return f"trip:{scac}:{day:%Y%m%d}"


def _trip_exists(session: Session, tenant_pk: int, number: str) -> TripRecord | None:
    return session.scalars(select(TripRecord).where(
        TripRecord.tenant_id == tenant_pk, TripRecord.trip_number == number)).one_or_none()


def _generated_trip_number(session: Session, tenant_pk: int, scac: str, day: dt.date, *,
                           consume: bool) -> str:
    name = _trip_counter(scac, day)
    sequence = _peek(session, tenant_pk, name)
    while True:
        sequence = _bump(session, tenant_pk, name) if consume else sequence + 1
        number = generate_trip_number(scac, day, sequence)
        if _trip_exists(session, tenant_pk, number) is None:
            return number


# -- the filing ---------------------------------------------------------------------------


def _problem_of(issue: Mapping[str, Any]) -> Problem:
    path = issue.get("field") or ""
    shipment_id = issue.get("shipment_id")
    if shipment_id and not path.startswith("shipments["):
        inner = "" if path in ("", "shipments") else f".{path}"
        path = f"shipments[{shipment_id}]{inner}"
    return problem(issue["code"], path, issue["message"], issue["severity"])


def _drop_ids(shipment_id: str, known: set[str]) -> list[str]:
    if shipment_id in known:
        return [shipment_id]
    parts = shipment_id.split("+")
    if not all(part in known for part in parts):
        raise StorageError(f"cannot tell the shipments of ACE shipment {shipment_id!r}")
    return parts


def _export_problems(manifest: Manifest, options: ManifestOptions) -> list[Problem]:
    """The exports' own checks (JSON schema, X12 layout limits), before any number is used."""
    from ace321.exports.borderconnect_json import trip_document
    from ace321.exports.schema import validate_trip_document
    from ace321.exports.x12.x12_309 import manifest_309

    out = [problem("EXPORT_FAILED", "(ace_trip.json)", text)
           for text in validate_trip_document(trip_document(manifest))]
    try:
        manifest_309(manifest, control_number=1, created=options.filed_at,
                     production=options.production)
    except ValueError as error:
        out.append(problem("EXPORT_FAILED", "(manifest.x12)", str(error)))
    return out


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
        stored = self._stored(session, tenant_pk, ids)
        result = self._with_overrides(result, stored)
        decisions = dict(zip(ids, result.shipments["decision"].to_list(), strict=True))
        invalid = [s for s in ids if decisions[s] == "INVALID"]
        kept = [s for s in ids if decisions[s] != "INVALID"] if options.skip_invalid else ids
        if not options.skip_invalid:
            problems.extend(self._invalid_details(result, invalid))
        problems.extend(self._status_problems(session, stored, kept))
        user_scns = self._user_scns(result, kept)
        problems.extend(self._scn_problems(session, tenant_pk, user_scns))
        if trip.trip_number:
            existing = _trip_exists(session, tenant_pk, trip.trip_number)
            if existing is not None:
                problems.append(problem(
                    "DUPLICATE_TRIP_NUMBER", "trip_number",
                    f"trip number {trip.trip_number} is already used by a trip filed "
                    f"{_utc(existing.created_at):%Y-%m-%d %H:%M} UTC (status {existing.status}); "
                    "CBP rejects duplicates (418)"))
            trip_number = trip.trip_number
        else:
            trip_number = _generated_trip_number(session, tenant_pk, trip.carrier_scac,
                                                 self.day, consume=False)
        provisional = iter(range(1, 10**9))
        outcome = build_manifest(
            trip, trip_number, result,
            allocate_scns=lambda n: [f"{trip.carrier_scac}P{next(provisional):011d}"
                                     for _ in range(n)],
            packaging_units=codes.PACKAGING_UNITS, group_commodities=options.group_commodities,
            skip_invalid=options.skip_invalid)
        problems.extend(_problem_of(i) for i in outcome.issues)
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
        problems.extend(_problem_of(i.as_dict()) for i in validate_trip(
            trip, filed_at=options.filed_at, shipment_count=count, ports=self.ports,
            hazmat=hazmat))
        skipped = [self._skipped(result, s) for s in outcome.skipped]
        if outcome.manifest is not None and not any(p["severity"] == "error" for p in problems):
            problems.extend(_export_problems(outcome.manifest, options))
        if outcome.manifest is None or any(p["severity"] == "error" for p in problems):
            raise ManifestRefused(problems, [s["shipment_id"] for s in skipped])
        warnings = [p for p in problems if p["severity"] != "error"]
        return self._file(session, tenant_pk, result, stored, kept, warnings, skipped)

    def _stored(self, session: Session, tenant_pk: int, ids: list[str]) -> dict[str, Shipment]:
        found: dict[str, Shipment] = {}
        for start in range(0, len(ids), _CHUNK):
            for row in session.scalars(select(Shipment).where(
                    Shipment.tenant_id == tenant_pk,
                    Shipment.shipment_id.in_(ids[start:start + _CHUNK]))):
                found[row.shipment_id] = row
        return found

    @staticmethod
    def _with_overrides(result: ScreeningResult, stored: dict[str, Shipment]) -> ScreeningResult:
        """A stored manual override (always stricter) wins over the screening."""
        changes = {}
        for shipment_id, decision in result.shipments.select(
                "shipment_id", "decision").iter_rows():
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

    @staticmethod
    def _invalid_details(result: ScreeningResult, invalid: list[str]) -> list[Problem]:
        out = []
        frame = result.shipments.filter(pl.col("shipment_id").is_in(invalid))
        for shipment_id, issues in frame.select("shipment_id", "issues").iter_rows():
            for issue in issues or []:
                if issue["severity"] == "error":
                    out.append(_problem_of({**issue, "shipment_id": shipment_id}))
        return out

    @staticmethod
    def _skipped(result: ScreeningResult, shipment_id: str) -> dict[str, Any]:
        row = result.shipments.filter(pl.col("shipment_id") == shipment_id).row(0, named=True)
        return {"shipment_id": shipment_id, "codes": list(dict.fromkeys(
            i["code"] for i in row["issues"] or [] if i["severity"] == "error"))}

    def _status_problems(self, session: Session, stored: dict[str, Shipment],
                         kept: list[str]) -> list[Problem]:
        rows = [stored[s] for s in kept if s in stored]
        on_trip: dict[uuid.UUID, tuple[str, str]] = {}
        pks = [r.id for r in rows]
        for start in range(0, len(pks), _CHUNK):
            for pk, number, status in session.execute(
                    select(TripShipment.shipment_pk, TripRecord.trip_number, TripRecord.status)
                    .join(TripRecord, TripRecord.id == TripShipment.trip_id)
                    .where(TripShipment.shipment_pk.in_(pks[start:start + _CHUNK]),
                           TripRecord.status.in_(OPEN_TRIP_STATUSES))):
                on_trip[pk] = (number, status)
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

    @staticmethod
    def _user_scns(result: ScreeningResult, kept: list[str]) -> dict[str, list[str]]:
        """User-supplied SCN (as written) -> shipments, from the ``scn`` column."""
        if "scn" not in result.lines.columns:
            return {}
        out: dict[str, list[str]] = {}
        frame = result.lines.filter(pl.col("shipment_id").is_in(kept) & pl.col("scn").is_not_null())
        for shipment_id, scn in frame.group_by("shipment_id", maintain_order=True).first().select(
                "shipment_id", "scn").iter_rows():
            out.setdefault(scn, []).append(shipment_id)
        return out

    def _scn_problems(self, session: Session, tenant_pk: int,
                      user_scns: dict[str, list[str]]) -> list[Problem]:
        scac = self.options.trip.carrier_scac
        out = []
        valid: dict[str, list[str]] = {}
        for given, shipments in user_scns.items():
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
        registered = _registered(session, tenant_pk, valid)
        trips = {}
        if registered:
            trip_ids = {r.trip_id for r in registered.values() if r.trip_id is not None}
            trips = dict(session.execute(select(TripRecord.id, TripRecord.trip_number).where(
                TripRecord.id.in_(trip_ids))).all()) if trip_ids else {}
        for scn, row in registered.items():
            on = f" on trip {trips[row.trip_id]}" if row.trip_id in trips else ""
            out.append(problem(
                "SCN_REUSED", f"shipments[{valid[scn][0]}].scn",
                f"SCN {scn} was already issued {_utc(row.issued_at):%Y-%m-%d %H:%M} UTC{on}; an SCN "
                "is never reused"))
        return out

    # steps 3 to 5
    def _file(self, session: Session, tenant_pk: int, result: ScreeningResult,
              stored: dict[str, Shipment], kept: list[str], warnings: list[Problem],
              skipped: list[dict[str, Any]]) -> ManifestReport:
        options, trip = self.options, self.options.trip
        trip_number = trip.trip_number or _generated_trip_number(
            session, tenant_pk, trip.carrier_scac, self.day, consume=True)
        outcome = build_manifest(
            trip, trip_number, result,
            allocate_scns=lambda n: allocate_scns(session, tenant_pk, trip.carrier_scac, n),
            packaging_units=codes.PACKAGING_UNITS, group_commodities=options.group_commodities,
            skip_invalid=options.skip_invalid)
        manifest = outcome.manifest
        if manifest is None:  # cannot happen: the dry build had no error
            raise ManifestRefused([_problem_of(i) for i in outcome.issues])
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
        now, actor = options.now, options.actor
        record = TripRecord(
            tenant_id=tenant_pk, trip_number=trip_number, carrier_scac=trip.carrier_scac,
            port_of_arrival=trip.port_of_arrival,
            estimated_arrival=_utc(arrival_instant(trip, self.port) or trip.estimated_arrival),
            arrival_date=self.day, status="OPEN", control_number=control,
            production=options.production, filed_at=_utc(options.filed_at),
            rules_version=manifest.rules_version,
            trip_json=trip.model_dump_json(), actor=actor, created_at=now, updated_at=now)
        session.add(record)
        session.flush()
        digests = {name: hashlib.sha256(content).hexdigest() for name, content in files.items()}
        session.execute(insert(TripFile), [
            {"trip_id": record.id, "name": name, "sha256": digests[name], "size": len(content),
             "content": content} for name, content in files.items()])
        known = set(kept)
        links, registry, moves, drops = [], [], [], []
        for position, ace in enumerate(manifest.shipments, start=1):
            members = _drop_ids(ace.shipment_id, known)
            drops.append({"scn": ace.scn, "shipment_ids": members, "type": ace.type,
                          "decision": ace.decision})
            registry.append({"tenant_id": tenant_pk, "scn": ace.scn,
                             "shipment_pk": stored[members[0]].id, "issued_at": now,
                             "active": True, "actor": actor,
                             "rules_version": manifest.rules_version, "trip_id": record.id})
            for shipment_id in members:
                row = stored[shipment_id]
                links.append({"trip_id": record.id, "shipment_pk": row.id, "scn": ace.scn,
                              "ace_type": ace.type, "decision": ace.decision,
                              "position": position})
                moves.append((row, ace.scn, ace.type))
        session.execute(insert(TripShipment), links)
        session.execute(insert(ScnRegistry), registry)
        entries = [audit.Entry(
            "manifest", "trip", trip_number,
            after={"port": trip.port_of_arrival, "arrival": record.estimated_arrival.isoformat(),
                   "control_number": control, "scns": [d["scn"] for d in drops],
                   "shipments": [s for d in drops for s in d["shipment_ids"]],
                   "skipped": [s["shipment_id"] for s in skipped], "files": digests},
            rules_version=manifest.rules_version)]
        history = []
        for row, scn, ace_type in moves:
            before = row.status
            changed = session.execute(update(Shipment).where(
                Shipment.id == row.id, Shipment.status == before).values(
                status="MANIFESTED", ace_shipment_type=ace_type, updated_at=now)
                .execution_options(synchronize_session=False))
            if changed.rowcount != 1:  # type: ignore[attr-defined]
                raise StorageError(f"shipment {row.shipment_id} changed status meanwhile: "
                                   "nothing was filed, try again")
            cause = f"manifested on trip {trip_number} as {ace_type}, SCN {scn}"
            history.append({"shipment_pk": row.id, "from_status": before,
                            "to_status": "MANIFESTED", "changed_at": now, "actor": actor,
                            "cause": cause})
            entries.append(audit.Entry("status", "shipment", row.shipment_id,
                                       before={"status": before},
                                       after={"status": "MANIFESTED", "cause": cause,
                                              "trip": trip_number, "scn": scn}))
        session.execute(insert(StatusChange), history)
        audit.append(session, tenant_id=tenant_pk, actor=actor, at=now, entries=entries)
        session.flush()
        self._write(files)
        self.report = ManifestReport(
            trip_number=trip_number, control_number=control, manifest=manifest, files=digests,
            out=options.out, skipped=skipped, warnings=warnings, drops=drops)
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
            for row in rows:
                if row.arrival_date is not None and row.arrival_date != day:
                    early.append(problem(
                        "ARRIVAL_DATE_MISMATCH", f"shipments[{row.shipment_id}].arrival_date",
                        f"shipment {row.shipment_id} arrives {row.arrival_date}, not on the "
                        f"trip's arrival date {day} (port local time)"))
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
        if session.get(Batch, key) is None:
            problems.append(problem("UNKNOWN_BATCH", "batch", f"no stored batch {batch_id}"))
            return []
        return list(session.scalars(select(Shipment).where(
            Shipment.tenant_id == tenant_pk, Shipment.batch_id == key)
            .order_by(Shipment.created_at, Shipment.shipment_id)))
    wanted = list(dict.fromkeys(shipment_ids or []))
    found = {}
    for start in range(0, len(wanted), _CHUNK):
        for row in session.scalars(select(Shipment).where(
                Shipment.tenant_id == tenant_pk,
                Shipment.shipment_id.in_(wanted[start:start + _CHUNK]))):
            found[row.shipment_id] = row
    for shipment_id in wanted:
        if shipment_id not in found:
            problems.append(problem("UNKNOWN_SHIPMENT", f"shipments[{shipment_id}]",
                                    f"no stored shipment {shipment_id}"))
    return [found[s] for s in wanted if s in found]


# -- trips: list, show, files, cancel -----------------------------------------------------


def _trip(session: Session, tenant_pk: int, trip_number: str, *, for_update: bool = False
          ) -> TripRecord:
    query = select(TripRecord).where(TripRecord.tenant_id == tenant_pk,
                                     TripRecord.trip_number == trip_number)
    if for_update:
        query = query.with_for_update()
    record = session.scalars(query).one_or_none()
    if record is None:
        raise StorageError(f"no trip {trip_number!r}")
    return record


def list_trips(session: Session, *, tenant: str = "default", status: str | None = None
               ) -> list[dict[str, Any]]:
    tenant_pk = tenant_id(session, tenant)
    counts = (select(TripShipment.trip_id, func.count().label("shipments"),
                     func.count(func.distinct(TripShipment.scn)).label("scns"))
              .group_by(TripShipment.trip_id).subquery())
    query = (select(TripRecord, counts.c.shipments, counts.c.scns)
             .outerjoin(counts, counts.c.trip_id == TripRecord.id)
             .where(TripRecord.tenant_id == tenant_pk))
    if status:
        query = query.where(TripRecord.status == status.upper())
    out = []
    for record, shipments, scns in session.execute(query.order_by(TripRecord.estimated_arrival,
                                                                  TripRecord.id)):
        out.append({**_trip_summary(record), "shipments": shipments or 0, "scns": scns or 0})
    return out


def _utc(value: dt.datetime) -> dt.datetime:
    """Aware UTC (SQLite gives back naive datetimes: they were stored in UTC)."""
    return value.replace(tzinfo=dt.UTC) if value.utcoffset() is None else value.astimezone(dt.UTC)


def _trip_summary(record: TripRecord) -> dict[str, Any]:
    port = load_ports().get(record.port_of_arrival)
    arrival = _utc(record.estimated_arrival)
    return {
        "trip_number": record.trip_number, "carrier_scac": record.carrier_scac,
        "port_of_arrival": record.port_of_arrival,
        "estimated_arrival": (arrival.astimezone(port.zone) if port else arrival).isoformat(),
        "arrival_date": record.arrival_date.isoformat(), "status": record.status,
        "control_number": record.control_number, "production": record.production,
        "filed_at": _utc(record.filed_at).isoformat(),
        "created_at": _utc(record.created_at).isoformat(),
        "actor": record.actor, "rules_version": record.rules_version,
    }


def show_trip(session: Session, trip_number: str, *, tenant: str = "default") -> dict[str, Any]:
    from ace321.storage.trip_models import CbpResponse

    record = _trip(session, tenant_id(session, tenant), trip_number)
    shipments = [
        {"position": link.position, "scn": link.scn, "shipment_id": shipment.shipment_id,
         "type": link.ace_type, "decision": link.decision, "status": shipment.status}
        for link, shipment in session.execute(
            select(TripShipment, Shipment).join(Shipment, Shipment.id == TripShipment.shipment_pk)
            .where(TripShipment.trip_id == record.id)
            .order_by(TripShipment.position, Shipment.shipment_id))]
    files = [{"name": f.name, "sha256": f.sha256, "size": f.size} for f in session.execute(
        select(TripFile.name, TripFile.sha256, TripFile.size)
        .where(TripFile.trip_id == record.id).order_by(TripFile.id))]
    responses = [
        {"received_at": _utc(r.received_at).isoformat(), "message_type": r.message_type,
         "scn": r.scn, "code": r.code, "text": r.text, "known": r.known, "outcome": r.outcome,
         "source_file": r.source_file}
        for r in session.scalars(select(CbpResponse).where(CbpResponse.trip_id == record.id)
                                 .order_by(CbpResponse.id))]
    return {**_trip_summary(record), "trip": json.loads(record.trip_json),
            "shipments": shipments, "files": files, "responses": responses}


def trip_files(session: Session, trip_number: str, *, tenant: str = "default"
               ) -> dict[str, bytes]:
    """The stored files of a trip, byte for byte (their SHA-256 is checked)."""
    record = _trip(session, tenant_id(session, tenant), trip_number)
    out = {}
    for name, digest, content in session.execute(select(
            TripFile.name, TripFile.sha256, TripFile.content).where(
            TripFile.trip_id == record.id).order_by(TripFile.id)):
        data = bytes(content)
        if hashlib.sha256(data).hexdigest() != digest:
            raise StorageError(f"trip {trip_number}: stored file {name} does not match its "
                               "SHA-256")
        out[name] = data
    return out


def cancel_trip(db: Database, trip_number: str, *, actor: str, now: dt.datetime,
                reason: str, tenant: str = "default") -> dict[str, Any]:
    """Cancel a trip not yet transmitted (or rejected): its MANIFESTED shipments go back to
    SCREENED, free for another trip. Its SCNs stay in the registry, never to be issued again."""
    if not reason.strip():
        raise StorageError("cancelling a trip needs a reason")
    with db.transaction() as session:
        tenant_pk = tenant_id(session, tenant)
        record = _trip(session, tenant_pk, trip_number, for_update=True)
        if record.status not in CANCELLABLE:
            raise StorageError(
                f"trip {trip_number} is {record.status}: only {' or '.join(CANCELLABLE)} trips "
                "can be cancelled (once CBP has it, amend or delete it with CBP)")
        rows = list(session.scalars(select(Shipment).join(
            TripShipment, TripShipment.shipment_pk == Shipment.id).where(
            TripShipment.trip_id == record.id).order_by(Shipment.shipment_id)
            .with_for_update()))
        lock_names(session, {f"s|{tenant_pk}|{r.shipment_id}" for r in rows})
        cause = f"trip {trip_number} cancelled: {reason}"
        freed, history = [], []
        entries = [audit.Entry("cancel", "trip", trip_number, before={"status": record.status},
                               after={"status": "CANCELLED", "reason": reason})]
        for row in rows:
            if row.status != "MANIFESTED":
                continue
            session.execute(update(Shipment).where(Shipment.id == row.id).values(
                status="SCREENED", updated_at=now))
            history.append({"shipment_pk": row.id, "from_status": "MANIFESTED",
                            "to_status": "SCREENED", "changed_at": now, "actor": actor,
                            "cause": cause})
            entries.append(audit.Entry("status", "shipment", row.shipment_id,
                                       before={"status": "MANIFESTED"},
                                       after={"status": "SCREENED", "cause": cause}))
            freed.append(row.shipment_id)
        if history:
            session.execute(insert(StatusChange), history)
        before = record.status
        session.execute(update(TripRecord).where(TripRecord.id == record.id).values(
            status="CANCELLED", updated_at=now))
        audit.append(session, tenant_id=tenant_pk, actor=actor, at=now, entries=entries)
        return {"trip_number": trip_number, "before": before, "status": "CANCELLED",
                "freed": freed}
