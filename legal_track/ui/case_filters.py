"""The case list's search box and filter form. The filters in force are kept in
session state (`APPLIED`) so that they survive a visit to a case and back."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import streamlit as st

from legal_track.cases.lifecycle import Route, Stage
from legal_track.cases.listing import CaseFilters, CaseQueryError, CaseSort
from legal_track.money import MoneyError, parse_amount
from legal_track.ui import lookups
from legal_track.ui import widgets as w
from legal_track.ui.context import tr

APPLIED = "cases.applied"
PAGE_NO = "cases.page_no"
ERROR = "cases.error"


def applied() -> CaseFilters:
    return st.session_state.get(APPLIED) or CaseFilters()


def _amount(key: str) -> Decimal | None:
    text = (st.session_state.get(key) or "").strip()
    return parse_amount(text) if text else None


def _apply() -> None:
    s = st.session_state
    try:
        filters = CaseFilters(
            stages=tuple(s["cases.f_stages"]),
            routes=tuple(s["cases.f_routes"]),
            owner_id=s["cases.f_owner"],
            forum=s["cases.f_forum"],
            min_claim=_amount("cases.f_min"),
            max_claim=_amount("cases.f_max"),
            overdue_only=s["cases.f_overdue"],
            search=applied().search,
            sort=CaseSort(s["cases.f_sort"]),
        ).validate()
    except (MoneyError, CaseQueryError) as exc:
        s[ERROR] = str(exc)
        return
    s.pop(ERROR, None)
    s[APPLIED], s[PAGE_NO] = filters, 1


def _search() -> None:
    s = st.session_state
    s[APPLIED], s[PAGE_NO] = replace(applied(), search=s["cases.search"].strip()), 1


def _reset() -> None:
    s = st.session_state
    for key in [k for k in s if str(k).startswith("cases.") and k != "cases.page_size"]:
        del s[key]


def seed() -> None:
    """Widgets keep their values only while shown: seed them from the applied filters."""
    f = applied()
    defaults = {
        "cases.search": f.search,
        "cases.f_stages": list(f.stages),
        "cases.f_routes": list(f.routes),
        "cases.f_owner": f.owner_id,
        "cases.f_forum": f.forum,
        "cases.f_min": "" if f.min_claim is None else str(f.min_claim),
        "cases.f_max": "" if f.max_claim is None else str(f.max_claim),
        "cases.f_overdue": f.overdue_only,
        "cases.f_sort": f.sort,
    }
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)


def search_box() -> None:
    st.text_input(
        tr("ui.cases.search"),
        key="cases.search",
        on_change=_search,
        placeholder=tr("ui.cases.search_hint"),
        icon=":material/search:",
        label_visibility="collapsed",
    )


def _active(f: CaseFilters) -> int:
    flags = (f.stages, f.routes, f.owner_id, f.forum, f.overdue_only)
    return sum(bool(v) for v in flags) + (f.min_claim is not None) + (f.max_claim is not None)


def filter_form() -> None:
    owners = {o.id: o.name for o in lookups.owners()}
    count = _active(applied())
    title = tr("ui.cases.filters") + (f" ({count})" if count else "")
    with (
        st.expander(title, icon=":material/filter_list:", expanded=bool(count)),
        st.form("cases.filter_form", border=False),
    ):
        c1, c2, c3 = st.columns(3)
        c1.multiselect(
            tr("ui.cases.stage"),
            list(Stage),
            format_func=lambda v: w.label("stage", v),
            key="cases.f_stages",
            placeholder=tr("ui.any"),
        )
        c2.multiselect(
            tr("ui.cases.route"),
            list(Route),
            format_func=lambda v: w.label("route", v),
            key="cases.f_routes",
            placeholder=tr("ui.any"),
        )
        c3.selectbox(
            tr("ui.cases.owner"),
            [None, *owners],
            format_func=lambda v: owners.get(v, tr("ui.any")),
            key="cases.f_owner",
        )
        c1, c2, c3 = st.columns(3)
        c1.selectbox(
            tr("ui.cases.forum"),
            [None, *lookups.forums()],
            format_func=lambda v: v or tr("ui.any"),
            key="cases.f_forum",
        )
        c2.text_input(tr("ui.cases.min_claim"), key="cases.f_min", placeholder="0.00")
        c3.text_input(tr("ui.cases.max_claim"), key="cases.f_max", placeholder="1,000,000.00")
        c1, c2, _ = st.columns(3, vertical_alignment="bottom")
        c1.selectbox(
            tr("ui.cases.sort"),
            list(CaseSort),
            format_func=lambda v: w.label("ui.cases.sort", v),
            key="cases.f_sort",
        )
        c2.checkbox(tr("ui.cases.overdue_only"), key="cases.f_overdue")
        b1, b2, _ = st.columns([1, 1, 4])
        b1.form_submit_button(
            tr("ui.cases.apply"),
            key="cases.apply",
            type="primary",
            on_click=_apply,
            width="stretch",
        )
        b2.form_submit_button(
            tr("ui.cases.reset"), key="cases.reset", on_click=_reset, width="stretch"
        )
    if st.session_state.get(ERROR):
        st.error(st.session_state[ERROR], icon=":material/error:")
