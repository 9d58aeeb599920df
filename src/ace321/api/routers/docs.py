"""The API's documentation without internet: ``/v1/docs`` (Swagger UI from the package's own
files, ``api/static/swagger-ui``) over ``/v1/openapi.json``. ``/`` is the web workspace
(``ace321.web``)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(__file__).parents[1] / "static" / "swagger-ui"
ASSETS_URL = "/v1/assets/swagger-ui"


def install(app: FastAPI) -> None:
    """Serve the docs page and its assets; the app is made with ``docs_url=None``."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="swagger-ui")

    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/v1/openapi.json", title=f"{app.title} API",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon-32x32.png")

    app.add_api_route("/v1/docs", docs, include_in_schema=False)
