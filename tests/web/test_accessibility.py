"""Every main screen, with data in it: every field has a label, every table has header cells,
and a badge (decision, status) carries its name as text, not only a colour."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: list[dict[str, str | None]] = []
        self.labels: set[str] = set()
        self.tables: list[int] = []  # header cells of each table
        self.badges: list[str] = []
        self._badge = 0
        self._label_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "label":
            self._label_depth += 1
            if found.get("for"):
                self.labels.add(found["for"] or "")
        elif tag in ("input", "select", "textarea") and found.get("type") not in (
                "hidden", "submit", "button"):
            self.fields.append({**found, "_wrapped": "yes" if self._label_depth else None})
        elif tag == "table":
            self.tables.append(0)
        elif tag == "th" and self.tables:
            self.tables[-1] += 1
        elif tag == "span" and self._badge:
            self._badge += 1
        elif tag == "span" and "badge" in (found.get("class") or "").split():
            self._badge = 1
            self.badges.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_depth -= 1
        elif tag == "span" and self._badge:
            self._badge -= 1

    def handle_data(self, data: str) -> None:
        if self._badge:
            self.badges[-1] += data


def _upload(client, web):
    token = web.csrf_of(client.get("/upload").text)
    answer = client.post("/upload", data={"csrf_token": token, "arrival_date": "2026-11-23"},
                         files={"file": ("orders.csv", (web.EXAMPLES / "orders.csv").read_bytes(),
                                         "text/csv")}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_every_field_is_labelled_every_table_has_headers_and_badges_have_text(site, web):
    admin = site.client("admin@acme.example")
    batch = _upload(admin, web)
    paths = ["/", "/upload", batch, "/shipments", "/shipments/MF-100125-01",
             "/shipments/MF-100108-01", "/trips", "/trips/new", "/trips/profiles", "/responses",
             "/audit", "/admin"]
    fields = tables = 0
    for path in paths:
        answer = admin.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        page = Page()
        page.feed(answer.text)
        unlabelled = [f for f in page.fields if f.get("_wrapped") is None
                      and f.get("id") not in page.labels and not f.get("aria-label")]
        assert unlabelled == [], (path, unlabelled)
        assert all(page.tables), (path, page.tables)  # each table has header cells
        fields, tables = fields + len(page.fields), tables + len(page.tables)
        # A name in words beside any symbol: a status is never told by its colour alone.
        assert all(re.search(r"[A-Za-z]{3}", b) for b in page.badges), (path, page.badges)
    assert fields >= 20 and tables >= 15, (fields, tables)  # the walk saw real forms and tables
    assert ":focus-visible" in admin.get("/assets/style.css").text
