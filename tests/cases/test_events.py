"""Events drive the stored deadlines: adding, editing and deleting recompute them;
stage moves are validated; overrides survive; complete and waive record who and when."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from legal_track.cases.events import (
    EventDataError,
    add_event,
    delete_event,
    implied_stage,
    preview_event,
    update_event,
)
from legal_track.cases.lifecycle import TransitionError
from legal_track.deadlines import (
    DeadlineActionError,
    board_counts,
    board_page,
    complete_deadline,
    notices_for,
    open_deadlines,
    override_deadline,
    recompute_all,
    recompute_case,
    reopen_deadline,
    waive_deadline,
)
from legal_track.models import AuditEntry, Case, Deadline, DeadlineNotice, DeadlineStatus
from tests.factories import make_case

D = date.fromisoformat


def _deadlines(session, case_id):
    session.expire_all()
    rows = session.exec(select(Deadline).where(Deadline.case_id == case_id)).all()
    return {d.rule_id: d for d in rows}


@pytest.fixture
def lit_case(session, owner):
    case = make_case(session, owner_id=owner.id, stage="lit_served")
    session.commit()
    return case


def test_judgment_served_creates_the_appeal_deadline_with_explanation(session, now, lit_case):
    ev = add_event(session, case_id=lit_case.id, kind="judgment_served", on=D("2026-09-21"),
                   actor="li", now=now, to_stage="lit_judgment")  # fmt: skip
    d = _deadlines(session, lit_case.id)["appeal_judgment"]
    assert (d.trigger_event_id, d.trigger_date, d.raw_due, d.due) == (
        ev.id,
        D("2026-09-21"),
        D("2026-10-06"),
        D("2026-10-08"),
    )
    assert (d.rule_version, d.provisional, d.severity) == ("2022-01-01", False, "fatal")
    assert d.explanation_zh.endswith("顺延至 2026-10-08（民事诉讼法第八十五条、第一百七十一条）")
    assert "Judgment served 2026-09-21" in d.explanation_en
    assert session.get(Case, lit_case.id).stage == "lit_judgment"
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "event.add")).one()
    assert audit.detail["deadlines"]["inserted"] == 1 and audit.actor == "li"


def test_foreign_party_gets_the_30_day_rule(session, now, lit_case):
    add_event(session, case_id=lit_case.id, kind="judgment_served", on=D("2026-01-05"),
              actor="li", now=now, data={"foreign": True}, party="Smith Ltd")  # fmt: skip
    got = _deadlines(session, lit_case.id)
    assert set(got) == {"appeal_foreign"} and got["appeal_foreign"].due == D("2026-02-04")
    assert got["appeal_foreign"].party == "Smith Ltd"


def test_each_party_has_its_own_appeal_deadline(session, now, lit_case):
    add_event(session, case_id=lit_case.id, kind="judgment_served", on=D("2026-09-21"),
              actor="li", now=now, party="原告")  # fmt: skip
    add_event(session, case_id=lit_case.id, kind="judgment_served", on=D("2026-09-25"),
              actor="li", now=now, party="被告")  # fmt: skip
    rows = session.exec(select(Deadline).where(Deadline.case_id == lit_case.id)).all()
    assert sorted((d.party, d.due) for d in rows) == [
        ("原告", D("2026-10-08")),
        ("被告", D("2026-10-10")),
    ]  # 10-10: make-up Saturday


def test_invalid_transition_is_refused_with_allowed_next(session, now, lit_case):
    with pytest.raises(TransitionError) as err:
        add_event(session, case_id=lit_case.id, kind="award_received", on=D("2026-03-01"),
                  actor="li", now=now, to_stage="arb_award")  # fmt: skip
    assert "cannot move from lit_served to arb_award" in str(err.value)
    assert "allowed next: lit_hearing, lit_judgment, closed" in str(err.value)
    session.rollback()
    assert session.exec(select(Deadline)).all() == [], "nothing half-written"


def test_payment_order_objection_moves_the_case_to_litigation(session, now, owner):
    case = make_case(session, owner_id=owner.id, route="payment_order", stage="po_served")
    session.commit()
    add_event(session, case_id=case.id, kind="payment_order_served", on=D("2026-05-20"),
              actor="li", now=now, data={"party_role": "debtor"})  # fmt: skip
    assert _deadlines(session, case.id)["payment_order_objection"].due == D("2026-06-04")
    add_event(session, case_id=case.id, kind="payment_order_objection", on=D("2026-06-01"),
              actor="li", now=now)  # fmt: skip
    case = session.get(Case, case.id)
    assert (case.route, case.stage) == ("litigation", "lit_filed")
    objection = _deadlines(session, case.id)["payment_order_objection"]
    assert objection.status == DeadlineStatus.completed and objection.done_by == "system"


def test_objection_is_refused_where_litigation_cannot_start(session, now, owner):
    case = make_case(session, owner_id=owner.id, route="litigation", stage="lit_hearing")
    session.commit()
    with pytest.raises(TransitionError, match="allowed next: lit_judgment, closed"):
        add_event(session, case_id=case.id, kind="payment_order_objection", on=D("2026-06-01"),
                  actor="li", now=now)  # fmt: skip


def test_editing_the_event_date_recomputes(session, now, lit_case):
    ev = add_event(session, case_id=lit_case.id, kind="judgment_served", on=D("2026-09-21"),
                   actor="li", now=now)  # fmt: skip
    update_event(session, event_id=ev.id, actor="li", now=now, on=D("2026-09-25"))
    d = _deadlines(session, lit_case.id)["appeal_judgment"]
    assert (d.trigger_date, d.due) == (D("2026-09-25"), D("2026-10-10"))
    assert "调休工作日" in d.explanation_zh


def test_editing_event_data_switches_the_rule(session, now, lit_case):
    ev = add_event(session, case_id=lit_case.id, kind="judgment_served", on=D("2026-01-05"),
                   actor="li", now=now)  # fmt: skip
    update_event(session, event_id=ev.id, actor="li", now=now, data={"foreign": "true"})
    assert set(_deadlines(session, lit_case.id)) == {"appeal_foreign"}


def test_deleting_an_event_removes_its_deadlines_and_reopens_auto_completed(session, now, lit_case):
    add_event(session, case_id=lit_case.id, kind="judgment_served", on=D("2026-09-21"),
              actor="li", now=now)  # fmt: skip
    appeal = add_event(session, case_id=lit_case.id, kind="appeal_filed", on=D("2026-09-30"),
                       actor="li", now=now)  # fmt: skip
    assert _deadlines(session, lit_case.id)["appeal_judgment"].status == DeadlineStatus.completed
    delete_event(session, event_id=appeal.id, actor="li", now=now)
    d = _deadlines(session, lit_case.id)["appeal_judgment"]
    assert d.status == DeadlineStatus.open and d.done_by is None


def test_deleting_the_trigger_deletes_the_deadline(session, now, lit_case):
    ev = add_event(session, case_id=lit_case.id, kind="judgment_served", on=D("2026-09-21"),
                   actor="li", now=now)  # fmt: skip
    deadline_id = _deadlines(session, lit_case.id)["appeal_judgment"].id
    override_deadline(session, deadline_id=deadline_id, due=D("2026-10-09"), reason="x",
                      actor="li", now=now)  # fmt: skip
    delete_event(session, event_id=ev.id, actor="li", now=now)
    assert _deadlines(session, lit_case.id) == {}
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "event.delete")).one()


def test_override_survives_recomputation_and_flags_a_move(session, now, lit_case, owner):
    ev = add_event(session, case_id=lit_case.id, kind="judgment_served", on=D("2026-09-21"),
                   actor="li", now=now)  # fmt: skip
    d = _deadlines(session, lit_case.id)["appeal_judgment"]
    override_deadline(session, deadline_id=d.id, due=D("2026-10-09"),
                      reason="法院通知书载明", actor="wang", now=now)  # fmt: skip
    recompute_case(session, case_id=lit_case.id, now=now + timedelta(days=1))
    d = _deadlines(session, lit_case.id)["appeal_judgment"]
    assert (d.override_due, d.override_by, d.moved_under_override) == (
        D("2026-10-09"),
        "wang",
        False,
    )
    assert d.effective_due == D("2026-10-09")

    update_event(session, event_id=ev.id, actor="li", now=now, on=D("2026-09-25"))
    d = _deadlines(session, lit_case.id)["appeal_judgment"]
    assert (d.due, d.override_due, d.moved_under_override) == (
        D("2026-10-10"),
        D("2026-10-09"),
        True,
    )
    notice = notices_for(session, owner_id=owner.id)[0]
    assert notice.kind == "moved_under_override" and notice.deadline_id == d.id
    assert (notice.old_due, notice.new_due) == (D("2026-10-08"), D("2026-10-10"))
    assert "人工调整的日期 2026-10-09 保持不变" in notice.message_zh


def test_override_needs_a_reason(session, now, lit_case):
    add_event(session, case_id=lit_case.id, kind="judgment_served", on=D("2026-09-21"),
              actor="li", now=now)  # fmt: skip
    d = _deadlines(session, lit_case.id)["appeal_judgment"]
    with pytest.raises(DeadlineActionError, match="needs a reason"):
        override_deadline(session, deadline_id=d.id, due=D("2026-10-09"), reason=" ",
                          actor="li", now=now)  # fmt: skip


def test_complete_and_waive_record_who_and_when(session, now, lit_case):
    add_event(session, case_id=lit_case.id, kind="case_accepted", on=D("2026-03-02"), actor="li",
              now=now, data={"procedure": "summary"})  # fmt: skip
    got = _deadlines(session, lit_case.id)
    assert set(got) == {"complaint_copy_service", "trial_limit_summary"}
    done = complete_deadline(session, deadline_id=got["complaint_copy_service"].id, actor="li",
                             now=now, note="副本已送达")  # fmt: skip
    assert (done.status, done.done_by, done.done_at) == (DeadlineStatus.completed, "li", now)
    with pytest.raises(DeadlineActionError, match="waiving needs a reason"):
        waive_deadline(session, deadline_id=got["trial_limit_summary"].id, actor="li", now=now,
                       note="")  # fmt: skip
    waived = waive_deadline(session, deadline_id=got["trial_limit_summary"].id, actor="wang",
                            now=now, note="仅供参考")  # fmt: skip
    assert (waived.status, waived.done_by) == (DeadlineStatus.waived, "wang")
    with pytest.raises(DeadlineActionError, match="already waived"):
        complete_deadline(session, deadline_id=waived.id, actor="li", now=now)
    recompute_case(session, case_id=lit_case.id, now=now)
    after = _deadlines(session, lit_case.id)
    assert after["trial_limit_summary"].status == DeadlineStatus.waived, "kept by recompute"
    reopen_deadline(session, deadline_id=waived.id, actor="wang", now=now)
    assert _deadlines(session, lit_case.id)["trial_limit_summary"].status == DeadlineStatus.open


def test_case_closed_closes_every_open_deadline(session, now, lit_case):
    add_event(session, case_id=lit_case.id, kind="judgment_served", on=D("2026-09-21"),
              actor="li", now=now)  # fmt: skip
    add_event(session, case_id=lit_case.id, kind="case_closed", on=D("2026-09-28"), actor="li",
              now=now, data={"reason": "settled"})  # fmt: skip
    case = session.get(Case, lit_case.id)
    assert (case.stage, case.close_reason, case.closed_on) == ("closed", "settled", D("2026-09-28"))
    assert _deadlines(session, lit_case.id)["appeal_judgment"].status == DeadlineStatus.completed


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        pytest.param("asset_frozen", {}, "event asset_frozen: data field 'asset_kind' is required", id="required"),
        pytest.param("asset_frozen", {"asset_kind": "car"}, "'car' is not one of deposit, movable, realty", id="choice"),
        pytest.param("evidence_notice", {"days": "x"}, "data field 'days': expected a whole number", id="int"),
        pytest.param("judgment_effective", {"performance_end": "2026-13-01"}, "expected a date YYYY-MM-DD", id="date"),
        pytest.param("payment_received", {"amount": "1.001"}, "not an amount with at most 2 decimals", id="amount"),
        pytest.param("judgment_served", {"color": "red"}, "unknown data field 'color'; allowed fields: party_role, foreign", id="unknown"),
        pytest.param("judgment_servd", {}, "unknown event kind 'judgment_servd'", id="kind"),
    ],
)  # fmt: skip
def test_bad_event_data_is_refused_naming_kind_and_field(
    session, now, lit_case, kind, data, message
):
    with pytest.raises(EventDataError) as err:
        add_event(session, case_id=lit_case.id, kind=kind, on=D("2026-03-02"), actor="li",
                  now=now, data=data)  # fmt: skip
    assert message in str(err.value)


def test_court_set_days_outside_bounds_are_reported_not_stored(session, now, lit_case):
    add_event(
        session,
        case_id=lit_case.id,
        kind="evidence_notice",
        on=D("2026-03-02"),
        actor="li",
        now=now,
        data={"days": 10},
    )  # ordinary procedure needs >= 15
    assert _deadlines(session, lit_case.id) == {}
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "event.add")).one()
    assert "days = 10 days is outside the allowed 15" in audit.detail["deadlines"]["errors"][0]


def test_preview_shows_deadlines_without_writing(session, now, lit_case):
    p = preview_event(session, case_id=lit_case.id, kind="judgment_served", on=D("2026-09-21"),
                      to_stage="lit_judgment")  # fmt: skip
    assert [d.due for d in p.deadlines] == [D("2026-10-08")] and p.problems == []
    assert p.implied_stage == "lit_judgment" and "lit_hearing" in p.allowed_next
    assert session.exec(select(Deadline)).all() == []
    bad = preview_event(session, case_id=lit_case.id, kind="award_received", on=D("2026-03-01"),
                        to_stage="arb_award")  # fmt: skip
    assert "allowed next: lit_hearing, lit_judgment, closed" in bad.problems[0]
    assert implied_stage("payment_order_objection") == "lit_filed"


def test_freeze_creates_expiry_and_renewal(session, now, owner):
    case = make_case(session, owner_id=owner.id, stage="enf_accepted")
    session.commit()
    add_event(session, case_id=case.id, kind="asset_frozen", on=D("2026-03-14"), actor="li",
              now=now, data={"asset_kind": "deposit", "amount": "5000"}, to_stage="enf_measures")  # fmt: skip
    got = _deadlines(session, case.id)
    assert got["freeze_expiry_deposit"].due == D("2027-03-14")
    assert got["freeze_renewal_deposit"].due == D("2027-03-05")
    assert got["freeze_renewal_deposit"].provisional is True


def test_board_buckets_and_owner_filter(session, now, owner, lit_case):
    other = make_case(session, stage="lit_served")
    session.commit()
    today = D("2026-10-08")
    add_event(session, case_id=lit_case.id, kind="judgment_served", on=D("2026-09-21"),
              actor="li", now=now)  # due 10-08: today  # fmt: skip
    add_event(session, case_id=lit_case.id, kind="ruling_served", on=D("2026-09-10"),
              actor="li", now=now)  # due 09-20, a make-up Sunday: overdue  # fmt: skip
    add_event(session, case_id=other.id, kind="judgment_served", on=D("2026-09-28"),
              actor="li", now=now)  # due 10-13: this week, other owner  # fmt: skip
    assert board_counts(session, today=today) == {"overdue": 1, "today": 1, "week": 1, "later": 0}
    assert board_counts(session, today=today, owner_id=owner.id)["week"] == 0
    page = board_page(session, today=today, bucket="today", owner_id=owner.id)
    assert [i.rule_id for i in page] == ["appeal_judgment"] and page[0].owner_id == owner.id
    listed = open_deadlines(session, owner_id=owner.id, until=today)
    assert [i.due for i in listed] == [D("2026-09-20"), D("2026-10-08")]
    assert listed[0].reminders == (5, 3, 1, 0)


def test_recompute_all_skips_unchanged_cases_unless_forced(session, now, lit_case):
    add_event(session, case_id=lit_case.id, kind="judgment_served", on=D("2026-09-21"),
              actor="li", now=now)  # fmt: skip
    report = recompute_all(session, now=now)
    assert (report.skipped_cases, report.inserted, report.updated, report.deleted) == (1, 0, 0, 0)
    forced = recompute_all(session, now=now, force=True)
    assert (forced.skipped_cases, forced.unchanged, forced.updated) == (0, 1, 0)
    assert session.exec(select(DeadlineNotice)).all() == []


def test_a_changed_rule_pack_recomputes_every_case(session, now, lit_case):
    from dataclasses import replace

    from legal_track.deadlines.rules import default_rules
    from legal_track.deadlines.store import recompute_cases

    add_event(session, case_id=lit_case.id, kind="judgment_served", on=D("2026-09-21"),
              actor="li", now=now)  # fmt: skip
    edited = replace(default_rules(), digest="edited pack", _memo={})
    report = recompute_cases(session, now=now, rules=edited)
    assert (report.skipped_cases, report.unchanged) == (0, 1)
