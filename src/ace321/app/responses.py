"""Import CBP's responses (X12 355/350 or BorderConnect ACE_RESPONSE JSON) from the bytes
received: parse, store every message, move trips and shipments (``storage.responses``)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from ace321.app.errors import InvalidInput, Refused, problem
from ace321.storage import Database, StorageError
from ace321.storage.responses import ImportReport, import_responses


@dataclass
class ImportedResponses:
    source_file: str
    sha256: str
    report: ImportReport

    def messages(self) -> list[dict[str, Any]]:
        return [a.as_dict() for a in self.report.applied]

    def document(self) -> dict[str, Any]:
        return {"source_file": self.source_file, "messages": self.messages(),
                "errors": len(self.report.errors), "unknown_codes": len(self.report.unknown),
                "already_imported": self.report.skipped}


def import_response_file(db: Database, data: bytes, *, name: str, tenant: str | None, actor: str,
                         now: dt.datetime) -> ImportedResponses:
    """Store and apply every message of one file in one transaction; ``tenant`` None matches
    every tenant's trips (the CLI), a name only that tenant's (the API). The same content again
    stores nothing twice (``report.already_imported``). Raises ``InvalidInput``
    (code ``UNUSABLE_INPUT``) for a file that is not a response document; messages that cannot
    be applied are stored and counted in ``report.errors``."""
    from ace321.exports.cbp_responses import ResponseFormatError, parse_response_file

    try:
        messages = parse_response_file(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise InvalidInput(f"not UTF-8 text (offset {error.start})", code="UNUSABLE_INPUT",
                           problems=[problem("UNUSABLE_INPUT", "body", "not UTF-8 text")]
                           ) from None
    except ResponseFormatError as error:
        raise InvalidInput(str(error), code="UNUSABLE_INPUT", problems=[
            problem("UNUSABLE_INPUT", "body", str(error))]) from None
    digest = hashlib.sha256(data).hexdigest()
    try:
        report = import_responses(db, messages, source_file=name, sha256=digest, actor=actor,
                                  now=now, tenant=tenant)
    except StorageError as error:
        raise Refused(f"nothing stored: {error}", code="CONFLICT") from None
    return ImportedResponses(name, digest, report)
