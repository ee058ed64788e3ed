"""Two processes writing audit entries at the same time never fork the chain."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import select

from legal_track.audit import verify_chain
from legal_track.models import AuditEntry

ROOT = Path(__file__).resolve().parents[2]
COUNT = 120  # per writer; every second iteration writes two entries in one transaction


def test_two_processes_write_one_unbroken_chain(db, db_url):
    start_at = time.time() + 2.0
    writers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.audit.writer", db_url, name, str(COUNT), str(start_at)],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for name in ("writer-a", "writer-b")
    ]
    for w in writers:
        _, err = w.communicate(timeout=300)
        assert w.returncode == 0, err
    per_writer = COUNT + COUNT // 2
    entries = db.exec(select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert len(entries) == 2 * per_writer
    assert [e.seq for e in entries] == list(range(1, 2 * per_writer + 1)), "no gap, no repeat"
    actors = [e.actor for e in entries]
    switches = sum(1 for a, b in zip(actors, actors[1:], strict=False) if a != b)
    assert switches > 2, "the writers really interleaved"
    report = verify_chain(db)
    assert report.ok, report.problem
    assert report.entries == 2 * per_writer
