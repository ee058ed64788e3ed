"""Re-walking the audit chain: the first entry that was edited, deleted or inserted.

The walk reads the entries in `seq` order, in batches, and checks for each one that

- its number follows the one before (a gap: entries were deleted; a repeat or a number
  past the chain head: an entry was inserted);
- its content still gives its stored hash (otherwise it was edited; when the hash comes
  out right for the number one higher or lower, it was renumbered to hide an insertion or
  a deletion before it);
- its `prev_hash` is the stored hash of the entry before (otherwise that entry was
  replaced, or edited and its hash recomputed; when it matches the entry two back, the
  entry in between was inserted);

and, at the end, that the chain head names the last entry (entries deleted at the end).

Without a secret key a person who can write to the database can still rebuild the whole
chain from the point of a change; `ChainReport.head_hash` is the value to note down
elsewhere (a dated e-mail, the board minutes) so that such a rebuild shows too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from legal_track.audit.chain import GENESIS, HEAD_ID, AuditEvent, entry_hash, record
from legal_track.models.user import AuditChain, AuditEntry
from legal_track.privacy import DECIDER_ROLES, check_role

BATCH = 2000


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """Where the chain breaks first: the entry (id and seq) and what differs."""

    kind: str  # edited | deleted | inserted | head
    entry_id: int | None
    seq: int | None
    message: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    entries: int  # entries walked
    head_seq: int
    head_hash: str
    problem: ChainProblem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def as_dict(self) -> dict:
        problem = None
        if self.problem is not None:
            p = self.problem
            problem = {"kind": p.kind, "entry_id": p.entry_id, "seq": p.seq, "message": p.message}
        return {"ok": self.ok, "entries": self.entries, "head_seq": self.head_seq,
                "head_hash": self.head_hash, "problem": problem}  # fmt: skip


_t = AuditEntry.__table__


def _entries(session: Session, batch: int):
    """Rows (not ORM objects: nothing piles up in the caller's session), by seq, in
    keyset-paged batches."""
    after = None
    while True:
        query = select(_t).order_by(_t.c.seq, _t.c.id).limit(batch)
        if after is not None:
            query = query.where(_t.c.seq > after)
        rows = session.execute(query).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].seq


def _who(e) -> str:
    return f"entry #{e.id} (seq {e.seq}, {e.action} by {e.actor})"


def _check(e, prev, before_prev,
           expected: int, head_seq: int) -> ChainProblem | None:  # fmt: skip
    if e.seq > head_seq:
        return ChainProblem("inserted", e.id, e.seq,
                            f"{_who(e)} lies beyond the chain head (seq {head_seq}): inserted")  # fmt: skip
    if e.seq < expected:
        return ChainProblem("inserted", e.id, e.seq,
                            f"{_who(e)} repeats seq {e.seq}: inserted")  # fmt: skip
    if e.seq > expected:
        missing = str(expected) if e.seq == expected + 1 else f"{expected}–{e.seq - 1}"
        after = f"after entry #{prev.id} " if prev is not None else "at the start "
        return ChainProblem("deleted", e.id, e.seq,
                            f"seq {missing} missing {after}before {_who(e)}: deleted")  # fmt: skip
    stored_prev = prev.hash if prev is not None else GENESIS
    content_ok = entry_hash(e) == e.hash
    if not content_ok:
        if entry_hash(e, seq=e.seq - 1) == e.hash:
            if prev is not None and e.prev_hash == (before_prev.hash if before_prev else GENESIS):
                return ChainProblem("inserted", prev.id, prev.seq,
                                    f"{_who(prev)} was inserted: {_who(e)}, renumbered from seq "
                                    f"{e.seq - 1}, records the entry before it as its "
                                    "predecessor")  # fmt: skip
            return ChainProblem("inserted", e.id, e.seq,
                                f"{_who(e)} was renumbered from seq {e.seq - 1}: an entry was "
                                "inserted before it")  # fmt: skip
        if entry_hash(e, seq=e.seq + 1) == e.hash:
            return ChainProblem("deleted", e.id, e.seq,
                                f"{_who(e)} was renumbered from seq {e.seq + 1}: an entry "
                                "before it was deleted")  # fmt: skip
        return ChainProblem("edited", e.id, e.seq,
                            f"{_who(e)}: its content no longer matches its hash: edited")  # fmt: skip
    if e.prev_hash != stored_prev:
        if prev is not None and before_prev is not None and e.prev_hash == before_prev.hash:
            return ChainProblem("inserted", prev.id, prev.seq,
                                f"{_who(prev)} is not in the chain {_who(e)} records: inserted")  # fmt: skip
        if prev is None:
            return ChainProblem("edited", e.id, e.seq,
                                f"{_who(e)} does not start the chain: entries before it were "
                                "deleted and it was renumbered, or it was replaced")  # fmt: skip
        return ChainProblem("edited", prev.id, prev.seq,
                            f"{_who(prev)} is not the entry {_who(e)} follows: replaced, or "
                            "edited and its hash recomputed")  # fmt: skip
    return None


def verify_chain(session: Session, *, batch: int = BATCH,
                 progress: Callable[[int, int], None] | None = None) -> ChainReport:  # fmt: skip
    """Walk the whole chain; the report names the first broken entry, if any. Read only."""
    head = session.get(AuditChain, HEAD_ID)
    head_seq = head.seq if head is not None else 0
    head_hash = head.last_hash if head is not None else GENESIS
    prev = before_prev = None
    walked = 0
    for e in _entries(session, batch):
        if head is None:
            return ChainReport(walked, 0, GENESIS, ChainProblem(
                "head", None, None, "the chain head row (auditchain) is missing: deleted"))  # fmt: skip
        expected = (prev.seq + 1) if prev is not None else 1
        problem = _check(e, prev, before_prev, expected, head_seq)
        if problem is not None:
            return ChainReport(walked, head_seq, head_hash, problem)
        before_prev, prev = prev, e
        walked += 1
        if progress is not None and walked % batch == 0:
            progress(walked, head_seq)
    last_seq = prev.seq if prev is not None else 0
    last_hash = prev.hash if prev is not None else GENESIS
    problem = None
    if head_seq > last_seq:
        missing = str(head_seq) if head_seq == last_seq + 1 else f"{last_seq + 1}–{head_seq}"
        after = f"after entry #{prev.id}" if prev is not None else "(no entry left)"
        problem = ChainProblem("deleted", None, last_seq + 1,
                               f"seq {missing} missing at the end {after}: deleted")  # fmt: skip
    elif head is not None and head_hash != last_hash:
        problem = ChainProblem("edited", prev.id if prev else None, last_seq,
                               f"{_who(prev) if prev else 'the start'} is not the entry the chain "
                               "head records: replaced, or edited and its hash recomputed")  # fmt: skip
    if progress is not None:
        progress(walked, head_seq)
    return ChainReport(walked, head_seq, head_hash, problem)


def verify_and_record(session: Session, *, actor: str, now: datetime,
                      role: str | None = None) -> ChainReport:  # fmt: skip
    """Verify the chain, then record who verified it and the outcome (one commit). Only an
    admin or a team lead (`role`; None: the command line)."""
    check_role(role, DECIDER_ROLES, "verify the audit trail")
    report = verify_chain(session)
    record(session, AuditEvent(actor, "audit.verify", "audit", "", report.as_dict()), now=now)
    session.commit()
    return report
