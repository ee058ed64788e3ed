"""Installations for the operations tests: a configuration (database URL, evidence
store, templates, outbox, output) per folder, switched between CLI invocations, and
PostgreSQL databases of this area's own, dropped afterwards."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from legal_track.cli import app
from legal_track.cli.common import reset_engine
from legal_track.config import get_settings
from tests.components import pg_url, require

runner = CliRunner()


@dataclass(frozen=True)
class Installation:
    root: Path
    url: str

    @property
    def store(self) -> Path:
        return self.root / "store"

    @property
    def templates(self) -> Path:
        return self.root / "templates"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(inst: Installation) -> dict[str, str]:
    return {
        "LEGAL_TRACK_DATABASE_URL": inst.url,
        "LEGAL_TRACK_EVIDENCE_DIR": str(inst.store),
        "LEGAL_TRACK_TEMPLATES_DIR": str(inst.templates),
        "LEGAL_TRACK_OUTBOX_DIR": str(inst.root / "outbox"),
        "LEGAL_TRACK_OUTPUT_DIR": str(inst.root / "output"),
        "LEGAL_TRACK_ADMIN_PASSWORD": "admin-password-1",
    }


@pytest.fixture
def use(monkeypatch) -> Iterator[Callable[[Installation], None]]:
    """Make `inst` the configured installation of the next CLI invocations."""
    for key in list(os.environ):
        if key.startswith("LEGAL_TRACK_") and key != "LEGAL_TRACK_TEST_PG_URL":
            monkeypatch.delenv(key)

    def switch(inst: Installation) -> None:
        inst.root.mkdir(parents=True, exist_ok=True)
        monkeypatch.chdir(inst.root)
        for key, value in environment(inst).items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        reset_engine()

    yield switch
    reset_engine()
    get_settings.cache_clear()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def table_counts(url: str) -> dict[str, int]:
    """Rows per table of the configured schema (independent of the code under test)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            names = inspect(conn).get_table_names()
            return {
                n: conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one()
                for n in names
                if n != "alembic_version"
            }
    finally:
        engine.dispose()


def sqlite_pair(tmp_path: Path) -> tuple[Installation, Installation]:
    return (
        Installation(tmp_path / "source", f"sqlite:///{tmp_path / 'source' / 'lt.db'}"),
        Installation(tmp_path / "target", f"sqlite:///{tmp_path / 'target' / 'lt.db'}"),
    )


def require_pg_tools() -> None:
    from legal_track.operations.manifest import BackupError
    from legal_track.operations.pgtools import find_tool

    try:
        find_tool("pg_dump")
        find_tool("pg_restore")
        found = True
    except BackupError:
        found = False
    require(found, "pg_dump / pg_restore", "apt-get install postgresql-client")


@pytest.fixture
def pg_databases(tmp_path) -> Iterator[tuple[Installation, Installation]]:
    """Two PostgreSQL databases of this area (source, target), dropped afterwards."""
    url = make_url(pg_url())
    require_pg_tools()
    names = [f"lt_ops_src_{os.getpid()}", f"lt_ops_dst_{os.getpid()}"]
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    urls = [url.set(database=n).render_as_string(hide_password=False) for n in names]
    yield (
        Installation(tmp_path / "source", urls[0]),
        Installation(tmp_path / "target", urls[1]),
    )
    reset_engine()
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
