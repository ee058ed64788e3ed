from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session, SQLModel

import legal_track.models  # noqa: F401  (registers every table)
from legal_track.db import make_engine, migrate
from tests.components import pg_url

SCHEMA = "audit_test"  # own schema: other areas' tests reset `public`


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A migrated SQLite file (WAL, as the app runs it)."""
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    return url


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema of this area, migrated."""
    url = pg_url()
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}"))
    engine = make_engine(url_in_schema(url))
    migrate(engine)
    engine.dispose()
    yield url_in_schema(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {SCHEMA} CASCADE"))
    admin.dispose()


def url_in_schema(url: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{SCHEMA}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def db_url(request) -> str:
    """Each test runs on a migrated SQLite file and on PostgreSQL (own schema)."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_schema_url")


@pytest.fixture
def db(db_url) -> Iterator[Session]:
    engine = make_engine(db_url)
    with Session(engine, expire_on_commit=False) as s:
        yield s
    engine.dispose()


__all__ = ["SQLModel"]
