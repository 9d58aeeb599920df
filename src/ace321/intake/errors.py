"""Input that cannot be screened at all (as opposed to rows with problems, which are issues)."""

from __future__ import annotations


class UnusableInput(Exception):
    """A file that cannot be read as orders: the CLI prints ``file: cause`` and exits 2.

    ``needs`` names a setting the file requires but was not given (``catalog`` or ``shipper``
    for a Shopify export), so that each delivery layer can say how to give it in its own words
    (the CLI's ``--catalog``, the API's tenant settings); ``cause`` names no option.
    """

    def __init__(self, source: str, cause: str, *, needs: str | None = None) -> None:
        super().__init__(f"{source}: {cause}")
        self.source = source
        self.cause = cause
        self.needs = needs
