"""Web workspace speed: a page of 50 shipments out of about 300,000 stored, and the upload of a
10,000-line file up to its result page.

Generates the synthetic files if missing (``generate_orders.py``), ingests the 1,000,000-line
file (about 300,000 shipments) into an SQLite database under ``benchmarks/data`` once (kept
for later runs), then drives the whole application in process (FastAPI's TestClient: routing,
session lookup, queries, templates) and prints the timings:

    .venv/bin/python benchmarks/web_pages.py [--repeat 20] [--db sqlite:///...]

Targets (issue 13): a page of 50 of 300,000 in under 300 ms; a 10,000-line upload returns its
result page in under 5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

import generate_orders
import polars as pl

from ace321.intake import read_orders
from ace321.intake.rates import read_rates
from ace321.rules import load_rules
from ace321.storage import BatchInfo, Database, ingest
from ace321.storage.users import create_user

PASSWORD = "benchmark password"


def stored_db(lines: int) -> Path:
    data = generate_orders.DATA_DIR
    path = data / f"web_{lines}.db"
    if path.exists():
        return path
    orders = generate_orders.default_path(lines)
    if not orders.exists():
        generate_orders.write_orders(orders, lines)
    generate_orders.write_rates(orders.with_name("rates.csv"))
    work = path.with_suffix(".tmp")
    work.unlink(missing_ok=True)
    database = Database.open(f"sqlite:///{work}")
    started = time.perf_counter()
    frame = read_orders(orders)
    report = ingest(database, frame, rules=load_rules(),
                    batch=BatchInfo(orders.name, "bench", frame.height), actor="bench",
                    now=dt.datetime.now(dt.UTC),
                    rates=read_rates(orders.with_name("rates.csv")))
    print(f"stored {len(report.stored):,} shipments of {lines:,} lines in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    database.close()
    shutil.move(work, path)
    return path


def timed(call, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def show(name: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    print(f"{name:58s} median {statistics.median(ms):7.1f} ms  p95 {p95:7.1f} ms  "
          f"max {ms[-1]:7.1f} ms  (n={len(ms)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--upload-lines", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from ace321.api import create_app

    source = stored_db(args.lines)
    work = source.with_name("web_bench_run.db")
    shutil.copy(source, work)
    url = f"sqlite:///{work}"
    database = Database.open(url)
    create_user(database, email="bench@example.com", tenant="default", role="clerk",
                password=PASSWORD, actor="bench", now=dt.datetime.now(dt.UTC))
    app = create_app(url, database=database)
    client = TestClient(app, base_url="https://testserver")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").text)[1]
    client.post("/sign-in", data={"email": "bench@example.com", "password": PASSWORD,
                                  "csrf_token": token})
    with database.reading() as session:
        from sqlalchemy import text

        total = session.execute(text("SELECT count(*) FROM shipments")).scalar()
    print(f"{total:,} shipments stored; pages of 50")

    def page(path: str) -> None:
        answer = client.get(path, headers={"HX-Request": "true"} if "hx" in path else None)
        assert answer.status_code == 200, answer.text[:300]
        assert answer.text.count('<td><a href="/shipments/') == 50, path

    client.get("/shipments")  # warm the templates and the caches once
    show("GET /shipments (page 1, full page)", timed(lambda: page("/shipments"), args.repeat))
    show("GET /shipments?page=2 (htmx: the table only)",
         timed(lambda: page("/shipments?page=2&hx=1"), args.repeat))
    show("GET /shipments?page=3000 (deep page)",
         timed(lambda: page("/shipments?page=3000"), args.repeat))
    show("GET /shipments?decision=INFORMAL_ENTRY",
         timed(lambda: page("/shipments?decision=INFORMAL_ENTRY"), args.repeat))
    show("GET /shipments?status=SCREENED&decision=SECTION_321",
         timed(lambda: page("/shipments?status=SCREENED&decision=FORMAL_ENTRY"), args.repeat))
    show("GET / (dashboard)", timed(lambda: client.get("/"), max(3, args.repeat // 4)))

    def upload_file(seed: int) -> pl.DataFrame:
        path = generate_orders.DATA_DIR / f"web_upload_{args.upload_lines}_seed{seed}.csv"
        if not path.exists():
            generate_orders.write_orders(path, args.upload_lines, seed=seed)
        return pl.read_csv(path, infer_schema=False)

    def upload(lines: pl.DataFrame, tag: str, times: list[float]) -> None:
        # New order and shipment ids each run: the file is stored, never "already stored".
        renamed = lines.with_columns(pl.format("WEB{}-{}", pl.lit(tag), pl.col(c)).alias(c)
                                     for c in ("order_id", "shipment_id"))
        body = renamed.write_csv().encode()
        started = time.perf_counter()
        form = client.get("/upload").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
        answer = client.post("/upload", data={"csrf_token": csrf, "arrival_date": "2025-06-02"},
                             files={"file": (f"upload-{tag}.csv", body, "text/csv")})
        elapsed = (time.perf_counter() - started) * 1000
        assert answer.status_code == 200 and "Result of" in answer.text, answer.text[:500]
        times.append(elapsed)

    jobs = app.state.risk_jobs
    # A new day's file each time: other customers (seeds 7, 8, 9) than the stored ones.
    fresh: list[float] = []
    scoring: list[float] = []
    for seed in (7, 8, 9):
        upload(upload_file(seed), f"S{seed}", fresh)
        started = time.perf_counter()
        jobs.wait_all()
        scoring.append((time.perf_counter() - started) * 1000)
    show(f"POST /upload {args.upload_lines:,} new lines -> result page ({total:,} stored)", fresh)
    show("  then its risk scores stored in the background (after the page)", scoring)
    # The same customers and days again (seed 7 once more): every person-day's total
    # grows, so stored shipments are screened along and some re-screened.
    again: list[float] = []
    upload(upload_file(7), "again", again)
    jobs.wait_all()
    show("POST /upload the same customers and days again -> result page", again)
    database.close()


if __name__ == "__main__":
    main()
