"""Fee and claim calculator: court / enforcement / preservation fees for any amount, and the
claim figures of a loan at a cut-off date. Reached as /calculator (?contract=HT000123
opens the claim tab's contract)."""

import streamlit as st

from legal_track.claims.fees import FeeKind, Procedure, fee
from legal_track.claims.figures import claim_for_contract
from legal_track.money import parse_amount, quantize
from legal_track.ui import widgets as w
from legal_track.ui.context import lang, require_role, session, today, tr
from legal_track.ui.scope import firm_for

user = require_role()
w.page_title(tr("claims.calculator.title"))
zh = lang() == "zh"
fee_tab, claim_tab = st.tabs([tr("claims.calc.fee_tab"), tr("claims.calc.claim_tab")])

with fee_tab, st.form("calculator.fee_form"):
    kind = st.selectbox(tr("claims.calc.kind"), list(FeeKind), key="calculator.kind",
                        format_func=lambda k: tr(f"claims.fee.{k}"))  # fmt: skip
    amount_text = st.text_input(tr("claims.calc.amount"), key="calculator.amount",
                                placeholder="100,000.00")  # fmt: skip
    procedure = st.selectbox(tr("claims.calc.procedure"), list(Procedure),
                             key="calculator.procedure",
                             format_func=lambda p: tr(f"claims.procedure.{p}"))  # fmt: skip
    submitted = st.form_submit_button(tr("claims.calc.compute"), key="calculator.fee_submit")
if submitted:
    with fee_tab:
        try:
            proc = procedure if kind is FeeKind.court else Procedure.ordinary
            result = fee(kind, parse_amount(amount_text), proc)
        except ValueError as exc:
            st.error(str(exc))
        else:
            st.metric(tr(f"claims.fee.{result.kind}"), w.money(result.fee))
            st.caption(result.basis_zh if zh else result.basis)
            w.table(
                [
                    {
                        "claims.calc.band": f"{w.money(s.above)} – "
                        + (w.money(s.upto) if s.upto is not None else "∞"),
                        "claims.calc.part": w.money(quantize(s.base)),
                        "claims.calc.rate": w.rate(s.rate) if s.rate is not None else tr("claims.fee.flat"),
                        "claims.calc.fee": w.money(quantize(s.amount)),
                    }
                    for s in result.steps
                ],
                key="calculator.steps",
            )  # fmt: skip

with claim_tab, st.form("calculator.claim_form"):
    contract = st.text_input(tr("claims.calc.contract"), key="calculator.contract",
                             value=st.query_params.get("contract", ""))  # fmt: skip
    cutoff = st.date_input(tr("claims.calc.cutoff"), value=today(), key="calculator.cutoff")
    province = st.text_input(tr("claims.calc.province"), key="calculator.province")
    include_excess = st.checkbox(tr("claims.calc.include_excess"), key="calculator.excess")
    claimed = st.form_submit_button(tr("claims.calc.compute"), key="calculator.claim_submit")
if claimed:
    with claim_tab:
        try:
            with session() as s:
                figures = claim_for_contract(
                    s, contract_no=contract.strip(), cutoff=cutoff,
                    province=province.strip() or None, include_excess=include_excess or None,
                    role=user.role, firm_id=firm_for(s, user),
                )  # fmt: skip
        except (ValueError, LookupError) as exc:
            st.error(str(exc))
        else:
            st.metric(tr("claims.calc.value"), w.money(figures.total))
            loan = figures.loans[0]
            w.table(
                [
                    {
                        "claims.calc.item": line.label_zh if zh else line.label_en,
                        "claims.calc.value": w.money(line.amount),
                        "claims.calc.formula": line.formula,
                        "claims.calc.basis": line.basis,
                    }
                    for line in loan.lines
                ],
                key="calculator.claim_lines",
            )
            facts = [(tr("claims.cli.cap"), f"{figures.cap_rule} · {w.rate(loan.cap_rate)}")]
            if figures.small_claims is not None:
                track = figures.small_claims.track.value
                facts.append((tr("claims.cli.small_claims"), tr(f"claims.small.{track}")))
            if figures.court_fee is not None:
                facts.append((tr("claims.fee.court"), w.money(figures.court_fee.fee)))
            if figures.delayed is not None:
                facts.append((tr("claims.cli.delayed"), w.money(figures.delayed.amount)))
            w.facts(facts, columns=4)
            st.caption(figures.cap_basis)
            for note in figures.notes:
                st.warning(note)
