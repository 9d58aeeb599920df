"""The dated rules: the regime in force on a day."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ParameterPublic(BaseModel):
    """One rule parameter's value in force on the day, with its legal reference."""

    name: str = Field(description="Parameter name, e.g. `deminimis.threshold`.")
    description: str = Field(description="What the parameter is.")
    unit: str = Field(description="Unit, e.g. `currency:USD`, `bool`, `list`.")
    value: Any = Field(description="The value in force (null: ended).")
    since: str = Field(description="The day this value took effect (YYYY-MM-DD).")
    reference: str = Field(description="Legal reference of this value.")


class RegimePublic(BaseModel):
    """The regime in force on a day."""

    on: str = Field(description="The day asked about (YYYY-MM-DD).")
    rules_version: str = Field(description="Label and digest of the rule files.")
    disclaimer: str = Field(description="Scope and limits of the rules.")
    parameters: list[ParameterPublic] = Field(description="Every parameter's value in force.")
