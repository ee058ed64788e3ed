"""Reminder test fixtures: a real SMTP server (aiosmtpd), settings, a small legal team,
deadlines, and file/PostgreSQL engines for the concurrency tests."""

from __future__ import annotations

import email
import itertools
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from functools import lru_cache

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text
from sqlmodel import Session, SQLModel

from legal_track.config import Settings
from legal_track.db import make_engine, session_scope
from legal_track.models import Deadline, Role, Severity, User
from legal_track.reminders.mail import SmtpMailer
from tests.factories import deadline_values, make_borrower, make_case, make_loan

_seq = itertools.count(1)


def free_port() -> int:
    """aiosmtpd's Controller cannot take port 0: ask the OS for a free port first."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    def body(self, kind: str = "plain") -> str:
        return self.message.get_body((kind,)).get_content()

    def attachment(self, filename: str) -> bytes:
        for part in self.message.iter_attachments():
            if part.get_filename() == filename:
                return part.get_payload(decode=True)
        raise AssertionError(f"no attachment {filename!r} in {self.subject!r}")


@dataclass
class SmtpServer:
    """A real SMTP server on localhost that keeps every message it accepts."""

    port: int
    received: list[Received] = field(default_factory=list)
    _controller: Controller | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        msg = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=policy.default
        )
        with self._lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller = Controller(
            self, hostname="127.0.0.1", port=self.port, server_hostname="localhost"
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]

    def mailer(self) -> SmtpMailer:
        return SmtpMailer(host="127.0.0.1", port=self.port, security="none", timeout=5)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


def make_settings(tmp_path, **overrides) -> Settings:
    values = dict(
        database_url=f"sqlite:///{tmp_path / 'lt.db'}",
        outbox_dir=tmp_path / "outbox",
        evidence_dir=tmp_path / "store",
        output_dir=tmp_path / "output",
        smtp_from="legal-track <legal-track@lt.example.com>",
        app_url="https://lt.example.com",
    )
    return Settings(_env_file=None, **(values | overrides))


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path)


@dataclass
class Team:
    lead: object
    staff_zh: object
    staff_en: object
    no_mail: object


@lru_cache(maxsize=1)
def _password_hash() -> str:
    from legal_track.auth import hash_password

    return hash_password("correct horse battery")  # argon2 is slow on purpose: hash once


def make_person(s: Session, **kw) -> User:
    """A user without tests.factories.make_user's per-call argon2 hash (0.5 s each)."""
    n = next(_seq)
    values = dict(username=f"u{n}", display_name=f"用户{n}", email=f"u{n}@lt.example.com",
                  role=Role.staff, password_hash=_password_hash(), created_at=datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
    user = User(**(values | kw))
    s.add(user)
    s.flush()
    return user


def make_team(s: Session) -> Team:
    n = next(_seq)
    lead = make_person(s, username=f"lead{n}", display_name="王主管", role=Role.lead,
                     email=f"lead{n}@lt.example.com", language="zh")  # fmt: skip
    zh = make_person(s, username=f"li{n}", display_name="李律", email=f"li{n}@lt.example.com",
                   language="zh", lead_id=lead.id)  # fmt: skip
    en = make_person(s, username=f"ann{n}", display_name="Ann", email=f"ann{n}@lt.example.com",
                   language="en", lead_id=lead.id)  # fmt: skip
    no_mail = make_person(
        s, username=f"nomail{n}", display_name="无邮箱", email=None, lead_id=lead.id
    )
    s.commit()
    return Team(lead, zh, en, no_mail)


def make_deadline(s: Session, *, case, due: date, rule_id: str = "appeal_judgment",
                  severity: Severity = Severity.fatal, **kw) -> Deadline:  # fmt: skip
    values = dict(
        case_id=case.id, rule_id=rule_id, rule_version="2022-01-01",
        trigger_date=date(2026, 1, 1), raw_due=due, due=due, severity=severity,
        basis="《民事诉讼法》第一百七十一条", explanation_zh=f"判决书送达之日起十五日内上诉，届满日 {due}。",
        explanation_en=f"Appeal within 15 days of service; last day {due}.",
        computed_at=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    d = Deadline(**deadline_values(s, values | kw))
    s.add(d)
    s.flush()
    return d


def make_owned_case(s: Session, owner, *, borrower_name: str = "张三丰", **kw):
    borrower = make_borrower(s, name=borrower_name)
    loan = make_loan(s, borrower_id=borrower.id)
    return make_case(s, loans=[loan], owner_id=owner.id if owner is not None else None, **kw)


def shanghai(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(y, m, d, hh, mm, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)


@pytest.fixture
def file_engine(tmp_path):
    # create_all, not migrate: the schema equality is tests/test_models.py's job, and
    # running every migration costs seconds per test
    eng = make_engine(f"sqlite:///{tmp_path / 'lt.db'}")
    SQLModel.metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def pg_engine():
    from tests.components import pg_url

    eng = make_engine(pg_url())
    with eng.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    SQLModel.metadata.create_all(eng)
    yield eng
    eng.dispose()


def factory(engine) -> Callable[[], Iterator[Session]]:
    return lambda: session_scope(engine)


@contextmanager
def memory_engine():
    eng = make_engine("sqlite://")
    SQLModel.metadata.create_all(eng)
    try:
        yield eng
    finally:
        eng.dispose()


def wait_until(
    predicate: Callable[[], bool], *, timeout: float = 20.0, what: str = "condition"
) -> None:
    """Wait for a condition with a bounded timeout (never a fixed sleep)."""
    done = threading.Event()
    deadline = datetime.now(UTC).timestamp() + timeout
    while not predicate():
        if datetime.now(UTC).timestamp() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        done.wait(0.05)
