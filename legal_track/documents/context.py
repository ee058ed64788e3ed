"""Build the typed view-model of one case from the database.

`build_context` reads the case, its creditor, borrower and other parties, its loans,
the claim figures at the cut-off (claims.claim_for_case), the court fees, the
forum, the counsel, and the evidence register, and returns a `DocumentContext`.
It never fails on missing data: empty text stays empty and preflight reports it;
a claim that cannot be computed is kept as `claim_error`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlmodel import Session, col, select

from legal_track.claims import fees as fees_mod
from legal_track.claims import figures as claims_mod
from legal_track.claims.fees import province_of_id
from legal_track.documents.viewmodel import (
    Amount,
    CaseInfo,
    Claim,
    ClaimPart,
    CnDate,
    Counsel,
    CreditorView,
    Doc,
    DocumentContext,
    Enforcement,
    EvidenceRow,
    Fees,
    Forum,
    Letter,
    LoanInfo,
    Party,
)
from legal_track.identity import IdNumberError, normalize_id_number
from legal_track.models import (
    Borrower,
    Case,
    CaseEvent,
    CaseLoan,
    Creditor,
    EvidenceItem,
    EvidenceLink,
    LedgerEntry,
    Loan,
    LoanParty,
    User,
)
from legal_track.money import ZERO
from legal_track.privacy import mask_id_number

ROUTE_ZH = {
    "litigation": "诉讼",
    "arbitration": "仲裁",
    "payment_order": "支付令",
    "mediation": "诉前调解",
}
ROLE_ZH = {"borrower": "借款人", "co_borrower": "共同借款人", "guarantor": "保证人"}
BASIS_DOC = {
    "litigation": "民事判决书",
    "arbitration": "仲裁裁决书",
    "payment_order": "支付令",
    "mediation": "民事裁定书（确认调解协议）",
}
PART_LABELS = {
    "principal": "借款本金",
    "interest": "利息",
    "overdue_interest": "逾期利息（罚息）",
    "fees": "费用",
}
CATEGORY_ZH = {
    "loan_contract": "借款合同",
    "id_document": "身份证明",
    "disbursement_proof": "放款凭证",
    "repayment_record": "还款记录",
    "contact_log": "催收记录",
    "delivery_proof": "送达凭证",
    "demand_letter": "律师函",
    "court_document": "生效法律文书",
    "other": "其他证据",
}
DEFAULT_PURPOSE = {
    "loan_contract": "证明双方借款合同关系成立并生效，以及借款金额、利率、期限等约定",
    "id_document": "证明被告的主体身份信息",
    "disbursement_proof": "证明原告已依约发放借款",
    "repayment_record": "证明被告的还款情况及欠款金额",
    "contact_log": "证明原告多次催收，诉讼时效中断",
    "delivery_proof": "证明催收函件已送达被告",
    "demand_letter": "证明原告已向被告主张权利",
    "court_document": "证明执行依据已经生效",
    "other": "证明本案相关事实",
}
CATEGORY_ORDER = list(CATEGORY_ZH)


@dataclass
class CaseRows:
    """The database rows one case's documents are built from."""

    case: Case
    loans: list[Loan]
    borrower: Borrower
    others: list[tuple[str, Borrower]]  # (role, person): co-borrowers and guarantors
    creditor: Creditor | None
    owner: User | None
    ledger: list[LedgerEntry]
    evidence: list[EvidenceItem]
    # (case_id or None, loan_id or None, category) of every evidence link of the case
    evidence_links: list[tuple[int | None, int | None, str]] = field(default_factory=list)
    performance_end: date | None = None


@dataclass
class CaseData:
    """A case's view-model plus what preflight needs to check it against the ledger."""

    case: Case
    context: DocumentContext
    loans: list[Loan]
    figures: claims_mod.ClaimFigures | None
    ledger: list[LedgerEntry]
    evidence_links: list[tuple[int | None, int | None, str]]
    claim_error: str = ""
    notes: list[str] = field(default_factory=list)


