"""Stored batches (uploaded order files)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ace321.api.schemas.common import IssuePublic
from ace321.api.schemas.screening import ShipmentDecisionPublic


class BatchCountsPublic(BaseModel):
    """What the batch held and what was stored."""

    shipments: int = Field(description="Shipments in the file (or stored by the batch, on GET).")
    by_decision: dict[str, int] = Field(description="Count per decision.")
    stored: int = Field(description="Shipments stored by this batch.")
    already_stored: int = Field(description="Shipments already stored with the same content.")
    duplicates: int = Field(description="Shipments already stored with other content (not "
                                        "stored again: DUPLICATE_SHIPMENT).")
    rescreened: int = Field(description="Earlier stored shipments whose decision this batch "
                                        "made stricter (known in the upload's response only).")


class BatchShipmentPublic(ShipmentDecisionPublic):
    """A shipment of the batch with its decision and what storage did with it."""

    storage: str | None = Field(description="`stored`, `already stored` or "
                                            "`DUPLICATE_SHIPMENT`.")


class BatchProblemPublic(IssuePublic):
    """A data problem of one shipment of the batch."""

    shipment_id: str | None = Field(None, description="The shipment the problem belongs to.")


class RescreenPublic(BaseModel):
    """An earlier stored shipment re-screened because of this batch."""

    shipment_id: str = Field(description="The earlier shipment.")
    before: str = Field(description="Its decision before.")
    after: str = Field(description="Its decision now.")
    caused_by: list[str] = Field(description="Shipments of this batch that caused the change.")


class BatchPublic(BaseModel):
    """A stored batch: counts, shipments with decisions, problems."""

    id: str = Field(description="Batch id (UUID).")
    name: str = Field(description="File name given at upload.")
    sha256: str = Field(description="SHA-256 of the uploaded bytes.")
    row_count: int = Field(description="Order lines in the file.")
    shipment_count: int = Field(description="Shipments stored by this batch.")
    imported_at: str = Field(description="When it was stored (UTC, ISO 8601).")
    actor: str = Field(description="Who stored it (`api:<key name>:<key prefix>`).")
    rules_version: str = Field(description="Rules used to screen it.")
    counts: BatchCountsPublic = Field(description="Counts.")
    shipments: list[BatchShipmentPublic] = Field(description="Shipments with decisions.")
    problems: list[BatchProblemPublic] = Field(description="Every issue of every shipment.")
    rescreened: list[RescreenPublic] = Field(description="Earlier shipments re-screened.")


class BatchSummaryPublic(BaseModel):
    """A stored batch in a list."""

    id: str = Field(description="Batch id (UUID).")
    name: str = Field(description="File name given at upload.")
    sha256: str = Field(description="SHA-256 of the file.")
    row_count: int = Field(description="Order lines in the file.")
    shipment_count: int = Field(description="Shipments stored by this batch.")
    imported_at: str = Field(description="When it was stored (ISO 8601 with offset).")
    actor: str = Field(description="Who stored it.")
    rules_version: str = Field(description="Rules used to screen it.")


class BatchPagePublic(BaseModel):
    """One page of stored batches, newest first."""

    items: list[BatchSummaryPublic] = Field(description="The batches of this page.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on "
                                                "the last page.")
