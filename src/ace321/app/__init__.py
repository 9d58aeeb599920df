"""The application layer: one module per workflow, called by every delivery layer.

The CLI, the REST API and the web workspace parse their inputs, call these functions with the
tenant, the actor and the clock (``now``, ``as_of``) given explicitly, and present the data
objects they return; the workflows hold the orchestration (screening with the stored history,
checks, building files, the order of the steps) and ``ace321.storage`` only persists.

- ``ingest``: store a batch of orders (``ingest_batch``), reading uploads with the tenant's
  Shopify settings (``orders``).
- ``filing`` (with ``filing_checks``): build, validate and file a trip's manifest.
- ``trips``: list, read, re-emit and cancel filed trips; file stored shipments from a request.
- ``responses``: import CBP's responses.
- ``shipments``: list and read shipments, override a decision, change a status.
- ``batches``: list and read stored batches.
- ``settings``: per-tenant Shopify settings and exchange rates.

Errors are ``ace321.app.errors.AppError`` subclasses carrying problem records
(``{code, severity, field, message}``); each delivery layer maps them to its own form.
"""
