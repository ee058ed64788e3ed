"""Engine, sessions, column types and migrations.

Money columns store integer fen and give Decimal yuan; timestamps are stored in
UTC and always come back timezone-aware; rates are stored as exact decimal text.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import BigInteger, DateTime, String, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, create_engine

from legal_track.money import from_fen, to_fen

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class Money(TypeDecorator):
    """Decimal yuan in Python, BIGINT fen in the database."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else to_fen(Decimal(value))

    def process_result_value(self, value, dialect):
        return None if value is None else from_fen(int(value))


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes, stored as UTC. Naive datetimes are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Rate(TypeDecorator):
    """Exact decimal rates (0.18 = 18 % a year) stored as text."""

    impl = String(24)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else str(Decimal(value).normalize())

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(value)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine. SQLite gets foreign keys, WAL and a busy timeout."""
    if url.startswith("sqlite"):
        kwargs: dict = {"connect_args": {"check_same_thread": False, "timeout": 30}}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs["poolclass"] = StaticPool
        else:
            Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA cache_size=-65536")  # KiB: bulk recomputes touch big indexes
            if url not in ("sqlite://", "sqlite:///:memory:"):
                cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that rolls back on error. Services commit themselves."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise


def alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (all branches)."""
    from alembic import command

    command.upgrade(alembic_config(engine), "heads")


def advance_sequences(conn) -> None:
    """PostgreSQL: move every serial/identity sequence of the current schema past the ids
    written explicitly (a demo build, a copy, a bulk load), so that the next insert that
    lets the database choose the id does not collide. Nothing to do on SQLite."""
    from sqlalchemy import text

    if conn.dialect.name != "postgresql":
        return
    rows = conn.execute(text(
        "SELECT c.table_name, c.column_name, pg_get_serial_sequence("
        "quote_ident(c.table_name), c.column_name) FROM information_schema.columns c "
        "WHERE c.table_schema = current_schema() AND (c.is_identity = 'YES' "
        "OR c.column_default LIKE 'nextval(%')"
    )).all()  # fmt: skip
    for table, column, sequence in rows:
        if sequence:
            conn.execute(text(
                f'SELECT setval(:seq, coalesce((SELECT max("{column}") FROM "{table}"), 0) + 1, '
                "false)"
            ), {"seq": sequence})  # fmt: skip


def utcnow_from(now: datetime) -> datetime:
    """Normalise a caller-supplied clock value to aware UTC."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)
