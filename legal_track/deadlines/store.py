"""Stored deadlines: recomputing them from the case events, in bulk.

One deadline row per (trigger event, rule). A recompute computes what the events
call for and writes only the difference: new rows, changed dates or texts, rows
whose trigger is gone. A manual override is never touched (if the computed date
moves under it, the row is flagged and the owner told); rows a person completed or
waived stay as history. Rules with `closed_by` events are completed automatically
(actor "system") and reopened if that event goes away.

Built for the portfolio: rules and calendar loaded once; a case whose digest (its
events and route, the rules, the calendar, the engine code) is unchanged is skipped;
events and stored rows read per chunk of cases with plain driver queries (dates and
JSON parsed once per distinct value); one plan per distinct (event kind, date, data);
stored rows compared by a fingerprint of their computed columns; writes are
executemany of plain SQL (`deadlines.sql`). Planning a chunk only reads
(`plan_chunk`); writing it is `apply_plan`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, func, or_, select, update
from sqlmodel import Session

from legal_track.calendar.workdays import WorkCalendar, load_calendar
from legal_track.db import utcnow_from
from legal_track.deadlines.engine import ComputedDeadline, DeadlineComputer, plan_event
from legal_track.deadlines.pauses import apply_pauses, pauses_of
from legal_track.deadlines.rules import RuleBook, default_rules
from legal_track.deadlines.sql import (
    CASES_SQL,
    DIGESTS_SQL,
    EXISTING_SQL,
    PRUNE_TEXTS_SQL,
    TEXTS_SQL,
    DriverValues,
    case_digest,
    context_digest,
    copy_deadlines,
    events_sql,
    fetch,
    fingerprint,
    placeholder,
    project_data,
    statements,
    store_digests,
    where_ids,
)
from legal_track.models import (
    Case,
    Deadline,
    DeadlineNotice,
    DeadlineStatus,
    DeadlineText,
    NoticeKind,
    text_key,
)
from legal_track.workers import gc_paused

AUTO_ACTOR = "system"
Progress = Callable[[int, int], None] | None
# (chunks of case ids, plan one chunk here) -> the chunks' plans, in order
Planner = Callable[[list[list[int]], Callable[[list[int]], "ChunkPlan"]], Iterable["ChunkPlan"]]

DL = Deadline.__table__
CASE = Case.__table__
NOTICE = DeadlineNotice.__table__


@dataclass(frozen=True, slots=True)
class MovedDeadline:
    deadline_id: int
    case_id: int
    case_ref: str
    owner_id: int | None
    rule_id: str
    old_due: date
    new_due: date


@dataclass(frozen=True, slots=True)
class DueChange:
    deadline_id: int
    case_id: int
    rule_id: str
    old_due: date
    new_due: date
    status: str
    overridden: bool


@dataclass
class RecomputeReport:
    cases: int = 0
    events: int = 0
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    skipped_cases: int = 0  # cases whose digest had not changed: not recomputed
    errors: list[str] = field(default_factory=list)  # events whose data a rule refused
    moved: list[DueChange] = field(default_factory=list)

    def merge(self, other: RecomputeReport) -> None:
        for name in ("cases", "events", "inserted", "updated", "deleted", "unchanged",
                     "skipped_cases"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors)
        self.moved.extend(other.moved)


@dataclass(slots=True)
class _Event:
    id: int
    case_id: int
    kind: str
    on: date
    party: str | None
    data: dict
    data_key: object = ""  # hashable form of `data` (its JSON text)


def _chunks(session: Session, case_ids: Sequence[int] | None, size: int):
    """Lists of case ids, in id order."""
    if case_ids is not None:
        ids = sorted(set(case_ids))
        for i in range(0, len(ids), size):
            yield ids[i : i + size]
        return
    conn = session.connection()
    mark = placeholder(conn)
    last = 0
    while True:
        sql = f'SELECT id FROM "case" WHERE id > {mark} ORDER BY id LIMIT {int(size)}'
        ids = [r[0] for r in fetch(conn, sql, (last,))]
        if not ids:
            return
        yield ids
        last = ids[-1]


def _closing(computer: DeadlineComputer, rule_id: str, version: str) -> frozenset[str]:
    """Event kinds that complete a deadline of this rule version."""
    rules = computer.rules
    for rule in rules.versions.get(rule_id, ()):
        if rule.version == version:
            return rule.closed_by | rules.closes_all
    return rules.closes_all


def _plan_rows(computer: DeadlineComputer, ev: _Event, route: str | None, conv: DriverValues):
    """What one event calls for, in the form the chunk loop needs:
    ((ComputedDeadline, fingerprint, stored column values, closing kinds, text), ...),
    errors, and the texts (key, basis, zh, en) of those rows."""
    errors: list[str] = []
    planned = plan_event(computer, kind=ev.kind, on=ev.on, route=route, party=ev.party,
                         data=ev.data, errors=errors)  # fmt: skip
    rows = [_row(computer, c, conv) for c in planned]
    return tuple(rows), tuple(errors), tuple(row[4] for row in rows)


def _row(computer: DeadlineComputer, c: ComputedDeadline, conv: DriverValues) -> tuple:
    key = text_key(c.basis, c.explanation_zh, c.explanation_en)
    values = (c.rule_version, c.trigger, c.party, c.raw_due, c.due, c.provisional,
              c.severity.value, key)  # fmt: skip
    fp = fingerprint(values)
    stored = (c.rule_version, conv.date(c.trigger), c.party, conv.date(c.raw_due),
              conv.date(c.due), c.provisional, c.severity.value, key, fp)  # fmt: skip
    text = (key, c.basis, c.explanation_zh, c.explanation_en)
    return (c, fp, stored, _closing(computer, c.rule_id, c.rule_version), text)


@dataclass
class ChunkPlan:
    """What recomputing one chunk of cases changes (computed by reading only; written by
    `apply_plan`)."""

    report: RecomputeReport
    texts: list[tuple] = field(default_factory=list)  # new DeadlineText rows
    inserts: list[tuple] = field(default_factory=list)  # new open deadlines (INSERT_OPEN)
    done_inserts: list[tuple] = field(default_factory=list)  # new, closed by an event
    paused_inserts: list[tuple] = field(default_factory=list)  # new, paused by a settlement
    updates: list[tuple] = field(default_factory=list)
    deletes: list[int] = field(default_factory=list)
    notices: list[dict] = field(default_factory=list)
    digests: dict[int, str] = field(default_factory=dict)


def _read_chunk(conn, computer: DeadlineComputer, ids: list[int]):
    """The cases `ids` (sorted): {id: (id, route, owner_id, ref)}, their relevant event rows
    and their digests, with the SQL filter used."""
    relevant = (computer.rules.trigger_kinds() | computer.rules.closing_kinds()
                | computer.rules.settlement.kinds())  # fmt: skip
    where, params = where_ids(ids, placeholder(conn))
    # Plain driver queries: no per-row processing (dates and JSON are parsed once per value).
    cases = {r[0]: r for r in fetch(conn, CASES_SQL.format(where=where), params)}
    raw_events: dict[int, list[tuple]] = defaultdict(list)
    # No filter on kind in SQL: SQLite would pick the kind index and scan the whole table.
    sql = computer.memo.get("events_sql")
    if sql is None:
        sql = computer.memo["events_sql"] = events_sql(conn.dialect.name, data_keys(computer))
    for r in fetch(conn, sql.format(where=where), params):
        if r[2] in relevant:
            raw_events[r[1]].append(r)
    context = context_digest(computer)
    digests = {
        cid: case_digest(context, case[1], raw_events.get(cid, ())) for cid, case in cases.items()
    }
    return cases, raw_events, digests, where, params


def plan_chunk(
    conn,
    computer: DeadlineComputer,
    ids: list[int],
    *,
    now: datetime,
    force: bool,
    known_texts: set[str],
) -> ChunkPlan:
    """Read the events and stored deadlines of the cases `ids` (sorted) and work out
    what must change. Reads only.

    `known_texts`: keys of the texts the store will have when this plan is written; the
    plan carries every other text its rows use, and adds those keys to the set."""
    kinds = computer.rules.trigger_kinds()
    closing_kinds = computer.rules.closing_kinds()
    pause_kinds = computer.rules.settlement.kinds()
    conv = computer.memo.get("driver_values")
    if conv is None or conv.dialect != conn.dialect.name:
        conv = computer.memo["driver_values"] = DriverValues(conn.dialect.name)
    report = RecomputeReport(cases=len(ids))
    plan = ChunkPlan(report)
    cases, raw_events, digests, where, params = _read_chunk(conn, computer, ids)
    # Skip the cases whose events, route, rules, calendar and engine are unchanged.
    stored = dict(fetch(conn, DIGESTS_SQL.format(where=where), params))
    plan.digests = {cid: d for cid, d in digests.items() if stored.get(cid) != d}
    if not force:
        digests = plan.digests
        report.skipped_cases = len(cases) - len(digests)
    if not digests:
        return plan
    changed = sorted(digests)
    if len(changed) < len(ids):
        where, params = where_ids(changed, placeholder(conn))
    events: dict[int, list[_Event]] = {}
    date_memo = conv.dates
    # An event's data matters only through the keys the rules read (a letter's tracking
    # number moves no deadline): the database returns just those values, as a JSON array
    # with few distinct values; each is parsed once, and plans are shared by their text.
    keys = data_keys(computer)
    projected = computer.memo.setdefault("projected", {})
    for case_id in changed:
        evs = events[case_id] = []
        for r in raw_events.get(case_id, ()):
            on = date_memo.get(r[3])
            if on is None:
                on = conv.parse_date(r[3])
            raw = r[5]
            data = projected.get(raw) if raw.__class__ is str else None
            if data is None:
                data = project_data(raw, keys)
                if raw.__class__ is str:
                    projected[raw] = data
            evs.append(_Event(r[0], r[1], r[2], on, r[4], data[0], data[1]))
    report.events = sum(len(v) for v in events.values())
    existing = {(r[1], r[2]): r for r in fetch(conn, EXISTING_SQL.format(where=where), params)}
    kept_keys = set(existing) if existing else None
    inserts, done_inserts = plan.inserts, plan.done_inserts
    updates, notices = plan.updates, plan.notices
    stamp = conv.stamp(now)
    plans = computer.memo.setdefault("plan", {})
    statuses: dict[int, tuple] = {}  # closing event id -> the status it gives
    open_status = ("open", None, None, None)
    unchanged = 0
    for case_id, evs in events.items():
        case = cases.get(case_id)
        if case is None:
            continue
        route = case[1]
        closers = [e for e in evs if e.kind in closing_kinds]
        pauses = pauses_of(evs, computer) if any(e.kind in pause_kinds for e in evs) else ()
        for ev in evs:
            if ev.kind not in kinds:
                continue
            key = (ev.kind, ev.on, route, ev.party, ev.data_key)
            hit = plans.get(key)
            if hit is None:
                hit = plans[key] = _plan_rows(computer, ev, route, conv)
            planned, errors, texts = hit
            # every text a row of this chunk needs and the store may not have yet travels
            # with the chunk (plans are shared across chunks; chunks may be written in
            # any order)
            for text in texts:
                if text[0] not in known_texts:
                    known_texts.add(text[0])
                    plan.texts.append(text)
            if errors:
                where_ = f"case {case[3]} event {ev.id} ({ev.kind} {ev.on}): "
                report.errors.extend(where_ + e for e in errors)
            ev_id, ev_on = ev.id, ev.on
            if pauses:
                planned = _paused_rows(computer, planned, pauses, conv, plan, known_texts,
                                       stamp)  # fmt: skip
            for c, fp, stored, close_kinds, _text, *held in planned:
                status = held[0] if held else open_status
                for e in closers:  # the first later event that closes this rule
                    if e.on >= ev_on and e.kind in close_kinds and e.id != ev_id:
                        status = statuses.get(e.id)
                        if status is None:
                            status = statuses[e.id] = ("completed", AUTO_ACTOR, stamp,
                                                       _closing_note(e))  # fmt: skip
                        break
                row_key = (ev_id, c.rule_id)
                old = existing.get(row_key) if kept_keys is not None else None
                if old is None:
                    if status is open_status:
                        inserts.append((case_id, c.rule_id, ev_id, *stored, stamp))
                    elif status[0] == "paused":
                        plan.paused_inserts.append(
                            (case_id, c.rule_id, ev_id, *stored, stamp, stamp, status[3])
                        )
                    else:
                        done_inserts.append(
                            (case_id, c.rule_id, ev_id, *stored, stamp, stamp, status[3])
                        )
                    continue
                kept_keys.discard(row_key)
                # status: automatic rows follow the closing events; a person's choice stays
                auto = old[4] == "open" or old[5] == AUTO_ACTOR
                same_status = not auto or (old[4] == status[0] and old[6] == status[3])
                if old[3] == fp and same_status:
                    unchanged += 1
                    continue
                if not auto or same_status:
                    status = (old[4], old[5], old[10], old[6])
                old_due = conv.parse_date(old[7])
                overridden = old[8] is not None
                moved_flag = bool(old[9]) or (overridden and old_due != c.due)
                updates.append((*stored, *status, moved_flag, stamp, old[0]))
                if old_due != c.due:
                    report.moved.append(
                        DueChange(old[0], case_id, c.rule_id, old_due, c.due, status[0],
                                  overridden)
                    )  # fmt: skip
                    if overridden:
                        notices.append(_override_notice(case, old, old_due, c, conv, now))
    report.unchanged = unchanged
    if kept_keys:
        event_ids = {e.id for evs in events.values() for e in evs}
        for key in kept_keys:
            old = existing[key]
            human_done = old[4] != "open" and old[5] != AUTO_ACTOR
            if human_done and old[1] in event_ids:
                continue  # completed or waived by a person: kept as history
            plan.deletes.append(old[0])
    report.inserted = len(inserts) + len(done_inserts) + len(plan.paused_inserts)
    report.updated, report.deleted = len(updates), len(plan.deletes)
    return plan


def _paused_rows(
    computer, planned, pauses, conv, plan: ChunkPlan, known_texts: set[str], stamp
) -> tuple:
    """`planned` rows with the case's settlement windows applied: a paused row carries a
    sixth item, its status ("paused", actor, stamp, note); a resumed one its new date."""
    out = []
    for row in planned:
        c, held = apply_pauses(computer, row[0], pauses)
        if c is row[0]:
            out.append(row)
            continue
        new = _row(computer, c, conv)
        text = new[4]
        if text[0] not in known_texts:
            known_texts.add(text[0])
            plan.texts.append(text)
        if held is not None:
            note = f"event {held.event_id}: settlement_agreed {held.agreed.isoformat()}"
            new = (*new, ("paused", AUTO_ACTOR, stamp, note))
        out.append(new)
    return tuple(out)


def apply_plan(conn, plan: ChunkPlan, *, now: datetime) -> None:
    """Write one chunk's changes (in the caller's transaction)."""
    if plan.deletes:
        conn.execute(
            update(NOTICE).where(NOTICE.c.deadline_id.in_(plan.deletes)).values(deadline_id=None)
        )
        conn.execute(delete(DL).where(DL.c.id.in_(plan.deletes)))
    insert_open, insert_done, update_sql, text_sql = statements(conn.dialect.paramstyle,
                                                                AUTO_ACTOR)  # fmt: skip
    if plan.texts:
        conn.exec_driver_sql(text_sql, plan.texts)
    if conn.dialect.driver == "psycopg":  # PostgreSQL through psycopg 3: COPY
        groups = (("open", plan.inserts), ("completed", plan.done_inserts),
                  ("paused", plan.paused_inserts))  # fmt: skip
        copy_deadlines(conn, [g for g in groups if g[1]], AUTO_ACTOR)
    else:
        if plan.inserts:
            conn.exec_driver_sql(insert_open, plan.inserts)
        if plan.done_inserts:
            conn.exec_driver_sql(insert_done, plan.done_inserts)
        if plan.paused_inserts:
            paused = insert_done.replace("'completed'", "'paused'")
            conn.exec_driver_sql(paused, plan.paused_inserts)
    if plan.updates:
        conn.exec_driver_sql(update_sql, plan.updates)
    if plan.notices:
        conn.execute(NOTICE.insert(), plan.notices)
    if plan.digests:
        where, params = where_ids(sorted(plan.digests), placeholder(conn))
        store_digests(conn, plan.digests, where, params, now)


def data_keys(computer: DeadlineComputer) -> tuple[str, ...]:
    """Every event-data key a rule of the pack reads, sorted."""
    hit = computer.memo.get("data_keys")
    if hit is None:
        rules = computer.rules
        found = {k for kind in rules.trigger_kinds() for k in rules.data_keys(kind)}
        hit = computer.memo["data_keys"] = tuple(sorted(found))
    return hit


def _closing_note(closer: _Event) -> str:
    return f"event {closer.id}: {closer.kind} {closer.on.isoformat()}"


def _override_notice(
    case, old, old_due: date, c: ComputedDeadline, conv: DriverValues, now
) -> dict:
    """`case` is (id, route, owner_id, ref); `old` a row of `EXISTING_SQL`."""
    override = conv.parse_date(old[8])
    ref = case[3]
    return {
        "deadline_id": old[0],
        "case_id": case[0],
        "owner_id": case[2],
        "kind": NoticeKind.moved_under_override,
        "rule_id": c.rule_id,
        "old_due": old_due,
        "new_due": c.due,
        "message_zh": (
            f"{ref} {c.name_zh}：计算日期由 {old_due} 变为 {c.due}；"
            f"人工调整的日期 {override} 保持不变，请复核。"
        ),
        "message_en": (
            f"{ref} {c.name_en}: the computed date moved from {old_due} to {c.due}; "
            f"the manual date {override} is kept, please review."
        ),
        "created_at": now,
        "seen_at": None,
    }


@gc_paused()
def recompute_cases(
    session: Session,
    *,
    now: datetime,
    case_ids: Iterable[int] | None = None,
    calendar: WorkCalendar | None = None,
    rules: RuleBook | None = None,
    progress: Progress = None,
    chunk_size: int = 2000,
    force: bool = False,
    planner: Planner | None = None,
) -> RecomputeReport:
    """Recompute the deadlines of `case_ids` (all cases when None). Does NOT commit:
    the calling service commits once with its own audit entry.

    A case whose digest (events, route, rules, calendar, engine code) is unchanged since
    its last recompute is skipped unless `force`. `planner` turns the list of chunks into
    their plans (default: `plan_chunk` here, one after the other); it lets another process
    plan some chunks while this one writes.
    """
    now = utcnow_from(now)
    computer = DeadlineComputer(calendar or load_calendar(session), rules or default_rules())
    conn = session.connection()
    ids = None if case_ids is None else list(case_ids)
    # A few cases offer each of their texts (ON CONFLICT skips the stored ones) rather
    # than reading every stored text key first. The chunks planned here are written in
    # order, so a text one of them brings is known to the next.
    small = ids is not None and len(ids) < chunk_size
    known_texts = set() if small else {r[0] for r in fetch(conn, TEXTS_SQL, ())}
    total = (
        len(set(ids))
        if ids is not None
        else conn.execute(select(func.count()).select_from(CASE)).scalar_one()
    )
    chunks = list(_chunks(session, ids, chunk_size))
    report = RecomputeReport()

    def local(chunk: list[int]) -> ChunkPlan:
        # unchanged cases are skipped inside (their digests are read with their events)
        return plan_chunk(conn, computer, chunk, now=now, force=force, known_texts=known_texts)

    plans = planner(chunks, local) if planner else (local(chunk) for chunk in chunks)
    for plan in plans:
        apply_plan(conn, plan, now=now)
        report.merge(plan.report)
        if progress:
            progress(report.cases, total)
    if ids is None and (report.updated or report.deleted):
        # texts no deadline uses any more (after a full pass, every row is current)
        conn.exec_driver_sql(PRUNE_TEXTS_SQL)
    _expire_loaded(session)
    return report


def _expire_loaded(session: Session) -> None:
    """Deadline objects already in the session are stale after core writes."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Deadline | DeadlineNotice | DeadlineText):
            session.expire(obj)


