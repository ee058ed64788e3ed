"""What every page needs: the engine, a session, the signed-in user, the language, the clock.

State lives in ``st.session_state`` (one per browser session), never in module
globals, which every user of the server would share. The engine is the only
cached resource (one per database URL).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from legal_track.config import get_settings
from legal_track.db import make_engine, migrate, session_scope
from legal_track.i18n import LANGUAGES, t
from legal_track.models import Role, User

USER_KEY = "shell.user"  # UserInfo of the signed-in user
LANG_KEY = "shell.lang"  # language chosen with the switch in this browser session
SWITCH_KEY = "shell.lang_switch"  # the switch widget itself
PAGE_KEY = "shell.page"  # URL path of the page of the current run
ENTERED_KEY = "shell.entered"  # True when this run is the first on its page
SIGNED_IN_KEY = "shell.signed_in_at"  # when this browser session signed in (aware UTC)
SEEN_KEY = "shell.seen_at"  # the last run of this browser session (idle expiry)
MUST_CHANGE_KEY = "shell.must_change"  # the account must choose a new password first


@dataclass(frozen=True, slots=True)
class UserInfo:
    id: int
    username: str
    display_name: str
    role: Role
    language: str

    @classmethod
    def of(cls, user: User) -> UserInfo:
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name or user.username,
            role=Role(user.role),
            language=user.language if user.language in LANGUAGES else "zh",
        )


def _dispose(engine: Engine) -> None:
    engine.dispose()


@st.cache_resource(show_spinner=False, on_release=_dispose)
def _engine_for(url: str) -> Engine:
    eng = make_engine(url)
    migrate(eng)
    return eng


def engine() -> Engine:
    """The engine of the configured database, migrated to the newest schema (cached)."""
    return _engine_for(get_settings().database_url)


@contextmanager
def session() -> Iterator[Session]:
    """A session that rolls back on error; services commit themselves."""
    with session_scope(engine()) as s:
        yield s


def current_user() -> UserInfo | None:
    return st.session_state.get(USER_KEY)


def sign_in(user: User) -> UserInfo:
    info = UserInfo.of(user)
    st.session_state[USER_KEY] = info
    st.session_state[SIGNED_IN_KEY] = st.session_state[SEEN_KEY] = now()
    st.session_state.pop(SWITCH_KEY, None)  # re-initialise the switch with the user's language
    return info


def sign_out() -> None:
    """Forget everything of this browser session except the chosen language."""
    chosen = st.session_state.get(LANG_KEY)
    st.session_state.clear()
    if chosen:
        st.session_state[LANG_KEY] = chosen


def lang() -> str:
    """The switch's choice, else the user's own language, else the configured default."""
    chosen = st.session_state.get(LANG_KEY)
    if chosen in LANGUAGES:
        return chosen
    user = current_user()
    if user is not None:
        return user.language
    return get_settings().language


def page_entered() -> bool:
    """True on the first run of a page after arriving from another page (or at sign-in);
    False when the same page merely reruns after a widget interaction."""
    return bool(st.session_state.get(ENTERED_KEY, True))


def tr(key: str, **params: object) -> str:
    """The catalog text for `key` in the current language."""
    return t(key, lang(), **params)


def now() -> datetime:
    """The UI is an edge of the system: it reads the wall clock and hands it to services."""
    return datetime.now(UTC)


def today() -> date:
    """Today in the configured time zone (Asia/Shanghai by default)."""
    return now().astimezone(ZoneInfo(get_settings().timezone)).date()


def require_role(*roles: Role) -> UserInfo:
    """The signed-in user; stops the page when nobody is signed in or the role is not
    among `roles` (empty = any role). Navigation hides such pages already; this guards
    direct links."""
    user = current_user()
    if user is None or (roles and user.role not in roles):
        st.error(tr("ui.denied"))
        st.stop()
    return user  # type: ignore[return-value]
