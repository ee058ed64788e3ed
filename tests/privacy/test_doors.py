"""The doors to the third-party review: the case page's tab (AppTest), the CLI, the demo
and the retention purge."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from typer.testing import CliRunner

from legal_track.cli import app as cli
from legal_track.cli.common import session
from legal_track.models import AuditEntry, ContactMark, Role, ThirdPartyConsent
from legal_track.privacy.consents import record_consent
from tests.factories import make_borrower, make_case, make_contact, make_loan, make_user

NOW = datetime(2026, 12, 3, 2, tzinfo=UTC)
SISTER, EMPLOYER = "13911110000", "13922220000"
runner = CliRunner()


def _case(db, ref: str):
    borrower = make_borrower(db, phone="13811112222")
    loan = make_loan(db, borrower_id=borrower.id, contract_no=f"HT-{ref[-4:]}")
    case = make_case(db, ref=ref, loans=[loan], stage="demand_letter")
    sister = make_contact(db, loan, at=datetime(2025, 6, 10, 2, tzinfo=UTC), target=SISTER)
    employer = make_contact(db, loan, at=datetime(2025, 6, 11, 2, tzinfo=UTC), target=EMPLOYER)
    make_contact(db, loan, at=datetime(2025, 6, 12, 2, tzinfo=UTC), target="13811112222")
    db.commit()
    record_consent(db, loan_id=loan.id, target=SISTER, name="王芳", relation="relative",
                   basis="consent", since=date(2025, 6, 1), until=None, proof_ref="REC-1",
                   actor="t", role=None, now=NOW)  # fmt: skip
    return case, loan, sister.id, employer.id


def _open_tab(app, user, ref):
    at = app(user).run()
    at.switch_page("legal_track/ui/pages/case.py")
    at.query_params["ref"] = ref
    at.session_state["case.tabs"] = "第三方联系"
    return at.run()


def test_the_lead_sees_the_flag_and_marks_the_row_into_the_bundles(app, db, user_of):
    lead = user_of(Role.lead, username="lead_p")
    case, _loan, sister, employer = _case(db, "LT-2026-710001")
    at = _open_tab(app, lead, case.ref)
    assert not at.exception, at.exception
    assert any("1 条与第三方的联系未记录合法性基础" in w.value for w in at.warning)
    assert any("本案有 1 条与第三方的联系未记录合法性基础" in w.value for w in at.warning), "header"
    frame = next(df.value for df in at.dataframe if "状态" in df.value.columns)
    assert dict(zip(frame["记录编号"], frame["状态"], strict=True)) == {
        sister: "已有合法性记录",
        employer: "未记录合法性基础",
    }
    assert SISTER in set(frame["对象"]), "a lead sees the full number"
    at.selectbox(key="case.privacy.mark.contact").set_value(employer)
    at.text_input(key="case.privacy.mark.reason").set_value("失联修复，录音已复核")
    at.button(key="FormSubmitter:case.privacy.mark-保存标记").click().run()
    assert not at.exception, at.exception
    assert any(f"#{employer}" in s.value for s in at.success), [e.value for e in at.error]
    mark = db.exec(select(ContactMark)).scalars().one()
    assert (mark.contact_id, mark.include, mark.marked_by) == (employer, True, "lead_p")
    at = _open_tab(app, lead, case.ref)
    assert not at.warning, "nothing flagged once the row is marked (tab and header)"
    at.selectbox(key="case.privacy.mark.contact").set_value(employer)
    at.button(key="FormSubmitter:case.privacy.mark-撤销所选记录的标记").click().run()
    assert not at.exception, at.exception
    assert any("标记已撤销" in s.value for s in at.success), [e.value for e in at.error]
    assert db.exec(select(ContactMark)).scalars().all() == []
    at = _open_tab(app, lead, case.ref)
    assert any("1 条与第三方的联系未记录合法性基础" in w.value for w in at.warning), "flagged again"


def test_staff_records_a_basis_but_cannot_mark(app, db, user_of):
    staff = user_of(Role.staff, username="staff_p")
    case, loan, _sister, employer = _case(db, "LT-2026-710002")
    at = _open_tab(app, staff, case.ref)
    assert not at.exception, at.exception
    assert not [b for b in at.button if "case.privacy.mark" in (b.key or "")], "no mark form"
    at.text_input(key="case.privacy.c.target").set_value(EMPLOYER)
    at.selectbox(key="case.privacy.c.relation").set_value("employer")
    at.selectbox(key="case.privacy.c.basis").set_value("legal_duty")
    at.date_input(key="case.privacy.c.since").set_value(date(2025, 6, 1))
    at.text_input(key="case.privacy.c.proof").set_value("函件 HR-7")
    at.button(key="FormSubmitter:case.privacy.consent-保存记录").click().run()
    assert not at.exception, at.exception
    assert any("139****0000" in s.value for s in at.success), [e.value for e in at.error]
    db.expire_all()
    targets = set(db.exec(select(ThirdPartyConsent.target)).scalars())
    assert targets == {SISTER, EMPLOYER}
    at = _open_tab(app, staff, case.ref)
    assert not at.warning


def test_a_bad_record_from_the_form_is_refused_with_what_is_wrong(app, db, user_of):
    staff = user_of(Role.staff, username="staff_q")
    case, *_ = _case(db, "LT-2026-710003")
    at = _open_tab(app, staff, case.ref)
    at.text_input(key="case.privacy.c.target").set_value("13811112222")  # the borrower's
    at.button(key="FormSubmitter:case.privacy.consent-保存记录").click().run()
    assert not at.exception, at.exception
    errors = " ".join(e.value for e in at.error)
    assert "belongs to an obligor" in errors and "needs a proof reference" in errors
    assert db.execute(select(func.count()).select_from(ThirdPartyConsent)).scalar_one() == 1


def test_a_viewer_sees_masked_numbers_and_no_forms(app, db, user_of):
    viewer = user_of(Role.viewer, username="viewer_p")
    case, *_ = _case(db, "LT-2026-710004")
    at = _open_tab(app, viewer, case.ref)
    assert not at.exception, at.exception
    frame = next(df.value for df in at.dataframe if "状态" in df.value.columns)
    assert set(frame["对象"]) == {"139****0000"}
    assert not [b for b in at.button if "case.privacy" in (b.key or "")]


def test_the_cli_lists_flags_marks_and_shows_the_records(env):
    assert runner.invoke(cli, ["init"]).exit_code == 0
    with session() as s:
        case, loan, sister, employer = _case(s, "LT-2026-710005")
        make_user(s, username="lead_c", role=Role.lead)
        make_user(s, username="staff_c", role=Role.staff)
        s.commit()
        contract = loan.contract_no
    result = runner.invoke(cli, ["privacy", "flags", "--json"])
    assert result.exit_code == 0, result.output
    flagged = json.loads(result.stdout)
    assert [r["contact_id"] for r in flagged["LT-2026-710005"]] == [employer]
    refused = runner.invoke(cli, ["privacy", "mark", str(employer), "--include", "--reason",
                                  "失联修复，录音已复核", "--by", "staff_c"])  # fmt: skip
    assert refused.exit_code == 1 and "a staff account may not mark" in refused.output
    short = runner.invoke(cli, ["privacy", "mark", str(employer), "--exclude", "--reason", "否",
                                "--by", "lead_c"])  # fmt: skip
    assert short.exit_code == 1 and "at least 4 characters" in short.output
    done = runner.invoke(cli, ["privacy", "mark", str(employer), "--exclude", "--reason",
                               "与案件无关，不作为证据", "--by", "lead_c"])  # fmt: skip
    assert done.exit_code == 0, done.output
    review = json.loads(
        runner.invoke(cli, ["privacy", "review", "LT-2026-710005", "--json"]).stdout
    )
    assert {r["contact_id"]: (r["status"], r["in_bundle"]) for r in review} == {
        sister: ("covered", True),
        employer: ("excluded", False),
    }
    text = runner.invoke(cli, ["privacy", "flags"])
    assert "0 flagged third-party contact(s)" in text.stdout
    records = json.loads(runner.invoke(cli, ["privacy", "consents", contract, "--json"]).stdout)
    assert [(r["target"], r["basis"]) for r in records] == [(SISTER, "consent")]
    assert runner.invoke(cli, ["privacy", "unmark", str(employer), "--by", "lead_c"]).exit_code == 0
    again = runner.invoke(cli, ["privacy", "unmark", str(employer), "--by", "lead_c"])
    assert again.exit_code == 1 and "has no mark" in again.output
    for command in ("review", "flags"):
        unknown = runner.invoke(cli, ["privacy", command, "LT-2026-999999"])
        assert unknown.exit_code == 1 and "no case with reference" in unknown.output
    with session() as s:
        actions = list(s.exec(select(AuditEntry.action)).scalars())
    assert actions.count("privacy.mark") == 1 and actions.count("privacy.unmark") == 1
