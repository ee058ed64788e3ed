"""Exactly-once delivery of reminders: record, claim, send, mark, retry.

1. *Record*: a decided reminder is inserted as a `pending` ReminderLog row with its full
   message, ignoring rows that already exist (the unique key). Two passes or two workers
   deciding the same reminder therefore leave one row between them.
2. *Claim*: one atomic ``UPDATE ... SET status='sending' WHERE id=? AND status IN
   ('pending','failed') AND next_attempt_at <= now`` per row. Only the pass whose update
   changed the row sends it, so two workers never send the same row.
3. *Send* outside any transaction, then *mark* it sent (or failed, with the next attempt
   time doubling up to a maximum). Failed rows stay in the table until they are sent.
4. *In doubt*: a row left in `sending` longer than the stale time (the process died
   between sending and marking) is claimed again. The outbox can tell whether it wrote the
   file (then it is marked sent without sending); SMTP cannot, so the message is sent again
   with the *same* Message-ID. That is the remaining at-least-once window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Table, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from legal_track.db import utcnow_from
from legal_track.models.reminder import ReminderKind, ReminderLog, ReminderStatus
from legal_track.reminders.mail import Mailer, MessageRejected, Outgoing, from_text

SessionFactory = Callable[[], AbstractContextManager[Session]]
RETRYABLE = (ReminderStatus.pending, ReminderStatus.failed)


@dataclass(frozen=True, slots=True)
class Planned:
    """A reminder decided by a pass, with its complete message."""

    kind: ReminderKind
    subject_key: str
    offset_days: int
    recipient: str
    date_key: date
    scheduled_for: datetime
    subject: str
    message_id: str
    message: str  # RFC 5322 text
    language: str = "zh"
    user_id: int | None = None
    deadline_id: int | None = None
    case_id: int | None = None

    @property
    def key(self) -> tuple:
        return (str(self.kind), self.subject_key, self.offset_days, self.recipient, self.date_key)


@dataclass(frozen=True, slots=True)
class Delivered:
    log_id: int
    kind: str
    recipient: str
    subject: str
    message_id: str
    status: str
    attempts: int
    error: str | None = None
    resent_in_doubt: bool = False


@dataclass
class DeliveryReport:
    sent: list[Delivered] = field(default_factory=list)
    failed: list[Delivered] = field(default_factory=list)
    stopped: str | None = None  # why the batch stopped early (server unreachable)


def insert_ignoring_duplicates(session: Session, table: Table, rows: Sequence[dict]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL; row by row elsewhere."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        session.execute(insert(table).on_conflict_do_nothing(), list(rows))
        return
    for row in rows:  # pragma: no cover - other databases are not supported targets
        try:
            with session.begin_nested():
                session.execute(table.insert().values(**row))
        except IntegrityError:
            pass


def existing_keys(
    session: Session, *, kinds: Iterable[ReminderKind], dates: Iterable[date]
) -> set[tuple]:
    """Unique keys of reminders already recorded with one of these date keys."""
    t = ReminderLog.__table__
    rows = session.connection().execute(
        select(t.c.kind, t.c.subject_key, t.c.offset_days, t.c.recipient, t.c.date_key).where(
            t.c.kind.in_([str(k) for k in kinds]), t.c.date_key.in_(sorted(set(dates)))
        )
    )
    return {(str(r[0]), r[1], r[2], r[3], r[4]) for r in rows}


def record_planned(session: Session, planned: Sequence[Planned], *, now: datetime) -> None:
    """Insert the planned reminders as pending rows (duplicates ignored). Commits."""
    stamp = utcnow_from(now)
    rows = [
        {
            "kind": str(p.kind), "subject_key": p.subject_key, "offset_days": p.offset_days,
            "recipient": p.recipient, "date_key": p.date_key, "deadline_id": p.deadline_id,
            "case_id": p.case_id, "user_id": p.user_id, "language": p.language,
            "subject": p.subject[:300], "scheduled_for": p.scheduled_for,
            "status": str(ReminderStatus.pending), "attempts": 0, "message_id": p.message_id,
            "message": p.message, "created_at": stamp,
        }
        for p in planned
    ]  # fmt: skip
    insert_ignoring_duplicates(session, ReminderLog.__table__, rows)
    session.commit()


def backoff(attempts: int, *, base_seconds: int, max_seconds: int) -> timedelta:
    """Delay before the next attempt after `attempts` failed ones: base, 2x, 4x, ... capped."""
    return timedelta(seconds=min(max_seconds, base_seconds * 2 ** max(0, attempts - 1)))


def _retryable(t, *, now: datetime, stale_before: datetime):
    """Rows a pass may claim: pending or failed whose time has come, or in doubt."""
    return or_(
        and_(
            t.c.status.in_([str(s) for s in RETRYABLE]),
            or_(t.c.next_attempt_at.is_(None), t.c.next_attempt_at <= now),
        ),
        and_(t.c.status == str(ReminderStatus.sending), t.c.claimed_at < stale_before),
    )


def _claim(
    session: Session, ids: list[int], *, holder: str, now: datetime, stale_before: datetime
) -> set[int]:
    """Claim some rows at once (one atomic UPDATE ... RETURNING); the ids we got."""
    t = ReminderLog.__table__
    result = session.execute(
        update(t)
        .where(t.c.id.in_(ids), _retryable(t, now=now, stale_before=stale_before))
        .values(
            status=str(ReminderStatus.sending), claimed_by=holder, claimed_at=now,
            attempts=t.c.attempts + 1,
        )
        .returning(t.c.id)
    )  # fmt: skip
    claimed = {row[0] for row in result}
    session.commit()
    return claimed


def _finish(session: Session, log_ids: Sequence[int], *, holder: str, values: dict) -> None:
    if not log_ids:
        return
    t = ReminderLog.__table__
    session.execute(
        update(t)
        .where(
            t.c.id.in_(list(log_ids)),
            t.c.claimed_by == holder,
            t.c.status == str(ReminderStatus.sending),
        )
        .values(**values)
    )
    session.commit()


def deliver_due(
    session_factory: SessionFactory,
    *,
    mailer: Mailer,
    now: datetime,
    holder: str,
    retry_seconds: int = 60,
    retry_max_seconds: int = 3600,
    stale_after: timedelta = timedelta(minutes=10),
    batch: int = 50,
) -> DeliveryReport:
    """Send every row whose time has come (new ones and retries), each at most once per
    claim. A message the server refuses is marked failed and the batch goes on; a server
    that cannot be reached stops the batch (the rest stays pending for the next pass).

    Rows are claimed `batch` at a time. With SMTP each row is marked sent right after the
    server took it (the in-doubt window is one message); with a mailer that can confirm
    delivery afterwards (the outbox) the marks of a batch are written together, since a
    crash in between is resolved exactly by `already_sent`."""
    now = utcnow_from(now)
    stale_before = now - stale_after
    report = DeliveryReport()
    t = ReminderLog.__table__
    with session_factory() as s:
        due = [
            (r[0], str(r[1]))
            for r in s.execute(
                select(t.c.id, t.c.status)
                .where(_retryable(t, now=now, stale_before=stale_before))
                .order_by(t.c.id)
            )
        ]
    previous = dict(due)
    ids = [i for i, _ in due]
    try:
        for start in range(0, len(ids), batch):
            with session_factory() as s:
                claimed = _claim(
                    s, ids[start : start + batch], holder=holder, now=now, stale_before=stale_before
                )
                if not claimed:
                    continue
                rows = s.execute(
                    select(
                        t.c.id,
                        t.c.kind,
                        t.c.recipient,
                        t.c.subject,
                        t.c.message_id,
                        t.c.attempts,
                        t.c.message,
                    )
                    .where(t.c.id.in_(sorted(claimed)))
                    .order_by(t.c.id)
                ).all()
                stopped = _send_claimed(s, rows, previous, mailer=mailer, holder=holder, now=now,
                                        retry=(retry_seconds, retry_max_seconds), report=report)  # fmt: skip
            if stopped:
                report.stopped = stopped
                break
    finally:
        mailer.close()
    return report


def _send_claimed(s: Session, rows, previous: dict[int, str], *, mailer: Mailer, holder: str,
                  now: datetime, retry: tuple[int, int], report: DeliveryReport) -> str | None:  # fmt: skip
    """Send claimed rows in order; returns the error that stopped the batch, if any."""
    deferred: list[int] = []
    stopped: str | None = None
    for n, (log_id, kind, recipient, subject, message_id, attempts, text) in enumerate(rows):
        info = dict(log_id=log_id, kind=str(kind), recipient=recipient, subject=subject,
                    message_id=message_id, attempts=attempts)  # fmt: skip
        in_doubt = previous.get(log_id) == ReminderStatus.sending
        outgoing = Outgoing.from_text(text)
        if in_doubt and mailer.already_sent(outgoing):
            deferred.append(log_id)
            report.sent.append(Delivered(**info, status="sent"))
            continue
        error, fatal = None, False
        try:
            mailer.send(outgoing)
        except MessageRejected as exc:
            error = str(exc)
        except Exception as exc:  # the transport: refused connection, timeout, TLS, auth
            error, fatal = f"{type(exc).__name__}: {exc}", True
        if error is None:
            report.sent.append(Delivered(**info, status="sent", resent_in_doubt=in_doubt))
            if mailer.can_confirm:
                deferred.append(log_id)
            else:
                _finish(s, [log_id], holder=holder, values=_sent_values(now))
            continue
        wait = backoff(attempts, base_seconds=retry[0], max_seconds=retry[1])
        _finish(s, [log_id], holder=holder, values={
            "status": str(ReminderStatus.failed), "last_error": error[:500], "next_attempt_at": now + wait,
        })  # fmt: skip
        report.failed.append(Delivered(**info, status="failed", error=error))
        if fatal:
            stopped = error
            _release(s, [r[0] for r in rows[n + 1 :]], previous, holder=holder)
            break
    if deferred:
        mailer.flush()  # durable first, then marked sent
        _finish(s, deferred, holder=holder, values=_sent_values(now))
    return stopped


def _release(s: Session, ids: list[int], previous: dict[int, str], *, holder: str) -> None:
    """Give claimed rows that were not tried back as they were (failed stays failed; in
    doubt becomes pending: the next pass sends it, with the same Message-ID)."""
    attempts = ReminderLog.__table__.c.attempts - 1
    was_failed = [i for i in ids if previous.get(i) == ReminderStatus.failed]
    others = [i for i in ids if i not in set(was_failed)]
    _finish(
        s,
        was_failed,
        holder=holder,
        values={"status": str(ReminderStatus.failed), "attempts": attempts},
    )
    _finish(
        s,
        others,
        holder=holder,
        values={"status": str(ReminderStatus.pending), "attempts": attempts},
    )


def _sent_values(now: datetime) -> dict:
    return {
        "status": str(ReminderStatus.sent),
        "sent_at": now,
        "last_error": None,
        "next_attempt_at": None,
    }


def waiting_count(session: Session) -> int:
    """Rows not yet sent (pending, sending or failed)."""
    from sqlalchemy import func

    t = ReminderLog.__table__
    return session.execute(
        select(func.count()).select_from(t).where(t.c.status != str(ReminderStatus.sent))
    ).scalar_one()


# ---------------------------------------------------------------- reading the log


def status_counts(session: Session, *, user_id: int | None = None) -> dict[str, int]:
    """Rows per status (of one recipient user, or all)."""
    from sqlalchemy import func

    t = ReminderLog.__table__
    stmt = select(t.c.status, func.count()).group_by(t.c.status)
    if user_id is not None:
        stmt = stmt.where(t.c.user_id == user_id)
    counts = dict.fromkeys((str(s) for s in ReminderStatus), 0)
    counts.update({str(status): n for status, n in session.execute(stmt)})
    return counts


def log_page(
    session: Session,
    *,
    statuses: Sequence[ReminderStatus | str],
    user_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[ReminderLog]:
    """Recorded reminders with one of `statuses`, newest first, paged in SQL (the stored
    message itself is not loaded)."""
    from sqlalchemy.orm import defer

    stmt = (
        select(ReminderLog)
        .options(defer(ReminderLog.message))
        .where(ReminderLog.status.in_([str(s) for s in statuses]))
        .order_by(ReminderLog.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if user_id is not None:
        stmt = stmt.where(ReminderLog.user_id == user_id)
    return list(session.execute(stmt).scalars())


def message_preview(session: Session, *, log_id: int, user_id: int | None = None) -> str:
    """The plain-text body of a recorded message (of that user's rows when `user_id`)."""
    row = session.get(ReminderLog, log_id)
    if row is None or (user_id is not None and row.user_id != user_id):
        raise LookupError(f"no reminder {log_id}")
    body = from_text(row.message).get_body(("plain",))
    return body.get_content() if body is not None else ""
