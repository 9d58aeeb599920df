"""An upload whose risk history is large answers before its risk scores exist: the batch page
says so and polls; once the scores are stored, the poll reloads the page and they show."""

from __future__ import annotations

import threading
from typing import Any


def _upload(client: Any, web: Any) -> Any:
    token = web.csrf_of(client.get("/upload").text)
    content = (web.EXAMPLES / "risk_orders.csv").read_bytes()
    return client.post("/upload", data={"csrf_token": token, "arrival_date": "2024-06-03"},
                       files={"file": ("risk_orders.csv", content, "text/csv")},
                       follow_redirects=False)


def test_batch_page_waits_for_background_risk_scores(site, web, monkeypatch) -> None:
    import ace321.app.ingest as app_ingest
    import ace321.app.risk_jobs as risk_jobs

    release = threading.Event()
    real = risk_jobs.score_stored_batch

    def held(*args: Any, **kwargs: Any) -> Any:
        release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(app_ingest, "INLINE_RISK_HISTORY", -1)  # every batch after its commit
    monkeypatch.setattr(risk_jobs, "score_stored_batch", held)
    try:
        _check(site, web, release)
    finally:
        release.set()  # never leave the worker waiting past the test's database
        site.app.state.risk_jobs.wait_all(timeout=120)


def _check(site: Any, web: Any, release: threading.Event) -> None:
    client = site.client("clerk@acme.example")
    answer = _upload(client, web)
    assert answer.status_code == 303, answer.text
    page = client.get(answer.headers["location"])
    assert "Risk scores are being computed" in page.text
    rows = page.text.split('id="shipment-table"', 1)[1]
    assert "not scored" in rows and "<td>high</td>" not in rows, rows[:3000]
    batch_id = answer.headers["location"].rsplit("/", 1)[1]
    poll = client.get(f"/batches/{batch_id}/risk-status")
    assert poll.status_code == 200 and 'hx-trigger="every 2s"' in poll.text
    release.set()
    site.app.state.risk_jobs.wait_all(timeout=120)
    poll = client.get(f"/batches/{batch_id}/risk-status")
    assert poll.headers.get("HX-Refresh") == "true"
    page = client.get(answer.headers["location"])
    assert "Risk scores are being computed" not in page.text
    assert "not scored" not in page.text
    high = client.get(f"{answer.headers['location']}?risk_band=high")
    assert high.text.count('<td><a href="/shipments/') >= 1
