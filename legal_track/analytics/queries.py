"""Portfolio figures for the head of legal and risk control, each one SQL aggregate (the
cases are never loaded into Python): KPIs, the stage funnel, dwell times per stage,
recovery per route and per law firm, and the monthly trend.

Recovery of a case is kept per month in `caserecovery` (legal_track.analytics.recoveries):
the repayments booked in the ledger on the case's loans on or after the day the case was
opened, plus the `payment_received` events no such ledger repayment matches (same amount,
same day). Amounts are integer fen in SQL and Decimal yuan here.

Every query takes the same `Filters` (route, forum, counsel firm, owner, opened between).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import (
    Integer,
    Numeric,
    and_,
    case,
    cast,
    distinct,
    exists,
    extract,
    func,
    or_,
    select,
)
from sqlalchemy.sql import Select
from sqlmodel import Session

from legal_track.analytics.recoveries import ledger_fen
from legal_track.cases.lifecycle import Stage
from legal_track.models import (
    Case,
    CaseCost,
    CaseLoan,
    CaseRecovery,
    Deadline,
    EscalationDecision,
    LedgerEntry,
    LimitationClock,
    Loan,
    StageVisit,
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
    by_route: dict[str, int] = {}
    by_stage: dict[str, int] = {}
    claim = 0
    for route, stage, n, fen in session.execute(
        select(Case.route, Case.stage, func.count(), func.sum(Case.claim_total_fen))
        .where(*open_).group_by(Case.route, Case.stage)
    ).all():  # fmt: skip
        by_route[route] = by_route.get(route, 0) + n
        by_stage[stage] = by_stage.get(stage, 0) + n
        claim += int(fen or 0)
    this_month = today.year * 100 + today.month
    month_fen, year_fen = session.execute(
        select(func.sum(case((CaseRecovery.month == this_month, CaseRecovery.fen), else_=0)),
               func.sum(CaseRecovery.fen))
        .where(CaseRecovery.month >= today.year * 100, CaseRecovery.month <= this_month,
               *([CaseRecovery.case_id.in_(_cases(filters))] if filters.where() else []))
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


def dwell_times(session: Session, *, today: date, filters: Filters = Filters()) -> list[dict]:
    """Days spent in each stage per route: median and 90th percentile over the stays
    (table `stagevisit`, kept with the events; a stay still going counts until today),
    with the number of stays. The database returns a histogram (route, stage, days,
    count); the percentiles are read off it by rank."""
    scope = [StageVisit.case_id.in_(_cases(filters))] if filters.where() else []
    done = session.execute(
        select(StageVisit.route, StageVisit.stage, StageVisit.days, func.count())
        .where(StageVisit.days.is_not(None), StageVisit.stage != "closed", *scope)
        .group_by(StageVisit.route, StageVisit.stage, StageVisit.days)
    ).all()
    going = session.execute(
        select(StageVisit.route, StageVisit.stage, StageVisit.entered_on, func.count())
        .where(StageVisit.left_on.is_(None), StageVisit.stage != "closed", *scope)
        .group_by(StageVisit.route, StageVisit.stage, StageVisit.entered_on)
    ).all()
    hist: dict[tuple[str, str], dict[int, int]] = {}
    for route, stage, days, n in done:
        bucket = hist.setdefault((route, stage), {})
        bucket[int(days)] = bucket.get(int(days), 0) + int(n)
    for route, stage, entered, n in going:
        bucket = hist.setdefault((route, stage), {})
        days = max(0, (today - entered).days)
        bucket[days] = bucket.get(days, 0) + int(n)
    order = {s.value: i for i, s in enumerate(Stage)}
    out = []
    for (route, stage), bucket in sorted(
        hist.items(), key=lambda kv: (kv[0][0], order.get(kv[0][1], 99))
    ):
        total = sum(bucket.values())
        out.append({"route": route, "stage": stage, "median_days": _rank(bucket, (total + 1) // 2),
                    "p90_days": _rank(bucket, -(-total * 9 // 10)), "visits": total})  # fmt: skip
    return out


def _rank(bucket: dict[int, int], rank: int) -> int:
    """The value at 1-based `rank` of the sorted values the histogram counts."""
    seen = 0
    for value in sorted(bucket):
        seen += bucket[value]
        if seen >= rank:
            return value
    return max(bucket)


def recovery(session: Session, *, by: str, filters: Filters = Filters()) -> list[dict]:
    """Cases, claim, recovered and recovery rate grouped `by` route or counsel firm, with
    the costs recorded on those cases (`cost_paid` less `cost_refunded` events): their sum,
    how many cases have any, the cost per such case and the recovery net of costs. By
    route also the expected cost per case estimated when the cases were opened."""
    key = {"route": Case.route, "firm": func.coalesce(Case.counsel_firm, "")}[by]
    # three grouped scans, each joining the cases only to find its key (no per-case
    # subqueries: grouping casecost by case first costs more than the whole query)
    q = (
        select(key, func.count(Case.id), func.sum(Case.claim_total_fen),
               func.sum(case((Case.closed_on.is_not(None), 1), else_=0)))
        .where(*filters.where())
        .group_by(key)
        .order_by(key)
    )  # fmt: skip
    recovered = dict(
        session.execute(
            select(key, func.sum(CaseRecovery.fen))
            .join(Case, Case.id == CaseRecovery.case_id)
            .where(*filters.where())
            .group_by(key)
        ).all()
    )
    actual = {
        name: (yuan(fen), int(n))
        for name, fen, n in session.execute(
            select(key, func.sum(CaseCost.fen), func.count(distinct(CaseCost.case_id)))
            .join(Case, Case.id == CaseCost.case_id)
            .where(*filters.where())
            .group_by(key)
        ).all()
    }
    costs: dict[str, tuple[Decimal, int]] = {}
    if by == "route":
        # expected cost per case, as estimated when the case was opened from the queue
        total = EscalationDecision.proposal["cost"]["total"].as_string()
        for route, avg, n in session.execute(
            select(Case.route, func.avg(cast(total, Numeric(18, 2))), func.count(distinct(Case.id)))
            .join(EscalationDecision, EscalationDecision.case_id == Case.id)
            .where(EscalationDecision.decision == "accepted", *filters.where())
            .group_by(Case.route)
        ).all():  # fmt: skip
            costs[route] = (Decimal(str(avg or 0)).quantize(FEN), int(n))
    out = []
    for name, cases, claim, closed in session.execute(q).all():
        claim_y, rec_y = yuan(claim), yuan(recovered.get(name, 0))
        rate = (rec_y / claim_y).quantize(Decimal("0.0001")) if claim_y else Decimal(0)
        cost, costed = actual.get(name, (Decimal(0), 0))
        row = {by: name, "cases": int(cases), "closed": int(closed), "claim": claim_y,
               "recovered": rec_y, "recovery_rate": rate, "costs_paid": cost,
               "cases_with_costs": costed,
               "cost_per_case": (cost / costed).quantize(FEN) if costed else None,
               "net_recovered": rec_y - cost}  # fmt: skip
        if by == "route":
            cost, costed = costs.get(name, (None, 0))
            row |= {"expected_cost_per_case": cost, "cases_with_cost": costed}
        out.append(row)
    return out


def case_recovery(session: Session, *, case_id: int) -> dict:
    """One case: recovered (reconciled), outstanding principal and written off after opening."""
    recovered = session.execute(
        select(func.sum(CaseRecovery.fen)).where(CaseRecovery.case_id == case_id)
    ).scalar()
    outstanding = session.execute(
        select(func.sum(cast(Loan.__table__.c.outstanding_principal, Integer)))
        .join(CaseLoan, CaseLoan.loan_id == Loan.id).where(CaseLoan.case_id == case_id)
    ).scalar()  # fmt: skip
    written = session.execute(
        select(func.sum(ledger_fen())).select_from(LedgerEntry)
        .join(CaseLoan, CaseLoan.loan_id == LedgerEntry.loan_id)
        .join(Case, Case.id == CaseLoan.case_id)
        .where(CaseLoan.case_id == case_id, LedgerEntry.kind == "write_off",
               LedgerEntry.booked_on >= Case.opened_on)
    ).scalar()  # fmt: skip
    return {"recovered": yuan(recovered), "outstanding": yuan(outstanding),
            "written_off": yuan(written)}  # fmt: skip


def monthly_trend(session: Session, *, filters: Filters = Filters()) -> list[dict]:
    """Per month: cases opened, cases closed, amount recovered."""

    def month(col):
        return (extract("year", col) * 100 + extract("month", col)).label("month")

    m_open, m_closed = month(Case.opened_on), month(Case.closed_on)
    opened = dict(session.execute(
        select(m_open, func.count()).where(*filters.where()).group_by(m_open)).all())  # fmt: skip
    closed = dict(session.execute(
        select(m_closed, func.count())
        .where(Case.closed_on.is_not(None), *filters.where()).group_by(m_closed)).all())  # fmt: skip
    scoped = [CaseRecovery.case_id.in_(_cases(filters))] if filters.where() else []
    recovered = dict(session.execute(
        select(CaseRecovery.month, func.sum(CaseRecovery.fen)).where(*scoped)
        .group_by(CaseRecovery.month)).all())  # fmt: skip
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
