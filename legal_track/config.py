"""Settings: one declared table, read from LEGAL_TRACK_* environment variables and `.env`.

Nothing is read at import time; call :func:`get_settings` (cached) or build
``Settings()`` explicitly in tests. Relative paths resolve against the current
working directory when the settings object is created.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SmtpSecurity(StrEnum):
    none = "none"
    starttls = "starttls"
    ssl = "ssl"


class Settings(BaseSettings):
    """Every setting of legal-track. The README's configuration table lists each one."""

    model_config = SettingsConfigDict(
        env_prefix="LEGAL_TRACK_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = Field(
        "sqlite:///var/legal_track.db",
        description="SQLAlchemy URL of the database. SQLite file under var/ by default; "
        "postgresql+psycopg://user:pw@host/db for a team.",
    )
    evidence_dir: Path = Field(
        Path("evidence/store"), description="Root of the content-addressed evidence store."
    )
    outbox_dir: Path = Field(
        Path("var/outbox"),
        description="Folder where e-mail is written as .eml files while no SMTP host is set.",
    )
    output_dir: Path = Field(
        Path("var/output"), description="Folder for generated documents, bundles and packages."
    )
    timezone: str = Field("Asia/Shanghai", description="Time zone for display and day boundaries.")
    language: Literal["zh", "en"] = Field("zh", description="Default UI language: zh or en.")
    smtp_host: str | None = Field(None, description="SMTP server; unset means write to the outbox.")
    smtp_port: int = Field(587, description="SMTP port.")
    smtp_user: str | None = Field(None, description="SMTP user name (optional).")
    smtp_password: SecretStr | None = Field(None, description="SMTP password (optional).")
    smtp_security: SmtpSecurity = Field(
        SmtpSecurity.starttls, description="SMTP transport security: none, starttls or ssl."
    )
    smtp_from: str = Field(
        "legal-track <legal-track@localhost>", description="From address of every e-mail."
    )
    cjk_font: Path | None = Field(
        None,
        description="Path of a CJK font file (.ttf/.otf/.ttc) for PDFs; discovered on the "
        "system when unset.",
    )
    admin_password: SecretStr | None = Field(
        None,
        description="Password for the first admin account; generated and printed once when unset.",
    )
    app_url: str = Field(
        "http://127.0.0.1:8501", description="Base URL of the app, used for links in e-mails."
    )

    @field_validator("evidence_dir", "outbox_dir", "output_dir", "cjk_font", mode="after")
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        return None if value is None else value.expanduser().resolve()

    @field_validator("database_url", mode="after")
    @classmethod
    def _sqlite_absolute(cls, value: str) -> str:
        prefix = "sqlite:///"
        if value.startswith(prefix) and value != "sqlite:///:memory:":
            path = value[len(prefix) :]
            if path and not path.startswith("/"):
                return prefix + str(Path(path).resolve())
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
