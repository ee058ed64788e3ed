"""A separate process writing audit entries (run by test_concurrency):
`python -m tests.audit.writer URL NAME COUNT START_AT`."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

from sqlmodel import Session, select

import legal_track.models  # noqa: F401
from legal_track.audit import AuditEvent, record
from legal_track.db import make_engine
from legal_track.models import AuditEntry


def main(url: str, name: str, count: int, start_at: float) -> None:
    engine = make_engine(url)
    while time.time() < start_at:  # both writers start together
        time.sleep(0.005)
    for i in range(count):
        with Session(engine) as s:
            s.exec(select(AuditEntry.id).limit(1)).all()  # a read before the write, as services do
            record(s, AuditEvent(name, "concurrency.write", "test", str(i), {"i": i}),
                   now=datetime.now(UTC))  # fmt: skip
            if i % 2:
                record(s, AuditEvent(name, "concurrency.second", "test", str(i)),
                       now=datetime.now(UTC))  # fmt: skip
            s.commit()
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
