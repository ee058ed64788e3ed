from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlmodel import Session

from legal_track.db import make_engine
from legal_track.reminders.scheduler import (
    CHECK_JOB,
    DIGEST_JOB,
    RECOMPUTE_JOB,
    Worker,
    WorkerAlreadyRunningError,
    acquire_lease,
    build_scheduler,
    current_worker,
    desired_jobs,
    lease_state,
    release_lease,
    shutdown_scheduler,
    start_in_app,
    sync_jobs,
)
from tests.reminders.conftest import (
    make_deadline,
    make_owned_case,
    make_settings,
    make_team,
    shanghai,
    wait_until,
)

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _lease_story(engine):
    """Only one holder at a time; renewal by the holder; takeover after expiry."""
    take = lambda who, at: acquire_lease(engine, name="x", holder=who, now=at, seconds=60)  # noqa: E731
    assert take("A", T0) is True
    assert take("B", T0) is False, "B cannot take a lease A holds"
    assert take("A", T0 + timedelta(seconds=20)) is True, "A renews (until T0+80s)"
    assert take("B", T0 + timedelta(seconds=70)) is False, "renewed: still A's"
    assert take("B", T0 + timedelta(seconds=81)) is True, "A stopped renewing: B takes over"
    assert take("A", T0 + timedelta(seconds=82)) is False, "A lost it"
    release_lease(engine, name="x", holder="B", now=T0 + timedelta(seconds=83))
    assert take("A", T0 + timedelta(seconds=84)) is True, "a released lease is free at once"


def test_lease_on_sqlite(file_engine):
    _lease_story(file_engine)


@pytest.mark.pg
def test_lease_on_postgresql(pg_engine):
    _lease_story(pg_engine)


