"""Load figures of the REST API: single-shipment screening and a 10,000-line upload.

Starts ``ace321 serve`` on 127.0.0.1 (a free port, ``--workers`` workers, no access log, a fresh
SQLite database in a temporary folder unless ``--db`` is given), creates an operator key, then
drives the server from a second process (this script with ``--drive``), which shares the same
cores and so is kept lean: one asyncio event loop, ``--connections`` keep-alive HTTP/1.1
connections written to directly, requests pre-encoded.

1. ``POST /v1/screen`` with one shipment per request, rotating over ``--distinct`` different
   shipments (so nothing can answer from a cache), after ``--warmup`` requests, for
   ``--seconds`` or ``--max-requests``, whichever comes first. Closed loop by default (each
   connection sends its next request when the last one is answered); ``--rate R`` sends R
   requests per second whatever the answers, and counts latency from when each was due;
2. ``POST /v1/batches`` with a ``--lines`` line canonical CSV (``generate_orders.py``, seed 42;
   generated into ``benchmarks/data/`` when missing), timed from the first byte sent to the
   stored batch's response.

Reports throughput, p50/p90/p99 latency, errors, the server's worker processes, the load
average before the run, the commit measured, and the upload time, against the targets (>= 300
screens/s with p99 < 50 ms; upload < 5 s). Always stops the server; always exits 0 (it only
reports).

    .venv/bin/python benchmarks/api_load.py
    .venv/bin/python benchmarks/api_load.py --workers 1 --seconds 15 --connections 16
    .venv/bin/python benchmarks/api_load.py --rate 300 --lines 0
    .venv/bin/python benchmarks/api_load.py --db postgresql+psycopg://postgres@127.0.0.1/test
"""

from __future__ import annotations

import argparse
import asyncio
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


def request_bytes(host: str, key: str, body: bytes) -> bytes:
    return (f"POST /v1/screen HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode() + body


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes
                   ) -> tuple[int, bool]:
    """Send one request on a keep-alive connection; (status, server closes the connection)."""
    writer.write(data)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, close = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.strip().lower() == "close":
            close = True
    await reader.readexactly(length)
    return status, close


