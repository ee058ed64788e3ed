"""bench/_pg.py: the benchmarks' PostgreSQL copy of a SQLite portfolio holds every table
and gives the same dashboard figures; the schema is the benchmark's own and goes away."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session

from bench._pg import copy_to_pg, drop_schema, fresh_schema, schema_url
from legal_track.db import make_engine, migrate
from legal_track.demo.portfolio import generate
from legal_track.models import LawFirm
from legal_track.recompute import recompute_everything

TODAY = date(2026, 11, 29)
SCHEMA = "bench_pg_test"


def test_schema_url_sets_the_search_path_and_refuses_odd_names():
    assert schema_url("postgresql+psycopg://u@h/db", "bench_x") == (
        "postgresql+psycopg://u@h/db?options=-csearch_path%3Dbench_x"
    )
    assert schema_url("postgresql+psycopg://u@h/db?sslmode=disable", "b").endswith(
        "?sslmode=disable&options=-csearch_path%3Db"
    )
    with pytest.raises(ValueError):
        schema_url("postgresql+psycopg://u@h/db", 'x"; DROP SCHEMA public; --')


@pytest.mark.pg
def test_copy_holds_every_table_and_gives_the_same_figures(tmp_path, now):
    from bench.analytics import figures
    from tests.components import pg_url

    url = pg_url()
    path = tmp_path / "portfolio.db"
    lite = make_engine(f"sqlite:///{path}")
    migrate(lite)
    generate(lite, cases=40, seed=3, as_of=TODAY, now=now)
    with Session(lite) as s:
        recompute_everything(s, now=now, today=TODAY, parallel=False)
    lite.dispose()
    target = fresh_schema(url, SCHEMA)
    try:
        copied = copy_to_pg(path, target, log=lambda _m: None)
        with sqlite3.connect(path) as conn:
            tables = [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT IN ('alembic_version', 'sqlite_sequence')")]  # fmt: skip
            counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        assert copied == counts, "every table of the file, every row"
        assert copied["casecost"] and copied["deadline"] and copied["stagevisit"]
        results = []
        for engine in (make_engine(f"sqlite:///{path}"), make_engine(target)):
            with Session(engine) as s:
                results.append({name: run() for name, run in figures(s).items()})
            engine.dispose()
        assert results[0] == results[1]
        pg = make_engine(target)
        with Session(pg) as s:  # sequences moved past the copied ids
            s.add(LawFirm(name="新律所", created_at=now))
            s.commit()
            claim = s.execute(text('SELECT count(*) FROM "case" WHERE claim_total_fen > 0'))
            assert claim.scalar_one() > 0, "the generated column is computed by PostgreSQL"
        pg.dispose()
    finally:
        drop_schema(url, SCHEMA)
    admin = create_engine(url)
    with admin.connect() as conn:
        left = conn.execute(text("SELECT count(*) FROM pg_namespace WHERE nspname = :s"),
                            {"s": SCHEMA})  # fmt: skip
        assert left.scalar_one() == 0
    admin.dispose()
