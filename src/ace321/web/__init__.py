"""The web workspace: server-rendered pages (FastAPI, Jinja2, htmx) at ``/``.

``install(app)`` adds it to the API application; every page calls the same storage and service
functions as the CLI and the API, scoped to the signed-in user's tenant.
"""

from ace321.web.site import install

__all__ = ["install"]
