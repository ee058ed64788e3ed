"""PostgreSQL for the benchmarks that also run there (`--pg URL`): a schema of the
benchmark's own, migrated like a real database, the SQLite portfolio copied into it, and
dropped afterwards, so that a run never touches the tables of the database it is given.

    target = fresh_schema(url, "bench_x")     # URL whose search_path is the new schema
    copy_to_pg(Path("portfolio.db"), target)  # every table, in foreign-key order
    ...
    drop_schema(url, "bench_x")
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from pathlib import Path

SKIPPED = {"alembic_version"}  # written by the migration itself


def schema_url(url: str, schema: str) -> str:
    """`url` with every connection's search_path set to `schema` (libpq `options`)."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", schema):
        raise ValueError(f"schema name {schema!r}: lower-case letters, digits and _ only")
    return url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"


def fresh_schema(url: str, schema: str) -> str:
    """Drop and create `schema`, migrate it to the newest revision; its URL."""
    from sqlalchemy import create_engine, text

    from legal_track.db import make_engine, migrate

    target_url = schema_url(url, schema)
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    target = make_engine(target_url)
    migrate(target)
    target.dispose()
    return target_url


def drop_schema(url: str, schema: str) -> None:
    from sqlalchemy import create_engine, text

    schema_url(url, schema)  # validates the name
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


def copy_to_pg(db: Path, target_url: str, *, log=print) -> dict[str, int]:
    """Every table of the SQLite file `db` into the migrated schema of `target_url`
    (from `fresh_schema`), parents before children, with COPY; rows per table.

    The tables and columns are the target's (the migrations'): every table the two have
    in common except `alembic_version`, every column except generated ones (e.g.
    `case.claim_total_fen`, which PostgreSQL computes itself). A column the SQLite file
    lacks is an error: the file was built by older code and must be rebuilt. Values go
    as SQLite stores them (ISO dates, UTC timestamps, JSON text, 0/1 booleans) and are
    parsed by PostgreSQL; rows the migrations seeded (e.g. the audit chain's head) are
    replaced by the file's; the session runs in UTC and with triggers and foreign-key checks
    off (`session_replication_role = replica`), then sequences are reset and the schema is
    analysed."""
    from sqlalchemy import MetaData, create_engine, text

    from legal_track.db import advance_sequences

    target = create_engine(target_url)
    meta = MetaData()
    meta.reflect(target)
    source = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    have = {r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    extra = sorted(have - set(meta.tables) - SKIPPED - {"sqlite_sequence", "sqlite_stat1"})
    if extra:
        log(f"pg: not in the migrated schema, not copied: {', '.join(extra)}")
    copied: dict[str, int] = {}
    begin = time.perf_counter()
    with target.begin() as conn:
        conn.execute(text("SET TIME ZONE 'UTC'"))
        conn.execute(text("SET session_replication_role = replica"))
        cur = conn.connection.dbapi_connection.cursor()
        for table in meta.sorted_tables:
            if table.name in SKIPPED or table.name not in have:
                continue
            cols = [c.name for c in table.columns if c.computed is None]
            present = {r[1] for r in source.execute(f'PRAGMA table_info("{table.name}")')}
            missing = [c for c in cols if c not in present]
            if missing:
                raise SystemExit(f"{db}: table {table.name} lacks {missing}; rebuild the file")
            quoted = ", ".join(f'"{c}"' for c in cols)
            conn.execute(text(f'DELETE FROM "{table.name}"'))  # rows the migration seeds
            n = 0
            with cur.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
                for row in source.execute(f'SELECT {quoted} FROM "{table.name}"'):
                    copy.write_row(row)
                    n += 1
            copied[table.name] = n
            if n:
                log(f"pg: {table.name}: {n:,} rows")
        advance_sequences(conn)
        conn.execute(text("SET session_replication_role = origin"))
    with target.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for name in copied:  # this schema's tables only, not the whole database
            conn.execute(text(f'ANALYZE "{name}"'))
    source.close()
    target.dispose()
    log(f"pg: copied {sum(copied.values()):,} rows in {time.perf_counter() - begin:.0f} s")
    return copied


def server_cpu(url: str) -> float | None:
    """CPU seconds the PostgreSQL server at `url` has used so far (postmaster, its live
    processes and the exited ones it has reaped), when it runs on this machine and /proc
    can be read; else None. The difference across a measurement is the server's share
    of it, as long as nothing else uses that server meanwhile."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            backend = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        tick = os.sysconf("SC_CLK_TCK")

        def stat(pid: int | str) -> list[str]:
            raw = Path(f"/proc/{pid}/stat").read_text()
            return raw[raw.rindex(")") + 2 :].split()  # fields from the 3rd (state) on

        postmaster = int(stat(backend)[1])  # the backend's parent
        total = sum(int(x) for x in stat(postmaster)[11:15])  # utime stime cutime cstime
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and entry.name != str(postmaster):
                try:
                    fields = stat(entry.name)
                except OSError:
                    continue
                if int(fields[1]) == postmaster:
                    total += int(fields[11]) + int(fields[12])
        return total / tick
    except (OSError, ValueError, IndexError):
        return None
    finally:
        engine.dispose()
