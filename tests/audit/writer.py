"""A separate process writing audit entries (run by test_concurrency):
`python -m tests.audit.writer URL NAME COUNT`. It prints "ready" once connected and
starts writing when the parent sends a line, so both writers start together."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from sqlmodel import Session, select

import legal_track.models  # noqa: F401
from legal_track.audit import AuditEvent, record
from legal_track.db import make_engine
from legal_track.models import AuditEntry


def main(url: str, name: str, count: int) -> None:
    engine = make_engine(url)
    with engine.connect():
        pass
    print("ready", flush=True)
    sys.stdin.readline()  # the starting signal
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
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
