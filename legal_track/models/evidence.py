"""The evidence register: stored items, their links to cases and loans, the custody log,
and the record of every file the system produces (GeneratedFile)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Column
from sqlmodel import Field, SQLModel

from legal_track.models.base import json_field, utc_field


class EvidenceCategory(StrEnum):
    loan_contract = "loan_contract"
    id_document = "id_document"
    disbursement_proof = "disbursement_proof"
    repayment_record = "repayment_record"
    contact_log = "contact_log"
    delivery_proof = "delivery_proof"  # e.g. a signed postal receipt (签收回执)
    demand_letter = "demand_letter"
    court_document = "court_document"  # judgment, award, ruling, payment order
    other = "other"


class EvidenceKind(StrEnum):
    """The file type sniffed from the content (never from the name)."""

    pdf = "pdf"
    png = "png"
    jpeg = "jpeg"
    tiff = "tiff"
    csv = "csv"
    xlsx = "xlsx"
    eml = "eml"
    docx = "docx"


class CustodyAction(StrEnum):
    added = "added"
    linked = "linked"
    viewed = "viewed"
    exported = "exported"
    purged = "purged"  # the file was deleted from the store by the retention purge


class EvidenceItem(SQLModel, table=True):
    """One stored content (the same bytes are registered once)."""

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(index=True, unique=True, max_length=64)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    kind: EvidenceKind = Field(max_length=8)
    original_name: str = Field(max_length=255)  # sanitised; display only, never a path
    category: EvidenceCategory = Field(max_length=24, index=True)
    source: str = Field(default="", max_length=500)  # 来源
    purpose: str = Field(default="")  # 证明目的
    captured_at: datetime | None = utc_field(nullable=True)
    added_by: str = Field(max_length=64)
    added_at: datetime = utc_field(index=True)
    page_count: int | None = None
    # A PDF made from the original for bundling: repaired, decrypted or converted (DOCX).
    # The original bytes always stay in the store under `sha256`.
    rendition_sha256: str | None = Field(default=None, max_length=64)
    rendition_note: str = Field(default="", max_length=200)
    repaired: bool = Field(default=False)
    bundleable: bool = Field(default=True)
    not_bundleable_reason: str = Field(default="", max_length=500)
    meta: dict = json_field(dict)  # encoding, delimiter, image size, e-mail headers ...
    # Set by the retention purge: the file (and its rendition) was deleted from the store;
    # `sha256` stays so that `evidence verify` reports the item as purged, not missing.
    purged_at: datetime | None = utc_field(nullable=True)


class EvidenceLink(SQLModel, table=True):
    """An item linked to one case or one loan (exactly one of the two)."""

    __table_args__ = (
        CheckConstraint(
            "(case_id IS NULL) <> (loan_id IS NULL)", name="ck_evidencelink_one_target"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="evidenceitem.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    loan_id: int | None = Field(default=None, foreign_key="loan.id", index=True)
    linked_by: str = Field(max_length=64)
    linked_at: datetime = utc_field()


class CustodyEntry(SQLModel, table=True):
    """Chain of custody: who added, viewed and exported an item, and when. Append-only."""

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="evidenceitem.id", index=True)
    at: datetime = utc_field(index=True)
    actor: str = Field(max_length=64)
    action: CustodyAction = Field(max_length=16)
    detail: dict = json_field(dict)


class GeneratedFile(SQLModel, table=True):
    """Every file the system produces: what, where, its hash and what it was made from."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32, index=True)  # bundle, exhibit, document, index_docx ...
    path: str = Field(max_length=1000)
    sha256: str = Field(max_length=64, index=True)
    size: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    # [{"name": ..., "sha256": ...}, ...] in input order
    inputs: list = json_field(list)
    # {"template": "complaint@3", "rules": "evidence_requirements@2026.1", "builder": "0.1.0"}
    versions: dict = json_field(dict)
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    created_at: datetime = utc_field(index=True)
    actor: str = Field(max_length=64)
    purged_at: datetime | None = utc_field(nullable=True)  # file deleted by the retention purge
