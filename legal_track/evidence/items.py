"""Which evidence items belong to a case or a loan (through their links)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from legal_track.models import CaseLoan, EvidenceItem, EvidenceLink


def items_for_case(session: Session, *, case_id: int) -> list[EvidenceItem]:
    """Items linked to the case or to any of its loans, in the order they were added."""
    loan_ids = select(CaseLoan.loan_id).where(CaseLoan.case_id == case_id)
    ids = select(EvidenceLink.item_id).where(
        (EvidenceLink.case_id == case_id) | col(EvidenceLink.loan_id).in_(loan_ids)
    )
    return list(
        session.exec(
            select(EvidenceItem).where(col(EvidenceItem.id).in_(ids)).order_by(col(EvidenceItem.id))
        )
    )


def items_for_loan(session: Session, *, loan_id: int) -> list[EvidenceItem]:
    ids = select(EvidenceLink.item_id).where(EvidenceLink.loan_id == loan_id)
    return list(
        session.exec(
            select(EvidenceItem).where(col(EvidenceItem.id).in_(ids)).order_by(col(EvidenceItem.id))
        )
    )


def links_of(session: Session, *, item_id: int) -> list[EvidenceLink]:
    return list(session.exec(select(EvidenceLink).where(EvidenceLink.item_id == item_id)))