def _one_winner(url: str) -> None:
    engines = [make_engine(url) for _ in range(4)]
    barrier = threading.Barrier(len(engines))
    results: list[bool] = []

    def race(i):
        barrier.wait(timeout=30)
        results.append(acquire_lease(engines[i], name="race", holder=f"w{i}", now=T0, seconds=60))

    threads = [threading.Thread(target=race, args=(i,)) for i in range(len(engines))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for e in engines:
        e.dispose()
    assert sorted(results) == [False, False, False, True], results


def test_only_one_of_several_acquires_at_once_sqlite(tmp_path, file_engine):
    _one_winner(f"sqlite:///{tmp_path / 'lt.db'}")


@pytest.mark.pg
def test_only_one_of_several_acquires_at_once_postgresql(pg_engine):
    _one_winner(pg_engine.url.render_as_string(hide_password=False))


def test_schedule_is_data(tmp_path):
    jobs = desired_jobs(make_settings(tmp_path))
    assert set(jobs) == {DIGEST_JOB, CHECK_JOB, RECOMPUTE_JOB}
    assert str(jobs[RECOMPUTE_JOB]) == "cron[hour='6', minute='30']", "before the digest"
    jobs = desired_jobs(make_settings(tmp_path, recompute_time=""))
    assert set(jobs) == {DIGEST_JOB, CHECK_JOB}
    digest, check = jobs[DIGEST_JOB], jobs[CHECK_JOB]
    assert isinstance(digest, CronTrigger) and str(digest) == "cron[hour='8', minute='30']"
    assert str(digest.timezone) == "Asia/Shanghai"
    assert isinstance(check, IntervalTrigger) and check.interval == timedelta(minutes=15)
    later = desired_jobs(make_settings(tmp_path, digest_time="07:05", alert_interval_minutes=5))
    assert str(later[DIGEST_JOB]) == "cron[hour='7', minute='5']"
    assert later[CHECK_JOB].interval == timedelta(minutes=5)
    off = {"recompute_time": ""}
    assert set(desired_jobs(make_settings(tmp_path, digest_enabled=False, **off))) == {CHECK_JOB}
    assert desired_jobs(make_settings(tmp_path, digest_enabled=False, alerts_enabled=False,
                                      **off)) == {}  # fmt: skip


def test_sync_jobs_keeps_unchanged_jobs_and_replaces_changed_ones(tmp_path, file_engine):
    settings = make_settings(tmp_path)
    sched = build_scheduler(settings, jobstore_engine=make_engine(str(file_engine.url)))
    sched.start(paused=True)
    try:
        sync_jobs(sched, settings)
        past = datetime.now(UTC) - timedelta(hours=3)
        sched.modify_job(DIGEST_JOB, next_run_time=past)
        sync_jobs(sched, settings)
        assert sched.get_job(DIGEST_JOB).next_run_time == past, "a missed run survives a restart"
        sync_jobs(sched, make_settings(tmp_path, digest_time="09:00", alerts_enabled=False))
        assert sched.get_job(DIGEST_JOB).next_run_time > datetime.now(UTC), (
            "a new time replaces the job"
        )
        assert (
            sched.get_job(DIGEST_JOB).misfire_grace_time == settings.scheduler_misfire_grace_seconds
        )
        assert sched.get_job(DIGEST_JOB).coalesce is True
        sync_jobs(sched, make_settings(tmp_path, digest_enabled=False, alerts_enabled=False,
                                       recompute_time=""))  # fmt: skip
        assert sched.get_jobs() == []
    finally:
        shutdown_scheduler(sched)


def test_two_workers_one_active_takeover_after_expiry(tmp_path, file_engine, smtp):
    settings = make_settings(tmp_path, lease_seconds=60)
    a = Worker(
        engine=file_engine, settings=settings, mailer=smtp.mailer(), clock=lambda: T0, holder="A"
    )
    b = Worker(
        engine=file_engine, settings=settings, mailer=smtp.mailer(), clock=lambda: T0, holder="B"
    )
    try:
        assert a.tick(T0) and a.active
        assert not b.tick(T0) and not b.active
        assert lease_state(file_engine)[0] == "A"
        assert a.tick(T0 + timedelta(seconds=20)) and not b.tick(T0 + timedelta(seconds=70))
        # A dies (no more ticks): B takes over once the lease has expired
        assert b.tick(T0 + timedelta(seconds=81)) and b.active
        assert not a.tick(T0 + timedelta(seconds=90)) and not a.active, (
            "A pauses when it lost the lease"
        )
        assert a.run_job(CHECK_JOB) is None, "a worker without the lease does not run jobs"
    finally:
        a.stop()
        b.stop()
    assert lease_state(file_engine)[1] < T0 + timedelta(seconds=90), "stop hands the lease back"


def test_one_worker_per_process(tmp_path, file_engine, smtp):
    settings = make_settings(tmp_path, worker_in_app=True)
    assert start_in_app(engine=file_engine, settings=make_settings(tmp_path), mailer=smtp.mailer(),
                        clock=lambda: T0) is None, "worker_in_app off: nothing started"  # fmt: skip
    first = start_in_app(
        engine=file_engine, settings=settings, mailer=smtp.mailer(), clock=lambda: T0
    )
    try:
        assert first is not None and current_worker() is first and first.active
        again = start_in_app(
            engine=file_engine, settings=settings, mailer=smtp.mailer(), clock=lambda: T0
        )
        assert again is first, "every rerun of the app gets the same worker"
        other = Worker(
            engine=file_engine, settings=settings, mailer=smtp.mailer(), clock=lambda: T0
        )
        with pytest.raises(WorkerAlreadyRunningError):
            other.start()
    finally:
        first.stop()
    assert current_worker() is None
    assert lease_state(file_engine)[0] == first.holder


def test_missed_digest_job_is_caught_up_once_after_downtime(tmp_path, file_engine, smtp):
    """The previous worker stored its jobs and died before 08:30; the next one starts at
    10:00 (fixed clock), runs the missed jobs once (coalesced) and sends one digest."""
    settings = make_settings(tmp_path)
    with Session(file_engine, expire_on_commit=False) as s:
        team = make_team(s)
        make_deadline(
            s, case=make_owned_case(s, team.staff_zh), due=date(2026, 12, 6), severity="info"
        )
        s.commit()
    before = build_scheduler(settings, jobstore_engine=make_engine(str(file_engine.url)))
    before.start(paused=True)
    sync_jobs(before, settings)
    missed = datetime.now(UTC) - timedelta(hours=2)
    for job_id in (DIGEST_JOB, CHECK_JOB):
        before.modify_job(job_id, next_run_time=missed)
    shutdown_scheduler(before)

    worker = Worker(engine=file_engine, settings=settings, mailer=smtp.mailer(),
                    clock=lambda: shanghai(2026, 12, 1, 10, 0), holder="next")  # fmt: skip
    worker.start()
    try:
        wait_until(lambda: len(worker.passes) >= 2, what="both missed jobs to run")
        assert all(j.next_run_time > datetime.now(UTC) for j in worker.scheduler.get_jobs()), (
            "not repeated"
        )
    finally:
        worker.stop()
    assert len(worker.passes) == 2, "each missed job ran once"
    [digest] = smtp.received
    assert digest.rcpt_tos == [team.staff_zh.email] and "2026-12-01" in digest.subject


def test_the_app_starts_one_in_process_worker_when_asked(env, monkeypatch):
    import streamlit as st

    from legal_track.config import get_settings
    from legal_track.ui.reminders_worker import ensure_worker

    assert ensure_worker() is None, "worker_in_app is off by default"
    monkeypatch.setenv("LEGAL_TRACK_WORKER_IN_APP", "true")
    get_settings.cache_clear()
    worker = ensure_worker()
    try:
        assert worker is not None and worker.active
        assert ensure_worker() is worker, "a rerun of the app does not start a second one"
    finally:
        worker.stop()
        st.cache_resource.clear()


def test_nightly_recompute_refreshes_clocks_and_deadlines(tmp_path, file_engine, smtp):
    """The recompute job stores every clock with the local date of the run and the
    deadlines of every case, audited as the scheduler."""
    from sqlmodel import select

    from legal_track.models import AuditEntry, CaseEvent, Deadline, LimitationClock
    from tests.factories import make_loan

    with Session(file_engine) as s:
        lead = make_team(s).lead
        case = make_owned_case(s, lead)
        loan = make_loan(s, maturity_on=date(2023, 11, 30), schedule=[])
        s.add(CaseEvent(case_id=case.id, kind="judgment_served", on=date(2026, 11, 20),
                        actor="t", created_at=T0))  # fmt: skip
        s.commit()
        loan_id, case_id = loan.id, case.id
    settings = make_settings(tmp_path)
    at = datetime(2026, 11, 29, 22, 30, tzinfo=UTC)  # 06:30 on 30 November in Shanghai
    worker = Worker(engine=file_engine, settings=settings, mailer=smtp.mailer(),
                    clock=lambda: at, holder="W")  # fmt: skip
    try:
        assert worker.tick(at)
        report = worker.run_job(RECOMPUTE_JOB)
    finally:
        worker.stop()
    assert report.deadlines.inserted >= 1 and report.loans >= 1
    with Session(file_engine) as s:
        clock = s.exec(select(LimitationClock).where(LimitationClock.loan_id == loan_id)).one()
        assert clock.expiry == date(2026, 11, 30) and clock.risk == "lt90", "as of the local day"
        rules = {d.rule_id for d in s.exec(select(Deadline).where(Deadline.case_id == case_id))}
        assert "appeal_judgment" in rules
        actions = set(s.exec(select(AuditEntry.action).where(AuditEntry.actor == "scheduler")))
        assert actions == {"deadline.recompute_all", "limitation.recompute"}


def test_a_check_requested_now_runs_on_the_lease_holder_only(tmp_path, file_engine, smtp):
    """`legal-track worker` runs the check job on SIGUSR1 (`request_check`): the holder runs
    it in its scheduler at once and sends the alert; a standby worker does nothing."""
    settings = make_settings(tmp_path, digest_enabled=False, lease_seconds=60)
    clock = lambda: shanghai(2026, 12, 1, 10, 0)  # noqa: E731
    with Session(file_engine, expire_on_commit=False) as s:
        team = make_team(s)
        make_deadline(s, case=make_owned_case(s, team.staff_zh), due=date(2026, 12, 2))
        s.commit()
    holder = Worker(engine=file_engine, settings=settings, mailer=smtp.mailer(), clock=clock,
                    holder="holder")  # fmt: skip
    standby = Worker(engine=file_engine, settings=settings, mailer=smtp.mailer(), clock=clock,
                     holder="standby")  # fmt: skip
    holder.start()  # the process's worker: the stored job calls it
    assert holder.active and not standby.tick(clock())
    waiting = threading.Thread(target=holder.wait)
    waiting.start()
    try:
        assert standby.check_now() is False, "standby: the lease holder runs it"
        holder.request_check()
        wait_until(lambda: len(holder.passes) == 1, what="the requested check to run")
        assert [m.rcpt_tos for m in smtp.received] == [[team.staff_zh.email]]
        assert holder.scheduler.get_job(CHECK_JOB).next_run_time > datetime.now(UTC), (
            "the interval goes on after the requested run"
        )
    finally:
        holder.request_stop()
        waiting.join(timeout=10)
        holder.stop()
        standby.stop()
