"""Deciding on proposals and opening cases: accept (one, some or all), reject with a
reason, open a case by hand from a loan, change a case's owner, route or outside counsel.

Accepting opens one case per borrower and route (a loan under an arbitration clause cannot
join the borrower's court case), numbered LT-YYYY-NNNNNN in the year it is opened, owned by
the user the pack's owner strategy picks; records the decision per loan with the proposal
as it was shown; and then computes the cases' deadlines and the loans' limitation clocks.
Every change is audited; each service commits once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, insert, select, update
from sqlmodel import Session

from legal_track.analytics.recoveries import refresh_recovery
from legal_track.approvals.gates import require_escalation
from legal_track.audit import AuditEvent, record
from legal_track.auth import user_by_username
from legal_track.cases.lifecycle import Route, Stage
from legal_track.cases.versions import check_version, conflict_guard, touch
from legal_track.cases.visits import refresh_visits
from legal_track.db import utcnow_from
from legal_track.deadlines import recompute_cases
from legal_track.escalation.proposals import Proposal, propose
from legal_track.escalation.rules import rules_on
from legal_track.limitation import refresh_loans
from legal_track.models import (
    Case,
    CaseLoan,
    EscalationDecision,
    Loan,
    LoanStatus,
    Role,
    User,
)

ZERO = Decimal(0)
OWNER_ROLES = (Role.staff.value,)
FALLBACK_ROLES = (Role.lead.value, Role.admin.value)
_UNSET: object = object()


class EscalationError(ValueError):
    """A decision that cannot be made as asked (the message says which loan and why)."""


DECIDERS = frozenset({Role.admin.value, Role.lead.value})
CASE_WORKERS = frozenset({Role.admin.value, Role.lead.value, Role.staff.value})


def _check_role(role: str | None, allowed: frozenset[str], what: str) -> None:
    """`role` None: the operator of the command line, trusted. Otherwise the signed-in
    user's role must be allowed (the app hides the buttons too, but the rule is here)."""
    if role is not None and str(role) not in allowed:
        raise EscalationError(f"a {role} account may not {what}")


@dataclass(frozen=True, slots=True)
class OpenedCase:
    case_id: int
    ref: str
    borrower_id: int
    route: str
    forum: str
    owner: str | None
    contracts: tuple[str, ...]
    claim: Decimal


@dataclass(frozen=True, slots=True)
class AcceptReport:
    cases: tuple[OpenedCase, ...]
    loans: int
    deadlines: int
    clocks: int


def _owners(session: Session) -> list[User]:
    for roles in (OWNER_ROLES, FALLBACK_ROLES):
        users = list(
            session.exec(
                select(User).where(User.active, User.role.in_(roles)).order_by(User.id)
            ).scalars()
        )
        if users:
            return users
    raise EscalationError("no active staff, lead or admin account to own the new cases")


def owner_picker(session: Session, strategy: str) -> Callable[[], User]:
    """Who owns the next new case: `least_open_cases` (fewest open cases, then lowest id)
    or `round_robin` (the staff member after the owner of the newest case)."""
    users = _owners(session)
    if strategy == "round_robin":
        last = session.execute(
            select(Case.owner_id).where(Case.owner_id.is_not(None)).order_by(Case.id.desc())
        ).scalar()
        ids = [u.id for u in users]
        start = ids.index(last) + 1 if last in ids else 0
        turn = [start]

        def next_rr() -> User:
            user = users[turn[0] % len(users)]
            turn[0] += 1
            return user

        return next_rr
    counts = dict(
        session.execute(
            select(Case.owner_id, func.count())
            .where(Case.closed_on.is_(None), Case.owner_id.is_not(None))
            .group_by(Case.owner_id)
        ).all()
    )
    load = {u.id: counts.get(u.id, 0) for u in users}

    def next_least() -> User:
        user = min(users, key=lambda u: (load[u.id], u.id))
        load[user.id] += 1
        return user

    return next_least


def _next_numbers(session: Session, year: int):
    prefix = f"LT-{year}-"
    last = session.execute(select(func.max(Case.ref)).where(Case.ref.like(f"{prefix}%"))).scalar()
    number = int(last.rsplit("-", 1)[1]) if last else 0
    while True:
        number += 1
        yield f"{prefix}{number:06d}"


def _user(session: Session, username: str) -> User:
    user = user_by_username(session, username)
    if user is None or not user.active:
        raise EscalationError(f"no active user named {username!r}")
    return user


