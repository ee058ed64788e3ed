"""`legal-track audit verify` and `legal-track audit export` on the configured database."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import UTC, datetime

from sqlmodel import Session, select
from typer.testing import CliRunner

from legal_track.audit import AuditEvent, record
from legal_track.cli import app
from legal_track.config import get_settings
from legal_track.db import make_engine, migrate
from legal_track.models import AuditEntry
from tests.spreadsheets import HOSTILE_NAME, HOSTILE_PURPOSE, assert_inert_xlsx

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def seed(entries: list[tuple[datetime, str, str]]) -> str:
    url = get_settings().database_url
    engine = make_engine(url)
    migrate(engine)
    with Session(engine) as s:
        for at, actor, object_id in entries:
            record(s, AuditEvent(actor, "case.view", "case", object_id, {"role": "staff"}), now=at)
        s.commit()
    engine.dispose()
    return url.split("///", 1)[1]


def test_verify_passes_then_names_the_edited_entry(env):
    path = seed([(datetime(2026, 12, 1, 1, tzinfo=UTC), "li", "LT-2026-000001")] * 3)
    ok = invoke("audit", "verify")
    assert ok.exit_code == 0, ok.output
    assert "audit chain intact: 3 entries" in ok.output
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE auditentry SET object_id = 'LT-2026-000999' WHERE seq = 2")
    broken = invoke("audit", "verify")
    assert broken.exit_code == 1
    assert "BROKEN (edited) at entry 2, seq 2" in broken.output, broken.output
    as_json = json.loads(invoke("audit", "verify", "--json").stdout)
    assert as_json["ok"] is False and as_json["problem"]["seq"] == 2


def test_each_verification_is_itself_audited(env):
    seed([])
    invoke("audit", "verify")
    engine = make_engine(get_settings().database_url)
    with Session(engine) as s:
        (entry,) = s.exec(select(AuditEntry).where(AuditEntry.action == "audit.verify")).all()
        assert entry.actor == "cli" and entry.detail["ok"] is True
    engine.dispose()


def _hostile_rows():
    return [
        (datetime(2026, 11, 30, 15, 59, tzinfo=UTC), "early", "x"),  # 23:59 on Nov 30 local
        (datetime(2026, 11, 30, 16, 0, tzinfo=UTC), HOSTILE_PURPOSE, HOSTILE_NAME),  # Dec 1
        (datetime(2026, 12, 2, 15, 59, tzinfo=UTC), "li", "-2+3"),  # 23:59 on Dec 2
        (datetime(2026, 12, 2, 16, 0, tzinfo=UTC), "late", "y"),  # Dec 3
    ]


def test_export_csv_covers_local_days_and_keeps_cells_inert(env):
    seed(_hostile_rows())
    out = env / "audit.csv"
    done = invoke(
        "audit", "export", "--from", "2026-12-01", "--to", "2026-12-02", "--out", str(out)
    )
    assert done.exit_code == 0, done.output
    assert "wrote 2 entries" in done.output
    text = out.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["seq"] for r in rows] == ["2", "3"], "Asia/Shanghai days, both ends included"
    assert rows[0]["actor"] == "'" + HOSTILE_PURPOSE and rows[0]["object_id"] == "'" + HOSTILE_NAME
    assert rows[1]["object_id"] == "'-2+3"
    assert rows[0]["at_utc"] == "2026-11-30T16:00:00.000000Z"
    assert rows[0]["at_local"] == "2026-12-01 00:00:00"
    assert len(rows[0]["hash"]) == 64 and rows[1]["prev_hash"] == rows[0]["hash"]


def test_export_xlsx_keeps_cells_inert_and_is_audited(env):
    seed(_hostile_rows())
    out = env / "audit.xlsx"
    done = invoke(
        "audit", "export", "--from", "2026-12-01", "--to", "2026-12-01", "--out", str(out)
    )
    assert done.exit_code == 0, done.output
    values = assert_inert_xlsx(out)
    assert values[0][:3] == ["seq", "id", "at_utc"]
    assert [row[0] for row in values[1:]] == [2]
    assert values[1][4] == HOSTILE_PURPOSE, "shown unchanged, as text"
    engine = make_engine(get_settings().database_url)
    with Session(engine) as s:
        (entry,) = s.exec(select(AuditEntry).where(AuditEntry.action == "audit.export")).all()
        assert entry.detail["rows"] == 1 and entry.detail["file"] == "audit.xlsx"
        assert len(entry.detail["sha256"]) == 64
    engine.dispose()


def test_export_refuses_other_formats_and_a_backward_range(env):
    seed([])
    bad = invoke("audit", "export", "--from", "2026-12-01", "--to", "2026-12-02", "--out", "a.pdf")
    assert bad.exit_code == 1 and "write .csv or .xlsx" in bad.output
    back = invoke("audit", "export", "--from", "2026-12-03", "--to", "2026-12-02", "--out", "a.csv")
    assert back.exit_code == 1 and "is after" in back.output
