"""Entry-cost benchmarks: ``check --costs`` against ``check`` alone, and ``plan``, on the bulk file.

In one run, alternating so that load on the shared machine falls on both sides alike:

* ``ace321 check FILE --rates RATES --format summary --output OUT.parquet`` (screening alone);
* the same with ``--costs`` (duty, MPF and total of every shipment; target: at most 1.5x);
* ``ace321 plan FILE --rates RATES --format json`` into a file (all conveyances of the file's
  ~300,000 shipments; target: under 10 s).

Each is run ``--repeat`` times (default 2) and the fastest kept. It prints the report with the
load average and always exits 0: it measures, it does not judge.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

# As in screen_bulk.py: the subprocesses get the shell's environment (see SHELL_ENVIRONMENT there).
SHELL_ENVIRONMENT = dict(os.environ)
TARGET_COSTS_RATIO = 1.5
TARGET_PLAN_SECONDS = 10.0
REPO = Path(__file__).resolve().parent.parent


def run(command: list[str], stdout_path: Path | None = None) -> tuple[float, float, int]:
    """Seconds, peak MB and exit code of one command (stdout to ``stdout_path`` or discarded)."""
    import subprocess

    with open(stdout_path or os.devnull, "wb") as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=REPO, env=SHELL_ENVIRONMENT)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            err.seek(0)
            sys.stderr.write(err.read().decode("utf-8", "replace")[-2000:])
    return elapsed, usage.ru_maxrss / 1024, code


def main() -> int:
    import generate_orders
    from screen_bulk import find_cli

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    orders = generate_orders.default_path(args.lines, args.seed)
    rates = generate_orders.write_rates(orders.with_name("rates.csv"))
    if not orders.exists():
        print(f"generating {orders} ...", flush=True)
        generate_orders.write_orders(orders, args.lines, args.seed, generate_orders.HTS_CSV)
    cli = find_cli()
    if cli is None:
        print("the ace321 command is not installed")
        return 0
    out = Path(tempfile.gettempdir())
    check = [str(cli), "check", str(orders), "--rates", str(rates), "--format", "summary",
             "--output", str(out / "costs_bench_check.parquet")]
    costs = [*check[:-1], str(out / "costs_bench_costs.parquet"), "--costs"]
    plan = [str(cli), "plan", str(orders), "--rates", str(rates), "--format", "json"]
    timings: dict[str, list[tuple[float, float, int]]] = {"check": [], "check --costs": [], "plan": []}
    for _ in range(args.repeat):
        timings["check"].append(run(check))
        timings["check --costs"].append(run(costs))
        timings["plan"].append(run(plan, out / "costs_bench_plan.json"))
    best = {name: min(values) for name, values in timings.items()}
    print(f"file            {orders} ({orders.stat().st_size / 1e6:,.1f} MB), fastest of {args.repeat}")
    for name, (seconds, peak, code) in best.items():
        print(f"{name:15} {seconds:7.2f} s  peak {peak:,.0f} MB  exit {code}")
    ratio = best["check --costs"][0] / best["check"][0]
    mark = "ok" if ratio <= TARGET_COSTS_RATIO else "MISSED"
    print(f"costs ratio     {ratio:.2f}x (target <= {TARGET_COSTS_RATIO}x: {mark})")
    mark = "ok" if best["plan"][0] < TARGET_PLAN_SECONDS else "MISSED"
    print(f"plan            {best['plan'][0]:.2f} s (target < {TARGET_PLAN_SECONDS:g} s: {mark})")
    print(f"load average    {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
