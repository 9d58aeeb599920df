"""Property tests of the live OpenAPI document (schemathesis): no 5xx, responses conform.

Bounded: at most 20 examples per operation, derandomized (a fixed seed), against SQLite.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.config import SchemathesisConfig

from ace321.api import create_app
from ace321.storage.api_keys import create_key

_DIR = Path(tempfile.mkdtemp(prefix="ace321-schemathesis-"))
APP = create_app(f"sqlite:///{_DIR / 'api.db'}")
KEY = create_key(APP.state.db, tenant="fuzz", role="admin", actor="tests",
                 now=dt.datetime(2026, 11, 22, tzinfo=dt.UTC)).key
# The coverage phase enumerates boundary values beyond max_examples; examples and fuzzing
# (positive and negative data) with a fixed seed keep the run bounded.
CONFIG = SchemathesisConfig.from_dict({
    "seed": 321, "phases": {"coverage": {"enabled": False}},
    "generation": {"max-examples": 20, "deterministic": True,
                   "allow-extra-parameters": False}})
schema = schemathesis.openapi.from_asgi("/v1/openapi.json", APP, config=CONFIG)


@pytest.fixture(scope="module", autouse=True)
def _close_app():
    yield
    APP.state.db.close()


@schema.parametrize()
@settings(max_examples=20, derandomize=True, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms(case):
    response = case.call(headers={"Authorization": f"Bearer {KEY}"})
    # Schema-valid is not always valid: an opaque cursor, a date before the rules' coverage or
    # CSV text cannot be told apart in JSON Schema, so positive data may rightly get 422.
    excluded = [checks.positive_data_acceptance]
    if response.status_code == 501:  # a route whose storage is not built yet
        excluded.append(checks.not_a_server_error)
    assert response.status_code < 500 or response.status_code == 501, response.text
    case.validate_response(response, excluded_checks=excluded)
