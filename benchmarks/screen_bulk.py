"""Bulk screening benchmark: ace321 against a bare Polars pass over the same order file.

Generates the synthetic order file if it is missing (see ``generate_orders.py``), then measures
in one run:

* baseline: Polars alone reads the CSV (every column a string), casts quantity and unit price
  to numbers and sums quantity x unit price per consignee name, postal code and arrival date;
* ace321: the real screening through the installed CLI, in a subprocess:
  ``ace321 check FILE --rates RATES --format summary --output /tmp/result.parquet``,
  wall time and that subprocess's peak resident memory.

It prints a report (targets: ace321 at most 5x the baseline, at most 2,500 MB) and always exits
0: it measures, it does not judge. ``--lines 10000`` gives a quick run.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# Importing Polars writes its own allocator settings (_RJEM_MALLOC_CONF) into this process's
# environment, where the ace321 subprocess would inherit them as if the user had set them: it
# is started with the environment as it was before, as a shell starts it. So Polars and the
# generator are imported after this line, inside the functions that use them.
SHELL_ENVIRONMENT = dict(os.environ)

TARGET_RATIO = 5.0
TARGET_PEAK_MB = 2500.0
REPO = Path(__file__).resolve().parent.parent


@dataclass
class CliRun:
    seconds: float | None = None
    peak_mb: float | None = None
    exit_code: int | None = None
    problem: str | None = None
    stderr_tail: str = ""


def baseline(path: Path) -> tuple[float, int, int, int]:
    """Seconds for the Polars-only pass, and the lines, shipments and groups it saw."""
    import polars as pl

    started = time.perf_counter()
    frame = pl.read_csv(path, infer_schema=False)
    totals = (
        frame.with_columns(
            pl.col("quantity").cast(pl.Int64, strict=False),
            pl.col("unit_price").cast(pl.Float64, strict=False),
        )
        .group_by("consignee_name", "consignee_postal_code", "arrival_date")
        .agg((pl.col("quantity") * pl.col("unit_price")).sum().alias("value"))
    )
    elapsed = time.perf_counter() - started
    return elapsed, frame.height, frame["shipment_id"].n_unique(), totals.height


def find_cli() -> Path | None:
    """The ``ace321`` script of this interpreter's environment, else of the repo's .venv, else PATH."""
    for candidate in (
        Path(sys.executable).parent / "ace321",
        REPO / ".venv" / "bin" / "ace321",
    ):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("ace321")
    return Path(found) if found else None


def run_cli(orders: Path, rates: Path, output: Path) -> CliRun:
    cli = find_cli()
    if cli is None:
        return CliRun(problem="the ace321 command is not installed (pip install -e . in the repo)")
    if output.exists():
        output.unlink()
    command = [str(cli), "check", str(orders), "--rates", str(rates), "--format", "summary",
               "--output", str(output)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=REPO,
                                   env=SHELL_ENVIRONMENT)
        if hasattr(os, "wait4"):
            # This child's own rusage, not the maximum over every child the process ever had.
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            peak_kb = usage.ru_maxrss
        else:  # pragma: no cover - every Unix the project targets has wait4
            process.wait()
            peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        elapsed = time.perf_counter() - started
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace").strip()
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS.
    peak_mb = peak_kb / (1024 * 1024 if platform.system() == "Darwin" else 1024)
    run = CliRun(seconds=elapsed, peak_mb=peak_mb, exit_code=process.returncode,
                 stderr_tail="\n".join(stderr.splitlines()[-8:]))
    if not output.exists():
        run.problem = f"ace321 exited with {process.returncode} without writing {output}"
    return run


def _load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


def _mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main() -> int:
    import generate_orders

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="order lines (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--regenerate", action="store_true", help="rewrite the order file first")
    parser.add_argument("--hts", type=Path, default=generate_orders.HTS_CSV,
                        help="USITC HTS CSV the generator draws codes from")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each side this many times and keep the fastest (default 1)")
    parser.add_argument("--output", type=Path, default=Path("/tmp/result.parquet"),
                        help="where ace321 writes its results (default /tmp/result.parquet)")
    args = parser.parse_args()
    if args.lines < 1 or args.repeat < 1:
        parser.error("--lines and --repeat must be at least 1")

    orders = generate_orders.default_path(args.lines, args.seed)
    rates = generate_orders.write_rates(orders.with_name("rates.csv"))
    if args.regenerate or not orders.exists():
        print(f"generating {orders} ...", flush=True)
        started = time.perf_counter()
        generate_orders.write_orders(orders, args.lines, args.seed, args.hts)
        print(f"  {time.perf_counter() - started:.1f} s", flush=True)

    print("baseline (Polars read + cast + group_by) ...", flush=True)
    base_seconds, lines, shipments, groups = min(baseline(orders) for _ in range(args.repeat))
    print("ace321 check ...", flush=True)
    runs = [run_cli(orders, rates, args.output) for _ in range(args.repeat)]
    run = min(runs, key=lambda r: (r.problem is not None, r.seconds or 0.0))
    run.peak_mb = max((r.peak_mb for r in runs if r.peak_mb is not None), default=None)

    print()
    print(f"file               {orders} ({orders.stat().st_size / 1e6:,.1f} MB)")
    print(f"lines              {lines:,}")
    print(f"shipments          {shipments:,}")
    print(f"consignee-days     {groups:,} (name + postal code + date, as the baseline groups)")
    best = f" (fastest of {args.repeat})" if args.repeat > 1 else ""
    print(f"baseline           {base_seconds:,.2f} s{best}")
    if run.problem is not None:
        print(f"ace321             not measured: {run.problem}")
        if run.stderr_tail:
            print("  stderr: " + run.stderr_tail.replace("\n", "\n          "))
        return 0
    ratio = run.seconds / base_seconds if base_seconds > 0 else float("inf")
    print(f"ace321             {run.seconds:,.2f} s{best} (exit code {run.exit_code}, "
          f"results in {args.output})")
    print(f"ratio              {ratio:,.1f}x  (target <= {TARGET_RATIO:g}x: {_mark(ratio <= TARGET_RATIO)})")
    print(f"peak memory        {run.peak_mb:,.0f} MB  (target <= {TARGET_PEAK_MB:,.0f} MB: "
          f"{_mark(run.peak_mb <= TARGET_PEAK_MB)})")
    print(f"load average       {_load()} (other work on the machine skews both sides)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
