"""Case packages out (export -> verify -> tamper detected; personal data minimised) and
status updates back (applied all or nothing, named by row, the owner told)."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from legal_track.counsel import add_firm, assign_case
from legal_track.counsel.package import export_packages, verify_package
from legal_track.counsel.updates import UpdateError, import_updates
from legal_track.models import AuditEntry, Case, CaseEvent, DeadlineNotice, GeneratedFile
from tests.factories import make_borrower, make_case, make_loan, make_user

NOW = datetime(2026, 12, 3, 2, tzinfo=UTC)
TODAY = date(2026, 12, 3)


def _setup(session, *, filing=True):
    owner = make_user(session, username="owner1", password_hash="-")
    borrower = make_borrower(session, address="北京市东城区示例路1号")
    firm = add_firm(session, name="甲律师事务所", actor="t", now=NOW)
    case = make_case(session, ref="LT-2026-200001", loans=[make_loan(session, borrower_id=borrower.id)],
                     stage="demand_letter", owner_id=owner.id)  # fmt: skip
    assign_case(session, case_id=case.id, firm_id=firm.id, on=date(2026, 11, 1), actor="lead",
                now=NOW, includes_filing=filing)  # fmt: skip
    return firm, case, borrower


@pytest.mark.parametrize("filing", [True, False], ids=["filing", "no_filing"])
def test_export_verify_and_tamper(session, tmp_path, filing):
    _firm, case, borrower = _setup(session, filing=filing)
    out = tmp_path / "pkg.zip"
    report = export_packages(session, case_refs=[case.ref], out=out, actor="lead1", now=NOW,
                             cutoff=TODAY, with_bundle=False)  # fmt: skip
    assert report.cases == (case.ref,) and out.is_file()
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        summary = json.loads(zf.read(f"{case.ref}/case_summary.json"))
    assert manifest["exported_by"] == "lead1" and manifest["created_at"].startswith("2026-12-03")
    assert (
        manifest["case_data_versions"][case.ref] and manifest["firms"][case.ref] == "甲律师事务所"
    )
    full = summary["borrower"]["id_number"] == borrower.id_number
    assert full is filing, "the full ID number only when the firm files"
    assert verify_package(out).ok
    assert session.execute(select(func.count()).select_from(GeneratedFile).where(
        GeneratedFile.case_id == case.id, GeneratedFile.kind == "counsel_package")).scalar() == 1  # fmt: skip
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "counsel.export")).first()
    # tamper: change a member, add one, remove one
    tampered = tmp_path / "t.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(tampered, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.endswith("case_summary.json"):
                data = data.replace(b"demand_letter", b"lit_judgment")
            dst.writestr(item, data)
        dst.writestr(f"{case.ref}/extra.pdf", b"%PDF-1.4 not ours")
    result = verify_package(tampered)
    assert not result.ok
    assert any("case_summary.json: SHA-256 differs" in p for p in result.problems)
    assert any("extra.pdf: in the zip but not in the manifest" in p for p in result.problems)


def test_export_refuses_an_unassigned_case(session, tmp_path):
    from legal_track.counsel.package import PackageError

    case = make_case(session, ref="LT-2026-200009")
    with pytest.raises(PackageError, match="not assigned to a law firm"):
        export_packages(session, case_refs=[case.ref], out=tmp_path / "x.zip", actor="t",
                        now=NOW, cutoff=TODAY, with_bundle=False)  # fmt: skip
    assert not (tmp_path / "x.zip").exists()


def _csv(rows, encoding="gbk") -> bytes:
    lines = ["案件编号,事件,日期,详情"] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def test_updates_are_applied_and_the_owner_is_told(session):
    firm, case, _ = _setup(session)
    data = _csv([
        [case.ref, "起诉状递交", "2026-11-20", ""],
        [case.ref, "case_accepted", "2026-11-25", "court_case_no=（2026）京0101民初88号"],
    ])  # fmt: skip
    report = import_updates(session, data=data, filename="进展.csv", actor="lawyer_a", now=NOW,
                            today=TODAY, firm_id=firm.id)  # fmt: skip
    assert report.events == 2 and report.cases == (case.ref,)
    session.refresh(case)
    assert case.stage == "lit_accepted", "the stage follows the reported events"
    kinds = [e.kind for e in session.exec(select(CaseEvent).order_by(CaseEvent.on)).scalars()]
    assert kinds == ["complaint_filed", "case_accepted"]
    notices = session.exec(select(DeadlineNotice)).scalars().all()
    assert len(notices) == 2 and all(n.owner_id == case.owner_id for n in notices)
    assert "甲律师事务所 报告" in notices[0].message_zh


def test_one_bad_row_changes_nothing(session):
    firm, case, _ = _setup(session)
    other = make_case(session, ref="LT-2026-200002", stage="demand_letter")
    data = _csv([
        [case.ref, "complaint_filed", "2026-11-20", ""],
        [case.ref, "award_received", "2026-11-21", ""],  # arbitration award on a court case
        [other.ref, "complaint_filed", "2026-11-22", ""],  # not assigned to the firm
        ["LT-2026-999999", "complaint_filed", "2026-11-22", ""],
        [case.ref, "hearing_scheduled", "2027-01-05", ""],  # in the future
    ])  # fmt: skip
    with pytest.raises(UpdateError) as caught:
        import_updates(session, data=data, filename="进展.csv", actor="lawyer_a", now=NOW,
                       today=TODAY, firm_id=firm.id)  # fmt: skip
    problems = caught.value.problems
    assert any(
        p.startswith("进展.csv row 4, column 案件编号: LT-2026-200002 is not assigned")
        for p in problems
    )
    assert any(p.startswith("进展.csv row 5, column 案件编号: no case") for p in problems)
    assert any(
        p.startswith("进展.csv row 6, column 日期: 2027-01-05 is in the future") for p in problems
    )
    assert session.execute(select(func.count()).select_from(CaseEvent)).scalar() == 0
    session.refresh(case)
    assert case.stage == "demand_letter"
    only_transition = _csv([[case.ref, "complaint_filed", "2026-11-20", ""],
                            [case.ref, "award_received", "2026-11-21", ""]])  # fmt: skip
    with pytest.raises(UpdateError, match="row 3"):
        import_updates(session, data=only_transition, filename="进展.csv", actor="x", now=NOW,
                       today=TODAY, firm_id=firm.id)  # fmt: skip
    assert session.execute(select(func.count()).select_from(CaseEvent)).scalar() == 0
    assert session.get(Case, case.id).stage == "demand_letter"


def test_firm_performance_counts_fees_for_the_stages_reached(session):
    from decimal import Decimal

    from legal_track.analytics.recoveries import refresh_recovery
    from legal_track.counsel.performance import firm_performance
    from tests.factories import make_ledger

    owner = make_user(session, username="o2", password_hash="-")
    firm = add_firm(session, name="乙律师事务所", actor="t", now=NOW,
                    fee_per_stage={"lit_filed": Decimal("1500"), "lit_judgment": Decimal("3000")},
                    fee_rate=Decimal("0.10"))  # fmt: skip
    loan = make_loan(session)
    case = make_case(session, ref="LT-2026-300001", loans=[loan], stage="demand_letter",
                     owner_id=owner.id, opened_on=date(2026, 10, 1))  # fmt: skip
    assign_case(session, case_id=case.id, firm_id=firm.id, on=date(2026, 10, 5), actor="t", now=NOW)
    import_updates(session, data=_csv([[case.ref, "complaint_filed", "2026-10-10", ""]]),
                   filename="u.csv", actor="x", now=NOW, today=TODAY, firm_id=firm.id)  # fmt: skip
    make_ledger(session, loan, amount=Decimal("2000.00"), booked_on=date(2026, 11, 1))
    refresh_recovery(session, case_ids=[case.id])  # the factory writes the ledger directly
    session.commit()
    [row] = firm_performance(session, today=TODAY)
    assert (row["open_cases"], row["recovered"]) == (1, Decimal("2000.00"))
    assert row["stage_fees"] == Decimal("1500.00") and row["recovery_fees"] == Decimal("200.00")
    assert row["fees_due"] == Decimal("1700.00")


def test_a_reported_update_reaches_the_owner_in_the_digest(session):
    from legal_track.reminders.sources import notice_entries

    firm, case, _ = _setup(session)
    import_updates(session, data=_csv([[case.ref, "complaint_filed", "2026-11-20", ""]]),
                   filename="u.csv", actor="lawyer", now=NOW, today=TODAY, firm_id=firm.id)  # fmt: skip
    entries = [(owner, n) for owner, n in notice_entries(session) if n.case_ref == case.ref]
    assert [owner for owner, _ in entries] == [case.owner_id]
    assert "甲律师事务所 报告" in entries[0][1].message_zh, "the digest's notices section says it"


def test_a_bad_cell_and_a_missing_column_are_named_like_every_import(session):
    firm, case, _ = _setup(session)
    with pytest.raises(UpdateError) as caught:
        import_updates(session, data=_csv([[case.ref, "complaint_filed", "明天", ""]]),
                       filename="进展.csv", actor="x", now=NOW, today=TODAY, firm_id=firm.id)  # fmt: skip
    assert caught.value.problems[0].startswith("进展.csv row 2, column 日期: not a date")
    with pytest.raises(UpdateError, match="missing column"):
        import_updates(session, data="案件编号,日期\n".encode(), filename="进展.csv", actor="x",
                       now=NOW, today=TODAY, firm_id=firm.id)  # fmt: skip
    assert session.execute(select(func.count()).select_from(CaseEvent)).scalar() == 0


def test_counsel_reports_mediation_events_where_the_transition_allows(session):
    firm, case, _ = _setup(session)
    data = _csv([
        [case.ref, "申请诉前调解", "2026-11-02", "mediator=东城区人民调解委员会"],
        [case.ref, "mediation_agreement", "2026-11-20", "effective_on=2026-11-20"],
    ])  # fmt: skip
    report = import_updates(session, data=data, filename="进展.csv", actor="lawyer_a", now=NOW,
                            today=TODAY, firm_id=firm.id)  # fmt: skip
    assert report.events == 2
    session.refresh(case)
    assert (case.route, case.stage) == ("mediation", "med_agreement")
    # a payment-order step does not follow a mediation agreement
    with pytest.raises(UpdateError, match="row 2.*allowed next"):
        import_updates(session, data=_csv([[case.ref, "payment_order_applied", "2026-11-25", ""]]),
                       filename="u.csv", actor="x", now=NOW, today=TODAY, firm_id=firm.id)  # fmt: skip
    # an agreement with instalments is the team's to record, with its plan
    with pytest.raises(UpdateError, match="settlement add"):
        import_updates(session, data=_csv([[case.ref, "settlement_agreed", "2026-11-25", ""]]),
                       filename="u.csv", actor="x", now=NOW, today=TODAY, firm_id=firm.id)  # fmt: skip
    session.rollback()
    assert session.get(Case, case.id).stage == "med_agreement"
