"""Settings of the web workspace, from the environment (``ACE321_WEB_*``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ACE321_WEB_", extra="ignore")

    secure_cookies: bool = Field(
        True, description="Mark cookies Secure (sent over HTTPS only; browsers also send them "
        "to http://localhost and 127.0.0.1). Set false only for plain HTTP on a trusted network.")
    session_hours: float = Field(12.0, gt=0, le=24 * 30, description="How long a sign-in lasts.")
    page_size: int = Field(50, ge=1, le=500, description="Rows per page of the tables.")
