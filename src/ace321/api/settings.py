"""Server settings, from the environment (``ACE321_API_*``) or given to ``create_app``."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MEGABYTE = 1024 * 1024


class Settings(BaseSettings):
    """Settings of one API process."""

    model_config = SettingsConfigDict(env_prefix="ACE321_API_", extra="ignore")

    max_body_bytes: int = Field(
        50 * MEGABYTE, ge=1, description="Largest request body accepted; larger is 413.")
    idempotency_wait_seconds: float = Field(
        60.0, ge=0, description="How long a request waits for an identical one in progress.")
    key_cache_seconds: float = Field(
        1.0, ge=0, le=10, description="How long a verified API key is trusted without a "
        "database lookup; a revoked key stops working within this time (0: every request).")
    page_size: int = Field(100, ge=1, le=1000, description="Default page size of lists.")
    max_page_size: int = Field(1000, ge=1, description="Largest page size of lists.")
