"""The costs paid on each case per category (table `casecost`): its `cost_paid` events
less its `cost_refunded` events, rewritten set-wise when the case's events change, so
that the dashboard's cost per case sums a small table.

A cost is recorded as an event because that is how it happens and who reports it: the
team or outside counsel pays the court fee on filing, the preservation fee, the
enforcement fee, a notice fee, the counsel's fee under the firm's arrangement; a court
refunds half the acceptance fee after a mediation or a withdrawal.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import Integer, Numeric, case, cast, delete, func, insert, select
from sqlmodel import Session

from legal_track.models import CaseEvent
from legal_track.models.analytics import CaseCost
from legal_track.money import from_fen

CHUNK = 5_000
PAID, REFUNDED = "cost_paid", "cost_refunded"


def _rows(session: Session, case_ids: list[int] | None) -> list[dict]:
    amount = CaseEvent.data["amount"].as_string()
    category = CaseEvent.data["category"].as_string()
    fen = cast(func.round(cast(amount, Numeric(18, 2)) * 100), Integer)
    signed = case((CaseEvent.kind == REFUNDED, -fen), else_=fen)
    scope = [CaseEvent.case_id.in_(case_ids)] if case_ids is not None else []
    q = (
        select(CaseEvent.case_id, category, func.sum(signed))
        .where(CaseEvent.kind.in_((PAID, REFUNDED)), *scope)
        .group_by(CaseEvent.case_id, category)
        .order_by(CaseEvent.case_id, category)
    )
    return [{"case_id": c, "category": k, "fen": int(f)} for c, k, f in session.execute(q) if k]


def refresh_costs(session: Session, *, case_ids: Iterable[int]) -> int:
    """Rewrite the cost rows of `case_ids` inside the caller's transaction."""
    ids = sorted(set(case_ids))
    table = CaseCost.__table__
    written = 0
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        session.execute(delete(table).where(table.c.case_id.in_(chunk)))
        rows = _rows(session, chunk)
        if rows:
            session.execute(insert(table), rows)
        written += len(rows)
    return written


def rebuild_costs(session: Session) -> int:
    """Every case's cost rows (after a bulk load or by migration); commits."""
    table = CaseCost.__table__
    session.execute(delete(table))
    rows = _rows(session, None)
    for i in range(0, len(rows), 20_000):
        session.execute(insert(table), rows[i : i + 20_000])
    session.commit()
    return len(rows)


def case_costs(session: Session, *, case_id: int) -> dict[str, Decimal]:
    """One case's net costs per category (categories with nothing recorded left out)."""
    rows = session.execute(
        select(CaseCost.category, CaseCost.fen)
        .where(CaseCost.case_id == case_id)
        .order_by(CaseCost.category)
    ).all()
    return {category: from_fen(fen) for category, fen in rows}
