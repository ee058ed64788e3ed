"""Happy paths: every kind in UTF-8, UTF-8 with BOM, GBK and XLSX; idempotency; updates."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlmodel import select

from legal_track.intake import import_bytes, import_file
from legal_track.models import AuditEntry, Borrower, ContactLog, Creditor, LedgerEntry, Loan
from tests.intake.files import (
    FORMATS,
    ID_A,
    ID_B,
    LOAN_ROWS,
    LOAN_ZH,
    counts,
    dump,
    sample_file,
    write_csv,
)


def _import(session, tmp_path, kind, fmt, now, **kw):
    path = sample_file(tmp_path, kind, fmt, english=kw.pop("english", False))
    return import_file(session, kind=kind, path=path, actor="tester", now=now, **kw)


def _load_all(session, tmp_path, fmt, now, english=False):
    return [
        _import(session, tmp_path, kind, fmt, now, english=english)
        for kind in ("loans", "ledger", "contacts")
    ]


def _assert_sample_loaded(session):
    creditors = {c.name for c in session.exec(select(Creditor)).all()}
    assert creditors == {"示例小额贷款有限公司", "示例消费金融有限公司"}
    borrowers = {b.id_number: b for b in session.exec(select(Borrower)).all()}
    assert set(borrowers) == {ID_A, ID_B}
    assert borrowers[ID_A].name == "张三"
    assert borrowers[ID_A].phone == "13800138000"
    assert borrowers[ID_A].email == "zs@example.com"
    assert borrowers[ID_B].phone == "+86 139 0013 9000"
    assert borrowers[ID_B].email is None

    loans = {loan.contract_no: loan for loan in session.exec(select(Loan)).all()}
    assert set(loans) == {"HT-2025-001", "HT-2025-002", "HT-2025-003"}
    first, second, third = loans["HT-2025-001"], loans["HT-2025-002"], loans["HT-2025-003"]
    assert first.borrower_id == second.borrower_id == borrowers[ID_A].id
    assert first.principal == Decimal("20000.00")
    assert first.annual_rate == Decimal("0.18")
    assert first.overdue_rate == Decimal("0.24")
    assert (first.disbursed_on, first.maturity_on) == (date(2025, 1, 5), date(2026, 1, 5))
    assert first.outstanding_principal == Decimal("12000.00")
    assert first.overdue_since == date(2025, 6, 5)
    assert first.agreed_court == "北京市东城区人民法院"
    assert first.arbitration_commission is None
    assert first.status == "overdue"
    assert second.overdue_since is None and second.status == "current"
    assert second.overdue_rate is None
    assert second.arbitration_commission == "上海仲裁委员会"
    assert third.principal == Decimal("8888.88")
    assert third.annual_rate == Decimal("0.235")
    assert third.disbursed_on == date(2025, 3, 10)
    assert third.maturity_on == date(2026, 3, 10)

    ledger = {e.reference: e for e in session.exec(select(LedgerEntry)).all()}
    assert {r: (e.kind, e.amount, e.booked_on) for r, e in ledger.items()} == {
        "LN-0001": ("disbursement", Decimal("20000.00"), date(2025, 1, 5)),
        "RP-0001": ("repayment", Decimal("1800.00"), date(2025, 2, 5)),
        "FE-0001": ("fee", Decimal("50.00"), date(2025, 3, 5)),
        "LN-0002": ("disbursement", Decimal("5000.00"), date(2025, 2, 5)),
        "WO-0001": ("write_off", Decimal("100.00"), date(2025, 3, 10)),
    }
    assert ledger["WO-0001"].loan_id == third.id

    contacts = session.exec(select(ContactLog).order_by(ContactLog.at)).all()
    assert [(c.at, c.channel, c.delivery_status) for c in contacts] == [
        (datetime(2025, 7, 1, 1, 30, tzinfo=UTC), "sms", "delivered"),
        (datetime(2025, 7, 3, 6, 5, 30, tzinfo=UTC), "call", "delivered"),
        (datetime(2025, 7, 4, 2, 0, tzinfo=UTC), "letter", "failed"),
        (datetime(2025, 7, 5, 0, 0, tzinfo=UTC), "visit", "unknown"),
    ]
    promise = contacts[1]
    assert (promise.promise_date, promise.promise_amount) == (date(2025, 7, 31), Decimal("1000"))
    assert contacts[0].target == "13800138000" and contacts[0].promise_date is None
    assert contacts[2].agent is None and contacts[2].loan_id == second.id
    assert contacts[3].content == "" and contacts[3].agent == "赵外访"


@pytest.mark.parametrize("fmt", FORMATS)
def test_all_three_kinds_import_in_every_format(session, tmp_path, now, fmt):
    reports = _load_all(session, tmp_path, fmt, now)
    assert [(r.kind, r.rows, r.created, r.updated, r.unchanged) for r in reports] == [
        ("loans", 3, 3, 0, 0),
        ("ledger", 5, 5, 0, 0),
        ("contacts", 4, 4, 0, 0),
    ]
    assert reports[0].details == {
        "borrowers_created": 2,
        "borrowers_updated": 0,
        "creditors_created": 2,
    }
    _assert_sample_loaded(session)


def test_english_headers_in_any_case_and_spacing(session, tmp_path, now):
    _load_all(session, tmp_path, "utf-8", now, english=True)
    _assert_sample_loaded(session)
    header = [h.upper().replace("_", " ") for h in LOAN_ZH]  # Chinese unchanged by upper()
    header[0] = " Contract_No "
    path = write_csv(tmp_path / "mixed.csv", header, LOAN_ROWS)
    report = import_file(session, kind="loans", path=path, actor="t", now=now)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)


@pytest.mark.parametrize("fmt", FORMATS)
def test_second_import_changes_nothing(session, tmp_path, now, fmt):
    _load_all(session, tmp_path, fmt, now)
    before = dump(session)
    again = _load_all(session, tmp_path, fmt, now)
    assert [(r.created, r.updated, r.unchanged) for r in again] == [(0, 0, 3), (0, 0, 5), (0, 0, 4)]
    assert again[0].details == {
        "borrowers_created": 0,
        "borrowers_updated": 0,
        "creditors_created": 0,
    }
    assert dump(session) == before


def test_same_data_in_another_format_is_unchanged(session, tmp_path, now):
    _load_all(session, tmp_path, "gbk", now)
    again = _load_all(session, tmp_path, "xlsx", now)
    assert [(r.created, r.updated) for r in again] == [(0, 0), (0, 0), (0, 0)]


def test_changed_rows_are_updated_and_reported_to_the_hook(session, tmp_path, now):
    _load_all(session, tmp_path, "utf-8", now)
    rows = [list(r) for r in LOAN_ROWS]
    rows[1][12] = "4,000.00"  # outstanding principal of HT-2025-002
    rows[2][3] = "13900139000"  # phone of 李四
    path = write_csv(tmp_path / "loans-v2.csv", LOAN_ZH, rows)
    touched: list[list[int]] = []
    report = import_file(
        session,
        kind="loans",
        path=path,
        actor="t",
        now=now,
        after_import=lambda s, ids: touched.append(ids),
    )
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert report.details["borrowers_updated"] == 1
    loan = session.exec(select(Loan).where(Loan.contract_no == "HT-2025-002")).one()
    assert touched == [[loan.id]]
    session.expire_all()
    assert loan.outstanding_principal == Decimal("4000.00")
    assert session.exec(select(Borrower).where(Borrower.id_number == ID_B)).one().phone == (
        "13900139000"
    )


def test_hook_gets_the_loans_of_new_ledger_and_contact_rows(session, tmp_path, now):
    _import(session, tmp_path, "loans", "utf-8", now)
    seen: dict[str, list[int]] = {}
    for kind in ("ledger", "contacts"):
        _import(session, tmp_path, kind, "utf-8", now,
                after_import=lambda s, ids, kind=kind: seen.setdefault(kind, ids))  # fmt: skip
    all_ids = sorted(session.exec(select(Loan.id)).all())
    assert seen == {"ledger": all_ids, "contacts": all_ids}


def test_absent_optional_columns_leave_stored_values_alone(session, tmp_path, now):
    _import(session, tmp_path, "loans", "utf-8", now)
    keep = [
        i
        for i, h in enumerate(LOAN_ZH)
        if h not in ("邮箱", "逾期利率", "仲裁机构", "约定管辖法院")
    ]
    path = write_csv(
        tmp_path / "short.csv",
        [LOAN_ZH[i] for i in keep],
        [[r[i] for i in keep] for r in LOAN_ROWS],
    )
    report = import_file(session, kind="loans", path=path, actor="t", now=now)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    loan = session.exec(select(Loan).where(Loan.contract_no == "HT-2025-001")).one()
    assert loan.overdue_rate == Decimal("0.24") and loan.agreed_court == "北京市东城区人民法院"


def test_audit_entry_names_file_hash_and_counts(session, tmp_path, now):
    path = sample_file(tmp_path, "loans", "gbk")
    report = import_file(session, kind="loans", path=path, actor="tester", now=now)
    assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    entry = session.exec(select(AuditEntry)).one()
    assert (entry.actor, entry.action, entry.object_id, entry.at) == (
        "tester",
        "intake.loans",
        "loans.csv",
        now,
    )
    assert entry.detail["sha256"] == report.sha256
    assert entry.detail["encoding"] == "gb18030"
    assert {k: entry.detail[k] for k in ("rows", "created", "updated", "unchanged")} == {
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
    }


def test_import_bytes_takes_an_upload(session, tmp_path, now):
    for kind in ("loans", "ledger", "contacts"):
        data = sample_file(tmp_path, kind, "xlsx").read_bytes()
        report = import_bytes(
            session, kind=kind, data=data, filename=f"上传-{kind}.xlsx", actor="web", now=now
        )
        assert report.file == f"上传-{kind}.xlsx"
        assert report.sha256 == hashlib.sha256(data).hexdigest()
    _assert_sample_loaded(session)


def test_progress_reports_rows_checked_then_rows_written(session, tmp_path, now, monkeypatch):
    monkeypatch.setattr("legal_track.intake.service.CHUNK_ROWS", 2)
    calls: list[tuple[int, int]] = []
    _import(session, tmp_path, "loans", "utf-8", now, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(2, 0), (3, 0), (2, 3), (3, 3)]


def test_small_chunks_give_the_same_result(session, tmp_path, now, monkeypatch):
    monkeypatch.setattr("legal_track.intake.service.CHUNK_ROWS", 1)
    monkeypatch.setattr("legal_track.intake.store.IN_CHUNK", 1)
    _load_all(session, tmp_path, "xlsx", now)
    _assert_sample_loaded(session)
    assert [r.unchanged for r in _load_all(session, tmp_path, "xlsx", now)] == [3, 5, 4]


def test_contact_times_without_zone_use_the_given_timezone(session, tmp_path, now):
    _import(session, tmp_path, "loans", "utf-8", now)
    path = write_csv(
        tmp_path / "c.csv",
        ["contract_no", "time", "channel", "target", "content", "delivery_status", "agent"],
        [["HT-2025-001", "2025-07-01 09:30", "sms", "1", "", "", ""]],
    )
    import_file(session, kind="contacts", path=path, actor="t", now=now, timezone="UTC")
    assert session.exec(select(ContactLog.at)).one() == datetime(2025, 7, 1, 9, 30, tzinfo=UTC)


def test_blank_rows_are_skipped_and_rows_keep_their_numbers(session, tmp_path, now):
    path = write_csv(tmp_path / "gaps.csv", LOAN_ZH, [LOAN_ROWS[0], [""] * 16, LOAN_ROWS[1]])
    report = import_file(session, kind="loans", path=path, actor="t", now=now)
    assert report.rows == 2 and counts(session)["Loan"] == 2


def test_tab_separated_text_from_excel_unicode_export(session, tmp_path, now):
    text = "\r\n".join("\t".join(row) for row in [LOAN_ZH, *LOAN_ROWS]) + "\r\n"
    path = tmp_path / "loans.txt"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    report = import_file(session, kind="loans", path=path, actor="t", now=now)
    assert report.created == 3
