"""Recompute every derived date of the portfolio at once: the stored deadlines of every
case and the limitation clock of every loan.

The work comes in pieces that only read: the limitation clocks of a range of loans, the
deadline plan of a chunk of cases. On a machine with two cores or more a worker process
takes pieces too: first the clock ranges, then deadline chunks from the far end of the
portfolio, while this process writes whatever the worker has finished and otherwise
plans the nearest chunk the worker has not started (taking it back), so neither side
waits for long. The worker is forked from a single-threaded process (the CLI) and
spawned from a threaded one (the app, the scheduler); it reads with its own connection
and hands results back. Only this process writes, in one transaction, so the whole
recompute commits once (one audit entry per part) or not at all. An in-memory database,
a single core or a small portfolio does everything here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from legal_track.audit import record
from legal_track.calendar.workdays import load_calendar
from legal_track.db import make_engine, utcnow_from
from legal_track.deadlines import recompute_audit
from legal_track.deadlines.engine import DeadlineComputer
from legal_track.deadlines.rules import default_rules
from legal_track.deadlines.sql import TEXTS_SQL, fetch
from legal_track.deadlines.store import ChunkPlan, RecomputeReport, plan_chunk, recompute_cases
from legal_track.limitation.clock import make_roller
from legal_track.limitation.portfolio import CHUNK as LOANS_PER_RANGE
from legal_track.limitation.portfolio import (
    ClockChanges,
    audit_changes,
    loan_ranges,
    range_changes,
    write_changes,
)
from legal_track.workers import gc_paused, process_pool, start_method

Progress = Callable[[int, int], None] | None
# Below this many cases + loans a worker process costs more to start than it saves.
PARALLEL_FROM = 5000


@dataclass(frozen=True)
class PortfolioReport:
    deadlines: RecomputeReport
    clocks: ClockChanges  # limitation clocks: inserted, updated, deleted, unchanged
    parallel: bool  # a worker process took part
    worker_pieces: int = 0  # pieces (clock ranges, deadline chunks) the worker did

    @property
    def loans(self) -> int:
        return self.clocks.loans


def _url(session: Session) -> str | None:
    """The database URL a worker can open, or None (in-memory SQLite)."""
    url = session.get_bind().url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return None
    return url.render_as_string(hide_password=False)


def _size(session: Session) -> int:
    conn = session.connection()
    return sum(
        int(conn.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar_one())
        for table in ("case", "loan")
    )


# --- in the worker process -------------------------------------------------------------

_worker: dict = {}  # url -> (engine, deadline computer, limitation roller): one per process


def _state(url: str):
    hit = _worker.get(url)
    if hit is None:
        engine = make_engine(url)
        with Session(engine) as session:
            calendar = load_calendar(session)
        hit = _worker[url] = (engine, DeadlineComputer(calendar, default_rules()),
                              make_roller(calendar))  # fmt: skip
    return hit


def _forget_parent_connections(engine) -> None:
    """In a forked worker: drop the pooled connections inherited from the parent without
    closing them (SQLAlchemy's recipe for engines across fork); the worker opens its own
    and never touches the parent's session, which stays the parent's."""
    engine.dispose(close=False)


@gc_paused()
def clock_range_task(url: str, first: int, last: int, today: date) -> ClockChanges:
    engine, _computer, roll = _state(url)
    with Session(engine) as session:
        return range_changes(session, first, last, today=today, roll=roll)


@gc_paused()
def deadline_chunk_task(url: str, ids: list[int], now: datetime, force: bool) -> ChunkPlan:
    engine, computer, _roll = _state(url)
    with Session(engine) as session:
        conn = session.connection()
        # The caller may write this chunk before another one this worker planned earlier:
        # a text counts as known only if it was stored before the worker started, so each
        # plan carries every other text it uses (stored once: ON CONFLICT DO NOTHING).
        stored = computer.memo.get("stored_texts")
        if stored is None:
            stored = computer.memo["stored_texts"] = frozenset(
                r[0] for r in fetch(conn, TEXTS_SQL, ())
            )
        return plan_chunk(conn, computer, ids, now=now, force=force, known_texts=set(stored))


# --- in this process -------------------------------------------------------------------


@gc_paused()
def recompute_everything(
    session: Session,
    *,
    now: datetime,
    today: date,
    force: bool = False,
    actor: str = "system",
    progress: Progress = None,
    parallel: bool | None = None,
    cases_per_chunk: int = 2000,
    loans_per_range: int = LOANS_PER_RANGE,
) -> PortfolioReport:
    """Recompute the deadlines of every case (unchanged cases skipped unless `force`) and
    the limitation clock of every loan as of `today`; write what changed, audit both
    parts and commit once.

    `parallel` None: use a worker process when the database can be opened from one, the
    machine has two cores or more and the portfolio is big enough to repay starting it."""
    now = utcnow_from(now)
    url = _url(session)
    if parallel is None:
        parallel = (
            url is not None and (os.cpu_count() or 1) >= 2 and _size(session) >= PARALLEL_FROM
        )
    if parallel and url is None:
        raise ValueError("an in-memory database cannot be shared with a worker process")
    ranges = loan_ranges(session, size=loans_per_range)
    taken = [0]
    pool = None
    clock_futures: list[Future | None] = [None] * len(ranges)
    if parallel:
        method = start_method()  # fork in a single-threaded process (the CLI), else spawn
        after_fork = {"initializer": _forget_parent_connections,
                      "initargs": (session.get_bind(),)} if method == "fork" else {}  # fmt: skip
        pool = process_pool(1, method=method, **after_fork)
        clock_futures = [pool.submit(clock_range_task, url, a, b, today) for a, b in ranges]
    clock_results: dict[int, ClockChanges] = {}

    def write_clocks(i: int, changes: ClockChanges) -> None:
        write_changes(session, changes, now=now)
        clock_results[i] = changes

    def absorb_clocks() -> None:
        """Write the clock ranges the worker has finished (as soon as they are ready, so
        that the writing is spread over the run rather than left for the end)."""
        for i, future in enumerate(clock_futures):
            finished = future is not None and future.done() and not future.cancelled()
            if finished and i not in clock_results:
                taken[0] += 1
                write_clocks(i, future.result())

    def planner(chunks: list[list[int]], here: Callable[[list[int]], ChunkPlan]) -> Iterable:
        """Plans as they are ready: the worker's finished ones first (writing them is this
        process's job, and while it writes the worker plans more), else the nearest chunk
        the worker has not started, planned here. Chunks touch disjoint cases, so the order
        of writing does not matter (each worker plan carries its texts)."""
        if pool is None:
            yield from (here(chunk) for chunk in chunks)
            return
        # the worker starts from the far end
        futures = {i: pool.submit(deadline_chunk_task, url, chunks[i], now, force)
                   for i in reversed(range(len(chunks)))}  # fmt: skip
        near = 0  # chunks below `near` are decided (planned here, or left to the worker)
        with_worker: set[int] = set()
        while near < len(chunks) or with_worker:
            absorb_clocks()
            ready = [i for i in with_worker if futures[i].done()]
            if not ready and near < len(chunks):
                i, near = near, near + 1
                if futures[i].cancel():
                    yield here(chunks[i])
                else:
                    with_worker.add(i)
                continue
            if not ready:
                wait([futures[i] for i in with_worker], return_when=FIRST_COMPLETED)
                continue
            for i in sorted(ready):
                with_worker.discard(i)
                taken[0] += 1
                yield futures[i].result()

    def deadline_progress(done: int, total: int) -> None:
        if progress:
            progress(done, total + len(ranges))

    try:
        report = recompute_cases(
            session, now=now, progress=deadline_progress, force=force, planner=planner,
            chunk_size=cases_per_chunk,
        )  # fmt: skip
        record(session, recompute_audit(actor, "deadline.recompute_all", "", report), now=now)
        roll = None

        def here(first: int, last: int) -> ClockChanges:
            nonlocal roll
            roll = roll or make_roller(load_calendar(session))
            return range_changes(session, first, last, today=today, roll=roll)

        # take back from the far end what the worker has not started, then collect the rest
        for i in reversed(range(len(ranges))):
            future = clock_futures[i]
            if i not in clock_results and (future is None or future.cancel()):
                write_clocks(i, here(*ranges[i]))
        for i, future in enumerate(clock_futures):
            if i not in clock_results:
                taken[0] += 1
                write_clocks(i, future.result())
        changes = ClockChanges()
        for i in range(len(ranges)):
            changes.merge(clock_results[i])
        audit_changes(session, changes, today=today, now=now, actor=actor)
        if progress:
            progress(report.cases + len(ranges), report.cases + len(ranges))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        if pool:
            pool.shutdown(wait=True, cancel_futures=True)
    return PortfolioReport(deadlines=report, clocks=changes, parallel=bool(parallel),
                           worker_pieces=taken[0])  # fmt: skip
