from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, SQLModel

import legal_track.models  # noqa: F401  (registers every table)
from legal_track.calendar.workdays import WorkCalendar
from legal_track.cli.common import reset_engine
from legal_track.config import get_settings
from legal_track.db import make_engine
from legal_track.models import User
from tests.calendar.notices import NOTICE_2027_TOML
from tests.factories import T0

NOW = datetime(2026, 11, 29, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai


@pytest.fixture(autouse=True)
def _keep_main_module():
    """Streamlit's AppTest runs page scripts as `__main__` and leaves them there; a
    later test that spawns worker processes would then re-run that page script in
    every worker. Put the real `__main__` back after each test."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


@pytest.fixture(autouse=True)
def _no_approvals_by_default(monkeypatch):
    """Maker-checker (setting approval_actions, default on for filings and escalations) is
    off unless a test turns it on: tests/approvals set LEGAL_TRACK_APPROVAL_ACTIONS or
    pass `required`."""
    monkeypatch.setenv("LEGAL_TRACK_APPROVAL_ACTIONS", "[]")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def engine():
    eng = make_engine("sqlite://")
    SQLModel.metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A clean configuration under tmp_path, for CLI and app tests."""
    monkeypatch.chdir(tmp_path)
    for key in list(__import__("os").environ):
        if key.startswith("LEGAL_TRACK_") and key != "LEGAL_TRACK_TEST_PG_URL":
            monkeypatch.delenv(key)
    monkeypatch.setenv("LEGAL_TRACK_DATABASE_URL", f"sqlite:///{tmp_path / 'lt.db'}")
    monkeypatch.setenv("LEGAL_TRACK_EVIDENCE_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("LEGAL_TRACK_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setenv("LEGAL_TRACK_OUTPUT_DIR", str(tmp_path / "output"))
    monkeypatch.setenv("LEGAL_TRACK_ADMIN_PASSWORD", "admin-password-1")
    monkeypatch.setenv("LEGAL_TRACK_APPROVAL_ACTIONS", "[]")  # see _no_approvals_by_default
    get_settings.cache_clear()
    reset_engine()
    yield tmp_path
    reset_engine()
    get_settings.cache_clear()


@pytest.fixture
def calendar() -> WorkCalendar:
    return WorkCalendar.builtin()


@pytest.fixture
def owner(session):
    """A case owner (no real password hash: argon2 would cost a second per test)."""
    user = User(username="owner1", display_name="李律", password_hash="-", created_at=T0)
    session.add(user)
    session.commit()
    return user


@pytest.fixture
def notice_2027(tmp_path):
    path = tmp_path / "2027.toml"
    path.write_text(NOTICE_2027_TOML, encoding="utf-8")
    return path
