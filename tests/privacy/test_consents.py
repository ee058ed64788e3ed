"""Third parties in the contact log: lawful-basis records (service and import), the review
of each row, the marks, and what the contact exhibit of a bundle shows."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from legal_track.evidence.data import contact_data
from legal_track.intake import IntakeError, import_file
from legal_track.models import AuditEntry, ContactMark, LoanParty, ThirdPartyConsent
from legal_track.privacy import RoleRefused
from legal_track.privacy.consents import (
    PrivacyError,
    case_review,
    mark_contact,
    open_case_flags,
    record_consent,
    unmark_contact,
)
from tests.factories import make_borrower, make_case, make_contact, make_loan
from tests.intake.files import write_csv, write_xlsx

NOW = datetime(2026, 12, 3, 2, tzinfo=UTC)
TZ = "Asia/Shanghai"
BORROWER = "13811112222"
GUARANTOR = "13822223333"
SISTER = "13911110000"
EMPLOYER = "13922220000"
HEADER = ["合同编号", "号码/地址", "姓名", "关系", "合法性基础", "起始日期", "截止日期", "凭证"]


@pytest.fixture
def world(session):
    borrower = make_borrower(session, phone=BORROWER)
    loan = make_loan(session, borrower_id=borrower.id, contract_no="HT-P-001")
    guarantor = make_borrower(session, phone=GUARANTOR)
    session.add(LoanParty(loan_id=loan.id, borrower_id=guarantor.id, role="guarantor"))
    case = make_case(session, ref="LT-2026-700001", loans=[loan], stage="demand_letter")

    def at(day: int, hour: int = 2) -> datetime:  # 10:00 Beijing time on 2025-06-`day`
        return datetime(2025, 6, day, hour, tzinfo=UTC)

    rows = {
        "borrower": make_contact(session, loan, at=at(1), target=BORROWER),
        "guarantor": make_contact(session, loan, at=at(2), target=GUARANTOR),
        "sister_early": make_contact(session, loan, at=at(3), target="+86 139 1111 0000"),
        "sister": make_contact(session, loan, at=at(10), target=SISTER,
                               content=f"请转告借款人，或回电 {SISTER}"),
        "sister_after": make_contact(session, loan, at=at(20), target=SISTER),
        "employer": make_contact(session, loan, at=at(11), channel="call", target=EMPLOYER),
        "inbound": make_contact(session, loan, at=at(12), channel="call", direction="inbound",
                                target="13933330000"),
    }  # fmt: skip
    session.commit()
    return session, loan, case, {k: v.id for k, v in rows.items()}


def _record(session, loan, **kw):
    values = dict(loan_id=loan.id, target=SISTER, name="王芳", relation="relative",
                  basis="consent", since=date(2025, 6, 5), until=date(2025, 6, 20),
                  proof_ref="录音 REC-1", actor="staff1", role="staff", now=NOW)  # fmt: skip
    return record_consent(session, **(values | kw))


def _status(session, case) -> dict[int, str]:
    return {r.contact_id: r.status for r in case_review(session, case_id=case.id, tz=TZ,
                                                        role="lead")}  # fmt: skip


def test_rows_with_obligors_are_not_reviewed_and_the_rest_are_flagged_or_uncovered(world):
    session, _loan, case, ids = world
    status = _status(session, case)
    assert ids["borrower"] not in status and ids["guarantor"] not in status
    assert status == {ids["sister_early"]: "flagged", ids["sister"]: "flagged",
                      ids["employer"]: "flagged", ids["sister_after"]: "flagged",
                      ids["inbound"]: "uncovered"}  # fmt: skip
    (flags,) = open_case_flags(session, tz=TZ, role="staff", case_id=case.id)
    assert [r.contact_id for r in flags.flags] == [
        ids["sister_early"],
        ids["sister"],
        ids["employer"],
        ids["sister_after"],
    ]
    assert [c.case_ref for c in open_case_flags(session, tz=TZ, role="viewer")] == [case.ref]


def test_a_record_covers_its_days_only_and_withdrawal_works_for_the_future(world):
    session, loan, case, ids = world
    _record(session, loan)  # 2025-06-05 up to, not including, 2025-06-20
    status = _status(session, case)
    assert status[ids["sister"]] == "covered", "10 June is inside the record"
    assert status[ids["sister_early"]] == "flagged", "3 June: before the consent (same number)"
    assert status[ids["sister_after"]] == "flagged", "20 June: the day it was withdrawn"
    assert status[ids["employer"]] == "flagged", "another third party"


def test_the_contact_exhibit_lists_covered_and_marked_rows_masked_and_says_what_it_left_out(
    world,
):
    session, loan, _case, ids = world
    before = contact_data(session, loan_id=loan.id, tz=TZ)
    assert [r[0] for r in before.rows] == [
        f"contact#{ids['borrower']}",
        f"contact#{ids['guarantor']}",
    ]
    assert (
        "另有 5 条与第三方的联系记录未列入（4 条未记录合法性基础，1 条第三方来电未记录合法性基础）。"
        in before.notes
    )
    _record(session, loan)
    mark_contact(session, contact_id=ids["employer"], include=True, reason="失联修复，录音已复核",
                 actor="lead1", role="lead", now=NOW)  # fmt: skip
    mark_contact(session, contact_id=ids["sister_early"], include=False, reason="与案件无关",
                 actor="lead1", role="lead", now=NOW)  # fmt: skip
    after = contact_data(session, loan_id=loan.id, tz=TZ)
    shown = {r[0]: r for r in after.rows}
    assert set(shown) == {
        f"contact#{ids[k]}" for k in ("borrower", "guarantor", "sister", "employer")
    }
    assert shown[f"contact#{ids['sister']}"][4] == "139****0000", "a third party's number is masked"
    assert SISTER not in shown[f"contact#{ids['sister']}"][5], "also inside the message"
    assert shown[f"contact#{ids['borrower']}"][4] == BORROWER
    assert (
        "另有 3 条与第三方的联系记录未列入（1 条未记录合法性基础，1 条第三方来电未记录合法性基础，1 条经审核排除）。"
        in after.notes
    )
    assert after.data_sha256 != before.data_sha256


def test_a_mark_decides_over_the_record_and_unmarking_hands_back_to_it(world):
    session, loan, case, ids = world
    _record(session, loan)
    mark_contact(session, contact_id=ids["sister"], include=False, reason="授权书签字存疑",
                 actor="lead1", role="lead", now=NOW)  # fmt: skip
    assert _status(session, case)[ids["sister"]] == "excluded"
    mark_contact(session, contact_id=ids["sister"], include=True, reason="授权书已核实",
                 actor="admin1", role="admin", now=NOW)  # fmt: skip
    assert session.execute(select(func.count()).select_from(ContactMark)).scalar_one() == 1
    review = {r.contact_id: r for r in case_review(session, case_id=case.id, tz=TZ, role="lead")}
    assert review[ids["sister"]].status == "included"
    assert review[ids["sister"]].mark.marked_by == "admin1"
    assert unmark_contact(session, contact_id=ids["sister"], actor="lead1", role="lead", now=NOW)
    assert _status(session, case)[ids["sister"]] == "covered"
    assert not unmark_contact(session, contact_id=ids["sister"], actor="lead1", role="lead",
                              now=NOW)  # fmt: skip
    actions = session.exec(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars().all()
    assert actions.count("privacy.mark") == 2 and actions.count("privacy.unmark") == 1
    assert actions.count("privacy.consent") == 1


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"reason": "短"}, "at least 4 characters"),
        ({"contact": "borrower"}, "is with an obligor of the loan"),
        ({"contact": "guarantor"}, "is with an obligor of the loan"),
        ({"role": "staff"}, "a staff account may not mark"),
        ({"role": "viewer"}, "a viewer account may not mark"),
        ({"role": "counsel"}, "a counsel account may not mark"),
    ],
)
def test_a_mark_is_refused_with_the_reason_and_nothing_is_written(world, kw, message):
    session, _loan, _case, ids = world
    before = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    with pytest.raises((PrivacyError, RoleRefused), match=message):
        mark_contact(session, contact_id=ids[kw.get("contact", "employer")], include=True,
                     reason=kw.get("reason", "失联修复，录音已复核"), actor="x",
                     role=kw.get("role", "lead"), now=NOW)  # fmt: skip
    session.rollback()
    assert session.execute(select(func.count()).select_from(ContactMark)).scalar_one() == 0
    assert session.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == before


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"target": GUARANTOR}, "belongs to an obligor of the loan"),
        ({"relation": "cousin"}, "relation 'cousin' is not one of"),
        ({"basis": "legitimate_interest"}, "basis 'legitimate_interest' is not one of"),
        ({"proof_ref": " "}, "needs a proof reference"),
        ({"until": date(2025, 6, 5)}, "is not after the start"),
        ({"target": ""}, "is empty"),
        ({"role": "viewer"}, "a viewer account may not record"),
    ],
)
def test_a_bad_record_is_refused_with_what_is_wrong(world, kw, message):
    session, loan, _case, _ids = world
    with pytest.raises((PrivacyError, RoleRefused), match=message):
        _record(session, loan, **kw)
    session.rollback()
    assert session.execute(select(func.count()).select_from(ThirdPartyConsent)).scalar_one() == 0


def test_a_second_record_for_the_same_person_replaces_the_first(world):
    session, loan, case, ids = world
    _record(session, loan)
    _record(session, loan, target="139-1111-0000", since=date(2025, 6, 1), until=None)
    (only,) = session.exec(select(ThirdPartyConsent)).scalars().all()
    assert (only.target, only.since, only.until) == (SISTER, date(2025, 6, 1), None)
    status = _status(session, case)
    assert status[ids["sister_early"]] == status[ids["sister_after"]] == "covered"


ROWS = [
    ["HT-P-001", SISTER, "王芳", "亲属", "个人同意", "2025-06-05", "2025/6/20", "录音 REC-1"],
    [
        "HT-P-001",
        EMPLOYER,
        "某公司人事部",
        "工作单位",
        "legal_duty",
        "2025年6月1日",
        "",
        "函件 HR-7",
    ],
]


@pytest.mark.parametrize("fmt", ["gbk", "utf-8-sig", "xlsx"])
def test_the_consents_file_imports_and_a_second_import_changes_nothing(world, tmp_path, fmt):
    session, _loan, case, ids = world
    if fmt == "xlsx":
        path = write_xlsx(tmp_path / "consents.xlsx", HEADER, ROWS)
    else:
        path = write_csv(tmp_path / "consents.csv", HEADER, ROWS, fmt)
    report = import_file(session, kind="consents", path=path, actor="staff1", now=NOW,
                         role="staff")  # fmt: skip
    assert (report.rows, report.created, report.updated, report.unchanged) == (2, 2, 0, 0)
    records = {c.target: c for c in session.exec(select(ThirdPartyConsent)).scalars()}
    assert records[SISTER].relation == "relative" and records[SISTER].until == date(2025, 6, 20)
    assert records[EMPLOYER].basis == "legal_duty" and records[EMPLOYER].recorded_by == "staff1"
    status = _status(session, case)
    assert status[ids["sister"]] == status[ids["employer"]] == "covered"
    again = import_file(session, kind="consents", path=path, actor="staff1", now=NOW)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_a_consents_file_with_errors_names_each_row_and_column_and_writes_nothing(world, tmp_path):
    session, _loan, _case, _ids = world
    rows = [
        ["HT-P-001", SISTER, "王芳", "亲属", "个人同意", "2025-06-05", "", "录音 REC-1"],
        ["HT-P-999", SISTER, "", "亲属", "个人同意", "2025-06-05", "", "REC"],
        ["HT-P-001", "139 1111 0000", "", "亲属", "个人同意", "2025-06-05", "", "REC"],
        ["HT-P-001", BORROWER, "", "亲属", "个人同意", "2025-06-05", "", "REC"],
        ["HT-P-001", EMPLOYER, "", "同事", "个人同意", "2025-06-05", "", "REC"],
        ["HT-P-001", "13944440000", "", "朋友", "正当利益", "2025-06-05", "", "REC"],
        ["HT-P-001", "13955550000", "", "朋友", "个人同意", "2025-06-05", "", ""],
        ["HT-P-001", "13966660000", "", "朋友", "个人同意", "2025-06-05", "2025-06-01", "REC"],
    ]
    path = write_csv(tmp_path / "consents_bad.csv", HEADER, rows, "gbk")
    before = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    with pytest.raises(IntakeError) as caught:
        import_file(session, kind="consents", path=path, actor="t", now=NOW)
    text = "\n".join(str(p) for p in caught.value.problems)
    for expected in (
        "consents_bad.csv row 3, column 合同编号: unknown contract number 'HT-P-999'",
        "consents_bad.csv row 4, column 号码/地址: same contract and phone/address already on row 2",
        "consents_bad.csv row 5, column 号码/地址: this phone/address belongs to a borrower",
        "consents_bad.csv row 6, column 关系:",
        "consents_bad.csv row 7, column 合法性基础:",
        "consents_bad.csv row 8, column 凭证: basis 个人同意 needs a proof reference",
        "consents_bad.csv row 9, column 截止日期: end date 2025-06-01 is not after the start date 2025-06-05",
    ):
        assert expected in text, f"{expected!r} not in:\n{text}"
    session.rollback()
    assert session.execute(select(func.count()).select_from(ThirdPartyConsent)).scalar_one() == 0
    assert session.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == before


def test_a_viewer_may_not_import_consents(world, tmp_path):
    session, *_ = world
    path = write_csv(tmp_path / "consents.csv", HEADER, ROWS[:1])
    with pytest.raises(RoleRefused):
        import_file(session, kind="consents", path=path, actor="v", now=NOW, role="viewer")
