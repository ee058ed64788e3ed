"""The reminder worker: APScheduler 3 with its jobs in the app database, behind a lease.

* The schedule is data (settings): a cron job for the daily digest (`digest_time`, in
  `timezone`), an interval job (`alert_interval_minutes`) for alerts, escalations,
  retries and a missed digest, and a nightly recompute of every deadline and limitation
  clock (`recompute_time`), so that the digest reads today's risk levels. Jobs live in the `apscheduler_jobs` table of the app
  database, with `coalesce` and `misfire_grace_time`, so a run missed while no worker was up
  is made once when one starts again, not dropped and not repeated.
* A job store must never be shared by two running schedulers, and several app instances
  share one database: a lease row (`SchedulerLease`) decides which worker runs its
  scheduler. The holder renews it every third of `lease_seconds`; the others keep trying,
  and one of them takes over once the lease has expired. A worker that loses the lease
  pauses its scheduler.
* One worker per process (`start` refuses a second one); the app can start it in-process
  (`start_in_app`) when `worker_in_app` is set.

The reminder pass is exactly-once on its own (see delivery.py): the lease avoids useless
double work, it is not what prevents double sending.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING, STATE_STOPPED
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import insert, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from legal_track.config import Settings
from legal_track.db import make_engine, session_scope, utcnow_from
from legal_track.models.reminder import SchedulerLease
from legal_track.recompute import recompute_everything
from legal_track.reminders.mail import Mailer
from legal_track.reminders.run import run_pass
from legal_track.settlements import check_settlements

log = logging.getLogger(__name__)

LEASE_NAME = "reminders"
DIGEST_JOB = "reminders-digest"
CHECK_JOB = "reminders-check"
RECOMPUTE_JOB = "portfolio-recompute"
JOB_TABLE = "apscheduler_jobs"
Clock = Callable[[], datetime]


class WorkerAlreadyRunningError(RuntimeError):
    pass


# ---------------------------------------------------------------- lease


def acquire_lease(engine: Engine, *, name: str, holder: str, now: datetime, seconds: int) -> bool:
    """Take or renew the lease `name` until now + seconds. True if `holder` has it now.

    One atomic UPDATE takes an expired lease or renews our own; a missing row is inserted
    (of two concurrent inserts one fails on the primary key)."""
    now = utcnow_from(now)
    t = SchedulerLease.__table__
    until = now + timedelta(seconds=seconds)
    with engine.begin() as conn:
        changed = conn.execute(
            update(t)
            .where(t.c.name == name, or_(t.c.expires_at < now, t.c.holder == holder))
            .values(holder=holder, expires_at=until)
        ).rowcount
    if changed == 1:
        return True
    try:
        with engine.begin() as conn:
            conn.execute(insert(t).values(name=name, holder=holder, expires_at=until))
    except IntegrityError:
        return False
    return True


def release_lease(engine: Engine, *, name: str, holder: str, now: datetime) -> None:
    """Let the lease expire now (if we hold it), so another worker takes over at once."""
    t = SchedulerLease.__table__
    with engine.begin() as conn:
        conn.execute(
            update(t)
            .where(t.c.name == name, t.c.holder == holder)
            .values(expires_at=utcnow_from(now) - timedelta(seconds=1))
        )


def lease_state(engine: Engine, *, name: str = LEASE_NAME) -> tuple[str, datetime] | None:
    t = SchedulerLease.__table__
    with engine.connect() as conn:
        row = conn.execute(select(t.c.holder, t.c.expires_at).where(t.c.name == name)).first()
    return (row[0], row[1]) if row else None


# ---------------------------------------------------------------- schedule as data


def desired_jobs(settings: Settings) -> dict[str, BaseTrigger]:
    """The jobs the settings ask for, by id."""
    tz = ZoneInfo(settings.timezone)
    jobs: dict[str, BaseTrigger] = {}
    if settings.digest_enabled:
        at = time.fromisoformat(settings.digest_time)
        jobs[DIGEST_JOB] = CronTrigger(hour=at.hour, minute=at.minute, timezone=tz)
    if settings.digest_enabled or settings.alerts_enabled:
        jobs[CHECK_JOB] = IntervalTrigger(minutes=settings.alert_interval_minutes, timezone=tz)
    if settings.recompute_time:
        at = time.fromisoformat(settings.recompute_time)
        jobs[RECOMPUTE_JOB] = CronTrigger(hour=at.hour, minute=at.minute, timezone=tz)
    return jobs


def _same_trigger(a: BaseTrigger, b: BaseTrigger) -> bool:
    # str() leaves out the interval's start date (which is "now") but keeps the schedule
    return type(a) is type(b) and str(a) == str(b) and str(a.timezone) == str(b.timezone)  # type: ignore[attr-defined]


def sync_jobs(scheduler: BackgroundScheduler, settings: Settings) -> None:
    """Make the stored jobs match the settings. An unchanged job is left alone, so a run it
    missed while no worker ran is still caught up."""
    wanted = desired_jobs(settings)
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            scheduler.remove_job(job.id)
    for job_id, trigger in wanted.items():
        current = scheduler.get_job(job_id)
        if current is not None and _same_trigger(current.trigger, trigger):
            continue
        scheduler.add_job(
            "legal_track.reminders.scheduler:scheduled_run", trigger, args=[job_id], id=job_id,
            name=job_id, replace_existing=True,
        )  # fmt: skip


def build_scheduler(settings: Settings, *, jobstore_engine: Engine) -> BackgroundScheduler:
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=jobstore_engine, tablename=JOB_TABLE)},
        executors={"default": ThreadPoolExecutor(1)},  # one pass at a time
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": settings.scheduler_misfire_grace_seconds,
        },
        timezone=ZoneInfo(settings.timezone),
    )


def shutdown_scheduler(scheduler: BackgroundScheduler) -> None:
    """Stop a scheduler without letting it touch the shared job store on the way out.

    APScheduler 3 runs one last round of due jobs after `shutdown` has already stopped
    the executors: each due job is then logged as failed and its next run time advanced,
    i.e. a missed run is silently consumed. Detaching the job store first prevents that."""
    if scheduler.state == STATE_STOPPED:
        return
    scheduler.pause()
    scheduler.remove_jobstore("default")  # also shuts the store down (disposes its engine)
    scheduler.shutdown(wait=True)


# ---------------------------------------------------------------- worker

_process_lock = threading.Lock()
_process_worker: Worker | None = None


def scheduled_run(job_id: str) -> None:
    """Entry point of the stored jobs (referenced by name, so it survives restarts)."""
    worker = _process_worker
    if worker is None:
        log.warning("job %s fired without a running worker in this process", job_id)
        return
    worker.run_job(job_id)


class Worker:
    """Holds the lease, runs the scheduler while it does, runs the reminder pass per job."""

    def __init__(
        self,
        *,
        engine: Engine,
        settings: Settings,
        mailer: Mailer,
        clock: Clock,
        holder: str | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.mailer = mailer
        self.clock = clock
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.scheduler: BackgroundScheduler | None = None
        self._jobstore_engine: Engine | None = None
        self._lease_until: datetime | None = None
        self._stop = threading.Event()
        self._check = threading.Event()  # `request_check`: run the check job now
        self._thread: threading.Thread | None = None
        self.passes: list = []  # the last few PassReports, newest last

    # the lease --------------------------------------------------------
    @property
    def active(self) -> bool:
        return self.scheduler is not None and self.scheduler.state == STATE_RUNNING

    def holds_lease(self, now: datetime) -> bool:
        return self._lease_until is not None and utcnow_from(now) < self._lease_until

    def tick(self, now: datetime) -> bool:
        """Renew or take the lease; run the scheduler while we hold it. True if we do."""
        try:
            held = acquire_lease(
                self.engine, name=LEASE_NAME, holder=self.holder, now=now,
                seconds=self.settings.lease_seconds,
            )  # fmt: skip
        except Exception:
            log.exception("scheduler lease: database error; pausing")
            held = False
        if held:
            self._lease_until = utcnow_from(now) + timedelta(seconds=self.settings.lease_seconds)
            if not self.active:
                self._activate()
        else:
            self._lease_until = None
            if self.active:
                assert self.scheduler is not None
                self.scheduler.pause()
                log.info("scheduler lease lost by %s; scheduler paused", self.holder)
        return held

    def _activate(self) -> None:
        if self.scheduler is None:
            # its own engine: the job store disposes it on shutdown
            self._jobstore_engine = make_engine(
                self.engine.url.render_as_string(hide_password=False)
            )
            self.scheduler = build_scheduler(self.settings, jobstore_engine=self._jobstore_engine)
            self.scheduler.start(paused=True)
        sync_jobs(self.scheduler, self.settings)
        self.scheduler.resume()
        log.info("scheduler active in %s", self.holder)

    # jobs -------------------------------------------------------------
    def run_job(self, job_id: str):
        """One scheduled pass (only while we hold the lease)."""

        now = self.clock()
        if not self.holds_lease(now):
            log.info("job %s skipped: %s does not hold the lease", job_id, self.holder)
            return None
        if job_id == RECOMPUTE_JOB:
            return self.recompute(now)
        report = run_pass(
            lambda: session_scope(self.engine), now=now, mailer=self.mailer,
            settings=self.settings, digest=True if job_id == DIGEST_JOB else None,
            holder=self.holder,
        )  # fmt: skip
        self.passes = [*self.passes[-9:], report]
        for item in report.failed:
            log.warning("reminder %s to %s failed: %s", item.log_id, item.recipient, item.error)
        log.info(
            "%s: %d decided, %d sent, %d failed",
            job_id,
            len(report.decided),
            len(report.sent),
            len(report.failed),
        )
        return report

    def recompute(self, now: datetime):
        """Every deadline and limitation clock, with today's date in `timezone`."""

        today = utcnow_from(now).astimezone(ZoneInfo(self.settings.timezone)).date()
        # missed instalments first: their events resume deadlines the recompute then reads,
        # and their notices reach the owners' next digest
        try:
            with session_scope(self.engine) as session:
                checked = check_settlements(session, today=today, now=now, actor="scheduler")
            log.info("%s: %d settlements checked, %d missed, %d completed", RECOMPUTE_JOB,
                     checked.checked, len(checked.missed), len(checked.completed))  # fmt: skip
        except Exception:  # a failed check must not stop the nightly recompute
            log.exception("%s: settlement check failed", RECOMPUTE_JOB)
        with session_scope(self.engine) as session:
            report = recompute_everything(session, now=now, today=today, actor="scheduler")
        d, c = report.deadlines, report.clocks
        log.info(
            "%s: deadlines of %d cases (%d skipped), %d limitation clocks (%d changed)",
            RECOMPUTE_JOB, d.cases, d.skipped_cases, c.loans, len(c.inserts) + len(c.updates),
        )  # fmt: skip
        return report

    # life cycle -------------------------------------------------------
    def start(self) -> Worker:
        """Register as this process's worker and start the lease loop (in a thread)."""
        global _process_worker
        with _process_lock:
            if _process_worker is not None:
                raise WorkerAlreadyRunningError(
                    f"a reminder worker already runs in this process ({_process_worker.holder})"
                )
            _process_worker = self
        self._stop.clear()
        self.tick(self.clock())
        self._thread = threading.Thread(target=self._loop, name="legal-track-lease", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        interval = max(1.0, self.settings.lease_seconds / 3)
        while not self._stop.wait(interval):
            self.tick(self.clock())

    def stop(self) -> None:
        """Stop the scheduler, hand the lease back and unregister."""
        global _process_worker
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        if self.scheduler is not None:
            shutdown_scheduler(self.scheduler)
            self.scheduler = None
        if self._lease_until is not None:
            release_lease(self.engine, name=LEASE_NAME, holder=self.holder, now=self.clock())
            self._lease_until = None
        with _process_lock:
            if _process_worker is self:
                _process_worker = None

    def request_stop(self) -> None:
        """Ask `wait` to return (safe from a signal handler)."""
        self._stop.set()

    def request_check(self) -> None:
        """Ask `wait` to run the check job now (safe from a signal handler: SIGUSR1)."""
        self._check.set()

    def check_now(self) -> bool:
        """Run the check job (alerts, escalations, retries, a missed digest) now, in the
        scheduler's own executor (one pass at a time), if this worker holds the lease.
        A standby worker does nothing: only the holder sends. True if a run was queued."""
        now = self.clock()
        if not self.active or not self.holds_lease(now):
            log.info("check requested: %s is on standby; the lease holder runs it", self.holder)
            return False
        assert self.scheduler is not None
        if self.scheduler.get_job(CHECK_JOB) is None:
            log.info("check requested: no check job (digest and alerts are off)")
            return False
        self.scheduler.modify_job(CHECK_JOB, next_run_time=utcnow_from(now))
        log.info("check requested: %s runs it now", self.holder)
        return True

    def wait(self) -> None:
        """Block until `stop` is called (from a signal handler or another thread); run the
        check job when `request_check` asks for it."""
        while not self._stop.wait(0.5):
            if self._check.is_set():
                self._check.clear()
                self.check_now()


def current_worker() -> Worker | None:
    return _process_worker


def start_in_app(
    *, engine: Engine, settings: Settings, mailer: Mailer, clock: Clock
) -> Worker | None:
    """Start the in-process worker once per process when `worker_in_app` is set; later calls
    (every Streamlit rerun) return the running one."""
    if not settings.worker_in_app:
        return None
    with _process_lock:
        running = _process_worker
    if running is not None:
        return running
    try:
        return Worker(engine=engine, settings=settings, mailer=mailer, clock=clock).start()
    except WorkerAlreadyRunningError:
        return _process_worker
