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
    evidence_max_bytes: int = Field(
        200 * 1024 * 1024,
        gt=0,
        description="Largest evidence file accepted into the register, in bytes (200 MB).",
    )
    outbox_dir: Path = Field(
        Path("var/outbox"),
        description="Folder where e-mail is written as .eml files while no SMTP host is set.",
    )
    output_dir: Path = Field(
        Path("var/output"), description="Folder for generated documents, bundles and packages."
    )
    templates_dir: Path = Field(
        Path("var/templates"),
        description="Folder holding every registered document-template version (shipped and "
        "uploaded .docx files, stored by id and version).",
    )
    soffice_path: Path | None = Field(
        None,
        description="LibreOffice `soffice` binary for .docx -> .pdf; found on PATH when unset. "
        "Without it documents come out as .docx only.",
    )
    document_workers: int | None = Field(
        None,
        description="Worker processes for batch document generation; every core when unset.",
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
    # --- reminders (docs/reminders.md) ---
    digest_enabled: bool = Field(True, description="Send each user a daily digest e-mail.")
    digest_time: str = Field(
        "08:30",
        pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
        description="Local time (HH:MM, in `timezone`) at which the daily digest is sent.",
    )
    recompute_time: str = Field(
        "06:30",
        pattern=r"^(([01]\d|2[0-3]):[0-5]\d)?$",
        description=(
            "Local time (HH:MM) of the nightly recompute of every deadline and limitation "
            "clock (risk levels move with the date; run it before the digest). Empty: off."
        ),
    )
    digest_horizon_days: int = Field(
        7, ge=1, description="The digest lists deadlines due within this many days."
    )
    digest_max_lines: int = Field(
        50, ge=1, description="Most lines per digest section; the rest is counted, not listed."
    )
    digest_limitation_risks: list[str] = Field(
        ["expired", "lt90"],
        description="Limitation-clock risk levels listed in the digest (expired, lt90, lt180).",
    )
    alerts_enabled: bool = Field(True, description="Send immediate alerts for fatal deadlines.")
    alert_interval_minutes: int = Field(
        15, ge=1, description="Minutes between two checks for immediate alerts."
    )
    alert_offsets: list[int] = Field(
        [3, 1, 0],
        description="Days before the due date at which an alert is sent (plus one when overdue), "
        "unless the deadline's rule sets its own.",
    )
    alert_severities: list[str] = Field(
        ["fatal"], description="Deadline severities that trigger immediate alerts."
    )
    alert_catchup_days: int = Field(
        3,
        ge=0,
        description="An alert or escalation missed (downtime, first start) is still sent up to "
        "this many days late; older ones are only listed in the digest.",
    )
    escalation_days: int = Field(
        3, ge=1, description="Days overdue after which a deadline is escalated to the owner's lead."
    )
    escalation_severities: list[str] = Field(
        ["fatal", "critical"], description="Deadline severities that are escalated when overdue."
    )
    reminder_retry_seconds: int = Field(
        60, ge=1, description="First retry delay after a failed send; doubles per attempt."
    )
    reminder_retry_max_seconds: int = Field(
        3600, ge=1, description="Longest delay between two retries of a failed send."
    )
    smtp_timeout_seconds: int = Field(30, ge=1, description="SMTP connect and command timeout.")
    worker_in_app: bool = Field(
        False,
        description="Run the reminder scheduler inside the app process (single-user setups); "
        "otherwise run `legal-track worker`.",
    )
    lease_seconds: int = Field(
        60,
        ge=5,
        description="Lifetime of the scheduler lease; another instance takes over this long "
        "after the active one stopped renewing it.",
    )
    scheduler_misfire_grace_seconds: int = Field(
        86400,
        ge=1,
        description="A scheduled job missed while no worker ran is still run (once) if at most "
        "this many seconds late.",
    )

    # --- accounts, sessions and approvals (docs/audit.md) ---
    login_max_failures: int = Field(
        5,
        ge=1,
        description="Failed sign-ins of one account within `login_window_minutes` after which "
        "the account is locked for the rest of the window (an admin's enable or reset unlocks).",
    )
    login_client_max_failures: int = Field(
        20,
        ge=1,
        description="Failed sign-ins from one client address (any account) within "
        "`login_window_minutes` after which that address may not sign in for the window.",
    )
    login_window_minutes: int = Field(
        15, ge=1, description="The window, in minutes, over which failed sign-ins are counted."
    )
    session_idle_minutes: int = Field(
        30,
        ge=1,
        description="An app session with no interaction for this many minutes is signed out.",
    )
    approval_actions: list[str] = Field(
        ["filing", "escalation_accept"],
        description="Actions that need a second person's approval (maker-checker): "
        "demand_letter (marking a demand letter sent), filing (complaint, arbitration, payment "
        "order, enforcement application), escalation_accept. Empty list: none.",
    )

    # --- retention (docs/retention.md) ---
    retention_years: int = Field(
        5,
        ge=1,
        description="Years after a case was closed after which its parties' personal data may "
        "be purged (`legal-track retention purge`). Not less than the floor in "
        "rules/retention.toml (3 years, the general limitation period); see docs/retention.md "
        "for the legal basis of the default.",
    )

    @field_validator("evidence_dir", "outbox_dir", "output_dir", "cjk_font", mode="after")
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        return None if value is None else value.expanduser().resolve()

    @field_validator("templates_dir", "soffice_path", mode="after")
    @classmethod
    def _absolute_documents(cls, value: Path | None) -> Path | None:
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


def settings_markdown() -> str:
    """The README's configuration table, generated from the declared settings."""
    rows = ["| Environment variable | Default | Meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = field.default
        if isinstance(default, Path):
            default = str(default) + "/" if not default.suffix else str(default)
        elif isinstance(default, SecretStr):
            default = "***"
        elif hasattr(default, "value"):
            default = default.value
        shown = "(unset)" if default is None else f"`{default}`"
        text = (field.description or "").replace("|", "\\|")
        rows.append(f"| `LEGAL_TRACK_{name.upper()}` | {shown} | {text} |")
    return "\n".join(rows) + "\n"
