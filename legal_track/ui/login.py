"""The sign-in page (local accounts, argon2 hashes, lockout; every attempt is audited)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import streamlit as st

from legal_track.auth import LoginPolicy, Outcome, login
from legal_track.config import get_settings
from legal_track.ui.context import now, session, sign_in, tr
from legal_track.ui.shell_bar import language_switch

FAILED = "login.failed"  # the outcome of the last refused attempt (auth.Outcome value)
UNTIL = "login.until"  # when a lockout ends
EXPIRED = "login.expired"  # the last session ended after inactivity


def _client() -> str:
    """The browser's address as Streamlit sees it ("" when unknown, e.g. under AppTest)."""
    try:
        address = st.context.ip_address
    except Exception:  # no request context
        return ""
    return address if isinstance(address, str) else ""


def _submit() -> None:
    username = st.session_state.get("login.username", "")
    password = st.session_state.get("login.password", "")
    st.session_state["login.password"] = ""  # never keep the password in session state
    with session() as s:
        result = login(s, username=username, password=password, now=now(), client=_client(),
                       policy=LoginPolicy.of(get_settings()))  # fmt: skip
    if result.user is None:
        st.session_state[FAILED] = result.outcome.value
        st.session_state[UNTIL] = result.locked_until
        return
    for key in (FAILED, UNTIL, EXPIRED):
        st.session_state.pop(key, None)
    sign_in(result.user)


def _refusal() -> str:
    outcome = st.session_state.get(FAILED)
    until = st.session_state.get(UNTIL)
    local = until.astimezone(ZoneInfo(get_settings().timezone)).strftime("%H:%M") if until else ""
    if outcome == Outcome.locked.value:
        return tr("accounts.login.locked", until=local)
    if outcome == Outcome.client_locked.value:
        return tr("accounts.login.client_locked", until=local)
    return tr("ui.login.failed")


def render() -> None:
    _, middle, _ = st.columns([1, 1.3, 1])
    with middle:
        st.space("large")
        language_switch()
        st.title(tr("app.title"), anchor=False)
        st.caption(tr("ui.login.subtitle"))
        if st.session_state.get(EXPIRED):
            st.info(tr("accounts.session.expired"), icon=":material/timer_off:")
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
            st.error(_refusal())
        st.caption(tr("ui.login.notice"))
