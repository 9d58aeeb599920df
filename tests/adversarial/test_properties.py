"""Property tests: arbitrary text in every CSV cell and every JSON field. The CLI exits 0, 1 or 2
without a traceback (in-process, through the guarded command group) and the API answers below
500 (in-process ``TestClient``). Examples are few: each runs a whole command or request."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ace321.cli.app import app
from ace321.intake import columns

ROW = {
    "order_id": "P-1", "shipment_id": "P-1", "arrival_date": "2024-06-03",
    "shipper_name": "Maple Leaf Apparel Inc.", "shipper_address": "200 Front St W",
    "shipper_city": "Toronto", "shipper_state": "ON", "shipper_postal_code": "M5V 3K2",
    "shipper_country": "CA", "consignee_name": "Ann Lee", "consignee_address": "12 Main St",
    "consignee_address2": "", "consignee_city": "Buffalo", "consignee_state": "NY",
    "consignee_postal_code": "14201", "consignee_country": "US",
    "consignee_phone": "+1 716-634-0101", "consignee_email": "", "sku": "SKU-1",
    "description": "MENS COTTON T-SHIRT", "quantity": "1", "unit_price": "10.00",
    "currency": "USD", "country_of_origin": "CA", "hts_code": "6109.10.0012", "weight": "0.5",
    "weight_unit": "kg", "is_gift": "false",
}
FIELDS = [name for name in columns.ALL if name in ROW]
# Any Unicode text (no surrogates: they cannot be written as UTF-8) with the nasty ones often.
TEXT = st.one_of(st.text(max_size=40),
                 st.text(alphabet=st.sampled_from("\x00\x01\r\n\t\",;=+@-\u2028\ufeff\u00a0"
                                                  "张🎁é9 "), max_size=12),
                 st.sampled_from(["", " ", "0" * 400, "9" * 5000, "\x00", "=1+1", "2026-1-3"]))
CLI = CliRunner()
EXAMPLES = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def _check(path: Path) -> Any:
    result = CLI.invoke(app, ["check", str(path), "--arrival", "2024-06-03", "--format", "json"])
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output[-2000:])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    return result


@EXAMPLES
@given(field=st.sampled_from(FIELDS), value=TEXT)
def test_any_text_in_any_csv_cell(tmp_path_factory, field, value):
    path = tmp_path_factory.mktemp("prop") / "orders.csv"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(ROW))
    writer.writeheader()
    writer.writerow({**ROW, field: value})
    path.write_text(buffer.getvalue(), encoding="utf-8")
    result = _check(path)
    if result.exit_code in (0, 1):
        json.loads(result.stdout)  # a whole document, nothing else on stdout


def _shipment(field: str, value: Any) -> dict[str, Any]:
    head = {k: v for k, v in ROW.items() if k not in columns.LINE}
    line = {k: v for k, v in ROW.items() if k in columns.LINE}
    if field in columns.LINE:
        line[field] = value
    else:
        head[field] = value
    return {**head, "lines": [line]}


JSON_VALUE = st.one_of(TEXT, st.integers(), st.floats(allow_nan=True), st.booleans(),
                       st.none(), st.lists(st.text(max_size=3), max_size=2))


@EXAMPLES
@given(field=st.sampled_from(FIELDS), value=JSON_VALUE)
def test_any_value_in_any_json_field_through_the_cli(tmp_path_factory, field, value):
    path = tmp_path_factory.mktemp("prop") / "orders.json"
    path.write_text(json.dumps([_shipment(field, value)]), encoding="utf-8")
    _check(path)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    import datetime as dt

    from fastapi.testclient import TestClient

    from ace321.api import create_app
    from ace321.storage.api_keys import create_key

    url = f"sqlite:///{tmp_path_factory.mktemp('propapi') / 'api.db'}"
    application = create_app(url)
    key = create_key(application.state.db, tenant="prop", role="admin", actor="tests",
                     now=dt.datetime(2026, 11, 22, tzinfo=dt.UTC)).key
    with TestClient(application, raise_server_exceptions=False) as test_client:
        test_client.headers["Authorization"] = f"Bearer {key}"
        yield test_client
    application.state.db.close()


@EXAMPLES
@given(field=st.sampled_from(FIELDS), value=JSON_VALUE, escape=st.booleans())
def test_any_value_in_any_json_field_through_the_api(client, field, value, escape):
    body = json.dumps([_shipment(field, value)], ensure_ascii=escape)
    for route in ("/v1/screen", "/v1/batches"):
        response = client.post(route, content=body.encode("utf-8", "surrogatepass"),
                               headers={"Content-Type": "application/json"})
        assert response.status_code < 500, (route, response.text[:500])


@EXAMPLES
@given(raw=st.text(max_size=60))
def test_any_text_as_a_json_body(client, raw):
    for route in ("/v1/screen", "/v1/batches", "/v1/responses", "/v1/trips", "/v1/plan"):
        response = client.post(route, content=raw.encode("utf-8"),
                               headers={"Content-Type": "application/json"})
        assert response.status_code < 500, (route, raw, response.text[:300])