def _open(
    session: Session,
    groups: list[tuple[int, str, str, list[tuple[int, str, Decimal]]]],
    *,
    pick: Callable[[], User],
    today: date,
    now: datetime,
    snapshot: Callable[[list[tuple[int, str, Decimal]]], dict],
) -> list[OpenedCase]:
    """Insert the cases of `groups` (borrower, route, forum, [(loan id, contract, claim)])
    with their loan links; marks the loans `legal`. Set-wise; no commit."""
    conn = session.connection()
    numbers = _next_numbers(session, today.year)
    rows, owners = [], []
    for borrower_id, route, forum, loans in groups:
        owner = pick()
        owners.append(owner)
        claim = sum((c for _, _, c in loans), ZERO)
        rows.append({
            "ref": next(numbers), "borrower_id": borrower_id, "route": route,
            "stage": Stage.demand_letter.value, "forum": forum or None, "owner_id": owner.id,
            "claim_total": str(claim), "claim_snapshot": snapshot(loans), "opened_on": today,
            "created_at": now,
        })  # fmt: skip
    if not rows:
        return []
    table = Case.__table__
    made = conn.execute(insert(table).returning(table.c.id, table.c.ref), rows).all()
    by_ref = {ref: case_id for case_id, ref in made}
    links, loan_ids, opened = [], [], []
    for row, owner, (borrower_id, route, forum, loans) in zip(rows, owners, groups, strict=True):
        case_id = by_ref[row["ref"]]
        links.extend({"case_id": case_id, "loan_id": loan_id} for loan_id, _, _ in loans)
        loan_ids.extend(loan_id for loan_id, _, _ in loans)
        opened.append(OpenedCase(case_id, row["ref"], borrower_id, route, forum or "",
                                 owner.username, tuple(c for _, c, _ in loans),
                                 Decimal(row["claim_total"])))  # fmt: skip
    conn.execute(insert(CaseLoan.__table__), links)
    refresh_recovery(session, case_ids=[o.case_id for o in opened])
    conn.execute(
        update(Loan.__table__)
        .where(Loan.__table__.c.id.in_(loan_ids))
        .values(status=LoanStatus.legal.value)
    )
    return opened


def _follow_up(session: Session, opened: list[OpenedCase], loan_ids: list[int], *, now: datetime,
               actor: str) -> tuple[int, int]:  # fmt: skip
    """The new cases' deadlines and their loans' limitation clocks (own commits)."""
    if not opened:
        return 0, 0
    report = recompute_cases(session, case_ids=[c.case_id for c in opened], now=now)
    session.commit()
    clocks = refresh_loans(session, loan_ids=loan_ids, now=now, actor=actor)
    return report.inserted + report.updated, clocks


def accept(
    session: Session,
    *,
    contracts: list[str] | None,
    today: date,
    now: datetime,
    actor: str,
    owner: str | None = None,
    timezone: str = "Asia/Shanghai",
    progress: Callable[[int, int], None] | None = None,
    role: str | None = None,
) -> AcceptReport:
    """Accept the proposals of `contracts` (None: every proposal on `today`) and open their
    cases. A contract that is not proposed today is refused with the reason, and nothing is
    opened. `owner` (a username) owns every new case instead of the pack's strategy.
    Only an admin or team lead decides (`role`)."""
    _check_role(role, DECIDERS, "decide escalations")
    now = utcnow_from(now)
    rules = rules_on(today)
    wanted = None
    if contracts is not None:
        wanted = _loan_ids(session, contracts)
    proposals = propose(session, today=today, timezone=timezone,
                        loan_ids=list(wanted.values()) if wanted is not None else None)  # fmt: skip
    if wanted is not None:
        found = {p.contract_no for p in proposals}
        missing = [c for c in wanted if c not in found]
        if missing:
            raise EscalationError(
                f"not proposed on {today}: {', '.join(missing)} (in a case already, rejected "
                "recently, or not meeting the rules; see `legal-track escalate propose`)"
            )
    if not proposals:
        return AcceptReport((), 0, 0, 0)
    require_escalation(session, contracts=[p.contract_no for p in proposals], today=today,
                       owner=owner, actor=actor, now=now)  # maker-checker  # fmt: skip
    groups: dict[tuple[int, str, str], list[Proposal]] = defaultdict(list)
    for p in proposals:
        groups[(p.borrower_id, p.route, p.forum)].append(p)
    if owner is not None:
        chosen = _user(session, owner)

        def pick() -> User:
            return chosen
    else:
        pick = owner_picker(session, rules.owner_strategy)
    by_loan = {p.loan_id: p for p in proposals}
    ordered = sorted(groups.items(), key=lambda kv: min(p.contract_no for p in kv[1]))
    opened = _open(
        session,
        [(b, r, f, [(p.loan_id, p.contract_no, p.claim) for p in ps]) for (b, r, f), ps in ordered],
        pick=pick, today=today, now=now,
        snapshot=lambda loans: {
            "outstanding_principal": str(sum((c for _, _, c in loans), ZERO)),
            "as_of": today.isoformat(), "rule_version": rules.version,
            "reasons": sorted({r.rule for lid, _, _ in loans for r in by_loan[lid].reasons}),
        },
    )  # fmt: skip
    case_of = {c: o.case_id for o in opened for c in o.contracts}
    decided = [
        {"loan_id": p.loan_id, "decision": "accepted", "reason": "", "route": p.route,
         "case_id": case_of[p.contract_no], "proposed_on": today, "proposal": p.as_dict(),
         "rule_version": p.rule_version, "decided_by": actor, "decided_at": now}
        for p in proposals
    ]  # fmt: skip
    session.connection().execute(insert(EscalationDecision.__table__), decided)
    record(session, AuditEvent(actor, "escalation.accept", "escalation", today.isoformat(), {
        "loans": len(proposals), "cases": [o.ref for o in opened],
        "rule_version": rules.version,
    }), now=now)  # fmt: skip
    session.commit()
    if progress is not None:
        progress(1, 2)
    deadlines, clocks = _follow_up(session, opened, [p.loan_id for p in proposals], now=now,
                                   actor=actor)  # fmt: skip
    if progress is not None:
        progress(2, 2)
    return AcceptReport(tuple(opened), len(proposals), deadlines, clocks)