async def load(base: str, key: str, args: argparse.Namespace) -> list[dict[str, object]]:
    """A closed loop (each connection sends its next request when the last is answered: the
    most the server does), then an open loop at ``--rate`` (request i is due at start + i/rate
    and its latency counts from then, so a server falling behind is not flattered)."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    bodies = [request_bytes(f"{host}:{port}", key, json.dumps([shipment(n)]).encode())
              for n in range(args.distinct)]
    latencies: list[float] = []
    errors: dict[str, int] = {}
    next_index = 0
    # The client measures its own CPU: it shares the server's cores.

    async def connect() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection(host, int(port))

    async def run(count: int, deadline: float, rate: float, t0: float) -> None:
        nonlocal next_index
        reader, writer = await connect()
        try:
            while True:
                n = next_index
                if n >= count:
                    return
                next_index += 1
                due = t0 + n / rate if rate else time.perf_counter()
                if due >= deadline:
                    return
                if rate and (wait := due - time.perf_counter()) > 0:
                    await asyncio.sleep(wait)
                try:
                    status, close = await exchange(reader, writer, bodies[n % len(bodies)])
                except (OSError, asyncio.IncompleteReadError, ValueError) as error:
                    errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
                    writer.close()
                    reader, writer = await connect()
                    continue
                latencies.append(time.perf_counter() - due)
                if status != 200:
                    errors[str(status)] = errors.get(str(status), 0) + 1
                if close:
                    writer.close()
                    reader, writer = await connect()
        finally:
            writer.close()

    async def phase(count: int, seconds: float, rate: float) -> float:
        nonlocal next_index
        next_index = 0
        # An open loop needs enough connections that a request never waits for a free one:
        # the requests queue at the server, as they would from many clients.
        connections = args.open_connections if rate else args.connections
        t0 = time.perf_counter()
        await asyncio.gather(*(run(count, t0 + seconds, rate, t0) for _ in range(connections)))
        return time.perf_counter() - t0

    async def measured(rate: float) -> dict[str, object]:
        latencies.clear()
        errors.clear()
        cpu0 = time.process_time()
        wall = await phase(args.max_requests, args.seconds, rate)
        cpu = time.process_time() - cpu0
        ordered = sorted(latencies)

        def pct(p: float) -> float:
            return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0

        return {"rate": rate, "requests": len(latencies), "errors": sum(errors.values()),
                "error_kinds": dict(errors), "seconds": round(wall, 2),
                "per_second": round(len(latencies) / wall, 1) if wall else 0.0,
                "p50_ms": round(pct(0.50), 1), "p90_ms": round(pct(0.90), 1),
                "p99_ms": round(pct(0.99), 1),
                "max_ms": round(ordered[-1] * 1000, 1) if ordered else 0.0,
                "mean_ms": round(statistics.fmean(ordered) * 1000, 1) if ordered else 0.0,
                "distinct_bodies": min(args.distinct, len(latencies)),
                "client_cpu_s": round(cpu, 2)}

    # Warm-up: imports, the engine's first calls, connections; not counted.
    await phase(args.warmup, 30.0, 0.0)
    phases = [await measured(0.0)]
    if args.rate:
        phases.append(await measured(args.rate))
    return phases


def drive(base: str, key: str, args: argparse.Namespace) -> dict[str, object]:
    import httpx

    try:  # the same event loop as the server's: the client's share of the 2 cores is smaller
        import uvloop

        screen = uvloop.run(load(base, key, args))
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        screen = asyncio.run(load(base, key, args))
    if args.lines == 0:
        return {"screen": screen, "upload": None}
    data = Path(args.csv).read_bytes()
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"},
                      timeout=120) as client:
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
        yield base, process.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def worker_processes(pid: int) -> int:
    """How many worker processes the server runs (its spawned children; Linux /proc), or 1 when
    it serves in its own process."""
    workers = 0
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == pid and b"spawn_main" in (entry / "cmdline").read_bytes():
                workers += 1
    return workers or 1


def git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def report(result: dict[str, object], args: argparse.Namespace) -> None:
    u: dict[str, object] | None = result["upload"]  # type: ignore[assignment]

    def mark(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    print(f"ace321 API load: --workers {args.workers} ({args.worker_processes} worker "
          f"process(es) running), {os.cpu_count()} CPUs, database {args.db_kind}")
    print(f"  at {git('rev-parse', '--short', 'HEAD')}{args.dirty} (last engine commit "
          f"{git('log', '-1', '--format=%h %s', '--', '../src/ace321/screening')[:72]})")
    print(f"  load average before the run: {args.load_before}; after: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for s in result["screen"]:  # type: ignore[attr-defined]
        loop = (f"{args.open_connections} keep-alive connections, open loop at {s['rate']:g}/s"
                if s["rate"] else f"{args.connections} keep-alive connections, closed loop")
        print(f"POST /v1/screen, 1 shipment, {loop}: "
              f"{s['requests']} requests in {s['seconds']} s, {s['distinct_bodies']} distinct "
              f"shipments, {s['errors']} errors"
              + (f" {s['error_kinds']}" if s["errors"] else ""))
        if s["rate"]:  # the rate is the client's; the question is whether the server kept up
            kept = (s["errors"] == 0 and int(s["requests"]) >= int(s["rate"] * args.seconds)
                    and float(s["p99_ms"]) < TARGET_P99_MS)
            print(f"  all {s['requests']} sent at {s['rate']:g}/s answered "
                  f"({s['per_second']}/s over the phase, last answers included): "
                  f"{'kept up' if kept else 'fell behind'}")
        else:
            print(f"  throughput {s['per_second']}/s (target >= {TARGET_RATE:g}: "
                  f"{mark(float(s['per_second']) >= TARGET_RATE)})")
        print(f"  latency p50 {s['p50_ms']} ms, p90 {s['p90_ms']} ms, p99 {s['p99_ms']} ms "
              f"(target p99 < {TARGET_P99_MS:g} ms: {mark(float(s['p99_ms']) < TARGET_P99_MS)}),"
              f" max {s['max_ms']} ms, mean {s['mean_ms']} ms; load generator CPU "
              f"{s['client_cpu_s']} s")
    if u is None:
        return
    ok = u["status"] == 201 and float(u["seconds"]) < TARGET_UPLOAD_S  # type: ignore[arg-type]
    print(f"POST /v1/batches, {u['lines']} lines ({int(u['bytes']) / 1e6:.1f} MB CSV): "  # type: ignore[call-overload]
          f"{u['seconds']} s, status {u['status']}, {u['stored']} shipments stored "
          f"(target < {TARGET_UPLOAD_S:g} s: {mark(ok)})" + (f"; {u['detail']}" if u["detail"]
                                                              else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="Database URL (default: a fresh SQLite file)")
    parser.add_argument("--workers", type=int, default=2, help="server workers (default 2)")
    parser.add_argument("--connections", type=int, default=8,
                        help="keep-alive connections, each one request at a time (default 8)")
    parser.add_argument("--open-connections", type=int, default=64,
                        help="keep-alive connections of the open-loop phase (default 64)")
    parser.add_argument("--rate", type=float, default=TARGET_RATE,
                        help="requests per second of the open-loop phase after the closed-loop "
                             "one (default: the 300/s target; 0: no open-loop phase)")
    parser.add_argument("--seconds", type=float, default=10.0, help="screening phase length")
    parser.add_argument("--max-requests", type=int, default=20_000, help="screening requests cap")
    parser.add_argument("--warmup", type=int, default=300, help="requests before measuring")
    parser.add_argument("--distinct", type=int, default=300,
                        help="distinct shipment bodies sent in rotation (default 300)")
    parser.add_argument("--lines", type=int, default=10_000,
                        help="lines of the uploaded CSV (0: no upload)")
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    parser.add_argument("--drive", nargs=2, metavar=("BASE", "KEY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        print(json.dumps(drive(args.drive[0], args.drive[1], args)))
        return
    csv_path = ensure_csv(args.lines) if args.lines else None
    with tempfile.TemporaryDirectory(prefix="ace321-load-") as folder:
        db_url = args.db or f"sqlite:///{Path(folder) / 'load.db'}"
        args.db_kind = db_url.split(":", 1)[0]
        key = make_key(db_url)
        args.load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
        args.dirty = "+uncommitted" if git("status", "--porcelain", "--", "../src") else ""
        with server(db_url, args.workers) as (base, pid):
            args.worker_processes = worker_processes(pid)
            try:
                driver = subprocess.run(
                    [sys.executable, __file__, "--drive", base, key, "--connections",
                     str(args.connections), "--open-connections", str(args.open_connections),
                     "--rate", str(args.rate), "--seconds",
                     str(args.seconds), "--max-requests", str(args.max_requests), "--warmup",
                     str(args.warmup), "--distinct", str(args.distinct), "--lines",
                     str(args.lines), "--csv", str(csv_path)],
                    capture_output=True, text=True, timeout=2 * args.seconds + 360)
            except subprocess.TimeoutExpired:
                print("the driver did not finish in time (server stuck?); no figures")
                return
        if driver.returncode != 0:
            print(f"the driver failed:\n{driver.stderr[-3000:]}")
            return
        report(json.loads(driver.stdout.strip().splitlines()[-1]), args)


if __name__ == "__main__":
    main()