def delete_for_event(session: Session, event_id: int) -> int:
    """Remove every deadline an event triggered (before the event itself is deleted)."""
    conn = session.connection()
    ids = conn.execute(select(DL.c.id).where(DL.c.trigger_event_id == event_id)).scalars().all()
    if ids:
        conn.execute(update(NOTICE).where(NOTICE.c.deadline_id.in_(ids)).values(deadline_id=None))
        conn.execute(delete(DL).where(DL.c.id.in_(ids)))
    _expire_loaded(session)
    return len(ids)


def recompute_for_calendar(
    session: Session, *, calendar: WorkCalendar, year: int, now: datetime
) -> tuple[int, list[MovedDeadline]]:
    """After a holiday notice for `year`: recompute every case with a provisional
    deadline or a date in that year, record a notice for each open deadline that
    moved, and return them. Does not commit."""
    now = utcnow_from(now)
    first, last = date(year, 1, 1), date(year, 12, 31)
    case_ids = (
        session.connection()
        .execute(
            select(DL.c.case_id)
            .where(
                or_(
                    DL.c.provisional.is_(True),
                    DL.c.raw_due.between(first, last),
                    DL.c.due.between(first, last),
                )
            )
            .distinct()
        )
        .scalars()
        .all()
    )
    if not case_ids:
        return 0, []
    report = recompute_cases(session, now=now, case_ids=case_ids, calendar=calendar)
    moved_open = [m for m in report.moved if m.status == DeadlineStatus.open]
    if not moved_open:
        return len(case_ids), []
    conn = session.connection()
    info = {
        r.id: r
        for r in conn.execute(
            select(CASE.c.id, CASE.c.ref, CASE.c.owner_id).where(
                CASE.c.id.in_({m.case_id for m in moved_open})
            )
        )
    }
    rules = default_rules()
    moved, notices = [], []
    for m in moved_open:
        case = info[m.case_id]
        name_zh = rules.latest(m.rule_id).name_zh if m.rule_id in rules.versions else m.rule_id
        name_en = rules.latest(m.rule_id).name_en if m.rule_id in rules.versions else m.rule_id
        moved.append(
            MovedDeadline(m.deadline_id, m.case_id, case.ref, case.owner_id, m.rule_id,
                          m.old_due, m.new_due)
        )  # fmt: skip
        notices.append({
            "deadline_id": m.deadline_id, "case_id": m.case_id, "owner_id": case.owner_id,
            "kind": NoticeKind.calendar_moved, "rule_id": m.rule_id,
            "old_due": m.old_due, "new_due": m.new_due,
            "message_zh": f"{case.ref} {name_zh}：载入{year}年节假日安排后，期限由 {m.old_due} 调整为 {m.new_due}。",
            "message_en": f"{case.ref} {name_en}: with the {year} holiday notice loaded the deadline moved from {m.old_due} to {m.new_due}.",
            "created_at": now, "seen_at": None,
        })  # fmt: skip
    conn.execute(NOTICE.insert(), notices)
    return len(case_ids), moved
