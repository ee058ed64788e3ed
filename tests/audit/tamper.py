"""Changing the audit trail behind the application's back: the sqlite3 module on the
SQLite file, plain SQL through psycopg on PostgreSQL."""

from __future__ import annotations

import sqlite3

import psycopg
from sqlalchemy.engine import make_url


def raw_sql(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    """Run one statement outside the application (no ORM, no audit.record); `sql` uses
    `?` placeholders, translated for psycopg."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        conn = sqlite3.connect(parsed.database)
        try:
            rows = conn.execute(sql, params).fetchall()
            conn.commit()
            return rows
        finally:
            conn.close()
    options = parsed.query.get("options", "")
    dsn = parsed.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    with psycopg.connect(dsn, options=options) as conn:
        cur = conn.execute(sql.replace("?", "%s"), params)
        rows = cur.fetchall() if cur.description else []
        conn.commit()
        return rows
