"""Load figures of the REST API: single-shipment screening and a 10,000-line upload.

Starts ``ace321 serve`` on 127.0.0.1 (a free port, a fresh SQLite database in a temporary
folder unless ``--db`` is given), creates an operator key, then drives the server from a
second process (this script with ``--drive``):

1. ``POST /v1/screen`` with one shipment per request, from ``--concurrency`` client threads, for
   ``--seconds`` or ``--max-requests``, whichever comes first (after a short warm-up);
2. ``POST /v1/batches`` with a ``--lines`` line canonical CSV (``generate_orders.py``, seed 42;
   generated into ``benchmarks/data/`` when missing), timed from the first byte sent to the
   stored batch's response.

Reports throughput, p50/p99 latency and the upload time against the targets (>= 300 screens/s
with p99 < 50 ms; upload < 5 s). Always stops the server; always exits 0 (it only reports).

    .venv/bin/python benchmarks/api_load.py
    .venv/bin/python benchmarks/api_load.py --workers 2 --seconds 15 --concurrency 16
    .venv/bin/python benchmarks/api_load.py --db postgresql+psycopg://postgres@127.0.0.1/test
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
ACE321 = Path(sys.executable).with_name("ace321")
TARGET_RATE, TARGET_P99_MS, TARGET_UPLOAD_S = 300.0, 50.0, 5.0


def shipment(n: int) -> dict[str, object]:
    return {
        "order_id": f"LOAD-{n}", "shipment_id": f"LOAD-{n}", "arrival_date": "2025-06-02",
        "shipper_name": "Maple Fulfilment Inc.", "shipper_address": "2500 Dixie Rd",
        "shipper_city": "Mississauga", "shipper_state": "ON", "shipper_postal_code": "L4Y 2A1",
        "shipper_country": "CA", "consignee_name": f"Person {n}",
        "consignee_address": "152 Bidwell Pkwy", "consignee_city": "Buffalo",
        "consignee_state": "NY", "consignee_postal_code": "14222", "consignee_country": "US",
        "consignee_phone": f"716-886-{n % 10000:04d}",
        "lines": [{"sku": "TEE", "description": "Men's cotton crew neck T-shirt",
                   "quantity": 3, "unit_price": "24.99", "currency": "USD",
                   "country_of_origin": "CA", "hts_code": "6109.10.00.12", "weight": "0.60",
                   "weight_unit": "kg"}],
    }


# -- the driver (second process) ----------------------------------------------------------


def drive(base: str, key: str, args: argparse.Namespace) -> dict[str, object]:
    import httpx

    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        for n in range(20):  # warm-up: imports, caches, connection pools
            client.post("/v1/screen", json=[shipment(10_000_000 + n)]).raise_for_status()
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    counter = iter(range(args.max_requests))
    deadline = time.perf_counter() + args.seconds

    def worker() -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            while time.perf_counter() < deadline:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                body = json.dumps([shipment(n)])
                start = time.perf_counter()
                response = client.post("/v1/screen", content=body,
                                       headers={"content-type": "application/json"})
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    if response.status_code != 200:
                        errors.append(response.status_code)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.seconds + 120)
    wall = time.perf_counter() - started
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0.0

    screen = {"requests": len(latencies), "errors": len(errors), "seconds": round(wall, 2),
              "per_second": round(len(latencies) / wall, 1) if wall else 0.0,
              "p50_ms": round(pct(0.50), 1), "p99_ms": round(pct(0.99), 1),
              "mean_ms": round(statistics.fmean(ordered) * 1000, 1) if ordered else 0.0}
    data = Path(args.csv).read_bytes()
    with httpx.Client(base_url=base, headers=headers, timeout=300) as client:
        start = time.perf_counter()
        response = client.post("/v1/batches", content=data, params={"name": Path(args.csv).name},
                               headers={"content-type": "text/csv"})
        upload_s = time.perf_counter() - start
    body = response.json()
    upload = {"lines": data.count(b"\n") - 1, "bytes": len(data), "status": response.status_code,
              "seconds": round(upload_s, 2),
              "stored": body.get("counts", {}).get("stored") if response.is_success else None,
              "detail": None if response.is_success else body.get("detail")}
    return {"screen": screen, "upload": upload}


# -- the conductor ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_csv(lines: int) -> Path:
    path = DATA / f"orders_{lines}.csv"
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        subprocess.run([sys.executable, str(HERE / "generate_orders.py"), "--lines", str(lines),
                        "--output", str(path)], check=True, timeout=600)
    return path


def make_key(db_url: str) -> str:
    from ace321.storage import Database
    from ace321.storage.api_keys import create_key

    database = Database.open(db_url)
    try:
        return create_key(database, tenant=f"load-{os.getpid()}", role="operator",
                          actor="api_load", now=dt.datetime.now(dt.UTC)).key
    finally:
        database.close()


@contextlib.contextmanager
def server(db_url: str, workers: int, timeout: float = 60.0):
    import httpx

    port = free_port()
    process = subprocess.Popen(
        [str(ACE321), "serve", "--port", str(port), "--db", db_url, "--workers", str(workers),
         "--no-access-log"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {process.stderr.read().decode()[-2000:]}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/v1/healthz", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start in time")
            time.sleep(0.2)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def report(result: dict[str, dict[str, object]], args: argparse.Namespace) -> None:
    s, u = result["screen"], result["upload"]

    def mark(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    print(f"ace321 API load ({args.workers} worker(s), {args.concurrency} client threads, "
          f"{os.cpu_count()} CPUs, database {args.db_kind})")
    print(f"POST /v1/screen, 1 shipment: {s['requests']} requests in {s['seconds']} s, "
          f"{s['errors']} errors")
    print(f"  throughput {s['per_second']}/s (target >= {TARGET_RATE:g}: "
          f"{mark(float(s['per_second']) >= TARGET_RATE)})")
    print(f"  latency p50 {s['p50_ms']} ms, p99 {s['p99_ms']} ms (target p99 < "
          f"{TARGET_P99_MS:g} ms: {mark(float(s['p99_ms']) < TARGET_P99_MS)}), mean "
          f"{s['mean_ms']} ms")
    ok = u["status"] == 201 and float(u["seconds"]) < TARGET_UPLOAD_S
    print(f"POST /v1/batches, {u['lines']} lines ({int(u['bytes']) / 1e6:.1f} MB CSV): "
          f"{u['seconds']} s, status {u['status']}, {u['stored']} shipments stored "
          f"(target < {TARGET_UPLOAD_S:g} s: {mark(ok)})" + (f"; {u['detail']}" if u["detail"]
                                                              else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="Database URL (default: a fresh SQLite file)")
    parser.add_argument("--workers", type=int, default=2, help="server workers (default 2)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--seconds", type=float, default=10.0, help="screening phase length")
    parser.add_argument("--max-requests", type=int, default=20_000, help="screening requests cap")
    parser.add_argument("--lines", type=int, default=10_000, help="lines of the uploaded CSV")
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    parser.add_argument("--drive", nargs=2, metavar=("BASE", "KEY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        print(json.dumps(drive(args.drive[0], args.drive[1], args)))
        return
    csv_path = ensure_csv(args.lines)
    with tempfile.TemporaryDirectory(prefix="ace321-load-") as folder:
        db_url = args.db or f"sqlite:///{Path(folder) / 'load.db'}"
        args.db_kind = db_url.split(":", 1)[0]
        key = make_key(db_url)
        with server(db_url, args.workers) as base:
            driver = subprocess.run(
                [sys.executable, __file__, "--drive", base, key, "--concurrency",
                 str(args.concurrency), "--seconds", str(args.seconds), "--max-requests",
                 str(args.max_requests), "--csv", str(csv_path)],
                capture_output=True, text=True, timeout=args.seconds + 600)
        if driver.returncode != 0:
            print(f"the driver failed:\n{driver.stderr[-3000:]}")
            return
        report(json.loads(driver.stdout.strip().splitlines()[-1]), args)


if __name__ == "__main__":
    main()
