"""Optimistic concurrency on cases, with two sessions on two engines of one database (as two
app instances have), on a SQLite file and on PostgreSQL: a save based on a stale read is
refused with who changed the case and when; nothing is overwritten; a fresh read saves."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from sqlmodel import Session, SQLModel

from legal_track.cases.events import add_event, add_events
from legal_track.cases.versions import CaseChangedError
from legal_track.db import make_engine
from legal_track.escalation import change_case
from legal_track.models import Case, Role
from tests.components import pg_url
from tests.factories import make_case, make_user

NOW = datetime(2026, 12, 3, 6, 2, tzinfo=UTC)  # 14:02 in Shanghai


@pytest.fixture(params=["sqlite", "postgresql"])
def engines(request, tmp_path):
    """Two engines (two instances) on one database with one lead and one case."""
    url = f"sqlite:///{tmp_path / 'lt.db'}" if request.param == "sqlite" else pg_url()
    first = make_engine(url)
    if request.param == "postgresql":
        with first.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    SQLModel.metadata.create_all(first)
    second = make_engine(url)
    with Session(first) as s:
        make_user(s, username="demo_lead", role=Role.lead)
        make_user(s, username="li", role=Role.staff)
        case = make_case(s, ref="LT-2026-000123", stage="lit_filed")
        s.commit()
        case_id = case.id
    yield first, second, case_id
    second.dispose()
    first.dispose()


def read(engine, case_id: int) -> Case:
    with Session(engine, expire_on_commit=False) as s:
        return s.get(Case, case_id)


def test_a_stale_form_is_refused_and_a_fresh_one_saves(engines):
    one, two, case_id = engines
    seen = read(two, case_id)  # the second instance renders its form first
    assert seen.version == 1
    with Session(one) as s:
        change_case(s, case_id=case_id, now=NOW, actor="demo_lead", role=Role.lead,
                    forum="北京市朝阳区人民法院", expected_version=1)  # fmt: skip
    with Session(two) as s, pytest.raises(CaseChangedError) as caught:
        change_case(s, case_id=case_id, now=NOW, actor="li", role=Role.staff,
                    forum=seen.forum, counsel_firm="某律所", expected_version=seen.version)  # fmt: skip
    assert str(caught.value) == (
        "LT-2026-000123 was changed by demo_lead at 14:02 since you opened it; "
        "reload to see the change"
    )
    stored = read(one, case_id)
    kept = (stored.forum, stored.counsel_firm, stored.version)
    assert kept == ("北京市朝阳区人民法院", None, 2), (
        "the first edit stays; the stale one wrote nothing"
    )
    assert (stored.changed_by, stored.changed_at) == ("demo_lead", NOW)
    with Session(two) as s:  # after a reload: the second user's edit goes in on top
        done = change_case(s, case_id=case_id, now=NOW, actor="li", role=Role.staff,
                           counsel_firm="某律所", expected_version=stored.version)  # fmt: skip
    assert done == {"counsel_firm": (None, "某律所")}
    final = read(one, case_id)
    assert (final.forum, final.counsel_firm, final.version) == ("北京市朝阳区人民法院", "某律所", 3)


def test_a_stage_move_chosen_against_a_stale_stage_is_refused(engines):
    one, two, case_id = engines
    with Session(one) as s:
        add_event(s, case_id=case_id, kind="case_accepted", on=date(2026, 12, 1), actor="demo_lead",
                  now=NOW, to_stage="lit_accepted", expected_version=1)  # fmt: skip
    with Session(two) as s, pytest.raises(CaseChangedError, match="changed by demo_lead"):
        add_event(s, case_id=case_id, kind="case_accepted", on=date(2026, 12, 1), actor="li",
                  now=NOW, to_stage="lit_accepted", expected_version=1)  # fmt: skip
    with Session(one) as s:  # an event that moves nothing leaves the version as it is
        add_event(s, case_id=case_id, kind="evidence_notice", on=date(2026, 12, 2),
                  actor="demo_lead", now=NOW, expected_version=2)  # fmt: skip
    with Session(two) as s:  # so a form drawn at version 2 still saves
        add_event(s, case_id=case_id, kind="evidence_notice", on=date(2026, 12, 3), actor="li",
                  now=NOW, expected_version=2)  # fmt: skip
    stored = read(two, case_id)
    assert (stored.stage, stored.version) == ("lit_accepted", 2)


def test_two_writers_that_read_the_same_version_cannot_both_commit(engines):
    """No form, no expected version (the CLI, a batch): the version counter guards the
    read-and-write of each transaction, also when they overlap."""
    one, two, case_id = engines
    a, b = Session(one), Session(two)
    try:
        held = a.get(Case, case_id), b.get(Case, case_id)  # both read, in their transactions
        assert [c.version for c in held] == [1, 1]
        change_case(a, case_id=case_id, now=NOW, actor="demo_lead", role=Role.lead,
                    forum="北京市朝阳区人民法院")  # fmt: skip
        with pytest.raises(CaseChangedError, match="changed by demo_lead"):
            change_case(b, case_id=case_id, now=NOW, actor="li", role=Role.staff,
                        counsel_firm="某律所")  # fmt: skip
    finally:
        a.close()
        b.close()
    stored = read(one, case_id)
    assert (stored.forum, stored.counsel_firm, stored.version) == ("北京市朝阳区人民法院", None, 2)


def test_batches_bump_the_version_of_the_cases_they_move(engines):
    from legal_track.cases.events import NewEvent

    one, _, case_id = engines
    with Session(one) as s:
        add_events(s, events=[NewEvent(case_id, "case_accepted", date(2026, 12, 1), "row 2")],
                   actor="counsel", now=NOW)  # fmt: skip
    stored = read(one, case_id)
    assert (stored.stage, stored.version, stored.changed_by) == ("lit_accepted", 2, "counsel")
