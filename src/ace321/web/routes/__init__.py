"""The pages, one module per screen (the new-trip form before ``/trips/{number}``)."""

from ace321.web.routes import (
    admin,
    audit,
    auth,
    dashboard,
    responses,
    shipments,
    trip_form,
    trips,
    uploads,
)

ROUTERS = [auth.router, dashboard.router, shipments.router, uploads.router, trip_form.router,
           trips.router, responses.router, audit.router, admin.router]
