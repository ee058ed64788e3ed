"""Demand letters after they are generated: sent, then delivered.

Sending records the case event `demand_letter_sent` (events.add_event). Delivery
(postal tracking number and the date the borrower signed for it) records
`demand_letter_delivered`: the deadline engine creates the payment deadline from it
(rule demand_letter_payment, `payment_days` after delivery) and the limitation clock
restarts (a demand that reached the debtor interrupts the period, Civil Code art.
195); the stored clocks of the case's loans are recomputed at once.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from legal_track.approvals.gates import require_letter
from legal_track.cases.events import add_event
from legal_track.documents.errors import DocumentError
from legal_track.models import CaseEvent, GeneratedDocument
from legal_track.privacy import CASE_WORKER_ROLES, check_role

LETTER = "demand_letter"


def _letter(session: Session, document_id: int) -> GeneratedDocument:
    doc = session.get(GeneratedDocument, document_id)
    if doc is None:
        raise LookupError(f"no generated document {document_id}")
    if doc.template_id != LETTER:
        raise DocumentError(f"document {document_id} is a {doc.template_id}, not a demand letter")
    return doc


def mark_sent(session: Session, *, document_id: int, on: date, actor: str, now: datetime,
              tracking_no: str = "", timezone: str = "Asia/Shanghai", role: str | None = None) -> CaseEvent:  # fmt: skip
    """Record that a generated demand letter was sent on `on` (one commit, by add_event)."""
    check_role(role, CASE_WORKER_ROLES, "record letters")
    doc = _letter(session, document_id)
    if doc.sent_on is not None:
        raise DocumentError(f"document {document_id} was already recorded as sent on {doc.sent_on}")
    made_on = doc.created_at.astimezone(ZoneInfo(timezone)).date()
    if on < made_on:
        raise DocumentError(f"document {document_id} was generated on {made_on}; "
                            f"it cannot have been sent on {on}")  # fmt: skip
    require_letter(session, case_id=doc.case_id, document_id=doc.id, on=on,
                   tracking_no=tracking_no, actor=actor, now=now)  # maker-checker  # fmt: skip
    doc.sent_on = on
    doc.tracking_no = tracking_no.strip() or None
    session.add(doc)  # committed together with the event
    note = f"document {doc.id} ({doc.template_id}@{doc.template_version}, sha256 {doc.sha256[:16]})"
    return add_event(session, case_id=doc.case_id, kind="demand_letter_sent", on=on, actor=actor, now=now,
                     data={"tracking_no": tracking_no}, note=note, role=role)  # fmt: skip


def record_delivery(session: Session, *, case_id: int, signed_on: date, actor: str, now: datetime,
                    tracking_no: str = "", payment_days: int = 7, document_id: int | None = None,
                    timezone: str = "Asia/Shanghai", role: str | None = None) -> CaseEvent:  # fmt: skip
    """Record that the borrower signed for the letter on `signed_on`.

    `demand_letter_delivered` is added (payment deadline, limitation restart); when
    `document_id` is given the letter is marked delivered in the same commit. The
    stored limitation clocks of the case's loans are then recomputed by add_event."""
    check_role(role, CASE_WORKER_ROLES, "record letters")
    today = now.astimezone(ZoneInfo(timezone)).date()
    if signed_on > today:
        raise DocumentError(f"signed date {signed_on} is in the future")
    if document_id is not None:
        doc = _letter(session, document_id)
        if doc.case_id != case_id:
            raise DocumentError(f"document {document_id} belongs to another case")
        if doc.sent_on is not None and signed_on < doc.sent_on:
            raise DocumentError(
                f"signed date {signed_on} is before the letter was sent ({doc.sent_on})"
            )
        doc.delivered_on = signed_on
        if tracking_no and not doc.tracking_no:
            doc.tracking_no = tracking_no
        session.add(doc)
    event = add_event(
        session, case_id=case_id, kind="demand_letter_delivered", on=signed_on, actor=actor, now=now,
        data={"payment_days": payment_days, "tracking_no": tracking_no, "signed_on": signed_on},
        note=f"document {document_id}" if document_id else "", role=role,
    )  # fmt: skip
    return event  # add_event also refreshed the case's limitation clocks
