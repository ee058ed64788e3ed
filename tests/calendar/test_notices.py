"""Loading a year's holiday notice: provisional deadlines are recomputed, the ones
that moved are reported and their owners get a notice."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from legal_track.calendar.notices import seed_builtin
from legal_track.calendar.workdays import load_calendar
from legal_track.cases.events import add_event
from legal_track.deadlines import complete_deadline, notices_for, override_deadline
from legal_track.deadlines.holidays import load_notice
from legal_track.models import AuditEntry, Deadline, DeadlineNotice
from tests.calendar.notices import NOTICE_2027_CSV, NOTICE_2027_TOML
from tests.factories import make_case

D = date.fromisoformat


def _appeal(session, case_id) -> Deadline:
    session.expire_all()
    return session.exec(
        select(Deadline).where(Deadline.case_id == case_id, Deadline.rule_id == "appeal_judgment")
    ).one()


def _served(session, owner, on, now):
    case = make_case(session, owner_id=owner.id, stage="lit_served")
    session.commit()
    add_event(session, case_id=case.id, kind="judgment_served", on=D(on), actor="li", now=now)
    return case


def test_loading_2027_flips_provisional_and_reports_moved(session, now, owner):
    seed_builtin(session, now=now)
    same = _served(session, owner, "2026-12-20", now)  # 2027-01-04, a Monday either way
    later = _served(session, owner, "2027-01-25", now)  # 02-09 falls in the test holiday
    earlier = _served(session, owner, "2027-02-05", now)  # 02-20 becomes a working Saturday
    before = {c.id: _appeal(session, c.id) for c in (same, later, earlier)}
    assert all(d.provisional for d in before.values())
    assert [before[c.id].due for c in (same, later, earlier)] == [
        D("2027-01-04"),
        D("2027-02-09"),
        D("2027-02-22"),
    ]

    result = load_notice(session, raw=NOTICE_2027_TOML.encode(), file_name="2027.toml",
                         actor="admin", now=now)  # fmt: skip

    assert (result.year, result.off_days, result.work_days, result.replaced) == (2027, 10, 1, False)
    assert result.recomputed_cases == 3
    moved = {m.case_id: (m.old_due, m.new_due) for m in result.moved}
    assert moved == {
        later.id: (D("2027-02-09"), D("2027-02-15")),
        earlier.id: (D("2027-02-22"), D("2027-02-20")),
    }
    assert all(m.owner_id == owner.id and m.case_ref for m in result.moved)
    after = {c.id: _appeal(session, c.id) for c in (same, later, earlier)}
    assert not any(d.provisional for d in after.values()), "2027 is known now"
    assert "暂定" not in after[same.id].explanation_zh
    assert "法定休假日，顺延至 2027-02-15" in after[later.id].explanation_zh
    notices = notices_for(session, owner_id=owner.id)
    assert sorted(n.case_id for n in notices) == sorted([later.id, earlier.id])
    assert all(n.kind == "calendar_moved" for n in notices)
    assert "载入2027年节假日安排后，期限由 2027-02-09 调整为 2027-02-15" in " ".join(
        n.message_zh for n in notices
    )
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "calendar.load")).one()
    assert audit.object_id == "2027" and len(audit.detail["moved"]) == 2
    assert load_calendar(session).is_known_year(2027)


def test_moved_under_override_and_completed_ones(session, now, owner):
    over = _served(session, owner, "2027-01-25", now)
    done = _served(session, owner, "2027-02-05", now)
    override_deadline(session, deadline_id=_appeal(session, over.id).id, due=D("2027-02-10"),
                      reason="法院通知", actor="li", now=now)  # fmt: skip
    complete_deadline(session, deadline_id=_appeal(session, done.id).id, actor="li", now=now)

    result = load_notice(session, raw=NOTICE_2027_CSV.encode(), file_name="notice.csv",
                         actor="admin", now=now)  # fmt: skip

    assert [m.case_id for m in result.moved] == [over.id], "completed deadlines are not flagged"
    d = _appeal(session, over.id)
    assert (d.due, d.override_due, d.moved_under_override) == (
        D("2027-02-15"),
        D("2027-02-10"),
        True,
    )
    kinds = sorted(n.kind for n in session.exec(select(DeadlineNotice)).all())
    assert kinds == ["calendar_moved", "moved_under_override"]
    assert _appeal(session, done.id).due == D("2027-02-20"), "still recomputed, just not flagged"


def test_reloading_a_known_year_replaces_it(session, now):
    seed_builtin(session, now=now)
    result = load_notice(session, raw=NOTICE_2027_TOML.encode(), file_name="2027.toml",
                         actor="admin", now=now)  # fmt: skip
    assert result.replaced is False
    again = load_notice(session, raw=NOTICE_2027_TOML.replace("work = [2027-02-20]", "").encode(),
                        file_name="2027b.toml", actor="admin", now=now)  # fmt: skip
    assert again.replaced is True and again.work_days == 0
    assert not load_calendar(session).is_working_day(D("2027-02-20"))