def _pct(rate: Decimal | None) -> str:
    if rate is None:
        return ""
    return f"{(rate * 100).normalize():f}%"


def _party(b: Borrower, role: str) -> Party:
    gender, birth = "", None
    try:
        number = normalize_id_number(b.id_number)
        gender = "男" if int(number[16]) % 2 else "女"
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except (IdNumberError, ValueError):
        pass
    return Party(
        name=b.name or "",
        id_number=b.id_number or "",
        id_number_masked=mask_id_number(b.id_number),
        gender=gender,
        birth_date=CnDate.of(birth),
        address=(b.address or "").strip(),
        phone=b.phone or "",
        role=role,
        role_zh=ROLE_ZH[role],
    )


def _empty_claim(cutoff: date) -> Claim:
    zero = Amount.of(ZERO)
    return Claim(cutoff=CnDate.of(cutoff), principal=zero, interest=zero, overdue_interest=zero,
                 fees=zero, excess=zero, total=zero, cap_basis="", parts=[])  # fmt: skip


def _claim(figures: claims_mod.ClaimFigures) -> Claim:
    parts = [
        ClaimPart(key=key, label=label, amount=Amount.of(getattr(figures, key)))
        for key, label in PART_LABELS.items()
        if getattr(figures, key) > 0
    ]
    return Claim(
        cutoff=CnDate.of(figures.cutoff),
        principal=Amount.of(figures.principal),
        interest=Amount.of(figures.interest),
        overdue_interest=Amount.of(figures.overdue_interest),
        fees=Amount.of(figures.fees),
        excess=Amount.of(figures.excess),
        total=Amount.of(figures.total),
        cap_basis=figures.cap_basis,
        parts=parts,
    )


def _fees(total: Decimal) -> Fees:
    if total <= 0:
        zero = Amount.of(ZERO)
        return Fees(court=zero, preservation=zero, enforcement=zero)
    return Fees(
        court=Amount.of(fees_mod.court_fee(total).fee),
        preservation=Amount.of(fees_mod.preservation_fee(total).fee),
        enforcement=Amount.of(fees_mod.enforcement_fee(total).fee),
    )


def _forum(case: Case, loans: list[Loan]) -> Forum:
    name = (case.forum or "").strip()
    if not name and loans:
        fallback = (
            loans[0].arbitration_commission
            if case.route == "arbitration"
            else loans[0].agreed_court
        )
        name = (fallback or "").strip()
    commission = case.route == "arbitration" or "仲裁" in name
    return Forum(name=name, kind="commission" if commission else "court",
                 kind_zh="仲裁委员会" if commission else "人民法院")  # fmt: skip


def _evidence(items: list[EvidenceItem]) -> list[EvidenceRow]:
    rank = {c: i for i, c in enumerate(CATEGORY_ORDER)}
    ordered = sorted(items, key=lambda i: (rank.get(str(i.category), 99), i.added_at, i.id))
    rows = []
    for no, item in enumerate(ordered, start=1):
        category = str(item.category)
        stem = Path(item.original_name).stem
        label = CATEGORY_ZH.get(category, "其他证据")
        rows.append(EvidenceRow(
            no=no, name=f"{label}（{stem}）" if stem and stem != label else label,
            source=item.source or "委托人提供", purpose=item.purpose or DEFAULT_PURPOSE.get(category, ""),
            pages=str(item.page_count or ""), sha256=item.sha256,
        ))  # fmt: skip
    return rows


def _group(pairs) -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    for key, value in pairs:
        out[key].append(value)
    return out


