from __future__ import annotations

import threading
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from legal_track.db import make_engine
from legal_track.models.reminder import ReminderLog, ReminderStatus
from legal_track.reminders.delivery import backoff
from legal_track.reminders.mail import OutboxMailer
from legal_track.reminders.run import run_pass
from tests.reminders.conftest import factory, make_deadline, make_owned_case, make_team, shanghai

NOW = shanghai(2026, 12, 10, 9, 0)  # after 08:30: digests are due too


def _portfolio(engine: Engine, cases: int = 12) -> int:
    """Cases due today for two owners; returns how many reminders one pass decides."""
    with Session(engine, expire_on_commit=False) as s:
        team = make_team(s)
        for i in range(cases):
            owner = team.staff_zh if i % 2 else team.staff_en
            make_deadline(s, case=make_owned_case(s, owner), due=date(2026, 12, 10))
        s.commit()
    return cases + 2  # one T-0 alert per deadline + one digest per owner


def _rows(engine: Engine) -> list[ReminderLog]:
    with Session(engine) as s:
        return list(s.exec(select(ReminderLog)).all())


def test_two_runs_send_each_reminder_once(file_engine, settings, smtp):
    expected = _portfolio(file_engine)
    first = run_pass(factory(file_engine), now=NOW, mailer=smtp.mailer(), settings=settings)
    second = run_pass(
        factory(file_engine),
        now=NOW + timedelta(minutes=15),
        mailer=smtp.mailer(),
        settings=settings,
    )
    assert len(first.sent) == expected and second.decided == [] and second.sent == []
    ids = Counter(m.message_id for m in smtp.received)
    assert len(ids) == expected and set(ids.values()) == {1}


def _race(engines: list[Engine], settings, mailer_for) -> list:
    barrier = threading.Barrier(len(engines))
    reports: list = [None] * len(engines)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            reports[i] = run_pass(factory(engines[i]), now=NOW, mailer=mailer_for(i), settings=settings,
                                  holder=f"worker-{i}")  # fmt: skip
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(engines))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return reports


def _assert_exactly_once(reports, smtp, expected: int, engine: Engine) -> None:
    ids = Counter(m.message_id for m in smtp.received)
    assert sum(ids.values()) == expected, f"{sum(ids.values())} messages for {expected} reminders"
    assert set(ids.values()) == {1}, [k for k, v in ids.items() if v > 1]
    sent_by = Counter(x.log_id for r in reports for x in r.sent)
    assert set(sent_by.values()) == {1} and len(sent_by) == expected
    rows = _rows(engine)
    assert len(rows) == expected and {r.status for r in rows} == {ReminderStatus.sent}
    assert all(r.attempts == 1 for r in rows)


def test_two_workers_at_the_same_time_on_file_sqlite(tmp_path, file_engine, settings, smtp):
    expected = _portfolio(file_engine, cases=20)
    url = f"sqlite:///{tmp_path / 'lt.db'}"
    engines = [make_engine(url), make_engine(url)]
    try:
        reports = _race(engines, settings, lambda i: smtp.mailer())
    finally:
        for e in engines:
            e.dispose()
    _assert_exactly_once(reports, smtp, expected, file_engine)


@pytest.mark.pg
def test_two_workers_at_the_same_time_on_postgresql(pg_engine, settings, smtp):
    expected = _portfolio(pg_engine, cases=20)
    url = pg_engine.url.render_as_string(hide_password=False)
    engines = [make_engine(url) for _ in range(3)]
    try:
        reports = _race(engines, settings, lambda i: smtp.mailer())
    finally:
        for e in engines:
            e.dispose()
    _assert_exactly_once(reports, smtp, expected, pg_engine)


def test_smtp_down_then_back_delivers_each_once_later(file_engine, settings, smtp):
    expected = _portfolio(file_engine, cases=4)
    f = factory(file_engine)
    smtp.stop()
    down = run_pass(f, now=NOW, mailer=smtp.mailer(), settings=settings)
    assert len(down.failed) == 1 and down.stopped, "an unreachable server stops the batch"
    assert down.waiting == expected
    [failed] = [r for r in _rows(file_engine) if r.status == ReminderStatus.failed]
    assert failed.next_attempt_at == NOW + timedelta(seconds=60) and failed.last_error
    again = run_pass(f, now=NOW + timedelta(seconds=30), mailer=smtp.mailer(), settings=settings)
    assert [x.log_id for x in again.failed] != [failed.id], (
        "the failed row waits for its retry time"
    )
    smtp.start()
    back = run_pass(f, now=NOW + timedelta(minutes=5), mailer=smtp.mailer(), settings=settings)
    assert back.failed == [] and back.waiting == 0
    ids = Counter(m.message_id for m in smtp.received)
    assert len(ids) == expected and set(ids.values()) == {1}
    assert {r.status for r in _rows(file_engine)} == {ReminderStatus.sent}


