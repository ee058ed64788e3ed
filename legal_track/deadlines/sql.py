"""Plain driver SQL for the bulk deadline recompute: statements, values in the form the
driver stores them, and the digests that let a recompute skip unchanged cases.

SQLAlchemy's per-row parameter and result processing costs more than the whole
computation at portfolio scale, so the hot queries go straight to the DBAPI cursor
(inside the session's transaction). SQLite gets ISO text for dates and SQLAlchemy's
text form for timestamps; PostgreSQL gets native values.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path

from legal_track.deadlines.engine import DeadlineComputer

# The code and texts every stored deadline depends on: a change recomputes every case.
ENGINE_FILES = tuple(
    Path(__file__).parents[1] / name
    for name in ("deadlines/engine.py", "deadlines/store.py", "deadlines/sql.py",
                 "deadlines/rules.py", "calendar/workdays.py", "cases/kinds.py",
                 "deadlines/periods.py", "models/deadline.py",
                 "locale/deadlines.toml")
)  # fmt: skip
CASES_SQL = 'SELECT id, route, owner_id, ref FROM "case" WHERE id {where}'
DIGESTS_SQL = "SELECT case_id, signature FROM deadlinecase WHERE case_id {where}"
EVENTS_SQL = (
    'SELECT id, case_id, kind, "on", party, {data} FROM caseevent{join} '
    'WHERE case_id {{where}} ORDER BY case_id, "on", id'
)
# PostgreSQL: the `json` column parsed once per row, not once per key read from it.
# OFFSET 0 keeps the planner from pulling the lateral subquery up, which would put the
# cast back into every `-> key` (three times the server's CPU for this query).
_PG_DATA = " CROSS JOIN LATERAL (SELECT data::jsonb AS d OFFSET 0) AS parsed"
EXISTING_SQL = (
    "SELECT id, trigger_event_id, rule_id, fingerprint, status, done_by, done_note, due, "
    "override_due, moved_under_override, done_at FROM deadline WHERE case_id {where}"
)
# "text_id" is given as the text's key and looked up (unique index) inside the statement
COMPUTED = ("rule_version", "trigger_date", "party", "raw_due", "due", "provisional",
             "severity", "text_id", "fingerprint")  # fmt: skip
STATUS = ("status", "done_by", "done_at", "done_note")
# New rows come as open ones and automatically completed ones, each with one statement in
# which the columns that are the same for every row are SQL literals: fewer parameters to
# bind per row (the first computation of a portfolio inserts ~500,000 rows).
INSERT_OPEN = ("case_id", "rule_id", "trigger_event_id", *COMPUTED, "computed_at")
INSERT_DONE = (*INSERT_OPEN, "done_at", "done_note")
UPDATE_COLUMNS = (*COMPUTED, *STATUS, "moved_under_override", "computed_at")
TEXTS_SQL = "SELECT key FROM deadlinetext"
# EXCEPT, not NOT IN or NOT EXISTS: PostgreSQL cannot hash a NOT IN over the ~500,000
# text ids of the portfolio in work_mem and rescans them for every text (7 s), and SQLite
# has no index on deadline.text_id for a NOT EXISTS (13 s); EXCEPT is one pass on both.
PRUNE_TEXTS_SQL = (
    "DELETE FROM deadlinetext WHERE id IN (SELECT id FROM deadlinetext EXCEPT "
    "SELECT text_id FROM deadline WHERE text_id IS NOT NULL)"
)


def events_sql(dialect: str, keys: tuple[str, ...]) -> str:
    """EVENTS_SQL with the event data reduced, inside the database, to the values of
    `keys` (the keys any rule reads) as a JSON array: the rest of the data (tracking
    numbers, amounts, notes) moves no deadline, and the few distinct arrays are parsed
    once each. `{where}` is left to fill."""
    for key in keys:
        if not key.replace("_", "").isalnum():
            raise ValueError(f"rules: event data key {key!r} is not a plain word")
    if not keys:
        return EVENTS_SQL.format(data="NULL", join="")
    if dialect == "sqlite":
        # two paths or more make json_extract return a JSON array (one would be a scalar)
        paths = [f"'$.{k}'" for k in keys] + (["'$.__none__'"] if len(keys) == 1 else [])
        return EVENTS_SQL.format(data=f"json_extract(data, {', '.join(paths)})", join="")
    if dialect == "postgresql":
        values = ", ".join(f"parsed.d -> '{k}'" for k in keys)
        return EVENTS_SQL.format(data=f"jsonb_build_array({values})::text", join=_PG_DATA)
    # other databases: the whole data, projected in Python
    return EVENTS_SQL.format(data="data", join="")


def project_data(raw, keys: tuple[str, ...]) -> tuple[dict, object]:
    """Event data as the rules see it, and a hashable key for it, from what `events_sql`
    selected: a JSON array of the values of `keys` (or, elsewhere, the whole data)."""
    if raw is None:
        return {}, ""
    value = json.loads(raw) if isinstance(raw, str) else raw
    if isinstance(value, list):
        data = {k: v for k, v in zip(keys, value, strict=False) if v is not None}
    else:
        data = {k: value[k] for k in keys if value.get(k) is not None}
    return data, json.dumps(data, sort_keys=True)


def statements(paramstyle: str, auto_actor: str) -> tuple[str, str, str, str]:
    """INSERT of open and of automatically completed (by `auto_actor`) deadlines, UPDATE of
    deadlines and INSERT of texts, for executemany with positional parameters in the
    driver's style (no SQLAlchemy parameter processing per row: the values are prepared
    already)."""
    mark = "?" if paramstyle == "qmark" else "%s"
    if not auto_actor.isalnum():
        raise ValueError(f"not a plain actor name: {auto_actor!r}")

    def value(column: str) -> str:
        return f"(SELECT id FROM deadlinetext WHERE key = {mark})" if column == "text_id" else mark

    def insert(columns: tuple[str, ...], literals: dict[str, str]) -> str:
        names = [*columns, *literals]
        values = [*(value(c) for c in columns), *literals.values()]
        return f"INSERT INTO deadline ({', '.join(names)}) VALUES ({', '.join(values)})"

    insert_open = insert(INSERT_OPEN, {"status": "'open'", "moved_under_override": "false"})
    insert_done = insert(INSERT_DONE, {"status": "'completed'", "done_by": f"'{auto_actor}'",
                                       "moved_under_override": "false"})  # fmt: skip
    update_sql = (
        f"UPDATE deadline SET {', '.join(f'{c} = {value(c)}' for c in UPDATE_COLUMNS)} "
        f"WHERE id = {mark}"
    )
    # ON CONFLICT: chunks planned in another process may carry a text stored meanwhile
    text_sql = (
        "INSERT INTO deadlinetext (key, basis, explanation_zh, explanation_en) "
        f"VALUES ({mark}, {mark}, {mark}, {mark}) ON CONFLICT (key) DO NOTHING"
    )
    return insert_open, insert_done, update_sql, text_sql


# PostgreSQL: new deadlines go in with COPY, which costs the server about a third less per
# row than INSERT (the first computation of a portfolio inserts ~460,000 of them); the
# columns are INSERT_DONE's (INSERT_OPEN rows get two NULLs) and those the statements
# above give as literals.
COPY_COLUMNS = (*INSERT_DONE, "status", "done_by", "moved_under_override")


def copy_deadlines(conn, groups: list[tuple[str, list[tuple]]], auto_actor: str) -> None:
    """Insert new deadlines with COPY: `groups` of (status, rows), rows as for the
    statements of `statements` (INSERT_OPEN for "open", else INSERT_DONE, completed or
    paused by `auto_actor`), in order. The text keys become ids the way the statements'
    subquery turns them (an unknown key gives NULL), with one lookup per distinct key."""
    if not groups:
        return
    at = INSERT_OPEN.index("text_id")
    keys = sorted({r[at] for _status, rows in groups for r in rows})
    cursor = conn.connection.cursor()
    try:
        cursor.execute("SELECT key, id FROM deadlinetext WHERE key = ANY(%s)", (keys,))
        ids = dict(cursor.fetchall())
        with cursor.copy(f"COPY deadline ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy:
            for status, rows in groups:
                tail = (status, None if status == "open" else auto_actor, False)
                pad = (None, None) if status == "open" else ()
                for r in rows:
                    copy.write_row((*r[:at], ids.get(r[at]), *r[at + 1 :], *pad, *tail))
    finally:
        cursor.close()


class DriverValues:
    """Python values in the form the connection's driver stores them (no type processing)."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.sqlite = dialect == "sqlite"
        self.dates: dict = {}  # raw date text -> date

    def date(self, value: date | None):
        if value is None or not self.sqlite:
            return value
        return value.isoformat()

    def stamp(self, value: datetime | None):
        if value is None or not self.sqlite:
            return value
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's format

    def plain(self, value):
        return value.value if isinstance(value, Enum) else value

    def parse_date(self, raw) -> date | None:
        if raw is None or isinstance(raw, date):
            return raw
        hit = self.dates.get(raw)
        if hit is None:
            hit = self.dates[raw] = date.fromisoformat(raw[:10])
        return hit


