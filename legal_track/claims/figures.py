"""Claim figures at a cut-off date, checked against the lender-type cap (rules/caps.toml).

For each loan: outstanding principal; contractual interest and overdue interest accrued day
by day (daily rate = annual rate / 360, a setting) from the day interest was last paid;
fees booked in the ledger. Repayments booked on or after `overdue_since` are applied to the
charges in the order of Civil Code art. 561 (costs, interest, principal); what is left is
principal, taken as already reflected in `Loan.outstanding_principal`. The charges are then
checked against the cap of the creditor's lender type (private: 4 x one-year LPR at the
contract date, all-in; licensed: 24 % a year all-in) accrued on the outstanding principal
over the same days. The excess is shown and, by default, left out of the claim.

Accrual model (simple, documented): an instalment's principal is overdue from its due date;
after maturity all outstanding principal is overdue. With `overdue_rate_mode = "replaces"`
overdue principal bears the overdue rate instead of the contract rate; without an overdue
rate, all principal bears the contract rate. No compound interest on unpaid interest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from sqlmodel import Session, select

from legal_track.cases.access import AccessDenied, require_loan
from legal_track.claims.fees import (
    DelayedInterest,
    Fee,
    SmallClaims,
    court_fee,
    delayed_performance_interest,
    province_of_id,
    small_claims,
)
from legal_track.models import Borrower, Case, CaseEvent, CaseLoan, Creditor, LedgerEntry, Loan
from legal_track.money import ZERO, quantize
from legal_track.rules import load_pack

CHARGES = ("interest", "overdue_interest", "fees")
EFFECTIVE_KINDS = ("judgment_effective", "award_effective", "payment_order_effective")


class ClaimError(ValueError):
    """Claim figures that cannot be computed (message names the loan and what is missing)."""


@dataclass(frozen=True, slots=True)
class ClaimLine:
    key: str  # principal, interest, overdue_interest, fees, repaid, excess, total
    label_zh: str
    label_en: str
    amount: Decimal
    formula: str = ""
    basis: str = ""


@dataclass(frozen=True, slots=True)
class CapRule:
    id: str
    rate: Decimal
    basis: str
    basis_zh: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class LoanClaim:
    loan_id: int
    contract_no: str
    cutoff: date
    lender_type: str
    interest_from: date
    principal: Decimal
    interest: Decimal  # net of repayments and of the cap cut
    overdue_interest: Decimal
    fees: Decimal
    excess: Decimal  # above the cap; in `total` only when include_excess
    total: Decimal
    gross: dict[str, Decimal]  # accrued before repayments and the cap
    repaid_to_charges: Decimal
    cap_allowed: Decimal
    cap_rule: str
    cap_rate: Decimal
    cap_basis: str
    include_excess: bool
    lines: list[ClaimLine]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ClaimFigures:
    cutoff: date
    loans: list[LoanClaim]
    principal: Decimal
    interest: Decimal
    overdue_interest: Decimal
    fees: Decimal
    excess: Decimal
    total: Decimal
    cap_rule: str
    cap_basis: str
    lines: list[ClaimLine]
    small_claims: SmallClaims | None = None
    court_fee: Fee | None = None
    delayed: DelayedInterest | None = None  # after an effective judgment / award
    notes: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def caps() -> dict:
    return load_pack("caps")


@lru_cache(maxsize=1)
def lpr_table() -> dict:
    return load_pack("lpr")


def lpr_on(day: date) -> tuple[Decimal, date, str]:
    """The one-year LPR in force on `day`: (rate, published on, note when the table is stale)."""
    table = lpr_table()
    rows = sorted(table["values"], key=lambda r: r["from"])
    if day < rows[0]["from"]:
        raise ClaimError(f"no one-year LPR before {rows[0]['from']} (rules/lpr.toml); "
                         f"contract date {day} predates the LPR reform")  # fmt: skip
    row = max((r for r in rows if r["from"] <= day), key=lambda r: r["from"])
    note = ""
    if row is rows[-1] and (day - row["from"]).days > int(table["stale_after_days"]):
        note = (f"rules/lpr.toml ends on {row['from']}; the LPR of {day} may differ: "
                f"append the newer values")  # fmt: skip
    return Decimal(row["rate"]), row["from"], note


def cap_for(lender_type: str, contract_on: date) -> CapRule:
    """The cap rule for a lender type at a contract date (rules/caps.toml)."""
    for rule in caps()["cap"]:
        if rule["lender_type"] != lender_type:
            continue
        if "contract_from" in rule and contract_on < rule["contract_from"]:
            continue
        if "contract_to" in rule and contract_on > rule["contract_to"]:
            continue
        if rule["kind"] == "lpr_multiple":
            lpr, published, note = lpr_on(contract_on)
            rate = Decimal(rule["multiple"]) * lpr
            basis = f"{rule['basis']}; 1-year LPR {(lpr * 100).normalize()}% published {published}"
            return CapRule(rule["id"], rate, basis, rule["basis_zh"], note)
        return CapRule(rule["id"], Decimal(rule["rate"]), rule["basis"], rule["basis_zh"])
    raise ClaimError(f"no interest cap for lender type {lender_type!r} on {contract_on} "
                     "in legal_track/rules/caps.toml")  # fmt: skip


def _schedule(loan: Loan) -> list[tuple[date, Decimal]]:
    rows = []
    for i, row in enumerate(loan.schedule or ()):
        try:
            rows.append((date.fromisoformat(str(row["due_on"])), Decimal(str(row["principal"]))))
        except (KeyError, TypeError, ValueError, ArithmeticError):
            raise ClaimError(f"loan {loan.contract_no}: schedule row {i + 1} needs due_on and "
                             f"principal, got {row!r}") from None  # fmt: skip
    return sorted(rows)


def _overdue_principal(loan: Loan, sched: list[tuple[date, Decimal]], day: date) -> Decimal:
    outstanding = loan.outstanding_principal
    if day >= loan.maturity_on:
        return outstanding
    if not sched:
        return outstanding if loan.overdue_since and day >= loan.overdue_since else ZERO
    paid = loan.principal - outstanding
    due = sum((p for d, p in sched if d <= day), ZERO)
    return min(max(due - paid, ZERO), outstanding)


def interest_start(loan: Loan, sched: list[tuple[date, Decimal]], cutoff: date) -> date:
    """The day interest was last paid to: the instalment before the first missed one."""
    limit = loan.overdue_since or cutoff + timedelta(days=1)
    earlier = [d for d, _ in sched if d < limit]
    if earlier:
        return max(earlier)
    if loan.overdue_since and not sched:
        return loan.overdue_since
    return loan.disbursed_on


def _accrue(loan: Loan, sched, start: date, cutoff: date, cap_rate: Decimal):
    settings = caps()["settings"]
    basis = Decimal(int(settings["day_count_basis"]))
    mode = settings["overdue_rate_mode"]
    points = {start, cutoff, loan.maturity_on, *(d for d, _ in sched)}
    points = sorted(p for p in points if start <= p <= cutoff)
    interest = overdue = allowed = Decimal(0)
    for a, b in zip(points, points[1:], strict=False):
        days = Decimal((b - a).days)
        outstanding = loan.outstanding_principal
        late = _overdue_principal(loan, sched, a)
        allowed += outstanding * cap_rate * days / basis
        if loan.overdue_rate is None:
            interest += outstanding * loan.annual_rate * days / basis
            continue
        current = outstanding - late if mode == "replaces" else outstanding
        interest += current * loan.annual_rate * days / basis
        overdue += late * loan.overdue_rate * days / basis
    return quantize(interest), quantize(overdue), quantize(allowed)


def _take(amounts: dict[str, Decimal], order: list[str], value: Decimal) -> Decimal:
    """Take `value` from `amounts` in `order`; returns what could not be taken."""
    for key in order:
        part = min(amounts[key], value)
        amounts[key] -= part
        value -= part
    return value


def compute_loan_claim(loan: Loan, ledger: list[LedgerEntry], *, lender_type: str, cutoff: date,
                       include_excess: bool | None = None) -> LoanClaim:  # fmt: skip
    """The pure computation behind `claim_for_loan` (no session)."""
    settings = caps()["settings"]
    if include_excess is None:
        include_excess = bool(settings["include_excess"])
    if cutoff < loan.disbursed_on:
        raise ClaimError(f"loan {loan.contract_no}: cut-off {cutoff} is before the "
                         f"disbursement on {loan.disbursed_on}")  # fmt: skip
    sched = _schedule(loan)
    start = interest_start(loan, sched, cutoff)
    cap = cap_for(lender_type, loan.disbursed_on)
    interest, overdue, allowed = _accrue(loan, sched, start, cutoff, cap.rate)
    fees = sum((e.amount for e in ledger if e.kind == "fee" and e.booked_on <= cutoff), ZERO)
    gross = {"interest": interest, "overdue_interest": overdue, "fees": quantize(fees)}
    charged = sum(gross.values(), ZERO)
    excess = max(charged - allowed, ZERO)
    amounts = dict(gross)
    if not include_excess:
        _take(amounts, settings["excess_reduction_order"], excess)
    since = loan.overdue_since
    repaid = sum((e.amount for e in ledger if e.kind == "repayment" and since
                  and since <= e.booked_on <= cutoff), ZERO)  # fmt: skip
    to_principal = _take(amounts, settings["repayment_allocation"], repaid)
    repaid_to_charges = repaid - to_principal
    total = loan.outstanding_principal + sum(amounts.values(), ZERO)
    total_note = "excess kept on request" if include_excess else "excess left out of the claim"
    days_basis = settings["day_count_basis"]
    lines = [
        ClaimLine("principal", "借款本金", "outstanding principal", loan.outstanding_principal),
        ClaimLine("interest", "利息", "contractual interest", gross["interest"],
                  f"{loan.annual_rate} / {days_basis} per day from {start} to {cutoff}"),
        ClaimLine("overdue_interest", "逾期利息（罚息）", "overdue interest (penalty)",
                  gross["overdue_interest"],
                  f"{loan.overdue_rate} / {days_basis} per day on overdue principal"
                  if loan.overdue_rate is not None else "no overdue rate agreed"),
        ClaimLine("fees", "费用", "fees", gross["fees"], "ledger fee entries"),
        ClaimLine("repaid", "已还款冲抵", "repayments applied to charges", -repaid_to_charges,
                  f"repayments since {since}" if since else "",
                  settings["repayment_allocation_basis"]),
        ClaimLine("excess", "超过上限部分", "above the cap", -excess if not include_excess else ZERO,
                  f"cap {quantize(cap.rate * 100)}% a year: allowed {allowed}; {total_note}",
                  cap.basis),
        ClaimLine("total", "合计", "total claim", total),
    ]  # fmt: skip
    notes = [n for n in (cap.note,) if n]
    if to_principal:
        notes.append(f"{to_principal} of the repayments since {since} went to principal "
                     "(assumed already reflected in the outstanding principal)")  # fmt: skip
    return LoanClaim(
        loan_id=loan.id, contract_no=loan.contract_no, cutoff=cutoff, lender_type=lender_type,
        interest_from=start, principal=loan.outstanding_principal,
        interest=amounts["interest"], overdue_interest=amounts["overdue_interest"],
        fees=amounts["fees"], excess=excess, total=total, gross=gross,
        repaid_to_charges=repaid_to_charges, cap_allowed=allowed, cap_rule=cap.id,
        cap_rate=cap.rate, cap_basis=cap.basis, include_excess=include_excess, lines=lines,
        notes=notes,
    )  # fmt: skip


def claim_for_loan(session: Session, *, loan_id: int, cutoff: date,
                   include_excess: bool | None = None) -> LoanClaim:  # fmt: skip
    """The claim figures of one loan at `cutoff` (all Decimal yuan)."""
    loan = session.get(Loan, loan_id)
    if loan is None:
        raise LookupError(f"no loan with id {loan_id}")
    creditor = session.get(Creditor, loan.creditor_id)
    ledger = list(session.exec(select(LedgerEntry).where(LedgerEntry.loan_id == loan_id)))
    return compute_loan_claim(loan, ledger, lender_type=str(creditor.lender_type), cutoff=cutoff,
                              include_excess=include_excess)  # fmt: skip


def _sum_lines(claims: list[LoanClaim]) -> list[ClaimLine]:
    first = claims[0].lines
    return [ClaimLine(line.key, line.label_zh, line.label_en,
                      sum((c.lines[i].amount for c in claims), ZERO), "", line.basis)
            for i, line in enumerate(first)]  # fmt: skip


def figures(claims: list[LoanClaim], *, cutoff: date, province: str | None = None,
            performance_end: date | None = None) -> ClaimFigures:  # fmt: skip
    """Add up loan claims; small-claims track, court fee and delayed-performance interest."""
    if not claims:
        raise ClaimError("no loans to claim for")

    def total(attr: str) -> Decimal:
        return sum((getattr(c, attr) for c in claims), ZERO)

    rules = {c.cap_rule for c in claims}
    cap_rule = rules.pop() if len(rules) == 1 else "mixed"
    cap_basis = "; ".join(dict.fromkeys(c.cap_basis for c in claims))
    amount = total("total")
    delayed = None
    if performance_end is not None:
        delayed = delayed_performance_interest(total("principal"), performance_end=performance_end,
                                               until=cutoff)  # fmt: skip
    return ClaimFigures(
        cutoff=cutoff, loans=claims, principal=total("principal"), interest=total("interest"),
        overdue_interest=total("overdue_interest"), fees=total("fees"), excess=total("excess"),
        total=amount, cap_rule=cap_rule, cap_basis=cap_basis, lines=_sum_lines(claims),
        small_claims=small_claims(amount, province=province, year=cutoff.year),
        court_fee=court_fee(amount) if amount > 0 else None, delayed=delayed,
        notes=[n for c in claims for n in c.notes],
    )  # fmt: skip


def performance_end_of(session: Session, loan_ids: list[int]) -> date | None:
    """The latest performance-period end of an effective judgment / award on these loans."""
    query = (
        select(CaseEvent)
        .join(CaseLoan, CaseLoan.case_id == CaseEvent.case_id)
        .where(CaseLoan.loan_id.in_(loan_ids), CaseEvent.kind.in_(EFFECTIVE_KINDS))
    )
    ends = []
    for ev in session.exec(query):
        value = (ev.data or {}).get("performance_end")
        if value:
            ends.append(date.fromisoformat(str(value)))
    return max(ends) if ends else None


def claim_for_case(session: Session, *, case_id: int, cutoff: date, province: str | None = None,
                   include_excess: bool | None = None) -> ClaimFigures:  # fmt: skip
    """The claim figures of every loan of a case at `cutoff`, added up."""
    case = session.get(Case, case_id)
    if case is None:
        raise LookupError(f"no case with id {case_id}")
    ids = list(session.exec(select(CaseLoan.loan_id).where(CaseLoan.case_id == case_id)
                            .order_by(CaseLoan.loan_id)))  # fmt: skip
    if not ids:
        raise ClaimError(f"case {case.ref} covers no loans")
    claims = [claim_for_loan(session, loan_id=i, cutoff=cutoff, include_excess=include_excess)
              for i in ids]  # fmt: skip
    if province is None:
        borrower = session.get(Borrower, case.borrower_id)
        province = province_of_id(borrower.id_number if borrower else None)
    return figures(claims, cutoff=cutoff, province=province,
                   performance_end=performance_end_of(session, ids))  # fmt: skip


def claim_for_contract(session: Session, *, contract_no: str, cutoff: date,
                       province: str | None = None,
                       include_excess: bool | None = None, role: str | None = None,
                       firm_id: int | None = None) -> ClaimFigures:  # fmt: skip
    """One loan's claim, as ClaimFigures (the `legal-track claim` command). A counsel
    viewer (`role`, `firm_id`) reaches only loans of its firm's cases; another loan is
    "no loan" like a missing one."""
    loan = session.exec(select(Loan).where(Loan.contract_no == contract_no)).first()
    if loan is not None:
        try:
            require_loan(session, loan_id=loan.id, role=role, firm_id=firm_id)
        except AccessDenied:
            loan = None
    if loan is None:
        raise LookupError(f"no loan with contract number {contract_no!r}")
    claim = claim_for_loan(session, loan_id=loan.id, cutoff=cutoff, include_excess=include_excess)
    if province is None:
        borrower = session.get(Borrower, loan.borrower_id)
        province = province_of_id(borrower.id_number if borrower else None)
    return figures([claim], cutoff=cutoff, province=province,
                   performance_end=performance_end_of(session, [loan.id]))  # fmt: skip