def _loan_ids(session: Session, contracts: list[str]) -> dict[str, int]:
    names = list(dict.fromkeys(c.strip() for c in contracts if c.strip()))
    if not names:
        raise EscalationError("no contract numbers given")
    found = dict(
        session.execute(select(Loan.contract_no, Loan.id).where(Loan.contract_no.in_(names))).all()
    )
    unknown = [c for c in names if c not in found]
    if unknown:
        raise EscalationError(f"no loan with contract number {', '.join(unknown)}")
    return {c: found[c] for c in names}


def reject(
    session: Session,
    *,
    contracts: list[str],
    reason: str,
    today: date,
    now: datetime,
    actor: str,
    timezone: str = "Asia/Shanghai",
    role: str | None = None,
) -> int:
    """Reject the proposals of `contracts` with `reason` (required): they leave the queue
    for the pack's `reconsider_days`. Returns how many were rejected."""
    _check_role(role, DECIDERS, "decide escalations")
    now = utcnow_from(now)
    if not reason.strip():
        raise EscalationError("a rejection needs a reason")
    wanted = _loan_ids(session, contracts)
    proposals = {p.contract_no: p for p in propose(session, today=today, timezone=timezone,
                                                   loan_ids=list(wanted.values()))}  # fmt: skip
    missing = [c for c in wanted if c not in proposals]
    if missing:
        raise EscalationError(f"not proposed on {today}: {', '.join(missing)}")
    rows = [
        {"loan_id": p.loan_id, "decision": "rejected", "reason": reason.strip(),
         "route": p.route, "case_id": None, "proposed_on": today, "proposal": p.as_dict(),
         "rule_version": p.rule_version, "decided_by": actor, "decided_at": now}
        for p in proposals.values()
    ]  # fmt: skip
    session.connection().execute(insert(EscalationDecision.__table__), rows)
    record(session, AuditEvent(actor, "escalation.reject", "escalation", today.isoformat(), {
        "contracts": list(proposals), "reason": reason.strip(),
    }), now=now)  # fmt: skip
    session.commit()
    return len(rows)