def test_a_refused_recipient_fails_alone_and_is_retried(file_engine, settings, smtp):
    expected = _portfolio(file_engine, cases=4)
    refused = {"n": 0}

    async def handle_RCPT(server, session, envelope, address, rcpt_options):
        if address.startswith("ann") and refused["n"] < 1:
            refused["n"] += 1
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp.handle_RCPT = handle_RCPT
    f = factory(file_engine)
    first = run_pass(f, now=NOW, mailer=smtp.mailer(), settings=settings)
    assert len(first.failed) == 1 and first.stopped is None and len(first.sent) == expected - 1
    assert "550" in first.failed[0].error
    later = run_pass(f, now=NOW + timedelta(minutes=2), mailer=smtp.mailer(), settings=settings)
    assert [x.log_id for x in later.sent] == [first.failed[0].log_id]
    assert len({m.message_id for m in smtp.received}) == expected == len(smtp.received)


class _CrashAfterSend:
    """Delivers, then dies before the pass can mark the row sent (a killed process)."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.can_confirm = inner.can_confirm

    def send(self, message):
        self.inner.send(message)
        self.inner.flush()
        raise KeyboardInterrupt("process killed after sending")

    def flush(self):
        self.inner.flush()

    def already_sent(self, message):
        return self.inner.already_sent(message)

    def close(self):
        self.inner.close()  # what the operating system does for a dead process


def test_crash_between_send_and_mark_outbox_never_resends(file_engine, settings, tmp_path):
    _portfolio(file_engine, cases=1)
    outbox = OutboxMailer(tmp_path / "outbox")
    f = factory(file_engine)
    with pytest.raises(KeyboardInterrupt):
        run_pass(f, now=NOW, mailer=_CrashAfterSend(outbox), settings=settings, alerts=False)
    [row] = _rows(file_engine)
    assert row.status == ReminderStatus.sending
    soon = run_pass(
        f, now=NOW + timedelta(minutes=1), mailer=outbox, settings=settings, alerts=False
    )
    assert soon.sent == [], "a row being sent is left alone until it is stale"
    later = run_pass(
        f, now=NOW + timedelta(minutes=11), mailer=outbox, settings=settings, alerts=False
    )
    assert [x.resent_in_doubt for x in later.sent] == [False], "the outbox knew it was written"
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    assert _rows(file_engine)[0].status == ReminderStatus.sent


def test_crash_between_send_and_mark_smtp_resends_with_the_same_message_id(
    file_engine, settings, smtp
):
    _portfolio(file_engine, cases=1)
    f = factory(file_engine)
    with pytest.raises(KeyboardInterrupt):
        run_pass(f, now=NOW, mailer=_CrashAfterSend(smtp.mailer()), settings=settings, alerts=False)
    later = run_pass(
        f, now=NOW + timedelta(minutes=11), mailer=smtp.mailer(), settings=settings, alerts=False
    )
    assert [x.resent_in_doubt for x in later.sent] == [True]
    first, second = smtp.received
    assert first.message_id == second.message_id, "a receiver can drop the duplicate by Message-ID"
    assert first.message.as_bytes() == second.message.as_bytes(), "the very same message"
    [row] = _rows(file_engine)
    assert row.status == ReminderStatus.sent and row.attempts == 2


def test_dry_run_writes_and_sends_nothing(file_engine, settings, smtp):
    expected = _portfolio(file_engine, cases=3)
    report = run_pass(
        factory(file_engine), now=NOW, mailer=smtp.mailer(), settings=settings, dry_run=True
    )
    assert len(report.decided) == expected and report.sent == []
    assert smtp.received == [] and _rows(file_engine) == []
    from legal_track.models.reminder import CalendarSequence

    with Session(file_engine) as s:
        assert s.exec(select(CalendarSequence)).all() == []


@pytest.mark.parametrize(
    ("attempts", "seconds"), [(1, 60), (2, 120), (3, 240), (7, 3600), (30, 3600)]
)
def test_backoff_doubles_up_to_the_maximum(attempts, seconds):
    assert backoff(attempts, base_seconds=60, max_seconds=3600) == timedelta(seconds=seconds)
