"""Recompute and store the limitation clock of every loan (table `limitationclock`).

Built for 100,000+ loans. Loans are taken in id ranges; each range needs four plain SELECTs
(start dates, with the last instalment read from the JSON schedule inside the database;
interrupting contact-log rows; repayments; filings on the loans' cases) and one bulk insert.
The SELECTs run at the driver level and return plain tuples: going through the ORM's type
processing costs more than the clock itself at this size. The stored rows go through the
columns' own bind processors, so they are exactly what the ORM would write. The old rows of
the range are deleted first, so a rerun gives the same rows.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from legal_track.audit import AuditEvent, record
from legal_track.db import utcnow_from
from legal_track.limitation import (
    Calendar,
    InterruptKind,
    Source,
    compute_clock,
    last_due_date,
    make_roller,
    resolve_calendar,
    risk_for,
    rules,
    timezone,
)
from legal_track.models import LimitationClock, Loan

CHUNK = 20_000
SPARSE_CHUNK = 5_000
_CLOCK = LimitationClock.__table__
_LOAN = Loan.__table__.c
FIELDS = ("loan_id", "start_on", "expiry", "conservative_expiry", "longstop", "provisional",
          "risk", "last_event_kind", "last_event_on", "last_event_source",
          "last_event_source_id", "computed_at")  # fmt: skip

# The last instalment's due date (the schedule's last row), read inside the database.
_LAST_DUE_SQL = {
    "sqlite": "json_extract(loan.schedule, '$[#-1].due_on')",
    "postgresql": "(loan.schedule -> -1 ->> 'due_on')",
}


_PROMISE, _DEMAND, _CALL, _REPAYMENT = (
    InterruptKind.promise.value,
    InterruptKind.demand.value,
    InterruptKind.call.value,
    InterruptKind.repayment.value,
)
_CONTACT, _LEDGER, _CASE_EVENT = (Source.contact_log.value, Source.ledger.value,
                                  Source.case_event.value)  # fmt: skip


class Mark(NamedTuple):
    """A light interrupting event (compute_clock needs `on` and `certain`)."""

    on: date
    certain: bool
    kind: str
    source: str
    source_id: str


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _utc(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _words(values) -> str:
    """A SQL list of rule-pack words (checked: letters and underscores only)."""
    for v in values:
        if not str(v).replace("_", "").isalpha():
            raise ValueError(f"rules/limitation.toml: {v!r} is not a plain word")
    return ", ".join(f"'{v}'" for v in values)


def _rows(conn: Connection, sql: str) -> list[tuple]:
    """Plain tuples straight from the driver, inside the session's transaction."""
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def _keyed(rows: list[tuple], start: dict[int, date], prefix: int = 0) -> dict[int, object]:
    """The start dates in the form the driver returns dates (SQLite: ISO text), so that
    the millions of rows before a start are skipped without parsing their dates."""
    column = 2 if prefix else 1
    if rows and isinstance(rows[0][column], str):
        return {loan_id: day.isoformat() for loan_id, day in start.items()}
    return start


def _starts(conn: Connection, where: str) -> dict[int, date]:
    expr = _LAST_DUE_SQL.get(conn.dialect.name)
    if expr is None:  # other databases: parse the JSON in Python
        rows = _rows(conn, f"SELECT id, schedule, maturity_on FROM loan WHERE {where}")
        return {i: last_due_date(json.loads(s) if isinstance(s, str) else s, _day(m))[0]
                for i, s, m in rows}  # fmt: skip
    rows = _rows(conn, f"SELECT id, maturity_on, {expr} FROM loan WHERE {where}")
    return {i: _day(last) if last else _day(maturity) for i, maturity, last in rows}


