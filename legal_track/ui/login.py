"""The sign-in page (local accounts, argon2 hashes; every attempt is audited)."""

from __future__ import annotations

import streamlit as st

from legal_track.auth import authenticate
from legal_track.ui.context import now, session, sign_in, tr
from legal_track.ui.shell_bar import language_switch

FAILED = "login.failed"


def _submit() -> None:
    username = st.session_state.get("login.username", "")
    password = st.session_state.get("login.password", "")
    st.session_state["login.password"] = ""  # never keep the password in session state
    with session() as s:
        user = authenticate(s, username=username, password=password, now=now())
    if user is None:
        st.session_state[FAILED] = True
        return
    st.session_state.pop(FAILED, None)
    sign_in(user)


def render() -> None:
    _, middle, _ = st.columns([1, 1.3, 1])
    with middle:
        st.space("large")
        language_switch()
        st.title(tr("app.title"), anchor=False)
        st.caption(tr("ui.login.subtitle"))
        with st.form("login.form", border=True):
            st.text_input(tr("ui.login.username"), key="login.username", autocomplete="username")
            st.text_input(
                tr("ui.login.password"),
                type="password",
                key="login.password",
                autocomplete="current-password",
            )
            st.form_submit_button(
                tr("ui.login.submit"),
                key="login.submit",
                type="primary",
                on_click=_submit,
                width="stretch",
            )
        if st.session_state.get(FAILED):
            st.error(tr("ui.login.failed"))
        st.caption(tr("ui.login.notice"))