def where_ids(ids: list[int], mark: str) -> tuple[str, tuple]:
    """`BETWEEN` for a run of consecutive ids, else `IN (...)`."""
    if ids[-1] - ids[0] + 1 == len(ids):
        return f"BETWEEN {mark} AND {mark}", (ids[0], ids[-1])
    return f"IN ({', '.join(mark for _ in ids)})", tuple(ids)


def context_digest(computer: DeadlineComputer) -> str:
    """Digest of everything besides a case's own events that its deadlines depend on:
    the rule pack, the calendar, the catalog texts and the engine's code."""
    hit = computer.memo.get("context")
    if hit is None:
        h = hashlib.blake2b(digest_size=16)
        h.update(computer.rules.digest.encode())
        cal = computer.calendar
        h.update(repr(sorted(cal.exceptions().items())).encode())
        h.update(repr(sorted(cal.known_years)).encode())
        for path in ENGINE_FILES:
            h.update(path.read_bytes())
        hit = computer.memo["context"] = h.hexdigest()
    return hit


def case_digest(context: str, route: str | None, rows) -> str:
    """Digest of one case: the context, its route and its relevant event rows."""
    parts = [context, route or ""]
    for r in rows:
        data = r[5] if r[5].__class__ is str else json.dumps(r[5], sort_keys=True)
        parts.append(f"{r[0]}\x1f{r[2]}\x1f{r[3]}\x1f{r[4]}\x1f{data}")
    return hashlib.blake2b("\x1e".join(parts).encode(), digest_size=16).hexdigest()


def store_digests(conn, digests: dict[int, str], where: str, params: tuple, now) -> None:
    conn.exec_driver_sql(f"DELETE FROM deadlinecase WHERE case_id {where}", params)
    mark = placeholder(conn)
    stamp = DriverValues(conn.dialect.name).stamp(now)
    conn.exec_driver_sql(
        f"INSERT INTO deadlinecase (case_id, signature, computed_at) VALUES ({mark}, {mark}, {mark})",
        [(cid, d, stamp) for cid, d in digests.items()],
    )


def fetch(conn, sql: str, params: tuple) -> list[tuple]:
    """Rows as plain tuples straight from the driver, inside the session's transaction."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, params)
        return cursor.fetchall()
    finally:
        cursor.close()


def placeholder(conn) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def fingerprint(values: tuple) -> str:
    text_ = "\x1f".join("" if v is None else str(v) for v in values)
    return hashlib.blake2b(text_.encode(), digest_size=16).hexdigest()
