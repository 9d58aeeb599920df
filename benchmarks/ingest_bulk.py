"""Bulk ingest benchmark: ``ace321.storage.ingest`` of one large order file into a fresh database.

Generates the synthetic order file if it is missing (see ``generate_orders.py``), then for each
backend asked for, into an empty database (a temporary SQLite file; a fresh PostgreSQL schema,
dropped after):

* ingest: read the CSV, screen it with its (empty) history and store every shipment, line,
  party, decision, reason, status and audit event in one transaction (executemany on SQLite,
  COPY on PostgreSQL);
* re-ingest: the same file again, which stores nothing new (every shipment "already stored").

Each backend runs in its own child process, so its peak resident memory (``ru_maxrss``, which
includes reading the file) is its own. It prints seconds, rows per second, the seconds per stage
(``IngestReport.timings``), peak memory and the load average, and always exits 0: it measures, it
does not judge. ``--lines 10000`` gives a quick run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import generate_orders
from sqlalchemy import create_engine, text

from ace321.intake import read_orders
from ace321.intake.rates import read_rates
from ace321.rules import load_rules
from ace321.storage import BatchInfo, Database, ingest

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def run(url: str, path: Path, rates_path: Path) -> dict[str, float | int]:
    rules = load_rules()
    started = time.perf_counter()
    frame = read_orders(path)
    rates = read_rates(rates_path)
    read_s = time.perf_counter() - started
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    db = Database.open(url)
    try:
        results: dict[str, float | int] = {"lines": frame.height, "read_s": read_s}
        for label in ("ingest", "reingest"):
            started = time.perf_counter()
            report = ingest(db, frame, rules=rules, batch=BatchInfo(path.name, digest, frame.height),
                            actor="bench", now=dt.datetime.now(dt.UTC), rates=rates)
            results[f"{label}_s"] = time.perf_counter() - started
            results[f"{label}_stored"] = len(report.stored)
            results.update({f"{label}:{stage}": seconds
                            for stage, seconds in report.timings.items()})
        with db.engine.connect() as connection:
            for table in ("shipments", "shipment_lines", "decisions", "audit_events"):
                results[table] = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    finally:
        db.close()
    return results


def run_backend(backend: str, pg: str, path: Path, rates_path: Path) -> dict[str, float | int]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            return run(f"sqlite:///{tmp}/bench.db", path, rates_path)
    schema = f"ace321_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        return run(f"{pg}?options=-csearch_path%3D{schema}", path, rates_path)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _stages(results: dict[str, float | int], label: str) -> str:
    prefix = f"{label}:"
    return ", ".join(f"{key.removeprefix(prefix)} {value:.1f}" for key, value in results.items()
                     if key.startswith(prefix))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg", default=PG_ADMIN, help=f"PostgreSQL URL (default {PG_ADMIN})")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = generate_orders.default_path(args.lines)
    if args.child:  # one backend, results as JSON on the last line of stdout
        results = run_backend(args.backends, args.pg, path, path.with_name("rates.csv"))
        results["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(results))
        return
    if not path.exists():
        generate_orders.write_orders(path, args.lines)
    generate_orders.write_rates(path.with_name("rates.csv"))
    print(f"file {path} ({path.stat().st_size / 1e6:.1f} MB); load average "
          f"{' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    for backend in args.backends.split(","):
        child = subprocess.run(
            [sys.executable, __file__, "--child", "--lines", str(args.lines), "--backends",
             backend, "--pg", args.pg], capture_output=True, text=True, check=False)
        if child.returncode != 0:
            print(f"{backend}: failed (exit {child.returncode}):\n{child.stderr[-2000:]}")
            continue
        results = json.loads(child.stdout.strip().splitlines()[-1])
        lines = int(results["lines"])
        print(f"{backend}: read {results['read_s']:.1f} s; ingest {results['ingest_s']:.1f} s "
              f"({lines / float(results['ingest_s']):,.0f} lines/s, "
              f"{results['ingest_stored']:,} shipments stored); re-ingest "
              f"{results['reingest_s']:.1f} s ({results['reingest_stored']} stored); peak "
              f"{results['peak_mb']:,.0f} MB; rows: {results['shipments']:,} shipments, "
              f"{results['shipment_lines']:,} lines, {results['decisions']:,} decisions, "
              f"{results['audit_events']:,} audit events; load average "
              f"{' '.join(f'{n:.2f}' for n in os.getloadavg())}")
        print(f"  ingest stages (s): {_stages(results, 'ingest')}")
        print(f"  re-ingest stages (s): {_stages(results, 'reingest')}")


if __name__ == "__main__":
    main()
