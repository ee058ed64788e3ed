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
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from legal_track.audit import AuditEvent, record
from legal_track.db import utcnow_from
from legal_track.limitation.clock import (
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
from legal_track.workers import gc_paused

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
# SQLite: the start of the clock (last instalment, else maturity) and "two days before
# it", so that rows plainly before a loan's start stay in the database (most of the
# ledger): Python still checks the exact local day of what comes back. PostgreSQL gets
# the starts `_starts` read, as arrays (see `_events`).
_START_SQL = "coalesce(json_extract(loan.schedule, '$[#-1].due_on'), loan.maturity_on)"
_EARLY_SQL = f"date({_START_SQL}, '-2 days')"
_PG_STARTS = "unnest(%s::int[], %s::date[]) AS loan(id, start_on)"


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


def _rows(conn: Connection, sql: str, params: tuple = ()) -> list[tuple]:
    """Plain tuples straight from the driver, inside the session's transaction."""
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql, params) if params else cursor.execute(sql)
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
    dialect = conn.dialect.name
    contact_where = where.replace("loan.id", "contactlog.loan_id")
    ledger_where = where.replace("loan.id", "ledgerentry.loan_id")
    params: tuple = ()
    if dialect == "sqlite":
        # each loan, then its rows from (about) its start on, through the indexes on
        # (loan_id, at) and (loan_id, booked_on); CROSS JOIN keeps that order in SQLite.
        # The database drops the rows before the start (most of a delinquent ledger).
        contact_from = (f"loan CROSS JOIN contactlog WHERE contactlog.loan_id = loan.id "
                        f"AND {where} AND contactlog.at >= {_EARLY_SQL} AND")  # fmt: skip
        ledger_from = (f"loan CROSS JOIN ledgerentry WHERE ledgerentry.loan_id = loan.id "
                       f"AND {where} AND ledgerentry.booked_on >= {_START_SQL} AND")  # fmt: skip
    elif dialect == "postgresql":
        # The same filter, with the starts already read (no schedule parsed again for
        # every row joined) and the range put on the rows' own loan_id: PostgreSQL does not
        # carry a range on loan.id over the join, and scanned the whole ledger and contact
        # log for every range of loans. So it reads the range through the (loan_id, ...)
        # indexes and drops the rows before each start in the join.
        ids = sorted(start)
        params = (ids, [start[i] for i in ids])
        contact_from = (f"{_PG_STARTS} JOIN contactlog ON contactlog.loan_id = loan.id "
                        f"WHERE {contact_where} AND contactlog.at >= loan.start_on - 2 AND")  # fmt: skip
        ledger_from = (f"{_PG_STARTS} JOIN ledgerentry ON ledgerentry.loan_id = loan.id "
                       f"WHERE {ledger_where} AND ledgerentry.booked_on >= loan.start_on AND")  # fmt: skip
    else:
        contact_from = f"contactlog WHERE {contact_where} AND"
        ledger_from = f"ledgerentry WHERE {ledger_where} AND"
    rows = _rows(
        conn,
        f"""
        SELECT contactlog.loan_id, contactlog.id, contactlog.at, contactlog.channel,
               contactlog.promise_date IS NOT NULL
        FROM {contact_from}
          ((contactlog.delivery_status = 'delivered' AND contactlog.direction = 'outbound'
            AND contactlog.channel IN ({_words(demand | calls)}))
           OR (contactlog.promise_date IS NOT NULL AND contactlog.delivery_status <> 'failed'))""",
        params,
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
        SELECT ledgerentry.loan_id, ledgerentry.booked_on, ledgerentry.reference
        FROM {ledger_from} ledgerentry.kind IN ({_words(pack["ledger"]["kinds"])})""",
        params,
    )
    keyed = _keyed(rows, start)
    for loan_id, booked_on, reference in rows:
        if booked_on >= keyed[loan_id]:
            found[loan_id].append(Mark(_day(booked_on), True, _REPAYMENT, _LEDGER, reference))
    kinds = {k: v["kind"] for k, v in pack["case_events"].items()}
    # CROSS JOIN: SQLite keeps this order (the loans' cases, then their events by case)
    # instead of scanning every event of these kinds in the database
    rows = _rows(
        conn,
        f"""
        SELECT caseloan.loan_id, caseevent.id, caseevent.kind, caseevent."on"
        FROM caseloan CROSS JOIN caseevent
        WHERE caseevent.case_id = caseloan.case_id
          AND {where.replace("loan.id", "caseloan.loan_id")}
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


def _range_rows(conn: Connection, where: str, roll, today: date) -> list[list]:
    """The clock rows (FIELDS without computed_at) of the loans `where` selects, by id."""
    starts = _starts(conn, where)
    found = _events(conn, where, starts)
    rows = []
    for loan_id in sorted(starts):
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
    return rows


def _ranges(conn: Connection, loan_ids: list[int] | None, size: int | None = None):
    """(ids, SQL filter) per range of loans: id ranges for the whole portfolio, id lists
    for a subset."""
    if loan_ids is None:  # the driver's rows: 100,000+ ids through the ORM cost 0.3 s
        all_ids = [r[0] for r in _rows(conn, "SELECT id FROM loan ORDER BY id")]
    else:
        query = select(_LOAN.id).where(_LOAN.id.in_(sorted(set(loan_ids)))).order_by(_LOAN.id)
        all_ids = list(conn.execute(query).scalars())
    size = size or (SPARSE_CHUNK if loan_ids is not None else CHUNK)
    for pos in range(0, len(all_ids), size):
        ids = all_ids[pos : pos + size]
        if loan_ids is not None:
            yield ids, "loan.id IN (" + ",".join(str(int(i)) for i in ids) + ")"
        else:
            yield ids, f"loan.id BETWEEN {int(ids[0])} AND {int(ids[-1])}"


@dataclass
class ClockChanges:
    """What storing a fresh computation of every clock changes, in the driver's form:
    new rows (FIELDS without computed_at), changed rows (the same, then the row id), the
    ids of rows whose loan is gone; `unchanged` rows are left as they are."""

    inserts: list[tuple] = field(default_factory=list)
    updates: list[tuple] = field(default_factory=list)
    deletes: list[int] = field(default_factory=list)
    unchanged: int = 0

    @property
    def loans(self) -> int:
        return len(self.inserts) + len(self.updates) + self.unchanged

    def merge(self, other: ClockChanges) -> None:
        self.inserts.extend(other.inserts)
        self.updates.extend(other.updates)
        self.deletes.extend(other.deletes)
        self.unchanged += other.unchanged


def _binder(conn: Connection) -> Callable[[list], tuple]:
    """A clock row (FIELDS without computed_at) in the form the driver stores it."""
    columns = [_CLOCK.c[name] for name in FIELDS[:-1]]
    processors = [c.type.bind_processor(conn.dialect) for c in columns]
    active = [(i, p) for i, p in enumerate(processors) if p is not None]

    sqlite = conn.dialect.name == "sqlite"

    def bind(row: list) -> tuple:
        for i, process in active:
            if row[i] is not None:
                row[i] = process(row[i])
        if sqlite:  # stored as ISO text and 0/1: compare like with like
            row = [v.isoformat() if v.__class__ is date else int(v) if v.__class__ is bool
                   else v for v in row]  # fmt: skip
        return tuple(row)

    return bind


def loan_ranges(session: Session, *, size: int = CHUNK) -> list[tuple[int, int]]:
    """(first, last) loan id of each range of `size` loans of the portfolio, in id order."""
    return [(ids[0], ids[-1]) for ids, _ in _ranges(session.connection(), None, size)]


def range_changes(
    session: Session, first: int, last: int, *, today: date, roll=None
) -> ClockChanges:
    """Compute the clocks of the loans with ids first..last and compare them with the
    stored ones (reads only): a recompute then writes only the clocks that changed."""
    conn = session.connection()
    roll = roll or make_roller(resolve_calendar(session, None))
    where = f"loan.id BETWEEN {int(first)} AND {int(last)}"
    bind = _binder(conn)
    columns = ", ".join(FIELDS[:-1])
    stored = {
        r[1]: r
        for r in _rows(conn, f"SELECT id, {columns} FROM limitationclock "
                             f"WHERE loan_id BETWEEN {int(first)} AND {int(last)}")
    }  # fmt: skip
    changes = ClockChanges()
    for row in _range_rows(conn, where, roll, today):
        new = bind(row)
        old = stored.pop(new[0], None)
        if old is None:
            changes.inserts.append(new)
        elif old[1:] == new:
            changes.unchanged += 1
        else:
            changes.updates.append((*new, old[0]))
    changes.deletes = sorted(r[0] for r in stored.values())
    return changes


def write_changes(session: Session, changes: ClockChanges, *, now: datetime) -> None:
    """Write `changes` (from `range_changes`) in the caller's transaction, not audited."""
    conn = session.connection()
    stamp = _CLOCK.c.computed_at.type.bind_processor(conn.dialect)
    stamp = stamp(utcnow_from(now)) if stamp else utcnow_from(now)
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    if changes.deletes:
        conn.execute(delete(_CLOCK).where(_CLOCK.c.id.in_(changes.deletes)))
    if changes.inserts:
        sql = (f"INSERT INTO limitationclock ({', '.join(FIELDS)}) "
               f"VALUES ({', '.join([mark] * len(FIELDS))})")  # fmt: skip
        conn.exec_driver_sql(sql, [(*row, stamp) for row in changes.inserts])
    if changes.updates:
        sets = ", ".join(f"{name} = {mark}" for name in FIELDS)
        sql = f"UPDATE limitationclock SET {sets} WHERE id = {mark}"
        conn.exec_driver_sql(sql, [(*row[:-1], stamp, row[-1]) for row in changes.updates])


def audit_changes(
    session: Session, changes: ClockChanges, *, today: date, now: datetime, actor: str
) -> None:
    record(session, AuditEvent(actor, "limitation.recompute", "loan", "",
                               {"loans": changes.loans, "today": today.isoformat(),
                                "subset": False, "inserted": len(changes.inserts),
                                "updated": len(changes.updates),
                                "deleted": len(changes.deletes)}), now=now)  # fmt: skip


@gc_paused()
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
    sparse = loan_ids is not None
    ranges = list(_ranges(conn, loan_ids))
    total = sum(len(ids) for ids, _ in ranges)
    if not sparse:
        conn.execute(delete(_CLOCK))
    write = _writer(conn, computed_at)
    done = 0
    for ids, where in ranges:
        if sparse:
            conn.execute(delete(_CLOCK).where(_CLOCK.c.loan_id.in_(ids)))
        write(_range_rows(conn, where, roll, today))
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
    today = utcnow_from(now).astimezone(timezone()).date()
    return recompute_portfolio(session, today=today, now=now, loan_ids=loan_ids, actor=actor)
