"""The same imports on PostgreSQL (row-value IN, RETURNING batches, aware timestamps)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session, SQLModel, select

from legal_track.intake import IntakeError, import_file
from legal_track.models import Loan
from tests.components import pg_url
from tests.intake.files import (
    LEDGER_EN,
    SCHEDULE_WANTED,
    counts,
    dump,
    kind_file,
    sample_file,
    write_csv,
)

SCHEMA = "intake_test"  # own schema: other areas' tests reset `public`


@pytest.fixture
def pg_session():
    url = pg_url()
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}"))
    engine = create_engine(url, connect_args={"options": f"-csearch_path={SCHEMA}"})
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as s:
        yield s
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {SCHEMA} CASCADE"))
    admin.dispose()


@pytest.mark.pg
def test_import_twice_and_a_failed_import_on_postgresql(pg_session, tmp_path, now, monkeypatch):
    monkeypatch.setattr("legal_track.intake.service.CHUNK_ROWS", 2)
    kinds = ("loans", "ledger", "contacts", "parties", "schedules", "plans")
    first = [
        import_file(pg_session, kind=k, path=sample_file(tmp_path, k, "xlsx"), actor="t", now=now)
        for k in kinds
    ]
    assert [r.created for r in first] == [3, 5, 4, 5, 2, 4]
    before = dump(pg_session)
    again = [
        import_file(pg_session, kind=k, path=sample_file(tmp_path, k, "gbk"), actor="t", now=now)
        for k in kinds
    ]
    assert [(r.created, r.updated, r.unchanged) for r in again] == [
        (0, 0, 3),
        (0, 0, 5),
        (0, 0, 4),
        (0, 0, 5),
        (0, 0, 2),
        (0, 0, 4),
    ]
    assert dump(pg_session) == before
    assert dict(pg_session.exec(select(Loan.contract_no, Loan.schedule)).all()) == SCHEDULE_WANTED
    numbers = counts(pg_session)
    bad = write_csv(tmp_path / "bad.csv", LEDGER_EN, [["HT-2025-001", "2025-01-05", "还款", "1", "N"],
                                                      ["HT-X", "2025-01-05", "还款", "1", "M"]])  # fmt: skip
    with pytest.raises(IntakeError):
        import_file(pg_session, kind="ledger", path=bad, actor="t", now=now)
    assert counts(pg_session) == numbers
    gap = kind_file(tmp_path, "schedules", [["HT-2025-002", "2", "2025-04-05", "1", ""]])
    with pytest.raises(IntakeError, match="instalment 1 of this contract is missing"):
        import_file(pg_session, kind="schedules", path=gap, actor="t", now=now)
    assert dump(pg_session) == before
