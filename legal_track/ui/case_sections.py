"""Sections of the case and loan pages, drawn from the read models of
`legal_track.cases.detail` (already masked per role). Rendering only."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from legal_track.cases.detail import (
    CaseDetail,
    ContactRow,
    CreditorView,
    DeadlineRow,
    EventRow,
    LedgerRow,
    LoanView,
    PartyView,
)
from legal_track.models import DeadlineStatus
from legal_track.ui import widgets as w
from legal_track.ui.context import lang, today, tr

LOAN_PAGE = "legal_track/ui/pages/loan.py"
CASE_PAGE = "legal_track/ui/pages/case.py"


def case_header(d: CaseDetail) -> None:
    st.page_link(
        "legal_track/ui/pages/cases.py", label=tr("ui.case.back"), icon=":material/arrow_back:"
    )
    st.title(f"{d.ref} · {d.borrower.name}", anchor=False)
    with st.container(horizontal=True):
        w.stage_badge(d.stage)
        st.badge(w.label("route", d.route), color="gray")
        if d.close_reason:
            st.badge(w.label("close", d.close_reason), color="gray")
        overdue = [x for x in d.deadlines if x.status == DeadlineStatus.open and x.due < today()]
        if overdue:
            st.badge(tr("ui.case.overdue", n=len(overdue)), color="red", icon=":material/warning:")
        if d.borrower.is_demo:
            st.badge(tr("ui.case.demo"), color="yellow")
    with st.container(border=True):
        w.facts(
            [
                (tr("ui.case.forum"), d.forum),
                (tr("ui.case.court_case_no"), d.court_case_no),
                (tr("ui.case.enforcement_case_no"), d.enforcement_case_no),
                (tr("ui.case.counsel"), d.counsel_firm),
                (tr("ui.case.owner"), d.owner_name),
                (tr("ui.case.claim_total"), w.money(d.claim_total)),
                (tr("ui.case.opened"), w.day(d.opened_on)),
                (tr("ui.case.closed"), w.day(d.closed_on) if d.closed_on else None),
            ]
        )


def parties(
    borrower: PartyView, others: Sequence[PartyView], pii_visible: bool, *, prefix: str
) -> None:
    w.section(tr("ui.case.parties"))
    rows = [
        {
            "ui.party.role": w.label("ui.party.kind", p.role),
            "ui.party.name": p.name,
            "ui.party.id_number": p.id_number,
            "ui.party.phone": p.phone or w.DASH,
            "ui.party.email": p.email or w.DASH,
            "ui.party.address": p.address or w.DASH,
        }
        for p in [borrower, *others]
    ]
    w.table(rows, key=f"{prefix}.parties_table")
    if not pii_visible:
        st.caption(tr("ui.case.masked"), help=tr("ui.case.masked_help"))


def creditors(items: Sequence[CreditorView], *, prefix: str) -> None:
    w.section(tr("ui.case.creditors"))
    rows = [
        {
            "ui.creditor.name": c.name,
            "ui.creditor.uscc": c.uscc or w.DASH,
            "ui.creditor.legal_rep": c.legal_rep or w.DASH,
            "ui.creditor.address": c.address or w.DASH,
        }
        for c in items
    ]
    w.table(rows, key=f"{prefix}.creditors_table")


def loans(items: Sequence[LoanView], *, prefix: str) -> None:
    w.section(tr("ui.case.loans"))
    rows = [
        {
            "ui.loan.contract_no": ln.contract_no,
            "ui.loan.creditor": ln.creditor,
            "ui.loan.principal": w.money(ln.principal),
            "ui.loan.outstanding": w.money(ln.outstanding_principal),
            "ui.loan.annual_rate": w.rate(ln.annual_rate),
            "ui.loan.disbursed_on": w.day(ln.disbursed_on),
            "ui.loan.maturity_on": w.day(ln.maturity_on),
            "ui.loan.overdue_since": w.day(ln.overdue_since),
            "ui.loan.forum_clause": ln.arbitration_commission or ln.agreed_court or w.DASH,
        }
        for ln in items
    ]
    w.table(rows, key=f"{prefix}.loans_table")
    with st.container(horizontal=True):
        for ln in items:
            st.page_link(
                LOAN_PAGE,
                label=tr("ui.case.open_loan", contract=ln.contract_no),
                icon=":material/receipt_long:",
                query_params={"contract": ln.contract_no},
            )


def ledger(entries: Sequence[LedgerRow], *, prefix: str) -> None:
    totals: dict[str, object] = {}
    for e in entries:
        totals[e.kind] = totals.get(e.kind, 0) + e.amount
    cols = st.columns(4)
    for col, kind in zip(cols, ("disbursement", "repayment", "fee", "write_off"), strict=True):
        col.metric(w.label("ledger", kind), w.money(totals.get(kind)) if kind in totals else w.DASH)
    rows = [
        {
            "ui.ledger.date": w.day(e.booked_on),
            "ui.ledger.contract_no": e.contract_no,
            "ui.ledger.kind": w.label("ledger", e.kind),
            "ui.ledger.amount": w.money(e.amount),
            "ui.ledger.reference": e.reference,
        }
        for e in entries
    ]
    w.table(rows, key=f"{prefix}.ledger_table")


def costs(by_category: dict, *, prefix: str) -> None:
    """The costs paid on the case per category (its cost events, net of refunds)."""
    if not by_category:
        st.caption(tr("analytics.case.costs_none"))
        return
    rows = [
        {"analytics.cost.category": tr(f"analytics.cost.{category}"),
         "analytics.cost.amount": w.money(amount)}
        for category, amount in by_category.items()
    ]  # fmt: skip
    w.table(rows, key=f"{prefix}.costs_table")


def contacts(items: Sequence[ContactRow], total: int, *, prefix: str) -> None:
    if total > len(items):
        st.caption(tr("ui.contacts.partial", shown=len(items), total=total))
    rows = [
        {
            "ui.contacts.at": w.local_time(c.at),
            "ui.contacts.contract_no": c.contract_no,
            "ui.contacts.channel": w.label("channel", c.channel),
            "ui.contacts.direction": w.label("ui.direction", c.direction),
            "ui.contacts.target": c.target or w.DASH,
            "ui.contacts.content": c.content,
            "ui.contacts.delivery": w.label("delivery", c.delivery_status),
            "ui.contacts.agent": c.agent or w.DASH,
            "ui.contacts.promise": (
                f"{w.day(c.promise_date)} {w.money(c.promise_amount)}" if c.promise_date else w.DASH
            ),
            "ui.contacts.proof": c.proof_ref or w.DASH,
        }
        for c in items
    ]
    w.table(rows, key=f"{prefix}.contacts_table")


def events(items: Sequence[EventRow], *, prefix: str) -> None:
    w.section(tr("ui.case.events"))
    rows = [
        {
            "ui.event.on": w.day(e.on),
            "ui.event.kind": w.label("deadline.event", e.kind),
            "ui.event.party": e.party or w.DASH,
            "ui.event.actor": e.actor,
            "ui.event.note": e.note or w.DASH,
        }
        for e in items
    ]
    w.table(rows, key=f"{prefix}.events_table")


def deadlines(items: Sequence[DeadlineRow], *, prefix: str) -> None:
    w.section(tr("ui.case.deadlines"))
    now_day = today()
    rows = [
        {
            "ui.deadline.due": ("⚠ " if d.status == "open" and d.due < now_day else "")
            + w.day(d.due)
            + (" *" if d.provisional else ""),
            "ui.deadline.rule": w.label("deadline.rule", d.rule_id),
            "ui.deadline.severity": w.label("ui.severity", d.severity),
            "ui.deadline.status": w.label("ui.deadline.state", d.status),
            "ui.deadline.party": d.party or w.DASH,
            "ui.deadline.explanation": d.explanation_zh if lang() == "zh" else d.explanation_en,
        }
        for d in items
    ]
    w.table(rows, key=f"{prefix}.deadlines_table")
    if any(d.provisional for d in items):
        st.caption(w.md(tr("ui.deadline.provisional_note")))  # "*" is the table's marker
