"""Chunked reads and bulk writes with SQLAlchemy core, inside the caller's transaction.

Lookups go in IN queries of at most `IN_CHUNK` keys; inserts and updates are
executemany statements (SQLAlchemy batches inserts with RETURNING on SQLite and
PostgreSQL). Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Column, Table, bindparam, insert, select, tuple_, update
from sqlalchemy.engine import Connection, Row

IN_CHUNK = 1_000
T = TypeVar("T")


def chunked(items: Iterable[T], size: int | None = None) -> Iterator[list[T]]:
    size = size or IN_CHUNK
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def fetch_in(
    conn: Connection, columns: Sequence[Column], key: Column, keys: Iterable[Any]
) -> list[Row]:
    """Rows whose `key` is one of `keys` (one query per IN_CHUNK keys)."""
    found: list[Row] = []
    for batch in chunked(sorted(set(keys))):
        found.extend(conn.execute(select(*columns).where(key.in_(batch))).all())
    return found


def fetch_tuples(
    conn: Connection, columns: Sequence[Column], key: Sequence[Column], keys: Iterable[tuple]
) -> list[Row]:
    """Rows whose composite `key` is one of `keys` (row-value IN, chunked)."""
    found: list[Row] = []
    for batch in chunked(list(dict.fromkeys(keys))):
        found.extend(conn.execute(select(*columns).where(tuple_(*key).in_(batch))).all())
    return found


def insert_returning(
    conn: Connection, table: Table, rows: list[dict[str, Any]], returning: Sequence[Column]
) -> list[Row]:
    if not rows:
        return []
    return conn.execute(insert(table).returning(*returning), rows).all()


def insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(table), rows)


def update_by_id(conn: Connection, table: Table, fields: Sequence[str], rows: list[dict]) -> None:
    """UPDATE table SET fields... WHERE id = row["id"], for every row (executemany)."""
    if not rows:
        return
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values({table.c[f]: bindparam(f"b_{f}", type_=table.c[f].type) for f in fields})
    )
    conn.execute(statement, [{"b_id": r["id"], **{f"b_{f}": r[f] for f in fields}} for r in rows])


def changed_fields(current: Row | dict, wanted: dict[str, Any], fields: Sequence[str]) -> bool:
    get = current.__getitem__ if isinstance(current, dict) else current._mapping.__getitem__
    return any(get(f) != wanted[f] for f in fields)
