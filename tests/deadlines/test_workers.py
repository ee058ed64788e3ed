"""A recompute planned by worker processes writes exactly what the in-process one does."""

from __future__ import annotations

import shutil

from sqlalchemy import text
from sqlmodel import Session

from bench.deadlines import build
from legal_track.db import make_engine
from legal_track.deadline_workers import parallel_workers
from legal_track.deadlines import recompute_all
from tests.conftest import NOW

COLUMNS = (
    "case_id, rule_id, rule_version, trigger_event_id, trigger_date, party, raw_due, due, "
    "provisional, severity, basis, explanation_zh, explanation_en, fingerprint, status, done_by, "
    "done_note"
)


def _rows(engine):
    with engine.connect() as conn:
        return conn.execute(
            text(f"SELECT {COLUMNS} FROM deadline ORDER BY trigger_event_id, rule_id")
        ).all()


def test_workers_write_the_same_rows_as_one_process(tmp_path):
    serial_db = tmp_path / "serial.db"
    build(serial_db, 300, seed=5)
    parallel_db = tmp_path / "parallel.db"
    shutil.copy(serial_db, parallel_db)
    serial, parallel = (make_engine(f"sqlite:///{p}") for p in (serial_db, parallel_db))
    with Session(serial) as s:
        one = recompute_all(s, now=NOW, workers=1)
    with Session(parallel) as s:
        assert parallel_workers(s, 300, 2) == 2, "a WAL SQLite file can be read by workers"
        two = recompute_all(s, now=NOW, workers=2)
        again = recompute_all(s, now=NOW, workers=2)
    assert one.inserted > 1000 and (two.inserted, two.cases) == (one.inserted, one.cases)
    assert _rows(serial) == _rows(parallel)
    assert again.skipped_cases == 300 and again.inserted == again.updated == 0
    serial.dispose()
    parallel.dispose()


def test_in_memory_database_stays_in_process(session):
    assert parallel_workers(session, 100_000, 4) == 1
