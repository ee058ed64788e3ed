"""The app shell: page config, sign-in gate, navigation filtered by role, sidebar."""

from __future__ import annotations

import streamlit as st

from legal_track.auth import is_active
from legal_track.ui import login
from legal_track.ui.context import (
    ENTERED_KEY,
    PAGE_KEY,
    UserInfo,
    current_user,
    session,
    sign_out,
    tr,
)
from legal_track.ui.nav import PAGES, SECTIONS, landing_for, pages_for
from legal_track.ui.reminders_worker import ensure_worker
from legal_track.ui.shell_bar import sidebar


def _still_active(user: UserInfo) -> bool:
    """An account disabled (or removed) by an admin loses its open sessions at once."""
    with session() as s:
        return is_active(s, user_id=user.id)


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
        sign_out()
        user = None
    if user is None:
        page = st.navigation(_gate(), position="hidden")
    else:
        sidebar(user)
        page = _navigation(user)
    _track(page)
    page.run()
