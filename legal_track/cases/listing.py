"""Read models for the case list: filters, search and paging done in SQL.

The case list never loads a table whole: one COUNT and one LIMIT/OFFSET query per
page. The detail views (one case, one loan) live in :mod:`legal_track.cases.detail`.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from urllib.parse import quote

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from legal_track.cases.access import case_condition
from legal_track.cases.detail import CaseDetail, LoanDetail, case_detail, loan_detail
from legal_track.cases.lifecycle import Route, Stage
from legal_track.identity import normalize_id_number
from legal_track.models import Borrower, Case, CaseLoan, Deadline, DeadlineStatus, Loan, User
from legal_track.money import to_fen

MAX_PAGE_SIZE = 500

# The detail views are defined in cases.detail and offered here too.
__all__ = [
    "CaseDetail",
    "CaseFilters",
    "CasePage",
    "CaseQueryError",
    "CaseRow",
    "CaseSort",
    "LoanDetail",
    "Owner",
    "case_detail",
    "case_id_for_ref",
    "case_ids_for_refs",
    "case_refs_for_ids",
    "case_url",
    "forum_options",
    "list_cases",
    "loan_detail",
    "loan_id_for_contract",
    "loan_url",
    "owner_options",
]


class CaseQueryError(ValueError):
    """A filter or paging value that cannot be used (says which and why)."""


class CaseSort(StrEnum):
    opened = "opened"  # newest first
    ref = "ref"
    claim = "claim"  # largest first
    next_due = "next_due"  # most urgent first, cases without deadlines last


@dataclass(frozen=True, slots=True)
class CaseFilters:
    """What the case list shows. Empty values mean "any"."""

    stages: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()
    owner_id: int | None = None
    forum: str | None = None  # court or arbitration commission, exact name
    min_claim: Decimal | None = None  # yuan, inclusive
    max_claim: Decimal | None = None  # yuan, inclusive
    overdue_only: bool = False  # has an open deadline whose (overridden) due date has passed
    search: str = ""  # borrower name, ID number, contract number or case reference
    sort: CaseSort = CaseSort.opened

    def validate(self) -> CaseFilters:
        for stage in self.stages:
            if stage not in Stage.__members__:
                raise CaseQueryError(f"unknown stage {stage!r} in the stage filter")
        for route in self.routes:
            if route not in Route.__members__:
                raise CaseQueryError(f"unknown route {route!r} in the route filter")
        for name, value in (("minimum", self.min_claim), ("maximum", self.max_claim)):
            if value is not None and value < 0:
                raise CaseQueryError(f"the {name} claim amount is negative ({value})")
        if (
            self.min_claim is not None
            and self.max_claim is not None
            and self.min_claim > self.max_claim
        ):
            raise CaseQueryError(
                f"the minimum claim amount ({self.min_claim}) is above the maximum "
                f"({self.max_claim})"
            )
        return self


@dataclass(frozen=True, slots=True)
class CaseRow:
    id: int
    ref: str
    borrower_name: str
    stage: str
    route: str
    forum: str | None
    owner_name: str | None
    claim_total: Decimal | None
    opened_on: date
    closed_on: date | None
    first_contract_no: str | None
    loan_count: int
    next_due: date | None  # earliest open deadline (override wins)
    overdue: bool


@dataclass(frozen=True, slots=True)
class CasePage:
    rows: list[CaseRow]
    total: int  # matching cases over all pages
    page: int  # 1-based, clamped to the last page
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _effective_due() -> ColumnElement:
    return func.coalesce(Deadline.override_due, Deadline.due)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search_clause(text: str) -> ColumnElement | None:
    """Cases whose reference, borrower name or a loan's contract number contains `text`,
    or whose borrower has exactly this ID number. Each key is one uncorrelated subquery
    (scanned once), not a per-case EXISTS."""
    text = text.strip()
    if not text:
        return None
    pattern = _like(text)
    borrowers = select(Borrower.id).where(Borrower.name.ilike(pattern, escape="\\"))
    # A whole, valid ID number matches exactly; no partial ID search (privacy).
    with suppress(ValueError):
        borrowers = select(Borrower.id).where(
            or_(
                Borrower.name.ilike(pattern, escape="\\"),
                Borrower.id_number == normalize_id_number(text),
            )
        )
    loans = select(Loan.id).where(Loan.contract_no.ilike(pattern, escape="\\"))
    contracts = select(CaseLoan.case_id).where(CaseLoan.loan_id.in_(loans))
    return or_(
        Case.ref.ilike(pattern, escape="\\"),
        Case.borrower_id.in_(borrowers),
        Case.id.in_(contracts),
    )


def _conditions(filters: CaseFilters, today: date) -> list[ColumnElement]:
    conds: list[ColumnElement] = []
    if filters.stages:
        conds.append(Case.stage.in_(filters.stages))
    if filters.routes:
        conds.append(Case.route.in_(filters.routes))
    if filters.owner_id is not None:
        conds.append(Case.owner_id == filters.owner_id)
    if filters.forum:
        conds.append(Case.forum == filters.forum)
    if filters.min_claim is not None:
        conds.append(Case.claim_total_fen >= to_fen(filters.min_claim))
    if filters.max_claim is not None:
        conds.append(Case.claim_total_fen <= to_fen(filters.max_claim))
    if filters.overdue_only:
        conds.append(_overdue_exists(today))
    search = _search_clause(filters.search)
    if search is not None:
        conds.append(search)
    return conds


def _overdue_exists(today: date) -> ColumnElement:
    return exists().where(
        Deadline.case_id == Case.id,
        Deadline.status == DeadlineStatus.open,
        _effective_due() < today,
    )


def list_cases(
    session: Session,
    *,
    filters: CaseFilters,
    page: int,
    page_size: int,
    today: date,
    role: str | None = None,
    firm_id: int | None = None,
) -> CasePage:
    """One page of cases matching `filters`, with the total count. Pages are 1-based;
    a page past the end gives the last page. A counsel viewer (`role`) sees only the
    cases assigned to `firm_id` (search included)."""
    filters.validate()
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise CaseQueryError(f"page size must be between 1 and {MAX_PAGE_SIZE}, not {page_size}")
    conds = _conditions(filters, today)
    scope = case_condition(role, firm_id)
    if scope is not None:
        conds.append(scope)
    count_q = select(func.count()).select_from(Case).where(and_(True, *conds))
    total = session.execute(count_q).scalar_one()
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)

    # Step 1: the ids of the page, from `case` alone (plus what the sort needs).
    ids_q = select(Case.id).where(and_(True, *conds))
    if CaseSort(filters.sort) is CaseSort.next_due:
        soonest = (
            select(Deadline.case_id, func.min(_effective_due()).label("due"))
            .where(Deadline.status == DeadlineStatus.open)
            .group_by(Deadline.case_id)
            .subquery()
        )
        ids_q = ids_q.outerjoin(soonest, soonest.c.case_id == Case.id)
        order = (soonest.c.due.asc().nulls_last(), Case.id.desc())
    else:
        order = {
            CaseSort.opened: (Case.opened_on.desc(), Case.id.desc()),
            CaseSort.ref: (Case.ref.asc(),),
            CaseSort.claim: (Case.claim_total_fen.desc().nulls_last(), Case.id.desc()),
        }[CaseSort(filters.sort)]
    ids_q = ids_q.order_by(*order).limit(page_size).offset((page - 1) * page_size)
    ids = list(session.execute(ids_q).scalars())

    # Step 2: what the list shows, for those rows only.
    next_due = (
        select(func.min(_effective_due()))
        .where(Deadline.case_id == Case.id, Deadline.status == DeadlineStatus.open)
        .correlate(Case)
        .scalar_subquery()
    )
    first_contract = (
        select(func.min(Loan.contract_no))
        .join(CaseLoan, CaseLoan.loan_id == Loan.id)
        .where(CaseLoan.case_id == Case.id)
        .correlate(Case)
        .scalar_subquery()
    )
    loan_count = (
        select(func.count(CaseLoan.id))
        .where(CaseLoan.case_id == Case.id)
        .correlate(Case)
        .scalar_subquery()
    )
    query = (
        select(
            Case.id,
            Case.ref,
            Borrower.name,
            Case.stage,
            Case.route,
            Case.forum,
            User.display_name,
            Case.claim_total,
            Case.opened_on,
            Case.closed_on,
            first_contract,
            loan_count,
            next_due,
            _overdue_exists(today),
        )
        .join(Borrower, Borrower.id == Case.borrower_id)
        .outerjoin(User, User.id == Case.owner_id)
        .where(Case.id.in_(ids))
    )
    found = {r[0]: r for r in session.execute(query)} if ids else {}
    rows = [
        CaseRow(
            id=r[0],
            ref=r[1],
            borrower_name=r[2],
            stage=r[3],
            route=r[4],
            forum=r[5],
            owner_name=r[6],
            claim_total=Decimal(r[7]) if r[7] else None,
            opened_on=r[8],
            closed_on=r[9],
            first_contract_no=r[10],
            loan_count=r[11] or 0,
            next_due=r[12],
            overdue=bool(r[13]),
        )
        for r in (found[i] for i in ids)
    ]
    return CasePage(rows=rows, total=total, page=page, page_size=page_size)


@dataclass(frozen=True, slots=True)
class Owner:
    id: int
    name: str


def owner_options(session: Session) -> list[Owner]:
    """Active users and anyone who owns a case, for the owner filter."""
    owns = exists().where(Case.owner_id == User.id)
    query = select(User.id, User.display_name, User.username).where(or_(User.active, owns))
    return [Owner(i, d or u) for i, d, u in session.execute(query.order_by(User.username))]


def forum_options(session: Session) -> list[str]:
    """Courts and commissions that appear on cases, for the forum filter."""
    query = select(Case.forum).where(Case.forum.is_not(None)).distinct().order_by(Case.forum)
    return [f for (f,) in session.execute(query)]


def case_id_for_ref(
    session: Session, ref: str, *, role: str | None = None, firm_id: int | None = None
) -> int | None:
    """The id of case `ref`, or None; a counsel viewer finds only its firm's cases."""
    query = select(Case.id).where(Case.ref == ref.strip())
    scope = case_condition(role, firm_id)
    if scope is not None:
        query = query.where(scope)
    return session.execute(query).scalar_one_or_none()


def loan_id_for_contract(session: Session, contract_no: str) -> int | None:
    query = select(Loan.id).where(Loan.contract_no == contract_no.strip())
    return session.execute(query).scalar_one_or_none()


def case_ids_for_refs(session: Session, refs: list[str]) -> dict[str, int]:
    """The ids of the cases named by `refs` (a ref not found is missing from the result)."""
    wanted = [r.strip() for r in refs if r.strip()]
    if not wanted:
        return {}
    return dict(session.execute(select(Case.ref, Case.id).where(Case.ref.in_(wanted))).all())


def case_refs_for_ids(session: Session, ids: list[int]) -> list[str]:
    """The references of the cases `ids`, in reference order."""
    if not ids:
        return []
    query = select(Case.ref).where(Case.id.in_(ids)).order_by(Case.ref)
    return list(session.execute(query).scalars())


def case_url(app_url: str, ref: str) -> str:
    """The link to a case in the app (used by e-mails): <app_url>/case?ref=LT-2026-000123."""
    return f"{app_url.rstrip('/')}/case?ref={quote(ref)}"


def loan_url(app_url: str, contract_no: str) -> str:
    return f"{app_url.rstrip('/')}/loan?contract={quote(contract_no)}"
