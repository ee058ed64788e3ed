"""The limitation clock on the loan page (a panel) and on the case page (a tab).

Registered in `legal_track/ui/case_tabs.py` as LoanPanel("limitation", ...) and
CaseTab("limitation", ...). Proofs show contact targets masked for every role.
"""

from __future__ import annotations

import streamlit as st

from legal_track.limitation import LimitationResult, Risk, clock_for_loan, clocks_for_case
from legal_track.ui import widgets as w
from legal_track.ui.context import lang, session, today, tr

RISK_COLOURS = {Risk.expired: "red", Risk.lt90: "orange", Risk.lt180: "yellow", Risk.ok: "green"}


def risk_badge(result: LimitationResult) -> None:
    text = f"{tr(f'claims.risk.{result.risk.value}')} · {tr('claims.ui.days_left', days=result.days_left)}"
    st.badge(text, color=RISK_COLOURS[result.risk])  # type: ignore[arg-type]


def _event_rows(result: LimitationResult) -> list[dict[str, object]]:
    return [
        {
            "claims.ui.col.on": w.day(ev.on),
            "claims.ui.col.kind": tr(f"claims.kind.{ev.kind}"),
            "claims.ui.col.proof": ev.proof,
            "claims.ui.col.certain": tr("claims.ui.yes")
            if ev.certain
            else tr("claims.ui.evidence"),
            "claims.ui.col.basis": ev.basis_zh if lang() == "zh" else ev.basis,
        }
        for ev in reversed(result.events)
    ]


def show(result: LimitationResult, *, key: str) -> None:
    """One loan's clock: dates, risk, the event that last restarted it, the explanation."""
    risk_badge(result)
    last = result.last_event
    w.facts(
        [
            (tr("claims.cli.start"), w.day(result.start)),
            (tr("claims.cli.expiry"), w.day(result.expiry)),
            (tr("claims.cli.conservative"), w.day(result.conservative_expiry)),
            (tr("claims.cli.longstop"), w.day(result.longstop)),
            (
                tr("claims.cli.last"),
                f"{last.on} {tr(f'claims.kind.{last.kind}')}" if last else None,
            ),
            (tr("claims.ui.proof"), last.proof if last else None),
        ],
        columns=3,
    )
    if result.provisional:
        st.caption(tr("claims.limit.provisional"))
    st.info(result.explanation_zh if lang() == "zh" else result.explanation_en)
    w.section(tr("claims.ui.events"))
    w.table(_event_rows(result), key=f"{key}.events", empty=tr("claims.limit.no_event"))


def render_loan(loan_id: int) -> None:
    """The loan page panel."""
    with session() as s:
        result = clock_for_loan(s, loan_id=loan_id, today=today())
    show(result, key=f"limitation.loan{loan_id}")


def render_case(case_id: int) -> None:
    """The case page tab: every loan of the case, the most urgent first."""
    with session() as s:
        results = clocks_for_case(s, case_id=case_id, today=today())
    if not results:
        st.caption(tr("ui.table.empty"))
        return
    results.sort(key=lambda r: r.conservative_expiry)
    w.table(
        [
            {
                "claims.cli.contract": r.contract_no,
                "claims.cli.expiry": w.day(r.expiry),
                "claims.cli.conservative": w.day(r.conservative_expiry),
                "claims.cli.risk": tr(f"claims.risk.{r.risk.value}"),
                "claims.ui.days_left_col": r.days_left,
            }
            for r in results
        ],
        key=f"limitation.case{case_id}.summary",
    )
    for r in results:
        with st.expander(f"{r.contract_no} · {tr(f'claims.risk.{r.risk.value}')}",
                         expanded=len(results) == 1):  # fmt: skip
            show(r, key=f"limitation.case{case_id}.loan{r.loan_id}")
