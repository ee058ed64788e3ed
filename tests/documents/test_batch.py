"""Batch: selection, preflight report, one zip with a folder per case and report.csv."""

from __future__ import annotations

import csv
import io
import json
import threading
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from legal_track.documents.batch import (
    CaseFilter,
    preflight_batch,
    run_batch,
    select_cases,
    start_method,
)
from legal_track.documents.history import read_document
from legal_track.documents.registry import ensure_builtin, upload_template
from legal_track.models import AuditEntry, CaseEvent, CaseLoan, GeneratedDocument, GeneratedFile
from tests.documents.conftest import docx_text, full_case
from tests.documents.test_registry import variant
from tests.factories import make_case, make_loan

TODAY = date(2026, 11, 29)


def report_rows(zip_path) -> list[dict]:
    with zipfile.ZipFile(zip_path) as zf:
        text = zf.read("report.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_select_cases_by_filter_and_by_list(session, now, settings):
    a = full_case(session)  # overdue since 2025-03-10
    b = full_case(session, stage="lit_filed")
    c = make_case(session, loans=[make_loan(session, overdue_since=date(2026, 11, 1))])
    closed = full_case(session, stage="closed")
    session.add(
        CaseEvent(case_id=b.id, kind="demand_letter_sent", on=TODAY, actor="x", created_at=now)
    )
    session.commit()
    pick = lambda **kw: select_cases(session, filters=CaseFilter(**kw), today=TODAY)  # noqa: E731
    assert pick() == sorted([a.id, b.id, c.id], key=lambda i: i)
    assert pick(stage="demand_letter") == [a.id]
    assert pick(min_dpd=90) == [a.id, b.id]
    assert pick(no_demand_letter=True) == [a.id, c.id]
    assert pick(case_refs=(c.ref, a.ref)) == [c.id, a.id], "a list keeps its order"
    assert closed.id in pick(include_closed=True)
    with pytest.raises(LookupError, match="unknown case references: LT-NOPE"):
        pick(case_refs=("LT-NOPE",))


def test_batch_with_one_broken_case(session, now, settings, tmp_path):
    good = [full_case(session) for _ in range(3)]
    broken = full_case(session, borrower={"address": ""})
    ids = [good[0].id, broken.id, good[1].id, good[2].id]
    report = preflight_batch(
        session, template_id="demand_letter", case_ids=ids, now=now, settings=settings
    )
    assert [r.ok for r in report] == [True, False, True, True]

    seen = []
    out = tmp_path / "letters.zip"
    result = run_batch(session, template_id="demand_letter", case_ids=ids, out=out, actor="alice", now=now,
                       settings=settings, progress=lambda done, total: seen.append((done, total)))  # fmt: skip
    assert (result.ok, result.failed) == (3, 1)
    assert seen[-1] == (4, 4) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    rows = report_rows(out)
    assert [r["case_ref"] for r in rows] == [good[0].ref, broken.ref, good[1].ref, good[2].ref]
    assert [r["status"] for r in rows] == ["ok", "failed", "ok", "ok"]
    assert "no service address for borrower" in rows[1]["reason"]
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
    assert f"{good[0].ref}/{good[0].ref}_demand_letter.docx" in names
    assert not any(n.startswith(broken.ref + "/") for n in names), "no folder for a failed case"

    docs = session.exec(
        select(GeneratedDocument).where(GeneratedDocument.batch_id == result.batch_id)
    ).all()
    assert sorted(d.case_id for d in docs) == sorted(c.id for c in good)
    for doc in docs:
        assert doc.zip_member and doc.path == str(out)
        data = read_document(doc)
        assert "律 师 函" in docx_text(data)
        assert (
            next(r for r in rows if r["case_ref"] == doc.context["case"]["ref"])["sha256"]
            == doc.sha256
        )
    zip_file = session.get(GeneratedFile, docs[0].file_id)
    assert zip_file.kind == "document_batch" and zip_file.versions["batch"] == result.batch_id
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "document.batch")).one()
    assert audit.detail["ok"] == 3 and audit.detail["failed"] == 1


def test_batch_on_worker_processes_isolates_a_render_failure(session, now, settings, tmp_path):
    """A case that passes preflight but fails while rendering (in a worker) fails alone."""
    ensure_builtin(session, now=now, settings=settings)
    data, meta, sample = variant(
        "power_of_attorney", "2", extra="第二份合同：{{ loans[1].contract_no }}"
    )
    sample_data = json.loads(sample)
    sample_data["loans"].append(dict(sample_data["loans"][0], contract_no="HT-2"))
    upload_template(session, data=data, meta_text=meta, sample_text=json.dumps(sample_data, ensure_ascii=False),
                    actor="a", now=now, activate=True, settings=settings)  # fmt: skip
    cases = [full_case(session) for _ in range(5)]
    two = cases[2]
    extra = make_loan(
        session, borrower_id=two.borrower_id, outstanding_principal=Decimal("20000.00")
    )
    session.add(CaseLoan(case_id=two.id, loan_id=extra.id))
    session.commit()
    out = tmp_path / "poa.zip"
    result = run_batch(session, template_id="power_of_attorney", case_ids=[c.id for c in cases], out=out,
                       actor="a", now=now, settings=settings, workers=2, chunk_size=1)  # fmt: skip
    statuses = {r.case_ref: (r.status, r.reason) for r in result.rows}
    assert statuses[two.ref] == ("ok", "")
    failed = [ref for ref, (status, _) in statuses.items() if status == "failed"]
    assert len(failed) == 4
    assert all("power_of_attorney@2: missing field loans[1]" in statuses[ref][1] for ref in failed)
    assert [r["status"] for r in report_rows(out)].count("ok") == 1


def test_nothing_is_left_behind_when_the_batch_fails(session, now, settings, tmp_path):
    case = full_case(session)
    out = tmp_path / "x.zip"
    with pytest.raises(LookupError, match="no cases with ids"):
        run_batch(session, template_id="demand_letter", case_ids=[case.id, 9999], out=out, actor="a", now=now,
                  settings=settings)  # fmt: skip
    assert not out.exists()
    assert session.exec(select(GeneratedDocument)).all() == []


def test_batch_started_from_a_threaded_server_spawns_its_workers(session, now, settings, tmp_path):
    """The app server runs many threads: workers are spawned, not forked, and still work."""
    cases = [full_case(session) for _ in range(3)]
    outcome: dict = {}

    def in_thread() -> None:
        outcome["method"] = start_method()
        outcome["result"] = run_batch(session, template_id="power_of_attorney", case_ids=[c.id for c in cases],
                                      out=tmp_path / "t.zip", actor="a", now=now, settings=settings, workers=2,
                                      chunk_size=1)  # fmt: skip

    worker = threading.Thread(target=in_thread)
    worker.start()
    worker.join(timeout=300)
    assert not worker.is_alive()
    assert outcome["method"] == "spawn"
    assert outcome["result"].ok == 3


def test_the_report_never_holds_a_live_formula(session, now, settings, tmp_path):
    """A case reference or a reason is anyone's text: in report.csv it stays inert."""
    hostile = full_case(session, ref='=HYPERLINK("http://x","y")', borrower={"address": ""})
    good = full_case(session)
    out = tmp_path / "letters.zip"
    run_batch(session, template_id="demand_letter", case_ids=[hostile.id, good.id], out=out,
              actor="alice", now=now, settings=settings)  # fmt: skip
    rows = report_rows(out)
    assert [r["case_ref"] for r in rows] == ["'" + hostile.ref, good.ref]
    assert rows[0]["status"] == "failed" and not rows[0]["reason"].startswith(("=", "+", "-", "@"))
