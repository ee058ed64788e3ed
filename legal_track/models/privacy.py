"""Lawful-basis records for third parties reached in collections, and the marks that decide
whether a contact-log row with a third party goes into a bundle (legal_track.privacy)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from legal_track.models.base import utc_field


class ThirdPartyConsent(SQLModel, table=True):
    """A third party of a loan (a relative, an employer, ...) identified by the phone number,
    e-mail or postal address the contact log uses, with the lawful basis for contacting them
    (rules/privacy.toml `basis`) from `since` until `until` (withdrawn or ended; exclusive).
    A later record for the same loan and target replaces the earlier one (re-import)."""

    __table_args__ = (UniqueConstraint("loan_id", "target", name="uq_consent_target"),)
    id: int | None = Field(default=None, primary_key=True)
    loan_id: int = Field(foreign_key="loan.id", index=True)
    target: str = Field(max_length=254)  # normalised (legal_track.privacy.consents.normalise)
    name: str = Field(default="", max_length=100)
    relation: str = Field(max_length=16)  # rules/privacy.toml [relation.*]
    basis: str = Field(max_length=16)  # rules/privacy.toml [basis.*]
    since: date
    until: date | None = None
    proof_ref: str = Field(default="", max_length=200)
    recorded_by: str = Field(max_length=64)
    recorded_at: datetime = utc_field()


class ContactMark(SQLModel, table=True):
    """A reviewer's decision on one contact-log row with a third party: into the bundles
    (`include`) or kept out, with the reason. Overrides the consent check for that row."""

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contactlog.id", unique=True)
    include: bool
    reason: str = Field(max_length=500)
    marked_by: str = Field(max_length=64)
    marked_at: datetime = utc_field()
