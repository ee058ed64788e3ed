"""Consistent copies of the database, and putting one back.

SQLite: the sqlite3 online-backup API copies the database page by page under its own
read lock (WAL included), so the copy is a single consistent file while the app runs.
Restoring uses the same API in the other direction: it writes through the target's own
pager and journal, which replacing the file by a rename would not (a stale `-wal` file
beside it would be replayed onto the new file).

PostgreSQL: the row counts and `pg_dump --format=custom --schema=<current schema>` read
one exported snapshot (`pg_export_snapshot` in a REPEATABLE READ transaction held open
while pg_dump runs), so the manifest's counts are exactly the dump's. `pg_restore
--clean --if-exists --single-transaction` replaces the schema's objects atomically; the
dump's own `CREATE SCHEMA` entry is left out (dropping a schema that holds anything else
would fail the whole restore), the schema is created when missing.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from legal_track.operations.manifest import BackupError
from legal_track.operations.pgtools import conninfo, find_tool, run_tool

DUMP_NAMES = {"sqlite": "legal_track.sqlite3", "postgresql": "legal_track.pgdump"}
# tables whose rows make an installation "not empty" (a fresh `legal-track init` has none)
DATA_TABLES = ("loan", "borrower", "case", "evidenceitem")
VERSION_TABLE = "alembic_version"
_SCHEMA_ENTRY = re.compile(r"^\s*\d+;\s+\d+\s+\d+\s+(SCHEMA|COMMENT - SCHEMA)\s")


@dataclass(frozen=True, slots=True)
class Snapshot:
    kind: str
    schema: str | None
    path: Path
    revision: list[str]
    row_counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class TargetState:
    kind: str
    schema: str | None
    tables: frozenset[str]
    data_rows: dict[str, int]  # DATA_TABLES that hold rows


def database_kind(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in DUMP_NAMES:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {name}")
    return name


def sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ---------------------------------------------------------------- facts


def _sqlite_facts(conn: sqlite3.Connection) -> tuple[list[str], dict[str, int]]:
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )]  # fmt: skip
    counts = {
        t: conn.execute(f"SELECT count(*) FROM {quote_ident(t)}").fetchone()[0]
        for t in tables
        if t != VERSION_TABLE
    }
    revision = []
    if VERSION_TABLE in tables:
        revision = sorted(r[0] for r in conn.execute(f"SELECT version_num FROM {VERSION_TABLE}"))
    return revision, counts


def _pg_tables(conn: Connection, schema: str) -> list[str]:
    return list(conn.execute(text(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = :s "
        "AND table_type = 'BASE TABLE' ORDER BY table_name"
    ), {"s": schema}).scalars())  # fmt: skip


def _pg_facts(conn: Connection, schema: str) -> tuple[list[str], dict[str, int]]:
    tables = _pg_tables(conn, schema)
    q = quote_ident(schema)
    counts = {
        t: int(conn.execute(text(f"SELECT count(*) FROM {q}.{quote_ident(t)}")).scalar_one())
        for t in tables
        if t != VERSION_TABLE
    }
    revision = []
    if VERSION_TABLE in tables:
        rows = conn.execute(text(f"SELECT version_num FROM {q}.{VERSION_TABLE}")).scalars()
        revision = sorted(rows)
    return revision, counts


def row_counts(engine: Engine) -> tuple[list[str], dict[str, int]]:
    """The database's alembic revision(s) and the rows of each of its tables."""
    if database_kind(engine) == "sqlite":
        conn = sqlite3.connect(sqlite_path(engine), timeout=30)
        try:
            return _sqlite_facts(conn)
        finally:
            conn.close()
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        return _pg_facts(conn, schema)