def _events(conn: Connection, where: str, start: dict[int, date]) -> dict[int, list[Mark]]:
    """The interrupting events of the loans, skipping those before a loan's start date (an
    event before the start cannot move the end of a period that starts later)."""
    tz = timezone()
    pack = rules()
    contact = pack["contact"]
    demand, calls = set(contact["demand_channels"]), set(contact["evidence_dependent_channels"])
    found: dict[int, list[Mark]] = defaultdict(list)
    rows = _rows(
        conn,
        f"""
        SELECT loan_id, id, at, channel, promise_date IS NOT NULL FROM contactlog
        WHERE {where.replace("loan.id", "loan_id")}
          AND ((delivery_status = 'delivered' AND direction = 'outbound'
                AND channel IN ({_words(demand | calls)}))
               OR (promise_date IS NOT NULL AND delivery_status <> 'failed'))""",
    )
    # a local day is at most one day after the UTC day: skip rows a day or more too early
    early = _keyed(rows, {i: d - timedelta(days=1) for i, d in start.items()}, prefix=10)
    for loan_id, row_id, at, channel, promise in rows:
        if (at[:10] if isinstance(at, str) else at.date()) < early[loan_id]:
            continue
        on = _utc(at).astimezone(tz).date()
        if on < start[loan_id]:
            continue
        kind = _PROMISE if promise else (_DEMAND if channel in demand else _CALL)
        found[loan_id].append(Mark(on, kind != _CALL, kind, _CONTACT, str(row_id)))
    rows = _rows(
        conn,
        f"""
        SELECT loan_id, booked_on, reference FROM ledgerentry
        WHERE {where.replace("loan.id", "loan_id")}
          AND kind IN ({_words(pack["ledger"]["kinds"])})""",
    )
    keyed = _keyed(rows, start)
    for loan_id, booked_on, reference in rows:
        if booked_on >= keyed[loan_id]:
            found[loan_id].append(Mark(_day(booked_on), True, _REPAYMENT, _LEDGER, reference))
    kinds = {k: v["kind"] for k, v in pack["case_events"].items()}
    rows = _rows(
        conn,
        f"""
        SELECT caseloan.loan_id, caseevent.id, caseevent.kind, caseevent."on"
        FROM caseloan JOIN caseevent ON caseevent.case_id = caseloan.case_id
        WHERE {where.replace("loan.id", "caseloan.loan_id")}
          AND caseevent.kind IN ({_words(kinds)})""",
    )
    for loan_id, event_id, kind, on in rows:
        on = _day(on)
        if on >= start[loan_id]:
            found[loan_id].append(Mark(on, True, kinds[kind], _CASE_EVENT, str(event_id)))
    return found


def _writer(conn: Connection, computed_at: datetime) -> Callable[[list[list]], None]:
    """A bulk insert of clock rows (FIELDS without computed_at) through each column's own
    bind processor; the shared timestamp is processed once."""
    columns = [_CLOCK.c[name] for name in FIELDS]
    processors = [c.type.bind_processor(conn.dialect) for c in columns]
    active = [(i, p) for i, p in enumerate(processors[:-1]) if p is not None]
    stamp = processors[-1](computed_at) if processors[-1] else computed_at
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO limitationclock ({', '.join(FIELDS)}) "
           f"VALUES ({', '.join([mark] * len(FIELDS))})")  # fmt: skip

    def write(rows: list[list]) -> None:
        for row in rows:
            for i, process in active:
                if row[i] is not None:
                    row[i] = process(row[i])
            row.append(stamp)
        if rows:
            conn.exec_driver_sql(sql, [tuple(row) for row in rows])

    return write


def recompute_portfolio(
    session: Session,
    *,
    today: date,
    now: datetime,
    loan_ids: list[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
    calendar: Calendar | None = None,
    actor: str = "system",
) -> int:
    """Recompute and store the clocks of all loans (or of `loan_ids`); returns the count."""
    computed_at = utcnow_from(now)
    roll = make_roller(resolve_calendar(session, calendar))
    conn = session.connection()
    query = select(_LOAN.id).order_by(_LOAN.id)
    if loan_ids is not None:
        query = query.where(_LOAN.id.in_(sorted(set(loan_ids))))
    all_ids = list(conn.execute(query).scalars())
    sparse = loan_ids is not None
    total = len(all_ids)
    if not sparse:
        conn.execute(delete(_CLOCK))
    write = _writer(conn, computed_at)
    size = SPARSE_CHUNK if sparse else CHUNK
    done = 0
    for pos in range(0, total, size):
        ids = all_ids[pos : pos + size]
        if sparse:
            conn.execute(delete(_CLOCK).where(_CLOCK.c.loan_id.in_(ids)))
            where = "loan.id IN (" + ",".join(str(int(i)) for i in ids) + ")"
        else:
            where = f"loan.id BETWEEN {int(ids[0])} AND {int(ids[-1])}"
        starts = _starts(conn, where)
        found = _events(conn, where, starts)
        rows = []
        for loan_id in ids:
            start = starts[loan_id]
            clock = compute_clock(start, found.get(loan_id, ()), roll)
            risk, _days = risk_for(clock.conservative_expiry, today)
            last = clock.last_event
            rows.append([
                loan_id, start, clock.expiry, clock.conservative_expiry, clock.longstop,
                clock.provisional, risk.value,
                last.kind if last else None, last.on if last else None,
                last.source if last else None, last.source_id if last else None,
            ])  # fmt: skip
        write(rows)
        done += len(ids)
        if progress:
            progress(done, total)
    record(session, AuditEvent(actor, "limitation.recompute", "loan", "",
                               {"loans": total, "today": today.isoformat(),
                                "subset": sparse}), now=now)  # fmt: skip
    session.commit()
    return total


def refresh_loans(session: Session, *, loan_ids: list[int], now: datetime, actor: str) -> int:
    """Recompute the stored clocks of `loan_ids` after their data changed (an import,
    a case event), with today's date in the configured time zone. Returns the count."""
    if not loan_ids:
        return 0
    from zoneinfo import ZoneInfo

    from legal_track.config import get_settings

    today = utcnow_from(now).astimezone(ZoneInfo(get_settings().timezone)).date()
    return recompute_portfolio(session, today=today, now=now, loan_ids=loan_ids, actor=actor)
