"""Fixtures of the web tests: the app over a database, users of two tenants, a live server on
127.0.0.1 and Debian's chromium driven by Playwright (never ``playwright install``).

Browser tests skip with a message when no chromium is found, unless ``ACE321_TEST_BROWSER`` is
``required`` (CI): then they fail. ``ACE321_CHROMIUM`` names another browser binary.
Screenshots of the main screens go to ``out/screenshots`` (``ACE321_SCREENSHOTS`` to change).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
NOW = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC)
PASSWORD = "correct horse battery staple"
USERS = {  # email: (tenant, role)
    "admin@acme.example": ("acme", "admin"),
    "clerk@acme.example": ("acme", "clerk"),
    "viewer@acme.example": ("acme", "viewer"),
    "clerk@other.example": ("other", "clerk"),
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("filterwarnings", "ignore:Using `httpx` with")


def chromium_path() -> str | None:
    for candidate in (os.environ.get("ACE321_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def screenshot_dir() -> Path:
    path = Path(os.environ.get("ACE321_SCREENSHOTS", ROOT / "out" / "screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path


class Site:
    """The app over one database with the users of ``USERS`` and a fixed clock."""

    NOW = NOW
    PASSWORD = PASSWORD

    def __init__(self, url: str) -> None:
        from ace321.api import create_app
        from ace321.storage.users import create_user

        self.url = url
        self.app = create_app(url)
        self.app.state.web_clock = lambda: self.now
        self.now = NOW
        self.db = self.app.state.db
        for email, (tenant, role) in USERS.items():
            create_user(self.db, email=email, tenant=tenant, role=role, password=PASSWORD,
                        actor="test", now=NOW)

    def client(self, email: str | None = None) -> Any:
        """A TestClient (https, so Secure cookies flow), signed in as ``email`` if given."""
        from fastapi.testclient import TestClient

        client = TestClient(self.app, base_url="https://testserver",
                            raise_server_exceptions=False)
        if email is not None:
            page = client.get("/sign-in")
            token = csrf_of(page.text)
            answer = client.post("/sign-in", data={"email": email, "password": PASSWORD,
                                                   "csrf_token": token},
                                 follow_redirects=False)
            assert answer.status_code == 303, answer.text
        return client


def csrf_of(html: str) -> str:
    """The CSRF token of the page's forms (every form of a page carries the same one)."""
    found = set(re.findall(r'name="csrf_token" value="([^"]*)"', html))
    assert found, "no CSRF field on the page"
    assert len(found) == 1 and "" not in found, f"forms with different CSRF tokens: {found}"
    return found.pop()


@pytest.fixture
def site(db_url: str) -> Iterator[Site]:
    """The site over SQLite and PostgreSQL (``db_url`` of tests/conftest.py)."""
    made = Site(db_url)
    yield made
    made.db.close()


@pytest.fixture
def live_db(request: pytest.FixtureRequest, tmp_path: Path, _sqlite_template: Path) -> str:
    """The database behind the live server: SQLite, unless a test parametrizes it indirectly
    (``BOTH_DATABASES`` of the browser test modules) to run on PostgreSQL as well. Only a
    representative subset does (sign-in, upload and decisions, trip filing and a response
    import), to keep the browser run short."""
    if getattr(request, "param", "sqlite") == "postgresql":
        return str(request.getfixturevalue("pg_url"))
    path = tmp_path / "web.db"
    shutil.copy(_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def live_site(live_db: str) -> Iterator[Site]:
    made = Site(live_db)
    yield made
    made.db.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live(live_site: Site) -> Iterator[SimpleNamespace]:
    """``live_site`` served by uvicorn on 127.0.0.1 (a free port) in a thread."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(live_site.app, host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False,
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}", site=live_site)
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        message = ("no chromium found (apt-get install chromium, or set ACE321_CHROMIUM); "
                   "browser tests need Debian's chromium, never `playwright install`")
        if os.environ.get("ACE321_TEST_BROWSER") == "required":
            pytest.fail(f"ACE321_TEST_BROWSER=required but {message}")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=path, args=["--no-sandbox", "--disable-gpu",
                                        "--disable-dev-shm-usage"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, live: SimpleNamespace) -> Iterator[Any]:
    context = browser.new_context(base_url=live.url, accept_downloads=True,
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()


class Shots:
    def __init__(self) -> None:
        self.folder = screenshot_dir()

    def __call__(self, page: Any, name: str) -> Path:
        path = self.folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shot() -> Shots:
    return Shots()


def sign_in(page: Any, email: str, password: str = PASSWORD) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def web() -> SimpleNamespace:
    """Helpers for the test modules (imported by importlib, they cannot import conftest)."""
    return SimpleNamespace(sign_in=sign_in, csrf_of=csrf_of, EXAMPLES=EXAMPLES, NOW=NOW,
                           PASSWORD=PASSWORD, USERS=USERS)
