"""Portfolio figures for the head of legal and risk control, each one SQL aggregate (the
cases are never loaded into Python): KPIs, the stage funnel, dwell times per stage,
recovery per route and per law firm, and the monthly trend.

Recovery of a case: the repayments booked in the ledger on the case's loans on or after
the day the case was opened, plus the `payment_received` events of the case that no such
ledger repayment matches (same amount, same day): a payment both reported by counsel and
booked by finance counts once. Amounts are integer fen in SQL and Decimal yuan here.

Every query takes the same `Filters` (route, forum, counsel firm, owner, opened between).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import (
    Date,
    Integer,
    Numeric,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.sql import Select
from sqlmodel import Session

from legal_track.cases.kinds import IMPLIED_STAGE
from legal_track.cases.lifecycle import Stage
from legal_track.models import (
    Case,
    CaseEvent,
    CaseLoan,
    Deadline,
    LedgerEntry,
    LimitationClock,
    Loan,
    User,
)

FEN = Decimal("0.01")
RISKY = ("expired", "lt90")


def yuan(fen: int | None) -> Decimal:
    return (Decimal(int(fen or 0)) * FEN).quantize(FEN)


@dataclass(frozen=True, slots=True)
class Filters:
    route: str | None = None
    forum: str | None = None
    firm: str | None = None
    owner: str | None = None  # username
    opened_from: date | None = None
    opened_to: date | None = None

    def where(self) -> list:
        out = []
        if self.route:
            out.append(Case.route == self.route)
        if self.forum:
            out.append(Case.forum == self.forum)
        if self.firm:
            out.append(Case.counsel_firm == self.firm)
        if self.owner:
            out.append(Case.owner_id.in_(select(User.id).where(User.username == self.owner)))
        if self.opened_from:
            out.append(Case.opened_on >= self.opened_from)
        if self.opened_to:
            out.append(Case.opened_on <= self.opened_to)
        return out


def _cases(filters: Filters) -> Select:
    return select(Case.id).where(*filters.where())


def _ledger_fen():
    """LedgerEntry.amount is stored as integer fen (db.Money)."""
    return cast(LedgerEntry.__table__.c.amount, Integer)


def _recovered_by_case(filters: Filters):
    """(case_id, recovered fen) per case, as a subquery: ledger repayments after opening
    plus payment_received events no ledger repayment matches."""
    ledger = (
        select(CaseLoan.case_id.label("case_id"), func.sum(_ledger_fen()).label("fen"))
        .join(LedgerEntry, LedgerEntry.loan_id == CaseLoan.loan_id)
        .join(Case, Case.id == CaseLoan.case_id)
        .where(
            LedgerEntry.kind == "repayment",
            LedgerEntry.booked_on >= Case.opened_on,
            *filters.where(),
        )  # fmt: skip
        .group_by(CaseLoan.case_id)
    )
    amount = CaseEvent.data["amount"].as_string()
    event_fen = cast(func.round(cast(amount, Numeric(18, 2)) * 100), Integer)
    matched = exists().where(
        CaseLoan.case_id == CaseEvent.case_id,
        LedgerEntry.loan_id == CaseLoan.loan_id,
        LedgerEntry.kind == "repayment",
        LedgerEntry.booked_on == CaseEvent.on,
        _ledger_fen() == event_fen,
    )
    events = (
        select(CaseEvent.case_id.label("case_id"), func.sum(event_fen).label("fen"))
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.kind == "payment_received", ~matched, *filters.where())
        .group_by(CaseEvent.case_id)
    )
    both = ledger.union_all(events).subquery()
    return (
        select(both.c.case_id, func.sum(both.c.fen).label("fen"))
        .group_by(both.c.case_id)
        .subquery()
    )


@dataclass(frozen=True, slots=True)
class Kpis:
    open_cases: int
    open_by_route: dict[str, int]
    open_by_stage: dict[str, int]
    claim_in_legal: Decimal
    recovered_month: Decimal
    recovered_year: Decimal
    deadlines_overdue: int
    deadlines_this_week: int
    clocks_at_risk: int


def kpis(session: Session, *, today: date, filters: Filters = Filters()) -> Kpis:
    open_ = [Case.closed_on.is_(None), *filters.where()]
    by_route = dict(session.execute(
        select(Case.route, func.count()).where(*open_).group_by(Case.route)).all())  # fmt: skip
    by_stage = dict(session.execute(
        select(Case.stage, func.count()).where(*open_).group_by(Case.stage)).all())  # fmt: skip
    claim = session.execute(select(func.sum(Case.claim_total_fen)).where(*open_)).scalar()
    month_start, year_start = today.replace(day=1), today.replace(month=1, day=1)
    booked = LedgerEntry.booked_on
    month_fen, year_fen = session.execute(
        select(func.sum(case((booked >= month_start, _ledger_fen()), else_=0)),
               func.sum(_ledger_fen()))
        .select_from(LedgerEntry)
        .join(CaseLoan, CaseLoan.loan_id == LedgerEntry.loan_id)
        .join(Case, Case.id == CaseLoan.case_id)
        .where(LedgerEntry.kind == "repayment", booked >= Case.opened_on,
               booked >= year_start, booked <= today, *filters.where())
    ).one()  # fmt: skip
    recovered = {"month": month_fen, "year": year_fen}
    due = func.coalesce(Deadline.override_due, Deadline.due)
    scoped = [Deadline.case_id.in_(_cases(filters))] if filters.where() else []
    overdue, week = session.execute(
        select(func.sum(case((due < today, 1), else_=0)),
               func.sum(case((and_(due >= today, due <= today + timedelta(days=7)), 1), else_=0)))
        .where(Deadline.status == "open", due <= today + timedelta(days=7), *scoped)
    ).one()  # fmt: skip
    risky = LimitationClock.risk.in_(RISKY)
    if filters.where():
        # clocks of loans in no case, and of the loans of the filtered cases
        risky = and_(risky, or_(
            ~exists().where(CaseLoan.loan_id == LimitationClock.loan_id),
            LimitationClock.loan_id.in_(select(CaseLoan.loan_id).where(
                CaseLoan.case_id.in_(_cases(filters)))),
        ))  # fmt: skip
    clocks = session.execute(
        select(func.count()).select_from(LimitationClock).where(risky)
    ).scalar()
    return Kpis(
        open_cases=sum(by_route.values()), open_by_route=by_route, open_by_stage=by_stage,
        claim_in_legal=yuan(claim), recovered_month=yuan(recovered["month"]),
        recovered_year=yuan(recovered["year"]), deadlines_overdue=int(overdue or 0),
        deadlines_this_week=int(week or 0), clocks_at_risk=int(clocks or 0),
    )  # fmt: skip


def funnel(session: Session, *, filters: Filters = Filters()) -> list[dict]:
    """Cases per route and stage (every case, open or closed), in lifecycle order."""
    rows = session.execute(
        select(Case.route, Case.stage, func.count()).where(*filters.where())
        .group_by(Case.route, Case.stage)
    ).all()  # fmt: skip
    order = {s.value: i for i, s in enumerate(Stage)}
    return [{"route": r, "stage": s, "cases": n}
            for r, s, n in sorted(rows, key=lambda x: (x[0], order.get(x[1], 99)))]  # fmt: skip


def _stage_of_kind():
    return case(
        *(
            (CaseEvent.kind == kind.value, literal(stage.value))
            for kind, stage in IMPLIED_STAGE.items()
        ),
        else_=None,
    )


def dwell_times(session: Session, *, today: date, filters: Filters = Filters()) -> list[dict]:
    """Days spent in each stage per route: median and 90th percentile over the stage visits
    (from the event that entered a stage to the next stage-changing event, or today while
    the case is still there), with the number of visits. Percentiles are computed in SQL
    by rank (the same on SQLite and PostgreSQL)."""
    stage = _stage_of_kind().label("stage")
    moves = (
        select(CaseEvent.case_id, Case.route, CaseEvent.on, stage)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.kind.in_([k.value for k in IMPLIED_STAGE]), *filters.where())
        .subquery()
    )
    nxt = func.lead(moves.c.on).over(partition_by=moves.c.case_id, order_by=moves.c.on)
    spans = select(
        moves.c.route, moves.c.stage, moves.c.on.label("entered"), nxt.label("left")
    ).subquery()
    end = func.coalesce(spans.c.left, today)
    days = _days_between(spans.c.entered, end, session).label("days")
    visits = select(spans.c.route, spans.c.stage, days).where(spans.c.stage != "closed").subquery()
    rank = func.row_number().over(partition_by=(visits.c.route, visits.c.stage),
                                  order_by=visits.c.days).label("rn")  # fmt: skip
    count = func.count().over(partition_by=(visits.c.route, visits.c.stage)).label("n")
    ranked = select(visits.c.route, visits.c.stage, visits.c.days, rank, count).subquery()
    q = (
        select(
            ranked.c.route, ranked.c.stage,
            func.min(case((ranked.c.rn * 2 >= ranked.c.n, ranked.c.days))),
            func.min(case((ranked.c.rn * 10 >= ranked.c.n * 9, ranked.c.days))),
            func.max(ranked.c.n),
        ).group_by(ranked.c.route, ranked.c.stage)
    )  # fmt: skip
    order = {s.value: i for i, s in enumerate(Stage)}
    rows = session.execute(q).all()
    return [{"route": r, "stage": s, "median_days": int(m), "p90_days": int(p), "visits": int(n)}
            for r, s, m, p, n in sorted(rows, key=lambda x: (x[0], order.get(x[1], 99)))]  # fmt: skip


def _days_between(start, end, session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return cast(end, Date) - cast(start, Date)
    return cast(func.julianday(end) - func.julianday(start), Integer)


def recovery(session: Session, *, by: str, filters: Filters = Filters()) -> list[dict]:
    """Cases, claim, recovered and recovery rate grouped `by` route or counsel firm."""
    key = {"route": Case.route, "firm": func.coalesce(Case.counsel_firm, "")}[by]
    rec = _recovered_by_case(filters)
    q = (
        select(key, func.count(Case.id), func.sum(Case.claim_total_fen),
               func.sum(func.coalesce(rec.c.fen, 0)),
               func.sum(case((Case.closed_on.is_not(None), 1), else_=0)))
        .outerjoin(rec, rec.c.case_id == Case.id)
        .where(*filters.where())
        .group_by(key)
        .order_by(key)
    )  # fmt: skip
    out = []
    for name, cases, claim, recovered, closed in session.execute(q).all():
        claim_y, rec_y = yuan(claim), yuan(recovered)
        rate = (rec_y / claim_y).quantize(Decimal("0.0001")) if claim_y else Decimal(0)
        out.append({by: name, "cases": int(cases), "closed": int(closed), "claim": claim_y,
                    "recovered": rec_y, "recovery_rate": rate})  # fmt: skip
    return out


def case_recovery(session: Session, *, case_id: int) -> dict:
    """One case: recovered (reconciled), outstanding principal and written off after opening."""
    rec = _recovered_by_case(Filters())
    recovered = session.execute(select(rec.c.fen).where(rec.c.case_id == case_id)).scalar()
    outstanding = session.execute(
        select(func.sum(cast(Loan.__table__.c.outstanding_principal, Integer)))
        .join(CaseLoan, CaseLoan.loan_id == Loan.id).where(CaseLoan.case_id == case_id)
    ).scalar()  # fmt: skip
    written = session.execute(
        select(func.sum(_ledger_fen())).select_from(LedgerEntry)
        .join(CaseLoan, CaseLoan.loan_id == LedgerEntry.loan_id)
        .join(Case, Case.id == CaseLoan.case_id)
        .where(CaseLoan.case_id == case_id, LedgerEntry.kind == "write_off",
               LedgerEntry.booked_on >= Case.opened_on)
    ).scalar()  # fmt: skip
    return {"recovered": yuan(recovered), "outstanding": yuan(outstanding),
            "written_off": yuan(written)}  # fmt: skip


def monthly_trend(session: Session, *, filters: Filters = Filters()) -> list[dict]:
    """Per month: cases opened, cases closed, amount recovered (ledger, after opening)."""

    def month(col):
        return (extract("year", col) * 100 + extract("month", col)).label("month")

    m_open, m_closed, m_booked = (
        month(Case.opened_on),
        month(Case.closed_on),
        month(LedgerEntry.booked_on),
    )
    opened = dict(session.execute(
        select(m_open, func.count()).where(*filters.where()).group_by(m_open)).all())  # fmt: skip
    closed = dict(session.execute(
        select(m_closed, func.count())
        .where(Case.closed_on.is_not(None), *filters.where()).group_by(m_closed)).all())  # fmt: skip
    recovered = dict(session.execute(
        select(m_booked, func.sum(_ledger_fen()))
        .select_from(LedgerEntry)
        .join(CaseLoan, CaseLoan.loan_id == LedgerEntry.loan_id)
        .join(Case, Case.id == CaseLoan.case_id)
        .where(LedgerEntry.kind == "repayment", LedgerEntry.booked_on >= Case.opened_on,
               *filters.where())
        .group_by(m_booked)).all())  # fmt: skip
    opened, closed, recovered = ({int(k): v for k, v in d.items() if k is not None}
                                 for d in (opened, closed, recovered))  # fmt: skip
    months = sorted({*opened, *closed, *recovered})
    return [{"month": f"{m // 100:04d}-{m % 100:02d}", "opened": int(opened.get(m, 0) or 0),
             "closed": int(closed.get(m, 0) or 0), "recovered": yuan(recovered.get(m))}
            for m in months]  # fmt: skip


__all__ = [
    "Filters",
    "Kpis",
    "case_recovery",
    "dwell_times",
    "funnel",
    "kpis",
    "monthly_trend",
    "recovery",
]
