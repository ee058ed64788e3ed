"""Recording audit entries as a hash chain.

Each entry stores its place in the chain (`seq`, 1, 2, 3, ... without gaps), the hash of
the entry before it (`prev_hash`; the first entry has `GENESIS`) and `hash`, the SHA-256
of its canonical content (below) including `seq` and `prev_hash`. Changing, removing or
adding an entry behind the application's back breaks the chain at that entry, which
`verify.verify_chain` finds.

Concurrency: `record` first moves the one-row chain head (`auditchain`) forward with
``UPDATE auditchain SET seq = seq + 1 WHERE id = 1 RETURNING seq, last_hash``. On SQLite
that statement takes the database's write lock, on PostgreSQL the row's lock, both held
until the transaction commits or rolls back; a second writer waits at the same statement
and then sees the first one's entry as the head. Two processes can therefore never chain
two entries to the same predecessor. A rolled-back transaction rolls the head back too,
so no number is skipped.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from legal_track.db import utcnow_from
from legal_track.models.user import AuditChain, AuditEntry

GENESIS = "0" * 64  # the prev_hash of the first entry
HEAD_ID = 1
HASH_VERSION = 1  # part of the hashed content: a new canonical form gets a new number


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """A typed audit record; `record` adds it to the session (the caller commits)."""

    actor: str
    action: str
    object_type: str = ""
    object_id: str = ""
    detail: dict = field(default_factory=dict)


def timestamp_text(at: datetime) -> str:
    """The one text form of a timestamp that is hashed: UTC, microseconds, `Z`. SQLite and
    PostgreSQL both keep microseconds, so the entry read back hashes the same."""
    return utcnow_from(at).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def plain_json(value: Any) -> Any:
    """`value` as the database gives it back from a JSON column (string keys, lists, no
    dates or decimals: those become text), so that the hash recorded equals the hash
    recomputed from the stored row."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def canonical(*, seq: int, prev_hash: str, at: datetime, actor: str, action: str,
              object_type: str, object_id: str, detail: Any) -> bytes:  # fmt: skip
    """The bytes an entry's hash is computed over: sorted-key, compact UTF-8 JSON."""
    body = {
        "v": HASH_VERSION,
        "seq": int(seq),
        "prev": prev_hash,
        "at": timestamp_text(at),
        "actor": actor,
        "action": action,
        "object_type": object_type or "",
        "object_id": object_id or "",
        "detail": detail if detail is not None else {},
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(entry: Any, *, seq: int | None = None) -> str:
    """The SHA-256 (hex) of `entry`'s canonical content (`seq` overrides its number);
    `entry` is an AuditEntry or a row with the same attributes."""
    data = canonical(
        seq=entry.seq if seq is None else seq,
        prev_hash=entry.prev_hash,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        detail=entry.detail,
    )
    return hashlib.sha256(data).hexdigest()


_head = AuditChain.__table__


def _advance(session: Session) -> tuple[int, str]:
    """Move the chain head one place on (locking it until commit): the new entry's
    number and the hash of the entry before it."""
    step = (
        update(_head)
        .where(_head.c.id == HEAD_ID)
        .values(seq=_head.c.seq + 1)
        .returning(_head.c.seq, _head.c.last_hash)
    )
    row = session.execute(step).first()
    if row is None:  # a database made by create_all (tests) or an empty chain
        _create_head(session)
        row = session.execute(step).one()
    return int(row[0]), str(row[1])


def _create_head(session: Session) -> None:
    """Insert the head from the entries there are (none: the genesis); a concurrent writer
    that inserted it first wins and this insert does nothing."""
    entries = AuditEntry.__table__
    last = session.execute(
        select(entries.c.seq, entries.c.hash).order_by(entries.c.seq.desc()).limit(1)
    ).first()
    seq, last_hash = (int(last[0]), str(last[1])) if last else (0, GENESIS)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(
        insert(_head).values(id=HEAD_ID, seq=seq, last_hash=last_hash).on_conflict_do_nothing()
    )


def record(session: Session, event: AuditEvent, *, now: datetime) -> AuditEntry:
    """Add `event` to the session as the next entry of the chain (the caller commits).

    The chain head stays locked until the caller's transaction ends: commit soon after."""
    seq, prev_hash = _advance(session)
    entry = AuditEntry(
        seq=seq,
        prev_hash=prev_hash,
        at=utcnow_from(now),
        actor=event.actor,
        action=event.action,
        object_type=event.object_type or "",
        object_id=str(event.object_id),
        detail=plain_json(event.detail or {}),
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    session.execute(update(_head).where(_head.c.id == HEAD_ID).values(last_hash=entry.hash))
    return entry
