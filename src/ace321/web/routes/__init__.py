"""The pages, one module per screen."""

from ace321.web.routes import auth, dashboard, shipments, uploads

ROUTERS = [auth.router, dashboard.router, shipments.router, uploads.router]
