"""Deadline texts are stored once and shared; unused ones are pruned; an event's data
matters to its plan only through the keys its rules read; the dl02 migration moves
existing texts out of the deadline table and back."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, text
from sqlmodel import select

from legal_track.cases.events import add_event, delete_event
from legal_track.db import alembic_config, make_engine
from legal_track.deadlines import recompute_all
from legal_track.deadlines.rules import default_rules
from legal_track.models import Deadline, DeadlineText, text_key
from tests.factories import make_case

D = date.fromisoformat


def _texts(session) -> int:
    return session.exec(select(func.count()).select_from(DeadlineText)).one()


def test_same_explanation_is_stored_once_and_read_through_the_deadline(session, now, owner):
    cases = [make_case(session, owner_id=owner.id, stage="lit_served") for _ in range(3)]
    session.commit()
    for case in cases:
        add_event(session, case_id=case.id, kind="judgment_served", on=D("2026-09-21"),
                  actor="li", now=now)  # fmt: skip
    rows = session.exec(select(Deadline).where(Deadline.rule_id == "appeal_judgment")).all()
    assert len(rows) == 3 and len({d.text_id for d in rows}) == 1
    assert _texts(session) == 1
    d = rows[0]
    assert "顺延至 2026-10-08" in d.explanation_zh and "October" not in d.explanation_zh
    assert "2026-10-08" in d.explanation_en and d.basis.startswith("民事诉讼法")
    assert d.text.key == text_key(d.basis, d.explanation_zh, d.explanation_en)


def test_full_recompute_prunes_texts_no_deadline_uses(session, now, owner):
    a = make_case(session, owner_id=owner.id, stage="lit_served")
    b = make_case(session, owner_id=owner.id, stage="lit_served")
    session.commit()
    kept = add_event(session, case_id=a.id, kind="judgment_served", on=D("2026-09-21"),
                     actor="li", now=now)  # fmt: skip
    gone = add_event(session, case_id=b.id, kind="judgment_served", on=D("2026-03-02"),
                     actor="li", now=now)  # fmt: skip
    assert _texts(session) == 2
    delete_event(session, event_id=gone.id, actor="li", now=now)
    assert _texts(session) == 2, "a single-case change leaves the text for the next full pass"
    # a changed text of the kept case makes the full pass write, which prunes the orphan
    session.exec(text("UPDATE deadline SET fingerprint = 'stale'"))
    session.commit()
    report = recompute_all(session, now=now, force=True)
    assert report.updated == 1
    left = session.exec(select(DeadlineText)).all()
    assert len(left) == 1 and "2026-09-21" in left[0].explanation_zh
    assert session.exec(select(Deadline)).one().trigger_event_id == kept.id


def test_data_keys_name_only_what_the_rules_read():
    rules = default_rules()
    assert rules.data_keys("demand_letter_delivered") == ("payment_days",)
    assert rules.data_keys("asset_frozen") == ("asset_kind",)
    assert rules.data_keys("complaint_filed") == ()
    assert "foreign" in rules.data_keys("judgment_served")


def test_events_differing_only_in_unread_data_share_deadlines(session, now, owner):
    cases = [make_case(session, owner_id=owner.id, stage="demand_letter") for _ in range(3)]
    session.commit()
    payloads = [{"payment_days": 7, "tracking_no": "EMS1"},
                {"payment_days": 7, "tracking_no": "EMS2"},
                {"payment_days": 15, "tracking_no": "EMS1"}]  # fmt: skip
    for case, data in zip(cases, payloads, strict=True):
        add_event(session, case_id=case.id, kind="demand_letter_sent", on=D("2026-11-02"),
                  actor="li", now=now)  # fmt: skip
        add_event(session, case_id=case.id, kind="demand_letter_delivered", on=D("2026-11-05"),
                  actor="li", now=now, data=data)  # fmt: skip
    session.exec(text("DELETE FROM deadline"))
    session.exec(text("DELETE FROM deadlinecase"))
    session.commit()
    recompute_all(session, now=now)
    due = {
        d.case_id: d.due
        for d in session.exec(select(Deadline).where(Deadline.rule_id == "demand_letter_payment"))
    }
    assert due == {cases[0].id: D("2026-11-12"), cases[1].id: D("2026-11-12"),
                   cases[2].id: D("2026-11-20")}  # fmt: skip


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def empty_engine(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    else:
        from tests.components import pg_url

        engine = make_engine(pg_url())
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    yield engine
    engine.dispose()


def test_migration_moves_texts_out_and_back(empty_engine):
    from alembic import command

    engine = empty_engine
    cfg = alembic_config(engine)
    command.upgrade(cfg, "ui01")
    cols = ("case_id, rule_id, rule_version, trigger_date, raw_due, due, provisional, "
            "severity, basis, explanation_zh, explanation_en, status, moved_under_override, "
            "computed_at, fingerprint")  # fmt: skip
    with engine.begin() as conn:  # rows in the ui01 schema (the models have moved on since)
        conn.execute(
            text(
                "INSERT INTO borrower (name, id_number, is_demo) "
                "VALUES ('王', '110101199003077777', false)"
            )
        )
        conn.execute(text(
            'INSERT INTO "case" (ref, borrower_id, route, stage, claim_snapshot, opened_on, '
            "created_at) VALUES ('LT-2026-000001', 1, 'litigation', 'lit_filed', '{}', "
            "'2026-03-01', '2026-03-01 00:00:00.000000')"
        ))  # fmt: skip
        case_id = conn.execute(text('SELECT id FROM "case"')).scalar_one()
    with engine.connect() as conn:
        for i, (zh, en) in enumerate(
            [("说明甲", "why A"), ("说明甲", "why A"), ("说明乙", "why B")]
        ):
            conn.execute(text(
                f"INSERT INTO deadline ({cols}) VALUES ({case_id}, 'r{i}', 'v', '2026-01-01', "
                f"'2026-01-16', '2026-01-16', false, 'fatal', '法条', :zh, :en, 'open', false, "
                "'2026-01-01 00:00:00.000000', '')"
            ), {"zh": zh, "en": en})  # fmt: skip
        conn.commit()
    engine.dispose()
    command.upgrade(cfg, "heads")
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT d.rule_id, t.basis, t.explanation_zh, t.explanation_en, t.key FROM deadline d "
            "JOIN deadlinetext t ON t.id = d.text_id ORDER BY d.rule_id"
        )).all()  # fmt: skip
        assert [r[:4] for r in rows] == [("r0", "法条", "说明甲", "why A"),
                                         ("r1", "法条", "说明甲", "why A"),
                                         ("r2", "法条", "说明乙", "why B")]  # fmt: skip
        assert rows[0][4] == text_key("法条", "说明甲", "why A")
        assert conn.execute(text("SELECT count(*) FROM deadlinetext")).scalar_one() == 2
    command.downgrade(cfg, "ui01")
    with engine.connect() as conn:
        back = conn.execute(text(
            "SELECT rule_id, basis, explanation_zh, explanation_en FROM deadline ORDER BY rule_id"
        )).all()  # fmt: skip
        assert [tuple(r) for r in back] == [("r0", "法条", "说明甲", "why A"),
                                            ("r1", "法条", "说明甲", "why A"),
                                            ("r2", "法条", "说明乙", "why B")]  # fmt: skip
    engine.dispose()
