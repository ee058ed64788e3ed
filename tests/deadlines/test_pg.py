"""The deadline store on PostgreSQL: raw driver reads and writes, digests, notices."""

from __future__ import annotations

import os
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from legal_track.calendar.workdays import load_calendar
from legal_track.cases.events import add_event, delete_event, update_event
from legal_track.db import make_engine, migrate
from legal_track.deadlines import override_deadline, recompute_all
from legal_track.deadlines.holidays import load_notice
from legal_track.models import Deadline, DeadlineNotice, DeadlineStatus, DeadlineText, User
from tests.calendar.notices import NOTICE_2027_TOML
from tests.factories import T0, make_case

D = date.fromisoformat


@pytest.fixture
def pg_engine():
    from tests.components import pg_url

    url = make_url(pg_url())
    name = f"lt_deadlines_{os.getpid()}"
    admin = make_engine(url.render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(url.set(database=name).render_as_string(hide_password=False))
    migrate(engine)
    yield engine
    engine.dispose()
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.mark.pg
def test_events_overrides_and_notice_on_postgresql(pg_engine, now):
    with Session(pg_engine, expire_on_commit=False) as s:
        assert load_calendar(s).sources[2026].startswith("builtin")
        owner = User(username="pg1", password_hash="-", created_at=T0)
        s.add(owner)
        s.commit()
        case = make_case(s, owner_id=owner.id, stage="lit_served")
        s.commit()
        ev = add_event(s, case_id=case.id, kind="judgment_served", on=D("2027-01-25"),
                       actor="li", now=now, data={"party_role": "defendant"})  # fmt: skip
        add_event(s, case_id=case.id, kind="case_accepted", on=D("2026-03-02"), actor="li",
                  now=now, data={"procedure": "summary"})  # fmt: skip
        add_event(s, case_id=case.id, kind="complaint_served", on=D("2026-03-06"), actor="li",
                  now=now)  # fmt: skip
        rows = {d.rule_id: d for d in s.exec(select(Deadline)).all()}
        appeal = rows["appeal_judgment"]
        assert (appeal.due, appeal.provisional) == (D("2027-02-09"), True)
        assert rows["complaint_copy_service"].status == DeadlineStatus.completed
        assert rows["complaint_copy_service"].done_by == "system"
        override_deadline(s, deadline_id=appeal.id, due=D("2027-02-10"), reason="法院通知",
                          actor="li", now=now)  # fmt: skip
        result = load_notice(s, raw=NOTICE_2027_TOML.encode(), file_name="2027.toml",
                             actor="admin", now=now)  # fmt: skip
        assert [(m.old_due, m.new_due) for m in result.moved] == [
            (D("2027-02-09"), D("2027-02-15"))
        ]
        s.expire_all()
        appeal = s.get(Deadline, appeal.id)
        assert (appeal.due, appeal.provisional, appeal.moved_under_override) == (
            D("2027-02-15"),
            False,
            True,
        )
        assert appeal.computed_at.tzinfo is not None
        kinds = sorted(n.kind for n in s.exec(select(DeadlineNotice)).all())
        assert kinds == ["calendar_moved", "moved_under_override"]
        update_event(s, event_id=ev.id, actor="li", now=now, on=D("2027-01-26"))
        s.expire_all()
        assert s.get(Deadline, appeal.id).due == D("2027-02-15")
        assert recompute_all(s, now=now).skipped_cases == 1
        forced = recompute_all(s, now=now, force=True)
        assert (forced.updated, forced.inserted) == (0, 0) and forced.unchanged == 4


@pytest.mark.pg
def test_full_recompute_prunes_unused_texts_on_postgresql(pg_engine, now):
    """The prune statement differs from the obvious NOT IN (pathological on PostgreSQL at
    portfolio size): it still removes exactly the texts no deadline uses."""
    with Session(pg_engine, expire_on_commit=False) as s:
        owner = User(username="pg2", password_hash="-", created_at=T0)
        s.add(owner)
        s.commit()
        a = make_case(s, owner_id=owner.id, stage="lit_served")
        b = make_case(s, owner_id=owner.id, stage="lit_served")
        s.commit()
        kept = add_event(s, case_id=a.id, kind="judgment_served", on=D("2026-09-21"),
                         actor="li", now=now)  # fmt: skip
        gone = add_event(s, case_id=b.id, kind="judgment_served", on=D("2026-03-02"),
                         actor="li", now=now)  # fmt: skip
        assert len(s.exec(select(DeadlineText)).all()) == 2
        delete_event(s, event_id=gone.id, actor="li", now=now)
        s.exec(text("UPDATE deadline SET fingerprint = 'stale'"))
        s.commit()
        assert recompute_all(s, now=now, force=True).updated == 1
        left = s.exec(select(DeadlineText)).all()
        assert len(left) == 1 and "2026-09-21" in left[0].explanation_zh, "only the used text"
        assert s.exec(select(Deadline)).one().trigger_event_id == kept.id
