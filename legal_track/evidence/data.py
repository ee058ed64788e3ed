"""The data behind the exhibits rendered from the database, and its fingerprint.

Each exhibit is built from an :class:`ExhibitData` (`legal_track.pdf.model`) (title, columns, rows of text, each
row keeping its source id). ``data_sha256`` is the SHA-256 of the canonical JSON of
that data; the PDF prints it in every footer, so a printout can be checked against
the system at any time (Evidence Provisions 2019 art. 15; Internet Court Provisions
2018 art. 11).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from legal_track.limitation import clock_for_loan
from legal_track.models import (
    Borrower,
    ContactLog,
    Creditor,
    DeliveryStatus,
    Direction,
    LedgerEntry,
    Loan,
)
from legal_track.money import format_yuan
from legal_track.pdf.model import ExhibitData
from legal_track.privacy import mask_target
from legal_track.privacy.consents import normalise, party_targets, review_loans

_PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")

LEDGER_KINDS_ZH = {
    "disbursement": "放款",
    "repayment": "还款",
    "fee": "费用",
    "write_off": "核销",
}
CHANNELS_ZH = {
    "sms": "短信",
    "email": "电子邮件",
    "app": "应用内消息",
    "call": "电话",
    "letter": "信函",
    "visit": "上门",
}
DELIVERY_ZH = {"delivered": "已送达", "failed": "未送达", "unknown": "未知"}
DIRECTION_ZH = {"outbound": "呼出/发出", "inbound": "呼入/收到"}


def _loan(session: Session, loan_id: int) -> Loan:
    loan = session.get(Loan, loan_id)
    if loan is None:
        raise LookupError(f"loan id {loan_id} does not exist")
    return loan


def ledger_data(session: Session, *, loan_id: int) -> ExhibitData:
    """The loan's transaction record (借款交易明细)."""
    loan = _loan(session, loan_id)
    borrower = session.get(Borrower, loan.borrower_id)
    creditor = session.get(Creditor, loan.creditor_id)
    entries = session.exec(
        select(LedgerEntry)
        .where(LedgerEntry.loan_id == loan.id)
        .order_by(col(LedgerEntry.booked_on), col(LedgerEntry.id))
    ).all()
    totals: dict[str, Decimal] = {}
    rows = []
    for e in entries:
        kind = str(e.kind)
        totals[kind] = totals.get(kind, Decimal("0")) + e.amount
        rows.append(
            (f"ledger#{e.id}", e.booked_on.isoformat(), LEDGER_KINDS_ZH.get(kind, kind),
             format_yuan(e.amount), e.reference)
        )  # fmt: skip
    notes = tuple(
        f"{LEDGER_KINDS_ZH.get(k, k)}合计：{format_yuan(v)} 元（{sum(1 for r in entries if str(r.kind) == k)} 笔）"
        for k, v in sorted(totals.items())
    )
    return ExhibitData(
        kind="ledger",
        title=f"借款交易明细（合同编号 {loan.contract_no}）",
        subtitle=_parties_line(creditor, borrower, loan),
        columns=("来源编号", "记账日期", "类型", "金额（元）", "交易流水号"),
        rows=tuple(rows),
        notes=notes,
        widths=(1.2, 1.2, 0.8, 1.3, 2.5),
    )


def contact_data(session: Session, *, loan_id: int, tz: str = "Asia/Shanghai") -> ExhibitData:
    """The loan's contact log: every entry with its obligors (borrower, co-borrowers,
    guarantors), and the entries with third parties that a lawful-basis record covers or a
    reviewer marked into the bundles (legal_track.privacy.consents), their numbers masked.
    Numbers and e-mail addresses of anyone else are masked inside the message text too.
    A note counts the third-party entries left out and why."""
    loan = _loan(session, loan_id)
    borrower = session.get(Borrower, loan.borrower_id)
    creditor = session.get(Creditor, loan.creditor_id)
    parties = party_targets(session, loan)
    reviews = {r.contact_id: r for r in review_loans(session, [loan.id], tz=tz)}
    zone = ZoneInfo(tz)
    logs = session.exec(
        select(ContactLog)
        .where(ContactLog.loan_id == loan.id)
        .order_by(col(ContactLog.at), col(ContactLog.id))
    ).all()
    rows, left_out = [], {"flagged": 0, "uncovered": 0, "excluded": 0}
    for c in logs:
        review = reviews.get(c.id)
        if review is not None and not review.in_bundle:
            left_out[review.status] += 1
            continue
        target = c.target if review is None else mask_target(c.target)
        rows.append(
            (
                f"contact#{c.id}",
                c.at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                CHANNELS_ZH.get(str(c.channel), str(c.channel)),
                DIRECTION_ZH.get(str(c.direction), str(c.direction)),
                target,
                mask_third_party_numbers(c.content, parties),
                DELIVERY_ZH.get(str(c.delivery_status), str(c.delivery_status)),
                c.proof_ref or "",
            )
        )
    return ExhibitData(
        kind="contacts",
        title=f"催收联系记录（合同编号 {loan.contract_no}）",
        subtitle=_parties_line(creditor, borrower, loan),
        columns=("来源编号", "时间", "方式", "方向", "对象", "内容", "送达状态", "凭证"),
        rows=tuple(rows),
        notes=_left_out_note(left_out)
        + ("时间为北京时间。" if tz == "Asia/Shanghai" else f"时间按 {tz} 时区显示。",),
        widths=(1.1, 1.3, 0.7, 0.8, 1.3, 3.2, 0.8, 1.0),
    )


