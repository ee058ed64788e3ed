"""The import page through AppTest's file_uploader (supported by streamlit 1.67)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from legal_track.identity import make_id_number
from legal_track.models import Loan, Role
from legal_track.models.limitation import LimitationClock
from legal_track.ui.upload import progress_text

GOOD_ID = make_id_number("110101", date(1990, 3, 7), 11)
BAD_ID = GOOD_ID[:-1] + ("0" if GOOD_ID[-1] != "0" else "1")
HEADER = (
    "合同编号,借款人姓名,身份证号,手机号,地址,出借人,借款本金,年利率,放款日期,到期日期,"
    "剩余本金,逾期起始日\n"
)


def loans_csv(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode("utf-8-sig")


GOOD_ROW = f"HT-UP-1,王小明,{GOOD_ID},13800001234,北京市东城区1号,示例小贷,\"¥20,000.00\",18%,2024/1/10,2025年1月10日,12000,2025-03-10"  # fmt: skip


def upload(at, name: str, data: bytes, kind: str = "loans"):
    at.button_group(key="imports.kind").set_value(kind).run()
    at.file_uploader(key="imports.file").upload(name, data, "text/csv").run()
    return at.button(key="imports.run").click().run()


def open_import(app, user_of, role=Role.staff):
    at = app(user_of(role)).run()
    return at.switch_page("legal_track/ui/pages/imports.py").run()


def test_a_good_file_is_imported_with_counts(app, db, user_of):
    at = upload(open_import(app, user_of), "loans.csv", loans_csv(GOOD_ROW))
    assert not at.exception and not at.error
    assert "loans.csv" in at.success[0].value and "新增 1" in at.success[0].value
    assert [m.value for m in at.metric] == ["1", "1", "0", "0"]
    assert any("已重新计算 1 笔借款的诉讼时效" in c.value for c in at.caption)
    db.expire_all()
    loan = db.exec(select(Loan).where(Loan.contract_no == "HT-UP-1")).one()
    assert str(loan.principal) == "20000.00"
    clock = db.exec(select(LimitationClock).where(LimitationClock.loan_id == loan.id)).one()
    assert clock.expiry is not None, "the imported loan got its limitation clock"
    again = upload(at, "loans.csv", loans_csv(GOOD_ROW))
    assert [m.value for m in again.metric] == ["1", "0", "0", "1"], "the same file changes nothing"


def test_a_bad_file_shows_every_problem_and_writes_nothing(app, db, user_of):
    bad = loans_csv(
        GOOD_ROW,
        f"HT-UP-2,李四,{BAD_ID},13800001235,地址,示例小贷,-5,18%,2024-01-10,2025-01-10,100,",
        f"HT-UP-1,王小明,{GOOD_ID},13800001234,地址,示例小贷,100,18%,2024-13-40,2025-01-10,100,",
    )
    at = upload(open_import(app, user_of), "bad.csv", bad)
    assert "bad.csv" in at.error[0].value and "未导入任何数据" in at.error[0].value
    problems = at.dataframe[0].value.to_dict("records")
    where = {(p["行"], p["列"]) for p in problems}
    assert {(3, "身份证号"), (3, "借款本金"), (4, "合同编号"), (4, "放款日期")} <= where, problems
    assert all(p["问题"] for p in problems), "each problem has a reason"
    db.expire_all()
    assert db.exec(select(Loan)).all() == [], "nothing was written"


def test_a_ledger_for_an_unknown_contract_is_refused(app, user_of):
    ledger = "合同编号,日期,类型,金额,流水号\nHT-NOPE,2025-01-05,还款,100,LS1\n".encode()
    at = upload(open_import(app, user_of), "ledger.csv", ledger, kind="ledger")
    rows = at.dataframe[0].value.to_dict("records")
    assert rows[0]["行"] == 2 and "HT-NOPE" in rows[0]["问题"]


def test_viewers_cannot_import(app, user_of):
    at = app(user_of(Role.viewer)).run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("legal_track/ui/pages/imports.py")


def test_progress_text_before_and_after_the_total_is_known():
    # the check pass reports (rows read, 0); the write pass (rows written, total)
    assert progress_text(10, 0, "en") == (0.0, "Checking… 10 rows read")
    assert progress_text(5, 10, "zh") == (0.5, "正在写入 5 / 10 行")
    assert progress_text(12, 10, "en")[0] == 1.0


def test_the_new_kinds_are_offered_with_their_columns(app, db, user_of):
    at = open_import(app, user_of)
    assert at.button_group(key="imports.kind").options == [
        "借款",
        "流水",
        "催收记录",
        "共同借款人/担保人",
        "还款计划表",
        "还款方案",
        "第三方联系合法性记录",
    ]
    at.button_group(key="imports.kind").set_value("schedules").run()
    assert any(c.value.startswith("列：合同编号、期数、应还日期") for c in at.caption)
    at.button_group(key="imports.kind").set_value("consents").run()
    assert any(c.value.startswith("列：合同编号、号码/地址、姓名、关系") for c in at.caption)


def test_a_schedule_upload_recomputes_the_limitation_clock(app, db, user_of):
    at = upload(open_import(app, user_of), "loans.csv", loans_csv(GOOD_ROW))
    schedule = "合同编号,期数,应还日期,应还本金,应还利息\n" + "".join(
        f"HT-UP-1,{k},2024-{k + 1:02d}-10,1000,50\n" for k in range(1, 7)
    )
    at = upload(at, "计划表.csv", schedule.encode("gbk"), kind="schedules")
    assert not at.exception and not at.error
    assert [m.value for m in at.metric] == ["6", "1", "0", "0"], "one loan's schedule set"
    assert any("已重新计算 1 笔借款的诉讼时效" in c.value for c in at.caption)
    db.expire_all()
    loan = db.exec(select(Loan).where(Loan.contract_no == "HT-UP-1")).one()
    assert loan.schedule[-1] == {
        "due_on": "2024-07-10",
        "principal": "1000.00",
        "interest": "50.00",
    }
    clock = db.exec(select(LimitationClock).where(LimitationClock.loan_id == loan.id)).one()
    assert clock.start_on == date(2024, 7, 10), "the clock runs from the last instalment"