def load_rows(session: Session, case_ids: list[int]) -> list[CaseRows]:
    """The rows of many cases in a fixed number of queries (batches load 200 at a time)."""
    cases = {c.id: c for c in session.exec(select(Case).where(col(Case.id).in_(case_ids)))}
    missing = [i for i in case_ids if i not in cases]
    if missing:
        raise LookupError(f"no case with id {missing[0]}")
    links = _group(session.exec(select(CaseLoan.case_id, CaseLoan.loan_id)
                                .where(col(CaseLoan.case_id).in_(case_ids))).all())  # fmt: skip
    loan_ids = sorted({i for ids in links.values() for i in ids})
    loans = {x.id: x for x in session.exec(select(Loan).where(col(Loan.id).in_(loan_ids)))}
    parties = session.exec(select(LoanParty).where(col(LoanParty.loan_id).in_(loan_ids))
                           .order_by(col(LoanParty.id))).all()  # fmt: skip
    people_ids = {c.borrower_id for c in cases.values()} | {p.borrower_id for p in parties}
    people = {
        b.id: b for b in session.exec(select(Borrower).where(col(Borrower.id).in_(people_ids)))
    }
    creditor_ids = {x.creditor_id for x in loans.values()}
    creditors = {
        c.id: c for c in session.exec(select(Creditor).where(col(Creditor.id).in_(creditor_ids)))
    }
    owner_ids = {c.owner_id for c in cases.values() if c.owner_id}
    owners = (
        {u.id: u for u in session.exec(select(User).where(col(User.id).in_(owner_ids)))}
        if owner_ids
        else {}
    )
    ledger = _group(
        (e.loan_id, e)
        for e in session.exec(
            select(LedgerEntry)
            .where(col(LedgerEntry.loan_id).in_(loan_ids))
            .order_by(col(LedgerEntry.id))
        )
    )
    evidence_links = session.exec(
        select(EvidenceLink.case_id, EvidenceLink.loan_id, EvidenceItem)
        .join(EvidenceItem, col(EvidenceItem.id) == EvidenceLink.item_id)
        .where(col(EvidenceLink.case_id).in_(case_ids) | col(EvidenceLink.loan_id).in_(loan_ids))
    ).all()  # fmt: skip
    ends = _group(
        (loan_id, date.fromisoformat(str(data["performance_end"])))
        for loan_id, data in session.exec(
            select(CaseLoan.loan_id, CaseEvent.data).join(CaseEvent, CaseEvent.case_id == CaseLoan.case_id)
            .where(col(CaseLoan.loan_id).in_(loan_ids), col(CaseEvent.kind).in_(claims_mod.EFFECTIVE_KINDS)))
        if (data or {}).get("performance_end")
    )  # fmt: skip
    out = []
    for case_id in case_ids:
        case = cases[case_id]
        mine = sorted(links.get(case_id, []))
        case_loans = [loans[i] for i in mine]
        seen = {case.borrower_id}
        others = []
        for p in parties:
            if p.loan_id in mine and p.borrower_id not in seen:
                seen.add(p.borrower_id)
                others.append((str(p.role), people[p.borrower_id]))
        linked = [(c, lid, item) for c, lid, item in evidence_links if c == case_id or lid in mine]
        items = {item.id: item for _, _, item in linked}
        end_dates = [d for i in mine for d in ends.get(i, [])]
        out.append(CaseRows(
            case=case, loans=case_loans, borrower=people[case.borrower_id], others=others,
            creditor=creditors.get(case_loans[0].creditor_id) if case_loans else None,
            owner=owners.get(case.owner_id), ledger=[e for i in mine for e in ledger.get(i, [])],
            evidence=list(items.values()), performance_end=max(end_dates) if end_dates else None,
            evidence_links=[(c, lid, str(item.category)) for c, lid, item in linked],
        ))  # fmt: skip
    return out


def _figures(rows: CaseRows, cutoff: date) -> claims_mod.ClaimFigures:
    """claims.claim_for_case, from rows already loaded (the same pure functions)."""
    if not rows.loans:
        raise claims_mod.ClaimError(f"case {rows.case.ref} covers no loans")
    lender_type = str(rows.creditor.lender_type) if rows.creditor else "licensed"
    per_loan = [
        claims_mod.compute_loan_claim(loan, [e for e in rows.ledger if e.loan_id == loan.id],
                                      lender_type=lender_type, cutoff=cutoff)
        for loan in rows.loans
    ]  # fmt: skip
    return claims_mod.figures(per_loan, cutoff=cutoff, province=province_of_id(rows.borrower.id_number),
                              performance_end=rows.performance_end)  # fmt: skip


