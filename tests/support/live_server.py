"""A real ``ace321 serve`` subprocess on 127.0.0.1 (a free port), for the suites that drive the
server over HTTP (tests/api/test_server.py, tests/adversarial). It is always stopped, and a
server that logged a traceback fails the test: no request may crash it.

Test modules are imported with ``--import-mode=importlib`` and cannot import this file by name;
tests/conftest.py loads it and hands ``serving`` out as the ``live_server`` fixture.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ACE321 = Path(sys.executable).with_name("ace321")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(db_url: str, *args: str, env: dict[str, str] | None = None,
            timeout: float = 60.0) -> Iterator[str]:
    """``ace321 serve --db db_url *args`` until the block ends; yields its base URL once
    ``/v1/healthz`` answers (at most ``timeout`` seconds)."""
    port = free_port()
    process = subprocess.Popen(
        [str(ACE321), "serve", "--port", str(port), "--db", db_url, "--no-access-log", *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True, env=env)
    assert process.stderr is not None
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise AssertionError(f"server exited: {process.stderr.read().decode()[-2000:]}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/v1/healthz", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise AssertionError("server did not start in time")
            time.sleep(0.1)
        yield base
    finally:
        # The server runs in its own session: the group holds its workers too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        log = process.stderr.read().decode(errors="replace")
        process.stderr.close()
    # Only when the block ended normally: an unhandled error in a request logs a traceback.
    assert "Traceback" not in log, log[-4000:]