def _left_out_note(left_out: dict[str, int]) -> tuple[str, ...]:
    total = sum(left_out.values())
    if not total:
        return ()
    why = {"flagged": "未记录合法性基础", "uncovered": "第三方来电未记录合法性基础",
           "excluded": "经审核排除"}  # fmt: skip
    parts = "，".join(f"{n} 条{why[k]}" for k, n in left_out.items() if n)
    return (f"另有 {total} 条与第三方的联系记录未列入（{parts}）。",)


def has_delivered_demand(session: Session, *, loan_id: int) -> bool:
    """A delivered outbound contact with an obligor of the loan exists."""
    loan = _loan(session, loan_id)
    parties = party_targets(session, loan)
    logs = session.exec(
        select(ContactLog).where(
            ContactLog.loan_id == loan.id,
            ContactLog.direction == Direction.outbound,
            ContactLog.delivery_status == DeliveryStatus.delivered,
        )
    ).all()
    return any(not c.target or normalise(c.target) in parties for c in logs)


def mask_third_party_numbers(text: str, parties: set[str]) -> str:
    def phone(m: re.Match) -> str:
        return m.group(0) if normalise(m.group(0)) in parties else mask_target(m.group(0))

    def email(m: re.Match) -> str:
        return m.group(0) if normalise(m.group(0)) in parties else mask_target(m.group(0))

    return _EMAIL_RE.sub(email, _PHONE_RE.sub(phone, text or ""))


def interruption_data(session: Session, *, loan_id: int, today: date) -> ExhibitData | None:
    """The events that interrupted the limitation period (诉讼时效中断事由), from the
    limitation clock. The rows do not depend on `today` (only the clock's risk level does,
    which is not printed)."""
    loan = _loan(session, loan_id)
    borrower = session.get(Borrower, loan.borrower_id)
    creditor = session.get(Creditor, loan.creditor_id)
    result = clock_for_loan(session, loan_id=loan.id, today=today)
    late = {(e.source, str(e.source_id), e.on) for e in getattr(result, "late_events", ())}
    rows = []
    for ev in sorted(result.events, key=lambda e: (e.on, str(e.source), str(e.source_id))):
        certainty = "确定" if ev.certain else "待证（需结合录音等证据）"
        if (ev.source, str(ev.source_id), ev.on) in late:
            certainty = "时效届满后发生，不产生中断效果"
        rows.append(
            (
                _source_id(ev.source, ev.source_id),
                ev.on.isoformat(),
                _event_label(ev),
                str(getattr(ev, "basis_zh", "") or ""),
                str(ev.proof or ""),
                certainty,
            )
        )
    notes = (
        f"据此计算的诉讼时效届满日：{result.expiry.isoformat()}"
        f"（仅计确定事由：{result.conservative_expiry.isoformat()}）。",
        "依据：民法典第一百八十八条、第一百九十五条；最高人民法院关于审理民事案件适用诉讼时效"
        "制度若干问题的规定第八条至第十七条。",
    )
    return ExhibitData(
        kind="interruptions",
        title=f"诉讼时效中断事由列表（合同编号 {loan.contract_no}）",
        subtitle=_parties_line(creditor, borrower, loan),
        columns=("来源编号", "日期", "事由", "依据", "证据", "确定性"),
        rows=tuple(rows),
        notes=notes,
        widths=(1.2, 1.0, 1.6, 1.8, 2.2, 1.2),
    )


_SOURCE_PREFIX = {"contact_log": "contact#", "case_event": "event#", "ledger": "ledger:"}
_EVENT_ZH = {
    "demand": "催收送达债务人",
    "call": "电话催收已接通",
    "promise": "债务人承诺还款",
    "repayment": "债务人还款",
    "filing": "提起诉讼或申请",
    "demand_letter": "律师函送达",
}


def _source_id(source: object, source_id: object) -> str:
    return f"{_SOURCE_PREFIX.get(str(source), f'{source}#')}{source_id}"


def _event_label(ev: object) -> str:
    kind = str(getattr(ev, "kind", ""))
    label = _EVENT_ZH.get(kind, kind)
    detail = str(getattr(ev, "detail", "") or "")
    if detail and detail != kind:
        label += f"（{CHANNELS_ZH.get(detail, detail)}）"
    return label


def _parties_line(creditor: Creditor | None, borrower: Borrower | None, loan: Loan) -> str:
    lender = creditor.name if creditor else ""
    debtor = borrower.name if borrower else ""
    return (
        f"出借人：{lender}　借款人：{debtor}　本金：{format_yuan(loan.principal)} 元　"
        f"放款日：{loan.disbursed_on.isoformat()}"
    )
