"""Computing a large deadline recompute in worker processes.

Planning a chunk of cases only reads (events, stored deadlines, digests), so several
processes can plan while the calling process applies the plans in its own
transaction. Each chunk is read by one worker before the caller writes it, so a
worker never needs the caller's uncommitted changes. Used only where other
connections can read during the caller's write transaction: PostgreSQL, and SQLite
files in WAL mode; everything else (and small recomputes) runs in-process.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session

from legal_track.calendar import WorkCalendar
from legal_track.config import get_settings
from legal_track.deadline_rules import RuleBook

if TYPE_CHECKING:
    from legal_track.deadline_store import ChunkPlan

MIN_CASES = 20_000  # below this, starting processes costs more than it saves

# Per worker process: its engine and computer (set by the pool initializer).
_worker_state: dict = {}


def parallel_workers(session: Session, cases: int, requested: int | None) -> int:
    """How many processes should plan a recompute of `cases` cases (1 = in-process)."""
    workers = get_settings().deadline_workers if requested is None else requested
    if workers <= 1 or cases == 0 or (requested is None and cases < MIN_CASES):
        return 1
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        return workers
    if conn.dialect.name == "sqlite" and conn.engine.url.database not in (None, "", ":memory:"):
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        if str(mode).lower() == "wal":
            return workers
    return 1


def _init(url: str, rules: RuleBook, calendar: WorkCalendar) -> None:
    from legal_track.db import make_engine
    from legal_track.deadline_engine import DeadlineComputer

    _worker_state["engine"] = make_engine(url)
    _worker_state["computer"] = DeadlineComputer(calendar, rules)


def _plan(ids: list[int], now: datetime, force: bool) -> ChunkPlan:
    from legal_track.deadline_store import plan_chunk

    with _worker_state["engine"].connect() as conn:
        plan = plan_chunk(conn, _worker_state["computer"], ids, now=now, force=force)
        conn.rollback()
    return plan


def plan_in_workers(
    session: Session,
    chunks: list[list[int]],
    *,
    rules: RuleBook,
    calendar: WorkCalendar,
    now: datetime,
    force: bool,
    workers: int,
) -> Iterator[ChunkPlan]:
    """The plans of `chunks`, in order, computed by `workers` processes. At most two
    chunks per worker are in flight, so plans never pile up in memory."""
    url = session.get_bind().url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")  # no inherited connections or locks
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_init,
        initargs=(url, rules, calendar),
    ) as pool:  # fmt: skip
        pending: deque[Future] = deque()
        queue = iter(chunks)
        for chunk in queue:
            pending.append(pool.submit(_plan, chunk, now, force))
            if len(pending) >= 2 * workers:
                break
        while pending:
            plan = pending.popleft().result()
            nxt = next(queue, None)
            if nxt is not None:
                pending.append(pool.submit(_plan, nxt, now, force))
            yield plan