def assemble(
    rows: CaseRows, *, today: date, cutoff: date | None = None, payment_days: int = 7
) -> CaseData:
    """The view-model of one case dated `today`, claim figures at `cutoff` (default today)."""
    case, loans = rows.case, rows.loans
    cutoff = cutoff or today
    borrower = _party(rows.borrower, "borrower")
    defendants = [borrower] + [_party(person, role) for role, person in rows.others]
    figures, claim_error = None, ""
    try:
        figures = _figures(rows, cutoff)
        claim = _claim(figures)
    except (ValueError, LookupError) as exc:
        claim_error = str(exc)
        claim = _empty_claim(cutoff)
    per_loan = {c.loan_id: c for c in figures.loans} if figures else {}
    loan_views = [
        LoanInfo(
            contract_no=loan.contract_no,
            principal=Amount.of(loan.principal),
            annual_rate=_pct(loan.annual_rate),
            overdue_rate=_pct(loan.overdue_rate),
            disbursed_on=CnDate.of(loan.disbursed_on),
            maturity_on=CnDate.of(loan.maturity_on),
            outstanding_principal=Amount.of(loan.outstanding_principal),
            overdue_since=CnDate.of(loan.overdue_since),
            dpd=max((cutoff - loan.overdue_since).days, 0) if loan.overdue_since else 0,
            claim_total=Amount.of(per_loan[loan.id].total if loan.id in per_loan else ZERO),
        )
        for loan in loans
    ]
    forum = _forum(case, loans)
    creditor, owner = rows.creditor, rows.owner
    route = str(case.route)
    context = DocumentContext(
        doc=Doc(date=CnDate.of(today), copies=len(defendants)),
        case=CaseInfo(
            ref=case.ref, route=route, route_zh=ROUTE_ZH.get(route, route), stage=str(case.stage),
            court_case_no=case.court_case_no or "", enforcement_case_no=case.enforcement_case_no or "",
        ),
        creditor=CreditorView(
            name=creditor.name if creditor else "",
            uscc=(creditor.uscc or "") if creditor else "",
            legal_rep=(creditor.legal_rep or "") if creditor else "",
            address=(creditor.address or "") if creditor else "",
        ),
        borrower=borrower,
        defendants=defendants,
        loans=loan_views,
        loan=loan_views[0] if loan_views else _no_loan(),
        claim=claim,
        fees=_fees(figures.total if figures else ZERO),
        forum=forum,
        counsel=Counsel(firm=case.counsel_firm or "", agent=(owner.display_name or owner.username) if owner else ""),
        letter=Letter(no=f"〔{today.year}〕律函字第{case.ref}号", payment_days=payment_days,
                      deadline=CnDate.of(today + timedelta(days=payment_days))),
        enforcement=Enforcement(
            basis_doc=BASIS_DOC.get(route, ""), basis_no=case.court_case_no or "",
            issuer=forum.name, court=forum.name if forum.kind == "court" else "",
        ),
        evidence=_evidence(rows.evidence),
    )  # fmt: skip
    return CaseData(case=case, context=context, loans=loans, figures=figures, ledger=rows.ledger,
                    evidence_links=rows.evidence_links, claim_error=claim_error, notes=list(figures.notes) if figures else [])  # fmt: skip


def build_case_data(
    session: Session,
    *,
    case_id: int,
    today: date,
    cutoff: date | None = None,
    payment_days: int = 7,
) -> CaseData:
    """The view-model of case `case_id` (see `assemble`)."""
    (rows,) = load_rows(session, [case_id])
    return assemble(rows, today=today, cutoff=cutoff, payment_days=payment_days)


def _no_loan() -> LoanInfo:
    zero, none = Amount.of(ZERO), CnDate.of(None)
    return LoanInfo(contract_no="", principal=zero, annual_rate="", overdue_rate="", disbursed_on=none,
                    maturity_on=none, outstanding_principal=zero, overdue_since=none, dpd=0,
                    claim_total=zero)  # fmt: skip
