"""Worker heartbeats, so that every instance's health shows which workers are alive.

A heartbeat is a row of the scheduler-lease table (`schedulerlease`) named
`heartbeat:<hash of the holder>`, whose `expires_at` is when the heartbeat goes stale
(now + `lease_seconds`). Each worker refreshes its own row every third of
`lease_seconds` and deletes it when it stops; rows stale for a day are swept by any
worker. No schema change was needed, and the rows live where the lease does, in the one
database every instance shares. The scheduler only ever touches the row named by its
lease (`reminders`), so the two do not meet.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from legal_track.db import utcnow_from
from legal_track.models.reminder import SchedulerLease

log = logging.getLogger(__name__)

HEARTBEAT_PREFIX = "heartbeat:"
SWEEP_AFTER = timedelta(days=1)


def error_line(exc: BaseException) -> str:
    """The first line of a (driver) error, for a one-line report."""
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return lines[0][:300] if lines else type(exc).__name__


def heartbeat_name(holder: str) -> str:
    return HEARTBEAT_PREFIX + hashlib.sha256(holder.encode("utf-8")).hexdigest()[:32]


def beat(engine: Engine, *, holder: str, now: datetime, seconds: float) -> None:
    """Write or refresh `holder`'s heartbeat, valid for `seconds`."""
    now = utcnow_from(now)
    t = SchedulerLease.__table__
    name = heartbeat_name(holder)
    until = now + timedelta(seconds=seconds)
    with engine.begin() as conn:
        changed = conn.execute(
            update(t).where(t.c.name == name).values(holder=holder[:128], expires_at=until)
        ).rowcount
        conn.execute(
            delete(t).where(
                t.c.name.startswith(HEARTBEAT_PREFIX), t.c.expires_at < now - SWEEP_AFTER
            )
        )
    if changed:
        return
    try:
        with engine.begin() as conn:
            conn.execute(insert(t).values(name=name, holder=holder[:128], expires_at=until))
    except IntegrityError:  # written meanwhile (only by ourselves): refresh it
        beat(engine, holder=holder, now=now, seconds=seconds)


def clear(engine: Engine, *, holder: str) -> None:
    t = SchedulerLease.__table__
    with engine.begin() as conn:
        conn.execute(delete(t).where(t.c.name == heartbeat_name(holder)))


class Heartbeat:
    """A thread that keeps one holder's heartbeat fresh; `last_beat` and `last_error`
    say how it goes (the worker's health endpoint reports them)."""

    def __init__(self, *, engine: Engine, holder: str, lease_seconds: float,
                 clock: Callable[[], datetime]) -> None:  # fmt: skip
        self.engine = engine
        self.holder = holder
        self.seconds = float(lease_seconds)
        self.interval = max(1.0, self.seconds / 3)
        self.clock = clock
        self.last_beat: datetime | None = None
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def beat_once(self) -> bool:
        now = self.clock()
        try:
            beat(self.engine, holder=self.holder, now=now, seconds=self.seconds)
        except Exception as exc:  # the database is down: say so, keep trying
            self.last_error = error_line(exc)
            log.warning("heartbeat of %s not written: %s", self.holder, self.last_error)
            return False
        self.last_beat, self.last_error = utcnow_from(now), None
        return True

    def start(self) -> Heartbeat:
        self.beat_once()
        self._thread = threading.Thread(target=self._loop, name="legal-track-heartbeat", daemon=True)  # fmt: skip
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.beat_once()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        try:
            clear(self.engine, holder=self.holder)
        except Exception:  # the database is gone; the row goes stale on its own
            log.warning("heartbeat of %s not removed", self.holder)
