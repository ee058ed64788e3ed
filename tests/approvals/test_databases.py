"""The approval cycle on the migrated schema, SQLite and PostgreSQL; the chain stays valid."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from legal_track.approvals import ApprovalNeeded, approve, list_requests
from legal_track.audit import verify_chain
from legal_track.cases.events import add_event
from tests.factories import make_case

NOW = datetime(2026, 12, 3, 2, tzinfo=UTC)


def test_request_approve_use(db, monkeypatch):
    from legal_track.config import get_settings

    monkeypatch.setenv("LEGAL_TRACK_APPROVAL_ACTIONS", '["filing"]')
    get_settings.cache_clear()
    case = make_case(db, stage="lit_effective", route="litigation")
    db.commit()
    kw = dict(case_id=case.id, kind="enforcement_applied", on=date(2026, 12, 1), actor="staff1",
              now=NOW, to_stage="enf_applied")  # fmt: skip
    with pytest.raises(ApprovalNeeded, match="#1 pending"):
        add_event(db, **kw)
    approve(db, request_id=1, actor="lead1", now=NOW, reason="ok")
    assert add_event(db, **kw).kind == "enforcement_applied"
    (row,) = list_requests(db)
    assert (row.request.status, row.case_ref) == ("used", case.ref)
    assert verify_chain(db).ok
