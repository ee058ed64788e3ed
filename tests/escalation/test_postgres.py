"""The queue and the decisions on PostgreSQL, after a demo portfolio (which writes its own
ids: the sequences must have moved past them, or the first new case collides)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlmodel import Session

from legal_track.db import migrate
from legal_track.demo.portfolio import generate
from legal_track.escalation import accept, open_case, propose
from legal_track.models import Case, LoanParty, RepaymentPlan
from tests.components import pg_url

SCHEMA = "escalation_test"
TODAY = date(2026, 12, 3)
NOW = datetime(2026, 12, 3, 2, tzinfo=UTC)


@pytest.fixture
def pg_engine():
    url = pg_url()
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}"))
    engine = create_engine(url, connect_args={"options": f"-csearch_path={SCHEMA}"})
    migrate(engine)
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {SCHEMA} CASCADE"))
    admin.dispose()


@pytest.mark.pg
def test_demo_queue_accept_and_open_by_hand_on_postgresql(pg_engine):
    generate(pg_engine, as_of=TODAY, now=NOW)
    with Session(pg_engine, expire_on_commit=False) as s:
        assert s.execute(select(func.count()).select_from(RepaymentPlan)).scalar() > 0
        assert s.execute(select(func.count()).select_from(LoanParty)).scalar() > 0
        proposals = propose(s, today=TODAY)
        assert len(proposals) > 50, "the demo's collections loans fill the queue"
        assert any(p.broken for p in proposals), "the demo plans are broken"
        first = proposals[0]
        report = accept(s, contracts=[first.contract_no], today=TODAY, now=NOW, actor="t")
        assert report.cases[0].ref == "LT-2026-000061", "after the 60 demo cases"
        other = next(p for p in proposals[1:] if p.route == "litigation")
        opened = open_case(s, contracts=[other.contract_no], route="litigation", today=TODAY,
                           now=NOW, actor="t")  # fmt: skip
        assert opened.ref == "LT-2026-000062"
        assert s.get(Case, opened.case_id).id > 60, "the id sequence moved past the demo's ids"
