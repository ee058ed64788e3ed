"""Document templates (every registered version) and the documents generated from them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from legal_track.models.base import json_field, utc_field


class DocumentTemplate(SQLModel, table=True):
    """One version of one template: the .docx under settings.templates_dir, its metadata
    and sample context. Exactly one version per template id is active."""

    __table_args__ = (UniqueConstraint("template_id", "version", name="uq_template_version"),)
    id: int | None = Field(default=None, primary_key=True)
    template_id: str = Field(max_length=64, index=True)
    version: str = Field(max_length=32)
    sha256: str = Field(max_length=64)
    path: str = Field(max_length=500)  # relative to settings.templates_dir
    meta: dict = json_field(dict)  # the <id>.toml content
    sample: dict = json_field(dict)  # the <id>.sample.json content
    source: str = Field(default="upload", max_length=16)  # builtin | upload
    active: bool = Field(default=False, index=True)
    created_by: str = Field(max_length=64)
    created_at: datetime = utc_field()
    activated_at: datetime | None = utc_field(nullable=True)


class GeneratedDocument(SQLModel, table=True):
    """A document produced for a case: what made it (template version, context hash)
    and what it is (SHA-256). The context is kept so a regeneration can show what changed."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    template_id: str = Field(max_length=64, index=True)
    template_version: str = Field(max_length=32)
    template_sha256: str = Field(max_length=64)
    context_sha256: str = Field(max_length=64, index=True)
    context: dict = json_field(dict)
    cutoff: date
    sha256: str = Field(max_length=64, index=True)
    size: int = Field(default=0)
    path: str = Field(max_length=1000)  # the .docx, or the batch zip
    zip_member: str | None = Field(default=None, max_length=300)  # member inside `path`
    pdf_sha256: str | None = Field(default=None, max_length=64)
    pdf_path: str | None = Field(default=None, max_length=1000)
    pdf_member: str | None = Field(default=None, max_length=300)
    batch_id: str | None = Field(default=None, max_length=40, index=True)
    file_id: int | None = Field(default=None, foreign_key="generatedfile.id")
    # demand letters: set when the letter is recorded as sent / delivered (with the event)
    sent_on: date | None = None
    tracking_no: str | None = Field(default=None, max_length=64)
    delivered_on: date | None = None
    actor: str = Field(max_length=64)
    created_at: datetime = utc_field(index=True)
    # Set by the retention purge: `context` was emptied and the file deleted (a member of a
    # batch zip stays in the zip; the purge report names the zip).
    purged_at: datetime | None = utc_field(nullable=True)