def target_state(engine: Engine) -> TargetState:
    """What the database to restore into holds (without creating a SQLite file)."""
    kind = database_kind(engine)
    if kind == "sqlite" and not sqlite_path(engine).exists():
        return TargetState(kind, None, frozenset(), {})
    with engine.connect() as conn:
        schema = None
        if kind == "postgresql":
            schema = conn.execute(text("SELECT current_schema()")).scalar()
            if schema is None:  # the search_path names a schema not created yet
                path = conn.execute(text("SHOW search_path")).scalar() or ""
                names = [p.strip().strip('"') for p in path.split(",")]
                schema = next((n for n in names if n and n != "$user"), None)
                if schema is None:
                    raise BackupError("the target database has no schema on its search_path")
                return TargetState(kind, schema, frozenset(), {})
        tables = frozenset(inspect(conn).get_table_names())
        data = {}
        for table in DATA_TABLES:
            if table in tables:
                n = conn.execute(text(f"SELECT count(*) FROM {quote_ident(table)}")).scalar_one()
                if n:
                    data[table] = int(n)
    return TargetState(kind, schema, tables, data)


# ---------------------------------------------------------------- copy out


def snapshot(engine: Engine, *, dest_dir: Path) -> Snapshot:
    """A consistent copy of the database into `dest_dir`, with its revision and counts."""
    kind = database_kind(engine)
    dest = dest_dir / DUMP_NAMES[kind]
    if kind == "sqlite":
        return _sqlite_snapshot(engine, dest)
    return _pg_snapshot(engine, dest)


def _sqlite_snapshot(engine: Engine, dest: Path) -> Snapshot:
    source = sqlite_path(engine)
    if not source.is_file():
        raise BackupError(f"database file {source} does not exist (run `legal-track init`)")
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(dest)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        revision, counts = _sqlite_facts(dst)
    finally:
        dst.close()
        src.close()
    return Snapshot("sqlite", None, dest, revision, counts)


def _pg_snapshot(engine: Engine, dest: Path) -> Snapshot:
    tool = find_tool("pg_dump")
    info, env = conninfo(engine.url)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            conn.execute(text("SET TRANSACTION READ ONLY"))
            snap = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            schema = conn.execute(text("SELECT current_schema()")).scalar()
            if schema is None:
                raise BackupError("the database has no schema on its search_path")
            revision, counts = _pg_facts(conn, schema)
            run_tool(
                [tool, "--format=custom", f"--schema={quote_ident(schema)}",
                 f"--snapshot={snap}", f"--file={dest}", f"--dbname={info}"],
                env=env, what="pg_dump",
            )  # fmt: skip
    return Snapshot("postgresql", schema, dest, revision, counts)


# ---------------------------------------------------------------- put back


def load(engine: Engine, *, kind: str, staged: Path, schema: str | None,
         backup_tables: set[str]) -> list[str]:  # fmt: skip
    """Replace the database's content by the staged copy. Returns the tables that were in
    the target but not in the backup and have been dropped (PostgreSQL with --force)."""
    if kind == "sqlite":
        _sqlite_load(engine, staged)
        return []
    return _pg_load(engine, staged, schema or "public", backup_tables)


def _sqlite_load(engine: Engine, staged: Path) -> None:
    target = sqlite_path(engine)
    target.parent.mkdir(parents=True, exist_ok=True)
    engine.dispose()  # no pooled connection of ours holds the old content
    src = sqlite3.connect(staged)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    engine.dispose()


def _pg_load(engine: Engine, staged: Path, schema: str, backup_tables: set[str]) -> list[str]:
    tool = find_tool("pg_restore")
    info, env = conninfo(engine.url)
    toc = run_tool([tool, "--list", str(staged)], env=env, what="pg_restore --list")
    entries = [line for line in toc.splitlines() if not _SCHEMA_ENTRY.match(line)]
    use_list = staged.with_name(staged.name + ".list")
    use_list.write_text("\n".join(entries) + "\n", encoding="utf-8")
    q = quote_ident(schema)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {q}"))
        extra = sorted(set(_pg_tables(conn, schema)) - backup_tables - {VERSION_TABLE})
        for table in extra:  # not in the backup: would survive --clean and break migrations
            conn.execute(text(f"DROP TABLE IF EXISTS {q}.{quote_ident(table)} CASCADE"))
    engine.dispose()
    run_tool(
        [tool, "--clean", "--if-exists", "--no-owner", "--no-privileges",
         "--single-transaction", f"--use-list={use_list}", f"--dbname={info}", str(staged)],
        env=env, what="pg_restore",
    )  # fmt: skip
    engine.dispose()
    return extra
