"""What the CLI prints: values as they are (no Rich markup or emoji codes), ids never cut,
the terminal's or ``COLUMNS``' width, and short rows in the ``check`` table."""

from __future__ import annotations

import io
import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from ace321.cli.console import Clipped, Col, OutputTable, shorten

ACE321 = Path(sys.executable).parent / "ace321"
EXAMPLES = Path(__file__).parents[2] / "examples"
CLI = Path(__file__).parents[2] / "src" / "ace321" / "cli"
HOSTILE = ["[red]X1[/red]", "shipments[#1001].shipper.name", "[bold]", ":thumbs_up:", "a\\[b]"]


def run(*args: str | Path, columns: int | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run([str(ACE321), *map(str, args)], capture_output=True, text=True,
                          timeout=120, env=env)


def render(table: OutputTable, width: int) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=width, markup=True, emoji=True).print(table)
    return buffer.getvalue()


def hostile_orders(tmp_path: Path) -> Path:
    lines = (EXAMPLES / "orders.csv").read_text(encoding="utf-8").splitlines()
    header, first = lines[0], lines[1].split(",")
    names = header.split(",")
    rows = [header]
    for number, value in enumerate(HOSTILE):
        cells = list(first)
        cells[names.index("order_id")] = f"O{number}"
        cells[names.index("shipment_id")] = f'"{value}"'
        cells[names.index("consignee_name")] = f'"{value} name"'
        rows.append(",".join(cells))
    path = tmp_path / "hostile.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("value", HOSTILE)
def test_a_table_cell_is_printed_as_it_is_even_on_a_markup_console(value: str) -> None:
    table = OutputTable(f"title {value}", ["id", Col("text", text=True)])
    table.add_row(value, f"{value} text")
    shown = render(table, 120)
    assert f"title {value}" in shown
    assert value in shown and f"{value} text" in shown


def test_check_table_shows_hostile_ids_and_names_whole(tmp_path: Path) -> None:
    result = run("check", hostile_orders(tmp_path), "--arrival", "2024-06-03", columns=200)
    assert result.returncode == 0, result.stderr
    for value in HOSTILE:
        assert value in result.stdout
        assert f"{value} name" in result.stdout


def test_manifest_problems_show_field_paths_with_brackets(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'h.db'}"
    assert run("db", "upgrade", "--db", db).returncode == 0  # filing stored shipments reads one
    result = run("manifest", "--shipments", "[red]X1[/red],#1001", "--trip",
                 EXAMPLES / "trip.yaml", "--out", tmp_path / "out", "--db", db,
                 "--filed-at", "2026-11-23T12:00:00-05:00", columns=200)
    assert result.returncode == 1
    assert "shipments[[red]X1[/red]]" in result.stderr
    assert "shipments[#1001]" in result.stderr


def test_error_messages_are_printed_as_they_are(tmp_path: Path) -> None:
    missing = tmp_path / "[red]orders[/red].csv"
    result = run("check", missing, "--arrival", "2024-06-03")
    assert result.returncode == 2
    assert "[red]orders[/red].csv" in result.stderr


def test_no_cli_module_makes_its_own_console_or_markup() -> None:
    """One mechanism: every console and table comes from ace321.cli.console."""
    offenders = []
    for path in sorted(CLI.glob("*.py")):
        if path.name == "console.py":
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (r"\bConsole\(", r"\bTable\(", r"\[/?(red|bold|dim|green|yellow)\]"):
            if re.search(pattern, text):
                offenders.append(f"{path.name}: {pattern}")
    assert offenders == []


@pytest.mark.parametrize("columns", [None, 80, 100, 132])
def test_check_table_never_cuts_ids_and_honours_columns(tmp_path: Path, columns: int | None) -> None:
    orders = EXAMPLES / "orders.csv"
    result = run("check", orders, "--arrival", "2025-06-02", "--rates", EXAMPLES / "rates.csv",
                 columns=columns)
    width = columns or 80  # piped without COLUMNS: Rich's 80, not a forced 200
    lines = result.stdout.split("Problems")[0].splitlines()
    assert max(len(line) for line in lines) <= width
    document = json.loads(run("check", orders, "--arrival", "2025-06-02", "--rates",
                              EXAMPLES / "rates.csv", "--format", "json").stdout)
    ids = {s["shipment_id"] for s in document["shipments"]}
    first_words = {line.split()[0] for line in lines if line.strip()}
    assert ids <= first_words  # each id whole, on one line


def test_check_rows_stay_short_on_100_columns() -> None:
    result = run("check", EXAMPLES / "orders.csv", "--arrival", "2025-06-02", "--rates",
                 EXAMPLES / "rates.csv", columns=100)
    lines = result.stdout.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("MF-")]
    heights = [b - a for a, b in itertools.pairwise(starts)]
    assert heights and max(heights) <= 2


@pytest.mark.parametrize("command", [
    ["trips", "list"], ["shipments", "list"],
])
def test_listing_commands_honour_columns(tmp_path: Path, command: list[str]) -> None:
    db = f"sqlite:///{tmp_path / 'h.db'}"
    assert run("ingest", EXAMPLES / "orders.csv", "--arrival", "2025-06-02", "--db", db,
               "--rates", EXAMPLES / "rates.csv", columns=70).returncode in (0, 1)
    result = run(*command, "--db", db, columns=70)
    assert result.returncode == 0, result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) <= 70


def test_value_columns_keep_their_width_and_text_columns_wrap() -> None:
    table = OutputTable("t", ["shipment", Col("message", text=True)])
    table.add_row("MF-1001-ABCDEFGHIJ-0001", "word " * 40)
    shown = render(table, 50)
    assert "MF-1001-ABCDEFGHIJ-0001" in shown
    assert max(len(line) for line in shown.splitlines()) <= 50


def test_value_columns_fold_rather_than_crop_when_they_cannot_fit() -> None:
    long_id = "ID-" + "0123456789" * 6
    table = OutputTable("t", ["a", "b"])
    table.add_row(long_id, long_id)
    shown = render(table, 40)
    body = shown.splitlines()[3:]
    assert max(len(line) for line in shown.splitlines()) <= 40
    first = "".join(line.split()[0] for line in body)
    second = "".join(line.split()[1] for line in body)
    assert first == second == long_id


def test_clipped_text_ends_at_a_word_boundary() -> None:
    text = "DEMINIMIS_OK: shipment value $81.98 is within the $800.00 threshold in force"
    short = shorten(text, 20, 2)
    assert short.endswith("…")
    assert text.startswith(short[:-1])
    assert text[len(short) - 1] == " "  # the cut falls between words
    assert shorten("short", 20, 2) == "short"
    single = "x" * 50
    assert shorten(single, 20, 2) == single  # a word never cut


def test_clipped_cell_renders_within_its_lines() -> None:
    table = OutputTable("t", ["id", Col("reason", text=True)])
    table.add_row("A1", Clipped("one two three four five six seven eight nine ten " * 5))
    lines = [line for line in render(table, 30).splitlines() if line.strip()]
    assert len(lines) == 3 + 2  # title, header, rule, then the row in two lines
    assert lines[-1].rstrip().endswith("…")
