from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from legal_track.config import get_settings
from legal_track.db import make_engine, migrate
from legal_track.models import Role, User
from legal_track.ui.context import USER_KEY, UserInfo
from tests.factories import make_user

APP = Path(__file__).resolve().parents[2] / "app.py"
PASSWORD = "correct horse battery"  # the password tests.factories.make_user hashes
TIMEOUT = 30  # seconds for one script run (the first one migrates the database)


@pytest.fixture
def db(env) -> Iterator[Session]:
    """A session on the configured (temporary, migrated) SQLite database the app uses."""
    engine = make_engine(get_settings().database_url)
    migrate(engine)
    with Session(engine, expire_on_commit=False) as s:
        yield s
    engine.dispose()
    st.cache_resource.clear()  # disposes the app's engine (on_release)
    st.cache_data.clear()


@pytest.fixture
def user_of(db) -> Callable[..., User]:
    def make(role: Role = Role.staff, **kw) -> User:
        user = make_user(db, role=role, **kw)
        db.commit()
        return user

    return make


@pytest.fixture
def app(db) -> Callable[..., AppTest]:
    """An AppTest of app.py; signed in as `user` when given (skips the login form)."""

    def make(user: User | None = None, *, lang: str | None = None) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        if user is not None:
            at.session_state[USER_KEY] = UserInfo.of(user)
        if lang is not None:
            at.session_state["shell.lang"] = lang
        return at

    return make
