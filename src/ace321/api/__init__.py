"""The REST API (FastAPI): ``create_app(db_url)``; run it with ``ace321 serve``."""

from ace321.api.app import create_app

__all__ = ["create_app"]
