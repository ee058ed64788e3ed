"""The app shell: page config, sign-in gate, navigation filtered by role, sidebar."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import streamlit as st

from legal_track.auth import account_state
from legal_track.config import get_settings
from legal_track.ui import login
from legal_track.ui.context import (
    ENTERED_KEY,
    MUST_CHANGE_KEY,
    PAGE_KEY,
    SEEN_KEY,
    SIGNED_IN_KEY,
    USER_KEY,
    UserInfo,
    current_user,
    now,
    session,
    sign_out,
    tr,
)
from legal_track.ui.nav import PAGES, SECTIONS, landing_for, pages_for
from legal_track.ui.reminders_worker import ensure_worker
from legal_track.ui.shell_bar import sidebar

PASSWORD_PAGE = "legal_track/ui/pages/password.py"


def _still_active(user: UserInfo) -> bool:
    """Re-read the account on every run. It loses its open sessions at once when an
    admin disables (or removes) it or resets its password, when its password was changed
    in another session, and after `session_idle_minutes` without interaction (the login
    page then says so). A role change applies at once."""
    with session() as s:
        state = account_state(s, user_id=user.id)
    moment = now()
    signed_in = st.session_state.setdefault(SIGNED_IN_KEY, moment)
    seen = st.session_state.get(SEEN_KEY, moment)
    if state is None or not state.active:
        return False
    if state.password_changed_at is not None and state.password_changed_at > signed_in:
        return False
    if moment - seen > timedelta(minutes=get_settings().session_idle_minutes):
        st.session_state[login.EXPIRED] = True
        return False
    st.session_state[SEEN_KEY] = moment
    if state.role != user.role:
        st.session_state[USER_KEY] = replace(user, role=state.role)
    st.session_state[MUST_CHANGE_KEY] = state.must_change_password
    return True


def _navigation(user: UserInfo):
    sections: dict[str, list] = {}
    landing = landing_for(user.role)
    for p in sorted(pages_for(user.role), key=lambda p: SECTIONS.index(p.section)):
        page = st.Page(
            p.path,
            title=tr(p.title_key),
            icon=p.icon,
            url_path=p.key,
            default=p.key == landing,
            visibility="hidden" if p.hidden else "visible",
        )
        sections.setdefault(tr(p.section), []).append(page)
    return st.navigation(sections, position="sidebar")


def _gate() -> list:
    """Signed out, every page path shows the sign-in form, so that a link to a case (from
    an e-mail, say) opens that case right after signing in (the URL and its query stay)."""
    title = tr("ui.login.title")
    gate = [st.Page(login.render, title=title, url_path="login", default=True)]
    return gate + [st.Page(login.render, title=title, url_path=p.key) for p in PAGES]


def _track(page) -> None:
    previous = st.session_state.get(PAGE_KEY)
    st.session_state[PAGE_KEY] = page.url_path
    st.session_state[ENTERED_KEY] = previous != page.url_path


def main() -> None:
    st.set_page_config(page_title=tr("app.title"), page_icon="⚖️", layout="wide")
    ensure_worker()  # the reminder scheduler, once per process, when settings.worker_in_app
    user = current_user()
    if user is not None and not _still_active(user):
        expired = st.session_state.get(login.EXPIRED)
        sign_out()
        if expired:
            st.session_state[login.EXPIRED] = True
    user = current_user()  # None when signed out; the role may have changed
    if user is None:
        page = st.navigation(_gate(), position="hidden")
    elif st.session_state.get(MUST_CHANGE_KEY):
        sidebar(user)  # only the forced password change (and signing out) until it is done
        forced = st.Page(PASSWORD_PAGE, title=tr("accounts.password.title"), url_path="password")
        page = st.navigation([forced], position="hidden")
    else:
        sidebar(user)
        page = _navigation(user)
    _track(page)
    page.run()