def open_case(
    session: Session,
    *,
    contracts: list[str],
    route: str,
    today: date,
    now: datetime,
    actor: str,
    forum: str | None = None,
    owner: str | None = None,
    role: str | None = None,
) -> OpenedCase:
    """Open a case by hand for loans of one borrower (whether or not the rules propose
    them): the route is the user's; a loan under an arbitration clause only on the
    arbitration route. Recorded as an accepted decision, audited, committed."""
    _check_role(role, CASE_WORKERS, "open cases")
    now = utcnow_from(now)
    try:
        route = Route(route).value
    except ValueError:
        raise EscalationError(f"route {route!r}: use {', '.join(r.value for r in Route)}") from None
    ids = _loan_ids(session, contracts)
    loans = list(session.exec(select(Loan).where(Loan.id.in_(list(ids.values())))).scalars())
    if len({loan.borrower_id for loan in loans}) > 1:
        raise EscalationError("a case covers the loans of one borrower: these belong to several")
    taken = session.execute(
        select(Loan.contract_no).join(CaseLoan, CaseLoan.loan_id == Loan.id)
        .where(Loan.id.in_(list(ids.values())))
    ).scalars().all()  # fmt: skip
    if taken:
        raise EscalationError(f"already in a case: {', '.join(sorted(taken))}")
    for loan in loans:
        if route == Route.arbitration.value and not loan.arbitration_commission:
            raise EscalationError(
                f"{loan.contract_no} has no arbitration clause (Arbitration Law art. 4): "
                "open it on the litigation or payment_order route"
            )
        if loan.arbitration_commission and route != Route.arbitration.value:
            raise EscalationError(
                f"{loan.contract_no} has an arbitration clause ({loan.arbitration_commission}): "
                "open it on the arbitration route"
            )
    if forum is None:
        first = loans[0]
        forum = first.arbitration_commission if route == Route.arbitration.value else (
            first.agreed_court or "")  # fmt: skip
    if owner is not None:
        chosen = _user(session, owner)
        pick: Callable[[], User] = lambda: chosen  # noqa: E731
    else:
        pick = owner_picker(session, rules_on(today).owner_strategy)
    loan_rows = [(loan.id, loan.contract_no, loan.outstanding_principal) for loan in loans]
    [opened] = _open(
        session, [(loans[0].borrower_id, route, forum or "", loan_rows)], pick=pick,
        today=today, now=now,
        snapshot=lambda rows: {"outstanding_principal": str(sum((c for _, _, c in rows), ZERO)),
                               "as_of": today.isoformat(), "opened_by_hand": True},
    )  # fmt: skip
    session.connection().execute(insert(EscalationDecision.__table__), [
        {"loan_id": loan.id, "decision": "accepted", "reason": "opened by hand", "route": route,
         "case_id": opened.case_id, "proposed_on": today, "proposal": {},
         "rule_version": "", "decided_by": actor, "decided_at": now}
        for loan in loans
    ])  # fmt: skip
    record(session, AuditEvent(actor, "case.open", "case", opened.ref, {
        "contracts": list(opened.contracts), "route": route, "forum": opened.forum,
        "owner": opened.owner,
    }), now=now)  # fmt: skip
    session.commit()
    _follow_up(session, [opened], [loan.id for loan in loans], now=now, actor=actor)
    return opened


def change_case(
    session: Session,
    *,
    case_id: int,
    now: datetime,
    actor: str,
    owner: str | None | object = _UNSET,
    route: str | None = None,
    forum: str | None | object = _UNSET,
    counsel_firm: str | None | object = _UNSET,
    role: str | None = None,
    expected_version: int | None = None,
) -> dict[str, tuple]:
    """Change a case's owner (a username, or None: unassigned), route (only before
    anything is filed: stage demand_letter), forum or outside counsel. Returns what changed
    as {field: (before, after)}; audited and committed once (nothing when nothing changed).
    Staff may change forum and counsel; owner and route are for an admin or team lead.

    `expected_version` is the case version the form was filled in against: if the case
    changed since, nothing is written and `CaseChangedError` says by whom and when (the
    form's values would otherwise silently undo the other change)."""
    _check_role(role, CASE_WORKERS, "change cases")
    if owner is not _UNSET or route is not None:
        _check_role(role, DECIDERS, "reassign cases or change their route")
    now = utcnow_from(now)
    case = session.get(Case, case_id)
    if case is None:
        raise EscalationError(f"no case with id {case_id}")
    check_version(case, expected_version)
    changes: dict[str, tuple] = {}
    if owner is not _UNSET:
        new_id = _user(session, owner).id if owner else None  # type: ignore[arg-type]
        if new_id != case.owner_id:
            old = session.get(User, case.owner_id).username if case.owner_id else None
            changes["owner"] = (old, owner or None)
            case.owner_id = new_id
    if route is not None and route != case.route:
        try:
            route = Route(route).value
        except ValueError:
            raise EscalationError(
                f"route {route!r}: use {', '.join(r.value for r in Route)}"
            ) from None
        if case.stage != Stage.demand_letter.value:
            raise EscalationError(
                f"{case.ref} is at stage {case.stage}: the route can change only before filing"
            )
        changes["route"] = (case.route, route)
        case.route = route
    for name, value in (("forum", forum), ("counsel_firm", counsel_firm)):
        if value is _UNSET:
            continue
        value = (value or "").strip() or None  # type: ignore[union-attr]
        if value != getattr(case, name):
            changes[name] = (getattr(case, name), value)
            setattr(case, name, value)
    if not changes:
        return {}
    touch(case, actor=actor, now=now)
    session.add(case)
    with conflict_guard(session, [case_id]):
        session.flush()
    record(session, AuditEvent(actor, "case.change", "case", case.ref,
                               {k: list(v) for k, v in changes.items()}), now=now)  # fmt: skip
    session.commit()
    if "route" in changes:
        refresh_visits(session, case_ids=[case.id])
        recompute_cases(session, case_ids=[case.id], now=now)
        session.commit()
    return changes
