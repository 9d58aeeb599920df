"""The console script sets the allocator before Polars loads, for one-shot commands only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ace321.cli.entry import MALLOC_CONF, ONE_SHOT, allocator_settings


@pytest.mark.parametrize("argv", [["check", "orders.csv"], ["ingest", "x.csv", "--db", "u"],
                                  ["--help"], []])
def test_one_shot_commands_keep_freed_pages(argv: list[str]) -> None:
    environ: dict[str, str] = {}
    allocator_settings(argv, environ)
    assert environ == {MALLOC_CONF: ONE_SHOT}


def test_the_server_returns_memory_as_usual() -> None:
    environ: dict[str, str] = {}
    allocator_settings(["serve", "--port", "8321"], environ)
    assert environ == {}


def test_a_setting_of_the_users_is_kept() -> None:
    environ = {MALLOC_CONF: "background_thread:true"}
    allocator_settings(["check", "orders.csv"], environ)
    assert environ == {MALLOC_CONF: "background_thread:true"}


def test_the_entry_module_loads_no_polars() -> None:
    # jemalloc reads its settings once, when Polars' library is loaded: after that it is too late.
    code = "import sys, ace321.cli.entry; print('polars' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONPATH": str(
                               Path(__file__).resolve().parents[2] / "src")})
    assert shown.stdout.strip() == "False"


def test_the_installed_script_runs_the_cli() -> None:
    script = Path(sys.executable).with_name("ace321")
    shown = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True)
    assert "check" in shown.stdout
